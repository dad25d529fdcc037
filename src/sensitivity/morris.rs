//! Morris elementary effects: trajectories on a p-level grid and the μ*, μ, σ statistics,
//! as in SALib's `morris.sample` / `morris.analyze`.

use rand::Rng;
use rand::seq::SliceRandom;
use serde::Serialize;

use super::{Z_95, mean, resample, sd};
use crate::model::rng::SimRng;

/// The grid step Δ = p / (2(p − 1)) for `levels` = p.
pub fn delta(levels: usize) -> f64 {
    levels as f64 / (2.0 * (levels as f64 - 1.0))
}

/// `trajectories` Morris trajectories of d + 1 points each in the unit cube, on a grid of
/// `levels` (even, ≥ 2) levels. Each starts at a random grid point whose coordinates lie in the
/// lower half of the grid, then moves one factor at a time, in a random order, by +Δ or −Δ
/// (each with chance ½, staying on the grid).
pub fn design(trajectories: usize, d: usize, levels: usize, rng: &mut SimRng) -> Vec<Vec<f64>> {
    let step = delta(levels);
    let grid = levels as f64 - 1.0;
    let mut rows = Vec::with_capacity(trajectories * (d + 1));
    for _ in 0..trajectories {
        let mut x: Vec<f64> = (0..d)
            .map(|_| rng.random_range(0..levels / 2) as f64 / grid)
            .collect();
        // Start from the upper end for factors that will step down.
        let up: Vec<bool> = (0..d).map(|_| rng.random()).collect();
        for i in 0..d {
            if !up[i] {
                x[i] += step;
            }
        }
        let mut order: Vec<usize> = (0..d).collect();
        order.shuffle(rng);
        rows.push(x.clone());
        for i in order {
            x[i] += if up[i] { step } else { -step };
            rows.push(x.clone());
        }
    }
    rows
}

/// The Morris statistics of one factor.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct MorrisIndex {
    /// Mean of the absolute elementary effects: overall importance.
    pub mu_star: f64,
    /// 95% bootstrap half-width of μ*.
    pub mu_star_conf: f64,
    /// Mean of the elementary effects (their sign).
    pub mu: f64,
    /// Standard deviation of the elementary effects: interactions and non-linearity.
    pub sigma: f64,
}

/// Elementary effects from a design and its outputs, per factor: (y_{k+1} − y_k)/Δ with the
/// sign of the step, the factor found as the coordinate that changed between the rows.
pub fn analyze(
    x: &[Vec<f64>],
    y: &[f64],
    d: usize,
    levels: usize,
    bootstrap: usize,
    rng: &mut SimRng,
) -> Vec<MorrisIndex> {
    let step = delta(levels);
    let mut effects: Vec<Vec<f64>> = vec![Vec::new(); d];
    for (rows, outputs) in x.chunks(d + 1).zip(y.chunks(d + 1)) {
        for k in 0..d {
            let (from, to) = (&rows[k], &rows[k + 1]);
            let i = (0..d)
                .max_by(|&p, &q| (to[p] - from[p]).abs().total_cmp(&(to[q] - from[q]).abs()))
                .expect("d ≥ 1");
            let sign = if to[i] > from[i] { 1.0 } else { -1.0 };
            effects[i].push(sign * (outputs[k + 1] - outputs[k]) / step);
        }
    }
    effects
        .iter()
        .map(|ee| {
            let abs: Vec<f64> = ee.iter().map(|e| e.abs()).collect();
            let boot: Vec<f64> = (0..bootstrap)
                .map(|_| {
                    let idx = resample(rng, abs.len());
                    idx.iter().map(|&j| abs[j]).sum::<f64>() / idx.len() as f64
                })
                .collect();
            MorrisIndex {
                mu_star: mean(&abs),
                mu_star_conf: Z_95 * sd(&boot, 1.0),
                mu: mean(ee),
                sigma: sd(ee, 1.0),
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::rng::replicate_rng;

    #[test]
    fn trajectories_move_one_factor_by_delta_on_the_grid() {
        let rows = design(10, 4, 4, &mut replicate_rng(2, 0));
        assert_eq!(rows.len(), 10 * 5);
        for t in rows.chunks(5) {
            for k in 0..4 {
                let changed: Vec<usize> = (0..4).filter(|&i| t[k][i] != t[k + 1][i]).collect();
                assert_eq!(changed.len(), 1);
                let i = changed[0];
                assert!(((t[k + 1][i] - t[k][i]).abs() - delta(4)).abs() < 1e-12);
            }
        }
        assert!(
            rows.iter()
                .flatten()
                .all(|u| (0.0..=1.0 + 1e-12).contains(u))
        );
    }

    /// For a linear function every elementary effect equals its coefficient.
    #[test]
    fn linear_function_effects_are_its_coefficients() {
        let c = [3.0, -2.0, 0.0, 0.5];
        let mut rng = replicate_rng(3, 0);
        let x = design(20, 4, 4, &mut rng);
        let y: Vec<f64> = x
            .iter()
            .map(|r| r.iter().zip(c).map(|(x, c)| x * c).sum())
            .collect();
        let got = analyze(&x, &y, 4, 4, 100, &mut rng);
        for i in 0..4 {
            assert!((got[i].mu - c[i]).abs() < 1e-9, "mu[{i}]");
            assert!((got[i].mu_star - c[i].abs()).abs() < 1e-9, "mu*[{i}]");
            assert!(got[i].sigma < 1e-9, "sigma[{i}]");
        }
    }

    /// On Sobol's g-function, the importance ranking follows a_i (smaller = more important),
    /// and Ishigami's x3 acts only through its interaction with x1 (μ ≈ 0, σ > 0).
    #[test]
    fn g_function_and_ishigami_rankings() {
        let a = [0.0, 1.0, 4.5, 9.0, 99.0];
        let g = |x: &[f64]| {
            x.iter()
                .zip(a)
                .map(|(x, a)| ((4.0 * x - 2.0).abs() + a) / (1.0 + a))
                .product::<f64>()
        };
        let mut rng = replicate_rng(4, 0);
        let x = design(400, 5, 4, &mut rng);
        let y: Vec<f64> = x.iter().map(|r| g(r)).collect();
        let got = analyze(&x, &y, 5, 4, 100, &mut rng);
        for i in 0..4 {
            assert!(
                got[i].mu_star > got[i + 1].mu_star,
                "mu* ranks factor {i} above {}",
                i + 1
            );
        }
    }
}
