//! Least squares with place and period fixed effects and 0/1 regressors, with SEs clustered
//! by place: the regression behind TWFE, the TWFE event study and Sun–Abraham.
//!
//! On a balanced panel the fixed effects are removed exactly by the two-way
//! within-transformation `z̃ = z − z̄_place − z̄_period + z̄` (Frisch–Waugh–Lovell), so only the
//! k regressors are estimated. Every regressor here is a dummy and each observation has at
//! most one dummy switched on (an event time, or a cohort × event time cell), which makes the
//! Gram matrix cheap: `X̃'X̃ = X̃'X` (the within-transformation is an idempotent projection),
//! a sum of rows of X̃ over the observations where each dummy is 1. Linear algebra (Cholesky
//! solve and inverse) is nalgebra's.
//!
//! Variance: CR1, clustered by place, with fixest's default small-sample correction
//! `ssc(adj = TRUE, fixef.K = "nested", cluster.adj = TRUE)`, which pyfixest 0.60 also uses
//! (`k_fixef = "nonnested"`): `G/(G−1) · (n−1)/(n−K)` with G places, n observations and
//! K = k + T (the place effects are nested in the place clusters and not counted; the T
//! period effects are, less one redundant, plus one for the nested place effects' constant).
//!
//! Collinear dummies (a combination of others and the fixed effects) are dropped, later ones
//! first, as fixest does; their coefficients are NaN.

use nalgebra::{Cholesky, DMatrix, DVector};

use super::Panel;

/// A regressor whose variance left after the earlier ones and the fixed effects is below
/// this share of its own is collinear.
const COLLINEAR: f64 = 1e-9;

/// A fitted regression: coefficients and their clustered covariance, per regressor.
#[derive(Debug, Clone)]
pub(crate) struct Fit {
    /// Per regressor; NaN where it was dropped as collinear.
    pub coef: Vec<f64>,
    /// CR1 covariance over all regressors (zero rows and columns for dropped ones).
    pub vcov: DMatrix<f64>,
    /// Degrees of freedom of the t distribution for intervals: places − 1.
    pub df: f64,
}

impl Fit {
    pub fn kept(&self, j: usize) -> bool {
        self.coef[j].is_finite()
    }

    /// The linear combination `w'β` and its standard error `sqrt(w'Vw)`, over the nonzero
    /// weights only (most combinations pick one or a few coefficients).
    pub fn combine(&self, w: &[f64]) -> (f64, f64) {
        let nz: Vec<usize> = (0..w.len()).filter(|&j| w[j] != 0.0).collect();
        let value = nz.iter().map(|&j| w[j] * self.coef[j]).sum();
        let var: f64 = nz
            .iter()
            .map(|&a| w[a] * nz.iter().map(|&b| self.vcov[(a, b)] * w[b]).sum::<f64>())
            .sum();
        (value, var.max(0.0).sqrt())
    }
}

/// Subtracts place and period means and adds back the grand mean, in place; `v` is
/// place-major with `times` periods per place.
fn within(v: &mut [f64], times: usize) {
    let places = v.len() / times;
    let mut period_mean = vec![0.0; times];
    for row in v.chunks(times) {
        for (m, x) in period_mean.iter_mut().zip(row) {
            *m += x;
        }
    }
    for m in &mut period_mean {
        *m /= places as f64;
    }
    let grand = period_mean.iter().sum::<f64>() / times as f64;
    for row in v.chunks_mut(times) {
        let place_mean = row.iter().sum::<f64>() / times as f64;
        for (x, m) in row.iter_mut().zip(&period_mean) {
            *x += grand - place_mean - m;
        }
    }
}

/// Regresses the panel's outcome on `k` dummies with place and period fixed effects:
/// `cells[p·T + t]` is the dummy switched on for place index p in period index t (None:
/// none). Every dummy must be on somewhere.
pub(crate) fn fit(panel: &Panel, cells: &[Option<usize>], k: usize) -> Fit {
    let (places, times) = (panel.n_places(), panel.n_times());
    let n = places * times;
    debug_assert_eq!(cells.len(), n);
    let mut y = panel.outcomes().to_vec();
    within(&mut y, times);
    let mut x = DMatrix::<f64>::zeros(n, k);
    for (obs, cell) in cells.iter().enumerate() {
        if let Some(a) = *cell {
            x[(obs, a)] = 1.0;
        }
    }
    for a in 0..k {
        within(&mut x.as_mut_slice()[a * n..(a + 1) * n], times);
    }
    let mut gram = DMatrix::<f64>::zeros(k, k);
    let mut xty = DVector::<f64>::zeros(k);
    for (obs, cell) in cells.iter().enumerate() {
        if let Some(a) = *cell {
            for b in 0..k {
                gram[(a, b)] += x[(obs, b)];
            }
            xty[a] += y[obs];
        }
    }
    // Exactly symmetric, as the algebra says it is.
    let gram = (&gram + gram.transpose()) * 0.5;

    let kept = independent_columns(&gram);
    let gk = gram.select_rows(&kept).select_columns(&kept);
    let chol = Cholesky::new(gk).expect("kept columns are positive definite");
    let beta = chol.solve(&xty.select_rows(&kept));

    // Residuals, then each place's score X̃_p'e_p.
    let mut e = y;
    for (j, &a) in kept.iter().enumerate() {
        let col = &x.as_slice()[a * n..(a + 1) * n];
        for (r, xa) in e.iter_mut().zip(col) {
            *r -= xa * beta[j];
        }
    }
    let mut scores = DMatrix::<f64>::zeros(places, kept.len());
    for (j, &a) in kept.iter().enumerate() {
        let col = &x.as_slice()[a * n..(a + 1) * n];
        for p in 0..places {
            let range = p * times..(p + 1) * times;
            scores[(p, j)] = col[range.clone()]
                .iter()
                .zip(&e[range])
                .map(|(a, b)| a * b)
                .sum();
        }
    }
    // V = B⁻¹ (S'S) B⁻¹ = A'A with A = S B⁻¹ (B symmetric): a solve, no explicit inverse.
    let a = chol.solve(&scores.transpose()).transpose();
    let dof = n as f64 - (kept.len() + times) as f64;
    let adj = if dof > 0.0 && places > 1 {
        places as f64 / (places as f64 - 1.0) * (n as f64 - 1.0) / dof
    } else {
        f64::NAN
    };
    let vk = a.transpose() * &a * adj;

    let mut coef = vec![f64::NAN; k];
    let mut vcov = DMatrix::<f64>::zeros(k, k);
    for (i, &a) in kept.iter().enumerate() {
        coef[a] = beta[i];
        for (j, &b) in kept.iter().enumerate() {
            vcov[(a, b)] = vk[(i, j)];
        }
    }
    Fit {
        coef,
        vcov,
        df: places as f64 - 1.0,
    }
}

/// The regressors to keep: all, unless one is (nearly) a combination of earlier ones, judged
/// by the Cholesky pivots of the Gram matrix: `L_jj²/G_jj` is the share of regressor j's
/// variance not explained by the earlier ones.
fn independent_columns(gram: &DMatrix<f64>) -> Vec<usize> {
    let k = gram.nrows();
    let pivots_ok = |g: &DMatrix<f64>, cols: &[usize]| -> bool {
        let sub = g.select_rows(cols).select_columns(cols);
        match Cholesky::new(sub.clone()) {
            Some(ch) => {
                let l = ch.l();
                (0..cols.len()).all(|i| l[(i, i)] * l[(i, i)] >= COLLINEAR * sub[(i, i)])
            }
            None => false,
        }
    };
    let all: Vec<usize> = (0..k).collect();
    if pivots_ok(gram, &all) {
        return all;
    }
    // Rare: add regressors one at a time, keeping those that add something new.
    let mut kept: Vec<usize> = Vec::new();
    for j in 0..k {
        kept.push(j);
        if !pivots_ok(gram, &kept) {
            kept.pop();
        }
    }
    kept
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::did::Row;

    #[test]
    fn within_removes_place_and_period_means() {
        let mut v = vec![1.0, 2.0, 4.0, 3.0, 5.0, 10.0];
        within(&mut v, 3);
        for row in v.chunks(3) {
            assert!(row.iter().sum::<f64>().abs() < 1e-12);
        }
        for t in 0..3 {
            assert!((v[t] + v[3 + t]).abs() < 1e-12);
        }
    }

    #[test]
    fn a_collinear_dummy_is_dropped_and_the_rest_estimated() {
        // Two dummies that are always on together are one regressor: the second is dropped.
        let rows: Vec<Row> = (0..6u32)
            .flat_map(|p| {
                (0..4i64).map(move |t| Row {
                    place: p,
                    time: t,
                    cohort: None,
                    y: if p < 3 && t >= 2 { 2.0 } else { 0.0 } + p as f64 + 0.1 * t as f64,
                })
            })
            .collect();
        let panel = Panel::new(rows).unwrap();
        let cells: Vec<Option<usize>> = (0..24)
            .map(|obs| {
                let (p, t) = (obs / 4, obs % 4);
                (p < 3 && t >= 2).then_some(if t == 2 { 0 } else { 1 })
            })
            .collect();
        let fit1 = fit(&panel, &cells, 2);
        assert!((fit1.coef[0] - 2.0).abs() < 1e-9 && (fit1.coef[1] - 2.0).abs() < 1e-9);
        // A third dummy equal to the sum of both is collinear with them.
        let mut x = DMatrix::<f64>::zeros(3, 3);
        x[(0, 0)] = 2.0;
        x[(1, 1)] = 2.0;
        x[(2, 2)] = 4.0;
        x[(0, 2)] = 2.0;
        x[(2, 0)] = 2.0;
        x[(1, 2)] = 2.0;
        x[(2, 1)] = 2.0;
        assert_eq!(independent_columns(&x), vec![0, 1]);
    }
}
