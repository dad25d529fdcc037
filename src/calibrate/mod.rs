//! Calibration to evidence: which parameter values are consistent with what is observed, and
//! how sure we can be (`cadre-sim calibrate FILE.toml`).
//!
//! - [`file`]: the calibration file (base scenario, free parameters with priors, targets);
//! - [`smc`]: ABC-SMC as pure functions (priors, distance, tolerance schedule, kernel);
//! - [`survey`]: the survey-style quantity `deterred_share`, computed outside the hot loop;
//! - this module: the cadre-sim simulator behind [`smc::Simulator`] (in-process, the
//!   replicates of (seed, generation, proposal, replicate)), the checkpoint, and what the
//!   results say (posterior summaries, correlations, the posterior-predictive check) as
//!   plain data and CSV bytes. Files are written by the command (`cli/calibrate.rs`).

pub mod file;
pub mod smc;
pub mod survey;

use rand::Rng;
use rayon::prelude::*;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::model::params::ParamId;
use crate::model::{Metric, World, drive};
use crate::output::number;
use crate::run::stats::mean_present;
use crate::scenario::Scenario;
use smc::{Generation, Observation, Prior, Settings, Side, Simulator, Stop, derive_rng};
use survey::Recorder;

/// What a target measures: one of the engine's metrics, or the survey-style share.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Quantity {
    Metric(Metric),
    DeterredShare,
}

impl Quantity {
    pub const DETERRED: &'static str = "deterred_share";

    pub fn name(self) -> &'static str {
        match self {
            Quantity::Metric(m) => m.name(),
            Quantity::DeterredShare => Self::DETERRED,
        }
    }

    pub fn from_name(name: &str) -> Option<Quantity> {
        if name == Self::DETERRED {
            return Some(Quantity::DeterredShare);
        }
        Metric::from_name(name).map(Quantity::Metric)
    }

    /// Every name a target may use.
    pub fn names() -> Vec<&'static str> {
        let mut names: Vec<&str> = Metric::ALL.iter().map(|m| m.name()).collect();
        names.push(Self::DETERRED);
        names
    }
}

/// How a target's statistic is computed from the simulated runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Statistic {
    /// The final-window mean, averaged over replicates.
    Final,
    /// The value at one step (counting from 0), averaged over replicates.
    AtStep(u32),
    /// The final-window mean in `scenario` minus that in `versus`, paired by replicate
    /// (common random numbers), averaged.
    Difference,
    /// The ratio of the two scenarios' replicate-averaged final-window means.
    Ratio,
}

impl Statistic {
    pub fn name(self) -> &'static str {
        match self {
            Statistic::Final => "final",
            Statistic::AtStep(_) => "at_step",
            Statistic::Difference => "difference",
            Statistic::Ratio => "ratio",
        }
    }
}

/// A variant of the base scenario a target is measured in: the base with overrides.
#[derive(Debug, Clone, PartialEq)]
pub struct Variant {
    pub overrides: Vec<(ParamId, f64)>,
}

impl Variant {
    /// "base" or "regime.leader_duty=1".
    pub fn label(&self) -> String {
        if self.overrides.is_empty() {
            return "base".into();
        }
        self.overrides
            .iter()
            .map(|(id, v)| format!("{}={}", id.key(), number(*v)))
            .collect::<Vec<_>>()
            .join(", ")
    }
}

/// One target: a statistic of simulated runs, what was observed, and where it comes from.
#[derive(Debug, Clone, PartialEq)]
pub struct Target {
    pub name: String,
    pub quantity: Quantity,
    pub statistic: Statistic,
    /// Index into [`CalibrationPlan::variants`].
    pub scenario: usize,
    /// The second scenario of a difference or ratio.
    pub versus: Option<usize>,
    pub observed: Observation,
    /// Whether `observed.scale` is a standard error (else a tolerance).
    pub scale_is_se: bool,
    pub source: String,
}

/// One free parameter and its prior.
#[derive(Debug, Clone, PartialEq)]
pub struct FreeParam {
    pub param: ParamId,
    pub prior: Prior,
}

impl FreeParam {
    /// "uniform(0.5, 4)", for tables.
    pub fn prior_label(&self) -> String {
        match self.prior {
            Prior::Uniform { low, high } => format!("uniform({}, {})", number(low), number(high)),
            Prior::LogUniform { low, high } => {
                format!("log-uniform({}, {})", number(low), number(high))
            }
            Prior::Beta {
                low,
                high,
                alpha,
                beta,
            } => format!(
                "beta({}, {}) on [{}, {}]",
                number(alpha),
                number(beta),
                number(low),
                number(high)
            ),
        }
    }
}

/// A validated calibration, ready to run.
#[derive(Debug, Clone)]
pub struct CalibrationPlan {
    pub name: String,
    pub description: String,
    /// The base scenario with the file's steps, replicates (per particle) and seed.
    pub base: Scenario,
    pub window: u32,
    pub free: Vec<FreeParam>,
    pub variants: Vec<Variant>,
    pub targets: Vec<Target>,
    pub settings: Settings,
    /// Draws from the posterior for the posterior-predictive check.
    pub predictive: usize,
}

/// The generation index of the posterior-predictive draws: past any real generation.
pub const PREDICTIVE_GENERATION: u32 = u32::MAX;

impl CalibrationPlan {
    pub fn priors(&self) -> Vec<Prior> {
        self.free.iter().map(|f| f.prior).collect()
    }

    pub fn observations(&self) -> Vec<Observation> {
        self.targets.iter().map(|t| t.observed).collect()
    }

    /// Replicates per particle.
    pub fn replicates(&self) -> u32 {
        self.base.run.replicates
    }

    /// Simulations (one replicate of one scenario) per proposal.
    pub fn simulations_per_proposal(&self) -> u64 {
        self.variants.len() as u64 * self.replicates() as u64
    }

    /// Agent-steps of one simulation.
    pub fn agent_steps_per_simulation(&self) -> u64 {
        self.base.population.cadres as u64 * self.base.run.steps as u64
    }

    /// A fingerprint of everything that decides the results, so that a checkpoint of
    /// another calibration is never resumed.
    pub fn fingerprint(&self) -> String {
        let mut text = self.base.to_toml();
        text.push_str(&format!("window={}\n", self.window));
        for f in &self.free {
            text.push_str(&format!("free {} {:?}\n", f.param.key(), f.prior));
        }
        for v in &self.variants {
            text.push_str(&format!("variant {:?}\n", v.overrides));
        }
        for t in &self.targets {
            text.push_str(&format!(
                "target {:?} {:?} {} {:?} {:?}\n",
                t.quantity, t.statistic, t.scenario, t.versus, t.observed
            ));
        }
        text.push_str(&format!(
            "{:?} predictive={}\n",
            self.settings, self.predictive
        ));
        let digest = Sha256::digest(text.as_bytes());
        digest.iter().map(|b| format!("{b:02x}")).collect()
    }

    /// The simulator of this plan.
    pub fn simulator(&self) -> CadreSimulator<'_> {
        let needs_survey = self
            .variants
            .iter()
            .enumerate()
            .map(|(v, _)| {
                self.targets.iter().any(|t| {
                    t.quantity == Quantity::DeterredShare
                        && (t.scenario == v || t.versus == Some(v))
                })
            })
            .collect();
        CadreSimulator {
            plan: self,
            needs_survey,
        }
    }
}

/// cadre-sim behind [`Simulator`]: every variant of a proposal runs the same replicate
/// seeds, (seed, generation, proposal, replicate), so paired targets use common random
/// numbers.
pub struct CadreSimulator<'p> {
    plan: &'p CalibrationPlan,
    /// Per variant: whether a target needs its deterred share.
    needs_survey: Vec<bool>,
}

/// One replicate of one variant: its metrics, and the deterred share when asked for.
struct Replicate {
    metrics: Vec<crate::model::StepMetrics>,
    deterred: Vec<f64>,
}

impl Replicate {
    fn series(&self, q: Quantity) -> Vec<f64> {
        match q {
            Quantity::Metric(m) => self.metrics.iter().map(|s| s[m.index()]).collect(),
            Quantity::DeterredShare => self.deterred.clone(),
        }
    }

    fn final_window(&self, q: Quantity, window: u32) -> f64 {
        let s = self.series(q);
        let from = s.len().saturating_sub(window as usize);
        mean_present(s[from..].iter().copied())
    }

    fn at(&self, q: Quantity, step: u32) -> f64 {
        self.series(q)
            .get(step as usize)
            .copied()
            .unwrap_or(f64::NAN)
    }
}

impl CadreSimulator<'_> {
    /// The scenario of `variant` at `theta`.
    fn scenario(&self, theta: &[f64], variant: &Variant) -> Scenario {
        let mut s = self.plan.base.clone();
        for (f, &x) in self.plan.free.iter().zip(theta) {
            s.set(f.param, x);
        }
        for &(id, v) in &variant.overrides {
            s.set(id, v);
        }
        s
    }
}

impl Simulator for CadreSimulator<'_> {
    fn statistics(&self, theta: &[f64], generation: u32, proposal: u64) -> Vec<f64> {
        let plan = self.plan;
        let steps = plan.base.run.steps;
        let seed = plan.settings.seed;
        // runs[v][r]
        let runs: Vec<Vec<Replicate>> = plan
            .variants
            .iter()
            .enumerate()
            .map(|(v, variant)| {
                let scenario = self.scenario(theta, variant);
                let spec = scenario.model_spec();
                (0..plan.replicates() as u64)
                    .map(|r| {
                        let rng = derive_rng(seed, &[generation as u64, proposal, r]);
                        let mut worlds = [World::new(&spec, rng)];
                        let survey = self.needs_survey[v].then_some(&scenario.population);
                        let mut recorder = Recorder::new(steps, survey);
                        drive(&mut worlds, steps, &mut recorder);
                        Replicate {
                            metrics: recorder.metrics,
                            deterred: recorder.deterred,
                        }
                    })
                    .collect()
            })
            .collect();
        plan.targets
            .iter()
            .map(|t| {
                let w = plan.window;
                let q = t.quantity;
                let a = &runs[t.scenario];
                match t.statistic {
                    Statistic::Final => mean_present(a.iter().map(|r| r.final_window(q, w))),
                    Statistic::AtStep(step) => mean_present(a.iter().map(|r| r.at(q, step))),
                    Statistic::Difference => {
                        let b = &runs[t.versus.expect("checked: a difference has versus")];
                        mean_present(
                            a.iter()
                                .zip(b)
                                .map(|(x, y)| x.final_window(q, w) - y.final_window(q, w)),
                        )
                    }
                    Statistic::Ratio => {
                        let b = &runs[t.versus.expect("checked: a ratio has versus")];
                        let top = mean_present(a.iter().map(|r| r.final_window(q, w)));
                        let bottom = mean_present(b.iter().map(|r| r.final_window(q, w)));
                        top / bottom
                    }
                }
            })
            .collect()
    }
}

/// The checkpoint: every finished generation, and why the run stopped (once it has).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Checkpoint {
    pub fingerprint: String,
    #[serde(with = "generations_json")]
    pub generations: Vec<Generation>,
    pub stop: Option<Stop>,
}

/// JSON has no infinity: generation 0's ε (infinite) is written as null.
mod generations_json {
    use super::Generation;
    use serde::{Deserialize, Deserializer, Serialize, Serializer};

    #[derive(Serialize, Deserialize)]
    struct Stored {
        #[serde(flatten)]
        generation: Generation,
        epsilon_finite: Option<f64>,
    }

    pub fn serialize<S: Serializer>(gens: &[Generation], s: S) -> Result<S::Ok, S::Error> {
        let stored: Vec<Stored> = gens
            .iter()
            .map(|g| Stored {
                generation: Generation {
                    epsilon: if g.epsilon.is_finite() {
                        g.epsilon
                    } else {
                        0.0
                    },
                    ..g.clone()
                },
                epsilon_finite: g.epsilon.is_finite().then_some(g.epsilon),
            })
            .collect();
        stored.serialize(s)
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<Generation>, D::Error> {
        let stored = Vec::<Stored>::deserialize(d)?;
        Ok(stored
            .into_iter()
            .map(|s| Generation {
                epsilon: s.epsilon_finite.unwrap_or(f64::INFINITY),
                ..s.generation
            })
            .collect())
    }
}

/// The checkpoint's file name.
pub const CHECKPOINT: &str = "checkpoint.json";

impl Checkpoint {
    pub fn to_bytes(&self) -> Vec<u8> {
        let mut bytes = serde_json::to_vec(self).expect("plain data");
        bytes.push(b'\n');
        bytes
    }
}

/// Runs the calibration from `history` (empty, or a checkpoint's generations) until it
/// stops; `on_generation` is called after each generation (to checkpoint it).
pub fn calibrate<E>(
    plan: &CalibrationPlan,
    history: &mut Vec<Generation>,
    progress: &(dyn Fn(usize) + Sync),
    on_generation: impl FnMut(&[Generation], Option<Stop>) -> Result<(), E>,
) -> Result<Stop, E> {
    let simulator = plan.simulator();
    let priors = plan.priors();
    let observed = plan.observations();
    let problem = smc::Problem {
        simulator: &simulator,
        priors: &priors,
        observed: &observed,
        settings: &plan.settings,
    };
    problem.run(history, progress, on_generation)
}

/// The posterior-predictive draws: `plan.predictive` parameter vectors drawn by weight from
/// the posterior, each simulated afresh (seeds of generation [`PREDICTIVE_GENERATION`]).
/// Returns (theta, statistics) per draw, in draw order.
pub fn predictive(plan: &CalibrationPlan, posterior: &Generation) -> Vec<(Vec<f64>, Vec<f64>)> {
    let simulator = plan.simulator();
    let weights = posterior.weights();
    let total: f64 = weights.iter().sum();
    let mut cumulative = Vec::with_capacity(weights.len());
    let mut sum = 0.0;
    for w in &weights {
        sum += w;
        cumulative.push(sum);
    }
    (0..plan.predictive as u64)
        .into_par_iter()
        .map(|j| {
            let mut rng = derive_rng(
                plan.settings.seed,
                &[PREDICTIVE_GENERATION as u64, j, smc::PROPOSAL_STREAM],
            );
            let u = rng.random::<f64>() * total;
            let i = cumulative
                .partition_point(|&c| c <= u)
                .min(cumulative.len() - 1);
            let theta = posterior.particles[i].theta.clone();
            let stats = simulator.statistics(&theta, PREDICTIVE_GENERATION, j);
            (theta, stats)
        })
        .collect()
}

/// What the posterior says about one parameter.
#[derive(Debug, Clone, PartialEq)]
pub struct ParamSummary {
    pub prior_mean: f64,
    pub prior_sd: f64,
    pub mean: f64,
    pub sd: f64,
    pub median: f64,
    pub low: f64,
    pub high: f64,
    /// 1 − posterior variance / prior variance.
    pub contraction: f64,
}

/// Contraction below this: the targets do not inform the parameter.
pub const UNINFORMED: f64 = 0.1;
/// |r| above this: the two parameters trade off.
pub const TRADE_OFF: f64 = 0.7;

/// Per free parameter, the posterior summary of `posterior`.
pub fn summarize(plan: &CalibrationPlan, posterior: &Generation) -> Vec<ParamSummary> {
    let w = posterior.weights();
    let (mean, cov) = smc::weighted_moments(posterior);
    plan.free
        .iter()
        .enumerate()
        .map(|(k, f)| {
            let x = posterior.column(k);
            let (prior_mean, prior_var) = f.prior.moments();
            ParamSummary {
                prior_mean,
                prior_sd: prior_var.sqrt(),
                mean: mean[k],
                sd: cov[k][k].sqrt(),
                median: smc::weighted_quantile(&x, &w, 0.5),
                low: smc::weighted_quantile(&x, &w, 0.05),
                high: smc::weighted_quantile(&x, &w, 0.95),
                contraction: 1.0 - cov[k][k] / prior_var,
            }
        })
        .collect()
}

/// The weighted correlation of every pair of free parameters: (a, b, r) with a < b.
pub fn correlations(posterior: &Generation) -> Vec<(usize, usize, f64)> {
    let (_, cov) = smc::weighted_moments(posterior);
    let d = cov.len();
    let mut out = Vec::new();
    for a in 0..d {
        for b in a + 1..d {
            let r = cov[a][b] / (cov[a][a] * cov[b][b]).sqrt();
            out.push((a, b, if r.is_finite() { r } else { 0.0 }));
        }
    }
    out
}

/// The posterior-predictive check of one target.
#[derive(Debug, Clone, PartialEq)]
pub struct Check {
    pub mean: f64,
    pub low: f64,
    pub high: f64,
    /// Whether the 90% interval covers the observation (for a one-sided target: whether it
    /// reaches the allowed side).
    pub covered: bool,
    /// Draws whose statistic was missing.
    pub missing: usize,
}

/// Per target, the mean and 90% interval of the predictive draws' statistics.
pub fn checks(plan: &CalibrationPlan, draws: &[(Vec<f64>, Vec<f64>)]) -> Vec<Check> {
    plan.targets
        .iter()
        .enumerate()
        .map(|(k, t)| {
            let values: Vec<f64> = draws
                .iter()
                .map(|(_, s)| s[k])
                .filter(|v| !v.is_nan())
                .collect();
            let ones = vec![1.0; values.len()];
            let mean = mean_present(values.iter().copied());
            let low = smc::weighted_quantile(&values, &ones, 0.05);
            let high = smc::weighted_quantile(&values, &ones, 0.95);
            let o = t.observed.value;
            let covered = match t.observed.side {
                Side::Equal => low <= o && o <= high,
                Side::AtLeast => high >= o,
                Side::AtMost => low <= o,
            };
            Check {
                mean,
                low,
                high,
                covered,
                missing: draws.len() - values.len(),
            }
        })
        .collect()
}

fn csv_bytes(rows: Vec<Vec<String>>) -> Vec<u8> {
    let mut w = csv::Writer::from_writer(Vec::new());
    for row in rows {
        w.write_record(&row).expect("write to memory");
    }
    w.into_inner().expect("flush to memory")
}

/// A number, or empty for a missing one.
fn cell(x: f64) -> String {
    if x.is_nan() { String::new() } else { number(x) }
}

/// `posterior.csv`: every particle of every generation.
pub fn posterior_csv(plan: &CalibrationPlan, generations: &[Generation]) -> Vec<u8> {
    let mut header: Vec<String> = ["generation", "particle", "proposal", "weight"]
        .map(String::from)
        .to_vec();
    header.extend(plan.free.iter().map(|f| f.param.key().to_string()));
    header.push("distance".into());
    header.extend(plan.targets.iter().map(|t| format!("sim_{}", t.name)));
    let mut rows = vec![header];
    for g in generations {
        for (i, p) in g.particles.iter().enumerate() {
            let mut row = vec![
                g.index.to_string(),
                i.to_string(),
                p.proposal.to_string(),
                number(p.weight),
            ];
            row.extend(p.theta.iter().map(|&x| number(x)));
            row.push(number(p.distance));
            row.extend(p.stats.iter().map(|&x| cell(x)));
            rows.push(row);
        }
    }
    csv_bytes(rows)
}

/// `summary.csv`: per free parameter, prior and posterior.
pub fn summary_csv(plan: &CalibrationPlan, summaries: &[ParamSummary]) -> Vec<u8> {
    let mut rows = vec![
        [
            "parameter",
            "prior",
            "prior_mean",
            "prior_sd",
            "posterior_mean",
            "posterior_sd",
            "posterior_median",
            "ci05",
            "ci95",
            "contraction",
            "informed",
        ]
        .map(String::from)
        .to_vec(),
    ];
    for (f, s) in plan.free.iter().zip(summaries) {
        rows.push(vec![
            f.param.key().to_string(),
            f.prior_label(),
            number(s.prior_mean),
            number(s.prior_sd),
            number(s.mean),
            number(s.sd),
            number(s.median),
            number(s.low),
            number(s.high),
            number(s.contraction),
            (s.contraction >= UNINFORMED).to_string(),
        ]);
    }
    csv_bytes(rows)
}

/// `targets.csv`: each target, observed against the posterior-predictive mean and 90%
/// interval, and whether the interval covers the observation.
pub fn targets_csv(plan: &CalibrationPlan, checks: &[Check]) -> Vec<u8> {
    let mut rows = vec![
        [
            "target",
            "quantity",
            "statistic",
            "scenario",
            "versus",
            "side",
            "observed",
            "scale",
            "scale_is_se",
            "predictive_mean",
            "predictive_05",
            "predictive_95",
            "covered",
            "source",
        ]
        .map(String::from)
        .to_vec(),
    ];
    for (t, c) in plan.targets.iter().zip(checks) {
        let statistic = match t.statistic {
            Statistic::AtStep(s) => format!("at_step {s}"),
            s => s.name().to_string(),
        };
        rows.push(vec![
            t.name.clone(),
            t.quantity.name().to_string(),
            statistic,
            plan.variants[t.scenario].label(),
            t.versus
                .map(|v| plan.variants[v].label())
                .unwrap_or_default(),
            serde_json::to_value(t.observed.side)
                .ok()
                .and_then(|v| v.as_str().map(String::from))
                .unwrap_or_default(),
            number(t.observed.value),
            number(t.observed.scale),
            t.scale_is_se.to_string(),
            cell(c.mean),
            cell(c.low),
            cell(c.high),
            if c.covered { "pass" } else { "fail" }.to_string(),
            t.source.clone(),
        ]);
    }
    csv_bytes(rows)
}

/// `generations.csv`: the tolerance schedule and acceptance rates.
pub fn generations_csv(plan: &CalibrationPlan, generations: &[Generation]) -> Vec<u8> {
    let mut rows = vec![
        [
            "generation",
            "epsilon",
            "proposals",
            "accepted",
            "acceptance_rate",
            "simulations",
        ]
        .map(String::from)
        .to_vec(),
    ];
    for g in generations {
        rows.push(vec![
            g.index.to_string(),
            if g.epsilon.is_finite() {
                number(g.epsilon)
            } else {
                "inf".into()
            },
            g.proposals.to_string(),
            g.particles.len().to_string(),
            number(g.acceptance_rate()),
            (g.simulated * plan.simulations_per_proposal()).to_string(),
        ]);
    }
    csv_bytes(rows)
}

/// `correlations.csv`: the posterior correlation of every pair, and whether |r| > 0.7.
pub fn correlations_csv(plan: &CalibrationPlan, pairs: &[(usize, usize, f64)]) -> Vec<u8> {
    let mut rows = vec![
        ["parameter_a", "parameter_b", "r", "trade_off"]
            .map(String::from)
            .to_vec(),
    ];
    for &(a, b, r) in pairs {
        rows.push(vec![
            plan.free[a].param.key().to_string(),
            plan.free[b].param.key().to_string(),
            number(r),
            (r.abs() > TRADE_OFF).to_string(),
        ]);
    }
    csv_bytes(rows)
}

/// `predictive.csv`: the posterior-predictive draws.
pub fn predictive_csv(plan: &CalibrationPlan, draws: &[(Vec<f64>, Vec<f64>)]) -> Vec<u8> {
    let mut header = vec!["draw".to_string()];
    header.extend(plan.free.iter().map(|f| f.param.key().to_string()));
    header.extend(plan.targets.iter().map(|t| t.name.clone()));
    let mut rows = vec![header];
    for (j, (theta, stats)) in draws.iter().enumerate() {
        let mut row = vec![j.to_string()];
        row.extend(theta.iter().map(|&x| number(x)));
        row.extend(stats.iter().map(|&x| cell(x)));
        rows.push(row);
    }
    csv_bytes(rows)
}
