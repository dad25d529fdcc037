//! Each estimator's truth against a hand computation, on panels whose true effects τ(g,t)
//! are known exactly and differ by cohort and by event time.

use super::assess::{ReplicateEstimates, TruthKey};
use super::panel::{Outcome, Outcomes, PlaceInfo, ReplicatePanel};
use crate::did::{Control, Estimator, Options, Target};

/// The known effect of cohort g at step t: grows with time since adoption, differs by cohort,
/// and is 0 before adoption.
fn tau(g: u32, t: u32) -> f64 {
    if t < g {
        0.0
    } else {
        0.01 * g as f64 + 0.003 * (t - g) as f64 + 0.0001 * (t * t) as f64
    }
}

/// A panel of `cohorts` (one entry per place; None: never adopts) over `steps`, whose
/// untreated outcome is arbitrary noise and whose observed outcome adds `tau`.
fn panel(cohorts: &[Option<u32>], steps: u32) -> ReplicatePanel {
    let mut observed = Vec::new();
    let mut untreated = Vec::new();
    for (p, cohort) in cohorts.iter().enumerate() {
        for t in 0..steps {
            let mut y0: Outcomes = [0.0; 7];
            let noise =
                crate::model::rng::splitmix64((p as u64) << 20 | t as u64) as f64 / u64::MAX as f64;
            y0[Outcome::Initiative.index()] = 0.3 + 0.1 * noise + 0.002 * t as f64;
            let mut y1 = y0;
            y1[Outcome::Initiative.index()] += cohort.map_or(0.0, |g| tau(g, t));
            observed.push(y1);
            untreated.push(y0);
        }
    }
    ReplicatePanel {
        places: cohorts
            .iter()
            .map(|&cohort| PlaceInfo {
                cohort,
                strength: 1.0,
                leniency: 0.0,
            })
            .collect(),
        steps,
        observed,
        untreated,
    }
}

fn options(control: Control) -> Options {
    Options {
        control,
        leads: 3,
        lags: 4,
        bootstrap: 0,
        ..Options::default()
    }
}

/// The truth reported for `estimator`'s `target`.
fn truth(r: &ReplicateEstimates, estimator: Estimator, target: Target) -> f64 {
    r.estimates
        .iter()
        .find(|(e, _)| e.estimator == estimator && e.target == target)
        .unwrap_or_else(|| panic!("{estimator:?} {target:?} estimated"))
        .1
}

/// The mean of τ over the place-steps for which `keep(g, t)` holds.
fn mean_over(cohorts: &[Option<u32>], steps: u32, keep: impl Fn(u32, u32) -> bool) -> f64 {
    let mut cells = Vec::new();
    for &g in cohorts.iter().flatten() {
        cells.extend((0..steps).filter(|&t| keep(g, t)).map(|t| tau(g, t)));
    }
    cells.iter().sum::<f64>() / cells.len() as f64
}

fn close(a: f64, b: f64) {
    assert!((a - b).abs() < 1e-12, "{a} vs {b}");
}

/// Two cohorts of different sizes (steps 3 and 6) and a never-treated group.
const WITH_NEVER: [Option<u32>; 7] = [Some(3), Some(3), Some(3), Some(6), Some(6), None, None];
/// Every place adopts: steps 2, 5 and 8.
const ALL_ADOPT: [Option<u32>; 6] = [Some(2), Some(2), Some(5), Some(5), Some(5), Some(8)];
const STEPS: u32 = 12;

#[test]
fn with_never_treated_places_every_estimator_targets_every_adopted_cell() {
    let p = panel(&WITH_NEVER, STEPS);
    let r = ReplicateEstimates::of(&p, Outcome::Initiative, &options(Control::NeverTreated));
    assert!(r.problem.is_none() && r.notes.is_empty(), "{r:?}");
    let policy = mean_over(&WITH_NEVER, STEPS, |g, t| t >= g);
    close(
        r.truth.iter().find(|k| k.0 == TruthKey::Overall).unwrap().1,
        policy,
    );
    close(truth(&r, Estimator::Twfe, Target::Overall), policy);
    close(
        truth(&r, Estimator::CallawaySantAnna, Target::Overall),
        policy,
    );
    // CS's group aggregation: each cohort's plain mean over its steps, by cohort size.
    let group = |g: u32| (g..STEPS).map(|t| tau(g, t)).sum::<f64>() / (STEPS - g) as f64;
    close(
        truth(&r, Estimator::CallawaySantAnna, Target::OverallGroup),
        (3.0 * group(3) + 2.0 * group(6)) / 5.0,
    );
    // An event time: the cohorts observed then, by size; e = 7 only cohort 3 is.
    let at = |e: u32| (3.0 * tau(3, 3 + e) + 2.0 * tau(6, 6 + e)) / 5.0;
    close(
        truth(&r, Estimator::SunAbraham, Target::EventTime(2)),
        at(2),
    );
    close(
        truth(&r, Estimator::CallawaySantAnna, Target::EventTime(2)),
        at(2),
    );
    close(
        truth(&r, Estimator::SunAbraham, Target::EventTime(7)),
        tau(3, 10),
    );
    // Sun–Abraham's overall: the plain mean over event times 0..=8.
    let sa: Vec<f64> = (0..=8)
        .map(|e| if 6 + e < STEPS { at(e) } else { tau(3, 3 + e) })
        .collect();
    close(
        truth(&r, Estimator::SunAbraham, Target::Overall),
        sa.iter().sum::<f64>() / sa.len() as f64,
    );
    // The TWFE event study's binned end (lags = 4): every place-step 4 or more after adoption.
    let binned = mean_over(&WITH_NEVER, STEPS, |g, t| t >= g + 4);
    close(
        truth(&r, Estimator::TwfeEventStudy, Target::EventTime(4)),
        binned,
    );
    // Its binned lead (leads = 3): every place-step 3 or more before adoption, where τ = 0.
    close(
        truth(&r, Estimator::TwfeEventStudy, Target::EventTime(-3)),
        0.0,
    );
    // Its overall: the plain mean of bins 0, 1, 2, 3 and "4 or more".
    let bins = [at(0), at(1), at(2), at(3), binned];
    close(
        truth(&r, Estimator::TwfeEventStudy, Target::Overall),
        bins.iter().sum::<f64>() / 5.0,
    );
}

#[test]
fn when_every_place_adopts_each_estimator_targets_the_cells_it_can_compare() {
    let p = panel(&ALL_ADOPT, STEPS);
    for control in [Control::NeverTreated, Control::NotYetTreated] {
        let r = ReplicateEstimates::of(&p, Outcome::Initiative, &options(control));
        assert!(r.problem.is_none(), "{r:?}");
        // Every estimator has estimates, whatever the control asked for.
        for estimator in Estimator::ALL {
            truth(&r, estimator, Target::Overall);
        }
        let policy = mean_over(&ALL_ADOPT, STEPS, |g, t| t >= g);
        close(truth(&r, Estimator::Twfe, Target::Overall), policy);
        // Callaway–Sant'Anna with not-yet-treated controls: nothing is left to compare with
        // from the last adoption (step 8) on, and the last cohort never has a comparison.
        let cs = mean_over(&ALL_ADOPT, STEPS, |g, t| t >= g && t < 8 && g < 8);
        close(truth(&r, Estimator::CallawaySantAnna, Target::Overall), cs);
        assert!((cs - policy).abs() > 1e-3, "the two differ in this design");
        // Sun–Abraham: the last cohort is the control, periods from step 8 on are dropped.
        let at = |e: u32| {
            let cells: Vec<(f64, f64)> = [(2u32, 2.0), (5, 3.0)]
                .into_iter()
                .filter(|&(g, _)| g + e < 8)
                .map(|(g, n)| (tau(g, g + e), n))
                .collect();
            cells.iter().map(|(v, n)| v * n).sum::<f64>() / cells.iter().map(|c| c.1).sum::<f64>()
        };
        close(
            truth(&r, Estimator::SunAbraham, Target::EventTime(1)),
            at(1),
        );
        close(
            truth(&r, Estimator::SunAbraham, Target::EventTime(4)),
            at(4),
        );
        let sa = (0..=5).map(at).sum::<f64>() / 6.0;
        close(truth(&r, Estimator::SunAbraham, Target::Overall), sa);
        if control == Control::NeverTreated {
            assert_eq!(
                r.notes.len(),
                1,
                "the changed comparison group is said: {r:?}"
            );
            assert!(r.notes[0].contains("not yet treated"), "{r:?}");
        }
        let cs_control = r
            .estimates
            .iter()
            .find(|(e, _)| e.estimator == Estimator::CallawaySantAnna)
            .and_then(|(e, _)| e.control);
        assert_eq!(cs_control, Some(Control::NotYetTreated));
    }
}

#[test]
fn a_null_rollout_has_truths_of_exactly_zero() {
    let mut p = panel(&ALL_ADOPT, STEPS);
    p.observed = p.untreated.clone();
    let r = ReplicateEstimates::of(&p, Outcome::Initiative, &options(Control::NotYetTreated));
    assert!(!r.estimates.is_empty());
    for (e, t) in &r.estimates {
        assert_eq!(*t, 0.0, "{:?} {:?}", e.estimator, e.target);
    }
    assert!(r.truth.iter().all(|(_, v)| *v == 0.0));
}

#[test]
fn a_ratio_keeps_its_last_value_and_the_study_starts_once_every_place_has_one() {
    let mut p = panel(&WITH_NEVER, STEPS);
    let i = Outcome::ToleranceRate.index();
    for (k, (o, u)) in p.observed.iter_mut().zip(&mut p.untreated).enumerate() {
        let (place, t) = (k / STEPS as usize, k as u32 % STEPS);
        // Nothing decided anywhere at step 0, in place 2 until step 1, and in place 4 at 6.
        let missing = t == 0 || (place == 2 && t <= 1) || (place == 4 && t == 6);
        let value = if missing { f64::NAN } else { 0.1 * t as f64 };
        o[i] = value + if missing { 0.0 } else { 0.01 };
        u[i] = value;
    }
    let study = p.study_outcome(Outcome::ToleranceRate);
    assert_eq!(study.start, 2);
    // Place 4 keeps step 5's value at step 6, in both worlds; the start's gaps are not filled.
    assert_eq!(study.observed(4, 6), study.observed(4, 5));
    assert_eq!(study.filled, 2);
    let r = ReplicateEstimates::of(&p, Outcome::ToleranceRate, &options(Control::NeverTreated));
    assert!(r.problem.is_none() && !r.estimates.is_empty(), "{r:?}");
    assert_eq!(r.start, 2);
}
