//! `cadre-sim sensitivity` end to end at a tiny size: the files a user and SALib read, the
//! same indices whether run on one machine or as shards then merged, and bad files.

use std::path::Path;

use assert_cmd::Command;
use predicates::prelude::*;

fn cadre_sim() -> Command {
    Command::cargo_bin("cadre-sim").unwrap()
}

/// A tiny analysis: 3 parameters, 200 cadres, 10 steps, 2 replicates.
fn write_file(dir: &Path, method: &str, samples: u32) -> std::path::PathBuf {
    let path = dir.join(format!("tiny_{method}.toml"));
    let text = format!(
        "base = \"nominal_tolerance\"\nmethod = \"{method}\"\nsamples = {samples}\n\
         metrics = [\"initiative\", \"social_value\"]\nreplicates = 2\nsteps = 10\nwindow = 5\n\
         seed = 3\nbootstrap = 50\n\
         [[parameter]]\nparam = \"population.cadres\"\nfrom = 200\nto = 300\n\
         [[parameter]]\nparam = \"regime.leader_duty\"\nfrom = 0.0\nto = 1.0\n\
         [[parameter]]\nparam = \"regime.review_delay\"\nfrom = 0\nto = 3\n"
    );
    std::fs::write(&path, text).unwrap();
    path
}

fn lines(path: &Path) -> usize {
    std::fs::read_to_string(path).unwrap().lines().count()
}

#[test]
fn sobol_writes_indices_salib_files_and_charts() {
    let dir = tempfile::tempdir().unwrap();
    let file = write_file(dir.path(), "sobol", 8);
    let out = dir.path().join("out");
    cadre_sim()
        .arg("sensitivity")
        .arg(&file)
        .args(["--quiet", "--out"])
        .arg(&out)
        .assert()
        .success()
        .stdout(predicate::str::contains(
            "| parameter | total ST | first-order S1 |",
        ));
    let indices = std::fs::read_to_string(out.join("indices.csv")).unwrap();
    assert!(indices.starts_with("metric,parameter,S1,S1_conf,ST,ST_conf\n"));
    assert_eq!(indices.lines().count(), 1 + 2 * 3);
    // SALib's layout: N·(D + 2) rows of X and of each Y.
    let points = 8 * (3 + 2);
    assert_eq!(lines(&out.join("salib/X.txt")), points);
    assert_eq!(lines(&out.join("salib/Y_initiative.txt")), points);
    let problem: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(out.join("salib/problem.json")).unwrap())
            .unwrap();
    assert_eq!(problem["num_vars"], 3);
    assert_eq!(problem["names"][1], "regime.leader_duty");
    for metric in ["initiative", "social_value"] {
        let png = std::fs::read(out.join(format!("sensitivity_{metric}.png"))).unwrap();
        assert!(png.starts_with(b"\x89PNG"));
    }
}

#[test]
fn morris_runs_and_sharded_equals_unsharded() {
    let dir = tempfile::tempdir().unwrap();
    let file = write_file(dir.path(), "morris", 4);
    let (whole, sharded) = (dir.path().join("whole"), dir.path().join("sharded"));
    cadre_sim()
        .arg("sensitivity")
        .arg(&file)
        .args(["--quiet", "--no-plots", "--out"])
        .arg(&whole)
        .assert()
        .success()
        .stdout(predicate::str::contains("| parameter | μ* | μ | σ |"));
    for k in 0..2 {
        cadre_sim()
            .arg("sensitivity")
            .arg(&file)
            .args(["--quiet", "--shard", &format!("{k}/2"), "--out"])
            .arg(&sharded)
            .assert()
            .success();
    }
    assert!(
        !sharded.join("indices.csv").exists(),
        "shards do not analyse"
    );
    cadre_sim().arg("merge").arg(&sharded).assert().success();
    cadre_sim()
        .arg("sensitivity")
        .arg(&file)
        .args(["--quiet", "--no-plots", "--out"])
        .arg(&sharded)
        .assert()
        .success()
        .stdout(predicate::str::contains("computed 0"));
    for name in [
        "indices.csv",
        "results.csv",
        "salib/X.txt",
        "salib/Y_initiative.txt",
    ] {
        assert_eq!(
            std::fs::read(whole.join(name)).unwrap(),
            std::fs::read(sharded.join(name)).unwrap(),
            "{name}"
        );
    }
    assert_eq!(lines(&whole.join("salib/X.txt")), 4 * (3 + 1));
}

#[test]
fn a_bad_file_is_rejected_before_any_work() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("bad.toml");
    std::fs::write(
        &file,
        "base = \"nominal_tolerance\"\nmethod = \"sobol\"\nsamples = 8\nmetrics = [\"initiative\"]\n\
         [[parameter]]\nparam = \"regime.leader_duty\"\nfrom = 0.0\nto = 2.0\n\
         [[parameter]]\nparam = \"regime.publish\"\nfrom = 0.0\nto = 1.0\n",
    )
    .unwrap();
    let out = dir.path().join("out");
    cadre_sim()
        .arg("sensitivity")
        .arg(&file)
        .arg("--out")
        .arg(&out)
        .assert()
        .code(2)
        .stderr(predicate::str::contains(
            "bad.toml:8: `regime.leader_duty` = 2 is out of range: it must be a number in [0, 1]",
        ));
    assert!(!out.exists());
}

#[test]
fn steps_and_replicates_flags_override_the_file() {
    let dir = tempfile::tempdir().unwrap();
    let file = write_file(dir.path(), "morris", 2);
    let out = dir.path().join("out");
    let analyse = |extra: &[&str]| {
        cadre_sim()
            .arg("sensitivity")
            .arg(&file)
            .args(["--quiet", "--no-plots", "--out"])
            .arg(&out)
            .args(extra)
            .assert()
    };
    analyse(&["--steps", "6", "--replicates", "1"])
        .success()
        .stdout(predicate::str::contains("8 points × 1 replicates"));
    let manifest: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(out.join("manifest.json")).unwrap()).unwrap();
    assert_eq!(manifest["sweep"]["steps"], 6);
    // The file's own values make another analysis: the folder is not silently reused.
    analyse(&[]).code(2).stderr(predicate::str::contains(
        "changed since the folder was written",
    ));
}
