//! `calibrate`: fit free parameters to observed targets with ABC-SMC, into a folder that
//! checkpoints every generation (and resumes from it), or in memory.

use std::path::{Path, PathBuf};
use std::time::Instant;

use super::Control;
use crate::calibrate::smc::{Generation, Stop, Tick};
use crate::calibrate::{self as engine, CHECKPOINT, CalibrationPlan, Checkpoint, file};
use crate::error::{Error, InputError, Interrupted};
use crate::i18n::Lang;
use crate::output::{OutputDir, Producer};
use crate::plot::PlotOptions;
use crate::plot::calibrate_plots::calibrate_figures;
use crate::plot::write_figures;
use crate::report::calibrate::CalibrationReport;
use crate::run::in_pool;

/// The file whose presence marks a finished calibration.
pub const SUMMARY_CSV: &str = Producer::Calibrate.marker();

/// Why a calibration has no posterior.
pub const NO_POSTERIOR: &str = "no parameter set drawn from the priors gave every target a \
     value (a ratio with nothing to count, e.g. no case decided?): choose other targets or a \
     longer window";

/// Where a calibration file comes from.
#[derive(Debug, Clone)]
pub enum CalibrationSource {
    File(PathBuf),
    /// The text of a calibration file; `origin` names it in messages.
    Text {
        origin: String,
        text: String,
    },
}

/// A calibration file with the command's overrides (`--steps`, `--replicates`,
/// `--particles`, `--generations`).
#[derive(Debug, Clone)]
pub struct CalibrateRequest {
    pub source: CalibrationSource,
    pub overrides: file::Overrides,
}

impl CalibrateRequest {
    /// The file read and checked into a plan.
    pub fn resolve(&self) -> Result<CalibrationPlan, InputError> {
        match &self.source {
            CalibrationSource::File(path) => file::load(path, &self.overrides),
            CalibrationSource::Text { origin, text } => {
                file::parse(Path::new(origin), text, &self.overrides)
            }
        }
    }
}

/// The folder a calibration writes: checkpoint, tables, plots and report.html.
pub struct Folder<'a> {
    pub out: &'a Path,
    /// Start over: discard the checkpoint and results in the folder.
    pub force: bool,
    pub plots: &'a PlotOptions,
}

/// What a caller is told while a calibration runs.
pub struct Hooks<'a> {
    /// Particles kept so far in the generation being built (from any worker thread).
    pub particles: &'a (dyn Fn(usize) + Sync),
    /// A generation finished (and was checkpointed); not called for resumed ones.
    pub generation: &'a (dyn Fn(&Generation) + Sync),
    /// The folder's checkpoint holds this many generations of an unfinished run.
    pub resuming: &'a (dyn Fn(usize) + Sync),
}

impl Hooks<'_> {
    /// No reports.
    pub const QUIET: Hooks<'static> = Hooks {
        particles: &|_| {},
        generation: &|_| {},
        resuming: &|_| {},
    };
}

/// A finished calibration.
pub struct Calibration {
    pub generations: Vec<Generation>,
    pub stop: Stop,
    /// Generations read from the checkpoint rather than computed now.
    pub resumed: usize,
    /// Simulations run by this call, and by the whole calibration.
    pub simulated_here: u64,
    pub simulations: u64,
    pub seconds: f64,
    /// The reading of the results, in English (as the command prints it).
    pub reading: Vec<String>,
    /// The tables, as the command writes them: `posterior.csv`, `generations.csv`,
    /// `targets.csv`, `correlations.csv`, `predictive.csv`, `summary.csv`.
    pub tables: Vec<(&'static str, Vec<u8>)>,
    /// The folder written, if any.
    pub folder: Option<PathBuf>,
}

/// Runs the calibration: with `folder`, as `cadre-sim calibrate` does (resuming from the
/// folder's checkpoint, writing every table, the plots and report.html); without, in
/// memory. Returns None when no parameter set gave every target a value ([`NO_POSTERIOR`]).
/// With `control.stop` set, the run ends after the generation in progress (checkpointed)
/// with [`Interrupted`].
pub fn calibrate(
    plan: &CalibrationPlan,
    folder: Option<&Folder>,
    control: &Control,
    hooks: &Hooks,
) -> crate::error::Result<Option<Calibration>> {
    let fingerprint = plan.fingerprint();
    let mut checkpoint = Checkpoint {
        fingerprint: fingerprint.clone(),
        generations: Vec::new(),
        stop: None,
    };
    let dir = match folder {
        Some(f) => Some(open_folder(plan, f, &mut checkpoint)?),
        None => None,
    };
    let checkpoint_path = folder.map(|f| f.out.join(CHECKPOINT));
    let resumed = checkpoint.generations.len();
    if resumed > 0 && checkpoint.stop.is_none() {
        (hooks.resuming)(resumed);
    }

    let start = Instant::now();
    let per_proposal = plan.simulations_per_proposal();
    let mut simulated_here: u64 = 0;
    let stop = match checkpoint.stop {
        Some(stop) => stop,
        None => {
            let mut history = std::mem::take(&mut checkpoint.generations);
            let result = in_pool(control.threads, || {
                engine::calibrate(
                    plan,
                    &mut history,
                    &|t: Tick| (hooks.particles)(t.accepted),
                    |gens: &[Generation], stop| -> crate::error::Result<()> {
                        if let (Some(dir), Some(path)) = (&dir, &checkpoint_path) {
                            let c = Checkpoint {
                                fingerprint: fingerprint.clone(),
                                generations: gens.to_vec(),
                                stop,
                            };
                            dir.write(CHECKPOINT, &c.to_bytes())
                                .map_err(|e| Error::io(format!("writing {}", path.display()), e))?;
                        }
                        if let Some(g) = gens.last().filter(|g| g.index as usize >= resumed) {
                            simulated_here += g.simulated * per_proposal;
                            (hooks.generation)(g);
                        }
                        if stop.is_none() && control.stopped() {
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

    let draws = in_pool(control.threads, || {
        engine::predictive(plan, posterior, &|_| {})
    });
    simulated_here += plan.predictive as u64 * per_proposal;
    let summaries = engine::summarize(plan, posterior);
    let correlations = engine::correlations(posterior);
    let checks = engine::checks(plan, &draws);
    let implied = engine::implied(plan, &draws);
    let convergence = engine::Convergence::new(plan, posterior, stop);
    let simulations: u64 = generations.iter().map(|g| g.simulated).sum::<u64>() * per_proposal
        + plan.predictive as u64 * per_proposal;
    let mut tables: Vec<(&'static str, Vec<u8>)> = vec![
        ("posterior.csv", engine::posterior_csv(plan, &generations)),
        (
            "generations.csv",
            engine::generations_csv(plan, &generations),
        ),
        ("targets.csv", engine::targets_csv(plan, &checks)),
        (
            "correlations.csv",
            engine::correlations_csv(plan, &correlations),
        ),
        ("predictive.csv", engine::predictive_csv(plan, &draws)),
    ];
    if !plan.studies.is_empty() {
        tables.push(("implied.csv", engine::implied_csv(plan, &implied)));
    }
    tables.push((
        SUMMARY_CSV,
        engine::summary_csv(plan, &summaries, &convergence),
    ));
    let report = CalibrationReport {
        plan,
        generations: &generations,
        stop,
        simulations,
        summaries: &summaries,
        correlations: &correlations,
        checks: &checks,
        convergence,
        implied: &implied,
    };
    let reading = report.reading(Lang::En);

    if let (Some(dir), Some(f)) = (&dir, folder) {
        let write = |name: &str, bytes: &[u8]| {
            dir.write(name, bytes)
                .map_err(|e| Error::io(format!("writing {}", dir.path().join(name).display()), e))
        };
        // Every table but the marker, then the plots and report, then the marker.
        for (name, bytes) in &tables[..tables.len() - 1] {
            write(name, bytes)?;
        }
        let figures = calibrate_figures(plan, &generations, &summaries, &checks, f.plots.lang);
        let svgs = write_figures(dir, &figures, f.plots)?;
        report.write(dir, &figures, &svgs, f.plots.lang)?;
        let (name, bytes) = &tables[tables.len() - 1];
        write(name, bytes)?;
        // Plots of an earlier run in another --format are stale now; the checkpoint stays.
        dir.finish(|name| name == CHECKPOINT)
            .map_err(|e| Error::io("removing the earlier run's files", e))?;
    }
    Ok(Some(Calibration {
        stop,
        resumed,
        simulated_here,
        simulations,
        seconds: start.elapsed().as_secs_f64(),
        reading,
        tables,
        folder: dir.map(|d| d.path().to_path_buf()),
        generations,
    }))
}

/// Opens (or resumes) the folder: its checkpoint, when it is this plan's, fills
/// `checkpoint`.
fn open_folder(
    plan: &CalibrationPlan,
    folder: &Folder,
    checkpoint: &mut Checkpoint,
) -> crate::error::Result<OutputDir> {
    let out = folder.out;
    let mut inspection = OutputDir::check(out, Producer::Calibrate, folder.force)?;
    if folder.force {
        inspection
            .discard_earlier(|_| false)
            .map_err(|e| Error::io(format!("clearing {}", out.display()), e))?;
    }
    let checkpoint_path = out.join(CHECKPOINT);
    if let Ok(bytes) = std::fs::read(&checkpoint_path)
        && !folder.force
    {
        let c: Checkpoint = serde_json::from_slice(&bytes).map_err(|e| {
            InputError::new(
                checkpoint_path.display().to_string(),
                format!("not a checkpoint this version can read ({e}); pass --force to start over"),
            )
        })?;
        if c.fingerprint != plan.fingerprint() {
            return Err(InputError::new(
                out.display().to_string(),
                "this folder holds a calibration of another file or other flags; pass --force \
                 to start over, or choose another folder with --out DIR",
            )
            .into());
        }
        *checkpoint = c;
    }
    Ok(inspection.open(&[CHECKPOINT])?)
}
