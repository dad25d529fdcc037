//! Sun & Abraham (2021), "Estimating dynamic treatment effects in event studies with
//! heterogeneous treatment effects", *J. Econometrics* 225(2): 175–199: the
//! interaction-weighted (IW) estimator.
//!
//! Follows fixest's `sunab` (and pyfixest's saturated event study): one regression of the
//! outcome on place and period fixed effects and a dummy for every treated cohort × event time
//! except event time −1 (no binning), with the control cohort's places (never treated; if no
//! place is, the last cohort to adopt, with the periods from its adoption on dropped, as the
//! paper prescribes) having no dummies. The cohort-specific effects δ_{g,e} are then averaged
//! at each event time e with weights equal to each cohort's share of the places among the
//! cohorts observed at e; SEs by the delta method with the weights held fixed, from the CR1
//! covariance clustered by place (as `sunab`'s aggregation does; see [`super::ols`]).
//! Overall: the plain average of the event-time effects at e ≥ 0 (as `did`'s dynamic overall;
//! fixest's `att = TRUE` weights cells by observations instead).

use super::estimand::{self, Cell};
use super::ols;
use super::twfe::from_fit;
use super::{Control, DidError, Estimate, Estimator, Options, Panel, Target};

/// The Sun–Abraham estimates: each cohort × event time δ_{g,e} (as
/// [`Target::GroupTime`]), the IW event-time effects, then [`Target::Overall`].
pub fn sun_abraham(panel: &Panel, opts: &Options) -> Result<Vec<Estimate>, DidError> {
    let estimator = Estimator::SunAbraham;
    opts.check()?;
    super::check_regression_panel(panel, estimator)?;
    if panel.n_places() < 2 {
        return Err(DidError::TooFewPlaces {
            estimator,
            places: panel.n_places(),
        });
    }
    let sizes = panel.cohort_sizes();
    let Some(&(last, _)) = sizes.last() else {
        return Err(DidError::NoTreated { estimator });
    };
    let (work, control) = if panel.has_never_treated() {
        (panel.clone(), Control::NeverTreated)
    } else {
        (panel.before(last), Control::LastTreated)
    };
    let sizes = work.cohort_sizes();
    if sizes.is_empty() || work.n_times() < 2 {
        return Err(DidError::NoComparison { estimator });
    }
    // Columns: (cohort, event time) cells, sorted.
    let mut cells_used: Vec<(i64, i64)> = Vec::new();
    for &(g, _) in &sizes {
        for &t in work.times() {
            if t - g != -1 {
                cells_used.push((g, t - g));
            }
        }
    }
    let column = |g: i64, e: i64| cells_used.binary_search(&(g, e)).ok();
    let cells: Vec<Option<usize>> = (0..work.n_places())
        .flat_map(|p| {
            let work = &work;
            work.times()
                .iter()
                .map(move |&t| work.cohort(p).and_then(|g| column(g, t - g)))
        })
        .collect();
    let k = cells_used.len();
    let fit = ols::fit(&work, &cells, k);
    let size_of = |g: i64| super::twfe::size_of(&sizes, g);
    let with_control = |mut e: Estimate| {
        e.control = Some(control);
        e
    };

    let mut out = Vec::new();
    for (j, &(g, e)) in cells_used.iter().enumerate() {
        if fit.kept(j) {
            let mut w = vec![0.0; k];
            w[j] = 1.0;
            out.push(with_control(from_fit(
                estimator,
                Target::GroupTime {
                    group: g,
                    time: g + e,
                },
                fit.combine(&w),
                &fit,
                opts.level,
                estimand::normalised([((g, g + e), 1.0)]),
            )));
        }
    }
    let mut events: Vec<i64> = cells_used.iter().map(|c| c.1).collect();
    events.sort_unstable();
    events.dedup();
    let mut overall = vec![0.0; k];
    let mut post = 0usize;
    let mut post_estimands: Vec<Vec<Cell>> = Vec::new();
    for &e in &events {
        let mut w = vec![0.0; k];
        for (j, &(g, ce)) in cells_used.iter().enumerate() {
            if ce == e && fit.kept(j) {
                w[j] = size_of(g);
            }
        }
        let total: f64 = w.iter().sum();
        if total == 0.0 {
            continue;
        }
        for x in &mut w {
            *x /= total;
        }
        // The cohorts observed at e, weighted by their share of the places, as the IW
        // weights: the cells (g, g + e) the regression estimated there.
        let cells = estimand::normalised(
            cells_used
                .iter()
                .zip(&w)
                .filter(|(_, x)| **x > 0.0)
                .map(|(&(g, ce), x)| ((g, g + ce), *x)),
        );
        out.push(with_control(from_fit(
            estimator,
            Target::EventTime(e),
            fit.combine(&w),
            &fit,
            opts.level,
            cells.clone(),
        )));
        if e >= 0 {
            post_estimands.push(cells);
            post += 1;
            for (o, x) in overall.iter_mut().zip(&w) {
                *o += x;
            }
        }
    }
    if post == 0 {
        return Err(DidError::NoComparison { estimator });
    }
    for o in &mut overall {
        *o /= post as f64;
    }
    out.push(with_control(from_fit(
        estimator,
        Target::Overall,
        fit.combine(&overall),
        &fit,
        opts.level,
        estimand::mix(post_estimands.iter().map(|c| (c.as_slice(), 1.0))),
    )));
    Ok(out)
}
