//! Callaway–Sant'Anna's options on small panels whose answers are known by construction.

use super::*;
use crate::did::{Method, Row};

/// 40 places over periods 1..=8: cohorts 4 and 6 (10 places each) and 20 never treated, a
/// covariate x (spread over [−1, 1], its distribution differing by cohort) whose places'
/// outcomes trend by x per period, and an effect of 0.7 from adoption on. Noiseless, so
/// conditional parallel trends hold exactly and unconditional ones fail.
fn covariate_panel() -> Panel {
    let mut rows = Vec::new();
    let mut values = Vec::new();
    for p in 0..40u32 {
        let cohort = match p % 4 {
            0 => Some(4),
            1 => Some(6),
            _ => None,
        };
        // Treated places lean to higher x, so their trend is steeper.
        let x = f64::from(p % 10) / 4.5 - 1.0 + if cohort.is_some() { 0.3 } else { 0.0 };
        for t in 1..=8i64 {
            let effect = if cohort.is_some_and(|g| t >= g) {
                0.7
            } else {
                0.0
            };
            rows.push(Row {
                place: p,
                time: t,
                cohort,
                y: 2.0 * x + x * t as f64 + 0.2 * t as f64 + effect,
            });
            values.push(vec![x]);
        }
    }
    Panel::build(rows, vec!["x".into()], values, false).unwrap()
}

fn analytic() -> Options {
    Options {
        bootstrap: 0,
        ..Options::default()
    }
}

fn overall(all: &[Estimate]) -> f64 {
    all.iter()
        .find(|e| e.target == Target::Overall)
        .unwrap()
        .value
}

#[test]
fn covariates_restore_parallel_trends_that_hold_only_given_them() {
    let panel = covariate_panel();
    // Dropping the covariate: the treated places' steeper trend counts as effect.
    let rows: Vec<Row> = (0..panel.n_places())
        .flat_map(|p| {
            let panel = &panel;
            (0..panel.n_times()).map(move |t| Row {
                place: panel.places()[p],
                time: panel.times()[t],
                cohort: panel.cohort(p),
                y: panel.y(p, t),
            })
        })
        .collect();
    let plain = callaway_sant_anna(&Panel::new(rows).unwrap(), &analytic()).unwrap();
    assert!(overall(&plain) > 0.8, "{}", overall(&plain));
    // Outcome regression and doubly robust: exact on a noiseless linear trend.
    for method in [Method::Regression, Method::DoublyRobust] {
        let all = callaway_sant_anna(
            &panel,
            &Options {
                method,
                ..analytic()
            },
        )
        .unwrap();
        for e in &all {
            let Target::GroupTime { group, time } = e.target else {
                continue;
            };
            let want = if time >= group { 0.7 } else { 0.0 };
            assert!(
                (e.value - want).abs() < 1e-9,
                "{method:?} {group} {time}: {}",
                e.value
            );
        }
        assert!((overall(&all) - 0.7).abs() < 1e-9);
    }
    // IPW reweights the comparison places to the cohort's x: close, not exact.
    let ipw = callaway_sant_anna(
        &panel,
        &Options {
            method: Method::Ipw,
            ..analytic()
        },
    )
    .unwrap();
    assert!((overall(&ipw) - 0.7).abs() < (overall(&plain) - 0.7).abs());
}

#[test]
fn the_universal_base_period_is_zero_against_itself_and_anticipation_moves_it() {
    let panel = covariate_panel();
    let opts = Options {
        base_period: BasePeriod::Universal,
        method: Method::Regression,
        ..analytic()
    };
    let all = callaway_sant_anna(&panel, &opts).unwrap();
    let cell = |all: &[Estimate], group: i64, time: i64| {
        all.iter()
            .find(|e| e.target == Target::GroupTime { group, time })
            .cloned()
    };
    let base = cell(&all, 4, 3).unwrap();
    assert_eq!((base.value, base.se), (0.0, 0.0));
    // Universal: period 1 is estimated too (against the base 3).
    assert!(cell(&all, 4, 1).is_some());
    // Anticipation 1: cohort 4's base is period 2, and period 3 is estimated against it.
    let all = callaway_sant_anna(
        &panel,
        &Options {
            anticipation: 1,
            ..opts.clone()
        },
    )
    .unwrap();
    assert_eq!(cell(&all, 4, 2).unwrap().value, 0.0);
    assert!(cell(&all, 4, 3).unwrap().value.abs() < 1e-9);
    // A cohort adopting right after the first period has no unaffected period then.
    let e = callaway_sant_anna(
        &panel,
        &Options {
            anticipation: 3,
            ..opts
        },
    )
    .unwrap_err();
    assert!(
        e.to_string().contains("cohort 4 has no period before 1"),
        "{e}"
    );
}

#[test]
fn balance_e_keeps_only_cohorts_seen_long_enough_and_the_window_cuts_event_times() {
    let panel = covariate_panel();
    let events = |opts: &Options| -> Vec<i64> {
        callaway_sant_anna(&panel, opts)
            .unwrap()
            .iter()
            .filter_map(|e| match e.target {
                Target::EventTime(k) => Some(k),
                _ => None,
            })
            .collect()
    };
    assert_eq!(events(&analytic()), (-4..=4).collect::<Vec<_>>());
    // Cohort 6 is seen 2 periods after adoption, cohort 4 four: balance_e = 3 keeps cohort 4.
    let balanced = Options {
        balance_e: Some(3),
        ..analytic()
    };
    // Event times from 3 − (8 − 1) = −4 to 3, all from cohort 4 (−2 is its first pre cell).
    assert_eq!(events(&balanced), (-2..=3).collect::<Vec<_>>());
    let windowed = Options {
        min_e: Some(-1),
        max_e: Some(2),
        ..analytic()
    };
    assert_eq!(events(&windowed), vec![-1, 0, 1, 2]);
    let empty = Options {
        min_e: Some(-3),
        max_e: Some(-2),
        ..analytic()
    };
    assert!(callaway_sant_anna(&panel, &empty).is_err());
}

#[test]
fn a_covariate_that_separates_the_cohort_is_refused_naming_the_cell() {
    let mut rows = Vec::new();
    let mut values = Vec::new();
    for p in 0..12u32 {
        let cohort = (p < 4).then_some(3);
        for t in 1..=4i64 {
            rows.push(Row {
                place: p,
                time: t,
                cohort,
                y: f64::from(p) + t as f64,
            });
            // x is 1 exactly for the cohort: no overlap.
            values.push(vec![if cohort.is_some() { 1.0 } else { 0.0 }]);
        }
    }
    let panel = Panel::build(rows, vec!["x".into()], values, false).unwrap();
    let e = callaway_sant_anna(&panel, &analytic()).unwrap_err();
    let shown = e.to_string();
    assert!(shown.contains("cohort 3 in period"), "{shown}");
    assert!(
        shown.contains("singular") || shown.contains("separates"),
        "{shown}"
    );
}

#[test]
fn an_unbalanced_panel_runs_from_the_rows_it_has() {
    let full = covariate_panel();
    let mut rows = Vec::new();
    let mut values = Vec::new();
    for p in 0..full.n_places() {
        for t in 0..full.n_times() {
            // Every fifth place misses period 5.
            if p % 5 == 0 && t == 4 {
                continue;
            }
            rows.push(Row {
                place: full.places()[p],
                time: full.times()[t],
                cohort: full.cohort(p),
                y: full.y(p, t),
            });
            values.push(full.x(p, t).to_vec());
        }
    }
    let refused = Panel::build(rows.clone(), vec!["x".into()], values.clone(), false);
    assert!(matches!(
        refused,
        Err(crate::did::PanelError::Missing { total: 8, .. })
    ));
    let panel = Panel::build(rows, vec!["x".into()], values, true).unwrap();
    assert!(!panel.is_balanced());
    // Doubly robust on rows (its outcome regressions for cohort and comparison in both
    // periods are exact here): the missing rows change nothing.
    let all = callaway_sant_anna(&panel, &analytic()).unwrap();
    assert!((overall(&all) - 0.7).abs() < 1e-9, "{}", overall(&all));
    // The regressions refuse it.
    assert!(matches!(
        crate::did::twfe(&panel, &analytic()),
        Err(DidError::Unbalanced { .. })
    ));
}
