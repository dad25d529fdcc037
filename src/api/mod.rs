//! The library API beneath both front ends: one request type per command, checked into a
//! plan by the library's own validation, and one function that does the work.
//!
//! The command line (`src/cli/`) parses flags into these requests with clap; the Python
//! package (`python/src/lib.rs`) fills the same requests from keyword arguments. Neither
//! reuses the other's parsing: both call what is here, so they give the same numbers and the
//! same messages for the same input.
//!
//! | command | request | resolves to | runs with |
//! | --- | --- | --- | --- |
//! | `run` | [`run::RunRequest`] | a scenario and its final window | [`run::run`] |
//! | `compare` | [`run::CompareRequest`] | scenarios sharing a run | [`run::compare`] |
//! | `experiment` | [`experiment::ExperimentRequest`] | scenario and estimator options | [`experiment::experiment`] |
//! | `sweep` | [`sweep::SweepRequest`], [`sweep::PointsRequest`] | a [`crate::sweep::SweepPlan`] | [`sweep::into_folder`], [`sweep::in_memory`] |
//! | `did` | [`did::DidRequest`] | columns and [`crate::did::Options`] | [`did::estimate`] |
//! | `calibrate` | [`calibrate::CalibrateRequest`] | a [`crate::calibrate::CalibrationPlan`] | [`calibrate::calibrate`] |
//! | `sensitivity` | [`sensitivity::SensitivityRequest`] | a [`crate::sensitivity::SensitivityPlan`] | [`sensitivity::analyse`] |
//!
//! What every long call shares (threads, a progress callback, a stop flag) is a [`Control`].
//!
//! ```
//! use cadre_sim::api::{Control, Overrides, ScenarioSource, run::{RunRequest, run}};
//!
//! let request = RunRequest {
//!     scenario: ScenarioSource::Reference("optimized_path".into()),
//!     overrides: Overrides {
//!         set: vec!["regime.detect=0.8".into()],
//!         steps: Some(12),
//!         replicates: Some(3),
//!         seed: Some(1),
//!     },
//!     window: None,
//! };
//! let (scenario, window) = request.resolve().expect("valid input");
//! let result = run(&scenario, &Control::default()).expect("not stopped");
//! let finals = result.final_window(window);
//! assert_eq!(finals[0].n, 3);
//! ```

pub mod calibrate;
pub mod did;
pub mod experiment;
pub mod run;
pub mod sensitivity;
pub mod sweep;

use std::sync::atomic::{AtomicBool, Ordering};

use crate::error::InputError;
use crate::i18n::Lang;
use crate::model::params::ParamId;
use crate::plot::{Format, PlotOptions};
use crate::scenario::Scenario;

/// How a scenario, sweep or calibration held in memory (not read from a file) is named in
/// messages: `<dict>:LINE`, the line of the dict written as TOML.
pub const IN_MEMORY: &str = "<dict>";

/// Where a scenario comes from: a built-in name or a path, or TOML text held in memory.
#[derive(Debug, Clone)]
pub enum ScenarioSource {
    /// A built-in name (see `cadre-sim scenarios`) or a path to a `.toml` file.
    Reference(String),
    /// The text of a scenario file; `origin` names it in messages.
    Text { origin: String, text: String },
}

impl ScenarioSource {
    /// Loads the scenario (resolving its `base` chain), without overrides.
    pub fn load(&self) -> Result<Scenario, InputError> {
        match self {
            ScenarioSource::Reference(reference) => Scenario::load(reference),
            ScenarioSource::Text { origin, text } => Scenario::parse(origin, "scenario", text),
        }
    }
}

/// What to change in a scenario: `--set KEY=VALUE` overrides and the run's replicates,
/// steps and seed. Declared once for every command that runs scenarios; the flags' names
/// appear in messages.
#[derive(Debug, Clone, Default)]
pub struct Overrides {
    /// `KEY=VALUE` assignments, applied in order.
    pub set: Vec<String>,
    pub replicates: Option<u64>,
    pub steps: Option<u64>,
    pub seed: Option<u64>,
}

impl Overrides {
    /// Loads `reference`, applies the overrides, and validates.
    pub fn resolve(&self, reference: &str) -> Result<Scenario, InputError> {
        self.apply(Scenario::load(reference)?)
    }

    /// Applies the overrides to a loaded scenario, and validates.
    pub fn apply(&self, mut scenario: Scenario) -> Result<Scenario, InputError> {
        for assignment in &self.set {
            scenario.apply_override(assignment)?;
        }
        for (flag, id, value) in [
            ("--replicates", ParamId::Replicates, self.replicates),
            ("--steps", ParamId::Steps, self.steps),
            ("--seed", ParamId::Seed, self.seed),
        ] {
            if let Some(v) = value {
                scenario
                    .edit(id, v as f64)
                    .map_err(|m| InputError::new(flag, m))?;
            }
        }
        scenario.validate()?;
        Ok(scenario)
    }

    /// Loads `source` and applies the overrides.
    pub fn load(&self, source: &ScenarioSource) -> Result<Scenario, InputError> {
        self.apply(source.load()?)
    }
}

/// How a long call runs: threads, what to tell after each unit of work, when to stop.
#[derive(Clone, Copy, Default)]
pub struct Control<'a> {
    /// Worker threads; None = all cores. Results never depend on it.
    pub threads: Option<usize>,
    /// Called (from any worker thread) after each unit of work: a replicate, or a
    /// calibration's proposal.
    pub progress: Option<&'a (dyn Fn() + Sync)>,
    /// Once set, units not yet started are skipped and the call returns without a result.
    pub stop: Option<&'a AtomicBool>,
}

impl Control<'_> {
    /// Whether the stop flag is set.
    pub fn stopped(&self) -> bool {
        self.stop.is_some_and(|s| s.load(Ordering::Relaxed))
    }

    /// Reports one unit of work done.
    pub fn tick(&self) {
        if let Some(progress) = self.progress {
            progress();
        }
    }
}

/// The plot options of a command that draws: `--format`, `--lang`, `--no-plots`.
#[derive(Debug, Clone)]
pub struct PlotRequest {
    /// `png`, `svg`, or both as `png,svg`.
    pub format: String,
    /// `en` or `zh`.
    pub lang: String,
    pub no_plots: bool,
}

impl Default for PlotRequest {
    fn default() -> PlotRequest {
        PlotRequest {
            format: "png".into(),
            lang: "en".into(),
            no_plots: false,
        }
    }
}

impl PlotRequest {
    /// Checks the options before any work starts.
    pub fn resolve(&self) -> Result<PlotOptions, InputError> {
        let formats = Format::parse_list(&self.format)?;
        Ok(PlotOptions {
            formats: if self.no_plots { Vec::new() } else { formats },
            lang: Lang::parse(&self.lang)?,
        })
    }
}
