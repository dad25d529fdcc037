//! `cadre-sim sensitivity`: global sensitivity analysis (Morris or Sobol) of chosen metrics
//! to chosen parameters, run on the sweep machinery, so it resumes, shards and runs on Slurm.

use std::path::PathBuf;

use anyhow::Context;
use clap::Args;

use super::default_out;
use super::sweep::{JobArgs, RunOverrideArgs, write_slurm_script};
use crate::output::Producer;
use crate::plot::sensitivity_plots::sensitivity_figure;
use crate::plot::write_figures;
use crate::report::markdown;
use crate::sensitivity::{self, file};
use crate::sweep::{self, SweepResults};

/// The file whose presence marks a finished analysis.
pub const INDICES_CSV: &str = Producer::Sensitivity.marker();

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

pub fn execute(args: &SensitivityArgs) -> anyhow::Result<()> {
    let plan = file::load(&args.file, &args.run.overrides())?;
    let plots = args.job.plots.resolve()?;
    let unit = plan.unit_design();
    let sweep_plan = plan.sweep_plan(&unit)?;
    let out = args.out.clone().unwrap_or_else(|| default_out(&plan.name));
    if let Some(tasks) = args.job.slurm {
        return write_slurm_script(
            Producer::Sensitivity,
            &args.file,
            &sweep_plan,
            &out,
            &args.job,
            &args.run.flags(),
            tasks,
        );
    }
    let outcome = sweep::run(
        &sweep_plan,
        &out,
        &args.job.options(false, Producer::Sensitivity),
    )?;
    println!(
        "sensitivity {} ({}): {} points × {} replicates; computed {}",
        plan.name,
        plan.method.name(),
        outcome.share,
        plan.base.run.replicates,
        outcome.computed
    );
    if outcome.assembled.is_none() {
        println!(
            "shard done; when every shard has finished: cadre-sim merge {}, then run this \
             command again (without --shard) to analyse",
            outcome.store.path().display()
        );
        return Ok(());
    }

    let results = SweepResults::of(&outcome.store)?;
    let analysis = plan.analyze(&unit, &results);
    let dir = outcome.store.dir();
    let salib = dir.claim("salib")?;
    std::fs::create_dir_all(&salib).with_context(|| format!("creating {}", salib.display()))?;
    for (name, bytes) in sensitivity::salib_files(&plan, &sweep_plan, &results) {
        let path = salib.join(&name);
        crate::output::write_atomic(&path, &bytes)
            .with_context(|| format!("writing {}", path.display()))?;
    }
    let figures: Vec<_> = analysis
        .iter()
        .filter_map(|m| {
            sensitivity_figure(&plan, m, results.summaries.len(), plots.lang)
                .map(|f| (format!("sensitivity_{}", m.metric.name()), f))
        })
        .collect();
    write_figures(dir, &figures, &plots)?;
    dir.write(INDICES_CSV, &sensitivity::indices_csv(&plan, &analysis))
        .context("writing indices.csv")?;
    // Charts of an earlier analysis in another --format or --lang are stale now.
    dir.finish(|name| !name.starts_with("sensitivity_"))
        .context("removing the earlier analysis's charts")?;
    print!("{}", markdown::sensitivity_table(&plan, &analysis));
    println!("results in {}", dir.path().display());
    Ok(())
}
