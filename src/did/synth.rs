//! Synthetic staggered-adoption panels with a known effect, seeded: for the estimators'
//! tests, the coverage check and the benchmark.
//!
//! `y_it = α_i + λ_t + τ(t − g_i)·1{t ≥ g_i} + ε_it`: place effects α_i ~ N(0, place_sd²),
//! period effects λ_t = 0.05·t + N(0, 0.25²) (common to all places, so parallel trends hold
//! by construction), AR(1) errors within a place (ε_it = ρ·ε_i,t−1 + u_it, u ~ N(0, σ²),
//! stationary start) so that SEs must be clustered by place to be right, and the effect τ(e)
//! at e periods after adoption from [`Effect`].

use rand::SeedableRng;
use rand_distr::{Distribution, StandardNormal};

use super::{Panel, Row};
use crate::model::rng::SimRng;

/// The true effect e ≥ 0 periods after adoption.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Effect {
    /// The same effect in every period after adoption.
    Constant(f64),
    /// `base + slope·e`: an effect that grows with time since adoption.
    Growing { base: f64, slope: f64 },
}

impl Effect {
    /// τ(e); zero before adoption.
    pub fn at(self, e: i64) -> f64 {
        if e < 0 {
            return 0.0;
        }
        match self {
            Effect::Constant(x) => x,
            Effect::Growing { base, slope } => base + slope * e as f64,
        }
    }
}

/// What the synthetic panel looks like.
#[derive(Debug, Clone, PartialEq)]
pub struct Design {
    /// Periods are 1..=periods.
    pub periods: i64,
    /// (adoption period, number of places) per cohort.
    pub cohorts: Vec<(i64, u32)>,
    /// Places never treated.
    pub never: u32,
    pub effect: Effect,
    /// SD of the innovations u_it (0: a noiseless panel but for α and λ).
    pub noise_sd: f64,
    /// AR(1) coefficient of the errors within a place, in [0, 1).
    pub rho: f64,
    pub place_sd: f64,
}

impl Design {
    /// 30 places over 40 periods in 4 cohorts of 6 (adopting at 10, 16, 22, 28) and 6 never
    /// treated: the size of the experiment's panels.
    pub fn staggered(effect: Effect) -> Design {
        Design {
            periods: 40,
            cohorts: vec![(10, 6), (16, 6), (22, 6), (28, 6)],
            never: 6,
            effect,
            noise_sd: 1.0,
            rho: 0.5,
            place_sd: 1.0,
        }
    }

    /// The average true effect at event time e over the cohorts observed at e, weighted by
    /// cohort size: what the dynamic aggregation and the IW estimator target.
    pub fn true_event_effect(&self, e: i64) -> f64 {
        let (mut sum, mut n) = (0.0, 0.0);
        for &(g, size) in &self.cohorts {
            if g + e >= 1 && g + e <= self.periods {
                sum += size as f64 * self.effect.at(e);
                n += size as f64;
            }
        }
        if n > 0.0 { sum / n } else { f64::NAN }
    }

    /// The panel drawn from `seed`.
    pub fn panel(&self, seed: u64) -> Panel {
        let mut rng = SimRng::seed_from_u64(seed);
        let mut normal = || -> f64 { StandardNormal.sample(&mut rng) };
        let lambda: Vec<f64> = (1..=self.periods)
            .map(|t| 0.05 * t as f64 + 0.25 * normal())
            .collect();
        let mut rows = Vec::new();
        let cohorts = self
            .cohorts
            .iter()
            .flat_map(|&(g, k)| std::iter::repeat_n(Some(g), k as usize))
            .chain(std::iter::repeat_n(None, self.never as usize));
        for (place, cohort) in cohorts.enumerate() {
            let alpha = self.place_sd * normal();
            let mut eps = self.noise_sd * normal() / (1.0 - self.rho * self.rho).sqrt();
            for t in 1..=self.periods {
                if t > 1 {
                    eps = self.rho * eps + self.noise_sd * normal();
                }
                let tau = cohort.map_or(0.0, |g| self.effect.at(t - g));
                rows.push(Row {
                    place: place as u32,
                    time: t,
                    cohort,
                    y: alpha + lambda[(t - 1) as usize] + tau + eps,
                });
            }
        }
        Panel::new(rows).expect("a synthetic panel is balanced")
    }
}
