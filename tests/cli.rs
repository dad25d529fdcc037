//! The command line as a user meets it: outputs, reproducibility across thread counts,
//! `show` round trips, and every bad-input path (exit code 2, a clear message, nothing
//! written).

use std::path::Path;

use assert_cmd::Command;
use predicates::prelude::*;

fn cadre_sim() -> Command {
    Command::cargo_bin("cadre-sim").unwrap()
}

/// A small, fast run of a scenario into `out`.
fn small_run(scenario: &str, out: &Path, extra: &[&str]) -> assert_cmd::assert::Assert {
    cadre_sim()
        .args([
            "run",
            scenario,
            "--replicates",
            "6",
            "--steps",
            "25",
            "--quiet",
        ])
        .args(["--set", "population.cadres=300", "--out"])
        .arg(out)
        .args(extra)
        .assert()
}

/// summary.json without its timing block, which is the only part allowed to differ.
fn summary_without_timing(dir: &Path) -> serde_json::Value {
    let text = std::fs::read_to_string(dir.join("summary.json")).unwrap();
    let mut v: serde_json::Value = serde_json::from_str(&text).unwrap();
    v.as_object_mut().unwrap().remove("timing");
    v
}

#[test]
fn run_writes_tidy_timeseries_and_summary() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("o");
    small_run("optimized_path", &out, &["--raw"])
        .success()
        .stdout(predicate::str::contains("| initiative |"));
    let csv = std::fs::read_to_string(out.join("timeseries.csv")).unwrap();
    let mut lines = csv.lines();
    assert_eq!(
        lines.next(),
        Some("scenario,step,metric,mean,sd,ci_low,ci_high,n")
    );
    assert_eq!(csv.lines().count(), 1 + 25 * 14);
    assert!(csv.contains("\noptimized_path,0,initiative,"));
    // Nothing is decided at step 0: the tolerance rate is missing, with n = 0.
    assert!(csv.contains("\noptimized_path,0,tolerance_rate,,,,,0\n"));
    let raw = std::fs::read_to_string(out.join("replicates.csv")).unwrap();
    assert_eq!(raw.lines().count(), 1 + 6 * 25);
    let summary = summary_without_timing(&out);
    assert_eq!(summary["scenario"]["regime"]["leader_duty"], 0.7);
    assert_eq!(summary["replicate_seeds"].as_array().unwrap().len(), 6);
    assert_eq!(summary["final_window"]["initiative"]["n"], 6);
}

#[test]
fn results_are_byte_identical_for_any_thread_count() {
    let dir = tempfile::tempdir().unwrap();
    let outs: Vec<_> = ["1", "2", "8"]
        .iter()
        .map(|threads| {
            let out = dir.path().join(format!("t{threads}"));
            small_run("nominal_tolerance", &out, &["--threads", threads, "--raw"]).success();
            out
        })
        .collect();
    for out in &outs[1..] {
        for file in ["timeseries.csv", "replicates.csv"] {
            assert_eq!(
                std::fs::read(outs[0].join(file)).unwrap(),
                std::fs::read(out.join(file)).unwrap(),
                "{file}"
            );
        }
        assert_eq!(
            summary_without_timing(&outs[0]),
            summary_without_timing(out)
        );
    }
}

#[test]
fn show_output_reproduces_the_run() {
    let dir = tempfile::tempdir().unwrap();
    let shown = cadre_sim()
        .args(["show", "mechanism_introduced", "--set", "regime.detect=0.7"])
        .output()
        .unwrap();
    assert!(shown.status.success());
    let file = dir.path().join("resolved.toml");
    std::fs::write(&file, &shown.stdout).unwrap();
    let (a, b) = (dir.path().join("a"), dir.path().join("b"));
    small_run("mechanism_introduced", &a, &["--set", "regime.detect=0.7"]).success();
    small_run(file.to_str().unwrap(), &b, &[]).success();
    assert_eq!(
        std::fs::read(a.join("timeseries.csv")).unwrap(),
        std::fs::read(b.join("timeseries.csv")).unwrap()
    );
}

#[test]
fn an_existing_run_is_not_overwritten_without_force() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("o");
    small_run("nominal_tolerance", &out, &[]).success();
    let before = std::fs::read(out.join("timeseries.csv")).unwrap();
    small_run("optimized_path", &out, &[])
        .code(2)
        .stderr(predicate::str::contains("--force"));
    assert_eq!(std::fs::read(out.join("timeseries.csv")).unwrap(), before);
    small_run("optimized_path", &out, &["--force"]).success();
    assert_ne!(std::fs::read(out.join("timeseries.csv")).unwrap(), before);
}

/// Runs a command that must fail on bad input: exit 2, the expected message, no output.
fn rejects(args: &[&str], message: &str) {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out");
    cadre_sim()
        .current_dir(dir.path())
        .args(args)
        .arg("--out")
        .arg(&out)
        .assert()
        .code(2)
        .stderr(predicate::str::contains(message));
    assert!(!out.exists(), "nothing may be written for {args:?}");
}

#[test]
fn bad_input_is_rejected_with_a_clear_message() {
    rejects(&["run", "optimised_path"], "did you mean `optimized_path`");
    rejects(
        &["run", "nominal_tolerance", "--set", "regime.detcet=0.5"],
        "did you mean `regime.detect`",
    );
    rejects(
        &["run", "nominal_tolerance", "--set", "regime.detect=1.5"],
        "`regime.detect` = 1.5 is out of range: it must be a number in [0, 1]",
    );
    rejects(
        &["run", "nominal_tolerance", "--set", "regime.detect=high"],
        "is not a number",
    );
    rejects(
        &["run", "nominal_tolerance", "--set", "detect"],
        "key=value",
    );
    rejects(
        &["run", "nominal_tolerance", "--replicates", "0"],
        "--replicates",
    );
    rejects(
        &["run", "mechanism_introduced", "--steps", "20"],
        "beyond the run",
    );
    rejects(&["run", "nominal_tolerance", "--window", "0"], "--window");
    rejects(&["run", "nominal_tolerance", "--threads", "0"], "--threads");
    rejects(&["run", "missing.toml"], "missing.toml: cannot read");
}

#[test]
fn bad_scenario_files_name_file_line_key_and_range() {
    let dir = tempfile::tempdir().unwrap();
    let write = |name: &str, text: &str| {
        let path = dir.path().join(name);
        std::fs::write(&path, text).unwrap();
        path.to_str().unwrap().to_string()
    };
    let cases = [
        (
            "range.toml",
            "[regime]\n\npublish = -0.1\n",
            "range.toml:3: `regime.publish` = -0.1 is out of range",
        ),
        (
            "unknown.toml",
            "[regime]\nleader_dutty = 0.5\n",
            "did you mean `leader_duty`",
        ),
        (
            "type.toml",
            "[run]\nsteps = \"forty\"\n",
            "`run.steps` must be a number, found a string",
        ),
        (
            "section.toml",
            "[regim]\ndetect = 0.5\n",
            "unknown key `regim`",
        ),
        ("syntax.toml", "[regime\n", "invalid TOML"),
        (
            "event.toml",
            "[[events]]\nat = 5\nseverity = -1\n",
            "`regime.severity` = -1 is out of range",
        ),
        (
            "beyond.toml",
            "[[events]]\nat = 40\ndetect = 0.9\n",
            "beyond the run",
        ),
        ("cycle.toml", "base = \"cycle.toml\"\n", "cycle"),
    ];
    for (name, text, message) in cases {
        let path = write(name, text);
        rejects(&["run", &path], message);
    }
}

#[test]
fn an_unwritable_output_folder_is_bad_input() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("a-file");
    std::fs::write(&file, "").unwrap();
    cadre_sim()
        .args(["run", "nominal_tolerance", "--quiet", "--out"])
        .arg(file.join("sub"))
        .assert()
        .code(2)
        .stderr(predicate::str::contains("cannot create the output folder"));
}

#[test]
fn listings_describe_scenarios_and_parameters() {
    cadre_sim()
        .arg("scenarios")
        .assert()
        .success()
        .stdout(predicate::str::contains("mechanism_introduced"))
        .stdout(predicate::str::contains("leader_duty 0.7"));
    cadre_sim()
        .arg("params")
        .assert()
        .success()
        .stdout(predicate::str::contains("leader_duty"))
        .stdout(predicate::str::contains("O2"))
        .stdout(predicate::str::contains("a number in [0, 1]"))
        .stdout(predicate::function(|text: &str| {
            text.lines().all(|l| l.chars().count() <= 100)
        }));
}

/// Writes one valid file of each kind into `dir`: (scenario, sweep, sensitivity) paths.
fn one_file_of_each_kind(dir: &Path) -> [String; 3] {
    let files = [
        (
            "scen.toml",
            "base = \"nominal_tolerance\"\n[regime]\ndetect = 0.8\n",
        ),
        (
            "sw.toml",
            "base = \"nominal_tolerance\"\nreplicates = 2\n\
             [[axis]]\nparam = \"regime.detect\"\nvalues = [0.2, 0.8]\n",
        ),
        (
            "sa.toml",
            "base = \"nominal_tolerance\"\nmethod = \"sobol\"\nsamples = 8\n\
             metrics = [\"initiative\"]\nreplicates = 2\n\
             [[parameter]]\nparam = \"regime.leader_duty\"\nfrom = 0.0\nto = 1.0\n\
             [[parameter]]\nparam = \"regime.publish\"\nfrom = 0.0\nto = 1.0\n",
        ),
    ];
    files.map(|(name, text)| {
        let path = dir.join(name);
        std::fs::write(&path, text).unwrap();
        path.to_str().unwrap().to_string()
    })
}

#[test]
fn a_file_given_to_the_wrong_command_names_the_command_that_reads_it() {
    let dir = tempfile::tempdir().unwrap();
    let [scenario, sweep, sensitivity] = one_file_of_each_kind(dir.path());
    // (command, file, what the message says, the command that reads the file)
    let cases = [
        (
            "run",
            &sweep,
            "this is a sweep file (it has [[axis]]), not a scenario file",
            "sweep",
        ),
        (
            "run",
            &sensitivity,
            "this is a sensitivity file (it has `method`)",
            "sensitivity",
        ),
        (
            "sweep",
            &sensitivity,
            "this is a sensitivity file (it has `method`)",
            "sensitivity",
        ),
        (
            "sweep",
            &scenario,
            "this is a scenario file (it has [regime]), not a sweep file",
            "run",
        ),
        (
            "sensitivity",
            &scenario,
            "this is a scenario file (it has [regime])",
            "run",
        ),
        (
            "sensitivity",
            &sweep,
            "this is a sweep file (it has [[axis]])",
            "sweep",
        ),
    ];
    for (command, file, message, reader) in cases {
        rejects(&[command, file], message);
        rejects(
            &[command, file],
            &format!("run it with `cadre-sim {reader} {file}`"),
        );
    }
    // `show`, which reads scenarios too, says the same.
    cadre_sim()
        .args(["show", &sweep])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("run it with `cadre-sim sweep"));
}

/// The `error: ` lines of a rejected command's stderr.
fn error_lines(args: &[&str]) -> Vec<String> {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out");
    let assert = cadre_sim()
        .args(args)
        .arg("--out")
        .arg(&out)
        .assert()
        .code(2);
    assert!(!out.exists(), "nothing may be written for {args:?}");
    let stderr = String::from_utf8(assert.get_output().stderr.clone()).unwrap();
    assert!(
        stderr.lines().all(|l| l.starts_with("error: ")),
        "one problem per line:\n{stderr}"
    );
    stderr.lines().map(str::to_string).collect()
}

/// Checks that `lines` are exactly the expected problems, in order: (line, text) each.
fn assert_problems(lines: &[String], file: &str, expected: &[(u32, &str)]) {
    assert_eq!(lines.len(), expected.len(), "{lines:#?}");
    for (line, (number, text)) in lines.iter().zip(expected) {
        let start = format!("error: {file}:{number}: ");
        assert!(
            line.starts_with(&start),
            "`{start}` does not start `{line}`"
        );
        assert!(line.contains(text), "`{text}` not in `{line}`");
    }
}

#[test]
fn a_file_with_several_mistakes_reports_every_one() {
    let dir = tempfile::tempdir().unwrap();
    let write = |name: &str, text: &str| {
        let path = dir.path().join(name);
        std::fs::write(&path, text).unwrap();
        path.to_str().unwrap().to_string()
    };
    let scenario = write(
        "scen.toml",
        "[regime]\ndetect = 1.5\nsensitvity = 0.5\n[population]\ncadres = 0\n",
    );
    assert_problems(
        &error_lines(&["run", &scenario]),
        &scenario,
        &[
            (
                2,
                "`regime.detect` = 1.5 is out of range: it must be a number in [0, 1]",
            ),
            (
                3,
                "unknown key `sensitvity` in [regime] (did you mean `sensitivity`?)",
            ),
            (
                5,
                "`population.cadres` = 0 is out of range: it must be an integer in [1,",
            ),
        ],
    );
    let sweep = write(
        "sw.toml",
        "base = \"nominal_tolerance\"\nreplicates = 0\n\
         [[axis]]\nparam = \"regime.detect\"\nvalues = [0.5, 1.5]\n\
         [[axis]]\nparam = \"regime.detcet\"\nvalues = [0.1]\n",
    );
    assert_problems(
        &error_lines(&["sweep", &sweep]),
        &sweep,
        &[
            (2, "`run.replicates` = 0 is out of range"),
            (5, "`regime.detect` = 1.5 is out of range"),
            (
                7,
                "unknown parameter `regime.detcet` (did you mean `regime.detect`?)",
            ),
        ],
    );
    let sensitivity = write(
        "sa.toml",
        "base = \"nominal_tolerance\"\nmethod = \"sobel\"\nsamples = 8\n\
         metrics = [\"initiativ\"]\n\
         [[parameter]]\nparam = \"regime.leader_duty\"\nfrom = 0.0\nto = 2.0\n\
         [[parameter]]\nparam = \"regime.publish\"\nfrom = 0.0\nto = 1.0\n",
    );
    assert_problems(
        &error_lines(&["sensitivity", &sensitivity]),
        &sensitivity,
        &[
            (2, "`method` = \"sobel\" is not a method"),
            (4, "unknown metric `initiativ` (did you mean `initiative`?)"),
            (8, "`regime.leader_duty` = 2 is out of range"),
        ],
    );
}

#[test]
fn a_short_run_averages_all_its_steps_unless_a_window_is_given() {
    // No --window: the final window is min(10, steps), so a 5-step try just works.
    for command in [&["run", "optimized_path"][..], &["compare"][..]] {
        let dir = tempfile::tempdir().unwrap();
        cadre_sim()
            .current_dir(dir.path())
            .args(command)
            .args(["--steps", "5", "--replicates", "2", "--quiet", "--no-plots"])
            .args(["--set", "population.cadres=50"])
            .assert()
            .success()
            .stdout(predicate::str::contains("last 5 of 5 steps"));
    }
    // An explicit --window longer than the run stays an error, naming the flag and range.
    rejects(
        &["run", "optimized_path", "--steps", "5", "--window", "7"],
        "--window 7 must be in [1, 5]",
    );
}
