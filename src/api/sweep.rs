//! `sweep` and `merge`: many points of one base scenario run as one job, into a resumable,
//! shardable folder or in memory. A design comes from a sweep file ([`SweepRequest`]) or
//! from explicit points, one value per varied parameter ([`PointsRequest`]: a DataFrame, a
//! list of dicts, a SALib matrix, calibration draws).

use std::cell::RefCell;
use std::path::{Path, PathBuf};
use std::sync::atomic::AtomicU64;

use super::{Control, Overrides, ScenarioSource};
use crate::error::{Error, InputError};
use crate::plot::{PlotOptions, sweep_plots};
use crate::run::DEFAULT_WINDOW;
use crate::scenario::Factor;
use crate::sweep::design::check_sweepable;
use crate::sweep::file::{self, RunOverrides};
use crate::sweep::plan::ExperimentSettings;
use crate::sweep::store::{Assembled, RAW_CSV, is_plot_file};
use crate::sweep::{self as engine, Computed, Design, SweepOptions, SweepOutcome, SweepPlan};

/// Where a sweep file comes from.
#[derive(Debug, Clone)]
pub enum SweepSource {
    File(PathBuf),
    /// The text of a sweep file held in memory; `origin` names it in messages and anchors
    /// a relative `base` (at [`super::IN_MEMORY`], the working folder).
    Text {
        origin: String,
        text: String,
    },
}

/// A sweep file with `--steps` / `--replicates`.
#[derive(Debug, Clone)]
pub struct SweepRequest {
    pub source: SweepSource,
    pub overrides: RunOverrides,
}

impl SweepRequest {
    /// The file read and checked into a plan.
    pub fn resolve(&self) -> Result<SweepPlan, InputError> {
        match &self.source {
            SweepSource::File(path) => file::load(path, &self.overrides),
            SweepSource::Text { origin, text } => {
                file::parse(Path::new(origin), text, &self.overrides)
            }
        }
    }
}

/// Any design given as its points: `params[j]` is the key of column j (a parameter, or a key
/// of the places or rollout: [`Factor`]), `points[i][j]` its value at point i (for a factor
/// with named choices, the index of its choice). Points may repeat. Every point runs with the
/// sweep's replicate seeds (common random numbers), exactly as a sweep file with zipped axes
/// of the same columns; on a base with a `[rollout]` every point is an experiment.
/// With `grid`, `points[j]` lists instead the values of axis `params[j]`, and the design is
/// their full cross product (first axis slowest), as a sweep file's grid.
#[derive(Debug, Clone)]
pub struct PointsRequest {
    /// Names the sweep (and its folder's manifest).
    pub name: String,
    pub base: ScenarioSource,
    /// The base scenario's overrides: `set` is applied to every point before its values.
    pub overrides: Overrides,
    /// Final steps averaged per replicate (default 10, or all steps of a shorter run).
    pub window: Option<u32>,
    pub params: Vec<String>,
    pub points: Vec<Vec<f64>>,
    pub grid: bool,
}

impl PointsRequest {
    /// The base scenario and the design, checked into a plan.
    pub fn resolve(&self) -> Result<SweepPlan, InputError> {
        let base = self.overrides.load(&self.base)?;
        let mut ids = Vec::with_capacity(self.params.len());
        let mut problems = Vec::new();
        for key in &self.params {
            match Factor::of(key).and_then(|f| check_sweepable(f).map(|()| f)) {
                Ok(id) => ids.push(id),
                Err(m) => problems.push(InputError::new(format!("points column `{key}`"), m)),
            }
        }
        if let Some(e) = InputError::combine(problems) {
            return Err(e);
        }
        let design = if self.grid {
            if ids.len() != self.points.len() {
                return Err(InputError::new(
                    "parameters",
                    format!(
                        "{} parameters but {} lists of values",
                        ids.len(),
                        self.points.len()
                    ),
                ));
            }
            if let Some((id, _)) = ids
                .iter()
                .zip(&self.points)
                .find(|(_, values)| values.is_empty())
            {
                return Err(InputError::new(
                    format!("parameters[\"{id}\"]"),
                    "lists no values",
                ));
            }
            Design::grid(ids.into_iter().zip(self.points.iter().cloned()).collect())
                .map_err(|m| InputError::new("parameters", m))?
        } else {
            Design::new("points", ids, self.points.clone())
                .map_err(|m| InputError::new("points", m))?
        };
        let window = match self.window {
            Some(w) => w,
            None => DEFAULT_WINDOW.min(base.run.steps),
        };
        // As in a sweep file, a base with a [rollout] makes every point an experiment, here
        // with `cadre-sim experiment`'s defaults.
        let experiment = base.rollout.is_some();
        let plan = SweepPlan::new(self.name.clone(), "", base, design, window)?;
        if experiment {
            plan.into_experiments(ExperimentSettings::default())
        } else {
            Ok(plan)
        }
    }
}

/// The plot files written when a sweep's results were assembled, or why there are none.
pub type PlotsWritten = Option<Result<Vec<String>, String>>;

/// What [`into_folder`] did: the sweep's outcome, and the plots written (or why none).
pub struct Folder {
    pub outcome: SweepOutcome,
    /// The plot files written when the results were assembled, or why there are none;
    /// None when no plots were asked for or the results were not assembled (a shard).
    pub plots: PlotsWritten,
}

/// Runs `plan` into the folder `out` as `cadre-sim sweep` does: opens or resumes it,
/// computes the unfinished points of the share, assembles `points.csv`, `runs.csv`,
/// `results.csv` (and `raw.csv`) with the plots, and removes an earlier run's plots (and a
/// `raw.csv` this run did not assemble) that no longer match.
pub fn into_folder(
    plan: &SweepPlan,
    out: &Path,
    options: &SweepOptions,
    plots: &PlotOptions,
) -> crate::error::Result<Folder> {
    let written = RefCell::new(None);
    let outcome = engine::run_with(plan, out, options, &|store| {
        if !plots.formats.is_empty() {
            *written.borrow_mut() = Some(sweep_plots::write(store, plots)?);
        }
        Ok(())
    })?;
    if outcome.assembled.is_some() {
        outcome
            .store
            .dir()
            .finish(|name| !is_plot_file(name) && name != RAW_CSV)
            .map_err(|e| Error::io("removing the earlier run's plots", e))?;
    }
    Ok(Folder {
        outcome,
        plots: written.into_inner(),
    })
}

/// Computes every point of `plan` in memory, writing nothing. `counter` counts finished
/// (point, replicate) units. None when stopped.
pub fn in_memory(
    plan: &SweepPlan,
    raw: bool,
    control: &Control,
    counter: Option<&AtomicU64>,
) -> crate::error::Result<Option<Computed>> {
    engine::run_in_memory(plan, control.threads, raw, control.stop, counter)
}

/// Assembles a sweep folder computed as shards (`cadre-sim merge`), drawing the plots as a
/// one-machine sweep does and removing an earlier merge's plots.
pub fn merge(
    dir: &Path,
    plots: &PlotOptions,
) -> crate::error::Result<(engine::SweepStore, Assembled, PlotsWritten)> {
    let written = RefCell::new(None);
    let (store, assembled) = engine::merge_with(dir, &|store| {
        if !plots.formats.is_empty() {
            *written.borrow_mut() = Some(sweep_plots::write(store, plots)?);
        }
        Ok(())
    })?;
    store
        .dir()
        .finish(|name| !is_plot_file(name))
        .map_err(|e| Error::io("removing the earlier merge's plots", e))?;
    Ok((store, assembled, written.into_inner()))
}
