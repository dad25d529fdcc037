//! The command line: flags as close to what the user typed as possible (clap), turned into a
//! validated plan before any work starts. One file per command.

pub mod calibrate;
pub mod compare;
pub mod did;
pub mod experiment;
pub mod lesson;
pub mod plots;
pub mod run;
pub mod sensitivity;
pub mod serve;
pub mod sweep;

use std::path::{Path, PathBuf};

use clap::{Args, Parser, Subcommand};
use indicatif::{ProgressBar, ProgressStyle};

use crate::api::{self, Control, Overrides, ScenarioSource};
use crate::error::InputError;
use crate::i18n::Lang;
use crate::report::listing;
use crate::run::RunResult;
use crate::scenario::Scenario;

pub use crate::error::{EXIT_BAD_INPUT, EXIT_FAILURE, EXIT_INTERRUPTED};

#[derive(Parser, Debug)]
#[command(
    name = "cadre-sim",
    version,
    about = "Agent-based simulation of cadre incentives under fault-tolerance regimes (容错纠错机制)",
    long_about = "Agent-based simulation of cadre incentives under fault-tolerance and \
                  error-correction regimes (容错纠错机制), after Cheng Weijie (2023), Governance \
                  Studies 39(4).\n\nExit codes: 0 success, 1 failure while working, 2 bad input, \
                  130 stopped by Ctrl-C.",
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
    /// Fit parameters to observed targets (ABC-SMC): posterior, checks, report.html.
    Calibrate(calibrate::CalibrateArgs),
    /// Assemble the results of a sweep run as shards (e.g. a Slurm job array).
    Merge(sweep::MergeArgs),
    /// A staggered rollout across places: DiD estimates against the true effect.
    Experiment(experiment::ExperimentArgs),
    /// Difference-in-differences on your own panel: TWFE, event study, Callaway–Sant'Anna,
    /// Sun–Abraham.
    Did(did::DidArgs),
}

impl Command {
    /// Runs the command: each one is a thin layer over the library.
    pub fn execute(&self) -> anyhow::Result<()> {
        match self {
            Command::Run(args) => run::execute(args),
            Command::Scenarios => print_text(listing::scenarios()?),
            Command::Params => print_text(listing::params()),
            Command::Show(args) => print_text(args.resolve()?.to_toml()),
            Command::Compare(args) => compare::execute(args),
            Command::Lesson(args) => lesson::execute(args),
            Command::Serve(args) => serve::execute(args),
            Command::Sweep(args) => sweep::execute(args),
            Command::Sensitivity(args) => sensitivity::execute(args),
            Command::Merge(args) => sweep::execute_merge(args),
            Command::Experiment(args) => experiment::execute(args),
            Command::Did(args) => did::execute(args),
            Command::Calibrate(args) => calibrate::execute(args),
        }
    }
}

/// Prints a listing (`scenarios`, `params`, `show`).
fn print_text(text: String) -> anyhow::Result<()> {
    print!("{text}");
    Ok(())
}

/// What to change in a scenario on the command line: `--set`, `--replicates`, `--steps`,
/// `--seed`. Declared once for every command that runs scenarios.
#[derive(Args, Debug, Clone)]
pub struct OverrideArgs {
    /// Override any parameter, e.g. `--set regime.detect=0.8` (repeatable; in every scenario).
    #[arg(long = "set", value_name = "KEY=VALUE")]
    pub set: Vec<String>,
    /// Number of replicates (overrides run.replicates).
    #[arg(long, value_name = "N")]
    pub replicates: Option<u64>,
    /// Number of steps (overrides run.steps).
    #[arg(long, value_name = "T")]
    pub steps: Option<u64>,
    /// Master seed (overrides run.seed; scenarios run together share it).
    #[arg(long, value_name = "S")]
    pub seed: Option<u64>,
}

impl OverrideArgs {
    /// The flags as the library's request.
    pub fn request(&self) -> Overrides {
        Overrides {
            set: self.set.clone(),
            replicates: self.replicates,
            steps: self.steps,
            seed: self.seed,
        }
    }

    /// Loads `reference`, applies `--set` overrides and the run flags, and validates.
    pub fn resolve(&self, reference: &str) -> Result<Scenario, InputError> {
        self.request().resolve(reference)
    }
}

/// Which scenario, and what to change in it.
#[derive(Args, Debug, Clone)]
pub struct ScenarioArgs {
    /// A built-in scenario name (see `cadre-sim scenarios`) or a path to a .toml file.
    pub scenario: String,
    #[command(flatten)]
    pub overrides: OverrideArgs,
}

impl ScenarioArgs {
    /// Where the scenario comes from.
    pub fn source(&self) -> ScenarioSource {
        ScenarioSource::Reference(self.scenario.clone())
    }

    /// Loads the scenario and applies every override, then validates the whole.
    pub fn resolve(&self) -> Result<Scenario, InputError> {
        self.overrides.resolve(&self.scenario)
    }
}

/// How the replicates of `run`, `compare` and `lesson` run and are reported: threads,
/// final window, `--force`, `--quiet`. Declared once.
#[derive(Args, Debug, Clone)]
pub struct ExecArgs {
    /// Worker threads (default: all cores). Results do not depend on it.
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u16).range(1..))]
    pub threads: Option<u16>,
    /// Final steps averaged [default: 10, or all steps of a shorter run].
    #[arg(long, value_name = "W")]
    pub window: Option<u32>,
    /// Replace results already in the output folder.
    #[arg(long)]
    pub force: bool,
    /// No progress bar.
    #[arg(long, short)]
    pub quiet: bool,
}

impl ExecArgs {
    /// Threads and a progress bar's tick, for the library's calls.
    pub fn control<'a>(&self, tick: &'a (dyn Fn() + Sync)) -> Control<'a> {
        Control {
            threads: self.threads.map(usize::from),
            progress: Some(tick),
            stop: None,
        }
    }

    /// Runs every scenario in order, replicates in parallel, with one progress bar over all
    /// of them.
    pub fn run_all(&self, scenarios: &[Scenario]) -> Vec<RunResult> {
        let total: u64 = scenarios.iter().map(|s| s.run.replicates as u64).sum();
        let bar = progress_bar(total, self.quiet, "replicates");
        let tick = || bar.inc(1);
        let results = api::run::run_all(scenarios, &self.control(&tick))
            .expect("without a stop flag every scenario runs");
        bar.finish_and_clear();
        results
    }
}

/// A progress bar over `len` units on a terminal; hidden when `quiet` or not a terminal.
pub fn progress_bar(len: u64, quiet: bool, what: &str) -> ProgressBar {
    if quiet {
        return ProgressBar::hidden();
    }
    let bar = ProgressBar::new(len);
    bar.set_style(
        ProgressStyle::with_template(&format!(
            "{{spinner}} {{bar:40}} {{pos}}/{{len}} {what} [{{elapsed_precise}}, eta {{eta}}]"
        ))
        .expect("valid template"),
    );
    bar
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
