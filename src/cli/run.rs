//! `cadre-sim run`: one scenario's replicates, their time series and summary.

use std::path::PathBuf;

use anyhow::Context;
use clap::Args;

use super::plots::PlotArgs;
use super::{ExecArgs, ScenarioArgs, default_out_in, reference_stem};
use crate::api::run::RunRequest;
use crate::output::{OutputDir, Producer, data};
use crate::report::markdown;

#[derive(Args, Debug)]
pub struct RunArgs {
    #[command(flatten)]
    pub scenario: ScenarioArgs,
    #[command(flatten)]
    pub exec: ExecArgs,
    /// Also write replicates.csv: every metric of every step of every replicate.
    #[arg(long)]
    pub raw: bool,
    /// Output folder [default: output/<scenario> (a file's name without .toml), with `_zh`
    /// after it for --lang zh].
    #[arg(long, value_name = "DIR")]
    pub out: Option<PathBuf>,
    /// Also write worldview.gif: the world view of replicate 0 over time, for slides.
    #[arg(long)]
    pub gif: bool,
    #[command(flatten)]
    pub plots: PlotArgs,
}

impl RunArgs {
    /// The flags as the library's request.
    pub fn request(&self) -> RunRequest {
        RunRequest {
            scenario: self.scenario.source(),
            overrides: self.scenario.overrides.request(),
            window: self.exec.window,
        }
    }
}

pub fn execute(args: &RunArgs) -> anyhow::Result<()> {
    let (scenario, window) = args.request().resolve()?;
    let plots = args.plots.resolve()?;
    let out_path = args.out.clone().unwrap_or_else(|| {
        default_out_in(
            &reference_stem(&args.scenario.scenario, &scenario),
            plots.lang,
        )
    });
    let out = OutputDir::prepare(&out_path, Producer::Run, args.exec.force)?;
    let result = args
        .exec
        .run_all(std::slice::from_ref(&scenario))
        .pop()
        .expect("one scenario, one result");

    if args.gif {
        // Before write_run, so that summary.json, the mark of a complete result, comes last.
        crate::worldview::gif::write_world_gif(&scenario, &out)?.report();
    }
    crate::report::write_run_report(&out, &result, window, &plots)?;
    data::write_run(&out, &result, window, args.raw)?;
    out.finish(|_| false)
        .context("removing the earlier run's files that this run did not replace")?;
    print!("{}", markdown::final_window_table(&result, window));
    println!(
        "{} agent-steps in {:.2} s ({:.1} million/s on {} threads); results in {}",
        result.timing.agent_steps,
        result.timing.seconds,
        result.timing.agent_steps_per_second / 1e6,
        result.timing.threads,
        out.path().display()
    );
    Ok(())
}
