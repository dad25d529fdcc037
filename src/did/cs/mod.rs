//! Callaway & Sant'Anna (2021), "Difference-in-differences with multiple time periods",
//! *J. Econometrics* 225(2): 200–230: group-time average treatment effects ATT(g,t) and their
//! aggregations.
//!
//! Follows the R package `did` (2.x) and its Python port `csdid` (0.4), whose numbers
//! `tests/did_crosscheck.rs` compares to 1e-6: `att_gt(..., xformla, est_method,
//! control_group, anticipation, base_period, allow_unbalanced_panel, bstrap = TRUE,
//! cband = TRUE, biters)` then `aggte(type = "simple" | "dynamic" | "group" | "calendar",
//! balance_e, min_e, max_e)`:
//!
//! - ATT(g,t) for every treated cohort g and every period t (but the first, with the varying
//!   base period): cohort g's change of outcome from the base period to t against the
//!   comparison places' change. With anticipation K the last unaffected period of cohort g is
//!   g − 1 − K. Base period: that period for t ≥ g − K; for earlier t the period before t
//!   ([`BasePeriod::Varying`]: one-period placebo changes) or again g − 1 − K
//!   ([`BasePeriod::Universal`]; the cell t = g − 1 − K is then 0 by construction and
//!   reported as such). Comparison: never-treated places, or places not yet treated by
//!   max(t, base) + K (never-treated included, cohort g itself excluded). With not-yet-treated
//!   and no never-treated place, the periods from the last cohort's adoption − K on are
//!   dropped and that cohort serves as never treated, as `did` does. A cell with no cohort or
//!   no comparison place is skipped.
//! - The 2×2 estimator of a cell ([`twobytwo`]): without covariates the difference of mean
//!   changes; with covariates (taken, for each place, from the earlier of the two periods, as
//!   `did` does) `did`'s doubly robust (DRDID's `drdid_panel`), IPW (`std_ipw_did_panel`) or
//!   outcome-regression (`reg_did_panel`) estimator, by [`Options::method`]. On an unbalanced
//!   panel, the repeated-cross-section forms (`drdid_rc`, `std_ipw_did_rc`, `reg_did_rc`) on
//!   the rows observed in the two periods, each row with its own period's covariates, as
//!   `did` with `allow_unbalanced_panel = TRUE`.
//! - Each estimate's influence function over places: the 2×2 estimator's, scaled by n/n₁
//!   (n places, n₁ places, or rows, in the cell) and, on an unbalanced panel, summed over a
//!   place's rows; aggregations combine them as `aggte` does ([`aggregate`]).
//! - Aggregations: simple (post-adoption cells, t ≥ g, weighted by cohort size: the headline
//!   [`Target::Overall`]); dynamic (each event time, cells weighted by cohort size; overall =
//!   plain mean over e ≥ 0; `balance_e`, `min_e`, `max_e` as `aggte`); group (each cohort's
//!   plain mean over its post periods; overall weighted by cohort size); calendar (each
//!   period's cohorts treated by then, weighted by size; overall = plain mean over periods).
//! - Inference ([`infer`]): the multiplier bootstrap of `did::mboot`, clustered by place (one
//!   multiplier per place): Mammen's two-point weights, B draws, SE = bootstrap
//!   interquartile range / (z₀.₇₅ − z₀.₂₅) / √n, uniform band critical value = the (1 − α)
//!   quantile (R's type 1) of the largest |t| over the family, never below the pointwise z.
//!   One set of multipliers, drawn from `seed` in a fixed order, serves every estimate, so
//!   results are identical on any thread count (`did` draws anew for each; only Monte Carlo
//!   error differs). With B = 0 the analytic SE `sqrt(Σψ²)/n` and no band, as
//!   `bstrap = FALSE`.
//!
//! Families for the bands: all ATT(g,t) (pre and post, as `did`), all event times, all
//! groups, all calendar periods; the overall effects have no band.

mod aggregate;
mod infer;
pub mod twobytwo;

pub use infer::mammen_multipliers;

use nalgebra::DMatrix;

use super::{BasePeriod, Control, DidError, Estimate, Estimator, Options, Panel, Target};
use twobytwo::CellData;

/// One estimate before inference: what, its value, and its influence function over places.
struct Piece {
    target: Target,
    value: f64,
    inf: Vec<f64>,
    /// Which band family it belongs to (None: no band).
    family: Option<usize>,
    /// The cells and weights it averages (see [`super::estimand`]).
    estimand: Vec<super::Cell>,
}

/// ATT(g,t) cells: (group, time, att, influence function).
struct AttCell {
    group: i64,
    time: i64,
    att: f64,
    inf: Vec<f64>,
}

/// Band families.
const GT: usize = 0;
const DYNAMIC: usize = 1;
const GROUP: usize = 2;
const CALENDAR: usize = 3;

/// The Callaway–Sant'Anna estimates: every ATT(g,t), then the dynamic (event-time), group
/// and calendar aggregations, then the overall effects ([`Target::Overall`] = simple, then
/// dynamic, group and calendar).
pub fn callaway_sant_anna(panel: &Panel, opts: &Options) -> Result<Vec<Estimate>, DidError> {
    let estimator = Estimator::CallawaySantAnna;
    opts.check()?;
    if panel.n_places() < 2 {
        return Err(DidError::TooFewPlaces {
            estimator,
            places: panel.n_places(),
        });
    }
    let Some(&(last, _)) = panel.cohort_sizes().last() else {
        return Err(DidError::NoTreated { estimator });
    };
    let k = i64::from(opts.anticipation);
    let first = panel.times()[0];
    // With anticipation K, a cohort needs a period before g − K.
    if let Some(&(g, _)) = panel.cohort_sizes().iter().find(|(g, _)| *g <= first + k) {
        return Err(DidError::BadOption {
            option: "anticipation",
            message: format!(
                "with anticipation {k}, cohort {g} has no period before {} (the panel starts \
                 in {first}), so nothing is unaffected to compare with; drop its places or \
                 lower the anticipation",
                g - k
            ),
        });
    }
    let work = match (opts.control, panel.has_never_treated()) {
        (_, true) => panel.clone(),
        (Control::NeverTreated, false) => return Err(DidError::NoNeverTreated { estimator }),
        (_, false) => panel.cut(last - k, last),
    };
    if work.cohort_sizes().is_empty() || work.n_times() < 2 {
        return Err(DidError::NoComparison { estimator });
    }
    let cells = group_time(&work, opts)?;
    // Every aggregation needs a post-adoption cell (there always is one when some place is
    // never treated in `work`, which the choices above ensure).
    if !cells.iter().any(|c| c.time >= c.group) {
        return Err(DidError::NoComparison { estimator });
    }
    let pieces = aggregate::aggregate(&work, &cells, opts)?;
    Ok(infer::infer(&pieces, work.n_places(), opts)
        .into_iter()
        .map(|mut e| {
            e.control = Some(opts.control);
            e
        })
        .collect())
}

/// Every ATT(g,t) with its influence function.
fn group_time(panel: &Panel, opts: &Options) -> Result<Vec<AttCell>, DidError> {
    let n = panel.n_places();
    let times = panel.times();
    let first = times[0];
    let k = i64::from(opts.anticipation);
    let universal = opts.base_period == BasePeriod::Universal;
    let plain = panel.covariates().is_empty() && panel.is_balanced();
    let mut cells = Vec::new();
    for (g, _) in panel.cohort_sizes() {
        // The last period unaffected by adoption (or its anticipation).
        let unaffected = times
            .iter()
            .copied()
            .filter(|&t| t + k < g)
            .max()
            .expect("cohorts after the first period + anticipation");
        for &t in times.iter().skip(usize::from(!universal)) {
            let base = if universal || g - k <= t {
                unaffected
            } else {
                t - 1
            };
            if base == t {
                // The universal base period against itself: 0 by construction, as `did`.
                cells.push(AttCell {
                    group: g,
                    time: t,
                    att: 0.0,
                    inf: vec![0.0; n],
                });
                continue;
            }
            let (ti, bi) = ((t - first) as usize, (base - first) as usize);
            let in_cohort = |p: usize| panel.cohort(p) == Some(g);
            let in_control = |p: usize| match (opts.control, panel.cohort(p)) {
                (_, None) => true,
                (Control::NotYetTreated, Some(c)) => c > t.max(base) + k && c != g,
                _ => false,
            };
            let cell = if plain {
                difference_of_means(panel, ti, bi, &in_cohort, &in_control)
            } else {
                let data = CellData::gather(panel, ti, bi, &in_cohort, &in_control);
                data.estimate(opts.method)
                    .map_err(|why| DidError::Cell {
                        estimator: Estimator::CallawaySantAnna,
                        group: g,
                        time: t,
                        why,
                    })?
                    .map(|(att, inf)| (att, data.spread(&inf, n)))
            };
            if let Some((att, inf)) = cell {
                cells.push(AttCell {
                    group: g,
                    time: t,
                    att,
                    inf,
                });
            }
        }
    }
    Ok(cells)
}

/// The balanced panel without covariates: the difference of mean changes, with the
/// influence function `(n/n_g)(ΔY_i − m_g)` for the cohort's places and `−(n/n_C)(ΔY_i −
/// m_C)` for the comparison places (what every 2×2 estimator reduces to with an intercept
/// only). None when the cohort or the comparison is empty.
fn difference_of_means(
    panel: &Panel,
    ti: usize,
    bi: usize,
    in_cohort: &dyn Fn(usize) -> bool,
    in_control: &dyn Fn(usize) -> bool,
) -> Option<(f64, Vec<f64>)> {
    let n = panel.n_places();
    let delta = |p: usize| panel.y(p, ti) - panel.y(p, bi);
    let (mut n1, mut s1, mut n0, mut s0) = (0usize, 0.0, 0usize, 0.0);
    for p in 0..n {
        if in_cohort(p) {
            n1 += 1;
            s1 += delta(p);
        } else if in_control(p) {
            n0 += 1;
            s0 += delta(p);
        }
    }
    if n0 == 0 || n1 == 0 {
        return None;
    }
    let (m1, m0) = (s1 / n1 as f64, s0 / n0 as f64);
    let inf = (0..n)
        .map(|p| {
            if in_cohort(p) {
                n as f64 / n1 as f64 * (delta(p) - m1)
            } else if in_control(p) {
                -(n as f64) / n0 as f64 * (delta(p) - m0)
            } else {
                0.0
            }
        })
        .collect();
    Some((m1 - m0, inf))
}

/// `rows × k` design matrix from rows of covariates, with an intercept first.
fn design(rows: &[&[f64]]) -> DMatrix<f64> {
    let k = rows.first().map_or(0, |r| r.len()) + 1;
    DMatrix::from_fn(
        rows.len(),
        k,
        |i, j| if j == 0 { 1.0 } else { rows[i][j - 1] },
    )
}

#[cfg(test)]
mod tests;
