//! `cadre-sim calibrate`: fit free parameters to observed targets with ABC-SMC. A thin
//! layer: load the file, open the folder (resuming from its checkpoint), run the
//! generations on all cores, and write the results, plots and report.

use std::io::IsTerminal;
use std::path::PathBuf;

use clap::Args;
use indicatif::{ProgressBar, ProgressStyle};

use super::default_out;
use super::plots::PlotArgs;
use crate::api::calibrate::{CalibrateRequest, CalibrationSource, Folder, Hooks, NO_POSTERIOR};
use crate::api::{self, Control};
use crate::calibrate::file;
use crate::calibrate::smc::Generation;
use crate::sweep::file::RunOverrides;

/// The file whose presence marks a finished calibration.
pub use crate::api::calibrate::SUMMARY_CSV;

#[derive(Args, Debug)]
#[command(
    after_help = "Calibration files: see docs/calibrate.md and scenarios/calibration/. Killed? \
    Run the same command again: finished generations are kept (checkpoint.json) and the \
    results are the same as an uninterrupted run's."
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
    /// Most generations (overrides the file's `max_generations`).
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
    let bar = generation_bar(plan.settings.particles as u64, args.quiet);
    let tick = |kept: usize| bar.set_position(kept as u64);
    let generation = |g: &Generation| {
        report_generation(&bar, g, args.quiet);
        bar.set_position(0);
    };
    let resuming = |done: usize| {
        if !args.quiet {
            eprintln!("resuming {} after generation {}", plan.name, done - 1);
        }
    };
    let control = Control {
        threads: args.threads.map(usize::from),
        ..Control::default()
    };
    let folder = Folder {
        out: &out,
        force: args.force,
        plots: &plots,
    };
    let hooks = Hooks {
        particles: &tick,
        generation: &generation,
        resuming: &resuming,
    };
    let done = api::calibrate::calibrate(&plan, Some(&folder), &control, &hooks)?;
    bar.finish_and_clear();
    let Some(done) = done else {
        anyhow::bail!("{NO_POSTERIOR}");
    };
    let agent_steps = done.simulated_here * plan.agent_steps_per_simulation();
    println!(
        "calibrate {}: {} generations, {} particles, stopped: {}; {} simulations in {:.1} s \
         ({:.1} M agent-steps/s)",
        plan.name,
        done.generations.len(),
        done.generations.last().map_or(0, |g| g.particles.len()),
        done.stop.name(),
        done.simulated_here,
        done.seconds,
        agent_steps as f64 / done.seconds.max(1e-9) / 1e6
    );
    for line in &done.reading {
        println!("- {line}");
    }
    println!("results in {}", out.display());
    Ok(())
}

/// A bar over one generation's particles on a terminal; hidden otherwise (plain lines after
/// each generation say how it went).
fn generation_bar(particles: u64, quiet: bool) -> ProgressBar {
    if quiet || !std::io::stderr().is_terminal() {
        return ProgressBar::hidden();
    }
    let bar = ProgressBar::new(particles);
    bar.set_style(
        ProgressStyle::with_template(
            "{spinner} {pos}/{len} particles [{elapsed_precise}] {wide_bar}",
        )
        .expect("valid template"),
    );
    bar
}

/// One line per finished generation, on stderr.
fn report_generation(bar: &ProgressBar, g: &Generation, quiet: bool) {
    if quiet {
        return;
    }
    let epsilon = if g.epsilon.is_finite() {
        format!("{:.3}", g.epsilon)
    } else {
        "∞ (prior sample)".into()
    };
    bar.suspend(|| {
        eprintln!(
            "generation {}: ε = {epsilon}, {} of {} proposals accepted ({:.1}%)",
            g.index,
            g.particles.len(),
            g.proposals,
            100.0 * g.acceptance_rate()
        )
    });
}
