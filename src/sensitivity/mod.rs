//! Global sensitivity analysis: which levers matter, and where the model is fragile.
//!
//! Pure numerics, independent of the simulation: designs in the unit cube (Saltelli's
//! sampling on a Sobol sequence, Morris trajectories), their scaling to parameter ranges, and
//! the analysers (Sobol first-order and total indices with bootstrap intervals; Morris μ*, μ,
//! σ). The layouts follow SALib's, so its `sobol.analyze` and `morris.analyze` accept the raw
//! design and results this module's users write out.

pub mod morris;
pub mod sobol;

use rand::Rng;

use crate::model::params::ParamSpec;
use crate::model::rng::SimRng;

/// One varied parameter and its range.
#[derive(Debug, Clone)]
pub struct Factor {
    pub spec: &'static ParamSpec,
    pub low: f64,
    pub high: f64,
}

impl Factor {
    /// The parameter value at position `u` in [0, 1] of the range; integer parameters are
    /// rounded to the nearest integer.
    pub fn scale(&self, u: f64) -> f64 {
        let v = self.low + u * (self.high - self.low);
        if self.spec.range.is_integer() {
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
