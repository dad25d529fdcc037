//! A survey-style quantity: the share of active cadres who are *deterred*, a number a survey
//! answer ("strict accountability weakens cadres' drive": 37.4% of 3,450 cadres in 2014) can
//! be set against. A modelling choice, documented in docs/model.md:
//!
//! a cadre is deterred when, facing an opportunity of the *median* difficulty with their
//! current belief, the expected sanction of reforming outweighs its expected reward:
//! (1 − p)·λ·detect·severity·(1 − b) > p·reward, with p = logistic(sharpness·(s − d_median)),
//! in the model's own terms (the same ones a cadre's choice weighs, without the choice
//! noise). Active cadres are those not under review or sanctioned this step.
//!
//! It is computed from the world's public state after each step by an observer of the
//! driver loop, never inside the per-cadre hot loop, and only when a target asks for it.

use statrs::distribution::{Beta, ContinuousCDF};

use crate::model::rng::logistic;
use crate::model::{CadreStatus, Flow, Observer, Population, StepMetrics, World};

/// The median of the difficulty distribution Beta(α, β).
pub fn median_difficulty(pop: &Population) -> f64 {
    if pop.difficulty_alpha == pop.difficulty_beta {
        return 0.5;
    }
    Beta::new(pop.difficulty_alpha, pop.difficulty_beta)
        .map(|b| b.inverse_cdf(0.5))
        .unwrap_or(0.5)
}

/// The deterred share of `world` now (NaN with no active cadre).
pub fn deterred_share(world: &World, pop: &Population, d_median: f64) -> f64 {
    let (mut active, mut deterred) = (0u64, 0u64);
    // Each cadre under the regime of its own place (one place: the scenario's).
    for (place, own) in world.places().iter().enumerate() {
        let r = own.regime();
        let sanction = r.detect * r.severity;
        let cadres = world.groups().place_cadres(place as u32);
        for c in &world.cadres()[cadres.start as usize..cadres.end as usize] {
            if matches!(c.status, CadreStatus::UnderReview | CadreStatus::Sanctioned) {
                continue;
            }
            active += 1;
            let p = logistic(pop.skill_sharpness * (c.skill as f64 - d_median));
            let expected_sanction =
                (1.0 - p) * c.loss_aversion as f64 * sanction * (1.0 - c.belief());
            deterred += (expected_sanction > p * pop.reward) as u64;
        }
    }
    if active == 0 {
        f64::NAN
    } else {
        deterred as f64 / active as f64
    }
}

/// Records each step's metrics of one world and, when asked, its deterred share.
pub struct Recorder<'p> {
    pub metrics: Vec<StepMetrics>,
    /// Empty unless `survey` is given.
    pub deterred: Vec<f64>,
    survey: Option<(&'p Population, f64)>,
}

impl<'p> Recorder<'p> {
    /// A recorder; with `population`, it also computes the deterred share.
    pub fn new(steps: u32, population: Option<&'p Population>) -> Recorder<'p> {
        Recorder {
            metrics: Vec::with_capacity(steps as usize),
            deterred: Vec::new(),
            survey: population.map(|p| (p, median_difficulty(p))),
        }
    }
}

impl Observer for Recorder<'_> {
    fn step(&mut self, _t: u32, worlds: &[World], metrics: &[StepMetrics]) -> Flow {
        self.metrics.push(metrics[0]);
        if let Some((pop, d)) = self.survey {
            self.deterred.push(deterred_share(&worlds[0], pop, d));
        }
        Flow::Continue
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::rng::replicate_rng;
    use crate::model::{ModelSpec, Regime, drive};

    fn share_after(pop: Population, regime: Regime) -> f64 {
        let spec = ModelSpec {
            population: pop.clone(),
            regime,
            ..ModelSpec::default()
        };
        let mut worlds = [World::new(&spec, replicate_rng(3, 0))];
        let mut rec = Recorder::new(5, Some(&pop));
        drive(&mut worlds, 5, &mut rec);
        assert_eq!(rec.deterred.len(), 5);
        // The metrics are the engine's own: the same as an unobserved run's.
        let plain = World::new(&spec, replicate_rng(3, 0)).run(5);
        assert_eq!(
            format!("{:?}", rec.metrics),
            format!("{plain:?}"),
            "observing does not change the run"
        );
        rec.deterred[4]
    }

    #[test]
    fn no_sanction_deters_nobody_and_a_huge_one_deters_nearly_everyone() {
        let pop = Population {
            cadres: 400,
            ..Population::default()
        };
        let none = share_after(
            pop.clone(),
            Regime {
                severity: 0.0,
                ..Regime::default()
            },
        );
        assert_eq!(none, 0.0);
        let huge = share_after(
            pop.clone(),
            Regime {
                severity: 1000.0,
                detect: 1.0,
                ..Regime::default()
            },
        );
        assert!(huge > 0.9, "{huge}");
        let nominal = share_after(pop, Regime::default());
        assert!(nominal > 0.0 && nominal < huge, "{nominal}");
    }

    #[test]
    fn median_of_a_skewed_difficulty() {
        let pop = Population {
            difficulty_alpha: 2.0,
            difficulty_beta: 5.0,
            ..Population::default()
        };
        // Beta(2, 5): median ≈ 0.26445.
        assert!((median_difficulty(&pop) - 0.26445).abs() < 1e-4);
    }
}
