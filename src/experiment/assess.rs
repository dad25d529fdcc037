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
use super::spill::Spill;
use super::truth::Effects;
use crate::did::{self, Estimate, Estimator, Options, Panel, Target};
use crate::run::Summary;
use crate::run::stats::{TwoPass, empty_sum};

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
    /// The assessment of replicates held in memory, in replicate order.
    pub fn of(replicates: &[ReplicateEstimates]) -> Assessment {
        let mut assessing = Assessing::new(Spill::memory());
        for rep in replicates {
            assessing.add(rep).expect("a spill in memory");
        }
        assessing.finish().expect("a spill in memory")
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

/// [`Assessment::of`] as replicates stream by, in replicate order: what each estimate and
/// truth needs is set aside in a [`Spill`] and summarised at the end in two passes over it,
/// so that memory does not grow with the replicates (beyond the replicates without
/// estimates, with their reasons). The same arithmetic in the same order as summarising
/// the replicates held in memory, so the same bits.
pub struct Assessing {
    /// Each estimated quantity's index in the spill, in output order.
    keys: BTreeMap<EstimateKey, u32>,
    /// By index: the estimator, its comparison group and estimand where first met.
    firsts: Vec<Option<First>>,
    truth_keys: BTreeMap<TruthKey, u32>,
    notes: Vec<String>,
    problems: Vec<(usize, String)>,
    replicates: usize,
    spill: Spill,
}

/// An estimated quantity's estimator, comparison group and estimand.
type First = (Estimator, Option<did::Control>, Vec<did::Cell>);

/// One estimated quantity's sums over replicates.
struct Sums {
    estimate: TwoPass,
    truth: TwoPass,
    /// Over the replicates where both the estimate and its truth are present.
    present: usize,
    errors: f64,
    squared_errors: f64,
    covered: usize,
    /// [`crate::run::stats::mean_present`] of the standard errors.
    se: f64,
    ses: u64,
}

impl Assessing {
    pub fn new(spill: Spill) -> Assessing {
        Assessing {
            keys: BTreeMap::new(),
            firsts: Vec::new(),
            truth_keys: BTreeMap::new(),
            notes: Vec::new(),
            problems: Vec::new(),
            replicates: 0,
            spill,
        }
    }

    /// The next replicate's estimates.
    pub fn add(&mut self, rep: &ReplicateEstimates) -> std::io::Result<()> {
        let spill = &mut self.spill;
        spill.put_u32(rep.estimates.len() as u32)?;
        for (e, truth) in &rep.estimates {
            let key = (
                e.estimator as u8,
                e.control.map(|c| c as u8),
                TargetOrder::of(e.target),
            );
            let next = self.firsts.len() as u32;
            let index = *self.keys.entry(key).or_insert_with(|| {
                // Cohort sizes, and so the cells an estimator can use, are the same in
                // every replicate of a design: the first replicate's estimand stands for all.
                self.firsts
                    .push(Some((e.estimator, e.control, e.estimand.clone())));
                next
            });
            spill.put_u32(index)?;
            for x in [e.value, e.se, e.ci.0, e.ci.1, *truth] {
                spill.put_f64(x)?;
            }
        }
        spill.put_u32(rep.truth.len() as u32)?;
        for &(key, value) in &rep.truth {
            let next = self.truth_keys.len() as u32;
            let index = *self.truth_keys.entry(key).or_insert(next);
            spill.put_u32(index)?;
            spill.put_f64(value)?;
        }
        for note in &rep.notes {
            if !self.notes.contains(note) {
                self.notes.push(note.clone());
            }
        }
        if let Some(problem) = &rep.problem {
            self.problems.push((self.replicates, problem.clone()));
        }
        self.replicates += 1;
        Ok(())
    }

    /// The replicates added so far.
    pub fn replicates(&self) -> usize {
        self.replicates
    }

    /// The summary over every replicate added.
    pub fn finish(mut self) -> std::io::Result<Assessment> {
        let mut sums: Vec<Sums> = (0..self.firsts.len())
            .map(|_| Sums {
                estimate: TwoPass::default(),
                truth: TwoPass::default(),
                present: 0,
                errors: empty_sum(),
                squared_errors: empty_sum(),
                covered: 0,
                se: 0.0,
                ses: 0,
            })
            .collect();
        let mut truths = vec![TwoPass::default(); self.truth_keys.len()];
        for pass in [1, 2] {
            let mut r = self.spill.read()?;
            for _ in 0..self.replicates {
                for _ in 0..r.u32()? {
                    let s = &mut sums[r.u32()? as usize];
                    let (value, se, low, high, truth) =
                        (r.f64()?, r.f64()?, r.f64()?, r.f64()?, r.f64()?);
                    if pass == 2 {
                        s.estimate.second(value);
                        s.truth.second(truth);
                        continue;
                    }
                    s.estimate.first(value);
                    s.truth.first(truth);
                    if !value.is_nan() && !truth.is_nan() {
                        let error = value - truth;
                        s.present += 1;
                        s.errors += error;
                        s.squared_errors += error * error;
                        s.covered += usize::from(low <= truth && truth <= high);
                    }
                    if !se.is_nan() {
                        s.se += se;
                        s.ses += 1;
                    }
                }
                for _ in 0..r.u32()? {
                    let t = &mut truths[r.u32()? as usize];
                    let value = r.f64()?;
                    if pass == 1 {
                        t.first(value)
                    } else {
                        t.second(value)
                    }
                }
            }
            drop(r);
            if pass == 1 {
                sums.iter_mut().for_each(|s| {
                    s.estimate.second_pass();
                    s.truth.second_pass();
                });
                truths.iter_mut().for_each(TwoPass::second_pass);
            }
        }
        let estimates = self
            .keys
            .iter()
            .map(|(&(_, _, order), &index)| {
                let s = &sums[index as usize];
                let (estimator, control, estimand) =
                    self.firsts[index as usize].take().expect("each index once");
                let n = s.present.max(1) as f64;
                let none = s.present == 0;
                Assessed {
                    estimator,
                    control,
                    target: order.target(),
                    estimate: s.estimate.summary(),
                    truth: s.truth.summary(),
                    bias: if none { f64::NAN } else { s.errors / n },
                    rmse: if none {
                        f64::NAN
                    } else {
                        (s.squared_errors / n).sqrt()
                    },
                    coverage: if none { f64::NAN } else { s.covered as f64 / n },
                    mean_se: if s.ses == 0 {
                        f64::NAN
                    } else {
                        s.se / s.ses as f64
                    },
                    estimand,
                }
            })
            .collect();
        Ok(Assessment {
            notes: self.notes,
            estimates,
            truth: self
                .truth_keys
                .iter()
                .map(|(&k, &index)| (k, truths[index as usize].summary()))
                .collect(),
            problems: self.problems,
        })
    }
}
