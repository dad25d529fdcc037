//! The 2×2 estimators of one ATT(g,t) with covariates: the places (or, on an unbalanced
//! panel, the rows) of cohort g and of its comparison in the two periods, and DRDID's
//! estimators on them with their influence functions, as `did` 2.x / `csdid` 0.4 call them:
//!
//! - panel data (balanced): `drdid_panel` (doubly robust, Sant'Anna & Zhao 2020, the
//!   "traditional" locally efficient form that `did` uses), `std_ipw_did_panel` (IPW with
//!   normalised weights, Abadie 2005) and `reg_did_panel` (outcome regression) on each
//!   place's change ΔY and its covariates from the earlier of the two periods;
//! - unbalanced panels, as repeated cross sections: `drdid_rc`, `std_ipw_did_rc` and
//!   `reg_did_rc` on the observed rows, each with its own period's covariates.
//!
//! The propensity score is a logit fitted by Newton–Raphson (IRLS) to convergence; scores are
//! capped at 1 − 10⁻⁶ and comparison places with a score of 0.995 or more are trimmed, as
//! DRDID does. A cell whose score separates the cohort from its comparison (largest fitted
//! score ≥ 0.999, `did`'s overlap check) or whose regressions are singular is refused with
//! the reason: `did` sets such a cell to NA and then refuses to aggregate.

use nalgebra::{DMatrix, DVector};

use super::design;
use crate::did::{Method, Panel};

/// The data of one cell: per observation (a place, or a row of an unbalanced panel) its
/// owner (place index), whether it is in the cohort, its outcome (the change ΔY for panel
/// data, the level for rows), whether it is the period t row (rows only), its covariates.
pub struct CellData {
    owner: Vec<usize>,
    d: Vec<f64>,
    y: Vec<f64>,
    /// None: panel data (one observation per place, `y` is ΔY).
    post: Option<Vec<f64>>,
    x: DMatrix<f64>,
}

/// (ATT, influence function over the cell's observations), or None for an empty cell.
type Fit = Option<(f64, Vec<f64>)>;

impl CellData {
    /// The cell of period index `ti` against base period index `bi`.
    pub fn gather(
        panel: &Panel,
        ti: usize,
        bi: usize,
        in_cohort: &dyn Fn(usize) -> bool,
        in_control: &dyn Fn(usize) -> bool,
    ) -> CellData {
        let mut owner = Vec::new();
        let mut d = Vec::new();
        let mut y = Vec::new();
        let mut post = Vec::new();
        let mut rows: Vec<&[f64]> = Vec::new();
        let balanced = panel.is_balanced();
        let early = ti.min(bi);
        for p in 0..panel.n_places() {
            let treated = in_cohort(p);
            if !treated && !in_control(p) {
                continue;
            }
            let di = f64::from(u8::from(treated));
            if balanced {
                owner.push(p);
                d.push(di);
                y.push(panel.y(p, ti) - panel.y(p, bi));
                rows.push(panel.x(p, early));
            } else {
                // The earlier period's row first, as `did` orders a place's rows.
                let (a, b) = if ti < bi { (ti, bi) } else { (bi, ti) };
                for s in [a, b] {
                    if panel.observed(p, s) {
                        owner.push(p);
                        d.push(di);
                        y.push(panel.y(p, s));
                        post.push(f64::from(u8::from(s == ti)));
                        rows.push(panel.x(p, s));
                    }
                }
            }
        }
        CellData {
            owner,
            d,
            y,
            post: (!balanced).then_some(post),
            x: design(&rows),
        }
    }

    /// The cell's ATT and influence function by `method`; None when the cohort or the
    /// comparison has no observation (in either period, for rows); Err with the reason when
    /// the estimator cannot run on the cell.
    pub fn estimate(&self, method: Method) -> Result<Fit, String> {
        let count = |want_d: f64, want_post: Option<f64>| {
            (0..self.d.len())
                .filter(|&i| {
                    self.d[i] == want_d
                        && want_post.is_none_or(|p| self.post.as_ref().is_some_and(|q| q[i] == p))
                })
                .count()
        };
        match &self.post {
            None => {
                if count(1.0, None) == 0 || count(0.0, None) == 0 {
                    return Ok(None);
                }
                let (x, d, dy) = (&self.x, &self.d, &self.y);
                match method {
                    Method::DoublyRobust => dr_panel(x, d, dy),
                    Method::Ipw => ipw_panel(x, d, dy),
                    Method::Regression => reg_panel(x, d, dy),
                }
            }
            Some(post) => {
                for (dd, pp) in [(1.0, 1.0), (1.0, 0.0), (0.0, 1.0), (0.0, 0.0)] {
                    if count(dd, Some(pp)) == 0 {
                        return Ok(None);
                    }
                }
                let (x, d, y) = (&self.x, &self.d, &self.y);
                match method {
                    Method::DoublyRobust => dr_rc(x, d, post, y),
                    Method::Ipw => ipw_rc(x, d, post, y),
                    Method::Regression => reg_rc(x, d, post, y),
                }
            }
        }
        .map(Some)
    }

    /// The influence function over the panel's `n` places: each observation's value scaled
    /// by n/n₁ (n₁ observations in the cell) and added to its place's (`did`'s rescaling, and
    /// its sum over a place's rows on an unbalanced panel).
    pub fn spread(&self, inf: &[f64], n: usize) -> Vec<f64> {
        let scale = n as f64 / inf.len() as f64;
        let mut out = vec![0.0; n];
        for (&p, v) in self.owner.iter().zip(inf) {
            out[p] += scale * v;
        }
        out
    }
}

fn mean(v: &[f64]) -> f64 {
    v.iter().sum::<f64>() / v.len() as f64
}

/// Σᵢ wᵢ·xᵢ / n: the weighted column means of the design.
fn moment(x: &DMatrix<f64>, w: &[f64]) -> DVector<f64> {
    let n = x.nrows() as f64;
    let mut m = DVector::zeros(x.ncols());
    for (i, wi) in w.iter().enumerate() {
        if *wi != 0.0 {
            m += x.row(i).transpose() * *wi;
        }
    }
    m / n
}

/// Σᵢ wᵢ·xᵢxᵢ' / n.
fn gram(x: &DMatrix<f64>, w: &[f64]) -> DMatrix<f64> {
    let n = x.nrows() as f64;
    let k = x.ncols();
    let mut g = DMatrix::zeros(k, k);
    for (i, wi) in w.iter().enumerate() {
        if *wi != 0.0 {
            let r = x.row(i);
            g += r.transpose() * r * *wi;
        }
    }
    g / n
}

/// The inverse, refused when the matrix is singular or numerically so (reciprocal 1-norm
/// condition number below machine epsilon, R's `rcond` test).
fn checked_inverse(a: &DMatrix<f64>, what: &str) -> Result<DMatrix<f64>, String> {
    let singular = || {
        format!(
            "the {what} is singular (a covariate is constant or collinear among these places); \
             drop or rescale covariates"
        )
    };
    let inv = a.clone().try_inverse().ok_or_else(singular)?;
    let norm1 = |m: &DMatrix<f64>| {
        m.column_iter()
            .map(|c| c.iter().map(|v| v.abs()).sum::<f64>())
            .fold(0.0, f64::max)
    };
    let rcond = 1.0 / (norm1(a) * norm1(&inv));
    if !rcond.is_finite() || rcond < f64::EPSILON {
        return Err(singular());
    }
    Ok(inv)
}

/// Weighted least squares of `y` on `x` with 0/1 weights `w`: the coefficients and the
/// inverse of Σ wᵢxᵢxᵢ'/n (for the estimator's linear representation).
fn wls(x: &DMatrix<f64>, y: &[f64], w: &[f64], what: &str) -> Result<WlsFit, String> {
    let inv = checked_inverse(&gram(x, w), what)?;
    let wy: Vec<f64> = w.iter().zip(y).map(|(a, b)| a * b).collect();
    let beta = &inv * moment(x, &wy);
    let fitted = (x * &beta).as_slice().to_vec();
    Ok(WlsFit { fitted, inv })
}

struct WlsFit {
    fitted: Vec<f64>,
    inv: DMatrix<f64>,
}

impl WlsFit {
    /// The regression's linear representation times a moment vector `m`:
    /// wᵢ·(yᵢ − ŷᵢ)·xᵢ'·inv·m for each observation.
    fn times(&self, x: &DMatrix<f64>, y: &[f64], w: &[f64], m: &DVector<f64>) -> Vec<f64> {
        let v = &self.inv * m;
        (0..x.nrows())
            .map(|i| w[i] * (y[i] - self.fitted[i]) * x.row(i).dot(&v.transpose()))
            .collect()
    }
}

/// The fitted propensity score (capped at 1 − 10⁻⁶), the trimming indicator and the
/// score's linear representation `(Dᵢ − pᵢ)·xᵢ'·H` with H = n·(Σ pᵢ(1 − pᵢ)xᵢxᵢ')⁻¹.
struct Pscore {
    ps: Vec<f64>,
    trim: Vec<f64>,
    h: DMatrix<f64>,
}

impl Pscore {
    fn fit(x: &DMatrix<f64>, d: &[f64]) -> Result<Pscore, String> {
        let ps = logit(x, d)?;
        let largest = ps.iter().copied().fold(0.0, f64::max);
        if largest >= 0.999 {
            return Err(format!(
                "the propensity score separates the cohort from its comparison places \
                 (largest fitted score {largest:.4}, at least 0.999), so there is no overlap; \
                 drop covariates or use --method reg"
            ));
        }
        let ps: Vec<f64> = ps.into_iter().map(|p| p.min(1.0 - 1e-6)).collect();
        let trim = ps
            .iter()
            .zip(d)
            .map(|(p, di)| f64::from(u8::from(*di == 1.0 || *p < 0.995)))
            .collect();
        let w: Vec<f64> = ps.iter().map(|p| p * (1.0 - p)).collect();
        // gram() divides by n; H = n·(Σ w x x')⁻¹ = (Σ w x x' / n)⁻¹.
        let h = checked_inverse(&gram(x, &w), "propensity score's information matrix")?;
        Ok(Pscore { ps, trim, h })
    }

    /// The score's linear representation times a moment vector `m`.
    fn times(&self, x: &DMatrix<f64>, d: &[f64], m: &DVector<f64>) -> Vec<f64> {
        let v = &self.h * m;
        (0..x.nrows())
            .map(|i| (d[i] - self.ps[i]) * x.row(i).dot(&v.transpose()))
            .collect()
    }
}

/// The logit of `d` on `x` by Newton–Raphson from zero, with step halving; the fitted
/// probabilities. Stops when no coefficient moves by more than 10⁻¹⁰ (relative).
fn logit(x: &DMatrix<f64>, d: &[f64]) -> Result<Vec<f64>, String> {
    let k = x.ncols();
    let n = x.nrows();
    let probs = |beta: &DVector<f64>| -> Vec<f64> {
        (x * beta)
            .iter()
            .map(|eta| 1.0 / (1.0 + (-eta).exp()))
            .collect()
    };
    let loglik = |p: &[f64]| -> f64 {
        p.iter()
            .zip(d)
            .map(|(p, y)| {
                let p = p.clamp(1e-300, 1.0 - 1e-16);
                y * p.ln() + (1.0 - y) * (1.0 - p).ln()
            })
            .sum()
    };
    let mut beta = DVector::zeros(k);
    let mut p = probs(&beta);
    let mut ll = loglik(&p);
    for _ in 0..200 {
        let w: Vec<f64> = p.iter().map(|p| p * (1.0 - p)).collect();
        let info = gram(x, &w) * n as f64;
        let resid: Vec<f64> = d.iter().zip(&p).map(|(y, p)| y - p).collect();
        let score = moment(x, &resid) * n as f64;
        let Some(step) = info.cholesky().map(|c| c.solve(&score)) else {
            // Fitted scores at 0 or 1: separation, caught by the overlap check.
            return Ok(p);
        };
        let mut t = 1.0;
        let (mut next, mut pn, mut lln);
        loop {
            next = &beta + &step * t;
            pn = probs(&next);
            lln = loglik(&pn);
            if lln >= ll - 1e-12 * ll.abs() || t < 1e-8 {
                break;
            }
            t /= 2.0;
        }
        let moved = (&next - &beta)
            .iter()
            .zip(next.iter())
            .map(|(dv, b)| dv.abs() / (1.0 + b.abs()))
            .fold(0.0, f64::max);
        beta = next;
        p = pn;
        ll = lln;
        if moved < 1e-10 {
            return Ok(p);
        }
    }
    Ok(p)
}

fn zip_mul(a: &[f64], b: &[f64]) -> Vec<f64> {
    a.iter().zip(b).map(|(x, y)| x * y).collect()
}

/// DRDID's `drdid_panel`.
fn dr_panel(x: &DMatrix<f64>, d: &[f64], dy: &[f64]) -> Result<(f64, Vec<f64>), String> {
    let n = d.len();
    let ps = Pscore::fit(x, d)?;
    let control: Vec<f64> = d.iter().map(|v| 1.0 - v).collect();
    let reg = wls(x, dy, &control, "comparison places' outcome regression")?;
    let resid: Vec<f64> = dy.iter().zip(&reg.fitted).map(|(a, b)| a - b).collect();
    let w_treat = zip_mul(&ps.trim, d);
    let w_cont: Vec<f64> = (0..n)
        .map(|i| ps.trim[i] * ps.ps[i] * (1.0 - d[i]) / (1.0 - ps.ps[i]))
        .collect();
    let (mt, mc) = (mean(&w_treat), mean(&w_cont));
    let eta_treat = mean(&zip_mul(&w_treat, &resid)) / mt;
    let eta_cont = mean(&zip_mul(&w_cont, &resid)) / mc;
    let m1 = moment(x, &w_treat);
    let treat_2 = reg.times(x, dy, &control, &m1);
    let w2: Vec<f64> = (0..n).map(|i| w_cont[i] * (resid[i] - eta_cont)).collect();
    let cont_2 = ps.times(x, d, &moment(x, &w2));
    let cont_3 = reg.times(x, dy, &control, &moment(x, &w_cont));
    let inf = (0..n)
        .map(|i| {
            let treat = (w_treat[i] * resid[i] - w_treat[i] * eta_treat - treat_2[i]) / mt;
            let cont = (w_cont[i] * resid[i] - w_cont[i] * eta_cont + cont_2[i] - cont_3[i]) / mc;
            treat - cont
        })
        .collect();
    Ok((eta_treat - eta_cont, inf))
}

/// DRDID's `std_ipw_did_panel`.
fn ipw_panel(x: &DMatrix<f64>, d: &[f64], dy: &[f64]) -> Result<(f64, Vec<f64>), String> {
    let n = d.len();
    let ps = Pscore::fit(x, d)?;
    let w_treat = zip_mul(&ps.trim, d);
    let w_cont: Vec<f64> = (0..n)
        .map(|i| ps.trim[i] * ps.ps[i] * (1.0 - d[i]) / (1.0 - ps.ps[i]))
        .collect();
    let (mt, mc) = (mean(&w_treat), mean(&w_cont));
    let eta_treat = mean(&zip_mul(&w_treat, dy)) / mt;
    let eta_cont = mean(&zip_mul(&w_cont, dy)) / mc;
    let w2: Vec<f64> = (0..n).map(|i| w_cont[i] * (dy[i] - eta_cont)).collect();
    let cont_2 = ps.times(x, d, &moment(x, &w2));
    let inf = (0..n)
        .map(|i| {
            let treat = (w_treat[i] * dy[i] - w_treat[i] * eta_treat) / mt;
            let cont = (w_cont[i] * dy[i] - w_cont[i] * eta_cont + cont_2[i]) / mc;
            treat - cont
        })
        .collect();
    Ok((eta_treat - eta_cont, inf))
}

/// DRDID's `reg_did_panel`.
fn reg_panel(x: &DMatrix<f64>, d: &[f64], dy: &[f64]) -> Result<(f64, Vec<f64>), String> {
    let n = d.len();
    let control: Vec<f64> = d.iter().map(|v| 1.0 - v).collect();
    let reg = wls(x, dy, &control, "comparison places' outcome regression")?;
    let mt = mean(d);
    let eta_treat = mean(&zip_mul(d, dy)) / mt;
    let eta_cont = mean(&zip_mul(d, &reg.fitted)) / mt;
    let est = reg.times(x, dy, &control, &moment(x, d));
    let inf = (0..n)
        .map(|i| {
            let treat = (d[i] * dy[i] - d[i] * eta_treat) / mt;
            let cont = (d[i] * reg.fitted[i] - d[i] * eta_cont + est[i]) / mt;
            treat - cont
        })
        .collect();
    Ok((eta_treat - eta_cont, inf))
}

/// A weighted mean's pieces for the repeated-cross-section estimators: with weights w,
/// ηᵢ = wᵢ·vᵢ / mean(w), att = mean(η), and the influence ηᵢ − wᵢ·att / mean(w).
struct Part {
    att: f64,
    inf: Vec<f64>,
}

fn part(w: &[f64], v: &[f64]) -> Part {
    let mw = mean(w);
    let eta: Vec<f64> = w.iter().zip(v).map(|(w, v)| w * v / mw).collect();
    let att = mean(&eta);
    let inf = eta.iter().zip(w).map(|(e, w)| e - w * att / mw).collect();
    Part { att, inf }
}

/// The four cohort × period weights of the repeated-cross-section estimators.
struct RcWeights {
    treat_pre: Vec<f64>,
    treat_post: Vec<f64>,
    cont_pre: Vec<f64>,
    cont_post: Vec<f64>,
}

fn rc_weights(ps: &Pscore, d: &[f64], post: &[f64]) -> RcWeights {
    let n = d.len();
    let odds = |i: usize| ps.trim[i] * ps.ps[i] * (1.0 - d[i]) / (1.0 - ps.ps[i]);
    RcWeights {
        treat_pre: (0..n)
            .map(|i| ps.trim[i] * d[i] * (1.0 - post[i]))
            .collect(),
        treat_post: (0..n).map(|i| ps.trim[i] * d[i] * post[i]).collect(),
        cont_pre: (0..n).map(|i| odds(i) * (1.0 - post[i])).collect(),
        cont_post: (0..n).map(|i| odds(i) * post[i]).collect(),
    }
}

/// DRDID's `std_ipw_did_rc`.
fn ipw_rc(x: &DMatrix<f64>, d: &[f64], post: &[f64], y: &[f64]) -> Result<(f64, Vec<f64>), String> {
    let n = d.len();
    let ps = Pscore::fit(x, d)?;
    let w = rc_weights(&ps, d, post);
    let tp = part(&w.treat_pre, y);
    let tq = part(&w.treat_post, y);
    let cp = part(&w.cont_pre, y);
    let cq = part(&w.cont_post, y);
    let att = (tq.att - tp.att) - (cq.att - cp.att);
    let m2 = |wc: &[f64], a: f64| {
        let v: Vec<f64> = (0..n).map(|i| wc[i] * (y[i] - a)).collect();
        moment(x, &v) / mean(wc)
    };
    let ps_part = ps.times(x, d, &(m2(&w.cont_post, cq.att) - m2(&w.cont_pre, cp.att)));
    let inf = (0..n)
        .map(|i| (tq.inf[i] - tp.inf[i]) - (cq.inf[i] - cp.inf[i] + ps_part[i]))
        .collect();
    Ok((att, inf))
}

/// DRDID's `reg_did_rc`.
fn reg_rc(x: &DMatrix<f64>, d: &[f64], post: &[f64], y: &[f64]) -> Result<(f64, Vec<f64>), String> {
    let n = d.len();
    let mask_pre: Vec<f64> = (0..n).map(|i| (1.0 - d[i]) * (1.0 - post[i])).collect();
    let mask_post: Vec<f64> = (0..n).map(|i| (1.0 - d[i]) * post[i]).collect();
    let pre = wls(x, y, &mask_pre, "comparison places' base-period regression")?;
    let postfit = wls(x, y, &mask_post, "comparison places' period-t regression")?;
    let w_treat_pre: Vec<f64> = (0..n).map(|i| d[i] * (1.0 - post[i])).collect();
    let w_treat_post: Vec<f64> = (0..n).map(|i| d[i] * post[i]).collect();
    let (m_pre, m_post, mt) = (mean(&w_treat_pre), mean(&w_treat_post), mean(d));
    let eta_pre = mean(&zip_mul(&w_treat_pre, y)) / m_pre;
    let eta_post = mean(&zip_mul(&w_treat_post, y)) / m_post;
    let change: Vec<f64> = (0..n).map(|i| postfit.fitted[i] - pre.fitted[i]).collect();
    let eta_cont = mean(&zip_mul(d, &change)) / mt;
    let m = moment(x, d);
    let est_post = postfit.times(x, y, &mask_post, &m);
    let est_pre = pre.times(x, y, &mask_pre, &m);
    let inf = (0..n)
        .map(|i| {
            let treat_pre = (w_treat_pre[i] * y[i] - w_treat_pre[i] * eta_pre) / m_pre;
            let treat_post = (w_treat_post[i] * y[i] - w_treat_post[i] * eta_post) / m_post;
            let cont = (d[i] * change[i] - d[i] * eta_cont + est_post[i] - est_pre[i]) / mt;
            treat_post - treat_pre - cont
        })
        .collect();
    Ok((eta_post - eta_pre - eta_cont, inf))
}

/// DRDID's `drdid_rc` (the locally efficient doubly robust estimator for repeated cross
/// sections).
fn dr_rc(x: &DMatrix<f64>, d: &[f64], post: &[f64], y: &[f64]) -> Result<(f64, Vec<f64>), String> {
    let n = d.len();
    let ps = Pscore::fit(x, d)?;
    let mask = |dd: f64, pp: f64| -> Vec<f64> {
        (0..n)
            .map(|i| f64::from(u8::from(d[i] == dd && post[i] == pp)))
            .collect()
    };
    let (mc0, mc1, mt0, mt1) = (
        mask(0.0, 0.0),
        mask(0.0, 1.0),
        mask(1.0, 0.0),
        mask(1.0, 1.0),
    );
    let cont_pre = wls(x, y, &mc0, "comparison places' base-period regression")?;
    let cont_post = wls(x, y, &mc1, "comparison places' period-t regression")?;
    let treat_pre = wls(x, y, &mt0, "cohort's base-period regression")?;
    let treat_post = wls(x, y, &mt1, "cohort's period-t regression")?;
    let out_cont: Vec<f64> = (0..n)
        .map(|i| post[i] * cont_post.fitted[i] + (1.0 - post[i]) * cont_pre.fitted[i])
        .collect();
    let w = rc_weights(&ps, d, post);
    let w_d = zip_mul(&ps.trim, d);
    let resid: Vec<f64> = (0..n).map(|i| y[i] - out_cont[i]).collect();
    let tp = part(&w.treat_pre, &resid);
    let tq = part(&w.treat_post, &resid);
    let cp = part(&w.cont_pre, &resid);
    let cq = part(&w.cont_post, &resid);
    let gap_post: Vec<f64> = (0..n)
        .map(|i| treat_post.fitted[i] - cont_post.fitted[i])
        .collect();
    let gap_pre: Vec<f64> = (0..n)
        .map(|i| treat_pre.fitted[i] - cont_pre.fitted[i])
        .collect();
    let d_post = part(&w_d, &gap_post);
    let dt1_post = part(&w.treat_post, &gap_post);
    let d_pre = part(&w_d, &gap_pre);
    let dt0_pre = part(&w.treat_pre, &gap_pre);
    let att = (tq.att - tp.att) - (cq.att - cp.att) + (d_post.att - dt1_post.att)
        - (d_pre.att - dt0_pre.att);

    // Influence of the treated's weighted means through the comparison regressions.
    let scaled =
        |w: &[f64], sel: &[f64]| -> DVector<f64> { -moment(x, &zip_mul(w, sel)) / mean(w) };
    let not_post: Vec<f64> = post.iter().map(|p| 1.0 - p).collect();
    let treat_or_post = cont_post.times(x, y, &mc1, &scaled(&w.treat_post, post));
    let treat_or_pre = cont_pre.times(x, y, &mc0, &scaled(&w.treat_pre, &not_post));
    let m2 = |wc: &[f64], a: f64| {
        let v: Vec<f64> = (0..n).map(|i| wc[i] * (resid[i] - a)).collect();
        moment(x, &v) / mean(wc)
    };
    let cont_ps = ps.times(x, d, &(m2(&w.cont_post, cq.att) - m2(&w.cont_pre, cp.att)));
    let cont_or_post = cont_post.times(x, y, &mc1, &scaled(&w.cont_post, post));
    let cont_or_pre = cont_pre.times(x, y, &mc0, &scaled(&w.cont_pre, &not_post));
    // The efficiency terms: the treated's own regressions.
    let ratio = |a: &[f64], b: &[f64]| -> Vec<f64> {
        let (ma, mb) = (mean(a), mean(b));
        (0..n).map(|i| a[i] / ma - b[i] / mb).collect()
    };
    let mom_post = moment(x, &ratio(&w_d, &w.treat_post));
    let mom_pre = moment(x, &ratio(&w_d, &w.treat_pre));
    let or_post_t = treat_post.times(x, y, &mt1, &mom_post);
    let or_post_c = cont_post.times(x, y, &mc1, &mom_post);
    let or_pre_t = treat_pre.times(x, y, &mt0, &mom_pre);
    let or_pre_c = cont_pre.times(x, y, &mc0, &mom_pre);
    let inf = (0..n)
        .map(|i| {
            let inf_treat = tq.inf[i] - tp.inf[i] + (treat_or_post[i] - treat_or_pre[i]);
            let inf_cont = cq.inf[i] - cp.inf[i] + cont_ps[i] + (cont_or_post[i] - cont_or_pre[i]);
            let inf_eff = (d_post.inf[i] - dt1_post.inf[i]) - (d_pre.inf[i] - dt0_pre.inf[i]);
            let inf_or = (or_post_t[i] - or_post_c[i]) - (or_pre_t[i] - or_pre_c[i]);
            inf_treat - inf_cont + inf_eff + inf_or
        })
        .collect();
    Ok((att, inf))
}
