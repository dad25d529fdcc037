//! `cadre-sim experiment` as a user meets it: the files it writes, the same bytes on any
//! thread count, `show` round trips of `[places]` and `[rollout]`, and clear errors for a
//! bad rollout.

use std::path::Path;

use assert_cmd::Command;
use predicates::prelude::*;

fn cadre_sim() -> Command {
    Command::cargo_bin("cadre-sim").unwrap()
}

fn example(name: &str) -> String {
    format!(
        "{}/scenarios/experiments/{name}.toml",
        env!("CARGO_MANIFEST_DIR")
    )
}

/// A small, fast experiment: 6 replicates of the place-scope example.
fn small(out: &Path, extra: &[&str]) -> assert_cmd::assert::Assert {
    cadre_sim()
        .arg("experiment")
        .arg(example("staggered_place"))
        .args([
            "--replicates",
            "6",
            "--bootstrap",
            "19",
            "--quiet",
            "--no-plots",
            "--out",
        ])
        .arg(out)
        .args(extra)
        .assert()
}

#[test]
fn an_experiment_writes_panel_truth_and_estimates_the_same_on_any_thread_count() {
    let dir = tempfile::tempdir().unwrap();
    // panel.csv and estimates.csv are streamed in replicate order as replicates finish: on 3
    // threads they finish out of order.
    let (one, two) = (dir.path().join("one"), dir.path().join("three"));
    small(&one, &["--threads", "1"])
        .success()
        .stdout(predicate::str::contains("Callaway–Sant'Anna"));
    small(&two, &["--threads", "3"]).success();
    for file in [
        "panel.csv",
        "truth.csv",
        "estimates.csv",
        "estimates_summary.csv",
    ] {
        let a = std::fs::read(one.join(file)).unwrap();
        assert!(
            a == std::fs::read(two.join(file)).unwrap(),
            "{file} differs"
        );
    }
    let panel = std::fs::read_to_string(one.join("panel.csv")).unwrap();
    // 6 replicates x 30 places x 40 steps, and a header.
    assert_eq!(panel.lines().count(), 6 * 30 * 40 + 1);
    let header = panel.lines().next().unwrap();
    assert!(header.starts_with(
        "replicate,place,step,cohort,treated,strength,leniency,initiative,initiative_no_adoption"
    ));
    let summary = std::fs::read_to_string(one.join("estimates_summary.csv")).unwrap();
    for estimator in ["twfe,", "twfe_es,", "cs,nevertreated", "sa,"] {
        assert!(summary.contains(estimator), "{estimator} in {summary}");
    }
    let json: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(one.join("experiment.json")).unwrap())
            .unwrap();
    assert_eq!(json["model_version"], "1.3");
    assert_eq!(json["outcome"], "initiative");
    // A rerun without --force keeps the results.
    small(&one, &[])
        .code(2)
        .stderr(predicate::str::contains("--force"));
}

#[test]
fn the_examples_show_and_read_back_to_the_same_scenario() {
    for name in [
        "staggered_national",
        "staggered_place",
        "lenient_first",
        "null_rollout",
    ] {
        let shown = cadre_sim().args(["show", &example(name)]).output().unwrap();
        assert!(
            shown.status.success(),
            "{name}: {}",
            String::from_utf8_lossy(&shown.stderr)
        );
        let dir = tempfile::tempdir().unwrap();
        let saved = dir.path().join("saved.toml");
        std::fs::write(&saved, &shown.stdout).unwrap();
        let again = cadre_sim().arg("show").arg(&saved).output().unwrap();
        assert_eq!(
            String::from_utf8_lossy(&again.stdout),
            String::from_utf8_lossy(&shown.stdout),
            "{name}"
        );
    }
    let shown = cadre_sim()
        .args(["show", &example("null_rollout")])
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&shown.stdout);
    assert!(
        text.contains("[rollout.regime]") && !text.contains("sensitivity = 0.75"),
        "{text}"
    );
}

/// Writes `body` after a valid place setup and returns `experiment`'s stderr.
fn bad(body: &str) -> String {
    bad_file(&format!(
        "[population]\ncadres = 600\n\n[places]\ncount = 6\n\n{body}"
    ))
}

/// Writes `text` as a scenario file and returns `experiment`'s stderr.
fn bad_file(text: &str) -> String {
    let body = text;
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("bad.toml");
    std::fs::write(&file, text).unwrap();
    let out = dir.path().join("out");
    let output = cadre_sim()
        .arg("experiment")
        .arg(&file)
        .arg("--out")
        .arg(&out)
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2), "{body}");
    assert!(!out.exists(), "nothing written for {body}");
    String::from_utf8_lossy(&output.stderr).into_owned()
}

#[test]
fn a_bad_rollout_is_refused_with_file_line_key_and_range() {
    let e = bad(
        "[rollout]\nadopt = \"optimized_path\"\nassign = \"lenient\"\n[[rollout.cohorts]]\nat = 8\nshare = 0.5\n",
    );
    assert!(
        e.contains("bad.toml:9") && e.contains("\"lenient_first\""),
        "{e}"
    );
    let e =
        bad("[rollout]\nadopt = \"optimized_path\"\n[[rollout.cohorts]]\nat = 0\nshare = 0.5\n");
    assert!(
        e.contains("bad.toml:10") && e.contains("at") && e.contains(">= 1"),
        "{e}"
    );
    let e = bad(
        "[rollout]\nadopt = \"optimized_path\"\n[[rollout.cohorts]]\nat = 5\nshare = 0.7\n[[rollout.cohorts]]\nat = 9\nshare = 0.6\n",
    );
    assert!(e.contains("sum to 1.3"), "{e}");
    let e = bad("[rollout]\nadopt = \"optimized_pth\"\n[[rollout.cohorts]]\nat = 5\nshare = 0.5\n");
    assert!(
        e.contains("bad.toml:8") && e.contains("did you mean `optimized_path`"),
        "{e}"
    );
    let e = bad(
        "[rollout]\nadopt = \"optimized_path\"\n[rollout.regime]\ndetect = 1.5\n[[rollout.cohorts]]\nat = 5\nshare = 0.5\n",
    );
    assert!(e.contains("bad.toml:10") && e.contains("[0, 1]"), "{e}");
    let e =
        bad("[rollout]\nadopt = \"optimized_path\"\n[[rollout.cohorts]]\nat = 50\nshare = 0.5\n");
    assert!(e.contains("step 50") && e.contains("40 steps"), "{e}");
    let e = bad_file("[places]\ncount = 6\npublish_scope = \"province\"\n");
    assert!(e.contains("\"national\", \"place\""), "{e}");
}

#[test]
fn places_must_divide_the_units_and_an_experiment_needs_a_rollout() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("uneven.toml");
    std::fs::write(&file, "[places]\ncount = 7\n").unwrap();
    cadre_sim()
        .args(["run"])
        .arg(&file)
        .arg("--out")
        .arg(dir.path().join("o"))
        .assert()
        .code(2)
        .stderr(
            predicate::str::contains("`places.count` = 7 does not divide")
                .and(predicate::str::contains("cadres")),
        );
    cadre_sim()
        .args(["experiment", "nominal_tolerance", "--out"])
        .arg(dir.path().join("o2"))
        .assert()
        .code(2)
        .stderr(predicate::str::contains("has no [rollout]"));
    cadre_sim()
        .arg("experiment")
        .arg(example("staggered_place"))
        .args(["--outcome", "initiatve", "--out"])
        .arg(dir.path().join("o3"))
        .assert()
        .code(2)
        .stderr(predicate::str::contains("unknown outcome `initiatve`"));
}

#[test]
fn set_changes_the_places_table_with_the_same_checks() {
    let shown = cadre_sim()
        .arg("show")
        .arg(example("staggered_national"))
        .args([
            "--set",
            "places.publish_scope=place",
            "--set",
            "places.strength_spread=0",
        ])
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&shown.stdout);
    assert!(
        text.contains("publish_scope = \"place\"") && text.contains("strength_spread = 0.0"),
        "{text}"
    );
    cadre_sim()
        .arg("show")
        .arg(example("staggered_national"))
        .args(["--set", "places.publish_scop=place"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains(
            "did you mean `places.publish_scope`",
        ));
    cadre_sim()
        .arg("show")
        .arg(example("staggered_national"))
        .args(["--set", "places.count=7"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("does not divide"));
}
