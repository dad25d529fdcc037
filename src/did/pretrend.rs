//! The pre-trend test a referee asks for: are Callaway–Sant'Anna's pre-adoption ATT(g,t)
//! jointly zero? The Wald test of R `did`'s `att_gt` (its `W` and `Wpval`) and of csdid:
//! `W = n · θ' V⁻¹ θ` over the pre-adoption cells θ (t < g − anticipation), with
//! `V = Ψ'Ψ / n` the covariance of their influence functions Ψ (places × cells; the analytic
//! covariance, also when the SEs come from the bootstrap), referred to χ² with as many
//! degrees of freedom as cells. Cells with zero variance are left out, as `did` does; when
//! the covariance of the
//! rest is singular (reciprocal condition number at or below machine epsilon) there is no
//! statistic, as in `did`.
//!
//! With the varying base period each pre-adoption cell is a one-period placebo change, so the
//! test asks whether the cohorts' outcomes moved with their comparison places' in every
//! period before adoption. Passing it does not establish parallel trends after adoption; a
//! small panel has little power to reject (Roth 2022, *AER: Insights* 4(3)).

use nalgebra::{DMatrix, DVector};
use statrs::distribution::{ChiSquared, ContinuousCDF};

use super::{DidError, Options, Panel, cs};

/// The test's result.
#[derive(Debug, Clone, PartialEq)]
pub struct PreTrend {
    /// Pre-adoption cells ATT(g,t), t < g − anticipation, with nonzero variance: the
    /// degrees of freedom.
    pub cells: usize,
    /// The Wald statistic and its χ² p-value; None when there is no pre-adoption cell or
    /// their covariance is singular (see [`PreTrend::why_none`]).
    pub statistic: Option<f64>,
    pub p_value: Option<f64>,
}

impl PreTrend {
    /// Why there is no statistic (English; the report translates).
    pub fn why_none(&self) -> Option<&'static str> {
        match (self.statistic, self.cells) {
            (Some(_), _) => None,
            (None, 0) => Some("no cohort has a period before adoption to test"),
            (None, _) => Some("the pre-adoption estimates' covariance is singular"),
        }
    }
}

/// The Wald pre-trend test of Callaway–Sant'Anna with `opts.control` on `panel`.
pub fn pretrend(panel: &Panel, opts: &Options) -> Result<PreTrend, DidError> {
    let cells = cs::group_time_effects(panel, opts)?;
    let n = cells.first().map_or(0, |c| c.3.len());
    // With anticipation K the cells from g − K on may carry the effect: the pre-adoption
    // cells are t < g − K, as csdid's pre-trend test.
    let k = i64::from(opts.anticipation);
    let pre: Vec<&cs::GroupTimeEffect> = cells
        .iter()
        .filter(|(g, t, _, inf)| *t < g - k && inf.iter().any(|x| *x != 0.0))
        .collect();
    Ok(wald(
        &pre.iter().map(|c| c.2).collect::<Vec<_>>(),
        &pre.iter().map(|c| c.3.as_slice()).collect::<Vec<_>>(),
        n,
    ))
}

/// `n · θ' (Ψ'Ψ/n)⁻¹ θ` for estimates θ with influence functions Ψ over `n` places.
fn wald(theta: &[f64], inf: &[&[f64]], n: usize) -> PreTrend {
    let k = theta.len();
    let none = PreTrend {
        cells: k,
        statistic: None,
        p_value: None,
    };
    if k == 0 {
        return none;
    }
    let v = DMatrix::from_fn(k, k, |a, b| {
        inf[a].iter().zip(inf[b]).map(|(x, y)| x * y).sum::<f64>() / n as f64
    });
    let Some(inverse) = v.clone().try_inverse() else {
        return none;
    };
    let norm1 = |m: &DMatrix<f64>| {
        (0..k)
            .map(|j| m.column(j).iter().map(|x| x.abs()).sum::<f64>())
            .fold(0.0, f64::max)
    };
    let rcond = 1.0 / (norm1(&v) * norm1(&inverse));
    if !rcond.is_finite() || rcond <= f64::EPSILON {
        return none;
    }
    let theta = DVector::from_column_slice(theta);
    // Solve rather than multiply by the inverse: the inverse served the condition number.
    let Some(solved) = v.lu().solve(&theta) else {
        return none;
    };
    let w = n as f64 * theta.dot(&solved);
    let p = 1.0 - ChiSquared::new(k as f64).expect("k ≥ 1").cdf(w);
    PreTrend {
        cells: k,
        statistic: Some(w),
        p_value: Some(p),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::did::synth::{Design, Effect};

    #[test]
    fn one_cell_is_its_squared_t_statistic() {
        // One estimate with SE sqrt(Σψ²)/n: W = (θ/SE)², p from χ²(1).
        let inf = [1.0, -2.0, 0.5, 0.5];
        let se = (inf.iter().map(|x| x * x).sum::<f64>()).sqrt() / 4.0;
        let t = wald(&[0.3], &[&inf[..]], 4);
        let want = (0.3 / se) * (0.3 / se);
        assert!((t.statistic.unwrap() - want).abs() < 1e-12);
        // χ²(1) at 3.841 is the 95% point.
        let t = wald(&[1.959964 * se], &[&inf[..]], 4);
        assert!((t.p_value.unwrap() - 0.05).abs() < 1e-6);
    }

    #[test]
    fn a_singular_covariance_gives_no_statistic() {
        let a = [1.0, -1.0, 0.0];
        let t = wald(&[0.1, 0.2], &[&a[..], &a[..]], 3);
        assert_eq!((t.cells, t.statistic), (2, None));
        assert!(t.why_none().unwrap().contains("singular"));
    }

    #[test]
    fn parallel_trends_pass_and_a_pre_trend_is_caught() {
        // 50 places over 10 periods, cohorts adopting in 5 and 8: 9 pre-adoption cells, far
        // fewer than places (with more cells than places the covariance is singular).
        let design = Design {
            periods: 10,
            cohorts: vec![(5, 15), (8, 15)],
            never: 20,
            ..Design::staggered(Effect::Constant(0.5))
        };
        let opts = Options::default();
        // Parallel trends hold by construction: W is a χ²(k) draw, far from the 0.1% tail.
        let ok = pretrend(&design.panel(7), &opts).unwrap();
        assert_eq!(ok.cells, 9, "{ok:?}");
        assert!(ok.p_value.unwrap() > 0.001, "{ok:?}");
        // Cohort places drifting up by 1 a period before adoption (the noise SD): rejected.
        let panel = design.panel(7);
        let rows: Vec<crate::did::Row> = (0..panel.n_places())
            .flat_map(|p| {
                let panel = &panel;
                panel.times().iter().enumerate().map(move |(k, &t)| {
                    let drift = panel.cohort(p).map_or(0.0, |g| t.min(g) as f64);
                    crate::did::Row {
                        place: panel.places()[p],
                        time: t,
                        cohort: panel.cohort(p),
                        y: panel.y(p, k) + drift,
                    }
                })
            })
            .collect();
        let drifting = crate::did::Panel::new(rows).unwrap();
        let bad = pretrend(&drifting, &opts).unwrap();
        assert!(bad.p_value.unwrap() < 1e-6, "{bad:?}");
    }
}
