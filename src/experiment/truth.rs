//! The true effects of a rollout, which only a simulator knows.
//!
//! A place's effect at a step is its outcome in the rollout's world minus its outcome in the
//! no-adoption twin ([`ReplicatePanel::effect`]); a cell's effect τ(g,t) is the mean over the
//! places of cohort g at step t. Two kinds of truth are set beside the estimates:
//!
//! - **an estimator's own estimand**: the weighted average of τ(g,t) over the cells the
//!   estimator used on this replicate's panel, with its own weights (each estimate carries
//!   them: [`crate::did::estimand`]). Bias, RMSE and coverage are scored against it, so an
//!   estimator is judged on what it can estimate from the design, not on cells the design
//!   leaves it no comparison for (with every place adopting, nobody is left to compare with
//!   after the last cohort adopts);
//! - **the policy's effect**: the ATT over every adopted place-step, [`Effects::overall`]. The
//!   gap between an estimand and the policy's effect is what a study of this design cannot
//!   see, whatever its estimator.
//!
//! Effects before adoption and on places that never adopt are not zero when published cases
//! cross places (`publish_scope = "national"`): the rollout's spillover, which the
//! comparisons of a DiD study assume away.

use std::collections::BTreeMap;

use super::panel::{ReplicatePanel, StudyOutcome};
use crate::did::{Cell, estimand};

/// The effects of one replicate on one outcome: τ(g,t) per cohort and step.
pub struct Effects {
    /// Cohort → its places' mean effect at each step (NaN where an outcome is missing).
    cells: BTreeMap<i64, Vec<f64>>,
    /// Cohort sizes, for the policy's effect.
    sizes: BTreeMap<i64, usize>,
    /// The never-adopting places' mean effect at each step (None: there are none).
    never: Option<Vec<f64>>,
    /// The steps of the study: from the first at which the outcome is known everywhere.
    start: i64,
    steps: i64,
}

impl Effects {
    /// The effects on the outcome as the study uses it ([`StudyOutcome`]).
    pub fn new(panel: &ReplicatePanel, study: &StudyOutcome) -> Effects {
        let steps = panel.steps as usize;
        let mut sums: BTreeMap<Option<i64>, (usize, Vec<f64>)> = BTreeMap::new();
        for (p, info) in panel.places.iter().enumerate() {
            let (n, sum) = sums
                .entry(info.cohort.map(i64::from))
                .or_insert_with(|| (0, vec![0.0; steps]));
            *n += 1;
            for (t, s) in sum.iter_mut().enumerate() {
                *s += study.effect(p, t as u32);
            }
        }
        let mut cells = BTreeMap::new();
        let mut sizes = BTreeMap::new();
        let mut never = None;
        for (cohort, (n, sum)) in sums {
            let mean: Vec<f64> = sum.into_iter().map(|s| s / n as f64).collect();
            match cohort {
                Some(g) => {
                    sizes.insert(g, n);
                    cells.insert(g, mean);
                }
                None => never = Some(mean),
            }
        }
        Effects {
            cells,
            sizes,
            never,
            start: i64::from(study.start),
            steps: steps as i64,
        }
    }

    /// τ(g,t): the mean effect on cohort g's places at step t (NaN outside the panel).
    pub fn cell(&self, group: i64, time: i64) -> f64 {
        self.cells
            .get(&group)
            .and_then(|v| usize::try_from(time).ok().and_then(|t| v.get(t)))
            .copied()
            .unwrap_or(f64::NAN)
    }

    /// The truth of an estimand: Σ w·τ(g,t) over its cells.
    pub fn of(&self, cells: &[Cell]) -> f64 {
        estimand::value(cells, |g, t| self.cell(g, t))
    }

    /// The policy's effect: the ATT over every adopted place-step of the panel.
    pub fn overall(&self) -> f64 {
        self.of(&self.treated_cells())
    }

    /// Every adopted cell, weighted by cohort size.
    pub fn treated_cells(&self) -> Vec<Cell> {
        let cells = self
            .sizes
            .keys()
            .flat_map(|&g| (g.max(self.start)..self.steps).map(move |t| (g, t)));
        estimand::by_cohort_size(cells, |g| self.sizes[&g] as f64)
    }

    /// The mean effect `e` steps after adoption over the adopting places observed then
    /// (cohorts weighted by size); NaN if none is observed then.
    pub fn event_time(&self, e: i64) -> f64 {
        let cells = self
            .sizes
            .keys()
            .map(|&g| (g, g + e))
            .filter(|&(_, t)| (self.start..self.steps).contains(&t));
        self.of(&estimand::by_cohort_size(cells, |g| self.sizes[&g] as f64))
    }

    /// The mean effect on the places that never adopt, at step `t`: the spillover.
    pub fn never_treated(&self, time: i64) -> f64 {
        self.never
            .as_ref()
            .and_then(|v| usize::try_from(time).ok().and_then(|t| v.get(t)))
            .copied()
            .unwrap_or(f64::NAN)
    }

    /// The cohorts, in order.
    pub fn cohorts(&self) -> impl Iterator<Item = i64> + '_ {
        self.sizes.keys().copied()
    }

    /// Whether some place never adopts.
    pub fn has_never_treated(&self) -> bool {
        self.never.is_some()
    }
}
