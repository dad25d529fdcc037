//! An experiment reduced, as its replicates stream by, to what its summary files, report and
//! figures need: the assessment of every estimate against its truth ([`Assessing`]), and each
//! cohort's mean outcome per step. No panel is kept: what every replicate contributes waits
//! in a [`Spill`] (a temporary file for the command) until the summaries read it back, so
//! memory does not grow with the replicates.

use std::io;

use super::assess::{Assessing, Assessment, ReplicateEstimates};
use super::panel::ReplicatePanel;
use super::spill::Spill;
use super::{ExperimentOptions, Outcome, Work};
use crate::run::Summary;
use crate::run::stats::{TwoPass, mean_present};
use crate::scenario::Scenario;

/// What an experiment's summaries, report and figures need, over every replicate.
pub struct Summarised {
    pub scenario: Scenario,
    pub options: ExperimentOptions,
    /// How many replicates.
    pub replicates: usize,
    /// The outcome's first step in the study, in the first replicate
    /// ([`ReplicateEstimates::start`]).
    pub start: u32,
    pub assessment: Assessment,
    /// Per cohort (the rollout's in order, then None: the places that never adopt), per step,
    /// the outcome's mean over the cohort's places, summarised over replicates.
    pub by_cohort: Vec<(Option<u32>, Vec<Summary>)>,
    /// Where the time went, summed over threads.
    pub work: Work,
}

/// What the summaries need of one replicate, computed where the replicate was (in parallel):
/// its estimates, and its cohorts' mean outcome per step.
pub struct Reduced {
    pub estimates: ReplicateEstimates,
    cohort_means: Vec<f64>,
}

/// Reduces replicates to [`Reduced`]; cheap to clone into every worker.
#[derive(Debug, Clone)]
pub struct Reducer {
    outcome: Outcome,
    cohorts: Vec<Option<u32>>,
}

impl Reducer {
    pub fn reduce(&self, panel: &ReplicatePanel, estimates: ReplicateEstimates) -> Reduced {
        let outcome = self.outcome.index();
        let cohort_means = self
            .cohorts
            .iter()
            .flat_map(|&cohort| {
                (0..panel.steps).map(move |t| {
                    mean_present(
                        panel
                            .places
                            .iter()
                            .enumerate()
                            .filter(|(_, info)| info.cohort == cohort)
                            .map(|(p, _)| panel.observed(p, t)[outcome]),
                    )
                })
            })
            .collect();
        Reduced {
            estimates,
            cohort_means,
        }
    }
}

/// Summarises replicates added in replicate order.
pub struct Summarising {
    scenario: Scenario,
    options: ExperimentOptions,
    reducer: Reducer,
    assessing: Assessing,
    /// Each replicate's cohort means, in the order of [`Reducer::reduce`].
    by_cohort: Spill,
    start: Option<u32>,
}

impl Summarising {
    /// `spill` makes the two spills (estimates, cohort means): in memory, or in a folder.
    pub fn new(
        scenario: &Scenario,
        options: &ExperimentOptions,
        spill: impl Fn() -> io::Result<Spill>,
    ) -> io::Result<Summarising> {
        let mut cohorts: Vec<Option<u32>> = scenario
            .rollout
            .iter()
            .flat_map(|r| r.cohorts.iter().map(|c| Some(c.at)))
            .collect();
        cohorts.push(None);
        Ok(Summarising {
            scenario: scenario.clone(),
            options: options.clone(),
            reducer: Reducer {
                outcome: options.outcome,
                cohorts,
            },
            assessing: Assessing::new(spill()?),
            by_cohort: spill()?,
            start: None,
        })
    }

    pub fn reducer(&self) -> Reducer {
        self.reducer.clone()
    }

    /// The outcome the estimators run on.
    pub fn outcome(&self) -> Outcome {
        self.options.outcome
    }

    /// The next replicate.
    pub fn add(&mut self, reduced: &Reduced) -> io::Result<()> {
        self.start.get_or_insert(reduced.estimates.start);
        self.assessing.add(&reduced.estimates)?;
        reduced
            .cohort_means
            .iter()
            .try_for_each(|&x| self.by_cohort.put_f64(x))
    }

    /// The summaries over every replicate added, two passes over the spills.
    pub fn finish(mut self, work: Work) -> io::Result<Summarised> {
        let replicates = self.assessing.replicates();
        let steps = self.scenario.run.steps as usize;
        let cohorts = self.reducer.cohorts;
        let mut passes = vec![TwoPass::default(); cohorts.len() * steps];
        for pass in [1, 2] {
            let mut r = self.by_cohort.read()?;
            for _ in 0..replicates {
                for p in passes.iter_mut() {
                    let x = r.f64()?;
                    if pass == 1 { p.first(x) } else { p.second(x) }
                }
            }
            if pass == 1 {
                passes.iter_mut().for_each(TwoPass::second_pass);
            }
        }
        let by_cohort = cohorts
            .iter()
            .enumerate()
            .map(|(k, &cohort)| {
                let per_step = &passes[k * steps..(k + 1) * steps];
                (cohort, per_step.iter().map(TwoPass::summary).collect())
            })
            .collect();
        Ok(Summarised {
            scenario: self.scenario,
            options: self.options,
            replicates,
            start: self.start.unwrap_or(0),
            assessment: self.assessing.finish()?,
            by_cohort,
            work,
        })
    }
}
