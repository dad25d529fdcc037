//! `cadre-sim sweep` and `merge` as users run them: the same bytes whatever the thread count,
//! shard split or interruption, and clear refusals instead of mixed or lost results.

use std::fs;
use std::os::unix::fs::MetadataExt;
use std::path::{Path, PathBuf};
use std::process::{Command as Process, Stdio};
use std::time::{Duration, Instant};

use assert_cmd::Command;
use predicates::prelude::*;

fn cadre() -> Command {
    Command::cargo_bin("cadre-sim").unwrap()
}

/// A folder with a small base scenario and a 3 × 4 grid sweep over it (12 points).
fn setup(cadres: u32, steps: u32, replicates: u32, severities: &str) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    fs::write(
        dir.path().join("small.toml"),
        format!(
            "base = \"optimized_path\"\n[population]\ncadres = {cadres}\nunit_size = 10\n\
             [run]\nsteps = {steps}\n"
        ),
    )
    .unwrap();
    fs::write(
        dir.path().join("grid.toml"),
        format!(
            "name = \"grid\"\nbase = \"small.toml\"\nreplicates = {replicates}\nwindow = 5\n\
             [[axis]]\nparam = \"regime.sensitivity\"\nvalues = [0.0, 0.5, 0.9]\n\
             [[axis]]\nparam = \"regime.severity\"\n{severities}\n"
        ),
    )
    .unwrap();
    dir
}

fn small() -> tempfile::TempDir {
    setup(200, 20, 4, "from = 0\nto = 6\npoints = 4")
}

fn sweep(dir: &Path, out: &str, extra: &[&str]) -> assert_cmd::assert::Assert {
    cadre()
        .current_dir(dir)
        // Plots are tested in tests/sweep_plots.rs; drawing them here would only slow these.
        .args(["sweep", "grid.toml", "--quiet", "--no-plots", "--out", out])
        .args(extra)
        .assert()
}

fn read(path: PathBuf) -> Vec<u8> {
    fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

#[test]
fn thread_count_and_shards_do_not_change_a_byte() {
    let dir = small();
    let d = dir.path();
    sweep(d, "one", &["--threads", "1", "--raw"]).success();
    sweep(d, "two", &["--threads", "2", "--raw"]).success();
    for name in ["results.csv", "points.csv", "raw.csv"] {
        assert_eq!(
            read(d.join("one").join(name)),
            read(d.join("two").join(name)),
            "{name}"
        );
    }
    let results = String::from_utf8(read(d.join("one/results.csv"))).unwrap();
    assert!(results.starts_with("point,metric,mean,sd,ci_low,ci_high,n\n0,initiative,"));
    assert_eq!(results.lines().count(), 1 + 12 * 14);

    // Three shards into one folder; merging before the last one has run is refused.
    sweep(d, "sharded", &["--shard", "0/3", "--threads", "2", "--raw"]).success();
    sweep(d, "sharded", &["--shard", "2/3", "--threads", "1", "--raw"]).success();
    cadre()
        .current_dir(d)
        .args(["merge", "sharded"])
        .assert()
        .code(2)
        .stderr(
            predicate::str::contains("4 of 12 points are not finished (points 1, 4, 7, 10)")
                .and(predicate::str::contains("shards finished: 0/3, 2/3"))
                .and(predicate::str::contains("belong to shard 1/3")),
        );
    assert!(!d.join("sharded/results.csv").exists());
    sweep(d, "sharded", &["--shard", "1/3", "--raw"]).success();
    cadre()
        .current_dir(d)
        .args(["merge", "sharded"])
        .assert()
        .success()
        .stdout(predicate::str::contains("merged 12 points"));
    for name in ["results.csv", "points.csv", "raw.csv"] {
        assert_eq!(
            read(d.join("one").join(name)),
            read(d.join("sharded").join(name)),
            "{name}"
        );
    }
}

/// Inode of every point file: a rewritten file (temporary file + rename) gets a new one.
fn point_inodes(dir: &Path) -> Vec<(String, u64)> {
    let mut v: Vec<_> = fs::read_dir(dir.join("points"))
        .unwrap()
        .map(|e| {
            let e = e.unwrap();
            (
                e.file_name().to_string_lossy().into_owned(),
                e.metadata().unwrap().ino(),
            )
        })
        .collect();
    v.sort();
    v
}

#[test]
fn resume_recomputes_only_missing_points() {
    let dir = small();
    let d = dir.path();
    sweep(d, "full", &[]).success();
    sweep(d, "resumed", &[]).success();
    // Lose three points and the assembled results, as a kill would have.
    for p in [1, 6, 11] {
        fs::remove_file(d.join(format!("resumed/points/p{p:06}.csv"))).unwrap();
    }
    fs::remove_file(d.join("resumed/results.csv")).unwrap();
    let before = point_inodes(&d.join("resumed"));
    sweep(d, "resumed", &[])
        .success()
        .stdout(predicate::str::contains(
            "computed 3, 9 already finished (resumed)",
        ));
    let after = point_inodes(&d.join("resumed"));
    for kept in &before {
        assert!(after.contains(kept), "{} was rewritten", kept.0);
    }
    assert_eq!(after.len(), 12);
    assert_eq!(
        read(d.join("full/results.csv")),
        read(d.join("resumed/results.csv"))
    );

    // A damaged point file (e.g. emptied by a power cut) is recomputed, not trusted.
    fs::write(d.join("resumed/points/p000004.csv"), "").unwrap();
    sweep(d, "resumed", &[])
        .success()
        .stdout(predicate::str::contains("computed 1, 11 already finished"));
    assert_eq!(
        read(d.join("full/results.csv")),
        read(d.join("resumed/results.csv"))
    );
}

#[test]
fn damaged_raw_rows_are_recomputed_on_resume() {
    let dir = small();
    let d = dir.path();
    sweep(d, "full", &["--raw"]).success();
    sweep(d, "resumed", &["--raw"]).success();
    // Cut a raw file short (as a power cut may leave an unsynced file) and lose the results.
    let raw = d.join("resumed/raw/p000007.csv");
    let text = fs::read_to_string(&raw).unwrap();
    fs::write(&raw, &text[..text.len() / 2]).unwrap();
    fs::remove_file(d.join("resumed/results.csv")).unwrap();
    sweep(d, "resumed", &["--raw"])
        .success()
        .stdout(predicate::str::contains("computed 1, 11 already finished"));
    assert_eq!(
        read(d.join("full/raw.csv")),
        read(d.join("resumed/raw.csv"))
    );
    assert_eq!(
        read(d.join("full/results.csv")),
        read(d.join("resumed/results.csv"))
    );
}

#[test]
fn killed_sweep_resumes_to_identical_bytes() {
    // Big enough (36 points of 2 × 2000 cadres × 40 steps) to be killed mid-way.
    let dir = setup(
        2000,
        40,
        2,
        "values = [0, 0.5, 1, 1.5, 2, 2.5, 3, 4, 5, 6, 8, 10]",
    );
    let d = dir.path();
    sweep(d, "full", &["--threads", "2"]).success();
    let mut child = Process::new(assert_cmd::cargo::cargo_bin("cadre-sim"))
        .current_dir(d)
        .args([
            "sweep",
            "grid.toml",
            "--quiet",
            "--out",
            "killed",
            "--threads",
            "1",
        ])
        .stdout(Stdio::null())
        .spawn()
        .unwrap();
    let start = Instant::now();
    let count = || fs::read_dir(d.join("killed/points")).map_or(0, |r| r.count());
    while count() < 3 && start.elapsed() < Duration::from_secs(60) {
        std::thread::sleep(Duration::from_millis(5));
    }
    child.kill().unwrap(); // SIGKILL: no chance to clean up
    child.wait().unwrap();
    let finished = count();
    assert!(
        (3..36).contains(&finished),
        "killed after {finished} of 36 points"
    );
    assert!(!d.join("killed/results.csv").exists());
    let before = point_inodes(&d.join("killed"));
    sweep(d, "killed", &["--threads", "2"])
        .success()
        .stdout(predicate::str::contains("(resumed)"));
    let after = point_inodes(&d.join("killed"));
    for kept in before.iter().filter(|(n, _)| n.ends_with(".csv")) {
        assert!(after.contains(kept), "{} was recomputed", kept.0);
    }
    assert_eq!(
        read(d.join("full/results.csv")),
        read(d.join("killed/results.csv"))
    );
}

#[test]
fn ctrl_c_saves_finished_points_says_so_and_exits_130() {
    let dir = setup(
        2000,
        40,
        2,
        "values = [0, 0.5, 1, 1.5, 2, 2.5, 3, 4, 5, 6, 8, 10]",
    );
    let d = dir.path();
    let child = Process::new(assert_cmd::cargo::cargo_bin("cadre-sim"))
        .current_dir(d)
        .args([
            "sweep",
            "grid.toml",
            "--quiet",
            "--no-plots",
            "--out",
            "stopped",
        ])
        .args(["--threads", "1"])
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let start = Instant::now();
    let count = || fs::read_dir(d.join("stopped/points")).map_or(0, |r| r.count());
    while count() < 2 && start.elapsed() < Duration::from_secs(60) {
        std::thread::sleep(Duration::from_millis(5));
    }
    let sent = Process::new("kill")
        .args(["-INT", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(sent.success());
    let out = child.wait_with_output().unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(130), "{stderr}");
    let saved = count();
    assert!(
        stderr.contains(&format!("{saved} of 36 points saved"))
            && stderr.contains("rerun the same command to resume"),
        "{stderr}"
    );
    assert!(!d.join("stopped/results.csv").exists());
    sweep(d, "stopped", &[])
        .success()
        .stdout(predicate::str::contains(format!(
            "{} already finished (resumed)",
            saved
        )));
}

#[test]
fn a_changed_sweep_or_other_results_are_refused() {
    let dir = small();
    let d = dir.path();
    sweep(d, "out", &[]).success();
    let results = read(d.join("out/results.csv"));
    // Rerunning the finished sweep recomputes nothing and rewrites the same bytes.
    sweep(d, "out", &[])
        .success()
        .stdout(predicate::str::contains("computed 0, 12 already finished"));
    assert_eq!(read(d.join("out/results.csv")), results);

    let text = fs::read_to_string(d.join("grid.toml")).unwrap();
    fs::write(d.join("grid.toml"), text.replace("0.9]", "0.8]")).unwrap();
    sweep(d, "out", &[]).code(2).stderr(
        predicate::str::contains("changed since the folder was written")
            .and(predicate::str::contains("sha256:"))
            .and(predicate::str::contains("--force")),
    );
    assert_eq!(read(d.join("out/results.csv")), results, "left untouched");
    sweep(d, "out", &["--force"]).success();
    assert_ne!(read(d.join("out/results.csv")), results);

    // A folder holding a `run` is not a sweep folder.
    cadre()
        .current_dir(d)
        .args(["run", "small.toml", "--quiet", "--out", "run"])
        .assert()
        .success();
    sweep(d, "run", &[])
        .code(2)
        .stderr(predicate::str::contains("summary.json").and(predicate::str::contains("--force")));
    // --force may not be combined with --shard.
    sweep(d, "out", &["--force", "--shard", "0/2"]).code(2);
}

#[test]
fn a_sweep_point_equals_the_run_of_that_scenario() {
    // Common random numbers: point 5 (sensitivity 0.5, severity 2) uses the run command's seeds.
    let dir = small();
    let d = dir.path();
    sweep(d, "out", &[]).success();
    cadre()
        .current_dir(d)
        .args([
            "run",
            "small.toml",
            "--quiet",
            "--out",
            "run",
            "--replicates",
            "4",
            "--window",
            "5",
            "--set",
            "regime.sensitivity=0.5",
            "--set",
            "regime.severity=2",
        ])
        .assert()
        .success();
    let summary: serde_json::Value =
        serde_json::from_slice(&read(d.join("run/summary.json"))).unwrap();
    let points = String::from_utf8(read(d.join("out/points.csv"))).unwrap();
    assert!(points.contains("\n5,0.5,2\n"), "{points}");
    let results = String::from_utf8(read(d.join("out/results.csv"))).unwrap();
    for metric in ["initiative", "social_value"] {
        let row = results
            .lines()
            .find(|l| l.starts_with(&format!("5,{metric},")))
            .unwrap();
        let mean: f64 = row.split(',').nth(2).unwrap().parse().unwrap();
        assert_eq!(
            mean,
            summary["final_window"][metric]["mean"].as_f64().unwrap(),
            "{metric}"
        );
    }
}

#[test]
fn bad_sweep_files_exit_2_naming_line_key_value_and_range() {
    let dir = small();
    let d = dir.path();
    let text = fs::read_to_string(d.join("grid.toml")).unwrap();
    fs::write(d.join("bad.toml"), text.replace("0.9]", "1.9]")).unwrap();
    cadre()
        .current_dir(d)
        .args(["sweep", "bad.toml", "--out", "bad"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains(
            "bad.toml:7: `regime.sensitivity` = 1.9 is out of range: it must be a number in [0, 1]",
        ));
    assert!(!d.join("bad").exists(), "nothing written");
    cadre()
        .current_dir(d)
        .args(["sweep", "grid.toml", "--shard", "3/3"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("K in 0..N"));
}

#[test]
fn slurm_script_names_the_shards_and_the_merge() {
    let dir = small();
    let d = dir.path();
    cadre()
        .current_dir(d)
        .args([
            "sweep",
            "grid.toml",
            "--out",
            "cl",
            "--slurm",
            "4",
            "--partition",
            "short",
            "--time",
            "01:30:00",
            "--cpus-per-task",
            "2",
            "--raw",
        ])
        .assert()
        .success()
        .stdout(
            predicate::str::contains("sbatch").and(predicate::str::contains("cadre-sim merge")),
        );
    let script = fs::read_to_string(d.join("cl/slurm/sweep.sbatch")).unwrap();
    for line in [
        "#SBATCH --array=0-3\n",
        "#SBATCH --cpus-per-task=2\n",
        "#SBATCH --time=01:30:00\n",
        "#SBATCH --partition=short\n",
        "--shard \"${SLURM_ARRAY_TASK_ID}/4\"",
        "--threads \"${SLURM_CPUS_PER_TASK:-2}\" --raw",
    ] {
        assert!(script.contains(line), "{line} missing from\n{script}");
    }
    assert!(d.join("cl/manifest.json").exists() && d.join("cl/points.csv").exists());
    for (flag, value, message) in [
        ("--slurm", "13", "more tasks than the sweep has points (12)"),
        ("--time", "2h", "must be HH:MM:SS"),
    ] {
        let mut args = vec!["sweep", "grid.toml", "--out", "cl2", flag, value];
        if flag != "--slurm" {
            args.extend(["--slurm", "2"]);
        }
        cadre()
            .current_dir(d)
            .args(&args)
            .assert()
            .code(2)
            .stderr(predicate::str::contains(message));
    }
}

#[test]
fn progress_lines_in_logs_and_silence_with_quiet() {
    let dir = small();
    let d = dir.path();
    cadre()
        .current_dir(d)
        .args(["sweep", "grid.toml", "--out", "a"])
        .assert()
        .success()
        .stderr(
            predicate::str::is_match(
                r"sweep grid: 12/12 points \(100\.0%\), [0-9.]+ M agent-steps/s",
            )
            .unwrap(),
        );
    cadre()
        .current_dir(d)
        .args(["sweep", "grid.toml", "--out", "b", "--quiet"])
        .assert()
        .success()
        .stderr(predicate::str::is_empty());
}

#[test]
fn plot_hooks_give_the_grid_and_line_data_of_results_csv() {
    use cadre_sim::model::Metric;
    use cadre_sim::sweep::SweepResults;
    let dir = small();
    let d = dir.path();
    sweep(d, "out", &[]).success();
    let results = SweepResults::load(&d.join("out")).unwrap();
    assert!(results.line_series(Metric::Initiative).is_none(), "2-D");
    let grid = results.heatmap(Metric::Initiative).unwrap();
    assert_eq!((grid.xs.len(), grid.ys.len()), (3, 4));
    assert_eq!(grid.x_param.key(), "regime.sensitivity");
    assert_eq!(grid.ys, vec![0.0, 2.0, 4.0, 6.0]);
    // Cell (sensitivity 0.5, severity 2) is point 5: the mean results.csv holds for it.
    let csv = String::from_utf8(read(d.join("out/results.csv"))).unwrap();
    let row = csv
        .lines()
        .find(|l| l.starts_with("5,initiative,"))
        .unwrap();
    let mean: f64 = row.split(',').nth(2).unwrap().parse().unwrap();
    assert_eq!(grid.mean[1][1], mean);

    fs::write(
        d.join("line.toml"),
        "base = \"small.toml\"\nreplicates = 3\n[[axis]]\nparam = \"regime.leader_duty\"\n\
         values = [0.9, 0.0, 0.5]\n",
    )
    .unwrap();
    cadre()
        .current_dir(d)
        .args(["sweep", "line.toml", "--quiet", "--out", "line"])
        .assert()
        .success();
    let line = SweepResults::load(&d.join("line"))
        .unwrap()
        .line_series(Metric::Initiative)
        .unwrap();
    assert_eq!(line.x, vec![0.0, 0.5, 0.9], "sorted by the parameter");
    assert!(line.ci_low.iter().zip(&line.mean).all(|(l, m)| l <= m));
}

#[test]
fn shards_started_together_on_a_new_folder_merge_to_the_same_bytes() {
    let dir = small();
    let d = dir.path();
    sweep(d, "one", &[]).success();
    for round in 0..3 {
        let out = format!("together{round}");
        let children: Vec<_> = (0..4)
            .map(|k| {
                Process::new(assert_cmd::cargo::cargo_bin("cadre-sim"))
                    .current_dir(d)
                    .args([
                        "sweep",
                        "grid.toml",
                        "--quiet",
                        "--threads",
                        "1",
                        "--out",
                        &out,
                    ])
                    .args(["--shard", &format!("{k}/4")])
                    .stdout(Stdio::null())
                    .stderr(Stdio::piped())
                    .spawn()
                    .unwrap()
            })
            .collect();
        for child in children {
            let output = child.wait_with_output().unwrap();
            assert!(
                output.status.success(),
                "{}",
                String::from_utf8_lossy(&output.stderr)
            );
        }
        cadre()
            .current_dir(d)
            .args(["merge", &out])
            .assert()
            .success();
        assert_eq!(
            read(d.join("one/results.csv")),
            read(d.join(&out).join("results.csv"))
        );
    }
}

#[test]
fn merge_refuses_points_of_another_sweep() {
    let dir = small();
    let d = dir.path();
    sweep(d, "a", &[]).success();
    let text = fs::read_to_string(d.join("grid.toml")).unwrap();
    fs::write(d.join("grid.toml"), text.replace("0.9]", "0.8]")).unwrap();
    sweep(d, "b", &["--shard", "0/2"]).success();
    sweep(d, "b", &["--shard", "1/2"]).success();
    // A point of sweep `a` copied over one of `b` (e.g. shard folders mixed by hand).
    fs::copy(
        d.join("a/points/p000003.csv"),
        d.join("b/points/p000003.csv"),
    )
    .unwrap();
    cadre()
        .current_dir(d)
        .args(["merge", "b"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains(
            "1 point file(s) were written by a different sweep than sha256:",
        ));
    assert!(!d.join("b/results.csv").exists(), "nothing written");
    // Rerunning the shard replaces the foreign point; then the merge succeeds.
    sweep(d, "b", &["--shard", "1/2"])
        .success()
        .stdout(predicate::str::contains("computed 1"));
    cadre()
        .current_dir(d)
        .args(["merge", "b"])
        .assert()
        .success();
}

#[test]
fn steps_and_replicates_flags_override_the_file_and_are_part_of_its_hash() {
    let dir = small();
    let d = dir.path();
    let quick = ["--steps", "8", "--replicates", "2"];
    sweep(d, "out", &quick)
        .success()
        .stdout(predicate::str::contains(
            "12 points × 2 replicates; computed 12",
        ));
    let manifest: serde_json::Value =
        serde_json::from_slice(&read(d.join("out/manifest.json"))).unwrap();
    assert_eq!(manifest["sweep"]["steps"], 8);
    assert_eq!(manifest["sweep"]["replicates"], 2);
    // The same flags resume; other values are refused like an edited file.
    sweep(d, "out", &quick)
        .success()
        .stdout(predicate::str::contains("computed 0, 12 already finished"));
    for other in [&["--steps", "9", "--replicates", "2"][..], &[]] {
        sweep(d, "out", other)
            .code(2)
            .stderr(predicate::str::contains(
                "changed since the folder was written",
            ));
    }
    // Checked like the file's values, naming the flag.
    sweep(d, "bad", &["--replicates", "0"])
        .code(2)
        .stderr(predicate::str::contains(
            "error: --replicates: `run.replicates` = 0",
        ));
    sweep(d, "bad", &["--steps", "4"])
        .code(2)
        .stderr(predicate::str::contains(
            "`window` = 5 must be an integer in [1, 4] (the steps run, as --steps sets them)",
        ));
    assert!(!d.join("bad").exists());
    // Slurm tasks compute the same plan, so they are given the same flags.
    sweep(d, "cl", &["--slurm", "2", "--steps", "8"]).success();
    let script = fs::read_to_string(d.join("cl/slurm/sweep.sbatch")).unwrap();
    assert!(
        script.contains("--threads \"${SLURM_CPUS_PER_TASK:-1}\" --steps 8\n"),
        "{script}"
    );
}

#[test]
fn help_of_commands_without_a_report_does_not_promise_one() {
    for command in ["sweep", "sensitivity", "merge"] {
        let help = cadre().args([command, "--help"]).assert().success();
        let text = String::from_utf8(help.get_output().stdout.clone()).unwrap();
        assert!(!text.contains("report"), "{command} --help:\n{text}");
        assert!(text.contains("--no-plots"), "{command} --help:\n{text}");
        if command != "merge" {
            assert!(text.contains("--steps <T>") && text.contains("--replicates <N>"));
        }
    }
}
