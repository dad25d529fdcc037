//! `cadre-sim sensitivity`: global sensitivity analysis (Morris or Sobol) of chosen metrics
//! to chosen parameters, run on the sweep machinery, so it resumes, shards and runs on Slurm.

use std::path::PathBuf;

use clap::Args;

use super::default_out;
use super::sweep::{JobArgs, RunOverrideArgs, write_slurm_script};
use crate::api::{
    self,
    sensitivity::{SensitivityRequest, SensitivitySource},
};
use crate::output::Producer;
use crate::report::markdown;

/// The file whose presence marks a finished analysis.
pub use crate::api::sensitivity::INDICES_CSV;

#[derive(Args, Debug)]
#[command(
    after_help = "Sensitivity files: see docs/sensitivity.md and scenarios/sensitivity/. \
    Killed? Run the same command again: finished points are kept. Sharded (--shard, --slurm)? \
    After `cadre-sim merge DIR`, run this command again to analyse."
)]
pub struct SensitivityArgs {
    /// The sensitivity file (TOML: base scenario, method, metrics, [[parameter]] ranges).
    pub file: PathBuf,
    /// Output folder [default: output/<name>].
    #[arg(long, value_name = "DIR")]
    pub out: Option<PathBuf>,
    #[command(flatten)]
    pub run: RunOverrideArgs,
    #[command(flatten)]
    pub job: JobArgs,
}

impl SensitivityArgs {
    /// The file and its overrides as the library's request.
    pub fn request(&self) -> SensitivityRequest {
        SensitivityRequest {
            source: SensitivitySource::File(self.file.clone()),
            overrides: self.run.overrides(),
        }
    }
}

pub fn execute(args: &SensitivityArgs) -> anyhow::Result<()> {
    let resolved = args.request().resolve()?;
    let plots = args.job.plots.resolve()?;
    let plan = &resolved.plan;
    let out = args.out.clone().unwrap_or_else(|| default_out(&plan.name));
    if let Some(tasks) = args.job.slurm {
        return write_slurm_script(
            Producer::Sensitivity,
            &args.file,
            &resolved.sweep,
            &out,
            &args.job,
            &args.run.flags(),
            tasks,
        );
    }
    let done = api::sensitivity::into_folder(
        &resolved,
        &out,
        &args.job.options(false, Producer::Sensitivity),
        &plots,
    )?;
    let outcome = &done.outcome;
    println!(
        "sensitivity {} ({}): {} points × {} replicates; computed {}",
        plan.name,
        plan.method.name(),
        outcome.share,
        plan.base.run.replicates,
        outcome.computed
    );
    let Some(analysis) = &done.analysis else {
        println!(
            "shard done; when every shard has finished: cadre-sim merge {}, then run this \
             command again (without --shard) to analyse",
            outcome.store.path().display()
        );
        return Ok(());
    };
    print!("{}", markdown::sensitivity_table(plan, &analysis.indices));
    println!("results in {}", outcome.store.path().display());
    Ok(())
}
