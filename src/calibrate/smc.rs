//! ABC-SMC as pure functions: priors, the standardised distance, the adaptive tolerance
//! schedule, the Beaumont kernel and importance weights. No files, no clock, no threads of
//! its own: a [`Simulator`] turns a parameter vector into statistics, and the caller decides
//! what to do with each finished generation (checkpoint it, print it).
//!
//! The algorithm (Toni et al. 2009; Beaumont et al. 2009; Del Moral et al. 2012):
//! generation 0 draws `particles` parameter vectors from the prior and keeps every one with a
//! finite distance. Generation t ≥ 1 sets its tolerance ε_t to a weighted quantile of
//! generation t − 1's distances, then proposes: an ancestor drawn by weight, moved by a
//! multivariate normal with twice the weighted covariance of generation t − 1 (redrawn
//! until it lies inside the prior's support), simulated, and kept when its distance is at
//! most ε_t, until `particles` are kept. A kept particle's weight is π(θ) / Σ_j w_j K(θ | θ_j).
//!
//! Determinism: proposal `a` of generation `g` draws from the generator of
//! (seed, g, a, [`PROPOSAL_STREAM`]) and its simulation from (seed, g, a, replicate); a
//! generation keeps the first `particles` accepted proposals *in proposal order*. Proposals
//! are simulated in parallel batches, but which batch a proposal falls in changes nothing
//! that is kept, so results are the same on any thread count.

use rand::Rng;
use rand::SeedableRng;
use rand_distr::{Distribution, StandardNormal};
use rayon::prelude::*;
use serde::{Deserialize, Serialize};
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};

use crate::model::rng::{SimRng, splitmix64};

/// The stream index of a proposal's own draws (ancestor and kernel move). Replicate indices
/// are far below it, so it never meets a replicate's stream.
pub const PROPOSAL_STREAM: u64 = u64::MAX;

/// A seed derived from `seed` and a path of indices (generation, proposal, replicate):
/// SplitMix64 folded over the path. For a path of one index this is
/// [`crate::model::rng::replicate_seed`].
pub fn derive_seed(seed: u64, path: &[u64]) -> u64 {
    path.iter()
        .fold(splitmix64(seed), |s, &p| splitmix64(s ^ p))
}

/// The generator of a derived seed.
pub fn derive_rng(seed: u64, path: &[u64]) -> SimRng {
    SimRng::seed_from_u64(derive_seed(seed, path))
}

/// The prior of one free parameter: uniform, log-uniform, a Beta(α, β) stretched onto
/// [low, high], a normal, a truncated normal, or a gamma.
///
/// A normal and a gamma are cut at the parameter's own range (`low`, `high`: e.g. 0 and 1
/// for a share, 0 and ∞ for a positive number) and renormalised there; the file check keeps
/// that cut below 1% of their mass, so they are what they say. A truncated normal is cut at
/// the file's `from` and `to`, which are then hard bounds like a uniform prior's.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "kebab-case")]
pub enum Prior {
    Uniform {
        low: f64,
        high: f64,
    },
    LogUniform {
        low: f64,
        high: f64,
    },
    Beta {
        low: f64,
        high: f64,
        alpha: f64,
        beta: f64,
    },
    Normal {
        mean: f64,
        sd: f64,
        low: f64,
        high: f64,
    },
    TruncatedNormal {
        mean: f64,
        sd: f64,
        low: f64,
        high: f64,
    },
    /// Shape k and rate r: density ∝ x^(k−1) e^(−r x).
    Gamma {
        shape: f64,
        rate: f64,
        low: f64,
        high: f64,
    },
}

/// The standard normal density and distribution function.
fn phi(z: f64) -> f64 {
    if z.is_infinite() {
        return 0.0;
    }
    (-0.5 * z * z).exp() / (2.0 * std::f64::consts::PI).sqrt()
}

fn big_phi(z: f64) -> f64 {
    0.5 * statrs::function::erf::erfc(-z / std::f64::consts::SQRT_2)
}

/// The regularised lower incomplete gamma P(a, x), with P(a, ∞) = 1.
fn gamma_p(a: f64, x: f64) -> f64 {
    if x <= 0.0 {
        0.0
    } else if x.is_infinite() {
        1.0
    } else {
        statrs::function::gamma::gamma_lr(a, x)
    }
}

impl Prior {
    /// The support: every value the prior can give (possibly infinite at one end for a
    /// normal or gamma on an unbounded parameter).
    pub fn bounds(&self) -> (f64, f64) {
        match *self {
            Prior::Uniform { low, high }
            | Prior::LogUniform { low, high }
            | Prior::Beta { low, high, .. }
            | Prior::Normal { low, high, .. }
            | Prior::TruncatedNormal { low, high, .. }
            | Prior::Gamma { low, high, .. } => (low, high),
        }
    }

    /// Whether the prior's support ends at bounds the file chose (so that a posterior piling
    /// against one says the prior is too narrow). A normal's and a gamma's cut at the
    /// parameter's own range is not such a choice.
    pub fn has_chosen_bounds(&self) -> bool {
        !matches!(self, Prior::Normal { .. } | Prior::Gamma { .. })
    }

    /// A finite range that holds the prior for plots: the support, with an infinite end
    /// replaced by the 0.1% or 99.9% quantile.
    pub fn display_bounds(&self) -> (f64, f64) {
        let (low, high) = self.bounds();
        let low = if low.is_finite() {
            low
        } else {
            self.quantile(0.001)
        };
        let high = if high.is_finite() {
            high
        } else {
            self.quantile(0.999)
        };
        (low, high)
    }

    /// Whether `x` lies in the support.
    pub fn contains(&self, x: f64) -> bool {
        let (low, high) = self.bounds();
        x >= low && x <= high
    }

    /// The share of the uncut normal or gamma that lies inside [low, high] (1 for the
    /// others): what the file check holds to.
    pub fn cdf_mass(&self) -> f64 {
        self.kept_mass()
    }

    fn kept_mass(&self) -> f64 {
        match *self {
            Prior::Normal {
                mean,
                sd,
                low,
                high,
            }
            | Prior::TruncatedNormal {
                mean,
                sd,
                low,
                high,
            } => big_phi((high - mean) / sd) - big_phi((low - mean) / sd),
            Prior::Gamma {
                shape,
                rate,
                low,
                high,
            } => gamma_p(shape, rate * high) - gamma_p(shape, rate * low.max(0.0)),
            _ => 1.0,
        }
    }

    /// The distribution function at `x`.
    pub fn cdf(&self, x: f64) -> f64 {
        let (low, high) = self.bounds();
        if x <= low {
            return 0.0;
        }
        if x >= high {
            return 1.0;
        }
        match *self {
            Prior::Uniform { low, high } => (x - low) / (high - low),
            Prior::LogUniform { low, high } => (x / low).ln() / (high / low).ln(),
            Prior::Beta {
                low,
                high,
                alpha,
                beta,
            } => statrs::function::beta::beta_reg(alpha, beta, (x - low) / (high - low)),
            Prior::Normal { mean, sd, low, .. } | Prior::TruncatedNormal { mean, sd, low, .. } => {
                (big_phi((x - mean) / sd) - big_phi((low - mean) / sd)) / self.kept_mass()
            }
            Prior::Gamma {
                shape, rate, low, ..
            } => (gamma_p(shape, rate * x) - gamma_p(shape, rate * low)) / self.kept_mass(),
        }
    }

    /// The `q`-quantile (by bisection on the distribution function: used for plots and
    /// checks, never in the sampler's hot path).
    pub fn quantile(&self, q: f64) -> f64 {
        let (mut a, mut b) = self.bounds();
        // Bracket an infinite end by doubling steps away from the bulk.
        let (centre, spread) = {
            let (m, v) = self.moments();
            (m, v.sqrt().max(1e-12))
        };
        if a.is_infinite() {
            let mut step = spread;
            a = centre - step;
            while self.cdf(a) > q {
                step *= 2.0;
                a = centre - step;
            }
        }
        if b.is_infinite() {
            let mut step = spread;
            b = centre + step;
            while self.cdf(b) < q {
                step *= 2.0;
                b = centre + step;
            }
        }
        for _ in 0..200 {
            let m = 0.5 * (a + b);
            if self.cdf(m) < q {
                a = m;
            } else {
                b = m;
            }
        }
        0.5 * (a + b)
    }

    /// The density at `x` (0 outside the support).
    pub fn density(&self, x: f64) -> f64 {
        if !self.contains(x) {
            return 0.0;
        }
        match *self {
            Prior::Uniform { low, high } => 1.0 / (high - low),
            Prior::LogUniform { low, high } => 1.0 / (x * (high / low).ln()),
            Prior::Beta {
                low,
                high,
                alpha,
                beta,
            } => {
                let u = (x - low) / (high - low);
                let ln_b = statrs::function::beta::ln_beta(alpha, beta);
                let ln = (alpha - 1.0) * u.ln() + (beta - 1.0) * (1.0 - u).ln() - ln_b;
                ln.exp() / (high - low)
            }
            Prior::Normal { mean, sd, .. } | Prior::TruncatedNormal { mean, sd, .. } => {
                phi((x - mean) / sd) / sd / self.kept_mass()
            }
            Prior::Gamma { shape, rate, .. } => {
                if x <= 0.0 {
                    return 0.0;
                }
                let ln = shape * rate.ln() + (shape - 1.0) * x.ln()
                    - rate * x
                    - statrs::function::gamma::ln_gamma(shape);
                ln.exp() / self.kept_mass()
            }
        }
    }

    /// One draw.
    pub fn sample(&self, rng: &mut SimRng) -> f64 {
        match *self {
            Prior::Uniform { low, high } => low + rng.random::<f64>() * (high - low),
            Prior::LogUniform { low, high } => {
                (low.ln() + rng.random::<f64>() * (high / low).ln()).exp()
            }
            Prior::Beta {
                low,
                high,
                alpha,
                beta,
            } => {
                let u = rand_distr::Beta::new(alpha, beta)
                    .expect("shapes checked positive")
                    .sample(rng);
                low + u * (high - low)
            }
            Prior::Normal {
                mean,
                sd,
                low,
                high,
            }
            | Prior::TruncatedNormal {
                mean,
                sd,
                low,
                high,
            } => {
                // Inverse transform on the kept part: exact however little mass is kept.
                let (a, b) = (big_phi((low - mean) / sd), big_phi((high - mean) / sd));
                let u = a + rng.random::<f64>() * (b - a);
                let z = statrs::function::erf::erfc_inv(2.0 * u) * -std::f64::consts::SQRT_2;
                (mean + sd * z).clamp(low, high)
            }
            Prior::Gamma {
                shape,
                rate,
                low,
                high,
            } => {
                // The cut holds under 1% of the mass (file check): rejection is quick.
                let g = rand_distr::Gamma::new(shape, 1.0 / rate).expect("shape, rate > 0");
                for _ in 0..10_000 {
                    let x = g.sample(rng);
                    if x >= low && x <= high && x > 0.0 {
                        return x;
                    }
                }
                self.quantile(rng.random::<f64>())
            }
        }
    }

    /// The prior's mean and variance, for the contraction 1 − posterior var / prior var.
    pub fn moments(&self) -> (f64, f64) {
        match *self {
            Prior::Uniform { low, high } => ((low + high) / 2.0, (high - low).powi(2) / 12.0),
            Prior::LogUniform { low, high } => {
                let l = (high / low).ln();
                let mean = (high - low) / l;
                let second = (high * high - low * low) / (2.0 * l);
                (mean, second - mean * mean)
            }
            Prior::Beta {
                low,
                high,
                alpha,
                beta,
            } => {
                let s = alpha + beta;
                let w = high - low;
                (
                    low + w * alpha / s,
                    w * w * alpha * beta / (s * s * (s + 1.0)),
                )
            }
            Prior::Normal {
                mean,
                sd,
                low,
                high,
            }
            | Prior::TruncatedNormal {
                mean,
                sd,
                low,
                high,
            } => {
                // The truncated normal's moments (Johnson, Kotz & Balakrishnan).
                let (a, b) = ((low - mean) / sd, (high - mean) / sd);
                let z = self.kept_mass();
                let (pa, pb) = (phi(a), phi(b));
                let (apa, bpb) = (
                    if a.is_finite() { a * pa } else { 0.0 },
                    if b.is_finite() { b * pb } else { 0.0 },
                );
                let shift = (pa - pb) / z;
                (
                    mean + sd * shift,
                    sd * sd * (1.0 + (apa - bpb) / z - shift * shift),
                )
            }
            Prior::Gamma {
                shape,
                rate,
                low,
                high,
            } => {
                // E[X^n; a < X < b] = Γ(k+n)/(Γ(k) rⁿ) · [P(k+n, r x)] from a to b.
                let part = |k: f64| gamma_p(k, rate * high) - gamma_p(k, rate * low.max(0.0));
                let z = part(shape);
                let m1 = shape / rate * part(shape + 1.0) / z;
                let m2 = shape * (shape + 1.0) / (rate * rate) * part(shape + 2.0) / z;
                (m1, m2 - m1 * m1)
            }
        }
    }
}

/// Which side of an observation a simulated statistic is held to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Side {
    /// Two-sided: any gap counts.
    Equal,
    /// "At least": only a shortfall counts.
    AtLeast,
    /// "At most": only an excess counts.
    AtMost,
}

/// An observed value and the scale its gaps are measured in (a standard error or a
/// tolerance).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Observation {
    pub value: f64,
    pub scale: f64,
    pub side: Side,
}

impl Observation {
    /// The standardised gap of `simulated` from the observation (0 on the allowed side of a
    /// one-sided target; NaN when the statistic is missing).
    pub fn gap(&self, simulated: f64) -> f64 {
        if simulated.is_nan() {
            // f64::min and max drop a NaN: keep it missing.
            return f64::NAN;
        }
        let d = (simulated - self.value) / self.scale;
        match self.side {
            Side::Equal => d,
            Side::AtLeast => d.min(0.0),
            Side::AtMost => d.max(0.0),
        }
    }
}

/// The standardised distance √Σ (gap_k)²; infinite when a statistic is missing, so such a
/// particle is never accepted.
pub fn distance(stats: &[f64], observed: &[Observation]) -> f64 {
    let sum: f64 = stats
        .iter()
        .zip(observed)
        .map(|(&s, o)| o.gap(s).powi(2))
        .sum();
    if sum.is_nan() {
        f64::INFINITY
    } else {
        sum.sqrt()
    }
}

/// What turns parameters into statistics: the model, run with the replicates of
/// (seed, generation, proposal, replicate).
pub trait Simulator: Sync {
    /// The statistics, one per target, of `theta` for proposal `proposal` of `generation`.
    fn statistics(&self, theta: &[f64], generation: u32, proposal: u64) -> Vec<f64>;
}

/// The run's settings.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Settings {
    pub particles: usize,
    /// ε_t is this weighted quantile of generation t − 1's distances.
    pub quantile: f64,
    /// Stop when a generation accepts a smaller share of its proposals; a generation that
    /// would need more than particles / min_acceptance proposals is abandoned.
    pub min_acceptance: f64,
    pub max_generations: u32,
    /// Stop once ε falls to this (None: no such rule).
    pub target_tolerance: Option<f64>,
    pub seed: u64,
}

/// One accepted particle.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Particle {
    /// Its proposal index in its generation (its seeds).
    pub proposal: u64,
    pub theta: Vec<f64>,
    /// Normalised: a generation's weights sum to 1.
    pub weight: f64,
    pub distance: f64,
    /// The simulated statistics, one per target.
    pub stats: Vec<f64>,
}

/// One finished generation.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Generation {
    pub index: u32,
    /// The tolerance (infinite for generation 0: the prior sample).
    pub epsilon: f64,
    /// Proposals up to and including the last one kept.
    pub proposals: u64,
    /// Proposals simulated, including those of the last batch after the last one kept.
    pub simulated: u64,
    pub particles: Vec<Particle>,
}

impl Generation {
    pub fn acceptance_rate(&self) -> f64 {
        self.particles.len() as f64 / self.proposals as f64
    }

    /// Each parameter's values, and the weights.
    pub fn column(&self, k: usize) -> Vec<f64> {
        self.particles.iter().map(|p| p.theta[k]).collect()
    }

    pub fn weights(&self) -> Vec<f64> {
        self.particles.iter().map(|p| p.weight).collect()
    }

    /// The effective sample size of the weighted particles, 1 / Σ w² (Kish): how many
    /// equally weighted particles they are worth. Far below the particle count, a few
    /// particles carry the posterior and its summaries are noisy.
    pub fn ess(&self) -> f64 {
        let total: f64 = self.particles.iter().map(|p| p.weight).sum();
        let squares: f64 = self
            .particles
            .iter()
            .map(|p| (p.weight / total).powi(2))
            .sum();
        if squares > 0.0 { 1.0 / squares } else { 0.0 }
    }
}

/// Where a running generation stands, after each proposal simulated (from any worker
/// thread): what progress lines and time estimates are made of.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Tick {
    pub generation: u32,
    /// Proposals simulated so far in this generation, and how many of them met ε (at most
    /// `particles`; the generation keeps the first `particles` in proposal order).
    pub simulated: u64,
    pub accepted: usize,
}

/// Why the calibration stopped.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Stop {
    MaxGenerations,
    /// A generation's acceptance rate fell below the minimum (or the next one was abandoned
    /// for needing too many proposals).
    MinAcceptance,
    TargetTolerance,
    /// ε reached 0 (every kept particle meets every target exactly or on its allowed side).
    ZeroTolerance,
}

impl Stop {
    pub fn name(self) -> &'static str {
        match self {
            Stop::MaxGenerations => "max_generations",
            Stop::MinAcceptance => "min_acceptance",
            Stop::TargetTolerance => "target_tolerance",
            Stop::ZeroTolerance => "zero_tolerance",
        }
    }
}

/// The weighted `q`-quantile of `values` (the smallest value whose cumulative weight reaches
/// q of the total); NaN for no values.
pub fn weighted_quantile(values: &[f64], weights: &[f64], q: f64) -> f64 {
    let mut order: Vec<usize> = (0..values.len()).collect();
    order.sort_by(|&a, &b| values[a].total_cmp(&values[b]));
    let total: f64 = weights.iter().sum();
    let mut cumulative = 0.0;
    for &i in &order {
        cumulative += weights[i];
        if cumulative >= q * total - 1e-12 * total {
            return values[i];
        }
    }
    order.last().map_or(f64::NAN, |&i| values[i])
}

/// Weighted mean and (population) covariance matrix of the particles' parameters.
pub fn weighted_moments(generation: &Generation) -> (Vec<f64>, Vec<Vec<f64>>) {
    let d = generation.particles.first().map_or(0, |p| p.theta.len());
    let mut mean = vec![0.0; d];
    for p in &generation.particles {
        for (m, x) in mean.iter_mut().zip(&p.theta) {
            *m += p.weight * x;
        }
    }
    let mut cov = vec![vec![0.0; d]; d];
    for p in &generation.particles {
        for a in 0..d {
            for b in 0..d {
                cov[a][b] += p.weight * (p.theta[a] - mean[a]) * (p.theta[b] - mean[b]);
            }
        }
    }
    (mean, cov)
}

/// The lower Cholesky factor of a symmetric matrix, made positive definite by adding a small
/// multiple of each variance scale to the diagonal where needed (particles that collapsed
/// onto one value in some direction still move).
pub fn cholesky(matrix: &[Vec<f64>], floor: &[f64]) -> Vec<Vec<f64>> {
    let d = matrix.len();
    let mut jitter = 0.0;
    loop {
        let mut l = vec![vec![0.0; d]; d];
        let mut ok = true;
        'rows: for i in 0..d {
            for j in 0..=i {
                let mut s = matrix[i][j];
                if i == j {
                    s += jitter * floor[i] + 1e-12 * floor[i];
                }
                s -= (0..j).map(|k| l[i][k] * l[j][k]).sum::<f64>();
                if i == j {
                    if s <= 0.0 || !s.is_finite() {
                        ok = false;
                        break 'rows;
                    }
                    l[i][i] = s.sqrt();
                } else {
                    l[i][j] = s / l[j][j];
                }
            }
        }
        if ok {
            return l;
        }
        jitter = if jitter == 0.0 { 1e-6 } else { jitter * 10.0 };
    }
}

/// |L⁻¹ x|²: the squared Mahalanobis length of `x` for the covariance L Lᵀ.
fn mahalanobis2(l: &[Vec<f64>], x: &[f64]) -> f64 {
    let d = x.len();
    let mut z = vec![0.0; d];
    for i in 0..d {
        let mut s = x[i];
        for k in 0..i {
            s -= l[i][k] * z[k];
        }
        z[i] = s / l[i][i];
    }
    z.iter().map(|v| v * v).sum()
}

/// The Beaumont kernel of a generation: the previous particles and the Cholesky factor of
/// twice their weighted covariance.
pub struct Kernel<'g> {
    previous: &'g Generation,
    /// Cumulative weights, for drawing ancestors.
    cumulative: Vec<f64>,
    l: Vec<Vec<f64>>,
}

impl<'g> Kernel<'g> {
    pub fn new(previous: &'g Generation, priors: &[Prior]) -> Kernel<'g> {
        let (_, cov) = weighted_moments(previous);
        let twice: Vec<Vec<f64>> = cov
            .iter()
            .map(|row| row.iter().map(|v| 2.0 * v).collect())
            .collect();
        // Jitter is scaled by each prior's variance, so it is tiny in every unit.
        let floor: Vec<f64> = priors.iter().map(|p| p.moments().1).collect();
        let mut cumulative = Vec::with_capacity(previous.particles.len());
        let mut sum = 0.0;
        for p in &previous.particles {
            sum += p.weight;
            cumulative.push(sum);
        }
        Kernel {
            previous,
            cumulative,
            l: cholesky(&twice, &floor),
        }
    }

    /// A proposal: an ancestor drawn by weight, moved by the kernel until inside every
    /// prior's support (after 10,000 tries, the ancestor itself, which is inside).
    pub fn propose(&self, priors: &[Prior], rng: &mut SimRng) -> Vec<f64> {
        let total = *self.cumulative.last().expect("a generation has particles");
        let u = rng.random::<f64>() * total;
        let i = self
            .cumulative
            .partition_point(|&c| c <= u)
            .min(self.cumulative.len() - 1);
        let ancestor = &self.previous.particles[i].theta;
        let d = ancestor.len();
        for _ in 0..10_000 {
            let z: Vec<f64> = (0..d).map(|_| StandardNormal.sample(rng)).collect();
            let theta: Vec<f64> = (0..d)
                .map(|a| ancestor[a] + (0..=a).map(|b| self.l[a][b] * z[b]).sum::<f64>())
                .collect();
            if theta.iter().zip(priors).all(|(&x, p)| p.contains(x)) {
                return theta;
            }
        }
        ancestor.clone()
    }

    /// Σ_j w_j K(θ | θ_j), up to the kernel's constant (the same for every θ, so it cancels
    /// when weights are normalised).
    pub fn mixture_density(&self, theta: &[f64]) -> f64 {
        self.previous
            .particles
            .iter()
            .map(|p| {
                let diff: Vec<f64> = theta.iter().zip(&p.theta).map(|(a, b)| a - b).collect();
                p.weight * (-0.5 * mahalanobis2(&self.l, &diff)).exp()
            })
            .sum()
    }
}

/// The joint prior density.
pub fn prior_density(priors: &[Prior], theta: &[f64]) -> f64 {
    priors
        .iter()
        .zip(theta)
        .map(|(p, &x)| p.density(x))
        .product()
}

/// One proposal's outcome.
struct Proposal {
    index: u64,
    theta: Vec<f64>,
    stats: Vec<f64>,
    distance: f64,
}

/// A calibration problem: the simulator, the priors, the observations and the settings.
pub struct Problem<'a, S: Simulator> {
    pub simulator: &'a S,
    pub priors: &'a [Prior],
    pub observed: &'a [Observation],
    pub settings: &'a Settings,
}

impl<S: Simulator> Problem<'_, S> {
    /// The tolerance of generation `index` after `previous`.
    pub fn epsilon(&self, previous: Option<&Generation>) -> f64 {
        match previous {
            None => f64::INFINITY,
            Some(g) => {
                let distances: Vec<f64> = g.particles.iter().map(|p| p.distance).collect();
                weighted_quantile(&distances, &g.weights(), self.settings.quantile)
            }
        }
    }

    /// Runs generation `index` after `previous` (None for generation 0). `progress` is
    /// called after each proposal is simulated. Returns None when
    /// the generation is abandoned: it would need more than particles / min_acceptance
    /// proposals.
    pub fn generation(
        &self,
        index: u32,
        previous: Option<&Generation>,
        progress: &(dyn Fn(Tick) + Sync),
    ) -> Option<Generation> {
        let n = self.settings.particles;
        let epsilon = self.epsilon(previous);
        let kernel = previous.map(|g| Kernel::new(g, self.priors));
        let cap = ((n as f64 / self.settings.min_acceptance).ceil() as u64).max(n as u64);
        let seed = self.settings.seed;
        let accepts = |d: f64| d.is_finite() && d <= epsilon;
        let simulated = AtomicU64::new(0);
        let accepted = AtomicUsize::new(0);
        let propose = |a: u64| -> Proposal {
            let mut rng = derive_rng(seed, &[index as u64, a, PROPOSAL_STREAM]);
            let theta = match &kernel {
                None => self.priors.iter().map(|p| p.sample(&mut rng)).collect(),
                Some(k) => k.propose(self.priors, &mut rng),
            };
            let stats = self.simulator.statistics(&theta, index, a);
            let distance = distance(&stats, self.observed);
            let met = usize::from(accepts(distance));
            let tick = Tick {
                generation: index,
                simulated: simulated.fetch_add(1, Ordering::Relaxed) + 1,
                accepted: (accepted.fetch_add(met, Ordering::Relaxed) + met).min(n),
            };
            progress(tick);
            Proposal {
                index: a,
                theta,
                stats,
                distance,
            }
        };
        let mut kept: Vec<Proposal> = Vec::with_capacity(n);
        let mut next = 0u64;
        // The expected acceptance rate sizes the batches (never the result): the previous
        // generation's, at first.
        let mut rate = previous.map_or(1.0, |g| g.acceptance_rate()).max(0.01);
        while kept.len() < n && next < cap {
            let wanted = (n - kept.len()) as f64 / rate;
            let batch = (wanted * 1.1).ceil().clamp(16.0, 4.0 * n as f64) as u64;
            let end = (next + batch).min(cap);
            let results: Vec<Proposal> = (next..end).into_par_iter().map(propose).collect();
            let accepted_before = kept.len();
            for p in results {
                if kept.len() < n && accepts(p.distance) {
                    kept.push(p);
                }
            }
            let batch_accepted = (kept.len() - accepted_before) as f64;
            rate = (batch_accepted / (end - next) as f64).max(0.5 / (end - next) as f64);
            next = end;
        }
        if kept.len() < n {
            return None;
        }
        let proposals = kept.last().map_or(0, |p| p.index + 1);
        // Importance weights: all equal for the prior sample.
        let raw: Vec<f64> = match &kernel {
            None => vec![1.0; n],
            Some(k) => kept
                .par_iter()
                .map(|p| prior_density(self.priors, &p.theta) / k.mixture_density(&p.theta))
                .collect(),
        };
        let total: f64 = raw.iter().sum();
        let particles = kept
            .into_iter()
            .zip(raw)
            .map(|(p, w)| Particle {
                proposal: p.index,
                theta: p.theta,
                weight: w / total,
                distance: p.distance,
                stats: p.stats,
            })
            .collect();
        Some(Generation {
            index,
            epsilon,
            proposals,
            simulated: next,
            particles,
        })
    }

    /// Whether to stop after the generations so far (the last one is the posterior).
    pub fn stop_after(&self, history: &[Generation]) -> Option<Stop> {
        let last = history.last()?;
        let s = self.settings;
        if last.index >= 1 && last.acceptance_rate() < s.min_acceptance {
            return Some(Stop::MinAcceptance);
        }
        if let Some(t) = s.target_tolerance
            && last.epsilon <= t
        {
            return Some(Stop::TargetTolerance);
        }
        if last.epsilon == 0.0 {
            return Some(Stop::ZeroTolerance);
        }
        if history.len() as u32 >= s.max_generations {
            return Some(Stop::MaxGenerations);
        }
        None
    }

    /// Runs generations after `history` until a stopping rule holds; `on_generation` sees
    /// the history after each new generation (and the stop, if this was the last), e.g. to
    /// checkpoint it. Returns why it stopped.
    pub fn run<E>(
        &self,
        history: &mut Vec<Generation>,
        progress: &(dyn Fn(Tick) + Sync),
        mut on_generation: impl FnMut(&[Generation], Option<Stop>) -> Result<(), E>,
    ) -> Result<Stop, E> {
        loop {
            if let Some(stop) = self.stop_after(history) {
                return Ok(stop);
            }
            let index = history.len() as u32;
            match self.generation(index, history.last(), progress) {
                Some(g) => {
                    history.push(g);
                    let stop = self.stop_after(history);
                    on_generation(history, stop)?;
                    if let Some(stop) = stop {
                        return Ok(stop);
                    }
                }
                None if history.is_empty() => {
                    // Not even the prior sample: nothing to report but that.
                    on_generation(history, Some(Stop::MinAcceptance))?;
                    return Ok(Stop::MinAcceptance);
                }
                None => {
                    on_generation(history, Some(Stop::MinAcceptance))?;
                    return Ok(Stop::MinAcceptance);
                }
            }
        }
    }
}

/// The toy model with an analytic posterior, shared by the unit test and the pyabc
/// cross-check (`examples/abc_toy.rs`, `tools/pyabc_toy.py`).
///
/// One parameter θ with a uniform prior on [−5, 5]; the statistic is the mean of n = 25 draws
/// of N(θ, 1), i.e. θ + N(0, 0.2²). Observing 1.0 with se 0.2, the exact posterior is
/// N(1.0, 0.2²) (the truncation at ±5 is 20 sd away). ABC accepting |s − 1| ≤ ε·0.2 adds a
/// uniform error of variance (ε·0.2)²/3.
pub mod toy {
    use super::*;

    pub const SE: f64 = 0.2;
    pub const OBSERVED: f64 = 1.0;

    pub struct Toy {
        pub noise_seed: u64,
    }

    impl Simulator for Toy {
        fn statistics(&self, theta: &[f64], generation: u32, proposal: u64) -> Vec<f64> {
            let mut rng = derive_rng(self.noise_seed, &[generation as u64, proposal, 0]);
            let z: f64 = StandardNormal.sample(&mut rng);
            vec![theta[0] + SE * z]
        }
    }

    /// Runs the toy to ε ≤ 0.1 (quantile 0.5, at most 20 generations).
    pub fn run_toy(particles: usize, seed: u64) -> (Vec<Generation>, Stop) {
        let priors = [Prior::Uniform {
            low: -5.0,
            high: 5.0,
        }];
        let observed = [Observation {
            value: OBSERVED,
            scale: SE,
            side: Side::Equal,
        }];
        let settings = Settings {
            particles,
            quantile: 0.5,
            min_acceptance: 0.02,
            max_generations: 20,
            target_tolerance: Some(0.1),
            seed,
        };
        let problem = Problem {
            simulator: &Toy {
                noise_seed: seed.wrapping_add(4),
            },
            priors: &priors,
            observed: &observed,
            settings: &settings,
        };
        let mut history = Vec::new();
        let stop = problem
            .run(&mut history, &|_| {}, |_, _| Ok::<(), ()>(()))
            .expect("the toy's callback never fails");
        (history, stop)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    use super::toy::{SE, run_toy};

    fn toy(particles: usize) -> (Vec<Generation>, Stop) {
        run_toy(particles, 5)
    }

    #[test]
    fn toy_posterior_matches_the_analytic_normal() {
        let (history, stop) = toy(2000);
        let last = history.last().unwrap();
        assert_eq!(stop, Stop::TargetTolerance);
        assert!(last.epsilon <= 0.1);
        let (mean, cov) = weighted_moments(last);
        let sd = cov[0][0].sqrt();
        let analytic_sd = (SE * SE * (1.0 + last.epsilon.powi(2) / 3.0)).sqrt();
        // Monte Carlo error of the mean with an effective sample of ~1000: 0.2/√1000 ≈ 0.006.
        assert!((mean[0] - 1.0).abs() < 0.03, "posterior mean {}", mean[0]);
        assert!(
            (sd / analytic_sd - 1.0).abs() < 0.08,
            "posterior sd {sd} vs analytic {analytic_sd}"
        );
        // The tolerance schedule decreases, and the weights are normalised.
        for pair in history.windows(2) {
            assert!(pair[1].epsilon < pair[0].epsilon);
        }
        assert!((last.weights().iter().sum::<f64>() - 1.0).abs() < 1e-9);
    }

    #[test]
    fn results_do_not_depend_on_the_thread_count() {
        let on = |threads| {
            rayon::ThreadPoolBuilder::new()
                .num_threads(threads)
                .build()
                .unwrap()
                .install(|| toy(300).0)
        };
        assert_eq!(on(1), on(3));
    }

    #[test]
    fn priors_sample_inside_and_have_their_moments() {
        let priors = [
            Prior::Uniform {
                low: 1.0,
                high: 3.0,
            },
            Prior::LogUniform {
                low: 0.5,
                high: 8.0,
            },
            Prior::Beta {
                low: -1.0,
                high: 1.0,
                alpha: 2.0,
                beta: 5.0,
            },
            // Cut at a share's range [0, 1]: under 0.01% of the mass.
            Prior::Normal {
                mean: 0.4,
                sd: 0.1,
                low: 0.0,
                high: 1.0,
            },
            // Cut hard: the mean lies outside [from, to].
            Prior::TruncatedNormal {
                mean: 2.5,
                sd: 1.0,
                low: 0.5,
                high: 2.0,
            },
            Prior::Gamma {
                shape: 2.0,
                rate: 3.0,
                low: 0.0,
                high: f64::INFINITY,
            },
            // A gamma cut at 1 (a share): the cut is felt in its moments.
            Prior::Gamma {
                shape: 3.0,
                rate: 6.0,
                low: 0.0,
                high: 1.0,
            },
        ];
        let mut rng = derive_rng(1, &[2]);
        for p in priors {
            let xs: Vec<f64> = (0..40_000).map(|_| p.sample(&mut rng)).collect();
            assert!(xs.iter().all(|&x| p.contains(x)));
            let m = xs.iter().sum::<f64>() / xs.len() as f64;
            let v = xs.iter().map(|x| (x - m).powi(2)).sum::<f64>() / xs.len() as f64;
            let (pm, pv) = p.moments();
            assert!(
                (m - pm).abs() < 0.02 * pv.sqrt().max(1.0),
                "{p:?}: {m} vs {pm}"
            );
            assert!((v / pv - 1.0).abs() < 0.05, "{p:?}: {v} vs {pv}");
            // The quantile inverts the distribution function.
            for q in [0.05, 0.5, 0.95] {
                assert!((p.cdf(p.quantile(q)) - q).abs() < 1e-9, "{p:?} at {q}");
            }
            // The density integrates to 1 (midpoint rule).
            let (lo, hi) = (p.bounds().0, p.bounds().1.min(p.quantile(1.0 - 1e-12)));
            let n = 20_000;
            let h = (hi - lo) / n as f64;
            let area: f64 = (0..n)
                .map(|i| p.density(lo + (i as f64 + 0.5) * h) * h)
                .sum();
            assert!((area - 1.0).abs() < 1e-3, "{p:?}: {area}");
        }
    }

    #[test]
    fn one_sided_gaps_count_only_on_the_wrong_side() {
        let at_least = Observation {
            value: 0.3,
            scale: 0.1,
            side: Side::AtLeast,
        };
        assert_eq!(at_least.gap(0.5), 0.0);
        assert!((at_least.gap(0.1) + 2.0).abs() < 1e-12);
        let at_most = Observation {
            side: Side::AtMost,
            ..at_least
        };
        assert_eq!(at_most.gap(0.1), 0.0);
        assert!(distance(&[f64::NAN], &[at_most]).is_infinite());
        assert!((weighted_quantile(&[3.0, 1.0, 2.0], &[1.0, 1.0, 2.0], 0.5) - 2.0).abs() < 1e-12);
    }
}
