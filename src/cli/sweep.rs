//! `cadre-sim sweep` and `cadre-sim merge`: grids of scenarios on all cores, resumable, and
//! split into Slurm job-array shards.

use std::path::PathBuf;

use clap::Args;

use super::{EXIT_INTERRUPTED, default_out};
use crate::api::{
    self, PlotRequest,
    sweep::{SweepRequest, SweepSource},
};
use crate::output::Producer;
use crate::plot::PlotOptions;
use crate::sweep::slurm::{self, SlurmOptions, absolute, shell_quote};
use crate::sweep::{self, Opened, Shard, SweepOptions, file};

#[derive(Args, Debug)]
#[command(after_help = "Sweep files: see docs/sweep.md and scenarios/sweeps/. \
    Killed? Run the same command again: finished points are kept.")]
pub struct SweepArgs {
    /// The sweep file (TOML: base scenario, [[axis]] tables, optional [sample]).
    pub file: PathBuf,
    /// Output folder [default: output/<sweep name>].
    #[arg(long, value_name = "DIR")]
    pub out: Option<PathBuf>,
    /// Also write raw.csv: every metric of every step of every replicate of every point.
    #[arg(long)]
    pub raw: bool,
    #[command(flatten)]
    pub run: RunOverrideArgs,
    #[command(flatten)]
    pub job: JobArgs,
}

/// `--steps` and `--replicates` of `sweep` and `sensitivity`: a quick try without editing the
/// file. They are part of the resolved sweep and its hash, so a folder computed with other
/// values is refused (or replaced with --force), exactly as if the file had changed.
#[derive(Args, Debug, Clone, Copy)]
pub struct RunOverrideArgs {
    /// Steps of every point (overrides the file's `steps`; a folder with other steps is refused).
    #[arg(long, value_name = "T")]
    pub steps: Option<u64>,
    /// Replicates of every point (overrides the file's `replicates`; likewise).
    #[arg(long, value_name = "N")]
    pub replicates: Option<u64>,
}

impl RunOverrideArgs {
    pub fn overrides(&self) -> file::RunOverrides {
        file::RunOverrides {
            steps: self.steps,
            replicates: self.replicates,
        }
    }

    /// The flags as a command line passes them (with a leading space), for the Slurm tasks,
    /// whose plan (and hash) must be this one.
    pub fn flags(&self) -> String {
        let mut flags = String::new();
        if let Some(t) = self.steps {
            flags.push_str(&format!(" --steps {t}"));
        }
        if let Some(n) = self.replicates {
            flags.push_str(&format!(" --replicates {n}"));
        }
        flags
    }
}

/// The plot flags of `sweep`, `sensitivity` and `merge`: as `--format`, `--lang` and
/// `--no-plots` of the commands with a report, but their help
/// speaks of plots only, since these commands write no report.html.
#[derive(Args, Debug, Clone)]
pub struct JobPlotArgs {
    /// Plot file format: png, svg, or both as png,svg.
    #[arg(long, value_name = "FORMATS", default_value = "png")]
    pub format: String,
    /// Language of plot labels: en or zh.
    #[arg(long, value_name = "LANG", default_value = "en")]
    pub lang: String,
    /// Write no plot files.
    #[arg(long)]
    pub no_plots: bool,
}

impl JobPlotArgs {
    /// Checks the flags before any work starts.
    pub fn resolve(&self) -> Result<PlotOptions, crate::error::InputError> {
        PlotRequest {
            format: self.format.clone(),
            lang: self.lang.clone(),
            no_plots: self.no_plots,
        }
        .resolve()
    }
}

/// How a job of many points runs: threads, resume or replace, shards and Slurm. Shared by
/// `sweep` and `sensitivity`, which run on the same machinery.
#[derive(Args, Debug)]
pub struct JobArgs {
    /// Worker threads (default: all cores). Results do not depend on it.
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u16).range(1..))]
    pub threads: Option<u16>,
    /// Discard the results already in the output folder (instead of resuming or refusing).
    #[arg(long, conflicts_with = "shard")]
    pub force: bool,
    /// No progress bar or progress lines.
    #[arg(long, short)]
    pub quiet: bool,
    /// Compute only shard K of N (points i with i mod N = K); assemble later with `merge`.
    #[arg(long, value_name = "K/N", value_parser = parse_shard, conflicts_with = "slurm")]
    pub shard: Option<Shard>,
    /// Write a Slurm job-array script of N shard tasks instead of running.
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u32).range(1..))]
    pub slurm: Option<u32>,
    /// Slurm partition of the job array.
    #[arg(long, value_name = "P", requires = "slurm")]
    pub partition: Option<String>,
    /// Slurm time limit per task, HH:MM:SS or D-HH:MM:SS.
    #[arg(long, value_name = "HH:MM:SS", requires = "slurm")]
    pub time: Option<String>,
    /// Cores per Slurm task (each task runs that many threads).
    #[arg(long, value_name = "C", default_value_t = 1, requires = "slurm",
          value_parser = clap::value_parser!(u32).range(1..))]
    pub cpus_per_task: u32,
    /// Plots of the assembled results (not written by shards: `merge` draws them).
    #[command(flatten)]
    pub plots: JobPlotArgs,
}

impl JobArgs {
    /// The options of a local (or shard) run.
    /// Installs the Ctrl-C handler: the first Ctrl-C stops the run after the replicates in
    /// flight (finished points are saved), a second one quits at once.
    pub fn options(&self, raw: bool, producer: Producer) -> SweepOptions {
        let stop = sweep::interrupt_flag();
        // Fails only if a handler is already installed (a second job in one process): that
        // one sets the same flag.
        let _ = ctrlc::set_handler(move || {
            if stop.swap(true, std::sync::atomic::Ordering::Relaxed) {
                std::process::exit(i32::from(EXIT_INTERRUPTED));
            }
            eprintln!("\nstopping: saving finished points (Ctrl-C again to quit now)");
        });
        SweepOptions {
            producer,
            stop: Some(stop),
            threads: self.threads.map(usize::from),
            raw,
            force: self.force,
            quiet: self.quiet,
            shard: self.shard,
            counter: None,
        }
    }
}

fn parse_shard(s: &str) -> Result<Shard, String> {
    s.parse()
}

#[derive(Args, Debug)]
pub struct MergeArgs {
    /// The sweep folder the shards wrote into.
    pub dir: PathBuf,
    /// Plots, drawn exactly as a one-machine sweep with the same flags draws them.
    #[command(flatten)]
    pub plots: JobPlotArgs,
}

impl SweepArgs {
    /// The file and its overrides as the library's request.
    pub fn request(&self) -> SweepRequest {
        SweepRequest {
            source: SweepSource::File(self.file.clone()),
            overrides: self.run.overrides(),
        }
    }
}

pub fn execute(args: &SweepArgs) -> anyhow::Result<()> {
    let plan = args.request().resolve()?;
    let plot_options = args.job.plots.resolve()?;
    let out = args.out.clone().unwrap_or_else(|| default_out(&plan.name));
    if let Some(tasks) = args.job.slurm {
        let flags = format!(
            "{}{}",
            if args.raw { " --raw" } else { "" },
            args.run.flags()
        );
        return write_slurm_script(
            Producer::Sweep,
            &args.file,
            &plan,
            &out,
            &args.job,
            &flags,
            tasks,
        );
    }
    let folder = api::sweep::into_folder(
        &plan,
        &out,
        &args.job.options(args.raw, Producer::Sweep),
        &plot_options,
    )?;
    let outcome = &folder.outcome;
    let reused = outcome.share - outcome.computed;
    let t = &outcome.timing;
    let resumed = match outcome.opened {
        Opened::Resumed if reused > 0 => format!(", {reused} already finished (resumed)"),
        _ => String::new(),
    };
    let what = match args.job.shard {
        Some(s) => format!(
            "shard {s}: {} of {} points",
            outcome.share,
            plan.design().len()
        ),
        None => format!("{} points", outcome.share),
    };
    println!(
        "sweep {}: {what} × {} replicates; computed {}{resumed}",
        plan.name,
        plan.resolved().replicates,
        outcome.computed
    );
    if outcome.computed > 0 {
        println!(
            "{} agent-steps in {:.2} s ({:.1} million/s, {:.1} points/s on {} threads)",
            t.agent_steps,
            t.seconds,
            t.agent_steps_per_second / 1e6,
            outcome.computed as f64 / t.seconds.max(1e-9),
            t.threads
        );
    }
    match outcome.assembled {
        Some(a) => println!(
            "results in {} ({})",
            outcome.store.path().display(),
            files_written(&outcome.store, a.raw)
        ),
        None => println!(
            "shard done; when every shard has finished: cadre-sim merge {}{}",
            shell_quote(&outcome.store.path().display().to_string()),
            plot_options.non_default_flags()
        ),
    }
    report_plots(&folder.plots);
    Ok(())
}

/// The data files of an assembled sweep folder, for the closing line.
fn files_written(store: &sweep::SweepStore, raw: bool) -> &'static str {
    match (store.is_experiment(), raw) {
        (true, _) => "points.csv, results.csv: each point's estimates against the truth",
        (false, true) => "points.csv, runs.csv, results.csv, raw.csv",
        (false, false) => "points.csv, runs.csv, results.csv",
    }
}

/// Prints which plots were written (or why none were).
fn report_plots(written: &Option<Result<Vec<String>, String>>) {
    match written {
        Some(Ok(names)) if !names.is_empty() => println!(
            "plots: {} ({} files)",
            plot_names_summary(names),
            names.len()
        ),
        Some(Err(reason)) => println!("{reason}"),
        _ => {}
    }
}

/// "heatmap_initiative.png, ..., heatmap_social_value.png": the first and last names.
fn plot_names_summary(names: &[String]) -> String {
    match names {
        [] => String::new(),
        [one] => one.clone(),
        [first, .., last] => format!("{first} … {last}"),
    }
}

/// `--slurm N`: prepares the folder (so a mismatch is refused now, not on the cluster), writes
/// `slurm/<command>.sbatch` into it and tells the user how to submit it and merge after.
pub fn write_slurm_script(
    producer: Producer,
    file: &std::path::Path,
    plan: &sweep::SweepPlan,
    out: &std::path::Path,
    job: &JobArgs,
    flags: &str,
    tasks: u32,
) -> anyhow::Result<()> {
    // `merge`, which draws the plots, is told the same plot flags.
    let plot_flags = job.plots.resolve()?.non_default_flags();
    let options = SlurmOptions {
        tasks,
        partition: job.partition.clone(),
        time: job.time.clone(),
        cpus_per_task: job.cpus_per_task,
    };
    let script = slurm::write_job(producer, file, plan, out, &options, job.force, flags)?;
    println!(
        "wrote {} ({} tasks over {} points)\nsubmit it with:\n  sbatch {}\nwatch it with:\n  \
         squeue --me\nwhen every task has finished, assemble the results with:\n  cadre-sim merge {}{}",
        script.display(),
        tasks,
        plan.design().len(),
        shell_quote(&script.display().to_string()),
        shell_quote(&absolute(out).display().to_string()),
        plot_flags
    );
    Ok(())
}

pub fn execute_merge(args: &MergeArgs) -> anyhow::Result<()> {
    let (store, assembled, plots) = api::sweep::merge(&args.dir, &args.plots.resolve()?)?;
    println!(
        "merged {} points of sweep {} into {} ({})",
        assembled.points,
        store.manifest().name,
        store.path().display(),
        files_written(&store, assembled.raw)
    );
    report_plots(&plots);
    Ok(())
}
