//! `sensitivity`: global sensitivity analysis (Morris or Sobol) of metrics to parameters,
//! run on the sweep machinery: into a folder (resumable, shardable) or in memory.

use std::path::{Path, PathBuf};

use super::Control;
use crate::error::Error;
use crate::error::InputError;
use crate::output::Producer;
use crate::plot::PlotOptions;
use crate::plot::sensitivity_plots::sensitivity_figure;
use crate::plot::write_figures;
use crate::sensitivity::{self as engine, MetricIndices, SensitivityPlan, file};
use crate::sweep::file::RunOverrides;
use crate::sweep::{self, SweepOptions, SweepOutcome, SweepPlan, SweepResults};

/// The file whose presence marks a finished analysis.
pub const INDICES_CSV: &str = Producer::Sensitivity.marker();

/// Where a sensitivity file comes from.
#[derive(Debug, Clone)]
pub enum SensitivitySource {
    File(PathBuf),
    /// The text of a sensitivity file; `origin` names it in messages.
    Text {
        origin: String,
        text: String,
    },
}

/// A sensitivity file with `--steps` / `--replicates`.
#[derive(Debug, Clone)]
pub struct SensitivityRequest {
    pub source: SensitivitySource,
    pub overrides: RunOverrides,
}

/// A checked analysis: its plan, its design in the unit cube and as a sweep.
pub struct Resolved {
    pub plan: SensitivityPlan,
    pub unit: Vec<Vec<f64>>,
    pub sweep: SweepPlan,
}

impl SensitivityRequest {
    /// The file read and checked, with its design built.
    pub fn resolve(&self) -> Result<Resolved, InputError> {
        let plan = match &self.source {
            SensitivitySource::File(path) => file::load(path, &self.overrides)?,
            SensitivitySource::Text { origin, text } => {
                file::parse(Path::new(origin), text, &self.overrides)?
            }
        };
        let unit = plan.unit_design();
        let sweep = plan.sweep_plan(&unit)?;
        Ok(Resolved { plan, unit, sweep })
    }
}

/// A finished analysis.
pub struct Analysis {
    pub indices: Vec<MetricIndices>,
    /// `indices.csv` as the command writes it.
    pub indices_csv: Vec<u8>,
    /// The sweep's results (every point's summaries).
    pub results: SweepResults,
}

impl Resolved {
    /// Analyses finished results.
    pub fn analyse(&self, results: SweepResults) -> Analysis {
        let indices = self.plan.analyze(&self.unit, &results);
        Analysis {
            indices_csv: engine::indices_csv(&self.plan, &indices),
            indices,
            results,
        }
    }
}

/// What [`into_folder`] did: the sweep's outcome, and the analysis once every point is
/// finished (None for a shard: `merge`, then run again to analyse).
pub struct FolderAnalysis {
    pub outcome: SweepOutcome,
    pub analysis: Option<Analysis>,
}

/// Runs the analysis into the folder `out` as `cadre-sim sensitivity` does: the sweep
/// (resuming a finished share), then `salib/`, the charts and `indices.csv`.
pub fn into_folder(
    resolved: &Resolved,
    out: &Path,
    options: &SweepOptions,
    plots: &PlotOptions,
) -> crate::error::Result<FolderAnalysis> {
    let outcome = sweep::run(&resolved.sweep, out, options)?;
    if outcome.assembled.is_none() {
        return Ok(FolderAnalysis {
            outcome,
            analysis: None,
        });
    }
    let results = SweepResults::of(&outcome.store)?;
    let plan = &resolved.plan;
    let dir = outcome.store.dir();
    let salib = dir.claim("salib")?;
    std::fs::create_dir_all(&salib)
        .map_err(|e| Error::io(format!("creating {}", salib.display()), e))?;
    for (name, bytes) in engine::salib_files(plan, &resolved.sweep, &results) {
        let path = salib.join(&name);
        crate::output::write_atomic(&path, &bytes)
            .map_err(|e| Error::io(format!("writing {}", path.display()), e))?;
    }
    let analysis = resolved.analyse(results);
    let figures: Vec<_> = analysis
        .indices
        .iter()
        .filter_map(|m| {
            sensitivity_figure(plan, m, analysis.results.summaries.len(), plots.lang)
                .map(|f| (format!("sensitivity_{}", m.metric.name()), f))
        })
        .collect();
    write_figures(dir, &figures, plots)?;
    dir.write(INDICES_CSV, &analysis.indices_csv)
        .map_err(|e| Error::io("writing indices.csv", e))?;
    // Charts of an earlier analysis in another --format or --lang are stale now.
    dir.finish(|name| !name.starts_with("sensitivity_"))
        .map_err(|e| Error::io("removing the earlier analysis's charts", e))?;
    Ok(FolderAnalysis {
        outcome,
        analysis: Some(analysis),
    })
}

/// Runs the analysis in memory, writing nothing. None when stopped.
pub fn analyse(
    resolved: &Resolved,
    control: &Control,
    counter: Option<&std::sync::atomic::AtomicU64>,
) -> crate::error::Result<Option<Analysis>> {
    let Some(computed) = super::sweep::in_memory(&resolved.sweep, false, control, counter)? else {
        return Ok(None);
    };
    let results = SweepResults::in_memory(&resolved.sweep, &computed.finals)?;
    Ok(Some(resolved.analyse(results)))
}
