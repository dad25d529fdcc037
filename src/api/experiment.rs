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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::output::Producer;
    use crate::output::experiment as files;
    use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};

    fn small() -> (Scenario, ExperimentOptions) {
        let mut scenario = Scenario::load("scenarios/experiments/staggered_place.toml").unwrap();
        scenario.run.replicates = 30;
        scenario.run.steps = 16;
        let options = ExperimentOptions::new("initiative", "nevertreated", 2, 4, 9).unwrap();
        (scenario, options)
    }

    /// The folder's entries other than its stamp, temporary files included.
    fn entries(dir: &std::path::Path) -> Vec<String> {
        let mut names: Vec<String> = std::fs::read_dir(dir)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .filter(|n| n != ".cadre-sim.json")
            .collect();
        names.sort();
        names
    }

    #[test]
    fn a_stopped_experiment_leaves_no_file_and_a_whole_one_writes_what_memory_holds() {
        let (scenario, options) = small();
        let dir = tempfile::tempdir().unwrap();
        let plots = PlotOptions {
            formats: Vec::new(),
            lang: crate::i18n::Lang::En,
        };
        let out = OutputDir::prepare(dir.path(), Producer::Experiment, false).unwrap();
        // Stopped midway: some replicates were written to the streamed files by then.
        let stop = AtomicBool::new(false);
        let done = AtomicUsize::new(0);
        let tick = || {
            if done.fetch_add(1, Ordering::SeqCst) + 1 == 8 {
                stop.store(true, Ordering::SeqCst);
            }
        };
        let control = Control {
            threads: Some(2),
            progress: Some(&tick),
            stop: Some(&stop),
        };
        let stopped = experiment_into(&out, &scenario, &options, &control, &plots).unwrap();
        assert!(stopped.is_none());
        assert!(done.load(Ordering::SeqCst) < 30, "the stop came midway");
        assert_eq!(
            entries(dir.path()),
            Vec::<String>::new(),
            "nothing half-written"
        );

        // Run whole on 3 threads, the files are those of the replicates held in memory on 1.
        let control = Control {
            threads: Some(3),
            ..Control::default()
        };
        let (streamed, _) = experiment_into(&out, &scenario, &options, &control, &plots)
            .unwrap()
            .unwrap();
        let one = Control {
            threads: Some(1),
            ..Control::default()
        };
        let (held, _) = experiment(&scenario, &options, &one).unwrap();
        let assessment = held.assess();
        let read = |name: &str| std::fs::read(dir.path().join(name)).unwrap();
        assert!(read("panel.csv") == files::panel_csv(&held), "panel.csv");
        assert!(
            read("estimates.csv") == files::estimates_csv(&held),
            "estimates.csv"
        );
        assert!(
            read("estimates_summary.csv")
                == files::estimates_summary_csv(options.outcome, &assessment),
            "estimates_summary.csv"
        );
        assert!(read("truth.csv") == files::truth_csv(options.outcome, &assessment));
        assert_eq!(streamed.replicates, 30);
        let summarised = held.summarise();
        // Debug strings: NaN (no value) equals itself there.
        let same = |a: &dyn std::fmt::Debug, b: &dyn std::fmt::Debug| {
            assert_eq!(format!("{a:?}"), format!("{b:?}"))
        };
        same(&streamed.by_cohort, &summarised.by_cohort);
        same(&streamed.assessment.estimates, &assessment.estimates);
        assert_eq!(
            entries(dir.path()),
            [
                "estimates.csv",
                "estimates_summary.csv",
                "experiment.json",
                "panel.csv",
                "report.html",
                "truth.csv"
            ]
        );
    }
}
