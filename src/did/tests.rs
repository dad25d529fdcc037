//! The estimators on synthetic panels with known effects (seeded: every number is fixed).

use super::synth::{Design, Effect};
use super::*;

fn find(all: &[Estimate], estimator: Estimator, target: Target) -> &Estimate {
    all.iter()
        .find(|e| e.estimator == estimator && e.target == target)
        .unwrap_or_else(|| panic!("no {estimator:?} {target:?}"))
}

fn quiet(design: &Design) -> Design {
    Design {
        noise_sd: 0.0,
        ..design.clone()
    }
}

fn fast() -> Options {
    Options {
        bootstrap: 199,
        ..Options::default()
    }
}

#[test]
fn a_constant_effect_on_a_noiseless_panel_is_recovered_by_every_estimator() {
    let design = quiet(&Design::staggered(Effect::Constant(0.7)));
    let panel = design.panel(3);
    for control in [Control::NeverTreated, Control::NotYetTreated] {
        let opts = Options { control, ..fast() };
        let all = estimate_all(&panel, &opts).unwrap().estimates;
        for estimator in Estimator::ALL {
            let overall = find(&all, estimator, Target::Overall);
            assert!(
                (overall.value - 0.7).abs() < 1e-9,
                "{estimator:?} {control:?}: {}",
                overall.value
            );
        }
        // Every event-time effect: 0.7 after adoption, 0 before.
        for e in all
            .iter()
            .filter(|e| matches!(e.target, Target::EventTime(_)))
        {
            let Target::EventTime(k) = e.target else {
                unreachable!()
            };
            let want = if k >= 0 { 0.7 } else { 0.0 };
            assert!(
                (e.value - want).abs() < 1e-9,
                "{:?} at {k}: {}",
                e.estimator,
                e.value
            );
        }
    }
}

#[test]
fn a_constant_effect_is_estimated_without_bias_on_noisy_panels() {
    let design = Design::staggered(Effect::Constant(0.5));
    let replicates = 40;
    let mut sums = [0.0f64; 4];
    let mut squares = [0.0f64; 4];
    for seed in 0..replicates {
        let all = estimate_all(
            &design.panel(seed),
            &Options {
                bootstrap: 49,
                ..Options::default()
            },
        )
        .unwrap()
        .estimates;
        for (k, estimator) in Estimator::ALL.iter().enumerate() {
            let v = find(&all, *estimator, Target::Overall).value;
            sums[k] += v;
            squares[k] += v * v;
        }
    }
    for (k, estimator) in Estimator::ALL.iter().enumerate() {
        let r = replicates as f64;
        let mean = sums[k] / r;
        let sd = (squares[k] / r - mean * mean).sqrt();
        // Within four standard errors of the mean of 40 estimates.
        let tolerance = 4.0 * sd / r.sqrt();
        assert!(
            (mean - 0.5).abs() < tolerance,
            "{estimator:?}: mean {mean:.4}, tolerance {tolerance:.4}"
        );
    }
}

#[test]
fn growing_effects_bias_static_twfe_down_and_cs_sa_recover_them() {
    // τ(e) = 0.2 + 0.1·e: by the last period the first cohort's effect is 3.2.
    let design = quiet(&Design::staggered(Effect::Growing {
        base: 0.2,
        slope: 0.1,
    }));
    let panel = design.panel(5);
    let all = estimate_all(&panel, &fast()).unwrap().estimates;
    // The true simple ATT: every treated place-period's effect, averaged.
    let (mut sum, mut n) = (0.0, 0.0);
    for &(g, size) in &design.cohorts {
        for t in g..=design.periods {
            sum += size as f64 * design.effect.at(t - g);
            n += size as f64;
        }
    }
    let truth = sum / n;
    let twfe = find(&all, Estimator::Twfe, Target::Overall).value;
    assert!(
        twfe < 0.75 * truth,
        "TWFE {twfe:.3} should understate the true ATT {truth:.3}: earlier adopters, whose \
         effects keep growing, serve as its controls"
    );
    let cs = find(&all, Estimator::CallawaySantAnna, Target::Overall).value;
    assert!((cs - truth).abs() < 1e-9, "CS simple {cs} vs {truth}");
    for e in -5..=25 {
        let want = design.true_event_effect(e);
        for estimator in [Estimator::CallawaySantAnna, Estimator::SunAbraham] {
            if estimator == Estimator::SunAbraham && e == -1 {
                continue; // its reference period
            }
            let got = find(&all, estimator, Target::EventTime(e)).value;
            assert!(
                (got - want).abs() < 1e-9,
                "{estimator:?} at e = {e}: {got} vs {want}"
            );
        }
    }
    // The TWFE event study's lags are contaminated too: its binned end is not the truth.
    let binned = find(&all, Estimator::TwfeEventStudy, Target::EventTime(10)).value;
    assert!((binned - design.true_event_effect(10)).abs() > 0.1);
}

#[test]
fn cs_aggregations_weight_cells_as_did_does() {
    // Effects differ by cohort (not by time): cohort g's effect is g/10.
    let design = quiet(&Design::staggered(Effect::Constant(0.0)));
    let base = design.panel(9);
    let rows: Vec<Row> = (0..base.n_places())
        .flat_map(|p| {
            let base = &base;
            base.times().iter().enumerate().map(move |(t, &time)| {
                let cohort = base.cohort(p);
                let effect = cohort
                    .filter(|&g| time >= g)
                    .map_or(0.0, |g| g as f64 / 10.0);
                Row {
                    place: base.places()[p],
                    time,
                    cohort,
                    y: base.y(p, t) + effect,
                }
            })
        })
        .collect();
    let panel = Panel::new(rows).unwrap();
    let all = callaway_sant_anna(&panel, &fast()).unwrap();
    let get = |t| find(&all, Estimator::CallawaySantAnna, t).value;
    for g in [10, 16, 22, 28] {
        assert!((get(Target::Group(g)) - g as f64 / 10.0).abs() < 1e-9);
    }
    // Calendar period 20: cohorts 10 and 16 (equal sizes) are treated.
    assert!((get(Target::Calendar(20)) - 1.3).abs() < 1e-9);
    // Group overall: equal cohort sizes, so the plain mean of 1.0, 1.6, 2.2, 2.8.
    assert!((get(Target::OverallGroup) - 1.9).abs() < 1e-9);
    // Simple: cells weighted by size, so cohorts with more post periods count more.
    let cells = [(10, 31.0), (16, 25.0), (22, 19.0), (28, 13.0)];
    let simple = cells.iter().map(|(g, k)| *g as f64 / 10.0 * k).sum::<f64>() / 88.0;
    assert!((get(Target::Overall) - simple).abs() < 1e-9);
}

#[test]
fn bootstrap_results_depend_only_on_the_seed() {
    let panel = Design::staggered(Effect::Constant(0.5)).panel(2);
    let a = callaway_sant_anna(&panel, &fast()).unwrap();
    let b = callaway_sant_anna(&panel, &fast()).unwrap();
    assert_eq!(a, b);
    let c = callaway_sant_anna(&panel, &Options { seed: 2, ..fast() }).unwrap();
    let se = |all: &[Estimate]| find(all, Estimator::CallawaySantAnna, Target::Overall).se;
    assert_ne!(se(&a), se(&c));
    // Bands are at least as wide as pointwise intervals, and cover them.
    for e in &a {
        if let Some((lo, hi)) = e.band {
            assert!(lo <= e.ci.0 + 1e-12 && hi >= e.ci.1 - 1e-12, "{e:?}");
        }
    }
}

#[test]
fn without_never_treated_places_the_estimators_say_what_they_compare_with() {
    let design = Design {
        never: 0,
        ..quiet(&Design::staggered(Effect::Constant(1.0)))
    };
    let panel = design.panel(1);
    let e = callaway_sant_anna(&panel, &fast()).unwrap_err();
    assert!(e.to_string().contains("notyettreated"), "{e}");
    let opts = Options {
        control: Control::NotYetTreated,
        ..fast()
    };
    let all = estimate_all(&panel, &opts).unwrap().estimates;
    let sa = find(&all, Estimator::SunAbraham, Target::Overall);
    assert_eq!(sa.control, Some(Control::LastTreated));
    assert!((sa.value - 1.0).abs() < 1e-9);
    // The last cohort (28) served as control: no estimate for it, none from period 28 on.
    assert!(!all.iter().any(|e| matches!(
        e.target,
        Target::Group(28) | Target::GroupTime { group: 28, .. } | Target::Calendar(28..)
    )));
}

#[test]
fn clustered_intervals_cover_the_truth_at_about_the_nominal_rate() {
    // 200 seeded panels with autocorrelated errors: the coverage of each estimator's 95% CI
    // of its overall effect. Fixed seeds make the figures fixed; the band allows for the
    // Monte Carlo error of 200 draws (SD 1.5 points) and the few-cluster distortion of 30
    // places. The full figures over 1000 panels: `cargo run --release --example did_coverage`.
    let design = Design::staggered(Effect::Constant(0.5));
    let opts = Options {
        bootstrap: 199,
        ..Options::default()
    };
    let replicates = 200;
    let mut covered = [0usize; 4];
    for seed in 0..replicates {
        let panel = design.panel(1000 + seed);
        let all = estimate_all(&panel, &opts).unwrap().estimates;
        for (k, estimator) in Estimator::ALL.iter().enumerate() {
            let e = find(&all, *estimator, Target::Overall);
            covered[k] += usize::from(e.ci.0 <= 0.5 && 0.5 <= e.ci.1);
        }
    }
    for (k, estimator) in Estimator::ALL.iter().enumerate() {
        let rate = covered[k] as f64 / replicates as f64;
        assert!(
            (0.89..=0.99).contains(&rate),
            "{estimator:?}: coverage {rate:.3}"
        );
    }
}
