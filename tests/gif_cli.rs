//! `cadre-sim run --gif` through the binary: the world view GIF lands next to the results.

use assert_cmd::Command;

#[test]
fn run_gif_writes_the_world_view_of_replicate_0() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("o2");
    Command::cargo_bin("cadre-sim")
        .unwrap()
        .args([
            "run",
            "o2_top_leader",
            "--gif",
            "--quiet",
            "--replicates",
            "2",
            "--steps",
            "6",
            "--window",
            "3",
        ])
        .arg("--out")
        .arg(&out)
        .assert()
        .success()
        .stdout(predicates::str::contains(
            "world view of replicate 0 (6 frames)",
        ));
    let gif = std::fs::read(out.join("worldview.gif")).unwrap();
    assert!(gif.starts_with(b"GIF89a"));
    assert!(
        out.join("summary.json").is_file(),
        "the usual results are written too"
    );

    // Without --gif, no GIF.
    let plain = dir.path().join("plain");
    Command::cargo_bin("cadre-sim")
        .unwrap()
        .args([
            "run",
            "o2_top_leader",
            "--quiet",
            "--replicates",
            "2",
            "--steps",
            "6",
            "--window",
            "3",
        ])
        .arg("--out")
        .arg(&plain)
        .assert()
        .success();
    assert!(!plain.join("worldview.gif").exists());
}
