//! The imputation estimator of Borusyak, Jaravel & Spiess (2024), "Revisiting event-study
//! designs: robust and efficient estimation", *Rev. Econ. Stud.* 91(6): 3253–3285.
//!
//! 1. Fit `Y_it = α_i + λ_t + ε_it` by least squares on the untreated observations only:
//!    every period of never-treated places and the periods before adoption of the others.
//! 2. Impute each treated observation's untreated outcome `Ŷ_it(0) = α̂_i + λ̂_t`, so that its
//!    effect is `τ̂_it = Y_it − Ŷ_it(0)`.
//! 3. Average: [`Target::Overall`] is the mean of τ̂_it over every treated observation (each
//!    place-period weighs the same, BJS's default), [`Target::EventTime`]`(e)` the mean over
//!    the treated observations `e ≥ 0` periods after adoption.
//!
//! Its point estimates equal Gardner's (2022) two-stage `did2s` (first stage the same
//! regression, second stage the residualised outcome on the treatment dummies), which is how
//! they are checked against pyfixest. A treated observation in a period where every place is
//! treated (no never-treated place, from the last cohort's adoption on) has no period effect
//! to impute with and is left out of every average.
//!
//! Variance: BJS's conservative estimator (their Theorem 3), clustered by place, without the
//! leave-out refinement of their §4.3. Every average is linear in the outcomes,
//! `τ̂_w = Σ v_it Y_it`, with `v_it = w_it` on treated observations and, on untreated ones,
//! minus the weight the imputation puts on them (`v = −Z₀(Z₀'Z₀)⁻¹Z₁'w`, the fixed-effects
//! design Z split into untreated and treated rows). Then
//! `σ̂² = Σ_i (Σ_t v_it ε̃_it)²`, with ε̃ the first-stage residual on untreated observations and,
//! on treated ones, `τ̂_it` less the mean of τ̂ in its cohort × period cell (BJS's default
//! averaging of effects, Stata `did_imputation`'s cohort × event time), which makes the
//! variance conservative when effects differ across places. Intervals use the normal quantile.
//!
//! The least squares are exact, not iterated: with `n_i` untreated periods of place i and
//! `m_t` untreated places in period t, the place effects are eliminated
//! (`α_i = (r_i − Σ_t λ_t)/n_i` over i's untreated periods) and the period effects solve the
//! T × T system `(diag(m) − C'diag(n)⁻¹C) λ = r_λ − C'diag(n)⁻¹ r_α` (C: which place is untreated
//! when), with the first period's effect pinned to 0 (every place is untreated then, since a
//! place treated from the first period is refused by [`Panel`]).

use nalgebra::{Cholesky, DMatrix, DVector};

use super::{DidError, Estimate, Estimator, Options, Panel, Target, estimand, normal_quantile};

/// The two-way fixed-effects normal equations on the untreated observations, factored once:
/// solves `Z₀'Z₀ (α, λ) = (r_α, r_λ)` for any right-hand side.
struct Untreated {
    /// Untreated periods per place (≥ 1).
    n_place: Vec<f64>,
    /// Period index → its row in the reduced system (None: the pinned first period, or a
    /// period with no untreated observation).
    row: Vec<Option<usize>>,
    /// Untreated period count per place: its untreated periods are indices `0..k`.
    prefix: Vec<usize>,
    chol: Cholesky<f64, nalgebra::Dyn>,
}

impl Untreated {
    fn new(panel: &Panel) -> Untreated {
        let times = panel.times();
        let t_len = times.len();
        // A place's untreated periods are the ones before its cohort: a prefix.
        let prefix: Vec<usize> = (0..panel.n_places())
            .map(|p| times.iter().take_while(|&&t| !panel.treated(p, t)).count())
            .collect();
        let mut m = vec![0.0; t_len];
        for &k in &prefix {
            for x in &mut m[..k] {
                *x += 1.0;
            }
        }
        let mut row = vec![None; t_len];
        let mut rows = 0;
        for t in 1..t_len {
            if m[t] > 0.0 {
                row[t] = Some(rows);
                rows += 1;
            }
        }
        let mut s = DMatrix::<f64>::zeros(rows, rows);
        for t in 0..t_len {
            if let Some(a) = row[t] {
                s[(a, a)] += m[t];
            }
        }
        for &k in &prefix {
            let inv = 1.0 / k as f64;
            let idx: Vec<usize> = row[..k].iter().flatten().copied().collect();
            for &a in &idx {
                for &b in &idx {
                    s[(a, b)] -= inv;
                }
            }
        }
        let chol = Cholesky::new(s)
            .expect("connected through the first period, so positive definite once pinned");
        Untreated {
            n_place: prefix.iter().map(|&k| k as f64).collect(),
            row,
            prefix,
            chol,
        }
    }

    /// Whether period index `t` has an estimated period effect.
    fn identified(&self, t: usize) -> bool {
        t == 0 || self.row[t].is_some()
    }

    /// (α, λ) from the right-hand side (r_α per place, r_λ per period index).
    fn solve(&self, r_alpha: &[f64], r_lambda: &[f64]) -> (Vec<f64>, Vec<f64>) {
        let mut rhs = DVector::<f64>::zeros(self.chol.l_dirty().nrows());
        for (t, r) in self.row.iter().enumerate() {
            if let Some(a) = *r {
                rhs[a] = r_lambda[t];
            }
        }
        for (p, &k) in self.prefix.iter().enumerate() {
            let share = r_alpha[p] / self.n_place[p];
            for r in self.row[..k].iter().flatten() {
                rhs[*r] -= share;
            }
        }
        let sol = self.chol.solve(&rhs);
        let lambda: Vec<f64> = self.row.iter().map(|r| r.map_or(0.0, |a| sol[a])).collect();
        let alpha = (0..self.prefix.len())
            .map(|p| {
                let k = self.prefix[p];
                (r_alpha[p] - lambda[..k].iter().sum::<f64>()) / self.n_place[p]
            })
            .collect();
        (alpha, lambda)
    }
}

/// The imputation estimates: one per event time from adoption on, then [`Target::Overall`].
pub fn imputation(panel: &Panel, opts: &Options) -> Result<Vec<Estimate>, DidError> {
    let estimator = Estimator::Imputation;
    opts.check()?;
    if panel.n_places() < 2 {
        return Err(DidError::TooFewPlaces {
            estimator,
            places: panel.n_places(),
        });
    }
    super::check_regression_panel(panel, estimator)?;
    if panel.cohort_sizes().is_empty() {
        return Err(DidError::NoTreated { estimator });
    }
    let (n, t_len) = (panel.n_places(), panel.n_times());
    let times = panel.times();
    let fe = Untreated::new(panel);

    // First stage: the fixed effects from the untreated outcomes, and their residuals.
    let mut r_alpha = vec![0.0; n];
    let mut r_lambda = vec![0.0; t_len];
    for (p, (ra, &k)) in r_alpha.iter_mut().zip(&fe.prefix).enumerate() {
        for (t, rl) in r_lambda[..k].iter_mut().enumerate() {
            *ra += panel.y(p, t);
            *rl += panel.y(p, t);
        }
    }
    let (alpha, lambda) = fe.solve(&r_alpha, &r_lambda);
    // τ̂ on treated observations that can be imputed, residuals on untreated ones: place-major.
    let mut resid = vec![0.0; n * t_len];
    let mut tau = vec![f64::NAN; n * t_len];
    for p in 0..n {
        for t in 0..t_len {
            let gap = panel.y(p, t) - alpha[p] - lambda[t];
            if t < fe.prefix[p] {
                resid[p * t_len + t] = gap;
            } else if fe.identified(t) {
                tau[p * t_len + t] = gap;
            }
        }
    }
    // ε̃ on treated observations: τ̂ less its cohort × period mean.
    let mut cell_sum: std::collections::HashMap<(i64, usize), (f64, f64)> = Default::default();
    for p in 0..n {
        for t in fe.prefix[p]..t_len {
            let x = tau[p * t_len + t];
            if x.is_finite() {
                let c = panel.cohort(p).expect("treated");
                let e = cell_sum.entry((c, t)).or_default();
                e.0 += x;
                e.1 += 1.0;
            }
        }
    }
    for p in 0..n {
        for t in fe.prefix[p]..t_len {
            let x = tau[p * t_len + t];
            if x.is_finite() {
                let (sum, count) = cell_sum[&(panel.cohort(p).expect("treated"), t)];
                resid[p * t_len + t] = x - sum / count;
            }
        }
    }

    // The averages, each as weights on the imputed treated observations.
    let event = |p: usize, t: usize| times[t] - panel.cohort(p).expect("treated");
    let mut events: Vec<i64> = (0..n)
        .flat_map(|p| (fe.prefix[p]..t_len).map(move |t| (p, t)))
        .filter(|&(p, t)| tau[p * t_len + t].is_finite())
        .map(|(p, t)| event(p, t))
        .collect();
    events.sort_unstable();
    events.dedup();
    if events.is_empty() {
        return Err(DidError::NoComparison { estimator });
    }
    let z = normal_quantile(opts.level);
    let average = |target: Target, chosen: &dyn Fn(i64) -> bool| -> Estimate {
        let mut w = vec![0.0; n * t_len];
        let mut count = 0.0;
        // Every imputed treated place-period counts alike, so each (cohort, period) cell
        // weighs as many as its imputable places: the cohort's size.
        let mut cells = Vec::new();
        for p in 0..n {
            for t in fe.prefix[p]..t_len {
                if tau[p * t_len + t].is_finite() && chosen(event(p, t)) {
                    w[p * t_len + t] = 1.0;
                    count += 1.0;
                    cells.push(((panel.cohort(p).expect("treated"), times[t]), 1.0));
                }
            }
        }
        let mut value = 0.0;
        let (mut w_alpha, mut w_lambda) = (vec![0.0; n], vec![0.0; t_len]);
        for p in 0..n {
            for t in fe.prefix[p]..t_len {
                let x = &mut w[p * t_len + t];
                if *x == 0.0 {
                    continue;
                }
                *x /= count;
                value += *x * tau[p * t_len + t];
                w_alpha[p] += *x;
                w_lambda[t] += *x;
            }
        }
        // The untreated observations' weights: minus what the imputation puts on them.
        let (g_alpha, g_lambda) = fe.solve(&w_alpha, &w_lambda);
        let mut variance = 0.0;
        for p in 0..n {
            let mut score = 0.0;
            for t in 0..t_len {
                let v = if t < fe.prefix[p] {
                    -(g_alpha[p] + g_lambda[t])
                } else {
                    w[p * t_len + t]
                };
                score += v * resid[p * t_len + t];
            }
            variance += score * score;
        }
        let se = variance.sqrt();
        Estimate {
            estimator,
            target,
            value,
            se,
            ci: (value - z * se, value + z * se),
            band: None,
            control: None,
            estimand: estimand::normalised(cells),
        }
    };
    let mut out: Vec<Estimate> = events
        .iter()
        .map(|&e| average(Target::EventTime(e), &|k| k == e))
        .collect();
    out.push(average(Target::Overall, &|_| true));
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::did::Row;
    use crate::did::synth::{Design, Effect};

    /// A small unbalanced-in-treatment panel: 2 cohorts and never-treated places.
    fn panel(rows: &[(u32, Option<i64>, [f64; 4])]) -> Panel {
        Panel::new(
            rows.iter()
                .flat_map(|&(place, cohort, ys)| {
                    (0..4).map(move |k| Row {
                        place,
                        time: k as i64 + 1,
                        cohort,
                        y: ys[k],
                    })
                })
                .collect(),
        )
        .unwrap()
    }

    #[test]
    fn the_untreated_fit_is_least_squares() {
        // Against a brute-force fit: the dummy regression solved by nalgebra's SVD.
        let p = panel(&[
            (0, Some(3), [1.0, 2.5, 7.0, 9.0]),
            (1, Some(4), [0.0, 1.0, 1.7, 6.0]),
            (2, None, [2.0, 2.2, 3.9, 4.1]),
            (3, None, [-1.0, 0.4, 0.8, 2.5]),
        ]);
        let fe = Untreated::new(&p);
        let mut ra = vec![0.0; 4];
        let mut rl = vec![0.0; 4];
        let mut obs = Vec::new();
        for (pl, (r, &k)) in ra.iter_mut().zip(&fe.prefix).enumerate() {
            for (t, l) in rl[..k].iter_mut().enumerate() {
                *r += p.y(pl, t);
                *l += p.y(pl, t);
                obs.push((pl, t, p.y(pl, t)));
            }
        }
        let (a, l) = fe.solve(&ra, &rl);
        // Design: 4 place dummies, period dummies for periods 2..4.
        let x = DMatrix::from_fn(obs.len(), 7, |i, j| {
            let (pl, t, _) = obs[i];
            f64::from(u8::from(if j < 4 { pl == j } else { t == j - 3 }))
        });
        let y = DVector::from_iterator(obs.len(), obs.iter().map(|o| o.2));
        let beta = x.clone().svd(true, true).solve(&y, 1e-12).unwrap();
        for (i, &(pl, t, _)) in obs.iter().enumerate() {
            let fitted = a[pl] + l[t];
            let brute = (&x * &beta)[i];
            assert!(
                (fitted - brute).abs() < 1e-12,
                "{pl},{t}: {fitted} vs {brute}"
            );
        }
        // Period 4's effect comes from the never-treated places alone; period 3 from them and
        // place 1.
        assert!((l[3] - (beta[6])).abs() < 1e-12);
    }

    #[test]
    fn effects_are_outcome_minus_imputation_averaged_by_event_time() {
        // Additive outcomes plus effects: the imputation recovers each effect exactly, and
        // the averages weigh each treated place-period the same.
        let alpha = [1.0, -2.0, 0.5, 3.0, 0.0];
        let lambda = [0.0, 0.3, 1.1, 0.9];
        let cohorts = [Some(2), Some(3), Some(3), None, None];
        let effect = |p: usize, e: i64| (p as f64 + 1.0) * 0.1 + e as f64;
        let rows: Vec<(u32, Option<i64>, [f64; 4])> = (0..5)
            .map(|p| {
                let ys = std::array::from_fn(|t| {
                    let time = t as i64 + 1;
                    let tau = cohorts[p]
                        .filter(|&c| time >= c)
                        .map_or(0.0, |c| effect(p, time - c));
                    alpha[p] + lambda[t] + tau
                });
                (p as u32, cohorts[p], ys)
            })
            .collect();
        let all = imputation(&panel(&rows), &Options::default()).unwrap();
        let get = |t: Target| all.iter().find(|e| e.target == t).unwrap().value;
        // e = 0: places 0, 1, 2 at their adoption.
        let e0 = (effect(0, 0) + effect(1, 0) + effect(2, 0)) / 3.0;
        assert!((get(Target::EventTime(0)) - e0).abs() < 1e-12);
        let e2 = effect(0, 2);
        assert!((get(Target::EventTime(2)) - e2).abs() < 1e-12);
        // Overall: 3 cells of place 0, 2 each of places 1 and 2.
        let cells = [(0, 0), (0, 1), (0, 2), (1, 0), (1, 1), (2, 0), (2, 1)];
        let overall = cells.iter().map(|&(p, e)| effect(p, e)).sum::<f64>() / 7.0;
        assert!((get(Target::Overall) - overall).abs() < 1e-12);
        assert_eq!(all.len(), 4);
    }

    #[test]
    fn without_never_treated_places_the_last_periods_are_left_out() {
        let design = Design {
            never: 0,
            noise_sd: 0.0,
            ..Design::staggered(Effect::Constant(0.4))
        };
        let all = imputation(&design.panel(1), &Options::default()).unwrap();
        // Cohorts adopt at 10..28 of 40 periods: event times are cut before period 28.
        let last = all
            .iter()
            .filter_map(|e| match e.target {
                Target::EventTime(k) => Some(k),
                _ => None,
            })
            .max()
            .unwrap();
        assert_eq!(last, 27 - 10);
        for e in &all {
            assert!((e.value - 0.4).abs() < 1e-9, "{:?}: {}", e.target, e.value);
        }
    }

    #[test]
    fn estimands_weigh_each_imputed_cell_by_its_cohort_size() {
        // Cohort 3 has two places, cohort 4 one; two never treated: every treated cell is
        // imputable, and each weighs as many as its cohort has places.
        let p = panel(&[
            (0, Some(3), [1.0, 2.5, 7.0, 9.0]),
            (1, Some(3), [0.5, 2.0, 6.0, 8.5]),
            (2, Some(4), [0.0, 1.0, 1.7, 6.0]),
            (3, None, [2.0, 2.2, 3.9, 4.1]),
            (4, None, [-1.0, 0.4, 0.8, 2.5]),
        ]);
        let all = imputation(&p, &Options::default()).unwrap();
        let cells = |target: Target| -> Vec<(i64, i64, f64)> {
            let e = all.iter().find(|e| e.target == target).unwrap();
            e.estimand
                .iter()
                .map(|c| (c.group, c.time, c.weight))
                .collect()
        };
        let close = |got: Vec<(i64, i64, f64)>, want: &[(i64, i64, f64)]| {
            assert_eq!(got.len(), want.len(), "{got:?}");
            for (g, w) in got.iter().zip(want) {
                assert_eq!((g.0, g.1), (w.0, w.1), "{got:?}");
                assert!((g.2 - w.2).abs() < 1e-12, "{got:?}");
            }
        };
        close(
            cells(Target::Overall),
            &[(3, 3, 0.4), (3, 4, 0.4), (4, 4, 0.2)],
        );
        close(
            cells(Target::EventTime(0)),
            &[(3, 3, 2.0 / 3.0), (4, 4, 1.0 / 3.0)],
        );
        close(cells(Target::EventTime(1)), &[(3, 4, 1.0)]);
    }
}
