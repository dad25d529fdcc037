//! `cadre-sim lesson` end to end: what the report's numbers compare is what its text names
//! (step 4 has its own comparisons, step 6 the same run before against after the mechanism
//! arrives), and a run too short to reach the event is refused with the reason.
//! Small runs (200 cadres, 4 replicates) keep the suite fast on two cores.

use assert_cmd::Command;

fn lesson(steps: &str, lang: &str) -> String {
    let dir = tempfile::tempdir().unwrap();
    Command::cargo_bin("cadre-sim")
        .unwrap()
        .env("FONTCONFIG_FILE", "/nonexistent")
        .args(["lesson", "-q", "--no-plots", "--lang", lang, "--out"])
        .arg(dir.path())
        .args(["--set", "cadres=200", "--replicates", "4", "--threads", "2"])
        .args(["--steps", steps])
        .assert()
        .success();
    std::fs::read_to_string(dir.path().join("report.html")).unwrap()
}

/// The text of the step whose heading starts with `title`, up to the next step.
fn step<'a>(html: &'a str, title: &str) -> &'a str {
    let start = html.find(&format!("<h2>{title}")).expect(title);
    let end = html[start..].find("</section>").unwrap();
    &html[start..start + end]
}

#[test]
fn each_step_quotes_the_comparison_it_names() {
    let html = lesson("25", "en");
    let two = step(&html, "2.");
    assert!(two.contains("Compared with Strict accountability, Nominal tolerance"));
    assert!(two.contains("detected honest failure") && !two.contains("{share}"));
    let four = step(&html, "4.");
    for baseline in ["Nominal tolerance", "Strict accountability"] {
        assert!(
            four.contains(&format!("Compared with {baseline}, Optimized path (O1–O5)")),
            "step 4 lacks the optimized path against {baseline}"
        );
    }
    assert!(!four.contains("Compared with Strict accountability, Nominal tolerance"));
    // Step 6: before (steps 10–19) against after the event (steps 20–24 of 25), not against
    // another scenario.
    let six = step(&html, "6.");
    assert!(!six.contains("Compared with"), "{six}");
    assert!(six.contains("In Mechanism introduced at step 20, initiative"));
    assert!(six.contains("steps 10–19, before the mechanism arrives,"));
    assert!(six.contains("steps 20–24"));
}

#[test]
fn a_run_that_ends_before_the_event_is_refused_with_the_reason() {
    let dir = tempfile::tempdir().unwrap();
    Command::cargo_bin("cadre-sim")
        .unwrap()
        .args(["lesson", "-q", "--no-plots", "--steps", "15", "--out"])
        .arg(dir.path().join("out"))
        .assert()
        .failure()
        .stderr(predicates::str::contains(
            "scenario 'mechanism_introduced': an event at step 20 lies beyond the run",
        ));
}
