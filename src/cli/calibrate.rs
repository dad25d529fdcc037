//! `cadre-sim calibrate`: fit free parameters to observed targets with ABC-SMC. A thin
//! layer: load the file, open the folder (resuming from its checkpoint), run the
//! generations on all cores, and write the results, plots and report.

use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::{AtomicI64, Ordering};

use clap::Args;

use super::default_out;
use super::plots::PlotArgs;
use crate::api::calibrate::{CalibrateRequest, CalibrationSource};
use crate::calibrate::{file, folder};
use crate::error::EXIT_INTERRUPTED;
use crate::sweep::file::RunOverrides;

/// The file whose presence marks a finished calibration.
pub const SUMMARY_CSV: &str = folder::SUMMARY_CSV;

#[derive(Args, Debug)]
#[command(
    after_help = "Calibration files: see docs/calibrate.md and scenarios/calibration/. Killed or \
    Ctrl-C? Run the same command again: finished generations are kept (checkpoint.json) and \
    the results are the same as an uninterrupted run's. Finished, but not converged? Ask for \
    more with --generations G: the run continues from its last generation."
)]
pub struct CalibrateArgs {
    /// The calibration file (TOML: base scenario, [[parameter]] priors, [[target]]s).
    pub file: PathBuf,
    /// Output folder [default: output/<name>].
    #[arg(long, value_name = "DIR")]
    pub out: Option<PathBuf>,
    /// Steps of every simulation (overrides the file's `steps`).
    #[arg(long, value_name = "T")]
    pub steps: Option<u64>,
    /// Replicates per particle (overrides the file's `replicates`).
    #[arg(long, value_name = "N")]
    pub replicates: Option<u64>,
    /// Particles per generation (overrides the file's `particles`).
    #[arg(long, value_name = "N")]
    pub particles: Option<u64>,
    /// Most generations (overrides the file's `max_generations`). More than a finished
    /// run's continues it from its checkpoint.
    #[arg(long, value_name = "G")]
    pub generations: Option<u64>,
    /// Worker threads (default: all cores). Results do not depend on it.
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u16).range(1..))]
    pub threads: Option<u16>,
    /// Start over: discard the checkpoint and results in the output folder.
    #[arg(long)]
    pub force: bool,
    /// No progress bar or progress lines.
    #[arg(long, short)]
    pub quiet: bool,
    #[command(flatten)]
    pub plots: PlotArgs,
}

impl CalibrateArgs {
    /// The file and its overrides as the library's request.
    pub fn request(&self) -> CalibrateRequest {
        CalibrateRequest {
            source: CalibrationSource::File(self.file.clone()),
            overrides: file::Overrides {
                run: RunOverrides {
                    steps: self.steps,
                    replicates: self.replicates,
                },
                particles: self.particles,
                generations: self.generations,
            },
        }
    }
}

pub fn execute(args: &CalibrateArgs) -> anyhow::Result<()> {
    let plan = args.request().resolve()?;
    let plots = args.plots.resolve()?;
    let out = args.out.clone().unwrap_or_else(|| default_out(&plan.name));
    let finished = Arc::new(AtomicI64::new(-1));
    let seen = finished.clone();
    // The checkpoint is written atomically after each generation: stopping at once loses
    // only the generation in flight, and the same command resumes after the last one.
    // Fails only if a handler is already installed (another command in this process).
    let _ = ctrlc::set_handler(move || {
        let k = seen.load(Ordering::SeqCst);
        if k < 0 {
            eprintln!(
                "\nstopped before generation 0 finished; rerun the same command to start again"
            );
        } else {
            eprintln!("\nstopped after generation {k}; rerun the same command to resume");
        }
        std::process::exit(i32::from(EXIT_INTERRUPTED));
    });
    let options = folder::Options {
        out,
        threads: args.threads.map(usize::from),
        force: args.force,
        quiet: args.quiet,
        plots,
        finished: Some(finished),
    };
    let outcome = folder::run(&plan, &options)?;
    let posterior = outcome.generations.last().expect("a posterior");
    let agent_steps = outcome.simulated_here / plan.simulations_per_proposal().max(1)
        * plan.agent_steps_per_proposal();
    println!(
        "calibrate {}: {} generations, {} particles, stopped: {}; {} simulations in {} \
         ({:.1} M agent-steps/s)",
        plan.name,
        outcome.generations.len(),
        posterior.particles.len(),
        outcome.stop.name(),
        outcome.simulated_here,
        folder::duration_text(outcome.seconds),
        agent_steps as f64 / outcome.seconds.max(1e-9) / 1e6
    );
    // The terminal reads English whatever the report's language.
    let (warnings, reading) = (&outcome.warnings, &outcome.reading);
    for line in warnings {
        println!("warning: {line}");
    }
    for line in reading {
        println!("- {line}");
    }
    println!("results in {}", options.out.display());
    Ok(())
}
