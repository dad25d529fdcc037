//! The class's own decision rule: the model's logit choice fitted to the students' choices.
//!
//! A model cadre takes an opportunity with probability logistic((gain − λ·loss) / T), where
//! `gain` = p·reward and `loss` = (1 − p)·detect·severity·(1 − belief) − the expected
//! sanction of inaction, both from what the card showed ([`super::game::Decision`]). In
//! a = 1/T and c = −λ/T this is a logistic regression without intercept on (gain, loss), so
//! the maximum-likelihood fit is a concave problem: Newton's method with step halving finds
//! it, and T = 1/a, λ = −c/a. Standard errors come from the inverse of the information
//! matrix, carried to λ and T by the delta method.

use serde::Serialize;

/// One choice and what the chooser saw, in the terms of the model's rule.
#[derive(Debug, Clone, Copy)]
pub struct Choice {
    pub gain: f64,
    pub loss: f64,
    pub reform: bool,
}

/// The fitted rule.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Fit {
    pub temperature: f64,
    pub loss_aversion: f64,
    /// Approximate standard errors (delta method).
    pub temperature_se: f64,
    pub loss_aversion_se: f64,
    pub choices: usize,
    pub reforms: usize,
    pub log_likelihood: f64,
}

/// Why no rule could be fitted, for the debrief's words.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum NoFit {
    /// Fewer than [`MIN_CHOICES`] choices.
    TooFew,
    /// Every choice the same: any temperature near 0 with the right λ fits perfectly.
    AllAlike,
    /// The choices rise as the reward falls: no positive temperature explains them.
    NotTheModelsRule,
}

/// The fewest choices a fit is tried on.
pub const MIN_CHOICES: usize = 10;

/// The log-likelihood of (a, c) and its gradient and Hessian.
fn evaluate(choices: &[Choice], a: f64, c: f64) -> (f64, [f64; 2], [[f64; 2]; 2]) {
    let mut ll = 0.0;
    let mut g = [0.0; 2];
    let mut h = [[0.0; 2]; 2];
    for x in choices {
        let z = a * x.gain + c * x.loss;
        // log p = −log(1 + e^−z), log(1 − p) = −log(1 + e^z), written to stay finite.
        let log1pexp = |v: f64| if v > 30.0 { v } else { v.exp().ln_1p() };
        ll -= if x.reform { log1pexp(-z) } else { log1pexp(z) };
        let p = 1.0 / (1.0 + (-z).exp());
        let r = x.reform as u8 as f64 - p;
        let w = p * (1.0 - p);
        let f = [x.gain, x.loss];
        for i in 0..2 {
            g[i] += r * f[i];
            for j in 0..2 {
                h[i][j] -= w * f[i] * f[j];
            }
        }
    }
    (ll, g, h)
}

/// Fits T and λ by maximum likelihood.
pub fn fit(choices: &[Choice]) -> Result<Fit, NoFit> {
    let reforms = choices.iter().filter(|c| c.reform).count();
    if choices.len() < MIN_CHOICES {
        return Err(NoFit::TooFew);
    }
    if reforms == 0 || reforms == choices.len() {
        return Err(NoFit::AllAlike);
    }
    // Start at the model's defaults (T 0.25, λ 2).
    let (mut a, mut c) = (4.0, -8.0);
    let (mut ll, mut g, mut h) = evaluate(choices, a, c);
    for _ in 0..200 {
        let det = h[0][0] * h[1][1] - h[0][1] * h[1][0];
        if det.abs() < 1e-300 || !det.is_finite() {
            break;
        }
        // Newton step: −H⁻¹ g.
        let da = -(h[1][1] * g[0] - h[0][1] * g[1]) / det;
        let dc = -(-h[1][0] * g[0] + h[0][0] * g[1]) / det;
        let mut step = 1.0;
        let mut improved = false;
        while step > 1e-8 {
            let (na, nc) = (a + step * da, c + step * dc);
            let (nll, ng, nh) = evaluate(choices, na, nc);
            if nll >= ll - 1e-12 {
                improved = nll > ll + 1e-12;
                (a, c, ll, g, h) = (na, nc, nll, ng, nh);
                break;
            }
            step /= 2.0;
        }
        if !improved || (g[0].abs() + g[1].abs()) < 1e-9 {
            break;
        }
        // Perfectly separated choices drive the coefficients without bound.
        if a.abs() > 1e6 || c.abs() > 1e6 {
            return Err(NoFit::AllAlike);
        }
    }
    if a <= 0.0 {
        return Err(NoFit::NotTheModelsRule);
    }
    // Covariance = (−H)⁻¹.
    let det = h[0][0] * h[1][1] - h[0][1] * h[1][0];
    let (vaa, vcc, vac) = (-h[1][1] / det, -h[0][0] / det, h[0][1] / det);
    // T = 1/a: dT/da = −1/a². λ = −c/a: dλ/da = c/a², dλ/dc = −1/a.
    let temperature_se = (vaa / a.powi(4)).max(0.0).sqrt();
    let (la, lc) = (c / (a * a), -1.0 / a);
    let loss_aversion_se = (la * la * vaa + lc * lc * vcc + 2.0 * la * lc * vac)
        .max(0.0)
        .sqrt();
    Ok(Fit {
        temperature: 1.0 / a,
        loss_aversion: -c / a,
        temperature_se,
        loss_aversion_se,
        choices: choices.len(),
        reforms,
        log_likelihood: ll,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::rng::logistic;
    use crate::serve::class::game::{CardKind, Game};
    use rand::Rng;

    /// Bots with a known temperature and loss aversion play the class game in place of the
    /// students, choosing by the model's rule on what their cards show; the fit recovers
    /// both parameters within its own uncertainty (and within 15%).
    #[test]
    fn the_fit_recovers_known_parameters_from_bot_choices() {
        for (temperature, loss_aversion, seed) in [(0.4, 2.8, 11), (0.25, 1.2, 12)] {
            let mut game = Game::new("strict_accountability", seed).unwrap();
            for k in 0..300 {
                game.join(&format!("bot{k}")).unwrap();
            }
            let mut rng = crate::model::rng::replicate_rng(seed, 7);
            for round in 0..20 {
                // Two regimes, as a class would play them, for variety in the stakes.
                if round == 10 {
                    game.switch_regime("optimized_path").unwrap();
                }
                game.open_round().unwrap();
                let t = game.round();
                for i in 0..game.seats.len() {
                    let Some(card) = game.seats[i].card.clone() else {
                        continue;
                    };
                    if card.kind != CardKind::Opportunity {
                        continue;
                    }
                    let p = card.p_success.unwrap();
                    let s = card.stakes;
                    let gain = p * s.reward;
                    let loss = (1.0 - p) * s.detect * s.severity * (1.0 - card.belief)
                        - s.inaction_detect * s.inaction_penalty;
                    let pr = logistic((gain - loss_aversion * loss) / temperature);
                    game.answer(i, t, rng.random::<f64>() < pr).unwrap();
                }
                game.close_round().unwrap();
            }
            let choices: Vec<Choice> = game
                .decisions
                .iter()
                .map(|d| {
                    let (gain, loss) = d.utility_terms();
                    Choice {
                        gain,
                        loss,
                        reform: d.reform,
                    }
                })
                .collect();
            assert!(choices.len() > 1000, "{} choices", choices.len());
            let f = fit(&choices).unwrap();
            eprintln!(
                "true T {temperature} λ {loss_aversion}: fitted T {:.3} ± {:.3}, λ {:.3} ± {:.3} \
                 from {} choices",
                f.temperature, f.temperature_se, f.loss_aversion, f.loss_aversion_se, f.choices
            );
            assert!(
                (f.loss_aversion - loss_aversion).abs() < 3.0 * f.loss_aversion_se
                    && (f.loss_aversion / loss_aversion - 1.0).abs() < 0.15,
                "λ {} ± {} (true {loss_aversion})",
                f.loss_aversion,
                f.loss_aversion_se
            );
            assert!(
                (f.temperature - temperature).abs() < 3.0 * f.temperature_se
                    && (f.temperature / temperature - 1.0).abs() < 0.15,
                "T {} ± {} (true {temperature})",
                f.temperature,
                f.temperature_se
            );
        }
    }

    #[test]
    fn too_few_or_alike_choices_are_not_fitted() {
        let c = |reform| Choice {
            gain: 0.5,
            loss: 0.5,
            reform,
        };
        assert_eq!(fit(&[c(true); 5]), Err(NoFit::TooFew));
        assert_eq!(fit(&[c(true); 50]), Err(NoFit::AllAlike));
        // Reforming exactly when the gain is low contradicts a positive temperature.
        let perverse: Vec<Choice> = (0..100)
            .map(|i| {
                let gain = i as f64 / 100.0;
                Choice {
                    gain,
                    loss: 0.3,
                    reform: (i * 7919 % 100) as f64 / 100.0 > gain,
                }
            })
            .collect();
        assert_eq!(fit(&perverse), Err(NoFit::NotTheModelsRule));
    }
}
