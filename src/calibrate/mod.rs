//! Calibration to evidence: which parameter values are consistent with what is observed, and
//! how sure we can be (`cadre-sim calibrate FILE.toml`).
//!
//! - [`file`]: the calibration file (base scenario, free parameters with priors, targets);
//! - [`smc`]: ABC-SMC as pure functions (priors, distance, tolerance schedule, kernel);
//! - [`survey`]: the survey-style quantity `deterred_share`, computed outside the hot loop;
//! - [`folder`]: a run into its output folder (checkpoint, progress, results, plots,
//!   report), beneath the command and the Python API;
//! - this module: the cadre-sim simulator behind [`smc::Simulator`] (in-process, the
//!   replicates of (seed, generation, proposal, replicate)), the checkpoint, and what the
//!   results say (posterior summaries, correlations, the posterior-predictive check) as
//!   plain data and CSV bytes. Files are written by the command (`cli/calibrate.rs`).

pub mod file;
pub mod folder;
pub mod smc;
pub mod study;
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

/// What a target measures: one of the engine's metrics, the survey-style share, or a
/// place-level outcome a study's estimator runs on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Quantity {
    Metric(Metric),
    DeterredShare,
    Study(crate::experiment::panel::Outcome),
}

impl Quantity {
    pub const DETERRED: &'static str = "deterred_share";

    pub fn name(self) -> &'static str {
        match self {
            Quantity::Metric(m) => m.name(),
            Quantity::DeterredShare => Self::DETERRED,
            Quantity::Study(o) => o.name(),
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
    /// A study's estimate on the simulated world ([`study`]): the index of its design in
    /// [`CalibrationPlan::studies`].
    Experiment(usize),
}

impl Statistic {
    pub fn name(self) -> &'static str {
        match self {
            Statistic::Final => "final",
            Statistic::AtStep(_) => "at_step",
            Statistic::Difference => "difference",
            Statistic::Ratio => "ratio",
            Statistic::Experiment(_) => "experiment",
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
            Prior::Normal { mean, sd, .. } => {
                format!("normal({}, sd {})", number(mean), number(sd))
            }
            Prior::TruncatedNormal {
                mean,
                sd,
                low,
                high,
            } => format!(
                "normal({}, sd {}) on [{}, {}]",
                number(mean),
                number(sd),
                number(low),
                number(high)
            ),
            Prior::Gamma { shape, rate, .. } => {
                format!("gamma(shape {}, rate {})", number(shape), number(rate))
            }
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
    /// The study designs of experiment targets.
    pub studies: Vec<study::Study>,
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

    /// Per variant: whether a target other than an experiment's reads it (the base is
    /// not simulated when only studies are targets).
    pub fn variant_needed(&self) -> Vec<bool> {
        (0..self.variants.len())
            .map(|v| {
                self.targets.iter().any(|t| {
                    !matches!(t.statistic, Statistic::Experiment(_))
                        && (t.scenario == v || t.versus == Some(v))
                })
            })
            .collect()
    }

    /// Simulations (one replicate of one scenario or study design) per proposal.
    pub fn simulations_per_proposal(&self) -> u64 {
        let variants = self.variant_needed().iter().filter(|&&n| n).count();
        (variants + self.studies.len()) as u64 * self.replicates() as u64
    }

    /// Agent-steps of one proposal (all its simulations).
    pub fn agent_steps_per_proposal(&self) -> u64 {
        let variants = self.variant_needed().iter().filter(|&&n| n).count() as u64;
        let base = self.base.population.cadres as u64 * self.base.run.steps as u64;
        let studies: u64 = self
            .studies
            .iter()
            .map(|s| s.scenario.population.cadres as u64 * s.scenario.run.steps as u64)
            .sum();
        (variants * base + studies) * self.replicates() as u64
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
        for s in &self.studies {
            text.push_str(&format!(
                "study {} {:?} {:?} {:?} {:?}\n",
                s.scenario.to_toml(),
                s.estimator,
                s.control,
                s.reported,
                s.outcome
            ));
        }
        // Not the most generations: a finished run continues when more are asked for (its
        // generations are those of a run asked for more at the start).
        let settings = Settings {
            max_generations: 0,
            ..self.settings.clone()
        };
        text.push_str(&format!("{settings:?} predictive={}\n", self.predictive));
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
            // Read from the study's own panels, never from a scenario's run.
            Quantity::Study(_) => Vec::new(),
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

/// What a study target implies in one posterior-predictive draw, averaged over its
/// replicates: the estimate the study would report, the estimator's own estimand, and the
/// policy's true effect.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Implied {
    /// The index of the target in [`CalibrationPlan::targets`].
    pub target: usize,
    pub estimate: f64,
    pub estimand: f64,
    pub policy: f64,
}

impl CadreSimulator<'_> {
    /// The statistics of `theta` for proposal `proposal` of `generation`, and with `truth`
    /// what each study target implies (simulating the no-adoption twin too).
    pub fn simulate(
        &self,
        theta: &[f64],
        generation: u32,
        proposal: u64,
        truth: bool,
    ) -> (Vec<f64>, Vec<Implied>) {
        let plan = self.plan;
        let steps = plan.base.run.steps;
        let seed = plan.settings.seed;
        let needed = plan.variant_needed();
        let rng = |r: u64| derive_rng(seed, &[generation as u64, proposal, r]);
        // runs[v][r]; empty for a variant no target reads.
        let runs: Vec<Vec<Replicate>> = plan
            .variants
            .iter()
            .enumerate()
            .map(|(v, variant)| {
                if !needed[v] {
                    return Vec::new();
                }
                let scenario = self.scenario(theta, variant);
                let spec = scenario.model_spec();
                (0..plan.replicates() as u64)
                    .map(|r| {
                        let mut worlds = [World::new(&spec, rng(r))];
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
        // studies[j][r]
        let studies: Vec<Vec<study::StudyReplicate>> = plan
            .studies
            .iter()
            .map(|st| {
                let scenario = st.scenario_at(&plan.free, theta, plan.replicates());
                (0..plan.replicates() as u64)
                    .map(|r| st.replicate(&scenario, rng(r), truth))
                    .collect()
            })
            .collect();
        let mut implied = Vec::new();
        let stats = plan
            .targets
            .iter()
            .enumerate()
            .map(|(k, t)| {
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
                    Statistic::Experiment(j) => {
                        let reps = &studies[j];
                        let estimate = mean_present(reps.iter().map(|r| r.estimate));
                        if truth {
                            implied.push(Implied {
                                target: k,
                                estimate,
                                estimand: mean_present(reps.iter().map(|r| r.estimand)),
                                policy: mean_present(reps.iter().map(|r| r.policy)),
                            });
                        }
                        estimate
                    }
                }
            })
            .collect();
        (stats, implied)
    }
}

impl Simulator for CadreSimulator<'_> {
    fn statistics(&self, theta: &[f64], generation: u32, proposal: u64) -> Vec<f64> {
        self.simulate(theta, generation, proposal, false).0
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
    progress: &(dyn Fn(smc::Tick) + Sync),
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

/// One posterior-predictive draw: its parameters, each target's statistic, and what each
/// study target implies.
#[derive(Debug, Clone, PartialEq)]
pub struct Draw {
    pub theta: Vec<f64>,
    pub stats: Vec<f64>,
    pub implied: Vec<Implied>,
}

/// The posterior-predictive draws: `plan.predictive` parameter vectors drawn by weight from
/// the posterior, each simulated afresh (seeds of generation [`PREDICTIVE_GENERATION`]),
/// with the no-adoption twin of every study design for the implied truth. `progress` is
/// called with the number of draws done. In draw order.
pub fn predictive(
    plan: &CalibrationPlan,
    posterior: &Generation,
    progress: &(dyn Fn(usize) + Sync),
) -> Vec<Draw> {
    let simulator = plan.simulator();
    let weights = posterior.weights();
    let total: f64 = weights.iter().sum();
    let mut cumulative = Vec::with_capacity(weights.len());
    let mut sum = 0.0;
    for w in &weights {
        sum += w;
        cumulative.push(sum);
    }
    let done = std::sync::atomic::AtomicUsize::new(0);
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
            let (stats, implied) = simulator.simulate(&theta, PREDICTIVE_GENERATION, j, true);
            progress(done.fetch_add(1, std::sync::atomic::Ordering::Relaxed) + 1);
            Draw {
                theta,
                stats,
                implied,
            }
        })
        .collect()
}

/// A bound of a prior's range.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Bound {
    Lower,
    Upper,
}

impl Bound {
    pub fn name(self) -> &'static str {
        match self {
            Bound::Lower => "lower",
            Bound::Upper => "upper",
        }
    }
}

/// Bins of the marginal histograms (and of the boundary check, which reads the same
/// histogram a user sees): about √particles, between 8 and 30, so that a bin holds enough
/// particles to read as a density.
pub fn marginal_bins(particles: usize) -> usize {
    ((particles as f64).sqrt().round() as usize).clamp(8, 30)
}

/// The posterior's 5% (or 95%) quantile this close to a bound, as a share of the prior's
/// range, counts as piled against it.
pub const NEAR_BOUND: f64 = 0.02;
/// ...and only when the posterior holds at least this many times the prior's mass in the
/// edge bin, so that a prior that itself crowds a bound (a log-uniform) and that the data
/// leave alone is not flagged.
pub const EDGE_EXCESS: f64 = 1.5;

/// Whether a posterior piles against a bound of its prior (only bounds the file chose:
/// uniform, log-uniform, beta, truncated normal). It does when, in the marginal plot's
/// histogram, the edge bin is the fullest or the 5% (95%) quantile lies within
/// [`NEAR_BOUND`] of the range from the bound, and the edge bin holds at least
/// [`EDGE_EXCESS`] times the prior's mass there. The data then push the parameter against
/// the prior's edge: the prior, not the data, decides where its posterior ends.
pub fn piled_against(
    prior: &Prior,
    values: &[f64],
    weights: &[f64],
    low_q: f64,
    high_q: f64,
) -> Option<Bound> {
    if !prior.has_chosen_bounds() || values.is_empty() {
        return None;
    }
    let (low, high) = prior.bounds();
    let bins = marginal_bins(values.len());
    let width = (high - low) / bins as f64;
    let total: f64 = weights.iter().sum();
    let mut mass = vec![0.0; bins];
    for (x, w) in values.iter().zip(weights) {
        let b = (((x - low) / width).floor().max(0.0) as usize).min(bins - 1);
        mass[b] += w / total;
    }
    let fullest = mass
        .iter()
        .enumerate()
        .max_by(|a, b| a.1.total_cmp(b.1))
        .map_or(0, |(i, _)| i);
    let near = NEAR_BOUND * (high - low);
    let lower_prior = prior.cdf(low + width);
    let upper_prior = 1.0 - prior.cdf(high - width);
    let lower = (fullest == 0 || low_q - low <= near) && mass[0] >= EDGE_EXCESS * lower_prior;
    let upper = (fullest == bins - 1 || high - high_q <= near)
        && mass[bins - 1] >= EDGE_EXCESS * upper_prior;
    match (lower, upper) {
        (true, false) => Some(Bound::Lower),
        (false, true) => Some(Bound::Upper),
        // Both edges at once: the posterior spans the range, nothing piles.
        _ => None,
    }
}

/// Whether the calibration reached the targets: its final ε against the distance that
/// sampling noise alone would rarely exceed.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Convergence {
    /// The final generation's tolerance, in units of the targets' standard errors (or
    /// tolerances): every kept set lies within it.
    pub epsilon: f64,
    /// ε above this is large: √(the 95% quantile of χ² with one degree of freedom per
    /// target), the distance that targets each off by no more than their observation's
    /// noise (one standard error per unit) exceed only 5% of the time. 1.96 for one
    /// target, 2.45 for two, 2.80 for three.
    pub large_above: f64,
    pub stop: Stop,
}

impl Convergence {
    pub fn new(plan: &CalibrationPlan, posterior: &Generation, stop: Stop) -> Convergence {
        use statrs::distribution::{ChiSquared, ContinuousCDF};
        let k = plan.targets.len().max(1) as f64;
        let large_above = ChiSquared::new(k).expect("k ≥ 1").inverse_cdf(0.95).sqrt();
        Convergence {
            epsilon: posterior.epsilon,
            large_above,
            stop,
        }
    }

    /// Whether the final ε is within what noise explains. Generation 0 alone (ε infinite)
    /// has not converged.
    pub fn converged(&self) -> bool {
        self.epsilon <= self.large_above
    }
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
    /// The prior bound the posterior piles against, if any ([`piled_against`]).
    pub against: Option<Bound>,
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
            let low = smc::weighted_quantile(&x, &w, 0.05);
            let high = smc::weighted_quantile(&x, &w, 0.95);
            ParamSummary {
                prior_mean,
                prior_sd: prior_var.sqrt(),
                mean: mean[k],
                sd: cov[k][k].sqrt(),
                median: smc::weighted_quantile(&x, &w, 0.5),
                low,
                high,
                contraction: 1.0 - cov[k][k] / prior_var,
                against: piled_against(&f.prior, &x, &w, low, high),
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
pub fn checks(plan: &CalibrationPlan, draws: &[Draw]) -> Vec<Check> {
    plan.targets
        .iter()
        .enumerate()
        .map(|(k, t)| {
            let values: Vec<f64> = draws
                .iter()
                .map(|d| d.stats[k])
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

/// `summary.csv`: per free parameter, prior and posterior, whether the posterior piles
/// against a prior bound; and on every row the run's convergence (final ε, what counts as
/// large, whether it converged, why it stopped), so that one file says whether to trust it.
pub fn summary_csv(
    plan: &CalibrationPlan,
    summaries: &[ParamSummary],
    convergence: &Convergence,
) -> Vec<u8> {
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
            "against_bound",
            "final_epsilon",
            "epsilon_large_above",
            "converged",
            "stop",
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
            s.against.map(Bound::name).unwrap_or_default().to_string(),
            epsilon_cell(convergence.epsilon),
            number(convergence.large_above),
            convergence.converged().to_string(),
            convergence.stop.name().to_string(),
        ]);
    }
    csv_bytes(rows)
}

/// ε, with generation 0's infinite one as `inf`.
fn epsilon_cell(epsilon: f64) -> String {
    if epsilon.is_finite() {
        number(epsilon)
    } else {
        "inf".into()
    }
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
            Statistic::Experiment(j) => format!("experiment: {}", plan.studies[j].label()),
            s => s.name().to_string(),
        };
        let scenario = match t.statistic {
            Statistic::Experiment(j) => plan.studies[j].path.clone(),
            _ => plan.variants[t.scenario].label(),
        };
        rows.push(vec![
            t.name.clone(),
            t.quantity.name().to_string(),
            statistic,
            scenario,
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
            "ess",
        ]
        .map(String::from)
        .to_vec(),
    ];
    for g in generations {
        rows.push(vec![
            g.index.to_string(),
            epsilon_cell(g.epsilon),
            g.proposals.to_string(),
            g.particles.len().to_string(),
            number(g.acceptance_rate()),
            (g.simulated * plan.simulations_per_proposal()).to_string(),
            format!("{:.1}", g.ess()),
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
/// For a study target, also `<target>_estimand` and `<target>_policy_effect`: the truths of
/// each draw (see [`Implied`]).
pub fn predictive_csv(plan: &CalibrationPlan, draws: &[Draw]) -> Vec<u8> {
    let mut header = vec!["draw".to_string()];
    header.extend(plan.free.iter().map(|f| f.param.key().to_string()));
    header.extend(plan.targets.iter().map(|t| t.name.clone()));
    if let Some(first) = draws.first() {
        for i in &first.implied {
            let name = &plan.targets[i.target].name;
            header.push(format!("{name}_estimand"));
            header.push(format!("{name}_policy_effect"));
        }
    }
    let mut rows = vec![header];
    for (j, d) in draws.iter().enumerate() {
        let mut row = vec![j.to_string()];
        row.extend(d.theta.iter().map(|&x| number(x)));
        row.extend(d.stats.iter().map(|&x| cell(x)));
        for i in &d.implied {
            row.push(cell(i.estimand));
            row.push(cell(i.policy));
        }
        rows.push(row);
    }
    csv_bytes(rows)
}

/// A mean and 90% interval over the predictive draws.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Spread {
    pub mean: f64,
    pub low: f64,
    pub high: f64,
}

impl Spread {
    fn of(values: impl Iterator<Item = f64>) -> Spread {
        let values: Vec<f64> = values.filter(|v| !v.is_nan()).collect();
        let ones = vec![1.0; values.len()];
        Spread {
            mean: mean_present(values.iter().copied()),
            low: smc::weighted_quantile(&values, &ones, 0.05),
            high: smc::weighted_quantile(&values, &ones, 0.95),
        }
    }
}

/// What a fitted study estimate implies, over the posterior-predictive draws: the
/// estimate the study finds on the simulated world, the estimator's own estimand, the
/// policy's true effect, and the gaps between them (each draw's gap, then its spread).
#[derive(Debug, Clone, PartialEq)]
pub struct ImpliedTruth {
    pub target: usize,
    pub estimate: Spread,
    pub estimand: Spread,
    pub policy: Spread,
    /// Estimate − policy effect: what the study gets wrong about the policy.
    pub gap: Spread,
    /// Estimate − estimand: the estimator's own bias.
    pub bias: Spread,
}

/// Per study target, [`ImpliedTruth`] over `draws`.
pub fn implied(plan: &CalibrationPlan, draws: &[Draw]) -> Vec<ImpliedTruth> {
    let Some(first) = draws.first() else {
        return Vec::new();
    };
    (0..first.implied.len())
        .map(|i| {
            let of =
                |f: &dyn Fn(&Implied) -> f64| Spread::of(draws.iter().map(|d| f(&d.implied[i])));
            ImpliedTruth {
                target: first.implied[i].target,
                estimate: of(&|x| x.estimate),
                estimand: of(&|x| x.estimand),
                policy: of(&|x| x.policy),
                gap: of(&|x| x.estimate - x.policy),
                bias: of(&|x| x.estimate - x.estimand),
            }
        })
        .filter(|t| t.target < plan.targets.len())
        .collect()
}

/// `implied.csv`: per study target, the observed estimate and, over the posterior, the
/// simulated estimate, the estimator's estimand, the policy's effect, and the gaps.
pub fn implied_csv(plan: &CalibrationPlan, truths: &[ImpliedTruth]) -> Vec<u8> {
    let mut header: Vec<String> = [
        "target",
        "design",
        "estimator",
        "control",
        "reported",
        "outcome",
        "observed",
    ]
    .map(String::from)
    .to_vec();
    for q in [
        "estimate",
        "estimand",
        "policy_effect",
        "gap_estimate_minus_policy",
        "bias_estimate_minus_estimand",
    ] {
        for s in ["mean", "05", "95"] {
            header.push(format!("{q}_{s}"));
        }
    }
    let mut rows = vec![header];
    for t in truths {
        let target = &plan.targets[t.target];
        let Statistic::Experiment(j) = target.statistic else {
            continue;
        };
        let st = &plan.studies[j];
        let mut row = vec![
            target.name.clone(),
            st.path.clone(),
            st.estimator.key().to_string(),
            st.control.key().to_string(),
            match st.reported {
                study::Reported::Overall => "overall".to_string(),
                study::Reported::EventTime(e) => format!("event_time {e}"),
            },
            st.outcome.name().to_string(),
            number(target.observed.value),
        ];
        for s in [t.estimate, t.estimand, t.policy, t.gap, t.bias] {
            row.extend([cell(s.mean), cell(s.low), cell(s.high)]);
        }
        rows.push(row);
    }
    csv_bytes(rows)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `n` values spread evenly over the quantiles of `prior` between `from` and `to`.
    fn spread(prior: &Prior, from: f64, to: f64, n: usize) -> Vec<f64> {
        (0..n)
            .map(|i| prior.quantile(from + (to - from) * (i as f64 + 0.5) / n as f64))
            .collect()
    }

    fn pile(prior: &Prior, values: &[f64]) -> Option<Bound> {
        let w = vec![1.0; values.len()];
        let low = smc::weighted_quantile(values, &w, 0.05);
        let high = smc::weighted_quantile(values, &w, 0.95);
        piled_against(prior, values, &w, low, high)
    }

    #[test]
    fn a_posterior_against_a_prior_bound_is_flagged_and_the_prior_itself_is_not() {
        let uniform = Prior::Uniform {
            low: 0.5,
            high: 4.0,
        };
        // The issue's case: a 90% interval of 0.514–0.820 against a bound of 0.5.
        let crowded: Vec<f64> = (0..400).map(|i| 0.5 + 0.35 * (i as f64 / 400.0)).collect();
        assert_eq!(pile(&uniform, &crowded), Some(Bound::Lower));
        let high: Vec<f64> = crowded.iter().map(|x| 4.5 - x).collect();
        assert_eq!(pile(&uniform, &high), Some(Bound::Upper));
        // Inside the range, however narrow: nothing piles.
        let inside: Vec<f64> = (0..400).map(|i| 1.5 + 0.5 * (i as f64 / 400.0)).collect();
        assert_eq!(pile(&uniform, &inside), None);
        // An uninformed posterior equal to its prior: nothing piles, even for a log-uniform
        // whose own mode is its lower bound.
        assert_eq!(pile(&uniform, &spread(&uniform, 0.0, 1.0, 400)), None);
        let log = Prior::LogUniform {
            low: 0.1,
            high: 1.0,
        };
        assert_eq!(pile(&log, &spread(&log, 0.0, 1.0, 400)), None);
        // The issue's temperature: 0.104–0.204 against a log-uniform's bound of 0.1.
        assert_eq!(pile(&log, &spread(&log, 0.0, 0.3, 400)), Some(Bound::Lower));
        // A normal's cut at the parameter's own range is not a bound the file chose.
        let normal = Prior::Normal {
            mean: 0.05,
            sd: 0.02,
            low: 0.0,
            high: 1.0,
        };
        assert_eq!(pile(&normal, &spread(&normal, 0.0, 0.3, 400)), None);
    }
}
