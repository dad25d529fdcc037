//! Estimates against the truth: per replicate, and summarised over replicates.
//!
//! A replicate's estimate of a target is set against that replicate's own true value of the
//! estimate's own estimand ([`super::truth::Effects::of`]): the effect the rollout had on the
//! cells the estimator used, with its weights, in this replicate. Over replicates:
//! the mean estimate and its spread, the mean truth, bias (mean of estimate − truth), RMSE,
//! and coverage: the share of replicates whose estimator's own 95% interval contains the
//! truth (about 0.95 for an unbiased estimator with honest standard errors).

use std::collections::BTreeMap;

use super::panel::{Outcome, ReplicatePanel};
use super::truth::Effects;
use crate::did::{self, Estimate, Estimator, Options, Panel, Target};
use crate::run::Summary;

/// One replicate's estimates, each with its truth; or why none could be made.
#[derive(Debug, Clone)]
pub struct ReplicateEstimates {
    /// Each estimate with the truth of its own estimand in this replicate.
    pub estimates: Vec<(Estimate, f64)>,
    /// Why this replicate has no estimates (a missing outcome, every estimator's refusal).
    pub problem: Option<String>,
    /// Estimators that estimated nothing here, with the reason, and what was decided for the
    /// user ([`did::Estimates`]): the same in every replicate of a design, as a rule.
    pub notes: Vec<String>,
    /// The truths a study would want beside the estimates: per target kind, see [`TruthKey`].
    pub truth: Vec<(TruthKey, f64)>,
    /// The outcome's first step in the study and how many place-steps kept an earlier value
    /// ([`super::panel::StudyOutcome`]).
    pub start: u32,
    pub filled: usize,
}

/// A true quantity of `truth.csv`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum TruthKey {
    /// The policy's effect: the ATT over every adopted place-step.
    Overall,
    /// The effect e steps after adoption.
    EventTime(i64),
    /// ATT(g, t).
    GroupTime { group: i64, time: i64 },
    /// The effect on places that never adopt, at step t: spillover.
    NeverTreated(i64),
}

impl TruthKey {
    pub fn kind(self) -> &'static str {
        match self {
            TruthKey::Overall => "policy_effect",
            TruthKey::EventTime(_) => "event_time",
            TruthKey::GroupTime { .. } => "group_time",
            TruthKey::NeverTreated(_) => "never_treated",
        }
    }

    /// (group, time, event time) where the key has them.
    pub fn coordinates(self) -> (Option<i64>, Option<i64>, Option<i64>) {
        match self {
            TruthKey::Overall => (None, None, None),
            TruthKey::EventTime(e) => (None, None, Some(e)),
            TruthKey::GroupTime { group, time } => (Some(group), Some(time), Some(time - group)),
            TruthKey::NeverTreated(t) => (None, Some(t), None),
        }
    }
}

impl ReplicateEstimates {
    /// Every estimator on the observed panel of `outcome`, each estimate with the truth of
    /// its own estimand.
    pub fn of(panel: &ReplicatePanel, outcome: Outcome, opts: &Options) -> ReplicateEstimates {
        let (rows, study) = panel.to_did_rows(outcome);
        let effects = Effects::new(panel, &study);
        let truth = truths(panel, &effects);
        let estimated = if study.start >= panel.steps {
            Err(format!(
                "{} has no value in some place at any step (nothing to count there)",
                outcome.name()
            ))
        } else {
            Panel::new(rows)
                .map_err(|e| e.to_string())
                .and_then(|panel| did::estimate_all(&panel, opts).map_err(|e| e.to_string()))
        };
        match estimated {
            Ok(did::Estimates {
                estimates,
                skipped,
                notes,
            }) => ReplicateEstimates {
                estimates: estimates
                    .into_iter()
                    .map(|e| {
                        let truth = effects.of(&e.estimand);
                        (e, truth)
                    })
                    .collect(),
                problem: None,
                start: study.start,
                filled: study.filled,
                notes: notes
                    .into_iter()
                    .chain(skipped.iter().map(|e| e.to_string()))
                    .collect(),
                truth,
            },
            Err(problem) => ReplicateEstimates {
                estimates: Vec::new(),
                problem: Some(problem),
                start: study.start,
                filled: study.filled,
                notes: Vec::new(),
                truth,
            },
        }
    }
}

/// The truths of `truth.csv` for one replicate.
fn truths(panel: &ReplicatePanel, effects: &Effects) -> Vec<(TruthKey, f64)> {
    let steps = panel.steps as i64;
    let cohorts: Vec<i64> = effects.cohorts().collect();
    let mut truth = vec![(TruthKey::Overall, effects.overall())];
    if let (Some(&first), Some(&last)) = (cohorts.first(), cohorts.last()) {
        truth.extend(
            (-last..steps - first).map(|e| (TruthKey::EventTime(e), effects.event_time(e))),
        );
    }
    for &group in &cohorts {
        truth.extend((0..steps).map(|time| {
            (
                TruthKey::GroupTime { group, time },
                effects.cell(group, time),
            )
        }));
    }
    if effects.has_never_treated() {
        truth.extend((0..steps).map(|t| (TruthKey::NeverTreated(t), effects.never_treated(t))));
    }
    truth
}

/// What is estimated, in output order: the estimator, its comparison group, the target.
type EstimateKey = (u8, Option<u8>, TargetOrder);

/// A [`Target`] with an order (for stable output): kind first, then coordinates.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct TargetOrder(u8, i64, i64);

impl TargetOrder {
    pub fn of(target: Target) -> TargetOrder {
        match target {
            Target::Overall => TargetOrder(0, 0, 0),
            Target::OverallDynamic => TargetOrder(1, 0, 0),
            Target::OverallGroup => TargetOrder(2, 0, 0),
            Target::OverallCalendar => TargetOrder(3, 0, 0),
            Target::EventTime(e) => TargetOrder(4, e, 0),
            Target::Group(g) => TargetOrder(5, g, 0),
            Target::Calendar(t) => TargetOrder(6, t, 0),
            Target::GroupTime { group, time } => TargetOrder(7, group, time),
        }
    }

    pub fn target(self) -> Target {
        match self.0 {
            0 => Target::Overall,
            1 => Target::OverallDynamic,
            2 => Target::OverallGroup,
            3 => Target::OverallCalendar,
            4 => Target::EventTime(self.1),
            5 => Target::Group(self.1),
            6 => Target::Calendar(self.1),
            _ => Target::GroupTime {
                group: self.1,
                time: self.2,
            },
        }
    }
}

/// One estimated quantity over replicates.
#[derive(Debug, Clone, PartialEq)]
pub struct Assessed {
    pub estimator: Estimator,
    pub control: Option<did::Control>,
    pub target: Target,
    /// The estimates over replicates (mean, sd, 95% CI of the mean, n).
    pub estimate: Summary,
    /// The true values over the same replicates.
    pub truth: Summary,
    /// Mean of estimate − truth.
    pub bias: f64,
    pub rmse: f64,
    /// Share of replicates whose own interval contains their truth.
    pub coverage: f64,
    /// Mean of the estimator's own standard errors.
    pub mean_se: f64,
    /// The cells and weights of its estimand (the first replicate's; cohort sizes and so
    /// the cells an estimator can use are the same in every replicate of a design).
    pub estimand: Vec<did::Cell>,
}

/// Every estimated quantity over replicates, and the truths.
#[derive(Debug, Clone)]
pub struct Assessment {
    pub estimates: Vec<Assessed>,
    pub truth: Vec<(TruthKey, Summary)>,
    /// Replicates without estimates, with the reason.
    pub problems: Vec<(usize, String)>,
    /// What the estimators said about the design (a changed comparison group, an estimator
    /// that could estimate nothing), each once, in the order first met.
    pub notes: Vec<String>,
}

impl Assessment {
    pub fn of(replicates: &[ReplicateEstimates]) -> Assessment {
        let mut by_key: BTreeMap<EstimateKey, Vec<&(Estimate, f64)>> = BTreeMap::new();
        for rep in replicates {
            for pair in &rep.estimates {
                let e = &pair.0;
                by_key
                    .entry((
                        e.estimator as u8,
                        e.control.map(|c| c as u8),
                        TargetOrder::of(e.target),
                    ))
                    .or_default()
                    .push(pair);
            }
        }
        let estimates = by_key
            .into_iter()
            .map(|((_, _, order), pairs)| {
                let (estimator, control) = (pairs[0].0.estimator, pairs[0].0.control);
                let present: Vec<&&(Estimate, f64)> = pairs
                    .iter()
                    .filter(|(e, t)| !e.value.is_nan() && !t.is_nan())
                    .collect();
                let n = present.len().max(1) as f64;
                let errors = present.iter().map(|(e, t)| e.value - t);
                let bias = errors.clone().sum::<f64>() / n;
                let rmse = (errors.map(|d| d * d).sum::<f64>() / n).sqrt();
                let covered = present
                    .iter()
                    .filter(|(e, t)| e.ci.0 <= *t && *t <= e.ci.1)
                    .count();
                Assessed {
                    estimator,
                    control,
                    target: order.target(),
                    estimate: Summary::of(pairs.iter().map(|(e, _)| e.value)),
                    truth: Summary::of(pairs.iter().map(|(_, t)| *t)),
                    bias: if present.is_empty() { f64::NAN } else { bias },
                    rmse: if present.is_empty() { f64::NAN } else { rmse },
                    coverage: if present.is_empty() {
                        f64::NAN
                    } else {
                        covered as f64 / n
                    },
                    mean_se: crate::run::stats::mean_present(pairs.iter().map(|(e, _)| e.se)),
                    estimand: pairs[0].0.estimand.clone(),
                }
            })
            .collect();
        let mut truth: BTreeMap<TruthKey, Vec<f64>> = BTreeMap::new();
        for rep in replicates {
            for &(key, value) in &rep.truth {
                truth.entry(key).or_default().push(value);
            }
        }
        let mut notes: Vec<String> = Vec::new();
        for note in replicates.iter().flat_map(|r| &r.notes) {
            if !notes.contains(note) {
                notes.push(note.clone());
            }
        }
        Assessment {
            notes,
            estimates,
            truth: truth
                .into_iter()
                .map(|(k, v)| (k, Summary::of(v)))
                .collect(),
            problems: replicates
                .iter()
                .enumerate()
                .filter_map(|(r, rep)| rep.problem.clone().map(|p| (r, p)))
                .collect(),
        }
    }

    /// The assessed overall effect of `estimator`.
    pub fn overall(&self, estimator: Estimator) -> Option<&Assessed> {
        self.estimates
            .iter()
            .find(|a| a.estimator == estimator && a.target == Target::Overall)
    }

    /// The true overall ATT over replicates.
    pub fn true_overall(&self) -> Option<&Summary> {
        self.truth
            .iter()
            .find(|(k, _)| *k == TruthKey::Overall)
            .map(|(_, s)| s)
    }
}
