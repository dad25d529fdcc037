//! `experiment`: a staggered rollout across places, each replicate simulated with and
//! without adoption on the same random numbers, every DiD estimator set against the truth.

use std::time::Instant;

use super::{Control, Overrides, ScenarioSource};
use crate::error::InputError;
use crate::experiment::{self as engine, Experiment, ExperimentOptions, Summarised};
use crate::output::OutputDir;
use crate::output::experiment::ExperimentFiles;
use crate::plot::PlotOptions;
use crate::run::{Timing, in_pool};
use crate::scenario::Scenario;

/// A rollout experiment: the scenario (with `[places]` and a `[rollout]`) and the
/// estimators' options, as the command's flags name them.
#[derive(Debug, Clone)]
pub struct ExperimentRequest {
    pub scenario: ScenarioSource,
    pub overrides: Overrides,
    /// The place-level outcome the estimators run on (`initiative`, ...).
    pub outcome: String,
    /// Callaway–Sant'Anna's comparison group: `nevertreated` or `notyettreated`.
    pub control: String,
    /// TWFE event study: leads at or before −N are binned.
    pub leads: u32,
    /// TWFE event study: lags at or after N are binned.
    pub lags: u32,
    /// Callaway–Sant'Anna's multiplier bootstrap draws per replicate (0: analytic SEs).
    pub bootstrap: u32,
}

impl ExperimentRequest {
    /// The command's defaults for `scenario`.
    pub fn new(scenario: ScenarioSource) -> ExperimentRequest {
        ExperimentRequest {
            scenario,
            overrides: Overrides::default(),
            outcome: "initiative".into(),
            control: "nevertreated".into(),
            leads: 6,
            lags: 12,
            bootstrap: 199,
        }
    }

    /// The scenario with its overrides and the options, checked.
    pub fn resolve(&self) -> Result<(Scenario, ExperimentOptions), InputError> {
        let scenario = self.overrides.load(&self.scenario)?;
        engine::check_scenario(&scenario)?;
        let options = ExperimentOptions::new(
            &self.outcome,
            &self.control,
            self.leads,
            self.lags,
            self.bootstrap,
        )?;
        Ok((scenario, options))
    }
}

/// Runs the experiment on `control.threads` threads, every replicate held in memory (the
/// Python package's tables); None when stopped. The timing counts both worlds' agent-steps.
pub fn experiment(
    scenario: &Scenario,
    options: &ExperimentOptions,
    control: &Control,
) -> Option<(Experiment, Timing)> {
    let start = Instant::now();
    let tick = || control.tick();
    let (result, threads) = in_pool(control.threads, || {
        (
            engine::run_until(scenario, options, Some(&tick), control.stop),
            rayon::current_num_threads(),
        )
    });
    let result = result?;
    Some((result, Timing::since(start, agent_steps(scenario), threads)))
}

/// Runs the experiment into `out` (`cadre-sim experiment`): `panel.csv` and `estimates.csv`
/// are written as replicates finish, in replicate order, and each replicate is dropped once
/// written, so memory does not grow with the replicates ([`ExperimentFiles`]); then the
/// figures and `report.html` (in `plots`' formats and language), the summary files, and
/// `experiment.json` last. None when stopped: the folder then holds none of the
/// experiment's files. The timing covers simulating, estimating and streaming out the rows.
pub fn experiment_into(
    out: &OutputDir,
    scenario: &Scenario,
    options: &ExperimentOptions,
    control: &Control,
    plots: &PlotOptions,
) -> crate::error::Result<Option<(Summarised, Timing)>> {
    let start = Instant::now();
    let mut files = ExperimentFiles::create(out, scenario, options)?;
    let prepare = files.preparer();
    let tick = || control.tick();
    let (work, threads) = in_pool(control.threads, || {
        (
            engine::stream::stream(
                scenario,
                options,
                Some(&tick),
                control.stop,
                prepare,
                |_, rows| files.add(rows),
            ),
            rayon::current_num_threads(),
        )
    });
    let Some(work) = work? else {
        return Ok(None);
    };
    let timing = Timing::since(start, agent_steps(scenario), threads);
    let summarised = files.finish(work, &timing, Instant::now(), |s| {
        crate::report::experiment::write_report(out, s, &s.assessment, plots)
    })?;
    Ok(Some((summarised, timing)))
}

/// Both worlds' agent-steps over every replicate.
fn agent_steps(scenario: &Scenario) -> u64 {
    2 * scenario.population.cadres as u64
        * scenario.run.steps as u64
        * scenario.run.replicates as u64
}
