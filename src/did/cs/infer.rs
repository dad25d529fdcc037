//! Inference for Callaway–Sant'Anna: analytic influence-function SEs or `did::mboot`'s
//! multiplier bootstrap (see the parent module for the conventions).

use nalgebra::DMatrix;
use rand::SeedableRng;

use super::{CALENDAR, DYNAMIC, GROUP, GT, Piece};
use crate::did::{Estimate, Estimator, Options, normal_quantile};
use crate::model::rng::{Chance, SimRng};

/// R's quantile of type 1 (the inverse of the empirical CDF) of sorted values.
fn quantile_type1(sorted: &[f64], p: f64) -> f64 {
    let k = (sorted.len() as f64 * p).ceil().max(1.0) as usize;
    sorted[k.min(sorted.len()) - 1]
}

/// [`quantile_type1`] without sorting everything: the same order statistic, selected.
fn select_type1(values: &mut [f64], p: f64) -> f64 {
    let k = (values.len() as f64 * p).ceil().max(1.0) as usize;
    let k = k.min(values.len()) - 1;
    *values.select_nth_unstable_by(k, f64::total_cmp).1
}

/// Mammen's two-point multipliers, `draws × places`, in a fixed order from `seed`:
/// (1 − √5)/2 with probability (√5 + 1)/(2√5), else (1 + √5)/2 (mean 0, variance 1).
pub fn mammen_multipliers(draws: usize, places: usize, seed: u64) -> DMatrix<f64> {
    let kappa = (5f64.sqrt() + 1.0) / 2.0;
    let low = Chance::new(kappa / 5f64.sqrt());
    let mut rng = SimRng::seed_from_u64(seed);
    let mut v = DMatrix::<f64>::zeros(draws, places);
    for b in 0..draws {
        for i in 0..places {
            v[(b, i)] = if low.trial(&mut rng) {
                1.0 - kappa
            } else {
                kappa
            };
        }
    }
    v
}

/// SEs, intervals and bands for every piece.
pub(super) fn infer(pieces: &[Piece], n: usize, opts: &Options) -> Vec<Estimate> {
    let z = normal_quantile(opts.level);
    let estimate = |p: &Piece, se: f64, crit: Option<f64>| Estimate {
        estimator: Estimator::CallawaySantAnna,
        target: p.target,
        value: p.value,
        se,
        ci: (p.value - z * se, p.value + z * se),
        band: crit.map(|c| (p.value - c * se, p.value + c * se)),
        control: None,
        estimand: p.estimand.clone(),
    };
    let nf = n as f64;
    if opts.bootstrap == 0 {
        return pieces
            .iter()
            .map(|p| {
                let se = p.inf.iter().map(|x| x * x).sum::<f64>().sqrt() / nf;
                estimate(p, se, None)
            })
            .collect();
    }
    let draws = opts.bootstrap as usize;
    let v = mammen_multipliers(draws, n, opts.seed);
    let mut psi = DMatrix::<f64>::zeros(n, pieces.len());
    for (k, p) in pieces.iter().enumerate() {
        psi.column_mut(k).copy_from_slice(&p.inf);
    }
    // bres[b, k] = √n · mean_i(v_bi ψ_ik), as did::mboot.
    let bres = (v * psi) / nf.sqrt();
    // z₀.₇₅ − z₀.₂₅ = 2·z₀.₇₅: the interquartile range of a standard normal.
    let iqr_to_sd = 2.0 * normal_quantile(0.5);
    let mut sigma = vec![0.0; pieces.len()];
    let mut column = vec![0.0; draws];
    for (k, s) in sigma.iter_mut().enumerate() {
        column.copy_from_slice(bres.column(k).as_slice());
        let iqr = select_type1(&mut column, 0.75) - select_type1(&mut column, 0.25);
        // A degenerate column (no variation across places) has SE 0 and no say in bands.
        *s = if iqr > 0.0 { iqr / iqr_to_sd } else { 0.0 };
    }
    let crit_of = |family: usize| -> f64 {
        let members: Vec<usize> = (0..pieces.len())
            .filter(|&k| pieces[k].family == Some(family) && sigma[k] > 0.0)
            .collect();
        if members.is_empty() {
            return z;
        }
        let mut sup: Vec<f64> = (0..draws)
            .map(|b| {
                members
                    .iter()
                    .map(|&k| (bres[(b, k)] / sigma[k]).abs())
                    .fold(0.0, f64::max)
            })
            .collect();
        sup.sort_unstable_by(f64::total_cmp);
        // As did::mboot: a band narrower than the pointwise interval falls back to it.
        quantile_type1(&sup, opts.level).max(z)
    };
    let crits: Vec<f64> = [GT, DYNAMIC, GROUP, CALENDAR]
        .iter()
        .map(|&f| crit_of(f))
        .collect();
    pieces
        .iter()
        .zip(&sigma)
        .map(|(p, s)| estimate(p, s / nf.sqrt(), p.family.map(|f| crits[f])))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn type1_quantiles_are_rs() {
        let x: Vec<f64> = (1..=10).map(f64::from).collect();
        assert_eq!(quantile_type1(&x, 0.25), 3.0);
        assert_eq!(quantile_type1(&x, 0.5), 5.0);
        assert_eq!(quantile_type1(&x, 0.95), 10.0);
        assert_eq!(quantile_type1(&x, 0.0), 1.0);
        let mut shuffled = vec![7.0, 2.0, 10.0, 1.0, 5.0, 3.0, 9.0, 4.0, 8.0, 6.0];
        for p in [0.25, 0.5, 0.75, 0.95] {
            assert_eq!(select_type1(&mut shuffled, p), quantile_type1(&x, p));
        }
    }

    #[test]
    fn mammen_multipliers_have_mean_zero_and_variance_one() {
        let v = mammen_multipliers(4000, 50, 7);
        let n = (4000 * 50) as f64;
        let mean = v.iter().sum::<f64>() / n;
        let var = v.iter().map(|x| x * x).sum::<f64>() / n - mean * mean;
        assert!(mean.abs() < 0.01, "{mean}");
        assert!((var - 1.0).abs() < 0.02, "{var}");
        assert_eq!(
            v,
            mammen_multipliers(4000, 50, 7),
            "the same seed, the same draws"
        );
    }
}
