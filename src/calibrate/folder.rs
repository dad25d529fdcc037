//! A calibration run into its output folder, as the command and the Python API run it:
//! open the folder (resuming after the last checkpointed generation, or continuing a
//! finished run that `--generations` now allows more of), run the generations on all cores
//! with progress on stderr, then write the results, plots and report.
//!
//! Progress: on a terminal, a bar over the generation's particles with "generation k of at
//! most N", the particles accepted and the time left in the generation; otherwise (a log, a
//! Slurm job) the same as a plain line at least every [`LINE_EVERY`], so that a long
//! generation is never silent.

use std::io::IsTerminal;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, AtomicI64, Ordering};
use std::sync::{Arc, Condvar, Mutex};
use std::time::{Duration, Instant};

use indicatif::{ProgressBar, ProgressStyle};

use super::smc::{Generation, Stop, Tick};
use super::{
    CHECKPOINT, CalibrationPlan, Check, Checkpoint, Convergence, Draw, ImpliedTruth, ParamSummary,
    checks, correlations, correlations_csv, generations_csv, implied, implied_csv, posterior_csv,
    predictive, predictive_csv, summarize, summary_csv, targets_csv,
};
use crate::error::{Error, InputError, Interrupted, Result};
use crate::i18n::Lang;
use crate::output::{OutputDir, Producer};
use crate::plot::calibrate_plots::calibrate_figures;
use crate::plot::{PlotOptions, write_figures};
use crate::report::calibrate::CalibrationReport;
use crate::run::in_pool;

/// The file whose presence marks a finished calibration.
pub const SUMMARY_CSV: &str = Producer::Calibrate.marker();

/// When output is not a terminal, a progress line at least this often.
pub const LINE_EVERY: Duration = Duration::from_secs(10);

/// Where a calibration writes: checkpoint, tables, plots and report.html.
pub struct Folder<'a> {
    pub out: &'a Path,
    /// Start over: discard the checkpoint and results in the folder.
    pub force: bool,
    pub plots: &'a PlotOptions,
}

/// What the folder's checkpoint held when the run opened it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Opened {
    /// Nothing: the run starts at generation 0 (always so without a folder).
    Fresh,
    /// The generations of an unfinished run (killed or stopped): it goes on after them.
    Resuming,
    /// A run finished at its most generations, now allowed more: it goes on after them.
    Continuing,
    /// A finished run: only the posterior-predictive draws are simulated again.
    Finished,
}

/// What a caller is told while a calibration runs (from any worker thread).
pub struct Hooks<'a> {
    /// The checkpoint was read: the generations it holds, and what the run does with them.
    pub opened: &'a (dyn Fn(usize, Opened) + Sync),
    /// A proposal of the generation being built was decided.
    pub tick: &'a (dyn Fn(Tick) + Sync),
    /// A generation finished (and was checkpointed); not called for those read back.
    pub generation: &'a (dyn Fn(&Generation) + Sync),
    /// Posterior-predictive draws done: called with 0 before the first, then after each.
    pub predictive: &'a (dyn Fn(usize) + Sync),
}

impl Hooks<'_> {
    /// No reports.
    pub const QUIET: Hooks<'static> = Hooks {
        opened: &|_, _| {},
        tick: &|_| {},
        generation: &|_| {},
        predictive: &|_| {},
    };
}

/// How the command runs a calibration (its flags beside the file's own settings, which
/// `file::Overrides` changes).
#[derive(Debug, Clone)]
pub struct Options {
    /// The output folder.
    pub out: PathBuf,
    /// Worker threads (None: all cores). Results do not depend on it.
    pub threads: Option<usize>,
    /// Start over: discard the checkpoint and results in the folder.
    pub force: bool,
    /// No progress bar or lines.
    pub quiet: bool,
    pub plots: PlotOptions,
    /// Set to the index of the last generation checkpointed (−1 before the first), e.g. for
    /// the command's Ctrl-C message.
    pub finished: Option<Arc<AtomicI64>>,
}

impl Options {
    /// Defaults for `out`: all cores, resume, progress, PNG plots in English.
    pub fn new(out: impl Into<PathBuf>) -> Options {
        Options {
            out: out.into(),
            threads: None,
            force: false,
            quiet: false,
            plots: PlotOptions {
                formats: vec![crate::plot::Format::Png],
                lang: Lang::En,
            },
            finished: None,
        }
    }
}

/// What a finished calibration gives back (also written to its folder, if any).
#[derive(Debug, Clone)]
pub struct Outcome {
    /// The folder written; None for a calibration in memory.
    pub dir: Option<PathBuf>,
    pub generations: Vec<Generation>,
    pub stop: Stop,
    /// Generations read from the checkpoint rather than computed now.
    pub resumed: usize,
    pub summaries: Vec<ParamSummary>,
    pub correlations: Vec<(usize, usize, f64)>,
    pub checks: Vec<Check>,
    /// The posterior-predictive draws: (parameters, statistics) per draw.
    pub draws: Vec<Draw>,
    /// Per study target, what the fitted estimate implies about the true effect.
    pub implied: Vec<ImpliedTruth>,
    pub convergence: Convergence,
    /// Every simulation of the calibration, and those run by this call.
    pub simulations: u64,
    pub simulated_here: u64,
    pub seconds: f64,
    /// The report's warnings and reading in English (as the terminal prints them; the
    /// report.html in the folder is in the plots' language).
    pub warnings: Vec<String>,
    pub reading: Vec<String>,
    /// The tables as the folder holds them: `posterior.csv`, `generations.csv`,
    /// `targets.csv`, `correlations.csv`, `predictive.csv`, `implied.csv` (with a study
    /// target), and last `summary.csv`.
    pub tables: Vec<(&'static str, Vec<u8>)>,
}

/// Why a calibration has no posterior.
pub const NO_POSTERIOR: &str = "no parameter set drawn from the priors gave every target a \
     value (a ratio with nothing to count, e.g. no case decided?): choose other targets or a \
     longer window";

/// The checkpoint in `out` (or an empty one), checked against the plan: another
/// calibration's is refused; a finished one that `max_generations` now allows more of is
/// reopened; one with more generations than now allowed is refused.
fn open_checkpoint(
    plan: &CalibrationPlan,
    out: &Path,
    force: bool,
) -> Result<(Checkpoint, Opened)> {
    let fingerprint = plan.fingerprint();
    let path = out.join(CHECKPOINT);
    let bytes = match std::fs::read(&path) {
        Ok(bytes) if !force => bytes,
        _ => {
            return Ok((
                Checkpoint {
                    fingerprint,
                    generations: Vec::new(),
                    stop: None,
                },
                Opened::Fresh,
            ));
        }
    };
    let mut c: Checkpoint = serde_json::from_slice(&bytes).map_err(|e| {
        InputError::new(
            path.display().to_string(),
            format!("not a checkpoint this version can read ({e}); pass --force to start over"),
        )
    })?;
    if c.fingerprint != fingerprint {
        return Err(InputError::new(
            out.display().to_string(),
            "this folder holds a calibration of another file or other flags; pass --force to \
             start over, or choose another folder with --out DIR",
        )
        .into());
    }
    let max = plan.settings.max_generations as usize;
    if c.generations.len() > max {
        return Err(InputError::new(
            "--generations",
            format!(
                "this folder holds {} generations, more than the {max} now asked for: ask for \
                 at least {} (or --force to start over, or --out DIR for another folder)",
                c.generations.len(),
                c.generations.len()
            ),
        )
        .into());
    }
    // Generation t depends only on generation t − 1 and the seeds of (seed, t, …), so
    // going on from a run stopped at its maximum ends exactly as a run asked for more at
    // the start.
    let opened = if c.stop == Some(Stop::MaxGenerations) && c.generations.len() < max {
        c.stop = None;
        Opened::Continuing
    } else if c.stop.is_some() {
        Opened::Finished
    } else if c.generations.is_empty() {
        Opened::Fresh
    } else {
        Opened::Resuming
    };
    Ok((c, opened))
}

/// Runs `plan` into `options.out` as the command does (see the module header): progress
/// on stderr, every result written.
pub fn run(plan: &CalibrationPlan, options: &Options) -> Result<Outcome> {
    let finished = |k: usize| {
        if let Some(f) = &options.finished {
            f.store(k as i64 - 1, Ordering::SeqCst);
        }
    };
    let monitor = Monitor::new(plan, options.quiet);
    let quiet = options.quiet;
    let opened = |held: usize, opened: Opened| {
        finished(held);
        let verb = match opened {
            Opened::Resuming => "resuming",
            Opened::Continuing => "continuing",
            Opened::Fresh | Opened::Finished => return,
        };
        if !quiet {
            eprintln!("{verb} {} after generation {}", plan.name, held - 1);
        }
    };
    let generation = |g: &Generation| {
        finished(g.index as usize + 1);
        monitor.generation_done(g);
    };
    let hooks = Hooks {
        opened: &opened,
        tick: &|t| monitor.tick(t),
        generation: &generation,
        predictive: &|done| monitor.predictive(done),
    };
    let folder = Folder {
        out: &options.out,
        force: options.force,
        plots: &options.plots,
    };
    monitor
        .watch(|| execute(plan, Some(&folder), options.threads, None, &hooks))?
        .ok_or_else(|| InputError::new(options.out.display().to_string(), NO_POSTERIOR).into())
}

/// The one calibration loop, beneath the command ([`run`]) and the Python API
/// (`crate::api::calibrate`). With `folder`: open it (resuming from its checkpoint, or
/// continuing a finished run that `max_generations` now allows more of), checkpoint every
/// generation, and write every table, the plots and report.html, `summary.csv` last.
/// Without: the same in memory. On `threads` workers (None: all cores); `stop`, once set,
/// ends the run after the generation in progress (checkpointed) with
/// [`crate::error::Interrupted`]. None when no parameter set gave every target a value
/// ([`NO_POSTERIOR`]).
pub fn execute(
    plan: &CalibrationPlan,
    folder: Option<&Folder>,
    threads: Option<usize>,
    stop_flag: Option<&AtomicBool>,
    hooks: &Hooks,
) -> Result<Option<Outcome>> {
    let (mut checkpoint, dir) = match folder {
        Some(f) => {
            let mut inspection = OutputDir::check(f.out, Producer::Calibrate, f.force)?;
            if f.force {
                inspection
                    .discard_earlier(|_| false)
                    .map_err(|e| Error::io(format!("clearing {}", f.out.display()), e))?;
            }
            let (checkpoint, opened) = open_checkpoint(plan, f.out, f.force)?;
            let dir = inspection.open(&[CHECKPOINT])?;
            (hooks.opened)(checkpoint.generations.len(), opened);
            (checkpoint, Some(dir))
        }
        None => {
            (hooks.opened)(0, Opened::Fresh);
            let checkpoint = Checkpoint {
                fingerprint: plan.fingerprint(),
                generations: Vec::new(),
                stop: None,
            };
            (checkpoint, None)
        }
    };
    let resumed = checkpoint.generations.len();

    let start = Instant::now();
    let per_proposal = plan.simulations_per_proposal();
    let mut simulated_here: u64 = 0;
    let stop = match checkpoint.stop {
        Some(stop) => stop,
        None => {
            let mut history = std::mem::take(&mut checkpoint.generations);
            let fingerprint = checkpoint.fingerprint.clone();
            let result = in_pool(threads, || {
                super::calibrate(
                    plan,
                    &mut history,
                    hooks.tick,
                    |gens: &[Generation], stop| -> Result<()> {
                        if let Some(dir) = &dir {
                            let c = Checkpoint {
                                fingerprint: fingerprint.clone(),
                                generations: gens.to_vec(),
                                stop,
                            };
                            dir.write(CHECKPOINT, &c.to_bytes()).map_err(|e| {
                                let path = dir.path().join(CHECKPOINT);
                                Error::io(format!("writing {}", path.display()), e)
                            })?;
                        }
                        if let Some(g) = gens.last().filter(|g| g.index as usize >= resumed) {
                            simulated_here += g.simulated * per_proposal;
                            (hooks.generation)(g);
                        }
                        if stop.is_none() && stop_flag.is_some_and(|s| s.load(Ordering::Relaxed)) {
                            return Err(Interrupted {
                                saved: gens.len(),
                                total: plan.settings.max_generations as usize,
                                folder: folder
                                    .map_or_else(String::new, |f| f.out.display().to_string()),
                            }
                            .into());
                        }
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
    let generations = checkpoint.generations;
    let Some(posterior) = generations.last() else {
        return Ok(None);
    };

    (hooks.predictive)(0);
    let draws = in_pool(threads, || predictive(plan, posterior, hooks.predictive));
    simulated_here += plan.predictive as u64 * per_proposal;
    let summaries = summarize(plan, posterior);
    let pairs = correlations(posterior);
    let checks = checks(plan, &draws);
    let implied_truths = implied(plan, &draws);
    let convergence = Convergence::new(plan, posterior, stop);
    let simulations: u64 = generations.iter().map(|g| g.simulated).sum::<u64>() * per_proposal
        + plan.predictive as u64 * per_proposal;

    let mut tables: Vec<(&'static str, Vec<u8>)> = vec![
        ("posterior.csv", posterior_csv(plan, &generations)),
        ("generations.csv", generations_csv(plan, &generations)),
        ("targets.csv", targets_csv(plan, &checks)),
        ("correlations.csv", correlations_csv(plan, &pairs)),
        ("predictive.csv", predictive_csv(plan, &draws)),
    ];
    if !plan.studies.is_empty() {
        tables.push(("implied.csv", implied_csv(plan, &implied_truths)));
    }
    tables.push((SUMMARY_CSV, summary_csv(plan, &summaries, &convergence)));
    let report = CalibrationReport {
        plan,
        generations: &generations,
        stop,
        simulations,
        summaries: &summaries,
        correlations: &pairs,
        checks: &checks,
        convergence,
        implied: &implied_truths,
    };
    if let (Some(dir), Some(f)) = (&dir, folder) {
        let write = |name: &str, bytes: &[u8]| {
            dir.write(name, bytes)
                .map(|_| ())
                .map_err(|e| Error::io(format!("writing {}", dir.path().join(name).display()), e))
        };
        // Every table but the marker, then the plots and report, then the marker.
        let (marker, rest) = tables.split_last().expect("summary.csv");
        for (name, bytes) in rest {
            write(name, bytes)?;
        }
        let lang = f.plots.lang;
        let figures = calibrate_figures(plan, &generations, &summaries, &checks, lang);
        let svgs = write_figures(dir, &figures, f.plots)?;
        report.write(dir, &figures, &svgs, lang)?;
        write(marker.0, &marker.1)?;
        // Plots of an earlier run in another --format are stale now; the checkpoint stays.
        dir.finish(|name| name == CHECKPOINT)
            .map_err(|e| Error::io("removing the earlier run's files", e))?;
    }
    let warnings = report.warnings(Lang::En);
    let reading = report.reading(Lang::En);
    Ok(Some(Outcome {
        dir: dir.map(|d| d.path().to_path_buf()),
        generations,
        stop,
        resumed,
        summaries,
        correlations: pairs,
        checks,
        draws,
        implied: implied_truths,
        convergence,
        simulations,
        simulated_here,
        seconds: start.elapsed().as_secs_f64(),
        warnings,
        reading,
        tables,
    }))
}

/// "1 h 02 min", "3 min 05 s", "42 s".
pub fn duration_text(seconds: f64) -> String {
    let s = seconds.max(0.0).round() as u64;
    if s >= 3600 {
        format!("{} h {:02} min", s / 3600, (s % 3600) / 60)
    } else if s >= 60 {
        format!("{} min {:02} s", s / 60, s % 60)
    } else {
        format!("{s} s")
    }
}

/// Where the running generation stands, for the bar and the progress lines.
struct State {
    tick: Tick,
    /// When the generation in `tick` started (its first proposal, or the previous one's end).
    since: Instant,
    /// Posterior-predictive draws done, once the generations are over.
    predictive: Option<usize>,
}

/// Progress of a running calibration: a bar on a terminal, plain lines otherwise.
struct Monitor {
    particles: usize,
    max_generations: u32,
    draws: usize,
    quiet: bool,
    terminal: bool,
    bar: ProgressBar,
    state: Mutex<State>,
    /// Set when the run is over, to stop the line printer.
    over: (Mutex<bool>, Condvar),
}

impl Monitor {
    fn new(plan: &CalibrationPlan, quiet: bool) -> Monitor {
        let terminal = std::io::stderr().is_terminal();
        let particles = plan.settings.particles;
        let bar = if quiet || !terminal {
            ProgressBar::hidden()
        } else {
            let bar = ProgressBar::new(particles as u64);
            bar.set_style(
                ProgressStyle::with_template("{spinner} {msg} {wide_bar}").expect("valid template"),
            );
            bar
        };
        Monitor {
            particles,
            max_generations: plan.settings.max_generations,
            draws: plan.predictive,
            quiet,
            terminal,
            bar,
            state: Mutex::new(State {
                tick: Tick {
                    generation: u32::MAX,
                    simulated: 0,
                    accepted: 0,
                },
                since: Instant::now(),
                predictive: None,
            }),
            over: (Mutex::new(false), Condvar::new()),
        }
    }

    /// "generation 3 of at most 8: 120 of 500 particles accepted (1,400 proposals), about
    /// 2 min 10 s left in this generation".
    fn line(&self, state: &State) -> String {
        if let Some(done) = state.predictive {
            return format!("posterior-predictive check: {done} of {} draws", self.draws);
        }
        let t = state.tick;
        let left = if t.accepted == 0 {
            "time left: not yet known".to_string()
        } else {
            let elapsed = state.since.elapsed().as_secs_f64();
            let rest = elapsed * (self.particles - t.accepted) as f64 / t.accepted as f64;
            format!("about {} left in this generation", duration_text(rest))
        };
        format!(
            "generation {} of at most {}: {} of {} particles accepted ({} proposals), {left}",
            t.generation, self.max_generations, t.accepted, self.particles, t.simulated
        )
    }

    fn tick(&self, tick: Tick) {
        if self.quiet {
            return;
        }
        let mut state = self.state.lock().expect("progress state");
        if tick.generation != state.tick.generation {
            state.since = Instant::now();
            state.tick = tick;
        } else if tick.simulated > state.tick.simulated {
            // Ticks from worker threads may arrive out of order: keep the latest.
            state.tick = tick;
        }
        if self.terminal {
            self.bar.set_position(state.tick.accepted as u64);
            self.bar.set_message(self.line(&state));
        }
    }

    fn generation_done(&self, g: &Generation) {
        if self.quiet {
            return;
        }
        let took = {
            let mut state = self.state.lock().expect("progress state");
            let took = state.since.elapsed().as_secs_f64();
            state.since = Instant::now();
            took
        };
        let epsilon = if g.epsilon.is_finite() {
            format!("{:.3}", g.epsilon)
        } else {
            "∞ (prior sample)".into()
        };
        self.bar.suspend(|| {
            eprintln!(
                "generation {} of at most {}: ε = {epsilon}, {} of {} proposals accepted \
                 ({:.1}%), effective sample size {:.0}, {}",
                g.index,
                self.max_generations,
                g.particles.len(),
                g.proposals,
                100.0 * g.acceptance_rate(),
                g.ess(),
                duration_text(took)
            )
        });
        self.bar.set_position(0);
    }

    /// `done` posterior-predictive draws simulated (0: the generations are over).
    fn predictive(&self, done: usize) {
        if self.quiet {
            return;
        }
        self.state.lock().expect("progress state").predictive = Some(done);
        if done == 0 {
            self.bar.finish_and_clear();
            eprintln!(
                "posterior-predictive check: simulating {} parameter sets drawn from the posterior",
                self.draws
            );
        } else if done.is_multiple_of(100) && done < self.draws {
            eprintln!("posterior-predictive check: {done} of {} draws", self.draws);
        }
    }

    /// Runs `work`; meanwhile, when output is not a terminal, prints the progress line at
    /// least every [`LINE_EVERY`].
    fn watch<T>(&self, work: impl FnOnce() -> T) -> T {
        let printer = !self.quiet && !self.terminal;
        std::thread::scope(|scope| {
            if printer {
                scope.spawn(|| {
                    let (lock, wake) = &self.over;
                    let mut over = lock.lock().expect("progress flag");
                    loop {
                        let (guard, _) =
                            wake.wait_timeout(over, LINE_EVERY).expect("progress flag");
                        over = guard;
                        if *over {
                            return;
                        }
                        let state = self.state.lock().expect("progress state");
                        if state.tick.generation != u32::MAX || state.predictive.is_some() {
                            eprintln!("{}", self.line(&state));
                        }
                    }
                });
            }
            let result = work();
            let (lock, wake) = &self.over;
            *lock.lock().expect("progress flag") = true;
            wake.notify_all();
            self.bar.finish_and_clear();
            result
        })
    }
}
