//! The imputation estimator and the pre-trend test against established implementations: the
//! numbers pyfixest 0.60's `did2s` and csdid 0.4.3's Wald pre-test gave on the same panels
//! (tests/fixtures/did_imputation.json, written by
//! tools/did-crosscheck/imputation_crosscheck.py, which says how to rerun it; versions and date
//! are in the file). Point estimates, the Wald statistic and its p-value agree to 1e-6.

use cadre_sim::did::file::{Columns, parse_panel};
use cadre_sim::did::pretrend::pretrend;
use cadre_sim::did::{Control, Options, Panel, Target, imputation};
use serde_json::Value;

const FIXTURES: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures");

fn panel(name: &str) -> Panel {
    let path = format!("{FIXTURES}/{name}");
    let text = std::fs::read_to_string(&path).unwrap();
    let columns = Columns {
        place: "place".into(),
        time: "time".into(),
        cohort: "cohort".into(),
        outcome: "y".into(),
    };
    parse_panel(&text, &path, &columns).unwrap().panel
}

fn fixture() -> Value {
    let text = std::fs::read_to_string(format!("{FIXTURES}/did_imputation.json")).unwrap();
    serde_json::from_str(&text).unwrap()
}

fn close(a: f64, b: f64, tol: f64) -> bool {
    (a - b).abs() <= tol * b.abs().max(1.0)
}

#[test]
fn imputation_point_estimates_equal_pyfixest_did2s() {
    let fixture = fixture();
    let rows = fixture["imputation"].as_array().unwrap();
    let mut compared = 0;
    let mut largest: f64 = 0.0;
    let mut panels: Vec<&str> = rows.iter().map(|r| r["panel"].as_str().unwrap()).collect();
    panels.dedup();
    assert_eq!(panels.len(), 3);
    for name in panels {
        let ours = imputation(&panel(name), &Options::default()).unwrap();
        let theirs: Vec<&Value> = rows.iter().filter(|r| r["panel"] == name).collect();
        // Every estimate of ours has its did2s number, and the other way round.
        assert_eq!(ours.len(), theirs.len(), "{name}");
        for r in theirs {
            let target = match r["target"].as_str().unwrap() {
                "overall" => Target::Overall,
                _ => Target::EventTime(r["event_time"].as_i64().unwrap()),
            };
            let e = ours
                .iter()
                .find(|e| e.target == target)
                .unwrap_or_else(|| panic!("{name}: no {target:?}"));
            let want = r["estimate"].as_f64().unwrap();
            assert!(
                close(e.value, want, 1e-6),
                "{name} {target:?}: {} vs {want}",
                e.value
            );
            largest = largest.max((e.value - want).abs());
            assert!(e.se > 0.0 && e.ci.0 < e.value && e.value < e.ci.1);
            compared += 1;
        }
    }
    assert_eq!(compared, rows.len());
    eprintln!("{compared} imputation estimates; largest difference from did2s {largest:.1e}");
}

#[test]
fn the_pretrend_test_equals_csdid() {
    let fixture = fixture();
    for r in fixture["pretrend"].as_array().unwrap() {
        let control = match r["control"].as_str().unwrap() {
            "nevertreated" => Control::NeverTreated,
            _ => Control::NotYetTreated,
        };
        let opts = Options {
            control,
            ..Options::default()
        };
        let t = pretrend(&panel(r["panel"].as_str().unwrap()), &opts).unwrap();
        assert_eq!(t.cells as u64, r["cells"].as_u64().unwrap());
        let (w, p) = (r["W"].as_f64().unwrap(), r["p_value"].as_f64().unwrap());
        assert!(
            close(t.statistic.unwrap(), w, 1e-6),
            "{control:?}: W {t:?} vs {w}"
        );
        // csdid rounds the p-value to 5 decimals, as R's did does.
        assert!(
            (t.p_value.unwrap() - p).abs() <= 5e-6,
            "{control:?}: p {t:?} vs {p}"
        );
    }
    // On the cross-check panel the 34 pre-adoption cells outnumber the 30 places: their
    // covariance is singular and, as in csdid, there is no statistic.
    let t = pretrend(&panel("did_crosscheck_panel.csv"), &Options::default()).unwrap();
    assert_eq!((t.cells, t.statistic), (34, None));
}
