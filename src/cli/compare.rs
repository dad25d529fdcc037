//! `cadre-sim compare`: several regimes run with common random numbers, compared by paired
//! replicate differences; writes comparison.csv, timeseries.csv, plots and report.html and
//! prints the comparison as a Markdown table.

use std::path::PathBuf;

use anyhow::Context;
use clap::Args;

use super::plots::PlotArgs;
use super::{ExecArgs, OverrideArgs, default_out_in, reference_stem};
use crate::api::ScenarioSource;
use crate::api::run::CompareRequest;
use crate::compare::Comparison;
use crate::error::InputError;
use crate::model::Metric;
use crate::output::{OutputDir, Producer, data};
use crate::report;
use crate::run::RunResult;
use crate::scenario::Scenario;

/// The flags of a command that runs several scenarios together (`compare`, `lesson`): the
/// same overrides in every one, and how they run.
#[derive(Args, Debug, Clone)]
pub struct SharedRunArgs {
    #[command(flatten)]
    pub overrides: OverrideArgs,
    #[command(flatten)]
    pub exec: ExecArgs,
}

impl SharedRunArgs {
    /// The flags, for the scenarios `names` (none: the headline three), as the library's
    /// request.
    pub fn request(&self, names: &[&str]) -> CompareRequest {
        CompareRequest {
            scenarios: names
                .iter()
                .map(|n| ScenarioSource::Reference(n.to_string()))
                .collect(),
            overrides: self.overrides.request(),
            window: self.exec.window,
        }
    }

    /// Loads every scenario with the overrides, checks they share a run (common random
    /// numbers), and returns them with the final window (`--window`, checked, or its default).
    pub fn resolve(&self, names: &[&str]) -> Result<(Vec<Scenario>, u32), InputError> {
        self.request(names).resolve()
    }

    /// Runs every scenario in order with one progress bar over all replicates.
    pub fn run_all(&self, scenarios: &[Scenario]) -> Vec<RunResult> {
        self.exec.run_all(scenarios)
    }
}

#[derive(Args, Debug)]
pub struct CompareArgs {
    /// Scenarios to compare, built-in names or .toml files; the first is the baseline
    /// [default: strict_accountability nominal_tolerance optimized_path].
    pub scenarios: Vec<String>,
    #[command(flatten)]
    pub run: SharedRunArgs,
    /// Output folder [default: output/compare for the headline regimes, else
    /// output/compare_<A>_vs_<B>...; with `_zh` after it for --lang zh].
    #[arg(long, value_name = "DIR")]
    pub out: Option<PathBuf>,
    #[command(flatten)]
    pub plots: PlotArgs,
}

pub fn execute(args: &CompareArgs) -> anyhow::Result<()> {
    let names: Vec<&str> = args.scenarios.iter().map(String::as_str).collect();
    let (scenarios, window) = args.run.resolve(&names)?;
    let plots = args.plots.resolve()?;
    let out_path = args.out.clone().unwrap_or_else(|| {
        // The headline comparison is `compare`; any other is named after its scenarios.
        let name = if args.scenarios.is_empty() {
            "compare".to_string()
        } else {
            let stems: Vec<String> = args
                .scenarios
                .iter()
                .zip(&scenarios)
                .map(|(reference, s)| reference_stem(reference, s))
                .collect();
            format!("compare_{}", stems.join("_vs_"))
        };
        default_out_in(&name, plots.lang)
    });
    let out = OutputDir::prepare(&out_path, Producer::Compare, args.run.exec.force)?;

    let results = args.run.run_all(&scenarios);
    let comparison = Comparison::of(&results, window);
    let refs: Vec<&RunResult> = results.iter().collect();
    let write = |name: &str, bytes: &[u8]| {
        out.write(name, bytes)
            .with_context(|| format!("writing {}", out.path().join(name).display()))
    };
    write("timeseries.csv", &data::timeseries_csv(&refs))?;
    report::write_compare_report(&out, &results, &comparison, &plots)?;
    write(Producer::Compare.marker(), &comparison.csv())?;
    out.finish(|_| false)
        .context("removing the earlier comparison's files that this one did not replace")?;

    println!(
        "\nFinal-window means (last {} of {} steps, {} replicates, common random numbers); \
         Δ: paired difference against {} with its 95% CI\n",
        comparison.window, scenarios[0].run.steps, comparison.replicates, scenarios[0].name
    );
    print!("{}", comparison.markdown(plots.lang, &Metric::ALL));
    println!();
    for sentence in report::comparison_reading(&comparison, plots.lang, &[Metric::Initiative]) {
        println!("{sentence}");
    }
    println!("\nResults in {}", out.path().display());
    Ok(())
}
