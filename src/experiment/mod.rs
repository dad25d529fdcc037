//! Experiments: a staggered rollout across places, studied the way the empirical literature
//! studies it, and set against the truth.
//!
//! Each replicate is simulated twice on the same random numbers ([`panel`]): with the
//! rollout, and with no place adopting. The first world is what a researcher would observe;
//! the difference between the two is the true effect ([`truth`]). Every estimator of
//! [`crate::did`] runs on each replicate's observed panel, exactly as `cadre-sim did` runs
//! on a researcher's own, and [`assess`] sets the estimates against the truth over
//! replicates: bias, RMSE, and how often each estimator's own 95% interval covers the truth.
//!
//! Pure, like the model: no files (the command writes them, see `output::experiment`).

pub mod assess;
pub mod panel;
pub mod truth;

use rayon::prelude::*;

pub use assess::{Assessment, ReplicateEstimates};
pub use panel::{Outcome, ReplicatePanel};

use crate::did::Options;
use crate::model::rng::{replicate_seed, splitmix64};
use crate::scenario::Scenario;

/// What an experiment estimates, and how.
#[derive(Debug, Clone, PartialEq)]
pub struct ExperimentOptions {
    /// The place-level outcome the estimators are run on.
    pub outcome: Outcome,
    /// The estimators' options; `seed` is replaced per replicate (see [`bootstrap_seed`]).
    pub did: Options,
}

/// Everything an experiment produced.
pub struct Experiment {
    pub scenario: Scenario,
    pub options: ExperimentOptions,
    /// Each replicate's panel, in replicate order.
    pub panels: Vec<ReplicatePanel>,
    /// Each replicate's estimates set against its truth.
    pub replicates: Vec<ReplicateEstimates>,
}

/// The seed of replicate `replicate`'s bootstrap: from the run's seed and the replicate
/// only, so the bootstrap too is the same on any thread count.
pub fn bootstrap_seed(seed: u64, replicate: u64) -> u64 {
    splitmix64(replicate_seed(seed, replicate) ^ 0xD1D)
}

/// Runs the experiment: every replicate in parallel (on the current rayon pool), both worlds,
/// every estimator. Results are in replicate order whatever the threads.
pub fn run(
    scenario: &Scenario,
    options: &ExperimentOptions,
    on_replicate_done: Option<&(dyn Fn() + Sync)>,
) -> Experiment {
    let spec = scenario.model_spec();
    let run = &scenario.run;
    let results: Vec<(ReplicatePanel, ReplicateEstimates)> = (0..run.replicates as u64)
        .into_par_iter()
        .map(|r| {
            let panel = ReplicatePanel::simulate(&spec, run.steps, run.seed, r);
            let opts = Options {
                seed: bootstrap_seed(run.seed, r),
                ..options.did.clone()
            };
            let estimates = ReplicateEstimates::of(&panel, options.outcome, &opts);
            if let Some(done) = on_replicate_done {
                done();
            }
            (panel, estimates)
        })
        .collect();
    let (panels, replicates) = results.into_iter().unzip();
    Experiment {
        scenario: scenario.clone(),
        options: options.clone(),
        panels,
        replicates,
    }
}

impl Experiment {
    /// The summary over replicates of every estimate against its truth.
    pub fn assess(&self) -> Assessment {
        Assessment::of(&self.replicates)
    }
}
