//! `cadre-sim calibrate`: fit free parameters to observed targets with ABC-SMC. A thin
//! layer: load the file, open the folder (resuming from its checkpoint), run the
//! generations on all cores, and write the results, plots and report.

use std::io::IsTerminal;
use std::path::PathBuf;
use std::time::Instant;

use anyhow::Context;
use clap::Args;
use indicatif::{ProgressBar, ProgressStyle};

use super::default_out;
use super::plots::PlotArgs;
use crate::calibrate::smc::Generation;
use crate::calibrate::{self, CHECKPOINT, Checkpoint, file};
use crate::error::InputError;
use crate::output::{OutputDir, Producer};
use crate::plot::calibrate_plots::calibrate_figures;
use crate::plot::write_figures;
use crate::report::calibrate::CalibrationReport;
use crate::run::in_pool;
use crate::sweep::file::RunOverrides;

/// The file whose presence marks a finished calibration.
pub const SUMMARY_CSV: &str = Producer::Calibrate.marker();

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

pub fn execute(args: &CalibrateArgs) -> anyhow::Result<()> {
    let overrides = file::Overrides {
        run: RunOverrides {
            steps: args.steps,
            replicates: args.replicates,
        },
        particles: args.particles,
        generations: args.generations,
    };
    let plan = file::load(&args.file, &overrides)?;
    let plots = args.plots.resolve()?;
    let out = args.out.clone().unwrap_or_else(|| default_out(&plan.name));
    let mut inspection = OutputDir::check(&out, Producer::Calibrate, args.force)?;
    if args.force {
        inspection
            .discard_earlier(|_| false)
            .with_context(|| format!("clearing {}", out.display()))?;
    }
    let fingerprint = plan.fingerprint();
    let checkpoint_path = out.join(CHECKPOINT);
    let mut checkpoint = match std::fs::read(&checkpoint_path) {
        Ok(bytes) if !args.force => {
            let c: Checkpoint = serde_json::from_slice(&bytes).map_err(|e| {
                InputError::new(
                    checkpoint_path.display().to_string(),
                    format!(
                        "not a checkpoint this version can read ({e}); pass --force to start \
                         over"
                    ),
                )
            })?;
            if c.fingerprint != fingerprint {
                return Err(InputError::new(
                    out.display().to_string(),
                    "this folder holds a calibration of another file or other flags; pass \
                     --force to start over, or choose another folder with --out DIR",
                )
                .into());
            }
            c
        }
        _ => Checkpoint {
            fingerprint: fingerprint.clone(),
            generations: Vec::new(),
            stop: None,
        },
    };
    let dir = inspection.open(&[CHECKPOINT])?;
    let resumed = checkpoint.generations.len();
    if resumed > 0 && checkpoint.stop.is_none() && !args.quiet {
        eprintln!("resuming {} after generation {}", plan.name, resumed - 1);
    }

    let start = Instant::now();
    let per_proposal = plan.simulations_per_proposal();
    let mut simulated_here: u64 = 0;
    let bar = generation_bar(plan.settings.particles as u64, args.quiet);
    let tick = |kept: usize| bar.set_position(kept as u64);
    let stop = match checkpoint.stop {
        Some(stop) => stop,
        None => {
            let mut history = std::mem::take(&mut checkpoint.generations);
            let result = in_pool(args.threads.map(usize::from), || {
                calibrate::calibrate(
                    &plan,
                    &mut history,
                    &tick,
                    |gens: &[Generation], stop| -> anyhow::Result<()> {
                        let c = Checkpoint {
                            fingerprint: fingerprint.clone(),
                            generations: gens.to_vec(),
                            stop,
                        };
                        dir.write(CHECKPOINT, &c.to_bytes())
                            .with_context(|| format!("writing {}", checkpoint_path.display()))?;
                        if let Some(g) = gens.last().filter(|g| g.index as usize >= resumed) {
                            simulated_here += g.simulated * per_proposal;
                            report_generation(&bar, g, args.quiet);
                        }
                        bar.set_position(0);
                        Ok(())
                    },
                )
            });
            let stop = result?;
            checkpoint.generations = history;
            checkpoint.stop = Some(stop);
            stop
        }
    };
    bar.finish_and_clear();
    let generations = &checkpoint.generations;
    let Some(posterior) = generations.last() else {
        anyhow::bail!(
            "no parameter set drawn from the priors gave every target a value (a ratio with \
             nothing to count, e.g. no case decided?): choose other targets or a longer window"
        );
    };

    let draws = in_pool(args.threads.map(usize::from), || {
        calibrate::predictive(&plan, posterior)
    });
    simulated_here += plan.predictive as u64 * per_proposal;
    let summaries = calibrate::summarize(&plan, posterior);
    let correlations = calibrate::correlations(posterior);
    let checks = calibrate::checks(&plan, &draws);
    let simulations: u64 = generations.iter().map(|g| g.simulated).sum::<u64>() * per_proposal
        + plan.predictive as u64 * per_proposal;

    let write = |name: &str, bytes: Vec<u8>| {
        dir.write(name, &bytes)
            .with_context(|| format!("writing {}", dir.path().join(name).display()))
    };
    write(
        "posterior.csv",
        calibrate::posterior_csv(&plan, generations),
    )?;
    write(
        "generations.csv",
        calibrate::generations_csv(&plan, generations),
    )?;
    write("targets.csv", calibrate::targets_csv(&plan, &checks))?;
    write(
        "correlations.csv",
        calibrate::correlations_csv(&plan, &correlations),
    )?;
    write("predictive.csv", calibrate::predictive_csv(&plan, &draws))?;
    let figures = calibrate_figures(&plan, generations, &summaries, &checks, plots.lang);
    let svgs = write_figures(&dir, &figures, &plots)?;
    let report = CalibrationReport {
        plan: &plan,
        generations,
        stop,
        simulations,
        summaries: &summaries,
        correlations: &correlations,
        checks: &checks,
    };
    report.write(&dir, &figures, &svgs, plots.lang)?;
    write(SUMMARY_CSV, calibrate::summary_csv(&plan, &summaries))?;
    // Plots of an earlier run in another --format are stale now; the checkpoint stays.
    dir.finish(|name| name == CHECKPOINT)
        .context("removing the earlier run's files")?;

    let seconds = start.elapsed().as_secs_f64();
    let agent_steps = simulated_here * plan.agent_steps_per_simulation();
    println!(
        "calibrate {}: {} generations, {} particles, stopped: {}; {} simulations in {:.1} s \
         ({:.1} M agent-steps/s)",
        plan.name,
        generations.len(),
        posterior.particles.len(),
        stop.name(),
        simulated_here,
        seconds,
        agent_steps as f64 / seconds.max(1e-9) / 1e6
    );
    for line in report.reading(crate::i18n::Lang::En) {
        println!("- {line}");
    }
    println!("results in {}", dir.path().display());
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
