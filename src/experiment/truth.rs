//! The true effects of a rollout, which only a simulator knows.
//!
//! A place's effect at a step is its outcome in the rollout's world minus its outcome in the
//! no-adoption twin ([`ReplicatePanel::effect`]). Every quantity an estimator targets is a
//! mean of such effects over a set of place-steps (cells), with the weights the estimator's
//! own aggregation uses, so each estimate is set against the truth of the very quantity it
//! estimates, in the same replicate:
//!
//! - ATT(g,t): the cells of cohort g at step t;
//! - the effect e steps after adoption: every adopting place's cell at its cohort + e
//!   (cohorts weighted by size, as Callaway–Sant'Anna's dynamic aggregation); a binned end of
//!   the TWFE event study: every cell in the bin;
//! - a cohort's effect: its cells from adoption on; a step's effect: the adopted places'
//!   cells at that step;
//! - the overall ATT: every adopted cell (Callaway–Sant'Anna's "simple" aggregation, and
//!   TWFE's β's target); the event studies' overall: the plain mean of their post-adoption
//!   event-time effects; the group and calendar aggregations' overalls likewise.
//!
//! Effects before adoption and on places that never adopt are not zero when published cases
//! cross places (`publish_scope = "national"`): the rollout's spillover, which the
//! comparisons of a DiD study assume away.

use super::panel::{Outcome, ReplicatePanel};
use crate::did::{Estimator, Options, Target};

/// The effects of one replicate on one outcome, with the place's cohort, for cell means.
pub struct Effects<'a> {
    panel: &'a ReplicatePanel,
    outcome: Outcome,
}

impl<'a> Effects<'a> {
    pub fn new(panel: &'a ReplicatePanel, outcome: Outcome) -> Effects<'a> {
        Effects { panel, outcome }
    }

    /// The mean effect over the cells `(place, step)` for which `keep(cohort, step)` holds;
    /// NaN if there are none (or an outcome is missing in one of them).
    fn mean(&self, keep: impl Fn(Option<i64>, i64) -> bool) -> f64 {
        let (mut sum, mut n) = (0.0, 0u64);
        for (p, info) in self.panel.places.iter().enumerate() {
            let cohort = info.cohort.map(i64::from);
            for t in 0..self.panel.steps {
                if keep(cohort, t as i64) {
                    sum += self.panel.effect(p, t, self.outcome);
                    n += 1;
                }
            }
        }
        if n == 0 { f64::NAN } else { sum / n as f64 }
    }

    /// The steps of the panel.
    fn steps(&self) -> i64 {
        self.panel.steps as i64
    }

    /// The event times at which some adopting place is observed, in order.
    fn event_times(&self) -> std::ops::RangeInclusive<i64> {
        let cohorts = self
            .panel
            .places
            .iter()
            .filter_map(|p| p.cohort.map(i64::from));
        let (first, last) = cohorts.fold((i64::MAX, i64::MIN), |(a, b), g| (a.min(g), b.max(g)));
        -last..=self.steps() - 1 - first
    }

    /// The mean effect `e` steps after adoption, over the adopting places observed then.
    pub fn event_time(&self, e: i64) -> f64 {
        self.mean(|g, t| g.is_some_and(|g| t - g == e))
    }

    /// ATT(g,t).
    pub fn group_time(&self, group: i64, time: i64) -> f64 {
        self.mean(|g, t| g == Some(group) && t == time)
    }

    /// The overall ATT: the mean effect over every adopted place-step.
    pub fn overall(&self) -> f64 {
        self.mean(|g, t| g.is_some_and(|g| t >= g))
    }

    /// The mean effect on the places that never adopt, at step `t`: the spillover.
    pub fn never_treated(&self, time: i64) -> f64 {
        self.mean(|g, t| g.is_none() && t == time)
    }

    fn group(&self, group: i64) -> f64 {
        self.mean(|g, t| g == Some(group) && t >= group)
    }

    fn calendar(&self, time: i64) -> f64 {
        self.mean(|g, t| g.is_some_and(|g| t >= g) && t == time)
    }

    /// The cohorts and their sizes.
    fn cohorts(&self) -> Vec<(i64, usize)> {
        let mut sizes = std::collections::BTreeMap::new();
        for g in self.panel.places.iter().filter_map(|p| p.cohort) {
            *sizes.entry(g as i64).or_insert(0) += 1;
        }
        sizes.into_iter().collect()
    }

    /// The truth of what `estimator` reports as `target`, with the estimator's options (the
    /// TWFE event study's bins).
    pub fn of(&self, estimator: Estimator, target: Target, opts: &Options) -> f64 {
        let (leads, lags) = (opts.leads as i64, opts.lags as i64);
        let binned = estimator == Estimator::TwfeEventStudy;
        let post_event_times = || self.event_times().filter(|&e| e >= 0);
        match target {
            Target::GroupTime { group, time } => self.group_time(group, time),
            Target::Group(g) => self.group(g),
            Target::Calendar(t) => self.calendar(t),
            Target::EventTime(e) if binned && e <= -leads => {
                self.mean(|g, t| g.is_some_and(|g| t - g <= -leads))
            }
            Target::EventTime(e) if binned && e >= lags => {
                self.mean(|g, t| g.is_some_and(|g| t - g >= lags))
            }
            Target::EventTime(e) => self.event_time(e),
            Target::Overall => match estimator {
                // The imputation estimator's overall weighs every treated place-period alike,
                // as CS's simple aggregation does.
                Estimator::Twfe | Estimator::CallawaySantAnna | Estimator::Imputation => {
                    self.overall()
                }
                Estimator::TwfeEventStudy => {
                    let bins = (0..lags.min(self.event_times().end() + 1))
                        .map(|e| self.event_time(e))
                        .chain(std::iter::once(self.of(
                            estimator,
                            Target::EventTime(lags),
                            opts,
                        )))
                        .filter(|x| !x.is_nan())
                        .collect::<Vec<_>>();
                    bins.iter().sum::<f64>() / bins.len() as f64
                }
                Estimator::SunAbraham => mean(post_event_times().map(|e| self.event_time(e))),
            },
            Target::OverallDynamic => mean(post_event_times().map(|e| self.event_time(e))),
            Target::OverallGroup => {
                let cohorts = self.cohorts();
                let total: usize = cohorts.iter().map(|c| c.1).sum();
                cohorts
                    .iter()
                    .map(|&(g, n)| self.group(g) * n as f64)
                    .sum::<f64>()
                    / total as f64
            }
            Target::OverallCalendar => {
                let first = self.cohorts().first().map_or(self.steps(), |c| c.0);
                mean((first..self.steps()).map(|t| self.calendar(t)))
            }
        }
    }
}

fn mean(values: impl Iterator<Item = f64>) -> f64 {
    crate::run::stats::mean_present(values)
}
