//! A finished sweep's results in memory, shaped for plots: the hook the plotting module
//! (`src/plot/`) calls for a sweep's heatmap (2-D grid) or lines with bands (1-D).
//!
//! This module computes no pictures; it returns the data series a plot needs, read from the
//! point files, in the same numbers `results.csv` holds.

use std::path::Path;

use super::design::Design;
use super::plan::ResolvedSweep;
use super::store::{MANIFEST, PointError, SweepStore};
use crate::error::{Error, InputError};
use crate::model::{Metric, N_METRICS};
use crate::output::experiment::ESTIMATES_SUMMARY_HEADER;
use crate::output::number;
use crate::run::Summary;
use crate::run::stats::summaries;
use crate::scenario::Factor;

/// Why a finished sweep's point `point` could not be read, for the user.
fn unreadable(point: usize, e: PointError) -> Error {
    match e {
        PointError::Io(e) => Error::io(format!("reading point {point}"), e),
        PointError::Foreign => {
            InputError::new(format!("point {point}"), "belongs to another sweep").into()
        }
        PointError::Damaged(p) => InputError::new(p, "damaged point file").into(),
    }
}

/// The per-run table's header (`runs.csv`): `point`, `replicate`, every varied parameter's
/// key, then every metric's name.
pub fn runs_header(design: &Design) -> Vec<String> {
    let mut header = vec!["point".to_string(), "replicate".to_string()];
    header.extend(design.params.iter().map(|id| id.key().to_string()));
    header.extend(Metric::ALL.iter().map(|m| m.name().to_string()));
    header
}

/// The per-run rows of `point` (`runs.csv`): one per replicate, with the point's parameter
/// values and that replicate's final-window means (the numbers `results.csv` summarises;
/// a metric missing throughout the window is an empty field).
pub fn runs_rows<'a>(
    design: &'a Design,
    point: usize,
    values: &'a [[f64; N_METRICS]],
) -> impl Iterator<Item = Vec<String>> + 'a {
    values.iter().enumerate().map(move |(replicate, finals)| {
        let mut row = vec![point.to_string(), replicate.to_string()];
        let values = design.params.iter().zip(&design.points[point]);
        row.extend(values.map(|(f, &v)| f.format(v)));
        row.extend(finals.iter().map(|&v| number(v)));
        row
    })
}

/// Every point's summaries.
#[derive(Debug, Clone)]
pub struct SweepResults {
    pub name: String,
    /// The base scenario's name (e.g. `optimized_path`), its cadres, steps and seed.
    pub base: BaseInfo,
    pub design: Design,
    pub replicates: u32,
    pub window: u32,
    /// `summaries[point][metric.index()]`.
    pub summaries: Vec<[Summary; N_METRICS]>,
}

/// What plots say about the base scenario every point starts from.
#[derive(Debug, Clone, PartialEq)]
pub struct BaseInfo {
    pub name: String,
    pub cadres: u32,
    pub steps: u32,
    pub seed: u64,
}

impl BaseInfo {
    /// Reads the resolved base scenario's TOML as the manifest records it.
    fn of(resolved: &ResolvedSweep) -> crate::error::Result<BaseInfo> {
        let table: toml::Table = resolved.base.parse().map_err(|e| {
            InputError::new(
                MANIFEST,
                format!("the manifest's base scenario does not parse: {e}"),
            )
        })?;
        let name = table
            .get("name")
            .and_then(|v| v.as_str())
            .unwrap_or_default()
            .to_string();
        let cadres = table
            .get("population")
            .and_then(|p| p.get("cadres"))
            .and_then(|v| v.as_integer())
            .and_then(|c| u32::try_from(c).ok())
            .ok_or_else(|| {
                InputError::new(MANIFEST, "the manifest's base scenario lacks its cadres")
            })?;
        Ok(BaseInfo {
            name,
            cadres,
            steps: resolved.steps,
            seed: resolved.seed,
        })
    }
}

/// A metric along one swept parameter: the data of a line with a confidence band.
#[derive(Debug, Clone, PartialEq)]
pub struct LineSeries {
    pub param: Factor,
    pub metric: Metric,
    /// Parameter values, increasing.
    pub x: Vec<f64>,
    pub mean: Vec<f64>,
    pub ci_low: Vec<f64>,
    pub ci_high: Vec<f64>,
}

/// A metric over a 2-D grid: the data of a heatmap.
#[derive(Debug, Clone, PartialEq)]
pub struct HeatmapGrid {
    /// The first axis (columns, x).
    pub x_param: Factor,
    /// The second axis (rows, y).
    pub y_param: Factor,
    pub metric: Metric,
    pub xs: Vec<f64>,
    pub ys: Vec<f64>,
    /// `mean[iy][ix]`: the metric's mean at (xs[ix], ys[iy]).
    pub mean: Vec<Vec<f64>>,
}

impl SweepResults {
    /// Loads a sweep folder whose points are all finished.
    pub fn load(dir: &Path) -> crate::error::Result<SweepResults> {
        SweepResults::of(&SweepStore::open(dir)?)
    }

    /// The results of an open sweep whose points are all finished (the command that opened
    /// the folder reads through its own store, which keeps its claims on the folder).
    pub fn of(store: &SweepStore) -> crate::error::Result<SweepResults> {
        let m = store.manifest();
        let mut all = Vec::with_capacity(m.points);
        for point in 0..m.points {
            let values = store.read_point(point).map_err(|e| unreadable(point, e))?;
            all.push(summaries(&values));
        }
        Ok(SweepResults {
            name: m.name.clone(),
            base: BaseInfo::of(&m.sweep)?,
            design: m.sweep.design.clone(),
            replicates: m.replicates,
            window: m.sweep.window,
            summaries: all,
        })
    }

    /// The results of `plan` computed in memory (`finals[point]`: each replicate's
    /// final-window means, as [`super::run_in_memory`] returns them).
    pub fn in_memory(
        plan: &super::SweepPlan,
        finals: &[super::store::PointValues],
    ) -> crate::error::Result<SweepResults> {
        Ok(SweepResults {
            name: plan.name.clone(),
            base: BaseInfo::of(plan.resolved())?,
            design: plan.design().clone(),
            replicates: plan.resolved().replicates,
            window: plan.resolved().window,
            summaries: finals.iter().map(|v| summaries(v)).collect(),
        })
    }

    /// For a sweep over one parameter: `metric` along it, sorted by the parameter's value.
    /// None for sweeps over several parameters.
    pub fn line_series(&self, metric: Metric) -> Option<LineSeries> {
        if self.design.params.len() != 1 {
            return None;
        }
        let mut order: Vec<usize> = (0..self.design.len()).collect();
        order.sort_by(|&a, &b| self.design.points[a][0].total_cmp(&self.design.points[b][0]));
        let pick = |f: fn(&Summary) -> f64| -> Vec<f64> {
            order
                .iter()
                .map(|&p| f(&self.summaries[p][metric.index()]))
                .collect()
        };
        Some(LineSeries {
            param: self.design.params[0],
            metric,
            x: order.iter().map(|&p| self.design.points[p][0]).collect(),
            mean: pick(|s| s.mean),
            ci_low: pick(|s| s.ci_low),
            ci_high: pick(|s| s.ci_high),
        })
    }

    /// For a full grid over two parameters: `metric` at every cell. None otherwise.
    pub fn heatmap(&self, metric: Metric) -> Option<HeatmapGrid> {
        let grid = self.design.grid.as_ref().filter(|g| g.len() == 2)?;
        let (xs, ys) = (grid[0].clone(), grid[1].clone());
        // Grid points enumerate the first axis slowest: point = ix * ys.len() + iy.
        let mean = (0..ys.len())
            .map(|iy| {
                (0..xs.len())
                    .map(|ix| self.summaries[ix * ys.len() + iy][metric.index()].mean)
                    .collect()
            })
            .collect();
        Some(HeatmapGrid {
            x_param: self.design.params[0],
            y_param: self.design.params[1],
            metric,
            xs,
            ys,
            mean,
        })
    }
}

/// The quantities an experiment sweep plots, per estimator: its overall estimate's error.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Score {
    /// Mean of estimate − truth of its own estimand.
    Bias,
    /// Share of replicates whose own 95% interval holds that truth.
    Coverage,
}

impl Score {
    pub const ALL: [Score; 2] = [Score::Bias, Score::Coverage];

    /// Its column in `results.csv`, and the name of its plot files.
    pub fn name(self) -> &'static str {
        match self {
            Score::Bias => "bias",
            Score::Coverage => "coverage",
        }
    }
}

/// One estimator's overall estimate at one point of an experiment sweep.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct OverallAt {
    pub bias: f64,
    pub rmse: f64,
    pub coverage: f64,
    /// Replicates with an estimate.
    pub n: u32,
}

impl OverallAt {
    /// The value of `what` with its 95% interval over replicates: for the bias, ±1.96 sd of
    /// the errors (sd² = RMSE² − bias²) over √n; for the coverage, the binomial interval.
    pub fn with_interval(&self, what: Score) -> (f64, f64, f64) {
        let n = f64::from(self.n.max(1));
        let (value, sd) = match what {
            Score::Bias => (
                self.bias,
                (self.rmse * self.rmse - self.bias * self.bias)
                    .max(0.0)
                    .sqrt(),
            ),
            Score::Coverage => (
                self.coverage,
                (self.coverage * (1.0 - self.coverage)).sqrt(),
            ),
        };
        let half = 1.96 * sd / n.sqrt();
        (value, value - half, value + half)
    }
}

/// A finished experiment sweep's results, shaped for plots: every estimator's overall
/// estimate (the target `overall`) at every point, read from the point files.
#[derive(Debug, Clone)]
pub struct ExperimentSweepResults {
    pub name: String,
    pub base: BaseInfo,
    pub design: Design,
    pub replicates: u32,
    /// The study's outcome.
    pub outcome: String,
    /// `(estimator, its overall at every point)`, estimators in the order of the summary
    /// (None at a point where it estimated nothing).
    pub overall: Vec<(crate::did::Estimator, Vec<Option<OverallAt>>)>,
}

impl ExperimentSweepResults {
    /// The results of an open experiment sweep whose points are all finished.
    pub fn of(store: &SweepStore) -> crate::error::Result<ExperimentSweepResults> {
        let m = store.manifest();
        let settings = m.sweep.experiment.as_ref().ok_or_else(|| {
            InputError::new(
                store.path().display().to_string(),
                "not an experiment sweep",
            )
        })?;
        let column = |name: &str| {
            ESTIMATES_SUMMARY_HEADER
                .iter()
                .position(|h| *h == name)
                .expect("a column of estimates_summary.csv")
        };
        let [estimator, target, bias, rmse, coverage, n] =
            ["estimator", "target", "bias", "rmse", "coverage", "n"].map(column);
        let mut overall: Vec<(crate::did::Estimator, Vec<Option<OverallAt>>)> = Vec::new();
        for point in 0..m.points {
            let summary = store
                .read_experiment_point(point)
                .map_err(|e| unreadable(point, e))?;
            let damaged = || InputError::new(format!("point {point}"), "damaged point file");
            for row in &summary {
                let fields: Vec<&str> = row.split(',').collect();
                if fields[target] != "overall" {
                    continue;
                }
                let Some(which) = crate::did::Estimator::from_key(fields[estimator]) else {
                    return Err(damaged().into());
                };
                let number = |i: usize| fields[i].parse::<f64>().unwrap_or(f64::NAN);
                let at = OverallAt {
                    bias: number(bias),
                    rmse: number(rmse),
                    coverage: number(coverage),
                    n: fields[n].parse().unwrap_or(0),
                };
                let slot = match overall.iter().position(|(e, _)| *e == which) {
                    Some(i) => i,
                    None => {
                        overall.push((which, vec![None; m.points]));
                        overall.len() - 1
                    }
                };
                overall[slot].1[point] = Some(at);
            }
        }
        Ok(ExperimentSweepResults {
            name: m.name.clone(),
            base: BaseInfo::of(&m.sweep)?,
            design: m.sweep.design.clone(),
            replicates: m.replicates,
            outcome: settings.outcome.clone(),
            overall,
        })
    }

    /// `what` of estimator `k` (of [`Self::overall`]) at `point`, with its 95% interval;
    /// NaN where it estimated nothing.
    pub fn at(&self, k: usize, point: usize, what: Score) -> (f64, f64, f64) {
        self.overall[k].1[point].map_or((f64::NAN, f64::NAN, f64::NAN), |a| a.with_interval(what))
    }
}
