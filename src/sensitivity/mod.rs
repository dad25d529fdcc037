//! Global sensitivity analysis: which levers matter, and where the model is fragile.
//!
//! Pure numerics, independent of the simulation: designs in the unit cube (Saltelli's
//! sampling on a Sobol sequence, Morris trajectories), their scaling to parameter ranges, and
//! the analysers (Sobol first-order and total indices with bootstrap intervals; Morris μ*, μ,
//! σ). The layouts follow SALib's, so its `sobol.analyze` and `morris.analyze` accept the raw
//! design and results this module's users write out.

pub mod file;
pub mod morris;
pub mod sobol;

use rand::Rng;
use serde::Serialize;

use crate::error::InputError;
use crate::model::Metric;
use crate::model::params::ParamId;
use crate::model::rng::{SimRng, replicate_rng};
use crate::output::number;
use crate::scenario::Scenario;
use crate::sweep::{Design, SweepPlan, SweepResults};
use morris::MorrisIndex;
use sobol::SobolIndex;

/// How the parameter space is sampled and analysed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Method {
    /// Saltelli's scheme: `samples` base samples, samples·(d + 2) points.
    Sobol { samples: usize },
    /// Morris: `trajectories` trajectories of d + 1 points on a `levels`-level grid.
    Morris { trajectories: usize, levels: usize },
}

impl Method {
    pub fn name(self) -> &'static str {
        match self {
            Method::Sobol { .. } => "sobol",
            Method::Morris { .. } => "morris",
        }
    }
}

/// A validated sensitivity analysis, ready to run.
#[derive(Debug, Clone)]
pub struct SensitivityPlan {
    pub name: String,
    pub description: String,
    /// The base scenario with the shared steps, replicates and seed applied.
    pub base: Scenario,
    pub window: u32,
    pub method: Method,
    pub metrics: Vec<Metric>,
    pub factors: Vec<Factor>,
    /// Bootstrap resamples for the confidence intervals (0: none).
    pub bootstrap: usize,
}

/// Replicate indices are below 100,000, so these stream indices of the master seed never
/// meet a replicate's: the Morris design and the bootstrap have streams of their own.
const DESIGN_STREAM: u64 = u64::MAX;
const BOOTSTRAP_STREAM: u64 = u64::MAX - 1;

impl SensitivityPlan {
    /// The design in the unit cube, one row per point, in SALib's order.
    pub fn unit_design(&self) -> Vec<Vec<f64>> {
        let d = self.factors.len();
        match self.method {
            Method::Sobol { samples } => sobol::saltelli_design(samples, d),
            Method::Morris {
                trajectories,
                levels,
            } => {
                let mut rng = replicate_rng(self.base.run.seed, DESIGN_STREAM);
                morris::design(trajectories, d, levels, &mut rng)
            }
        }
    }

    /// The design scaled to the parameters' ranges, as a sweep plan: every point runs with
    /// the same replicate seeds (common random numbers), and gets the sweep machinery's
    /// resume, shards and Slurm for free.
    pub fn sweep_plan(&self, unit: &[Vec<f64>]) -> Result<SweepPlan, InputError> {
        let points = unit
            .iter()
            .map(|row| {
                row.iter()
                    .zip(&self.factors)
                    .map(|(&u, f)| f.scale(u))
                    .collect()
            })
            .collect();
        let params = self.factors.iter().map(|f| f.param.into()).collect();
        let design = Design::new(self.method.name(), params, points)
            .map_err(|m| InputError::new(format!("sensitivity '{}'", self.name), m))?;
        SweepPlan::new(
            self.name.clone(),
            self.description.clone(),
            self.base.clone(),
            design,
            self.window,
        )
    }

    /// Analyses finished results: per metric, the indices of every factor, or why not.
    pub fn analyze(&self, unit: &[Vec<f64>], results: &SweepResults) -> Vec<MetricIndices> {
        let d = self.factors.len();
        let mut rng = replicate_rng(self.base.run.seed, BOOTSTRAP_STREAM);
        self.metrics
            .iter()
            .map(|&metric| {
                let y = outputs(results, metric);
                let missing = y.iter().filter(|v| !v.is_finite()).count();
                let indices = if missing > 0 {
                    Err(format!(
                        "`{}` is missing at {missing} of {} points (a ratio with nothing to count, e.g. no case decided): choose another metric or a longer window",
                        metric.name(),
                        y.len()
                    ))
                } else {
                    Ok(match self.method {
                        Method::Sobol { .. } => {
                            Indices::Sobol(sobol::analyze(&y, d, self.bootstrap, &mut rng))
                        }
                        Method::Morris { levels, .. } => Indices::Morris(morris::analyze(
                            unit,
                            &y,
                            d,
                            levels,
                            self.bootstrap,
                            &mut rng,
                        )),
                    })
                };
                MetricIndices { metric, indices }
            })
            .collect()
    }
}

/// Each point's output: the mean over its replicates of their final-window means.
pub fn outputs(results: &SweepResults, metric: Metric) -> Vec<f64> {
    results
        .summaries
        .iter()
        .map(|s| s[metric.index()].mean)
        .collect()
}

/// The indices of every factor for one metric.
#[derive(Debug, Clone, Serialize)]
#[serde(untagged)]
pub enum Indices {
    Sobol(Vec<SobolIndex>),
    Morris(Vec<MorrisIndex>),
}

/// One metric's analysis, or why it could not be done.
#[derive(Debug, Clone)]
pub struct MetricIndices {
    pub metric: Metric,
    pub indices: Result<Indices, String>,
}

/// `indices.csv`: one row per metric and parameter. Sobol: `S1, S1_conf, ST, ST_conf`;
/// Morris: `mu_star, mu_star_conf, mu, sigma`. Confidence columns are 95% half-widths.
pub fn indices_csv(plan: &SensitivityPlan, analysis: &[MetricIndices]) -> Vec<u8> {
    let mut w = csv::Writer::from_writer(Vec::new());
    let header: &[&str] = match plan.method {
        Method::Sobol { .. } => &["metric", "parameter", "S1", "S1_conf", "ST", "ST_conf"],
        Method::Morris { .. } => &[
            "metric",
            "parameter",
            "mu_star",
            "mu_star_conf",
            "mu",
            "sigma",
        ],
    };
    w.write_record(header).expect("write to memory");
    for m in analysis {
        let Ok(indices) = &m.indices else { continue };
        for (k, factor) in plan.factors.iter().enumerate() {
            let values = match indices {
                Indices::Sobol(v) => [v[k].s1, v[k].s1_conf, v[k].st, v[k].st_conf],
                Indices::Morris(v) => [v[k].mu_star, v[k].mu_star_conf, v[k].mu, v[k].sigma],
            };
            let mut row = vec![m.metric.name().to_string(), factor.param.key().to_string()];
            row.extend(values.iter().map(|&x| number(x)));
            w.write_record(&row).expect("write to memory");
        }
    }
    w.into_inner().expect("flush to memory")
}

/// The files of the `salib/` folder, in the layout SALib's analysers read:
/// `problem.json` (num_vars, names, bounds), `X.txt` (the scaled design, one point per line)
/// and `Y_<metric>.txt` (one output per line, in the design's order).
pub fn salib_files(
    plan: &SensitivityPlan,
    sweep: &SweepPlan,
    results: &SweepResults,
) -> Vec<(String, Vec<u8>)> {
    let problem = serde_json::json!({
        "num_vars": plan.factors.len(),
        "names": plan.factors.iter().map(|f| f.param.key()).collect::<Vec<_>>(),
        "bounds": plan.factors.iter().map(|f| [f.low, f.high]).collect::<Vec<_>>(),
    });
    let mut problem_text = serde_json::to_vec_pretty(&problem).expect("plain data");
    problem_text.push(b'\n');
    let rows: String = sweep
        .design()
        .points
        .iter()
        .map(|p| p.iter().map(|v| number(*v)).collect::<Vec<_>>().join(" ") + "\n")
        .collect();
    let mut files = vec![
        ("problem.json".to_string(), problem_text),
        ("X.txt".to_string(), rows.into_bytes()),
    ];
    for &metric in &plan.metrics {
        let y: String = outputs(results, metric)
            .iter()
            .map(|v| format!("{}\n", number_or_nan(*v)))
            .collect();
        files.push((format!("Y_{}.txt", metric.name()), y.into_bytes()));
    }
    files
}

/// numpy's `loadtxt` reads `nan`, not an empty field.
fn number_or_nan(x: f64) -> String {
    if x.is_nan() { "nan".into() } else { number(x) }
}

/// One varied parameter and its range.
#[derive(Debug, Clone)]
pub struct Factor {
    pub param: ParamId,
    pub low: f64,
    pub high: f64,
}

impl Factor {
    /// The parameter value at position `u` in [0, 1] of the range; integer parameters are
    /// rounded to the nearest integer.
    pub fn scale(&self, u: f64) -> f64 {
        let v = self.low + u * (self.high - self.low);
        if self.param.spec().range.is_integer() {
            v.round()
        } else {
            v
        }
    }
}

/// The normal quantile used for SALib-style confidence half-widths: 1.96 for 95%.
pub const Z_95: f64 = 1.959_963_984_540_054;

/// Mean of a slice.
fn mean(xs: &[f64]) -> f64 {
    xs.iter().sum::<f64>() / xs.len() as f64
}

/// Standard deviation with `ddof` degrees of freedom removed.
fn sd(xs: &[f64], ddof: f64) -> f64 {
    let m = mean(xs);
    (xs.iter().map(|x| (x - m).powi(2)).sum::<f64>() / (xs.len() as f64 - ddof)).sqrt()
}

/// A bootstrap resample of indices 0..n (with replacement).
fn resample(rng: &mut SimRng, n: usize) -> Vec<usize> {
    (0..n).map(|_| rng.random_range(0..n)).collect()
}
