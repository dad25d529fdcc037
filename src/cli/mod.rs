//! The command line: flags as close to what the user typed as possible (clap), turned into a
//! validated plan before any work starts. One file per command.

pub mod compare;
pub mod info;
pub mod lesson;
pub mod plots;
pub mod run;
pub mod sensitivity;
pub mod serve;
pub mod sweep;

use std::path::{Path, PathBuf};

use clap::{Args, Parser, Subcommand};

use crate::i18n::Lang;
use crate::scenario::{InputError, Scenario};

/// Exit code of a run that failed on bad input (a flag, a scenario file, an output folder).
pub const EXIT_BAD_INPUT: u8 = 2;
/// Exit code of a run that failed while working (e.g. a disk filled up while writing).
pub const EXIT_FAILURE: u8 = 1;
/// Exit code of a run stopped by Ctrl-C (128 + SIGINT, as shells report it).
pub const EXIT_INTERRUPTED: u8 = 130;

#[derive(Parser, Debug)]
#[command(
    name = "cadre-sim",
    version,
    about = "Agent-based simulation of cadre incentives under fault-tolerance regimes (容错纠错机制)",
    long_about = "Agent-based simulation of cadre incentives under fault-tolerance and \
                  error-correction regimes (容错纠错机制), after Cheng Weijie (2023), Governance \
                  Studies 39(4).\n\nExit codes: 0 success, 1 failure while working, 2 bad input.",
    after_help = "Start with `cadre-sim scenarios`, then `cadre-sim run optimized_path`."
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Subcommand, Debug)]
pub enum Command {
    /// Run one scenario's replicates and write its time series and summary.
    Run(run::RunArgs),
    /// List the built-in scenarios with their descriptions.
    Scenarios,
    /// List every parameter: default, allowed range, meaning and the paper's concept.
    Params,
    /// Print a scenario fully resolved, as TOML; running the saved file reproduces the run.
    Show(ScenarioArgs),
    /// Compare regimes with common random numbers: paired differences, plots, report.html.
    Compare(compare::CompareArgs),
    /// Write a six-step lesson on the paper (report.html with plots), in English or Chinese.
    Lesson(lesson::LessonArgs),
    /// Classroom mode: a live web page to project and play with (http://127.0.0.1:8080/).
    Serve(serve::ServeArgs),
    /// Run a sweep file: a grid or sample of scenarios, resumable, shardable (Slurm).
    Sweep(sweep::SweepArgs),
    /// Global sensitivity analysis (Morris or Sobol) of metrics to parameters.
    Sensitivity(sensitivity::SensitivityArgs),
    /// Assemble the results of a sweep run as shards (e.g. a Slurm job array).
    Merge(sweep::MergeArgs),
}

/// Which scenario, and what to change in it.
#[derive(Args, Debug, Clone)]
pub struct ScenarioArgs {
    /// A built-in scenario name (see `cadre-sim scenarios`) or a path to a .toml file.
    pub scenario: String,
    /// Override any parameter, e.g. `--set regime.detect=0.8` (repeatable).
    #[arg(long = "set", value_name = "KEY=VALUE")]
    pub set: Vec<String>,
    /// Number of replicates (overrides run.replicates).
    #[arg(long, value_name = "N")]
    pub replicates: Option<u64>,
    /// Number of steps (overrides run.steps).
    #[arg(long, value_name = "T")]
    pub steps: Option<u64>,
    /// Master seed (overrides run.seed).
    #[arg(long, value_name = "S")]
    pub seed: Option<u64>,
}

impl ScenarioArgs {
    /// Loads the scenario and applies every override, then validates the whole.
    pub fn resolve(&self) -> Result<Scenario, InputError> {
        resolve_scenario(
            &self.scenario,
            &self.set,
            self.replicates,
            self.steps,
            self.seed,
        )
    }
}

/// Loads `reference`, applies `--set` overrides and the run flags, and validates.
pub fn resolve_scenario(
    reference: &str,
    set: &[String],
    replicates: Option<u64>,
    steps: Option<u64>,
    seed: Option<u64>,
) -> Result<Scenario, InputError> {
    let mut scenario = Scenario::load(reference)?;
    for assignment in set {
        scenario.apply_override(assignment)?;
    }
    for (flag, key, value) in [
        ("--replicates", "run.replicates", replicates),
        ("--steps", "run.steps", steps),
        ("--seed", "run.seed", seed),
    ] {
        if let Some(v) = value {
            scenario
                .apply_override(&format!("{key}={v}"))
                .map_err(|e| InputError::new(flag, e.message))?;
        }
    }
    scenario.validate()?;
    Ok(scenario)
}

/// The default output folder of a command: `output/<name>`.
pub fn default_out(name: &str) -> PathBuf {
    PathBuf::from("output").join(name)
}

/// The default output folder of a command whose results are in a language (a report):
/// `output/<name>`, and `output/<name>_zh` in Chinese, so that the same command in the other
/// language does not meet the first one's results. (A sweep's folder is the same in both:
/// its data do not depend on the language, and a rerun redraws the plots.)
pub fn default_out_in(name: &str, lang: Lang) -> PathBuf {
    match lang {
        Lang::En => default_out(name),
        Lang::Zh => default_out(&format!("{name}_zh")),
    }
}

/// What a scenario reference is called in folder names: a built-in scenario's name, or a
/// file's stem, so that `show X > my.toml` then `run my.toml` does not land in X's folder.
pub fn reference_stem(reference: &str, scenario: &Scenario) -> String {
    let path = Path::new(reference);
    match path.file_stem() {
        Some(stem) if path.is_file() => stem.to_string_lossy().into_owned(),
        _ => scenario.name.clone(),
    }
}
