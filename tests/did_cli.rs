//! `cadre-sim did` as a researcher meets it: the example panel's estimates and plot, the
//! choice of comparison group, and every bad-input path (exit code 2, the file, line, column
//! and value named, nothing written).

use std::path::{Path, PathBuf};

use assert_cmd::Command;
use predicates::prelude::*;

fn cadre_sim() -> Command {
    Command::cargo_bin("cadre-sim").unwrap()
}

fn example() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios/experiments/did_panel.csv")
}

const COLUMNS: [&str; 8] = [
    "--place",
    "city",
    "--time",
    "year",
    "--cohort",
    "adopted",
    "--outcome",
    "innovation",
];

fn did(panel: &Path, out: &Path, extra: &[&str]) -> assert_cmd::assert::Assert {
    cadre_sim()
        .arg("did")
        .arg(panel)
        .args(COLUMNS)
        .args(["--bootstrap", "199", "--out"])
        .arg(out)
        .args(extra)
        .assert()
}

/// estimates.csv as (estimator, control, target, event_time, estimate) rows.
fn rows(dir: &Path) -> Vec<csv::StringRecord> {
    let mut r = csv::Reader::from_path(dir.join("estimates.csv")).unwrap();
    assert_eq!(
        r.headers().unwrap().iter().collect::<Vec<_>>(),
        cadre_sim::did::file::ESTIMATES_HEADER
    );
    r.records().map(Result::unwrap).collect()
}

fn overall<'a>(rows: &'a [csv::StringRecord], estimator: &str) -> &'a csv::StringRecord {
    rows.iter()
        .find(|r| &r[0] == estimator && &r[2] == "overall")
        .unwrap()
}

#[test]
fn the_example_panel_gives_every_estimator_a_plot_and_a_summary() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("did");
    did(&example(), &out, &[])
        .success()
        .stdout(predicate::str::contains("Callaway–Sant'Anna"))
        .stdout(predicate::str::contains("Sun–Abraham"));
    let rows = rows(&out);
    for estimator in ["twfe", "twfe_es", "cs", "sa"] {
        let r = overall(&rows, estimator);
        let (value, lo, hi): (f64, f64, f64) = (
            r[6].parse().unwrap(),
            r[8].parse().unwrap(),
            r[9].parse().unwrap(),
        );
        assert!(lo < value && value < hi, "{estimator}: {r:?}");
    }
    assert_eq!(&overall(&rows, "cs")[1], "nevertreated");
    // The effect grows with years since adoption (0.5 + 0.15 per year in the example), so
    // static TWFE comes out below Callaway–Sant'Anna's dynamic average.
    let value = |estimator: &str, target: &str| -> f64 {
        rows.iter()
            .find(|r| &r[0] == estimator && &r[2] == target)
            .unwrap()[6]
            .parse()
            .unwrap()
    };
    assert!(value("twfe", "overall") < value("cs", "overall_dynamic"));
    // Callaway–Sant'Anna's event times have uniform bands; the regressions' do not.
    let cs_event = rows
        .iter()
        .find(|r| &r[0] == "cs" && &r[2] == "event_time")
        .unwrap();
    assert!(!cs_event[10].is_empty() && !cs_event[11].is_empty());
    let sa_event = rows
        .iter()
        .find(|r| &r[0] == "sa" && &r[2] == "event_time")
        .unwrap();
    assert!(sa_event[10].is_empty());
    let png = std::fs::read(out.join("event_study.png")).unwrap();
    assert!(png.starts_with(b"\x89PNG"));

    // The same command again: refused without --force, identical with it.
    let before = std::fs::read(out.join("estimates.csv")).unwrap();
    did(&example(), &out, &[])
        .code(2)
        .stderr(predicate::str::contains("--force"));
    did(&example(), &out, &["--force", "--format", "svg"]).success();
    assert_eq!(std::fs::read(out.join("estimates.csv")).unwrap(), before);
    assert!(out.join("event_study.svg").exists() && !out.join("event_study.png").exists());
}

#[test]
fn not_yet_treated_controls_are_used_and_reported() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("did");
    did(
        &example(),
        &out,
        &["--control", "notyettreated", "--lang", "zh"],
    )
    .success()
    .stdout(predicate::str::contains("标准误"));
    let rows = rows(&out);
    assert_eq!(&overall(&rows, "cs")[1], "notyettreated");
    // Sun–Abraham always compares with never-treated places when there are some.
    assert_eq!(&overall(&rows, "sa")[1], "nevertreated");
}

/// Writes `text` as a panel and runs `did` on it; returns the failed run's stderr.
fn refused(text: &str, extra: &[&str]) -> String {
    let dir = tempfile::tempdir().unwrap();
    let panel = dir.path().join("panel.csv");
    std::fs::write(&panel, text).unwrap();
    let out = dir.path().join("out");
    let assert = did(&panel, &out, extra).code(2);
    assert!(!out.exists(), "nothing is written on bad input");
    String::from_utf8(assert.get_output().stderr.clone()).unwrap()
}

#[test]
fn bad_panels_are_refused_naming_file_line_column_and_value() {
    let good = "city,year,adopted,innovation\nA,1,2,1\nA,2,2,2\nA,3,2,2\n\
                B,1,,1\nB,2,,1\nB,3,,1\n";
    let e = refused(&good.replace("innovation", "output"), &[]);
    assert!(
        e.contains("panel.csv:1: no column `innovation` (named by --outcome)"),
        "{e}"
    );
    let e = refused(&good.replace("A,2,2,2", "A,2,2,lots"), &[]);
    assert!(
        e.contains("panel.csv:3: column `innovation`: `lots` is not a finite number"),
        "{e}"
    );
    let e = refused(&good.replace("A,3,2,2", "A,3,2,"), &[]);
    assert!(
        e.contains("panel.csv:4: column `innovation`: the outcome is missing"),
        "{e}"
    );
    let e = refused(&good.replace("B,2,,1", "B,2.5,,1"), &[]);
    assert!(
        e.contains("panel.csv:6: column `year`: `2.5` is not a period"),
        "{e}"
    );
    let e = refused(&good.replace("B,2,,1", "B,2,someday,1"), &[]);
    assert!(
        e.contains("panel.csv:6: column `adopted`: `someday` is not a cohort"),
        "{e}"
    );
    let e = refused(&good.replace("B,2,,1\n", ""), &[]);
    assert!(
        e.contains("1 place-period row is missing: `B` in 2.") && e.contains("--allow-unbalanced"),
        "{e}"
    );
    let e = refused(&good.replace("A,3,2,2", "A,3,3,2"), &[]);
    assert!(
        e.contains("panel.csv:4: column `adopted`: place `A` has cohort 3"),
        "{e}"
    );
    let always = good
        .replace("A,1,2,", "A,1,1,")
        .replace("A,2,2,", "A,2,1,")
        .replace("A,3,2,", "A,3,1,");
    let e = refused(&always, &[]);
    assert!(
        e.contains("place `A` adopts in period 1, at or before"),
        "{e}"
    );
    // Every problem of a file at once, each with its line.
    let e = refused(
        &good
            .replace("A,2,2,2", "A,2,2,x")
            .replace("B,3,,1", "B,x,,1"),
        &[],
    );
    assert!(
        e.contains("panel.csv:3:") && e.contains("panel.csv:7:"),
        "{e}"
    );
}

#[test]
fn what_the_estimators_cannot_do_is_refused_with_the_way_out() {
    // Every place adopts at once: no estimator has anything to compare with.
    let all_adopt = "city,year,adopted,innovation\nA,1,2,1\nA,2,2,2\nA,3,2,2\n\
                     B,1,2,1\nB,2,2,1\nB,3,2,3\n";
    let e = refused(all_adopt, &[]);
    assert!(e.contains("adopts at the same time"), "{e}");
    let e = refused(all_adopt, &["--leads", "0"]);
    assert!(e.contains("--leads: must be at least 1"), "{e}");
    let e = refused(all_adopt, &["--level", "95"]);
    assert!(e.contains("--level: 95 is not between 0 and 1"), "{e}");
    let dir = tempfile::tempdir().unwrap();
    cadre_sim()
        .arg("did")
        .arg(dir.path().join("nowhere.csv"))
        .args(COLUMNS)
        .assert()
        .code(2)
        .stderr(predicate::str::contains(
            "nowhere.csv: cannot read the panel",
        ));
}

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(name)
}

/// `did` on a Callaway–Sant'Anna fixture panel (columns place, time, cohort, y, x1, x2).
fn did_cs(panel: &Path, out: &Path, extra: &[&str]) -> assert_cmd::assert::Assert {
    cadre_sim()
        .arg("did")
        .arg(panel)
        .args([
            "--place",
            "place",
            "--time",
            "time",
            "--cohort",
            "cohort",
            "--outcome",
            "y",
            "--bootstrap",
            "0",
            "--out",
        ])
        .arg(out)
        .args(extra)
        .assert()
}

/// The overall (simple) effect csdid gave for one run of tests/fixtures/did_crosscheck_cs.json.
fn csdid_overall(key: &str) -> f64 {
    let text = std::fs::read_to_string(fixture("did_crosscheck_cs.json")).unwrap();
    let fixture: serde_json::Value = serde_json::from_str(&text).unwrap();
    let run = fixture["runs"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["key"] == key)
        .unwrap();
    run["rows"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["target"] == "overall")
        .unwrap()["estimate"]
        .as_f64()
        .unwrap()
}

#[test]
fn covariates_and_timing_flags_reach_callaway_sant_anna_as_csdid_reads_them() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("did");
    did_cs(
        &fixture("did_cs_panel.csv"),
        &out,
        &[
            "--covariates",
            "x1,x2",
            "--method",
            "ipw",
            "--control",
            "notyettreated",
            "--anticipation",
            "1",
            "--base-period",
            "universal",
            "--min-e",
            "-2",
        ],
    )
    .success()
    .stdout(predicate::str::contains("do not take covariates"));
    let rows = rows(&out);
    // Only Callaway–Sant'Anna: the regressions take no covariates.
    assert!(rows.iter().all(|r| &r[0] == "cs"), "{rows:?}");
    let value: f64 = overall(&rows, "cs")[6].parse().unwrap();
    let want = csdid_overall("balanced:cov:ipw:notyettreated:ant1:universal");
    assert!((value - want).abs() < 1e-6, "{value} vs csdid {want}");
    // --min-e -2 cuts the event times.
    assert!(
        rows.iter()
            .filter(|r| &r[2] == "event_time")
            .all(|r| r[5].parse::<i64>().unwrap() >= -2)
    );
}

#[test]
fn an_unbalanced_panel_is_listed_in_full_then_estimated_with_the_flag() {
    let panel = fixture("did_cs_unbalanced.csv");
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("did");
    let assert = did_cs(&panel, &out, &[]).code(2);
    let e = String::from_utf8(assert.get_output().stderr.clone()).unwrap();
    // 89 of the 1080 place-periods are missing: 20 named, the rest counted.
    assert!(
        e.contains("89 place-period rows are missing: `1` in ") && e.contains(", and 69 more."),
        "{e}"
    );
    assert!(e.contains("--allow-unbalanced keeps the panel"), "{e}");
    assert!(!out.exists());
    did_cs(
        &panel,
        &out,
        &["--covariates", "x1,x2", "--allow-unbalanced"],
    )
    .success()
    .stdout(predicate::str::contains("Callaway–Sant'Anna"));
    let value: f64 = overall(&rows(&out), "cs")[6].parse().unwrap();
    let want = csdid_overall("unbalanced:cov:dr:nevertreated:ant0:varying");
    assert!((value - want).abs() < 1e-6, "{value} vs csdid {want}");
}

#[test]
fn bad_covariates_are_refused_naming_line_column_and_value() {
    let good = "city,year,adopted,innovation,size\nA,1,2,1,3\nA,2,2,2,3\nA,3,2,2,3\n\
                B,1,,1,4\nB,2,,1,4\nB,3,,1,4\n";
    let e = refused(good, &["--covariates", "size,region"]);
    assert!(
        e.contains("panel.csv:1: no column `region` (named by --covariates)"),
        "{e}"
    );
    let e = refused(
        &good.replace("B,2,,1,4", "B,2,,1,big"),
        &["--covariates", "size"],
    );
    assert!(
        e.contains("panel.csv:6: column `size`: `big` is not a finite number"),
        "{e}"
    );
    let e = refused(good, &["--covariates", "size,size"]);
    assert!(e.contains("--covariates: `size` is listed twice"), "{e}");
    let e = refused(good, &["--min-e", "2", "--max-e", "-1"]);
    assert!(e.contains("--min-e: 2 is after --max-e -1"), "{e}");
}
