//! Sobol indices: Saltelli's sampling scheme on a Sobol low-discrepancy sequence, the
//! Saltelli (2010) first-order and Jansen (1999) total-effect estimators, and bootstrap
//! confidence intervals, as in SALib's `sobol.analyze` with `calc_second_order=False`.

use serde::Serialize;
use sobol::Sobol;
use sobol::params::JoeKuoD6;

use super::{Z_95, mean, resample};
use crate::model::rng::SimRng;

/// Rows per base sample: A, then AB_i for each of the d factors, then B.
pub fn rows_per_sample(d: usize) -> usize {
    d + 2
}

/// Saltelli's design in the unit cube: `n` base samples of `d` factors give n·(d + 2) rows,
/// in SALib's order — for each base sample j: A_j, AB_j^(1), …, AB_j^(d), B_j, where AB^(i) is
/// A with column i taken from B. A and B are the two halves of a 2d-dimensional Sobol
/// sequence (Joe–Kuo D6 direction numbers), whose first point (all zeros) is skipped.
pub fn saltelli_design(n: usize, d: usize) -> Vec<Vec<f64>> {
    let sequence = Sobol::<f64>::new(2 * d, &JoeKuoD6::standard());
    let mut rows = Vec::with_capacity(n * rows_per_sample(d));
    for point in sequence.skip(1).take(n) {
        let (a, b) = point.split_at(d);
        rows.push(a.to_vec());
        for i in 0..d {
            let mut ab = a.to_vec();
            ab[i] = b[i];
            rows.push(ab);
        }
        rows.push(b.to_vec());
    }
    rows
}

/// First-order and total indices of one factor, with 95% bootstrap half-widths.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct SobolIndex {
    pub s1: f64,
    pub s1_conf: f64,
    pub st: f64,
    pub st_conf: f64,
}

/// Estimates (S1, ST) of every factor from the outputs of a Saltelli design, ordered as
/// [`saltelli_design`] orders its rows. `bootstrap` resamples of the base samples give the
/// confidence half-widths (1.96 × their standard deviation, as SALib reports).
pub fn analyze(y: &[f64], d: usize, bootstrap: usize, rng: &mut SimRng) -> Vec<SobolIndex> {
    let step = rows_per_sample(d);
    let n = y.len() / step;
    assert_eq!(y.len(), n * step, "a Saltelli design has n·(d + 2) rows");
    // Standardise first, as SALib does: the first-order estimator's variance grows with the
    // square of the output's mean, and centring removes that without changing what it
    // estimates (the indices are invariant to shifting and scaling the output).
    let (mean, sd) = (super::mean(y), super::sd(y, 0.0));
    let y: Vec<f64> = y.iter().map(|v| (v - mean) / sd).collect();
    let a: Vec<f64> = (0..n).map(|j| y[j * step]).collect();
    let b: Vec<f64> = (0..n).map(|j| y[j * step + d + 1]).collect();
    let ab = |i: usize| -> Vec<f64> { (0..n).map(|j| y[j * step + 1 + i]).collect() };
    let all: Vec<usize> = (0..n).collect();
    let samples: Vec<Vec<usize>> = (0..bootstrap).map(|_| resample(rng, n)).collect();
    (0..d)
        .map(|i| {
            let ab_i = ab(i);
            let (s1, st) = estimate(&a, &b, &ab_i, &all);
            let (boot_s1, boot_st): (Vec<f64>, Vec<f64>) = samples
                .iter()
                .map(|idx| estimate(&a, &b, &ab_i, idx))
                .unzip();
            SobolIndex {
                s1,
                s1_conf: Z_95 * super::sd(&boot_s1, 1.0),
                st,
                st_conf: Z_95 * super::sd(&boot_st, 1.0),
            }
        })
        .collect()
}

/// The estimators on the base samples `idx`: S1 = mean(f_B (f_ABi − f_A)) / V and
/// ST = mean((f_A − f_ABi)²) / (2V), with V the variance of f_A and f_B together.
fn estimate(a: &[f64], b: &[f64], ab: &[f64], idx: &[usize]) -> (f64, f64) {
    let pooled: Vec<f64> = idx.iter().flat_map(|&j| [a[j], b[j]]).collect();
    let m = mean(&pooled);
    let variance = pooled.iter().map(|x| (x - m).powi(2)).sum::<f64>() / pooled.len() as f64;
    let k = idx.len() as f64;
    let s1 = idx.iter().map(|&j| b[j] * (ab[j] - a[j])).sum::<f64>() / k / variance;
    let st = idx.iter().map(|&j| (a[j] - ab[j]).powi(2)).sum::<f64>() / k / (2.0 * variance);
    (s1, st)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::rng::replicate_rng;
    use std::f64::consts::PI;

    fn indices(n: usize, d: usize, f: impl Fn(&[f64]) -> f64) -> Vec<SobolIndex> {
        let y: Vec<f64> = saltelli_design(n, d).iter().map(|x| f(x)).collect();
        analyze(&y, d, 200, &mut replicate_rng(1, 0))
    }

    /// Ishigami (a = 7, b = 0.1) on [−π, π]³: S1 = (0.3139, 0.4424, 0), ST = (0.5576, 0.4424,
    /// 0.2437). Tolerance 0.03 at n = 8192.
    #[test]
    fn ishigami_indices_match_the_analytical_values() {
        let ishigami = |u: &[f64]| {
            let x: Vec<f64> = u.iter().map(|v| -PI + 2.0 * PI * v).collect();
            x[0].sin() + 7.0 * x[1].sin().powi(2) + 0.1 * x[2].powi(4) * x[0].sin()
        };
        let got = indices(8192, 3, ishigami);
        let s1 = [0.3139, 0.4424, 0.0];
        let st = [0.5576, 0.4424, 0.2437];
        for i in 0..3 {
            assert!(
                (got[i].s1 - s1[i]).abs() < 0.03,
                "S1[{i}] {} vs {}",
                got[i].s1,
                s1[i]
            );
            assert!(
                (got[i].st - st[i]).abs() < 0.03,
                "ST[{i}] {} vs {}",
                got[i].st,
                st[i]
            );
            assert!(got[i].s1_conf > 0.0 && got[i].s1_conf < 0.1);
        }
    }

    /// Sobol's g-function, g = Π (|4x − 2| + a_i)/(1 + a_i): V_i = 1/(3(1 + a_i)²),
    /// S_i = V_i / V, ST_i = V_i Π_{j≠i}(1 + V_j) / V, V = Π(1 + V_j) − 1. Tolerance 0.03.
    #[test]
    fn g_function_indices_match_the_analytical_values() {
        let a = [0.0, 1.0, 4.5, 9.0, 99.0, 99.0];
        let g = |x: &[f64]| {
            x.iter()
                .zip(a)
                .map(|(x, a)| ((4.0 * x - 2.0).abs() + a) / (1.0 + a))
                .product::<f64>()
        };
        let got = indices(8192, a.len(), g);
        let v: Vec<f64> = a
            .iter()
            .map(|a| 1.0 / (3.0 * (1.0 + a) * (1.0 + a)))
            .collect();
        let total = v.iter().map(|vi| 1.0 + vi).product::<f64>() - 1.0;
        for i in 0..a.len() {
            let s1 = v[i] / total;
            let st = v[i] * (total + 1.0) / (1.0 + v[i]) / total;
            assert!(
                (got[i].s1 - s1).abs() < 0.03,
                "S1[{i}] {} vs {s1}",
                got[i].s1
            );
            assert!(
                (got[i].st - st).abs() < 0.03,
                "ST[{i}] {} vs {st}",
                got[i].st
            );
        }
    }

    #[test]
    fn design_layout_is_salibs() {
        let rows = saltelli_design(4, 3);
        assert_eq!(rows.len(), 4 * 5);
        let (a, b) = (&rows[0], &rows[4]);
        assert_eq!(
            rows[2],
            vec![a[0], b[1], a[2]],
            "AB_2 takes column 2 from B"
        );
        assert!(rows.iter().flatten().all(|u| (0.0..1.0).contains(u)));
    }
}
