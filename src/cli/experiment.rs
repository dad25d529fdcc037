//! `cadre-sim experiment`: a staggered rollout across places, each replicate run with and
//! without adoption on the same random numbers, every DiD estimator on the observed panel,
//! and the estimates set against the truth. The work is [`crate::experiment`]'s; this
//! module reads flags and writes the folder.

use std::path::PathBuf;
use std::time::Instant;

use anyhow::Context;
use clap::{Args, ValueEnum};

use super::plots::PlotArgs;
use super::{ExecArgs, ScenarioArgs, default_out_in, progress_bar, reference_stem};
use crate::api::{self, experiment::ExperimentRequest};
use crate::output::{OutputDir, Producer};

/// The comparison group of Callaway–Sant'Anna.
#[derive(ValueEnum, Debug, Clone, Copy)]
pub enum ControlArg {
    Nevertreated,
    Notyettreated,
}

#[derive(Args, Debug)]
pub struct ExperimentArgs {
    /// A scenario with [places] and a [rollout] (see scenarios/experiments/).
    #[command(flatten)]
    pub scenario: ScenarioArgs,
    #[command(flatten)]
    pub exec: ExecArgs,
    /// The place-level outcome the estimators run on: initiative, error_rate,
    /// correction_rate, tolerance_rate, mean_belief, social_value_per_cadre, lying_flat.
    #[arg(long, default_value = "initiative", value_name = "NAME")]
    pub outcome: String,
    /// Callaway–Sant'Anna's comparison group.
    #[arg(long, value_enum, default_value = "nevertreated")]
    pub control: ControlArg,
    /// TWFE event study: leads at or before -N are binned.
    #[arg(long, default_value_t = 6, value_name = "N")]
    pub leads: u32,
    /// TWFE event study: lags at or after N are binned.
    #[arg(long, default_value_t = 12, value_name = "N")]
    pub lags: u32,
    /// Callaway–Sant'Anna's multiplier bootstrap draws per replicate (0: analytic SEs).
    #[arg(long, default_value_t = 199, value_name = "B")]
    pub bootstrap: u32,
    /// Output folder [default: output/<scenario>, with `_zh` for --lang zh].
    #[arg(long, value_name = "DIR")]
    pub out: Option<PathBuf>,
    #[command(flatten)]
    pub plots: PlotArgs,
}

impl ExperimentArgs {
    /// The flags as the library's request.
    pub fn request(&self) -> ExperimentRequest {
        // The flag's own name is the comparison group's key (`nevertreated`, ...).
        let control = self
            .control
            .to_possible_value()
            .expect("every variant has a name");
        ExperimentRequest {
            scenario: self.scenario.source(),
            overrides: self.scenario.overrides.request(),
            outcome: self.outcome.clone(),
            control: control.get_name().to_string(),
            leads: self.leads,
            lags: self.lags,
            bootstrap: self.bootstrap,
        }
    }
}

pub fn execute(args: &ExperimentArgs) -> anyhow::Result<()> {
    let start = Instant::now();
    let (scenario, options) = args.request().resolve()?;
    let plots = args.plots.resolve()?;
    let out_path = args.out.clone().unwrap_or_else(|| {
        default_out_in(
            &reference_stem(&args.scenario.scenario, &scenario),
            plots.lang,
        )
    });
    let out = OutputDir::prepare(&out_path, Producer::Experiment, args.exec.force)?;

    let bar = progress_bar(
        scenario.run.replicates as u64,
        args.exec.quiet,
        "replicates",
    );
    let tick = || bar.inc(1);
    let (result, timing) = api::experiment::experiment_into(
        &out,
        &scenario,
        &options,
        &args.exec.control(&tick),
        &plots,
    )?
    .expect("without a stop flag every replicate runs");
    bar.finish_and_clear();
    out.finish(|_| false)
        .context("removing the earlier experiment's files that this one did not replace")?;
    print!(
        "{}",
        crate::report::experiment::summary_table(&result, &result.assessment)
    );
    let work = &result.work;
    println!(
        "{} replicates x 2 worlds simulated, estimated and written in {:.2} s on {} threads \
         (thread time: simulating {:.2} s, estimating {:.2} s, writing rows {:.2} s); \
         summaries, plots and report {:.2} s; {:.2} s in all; results in {}",
        scenario.run.replicates,
        timing.seconds,
        timing.threads,
        work.simulating_thread_seconds,
        work.estimating_thread_seconds,
        work.writing_thread_seconds,
        start.elapsed().as_secs_f64() - timing.seconds,
        start.elapsed().as_secs_f64(),
        out.path().display()
    );
    Ok(())
}
