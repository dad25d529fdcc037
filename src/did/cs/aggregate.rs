//! `did::aggte`'s aggregations of the ATT(g,t): simple, dynamic (event time, with
//! `balance_e`, `min_e` and `max_e`), group and calendar, each with its influence function,
//! including the term for estimating the cohort-size weights (`did`'s `wif`).

use super::{AttCell, CALENDAR, DYNAMIC, GROUP, GT, Piece};
use crate::did::estimand::{self, Cell};
use crate::did::{DidError, Options, Panel, Target};

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

/// An aggregate: its value, influence function and estimand.
type Aggregate = (f64, Vec<f64>, Vec<Cell>);

/// The ATT(g,t) cells and `aggte`'s four aggregations, as pieces for inference.
pub(super) fn aggregate(
    panel: &Panel,
    cells: &[AttCell],
    opts: &Options,
) -> Result<Vec<Piece>, DidError> {
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
        (
            value,
            inf,
            estimand::mix(parts.iter().map(|a| (a.2.as_slice(), 1.0))),
        )
    };

    // Dynamic: each event time in the window, over the cohorts `balance_e` keeps.
    let (events, balanced) = dynamic_window(panel, cells, opts)?;
    let dynamic: Vec<(i64, Aggregate)> = events
        .iter()
        .map(|&e| {
            let chosen = cells
                .iter()
                .filter(|c| c.time - c.group == e && balanced(c.group))
                .collect();
            (e, by_size(chosen))
        })
        .collect();
    // Group: each cohort's mean over its post-adoption cells.
    let mut groups: Vec<i64> = cells.iter().map(|c| c.group).collect();
    groups.dedup();
    let mut group: Vec<(i64, Aggregate)> = Vec::new();
    for &g in &groups {
        let post: Vec<Aggregate> = cells
            .iter()
            .filter(|c| c.group == g && c.time >= g)
            .map(|c| {
                (
                    c.att,
                    c.inf.clone(),
                    estimand::normalised([((g, c.time), 1.0)]),
                )
            })
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
    let group_items: Vec<(i64, f64, &[f64])> = group
        .iter()
        .map(|(g, a)| (*g, a.0, a.1.as_slice()))
        .collect();
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
    Ok(pieces)
}

/// The dynamic aggregation's event times and which cohorts enter it, as `aggte` with
/// `balance_e`, `min_e` and `max_e`: with `balance_e = E`, only the cohorts observed at least
/// E periods after adoption and with an ATT(g,t) at every event time from 0 to E that any
/// such cohort has, and only event times from E − (last period − first period or cohort) to
/// E; then the event times from `min_e` to `max_e`.
#[allow(clippy::type_complexity)]
fn dynamic_window(
    panel: &Panel,
    cells: &[AttCell],
    opts: &Options,
) -> Result<(Vec<i64>, Box<dyn Fn(i64) -> bool>), DidError> {
    let event = |c: &AttCell| c.time - c.group;
    let mut events: Vec<i64> = cells.iter().map(event).collect();
    events.sort_unstable();
    events.dedup();
    let mut keep: Box<dyn Fn(i64) -> bool> = Box::new(|_| true);
    if let Some(balance) = opts.balance_e {
        let balance = i64::from(balance);
        let max_t = cells.iter().map(|c| c.time).max().expect("cells");
        let eligible = |g: i64| max_t - g >= balance;
        let mut required: Vec<i64> = cells
            .iter()
            .filter(|c| eligible(c.group) && (0..=balance).contains(&event(c)))
            .map(event)
            .collect();
        required.sort_unstable();
        required.dedup();
        let mut complete: Vec<i64> = cells
            .iter()
            .map(|c| c.group)
            .filter(|&g| {
                eligible(g)
                    && required
                        .iter()
                        .all(|&e| cells.iter().any(|c| c.group == g && event(c) == e))
            })
            .collect();
        complete.sort_unstable();
        complete.dedup();
        if complete.is_empty() {
            return Err(DidError::BadOption {
                option: "balance_e",
                message: format!(
                    "no cohort has an ATT(g,t) at every event time from 0 to {balance}; lower it"
                ),
            });
        }
        // The earliest of the periods and the cohorts (`aggte`'s t2orig(1)).
        let earliest = panel.times()[0].min(cells.iter().map(|c| c.group).min().expect("cells"));
        events = cells
            .iter()
            .filter(|c| complete.contains(&c.group))
            .map(event)
            .filter(|&e| e <= balance && e >= balance - max_t + earliest)
            .collect();
        events.sort_unstable();
        events.dedup();
        keep = Box::new(move |g| complete.contains(&g));
    }
    events.retain(|&e| opts.min_e.is_none_or(|lo| e >= lo) && opts.max_e.is_none_or(|hi| e <= hi));
    if !events.iter().any(|&e| e >= 0) {
        return Err(DidError::BadOption {
            option: "min_e/max_e",
            message: "no event time from adoption on is left in the window; widen it".into(),
        });
    }
    Ok((events, keep))
}
