//! One replicate of an experiment as a place × step panel, in both worlds.
//!
//! The world with the rollout and its no-adoption twin ([`World::without_adoption`]) are
//! driven in lockstep by the one driver loop; an observer records each place's outcomes
//! after every step. The twin starts from the same draws and assigns the same cohorts, so a
//! place's outcome in the rollout's world minus its outcome in the twin is the effect of the
//! rollout on that place, as no study of real places can measure it.

use crate::model::drive::{Flow, Observer, drive};
use crate::model::rng::{SimRng, replicate_rng};
use crate::model::{Metric, ModelSpec, StepMetrics, World};

/// A place-level outcome of the panel.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Outcome {
    Initiative,
    ErrorRate,
    CorrectionRate,
    ToleranceRate,
    MeanBelief,
    /// Social value divided by the place's cadres, so that places of any size compare.
    SocialValuePerCadre,
    LyingFlat,
}

/// Number of outcomes.
pub const N_OUTCOMES: usize = 7;

impl Outcome {
    pub const ALL: [Outcome; N_OUTCOMES] = [
        Outcome::Initiative,
        Outcome::ErrorRate,
        Outcome::CorrectionRate,
        Outcome::ToleranceRate,
        Outcome::MeanBelief,
        Outcome::SocialValuePerCadre,
        Outcome::LyingFlat,
    ];

    /// The name in `panel.csv` and on the command line.
    pub fn name(self) -> &'static str {
        match self {
            Outcome::SocialValuePerCadre => "social_value_per_cadre",
            other => other.metric().expect("a metric").name(),
        }
    }

    pub fn from_name(name: &str) -> Option<Outcome> {
        Outcome::ALL.into_iter().find(|o| o.name() == name)
    }

    pub fn names() -> Vec<&'static str> {
        Outcome::ALL.iter().map(|o| o.name()).collect()
    }

    /// The metric it is (social value per cadre is social value over cadres).
    pub fn metric(self) -> Option<Metric> {
        Some(match self {
            Outcome::Initiative => Metric::Initiative,
            Outcome::ErrorRate => Metric::ErrorRate,
            Outcome::CorrectionRate => Metric::CorrectionRate,
            Outcome::ToleranceRate => Metric::ToleranceRate,
            Outcome::MeanBelief => Metric::MeanBelief,
            Outcome::LyingFlat => Metric::LyingFlat,
            Outcome::SocialValuePerCadre => return None,
        })
    }

    fn of(self, metrics: &StepMetrics, cadres: u64) -> f64 {
        match self.metric() {
            Some(m) => metrics[m.index()],
            None => metrics[Metric::SocialValue.index()] / cadres as f64,
        }
    }

    pub fn index(self) -> usize {
        self as usize
    }
}

/// What a replicate drew for a place.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct PlaceInfo {
    /// The adoption step; None for a place that never adopts.
    pub cohort: Option<u32>,
    /// Implementation strength.
    pub strength: f64,
    /// Mean leniency offset of its units.
    pub leniency: f64,
}

/// The outcomes of one place at one step.
pub type Outcomes = [f64; N_OUTCOMES];

/// One replicate's panel: places × steps, in both worlds.
#[derive(Debug, Clone, PartialEq)]
pub struct ReplicatePanel {
    pub places: Vec<PlaceInfo>,
    pub steps: u32,
    /// `observed[p * steps + t]`: place p at step t in the world with the rollout.
    pub observed: Vec<Outcomes>,
    /// The same in the world where no place adopts.
    pub untreated: Vec<Outcomes>,
}

impl ReplicatePanel {
    /// Simulates replicate `replicate` of `spec` for `steps` steps in both worlds.
    pub fn simulate(spec: &ModelSpec, steps: u32, seed: u64, replicate: u64) -> ReplicatePanel {
        Self::simulate_from(spec, steps, replicate_rng(seed, replicate))
    }

    /// Both worlds from the generator `rng` (a calibration derives its own per particle).
    pub fn simulate_from(spec: &ModelSpec, steps: u32, rng: SimRng) -> ReplicatePanel {
        Self::simulate_worlds(
            vec![
                World::new(spec, rng.clone()),
                World::without_adoption(spec, rng),
            ],
            steps,
        )
    }

    /// The world with the rollout alone, from `rng`: what a study sees, at half the cost
    /// (the calibration's experiment statistic). `untreated` is empty: no effect can be
    /// read from this panel.
    pub fn simulate_observed(spec: &ModelSpec, steps: u32, rng: SimRng) -> ReplicatePanel {
        Self::simulate_worlds(vec![World::new(spec, rng)], steps)
    }

    fn simulate_worlds(mut worlds: Vec<World>, steps: u32) -> ReplicatePanel {
        let places = worlds[0]
            .places()
            .iter()
            .map(|p| PlaceInfo {
                cohort: p.draw().cohort,
                strength: p.draw().strength,
                leniency: p.leniency(),
            })
            .collect::<Vec<_>>();
        let mut recorder = Recorder {
            by_step: Vec::with_capacity(steps as usize),
        };
        drive(&mut worlds, steps, &mut recorder);
        // Step-major as recorded; place-major as the panel reads.
        let n = places.len();
        let twin = worlds.len() > 1;
        let mut observed = Vec::with_capacity(n * steps as usize);
        let mut untreated = Vec::with_capacity(if twin { n * steps as usize } else { 0 });
        for p in 0..n {
            for step in &recorder.by_step {
                observed.push(step[0][p]);
                if twin {
                    untreated.push(step[1][p]);
                }
            }
        }
        ReplicatePanel {
            places,
            steps,
            observed,
            untreated,
        }
    }

    /// Place `p`'s outcomes at step `t` in the rollout's world.
    pub fn observed(&self, p: usize, t: u32) -> &Outcomes {
        &self.observed[p * self.steps as usize + t as usize]
    }

    /// Place `p`'s outcomes at step `t` in the world where no place adopts.
    pub fn untreated(&self, p: usize, t: u32) -> &Outcomes {
        &self.untreated[p * self.steps as usize + t as usize]
    }

    /// The rollout's effect on place `p` at step `t`.
    pub fn effect(&self, p: usize, t: u32, outcome: Outcome) -> f64 {
        self.observed(p, t)[outcome.index()] - self.untreated(p, t)[outcome.index()]
    }

    /// The panel a study would see: each place's observed outcome and cohort, as the
    /// estimators read it. Err names the first place and step with a missing value.
    pub fn to_did_rows(&self, outcome: Outcome) -> Result<Vec<crate::did::Row>, (usize, u32)> {
        let mut rows = Vec::with_capacity(self.observed.len());
        for (p, info) in self.places.iter().enumerate() {
            for t in 0..self.steps {
                let y = self.observed(p, t)[outcome.index()];
                if y.is_nan() {
                    return Err((p, t));
                }
                rows.push(crate::did::Row {
                    place: p as u32,
                    time: t as i64,
                    cohort: info.cohort.map(i64::from),
                    y,
                });
            }
        }
        Ok(rows)
    }
}

/// Records every place's outcomes of every world after each step.
struct Recorder {
    /// `by_step[t][world][place]`.
    by_step: Vec<Vec<Vec<Outcomes>>>,
}

impl Observer for Recorder {
    fn step(&mut self, _t: u32, worlds: &[World], _metrics: &[StepMetrics]) -> Flow {
        let places = |w: &World| -> Vec<Outcomes> {
            (0..w.places().len())
                .map(|p| {
                    let m = w.place_metrics(p);
                    let cadres = w.places()[p].tally().cadres;
                    Outcome::ALL.map(|o| o.of(&m, cadres))
                })
                .collect()
        };
        self.by_step.push(worlds.iter().map(places).collect());
        Flow::Continue
    }
}
