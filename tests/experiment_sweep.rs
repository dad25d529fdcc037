//! Experiments as sweep points (`cadre-sim sweep` on a base with a `[rollout]`): each point
//! is `cadre-sim experiment` on its scenario, byte for byte, and the sweep machinery's
//! resume, shards and merge give the same bytes as one uninterrupted run.

use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command as Process, Stdio};
use std::time::{Duration, Instant};

use assert_cmd::Command;
use predicates::prelude::*;

fn cadre() -> Command {
    Command::cargo_bin("cadre-sim").unwrap()
}

/// A small staggered design (12 places, cohorts at steps 4 and 8, national publication) and
/// a 2 × 2 grid over the weight of published cases and belief memory.
fn setup(replicates: u32, weights: &str) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    fs::write(
        dir.path().join("design.toml"),
        "name = \"design\"\nbase = \"nominal_tolerance\"\n[run]\nsteps = 14\n\
         [population]\ncadres = 240\nunit_size = 10\n\
         [places]\ncount = 12\npublish_scope = \"national\"\nstrength_spread = 0.3\n\
         [rollout]\nadopt = \"optimized_path\"\nassign = \"random\"\n\
         [[rollout.cohorts]]\nat = 4\nshare = 0.25\n[[rollout.cohorts]]\nat = 8\nshare = 0.25\n",
    )
    .unwrap();
    fs::write(
        dir.path().join("grid.toml"),
        format!(
            "name = \"grid\"\nbase = \"design.toml\"\nreplicates = {replicates}\n\
             [experiment]\nbootstrap = 19\nleads = 2\nlags = 4\n\
             [[axis]]\nparam = \"population.weight_published\"\nvalues = {weights}\n\
             [[axis]]\nparam = \"population.memory\"\nvalues = [0.5, 0.9]\n"
        ),
    )
    .unwrap();
    dir
}

fn sweep(dir: &Path, out: &str, extra: &[&str]) -> assert_cmd::assert::Assert {
    cadre()
        .current_dir(dir)
        .args(["sweep", "grid.toml", "--quiet", "--out", out])
        .args(extra)
        .assert()
}

fn read(path: PathBuf) -> Vec<u8> {
    fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

#[test]
fn a_point_is_the_experiment_of_its_scenario_and_threads_and_shards_change_no_byte() {
    let dir = setup(3, "[0.0, 0.3]");
    let d = dir.path();
    sweep(d, "one", &["--threads", "1"])
        .success()
        .stdout(predicate::str::contains("estimates against the truth"));
    sweep(d, "two", &["--threads", "2", "--no-plots"]).success();
    for k in 0..3 {
        sweep(d, "sharded", &["--shard", &format!("{k}/3"), "--no-plots"]).success();
    }
    cadre()
        .current_dir(d)
        .args(["merge", "sharded"])
        .assert()
        .success();
    let results = read(d.join("one/results.csv"));
    for other in ["two", "sharded"] {
        assert!(
            results == read(d.join(other).join("results.csv")),
            "{other}"
        );
    }
    for plot in ["heatmap_bias.png", "heatmap_coverage.png"] {
        assert!(read(d.join("one").join(plot)) == read(d.join("sharded").join(plot)));
    }

    // Point 3 (weight 0.3, memory 0.9) is `cadre-sim experiment` on that scenario.
    let results = String::from_utf8(results).unwrap();
    let point3 = point_is_the_experiment(
        d,
        &results,
        3,
        "3",
        &["population.weight_published=0.3", "population.memory=0.9"],
    );
    assert!(
        point3
            .iter()
            .any(|l| l.contains(",cs,") && l.contains(",overall,"))
    );
}

#[test]
fn a_killed_experiment_sweep_resumes_to_identical_bytes() {
    let dir = setup(4, "[0.0, 0.05, 0.1, 0.15, 0.2, 0.25, 0.3, 0.35, 0.4, 0.45]");
    let d = dir.path();
    sweep(d, "full", &["--threads", "2", "--no-plots"]).success();
    let mut child = Process::new(assert_cmd::cargo::cargo_bin("cadre-sim"))
        .current_dir(d)
        .args([
            "sweep",
            "grid.toml",
            "--quiet",
            "--no-plots",
            "--out",
            "killed",
        ])
        .args(["--threads", "1"])
        .stdout(Stdio::null())
        .spawn()
        .unwrap();
    let start = Instant::now();
    let count = || fs::read_dir(d.join("killed/points")).map_or(0, |r| r.count());
    while count() < 2 && start.elapsed() < Duration::from_secs(60) {
        std::thread::sleep(Duration::from_millis(2));
    }
    child.kill().unwrap(); // SIGKILL: no chance to clean up
    child.wait().unwrap();
    let finished = count();
    assert!(
        (2..20).contains(&finished),
        "killed after {finished} of 20 points"
    );
    sweep(d, "killed", &["--threads", "2", "--no-plots"]).success();
    assert!(read(d.join("full/results.csv")) == read(d.join("killed/results.csv")));
}

#[test]
fn experiment_sweeps_refuse_what_they_cannot_do() {
    let dir = setup(2, "[0.0, 0.3]");
    let d = dir.path();
    sweep(d, "raw", &["--raw"])
        .code(2)
        .stderr(predicate::str::contains("--raw"));
    fs::write(
        d.join("bad.toml"),
        "base = \"design.toml\"\n[experiment]\noutcome = \"happiness\"\ncolour = 1\n\
         [[axis]]\nparam = \"regime.detect\"\nvalues = [0.2]\n",
    )
    .unwrap();
    cadre()
        .current_dir(d)
        .args(["sweep", "bad.toml", "--out", "bad"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("colour"))
        .stderr(predicate::str::contains("bad.toml"));
    fs::write(
        d.join("plain.toml"),
        "base = \"nominal_tolerance\"\n[experiment]\nbootstrap = 0\n\
         [[axis]]\nparam = \"regime.detect\"\nvalues = [0.2]\n",
    )
    .unwrap();
    cadre()
        .current_dir(d)
        .args(["sweep", "plain.toml", "--out", "plain"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("[rollout]"));
    assert!(!d.join("raw").exists() && !d.join("bad").exists() && !d.join("plain").exists());
}

/// Asserts that `point`'s rows of a sweep's `results` are `cadre-sim experiment design.toml`
/// with `replicates` and the `sets`, byte for byte, after the header `point,<summary header>`;
/// returns those rows.
fn point_is_the_experiment<'a>(
    d: &Path,
    results: &'a str,
    point: usize,
    replicates: &str,
    sets: &[&str],
) -> Vec<&'a str> {
    let _ = fs::remove_dir_all(d.join("exp"));
    let mut command = cadre();
    command
        .current_dir(d)
        .args([
            "experiment",
            "design.toml",
            "--quiet",
            "--no-plots",
            "--out",
            "exp",
        ])
        .args([
            "--replicates",
            replicates,
            "--bootstrap",
            "19",
            "--leads",
            "2",
            "--lags",
            "4",
        ]);
    for set in sets {
        command.args(["--set", set]);
    }
    command.assert().success();
    let summary = String::from_utf8(read(d.join("exp/estimates_summary.csv"))).unwrap();
    let mut lines = summary.lines();
    assert_eq!(
        results.lines().next().unwrap(),
        format!("point,{}", lines.next().unwrap())
    );
    let prefix = format!("{point},");
    let rows: Vec<&str> = results
        .lines()
        .filter_map(|l| l.strip_prefix(prefix.as_str()))
        .collect();
    assert_eq!(rows, lines.collect::<Vec<_>>());
    rows
}

/// Writes `name.toml`: a sweep of `design.toml` with the given `[[axis]]` tables.
fn sweep_file(dir: &Path, name: &str, axes: &str) {
    fs::write(
        dir.join(format!("{name}.toml")),
        format!(
            "name = \"{name}\"\nbase = \"design.toml\"\nreplicates = 2\n\
             [experiment]\nbootstrap = 19\nleads = 2\nlags = 4\n{axes}"
        ),
    )
    .unwrap();
}

#[test]
fn the_places_and_the_rollout_are_swept_like_parameters() {
    let dir = setup(2, "[0.0]");
    let d = dir.path();
    sweep_file(
        d,
        "study",
        "[[axis]]\nparam = \"places.publish_scope\"\nvalues = [\"national\", \"place\"]\n\
         [[axis]]\nparam = \"rollout.share\"\nvalues = [0.5, 1.0]\n",
    );
    cadre()
        .current_dir(d)
        .args(["sweep", "study.toml", "--quiet", "--out", "study"])
        .assert()
        .success();
    let points = String::from_utf8(read(d.join("study/points.csv"))).unwrap();
    assert_eq!(
        points,
        "point,places.publish_scope,rollout.share\n0,national,0.5\n1,national,1\n\
         2,place,0.5\n3,place,1\n"
    );
    assert!(d.join("study/heatmap_bias.png").exists());

    // Point 3 (place, every place adopts) is `cadre-sim experiment` with those flags.
    let results = String::from_utf8(read(d.join("study/results.csv"))).unwrap();
    point_is_the_experiment(
        d,
        &results,
        3,
        "2",
        &["places.publish_scope=place", "rollout.share=1"],
    );

    // Cohort timing: a point whose cohorts leave the run is refused before anything runs,
    // naming the point and its values.
    sweep_file(
        d,
        "late",
        "[[axis]]\nparam = \"rollout.start\"\nvalues = [2, 12]\n\
         [[axis]]\nparam = \"rollout.spacing\"\nvalues = [2, 4]\n",
    );
    cadre()
        .current_dir(d)
        .args(["sweep", "late.toml", "--out", "late"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains(
            "point 2 (rollout.start = 12, rollout.spacing = 2)",
        ))
        .stderr(predicate::str::contains("the run has 14 steps"));
    // A choice has no interval; a misspelt key gets a suggestion.
    sweep_file(
        d,
        "interval",
        "[[axis]]\nparam = \"places.publish_scope\"\nfrom = 0\nto = 1\npoints = 2\n",
    );
    cadre()
        .current_dir(d)
        .args(["sweep", "interval.toml", "--out", "interval"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("interval.toml:"))
        .stderr(predicate::str::contains(
            "`places.publish_scope` is a choice, not a number",
        ));
    sweep_file(
        d,
        "typo",
        "[[axis]]\nparam = \"rollout.spacng\"\nvalues = [2]\n",
    );
    cadre()
        .current_dir(d)
        .args(["sweep", "typo.toml", "--out", "typo"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("did you mean `rollout.spacing`?"));
    // The rollout's keys need a base with a rollout.
    fs::write(
        d.join("plain_start.toml"),
        "base = \"nominal_tolerance\"\n[[axis]]\nparam = \"rollout.start\"\nvalues = [2]\n",
    )
    .unwrap();
    cadre()
        .current_dir(d)
        .args(["sweep", "plain_start.toml", "--out", "plain_start"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("has no [rollout]"));
    for out in ["late", "interval", "typo", "plain_start"] {
        assert!(!d.join(out).exists(), "{out} was written");
    }
}
