//! Callaway & Sant'Anna (2021), "Difference-in-differences with multiple time periods",
//! *J. Econometrics* 225(2): 200–230: group-time average treatment effects ATT(g,t) and their
//! aggregations.
//!
//! Follows the R package `did` (2.x) with its defaults for a balanced panel without
//! covariates (`att_gt(..., control_group, base_period = "varying", bstrap = TRUE,
//! cband = TRUE, biters)` then `aggte(type = "simple" | "dynamic" | "group" | "calendar")`):
//!
//! - ATT(g,t) for every treated cohort g and every period t but the first: the mean change of
//!   cohort g's outcome from the base period to t, less the comparison places' mean change.
//!   Base period: g − 1 for t ≥ g; t − 1 for t < g (the "varying" base, so pre-periods are
//!   one-period placebo changes). Comparison: never-treated places, or places not yet treated
//!   by t (never-treated included, cohort g itself excluded). With not-yet-treated and no
//!   never-treated place, the periods from the last cohort's adoption on are dropped and that
//!   cohort serves as never treated, as `did` does. A cell with no comparison place is skipped.
//! - Each estimate's influence function over places, `ψ_i = (n/n_g)(ΔY_i − m_g)` for a place
//!   of cohort g and `−(n/n_C)(ΔY_i − m_C)` for a comparison place (DRDID's panel estimator
//!   without covariates); aggregations combine them as `aggte` does, including the term for
//!   estimating the cohort-size weights (`did`'s `wif`).
//! - Aggregations: simple (post-adoption cells weighted by cohort size: the headline
//!   [`Target::Overall`]); dynamic (each event time, cells weighted by cohort size; overall =
//!   plain mean over e ≥ 0); group (each cohort's plain mean over its post periods; overall
//!   weighted by cohort size); calendar (each period's cohorts treated by then, weighted by
//!   size; overall = plain mean over periods).
//! - Inference: the multiplier bootstrap of `did::mboot`, clustered by place (one multiplier
//!   per place): Mammen's two-point weights, B draws, SE = bootstrap interquartile range /
//!   (z₀.₇₅ − z₀.₂₅) / √n, uniform band critical value = the (1 − α) quantile (R's type 1) of
//!   the largest |t| over the family, never below the pointwise z. One set of multipliers,
//!   drawn from `seed` in a fixed order, serves every estimate, so results are identical on
//!   any thread count (`did` draws anew for each; only Monte Carlo error differs). With B = 0
//!   the analytic SE `sqrt(Σψ²)/n` and no band, as `bstrap = FALSE`.
//!
//! Families for the bands: all ATT(g,t) (pre and post, as `did`), all event times, all
//! groups, all calendar periods; the overall effects have no band.

use nalgebra::DMatrix;
use rand::SeedableRng;

use super::estimand::{self, Cell};
use super::{Control, DidError, Estimate, Estimator, Options, Panel, Target, normal_quantile};
use crate::model::rng::{Chance, SimRng};

/// One estimate before inference: what, its value, and its influence function over places.
struct Piece {
    target: Target,
    value: f64,
    inf: Vec<f64>,
    /// Which band family it belongs to (None: no band).
    family: Option<usize>,
    /// The cells and weights it averages (see [`super::estimand`]).
    estimand: Vec<Cell>,
}

/// ATT(g,t) cells: (group, time, att, influence function).
struct AttCell {
    group: i64,
    time: i64,
    att: f64,
    inf: Vec<f64>,
}

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
    let work = match (opts.control, panel.has_never_treated()) {
        (_, true) => panel.clone(),
        (Control::NeverTreated, false) => return Err(DidError::NoNeverTreated { estimator }),
        (_, false) => panel.before(last),
    };
    if work.cohort_sizes().is_empty() || work.n_times() < 2 {
        return Err(DidError::NoComparison { estimator });
    }
    let cells = group_time(&work, opts.control);
    // Every aggregation needs a post-adoption cell (there always is one when some place is
    // never treated in `work`, which the choices above ensure).
    if !cells.iter().any(|c| c.time >= c.group) {
        return Err(DidError::NoComparison { estimator });
    }
    let pieces = aggregate(&work, &cells);
    Ok(infer(&pieces, work.n_places(), opts)
        .into_iter()
        .map(|mut e| {
            e.control = Some(opts.control);
            e
        })
        .collect())
}

/// Every ATT(g,t) with its influence function.
fn group_time(panel: &Panel, control: Control) -> Vec<AttCell> {
    let n = panel.n_places();
    let times = panel.times();
    let first = times[0];
    let mut cells = Vec::new();
    for (g, _) in panel.cohort_sizes() {
        for (ti, &t) in times.iter().enumerate().skip(1) {
            let base = if t >= g { g - 1 } else { t - 1 };
            let bi = (base - first) as usize;
            let in_cohort = |p: usize| panel.cohort(p) == Some(g);
            let in_control = |p: usize| match (control, panel.cohort(p)) {
                (_, None) => true,
                (Control::NotYetTreated, Some(c)) => c > t.max(base) && c != g,
                _ => false,
            };
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
                continue;
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
            cells.push(AttCell {
                group: g,
                time: t,
                att: m1 - m0,
                inf,
            });
        }
    }
    cells
}

/// Σ_k w_k·x_k and the same combination of influence functions, weights normalised to 1,
/// plus `did`'s `wif` term when the weights are estimated cohort shares (`cohort_weights`).
fn combine(
    items: &[(i64, f64, &[f64])],
    weights: &[f64],
    cohort_weights: Option<&[Option<i64>]>,
) -> (f64, Vec<f64>) {
    let n = items[0].2.len();
    let total: f64 = weights.iter().sum();
    let mut value = 0.0;
    let mut inf = vec![0.0; n];
    for ((_, att, psi), w) in items.iter().zip(weights) {
        let w = w / total;
        value += w * att;
        for (a, b) in inf.iter_mut().zip(psi.iter()) {
            *a += w * b;
        }
    }
    if let Some(cohorts) = cohort_weights {
        // The weights are P(G = g_k)/Σ P(G = g_k'), with P estimated by cohort shares:
        // their influence on the aggregate (did's `wif`).
        for (i, c) in cohorts.iter().enumerate() {
            let dev: Vec<f64> = items
                .iter()
                .zip(weights)
                .map(|((g, _, _), pg)| f64::from(u8::from(*c == Some(*g))) - pg)
                .collect();
            let dev_sum: f64 = dev.iter().sum();
            inf[i] += items
                .iter()
                .zip(weights)
                .zip(&dev)
                .map(|(((_, att, _), pg), d)| (d / total - dev_sum * pg / (total * total)) * att)
                .sum::<f64>();
        }
    }
    (value, inf)
}

/// Band families.
const GT: usize = 0;
const DYNAMIC: usize = 1;
const GROUP: usize = 2;
const CALENDAR: usize = 3;

/// An aggregate: its value, influence function and estimand.
type Aggregate = (f64, Vec<f64>, Vec<Cell>);

/// The ATT(g,t) cells and `aggte`'s four aggregations, as pieces for inference.
fn aggregate(panel: &Panel, cells: &[AttCell]) -> Vec<Piece> {
    let n = panel.n_places() as f64;
    let share = |g: i64| panel.cohorts().iter().filter(|c| **c == Some(g)).count() as f64 / n;
    let cohorts = panel.cohorts();
    let mut pieces: Vec<Piece> = cells
        .iter()
        .map(|c| Piece {
            target: Target::GroupTime {
                group: c.group,
                time: c.time,
            },
            value: c.att,
            inf: c.inf.clone(),
            family: Some(GT),
            estimand: estimand::normalised([((c.group, c.time), 1.0)]),
        })
        .collect();
    // Cells weighted by cohort size: their estimand is those cells, by cohort size.
    let by_size = |chosen: Vec<&AttCell>| -> Aggregate {
        let items: Vec<(i64, f64, &[f64])> = chosen
            .iter()
            .map(|c| (c.group, c.att, c.inf.as_slice()))
            .collect();
        let weights: Vec<f64> = chosen.iter().map(|c| share(c.group)).collect();
        let (value, inf) = combine(&items, &weights, Some(cohorts));
        let cells = estimand::by_cohort_size(chosen.iter().map(|c| (c.group, c.time)), share);
        (value, inf, cells)
    };
    // A plain mean of aggregates: the plain mean of their estimands.
    let plain = |parts: &[&Aggregate]| -> Aggregate {
        let items: Vec<_> = parts.iter().map(|a| (0, a.0, a.1.as_slice())).collect();
        let (value, inf) = combine(&items, &vec![1.0; parts.len()], None);
        (value, inf, estimand::mix(parts.iter().map(|a| (a.2.as_slice(), 1.0))))
    };

    // Dynamic: each event time.
    let mut events: Vec<i64> = cells.iter().map(|c| c.time - c.group).collect();
    events.sort_unstable();
    events.dedup();
    let dynamic: Vec<(i64, Aggregate)> = events
        .iter()
        .map(|&e| (e, by_size(cells.iter().filter(|c| c.time - c.group == e).collect())))
        .collect();
    // Group: each cohort's mean over its post-adoption cells.
    let mut groups: Vec<i64> = cells.iter().map(|c| c.group).collect();
    groups.dedup();
    let mut group: Vec<(i64, Aggregate)> = Vec::new();
    for &g in &groups {
        let post: Vec<Aggregate> = cells
            .iter()
            .filter(|c| c.group == g && c.time >= g)
            .map(|c| (c.att, c.inf.clone(), estimand::normalised([((g, c.time), 1.0)])))
            .collect();
        if !post.is_empty() {
            group.push((g, plain(&post.iter().collect::<Vec<_>>())));
        }
    }
    // Calendar: each period from the first adoption on, over the cohorts treated by then.
    let first_group = groups[0];
    let mut periods: Vec<i64> = cells
        .iter()
        .map(|c| c.time)
        .filter(|&t| t >= first_group)
        .collect();
    periods.sort_unstable();
    periods.dedup();
    let mut calendar: Vec<(i64, Aggregate)> = Vec::new();
    for &t in &periods {
        let chosen: Vec<&AttCell> = cells
            .iter()
            .filter(|c| c.time == t && c.group <= t)
            .collect();
        if !chosen.is_empty() {
            calendar.push((t, by_size(chosen)));
        }
    }

    let simple = by_size(cells.iter().filter(|c| c.time >= c.group).collect());
    let post_events: Vec<&Aggregate> = dynamic.iter().filter(|d| d.0 >= 0).map(|d| &d.1).collect();
    let overall_dynamic = plain(&post_events);
    let group_items: Vec<(i64, f64, &[f64])> =
        group.iter().map(|(g, a)| (*g, a.0, a.1.as_slice())).collect();
    let group_weights: Vec<f64> = group.iter().map(|g| share(g.0)).collect();
    let (value, inf) = combine(&group_items, &group_weights, Some(cohorts));
    let overall_group = (
        value,
        inf,
        estimand::mix(group.iter().map(|(g, a)| (a.2.as_slice(), share(*g)))),
    );
    let overall_calendar = plain(&calendar.iter().map(|c| &c.1).collect::<Vec<_>>());

    let mut push = |target, (value, inf, estimand): Aggregate, family| {
        pieces.push(Piece {
            target,
            value,
            inf,
            family,
            estimand,
        })
    };
    for (e, a) in dynamic {
        push(Target::EventTime(e), a, Some(DYNAMIC));
    }
    for (g, a) in group {
        push(Target::Group(g), a, Some(GROUP));
    }
    for (t, a) in calendar {
        push(Target::Calendar(t), a, Some(CALENDAR));
    }
    push(Target::Overall, simple, None);
    push(Target::OverallDynamic, overall_dynamic, None);
    push(Target::OverallGroup, overall_group, None);
    push(Target::OverallCalendar, overall_calendar, None);
    pieces
}

/// R's quantile of type 1 (the inverse of the empirical CDF) of sorted values.
fn quantile_type1(sorted: &[f64], p: f64) -> f64 {
    let k = (sorted.len() as f64 * p).ceil().max(1.0) as usize;
    sorted[k.min(sorted.len()) - 1]
}

/// [`quantile_type1`] without sorting everything: the same order statistic, selected.
fn select_type1(values: &mut [f64], p: f64) -> f64 {
    let k = (values.len() as f64 * p).ceil().max(1.0) as usize;
    let k = k.min(values.len()) - 1;
    *values.select_nth_unstable_by(k, f64::total_cmp).1
}

/// Mammen's two-point multipliers, `draws × places`, in a fixed order from `seed`:
/// (1 − √5)/2 with probability (√5 + 1)/(2√5), else (1 + √5)/2 (mean 0, variance 1).
pub fn mammen_multipliers(draws: usize, places: usize, seed: u64) -> DMatrix<f64> {
    let kappa = (5f64.sqrt() + 1.0) / 2.0;
    let low = Chance::new(kappa / 5f64.sqrt());
    let mut rng = SimRng::seed_from_u64(seed);
    let mut v = DMatrix::<f64>::zeros(draws, places);
    for b in 0..draws {
        for i in 0..places {
            v[(b, i)] = if low.trial(&mut rng) {
                1.0 - kappa
            } else {
                kappa
            };
        }
    }
    v
}

/// SEs, intervals and bands for every piece.
fn infer(pieces: &[Piece], n: usize, opts: &Options) -> Vec<Estimate> {
    let z = normal_quantile(opts.level);
    let estimate = |p: &Piece, se: f64, crit: Option<f64>| Estimate {
        estimator: Estimator::CallawaySantAnna,
        target: p.target,
        value: p.value,
        se,
        ci: (p.value - z * se, p.value + z * se),
        band: crit.map(|c| (p.value - c * se, p.value + c * se)),
        control: None,
        estimand: p.estimand.clone(),
    };
    let nf = n as f64;
    if opts.bootstrap == 0 {
        return pieces
            .iter()
            .map(|p| {
                let se = p.inf.iter().map(|x| x * x).sum::<f64>().sqrt() / nf;
                estimate(p, se, None)
            })
            .collect();
    }
    let draws = opts.bootstrap as usize;
    let v = mammen_multipliers(draws, n, opts.seed);
    let mut psi = DMatrix::<f64>::zeros(n, pieces.len());
    for (k, p) in pieces.iter().enumerate() {
        psi.column_mut(k).copy_from_slice(&p.inf);
    }
    // bres[b, k] = √n · mean_i(v_bi ψ_ik), as did::mboot.
    let bres = (v * psi) / nf.sqrt();
    // z₀.₇₅ − z₀.₂₅ = 2·z₀.₇₅: the interquartile range of a standard normal.
    let iqr_to_sd = 2.0 * normal_quantile(0.5);
    let mut sigma = vec![0.0; pieces.len()];
    let mut column = vec![0.0; draws];
    for (k, s) in sigma.iter_mut().enumerate() {
        column.copy_from_slice(bres.column(k).as_slice());
        let iqr = select_type1(&mut column, 0.75) - select_type1(&mut column, 0.25);
        // A degenerate column (no variation across places) has SE 0 and no say in bands.
        *s = if iqr > 0.0 { iqr / iqr_to_sd } else { 0.0 };
    }
    let crit_of = |family: usize| -> f64 {
        let members: Vec<usize> = (0..pieces.len())
            .filter(|&k| pieces[k].family == Some(family) && sigma[k] > 0.0)
            .collect();
        if members.is_empty() {
            return z;
        }
        let mut sup: Vec<f64> = (0..draws)
            .map(|b| {
                members
                    .iter()
                    .map(|&k| (bres[(b, k)] / sigma[k]).abs())
                    .fold(0.0, f64::max)
            })
            .collect();
        sup.sort_unstable_by(f64::total_cmp);
        // As did::mboot: a band narrower than the pointwise interval falls back to it.
        quantile_type1(&sup, opts.level).max(z)
    };
    let crits: Vec<f64> = [GT, DYNAMIC, GROUP, CALENDAR]
        .iter()
        .map(|&f| crit_of(f))
        .collect();
    pieces
        .iter()
        .zip(&sigma)
        .map(|(p, s)| estimate(p, s / nf.sqrt(), p.family.map(|f| crits[f])))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn type1_quantiles_are_rs() {
        let x: Vec<f64> = (1..=10).map(f64::from).collect();
        assert_eq!(quantile_type1(&x, 0.25), 3.0);
        assert_eq!(quantile_type1(&x, 0.5), 5.0);
        assert_eq!(quantile_type1(&x, 0.95), 10.0);
        assert_eq!(quantile_type1(&x, 0.0), 1.0);
        let mut shuffled = vec![7.0, 2.0, 10.0, 1.0, 5.0, 3.0, 9.0, 4.0, 8.0, 6.0];
        for p in [0.25, 0.5, 0.75, 0.95] {
            assert_eq!(select_type1(&mut shuffled, p), quantile_type1(&x, p));
        }
    }

    #[test]
    fn mammen_multipliers_have_mean_zero_and_variance_one() {
        let v = mammen_multipliers(4000, 50, 7);
        let n = (4000 * 50) as f64;
        let mean = v.iter().sum::<f64>() / n;
        let var = v.iter().map(|x| x * x).sum::<f64>() / n - mean * mean;
        assert!(mean.abs() < 0.01, "{mean}");
        assert!((var - 1.0).abs() < 0.02, "{var}");
        assert_eq!(
            v,
            mammen_multipliers(4000, 50, 7),
            "the same seed, the same draws"
        );
    }
}
