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

    /// The rollout's effect on place `p` at step `t` (NaN where the outcome is missing).
    pub fn effect(&self, p: usize, t: u32, outcome: Outcome) -> f64 {
        self.observed(p, t)[outcome.index()] - self.untreated(p, t)[outcome.index()]
    }

    /// `outcome` as the study uses it, in both worlds: see [`StudyOutcome`].
    pub fn study_outcome(&self, outcome: Outcome) -> StudyOutcome {
        let steps = self.steps as usize;
        let mut filled = 0;
        let mut start = 0;
        let mut carry = |value: &dyn Fn(usize, usize) -> f64| -> Vec<f64> {
            let mut out = Vec::with_capacity(self.places.len() * steps);
            for p in 0..self.places.len() {
                let mut last = f64::NAN;
                let mut first = None;
                for t in 0..steps {
                    let y = value(p, t);
                    if y.is_nan() {
                        filled += usize::from(!last.is_nan());
                    } else {
                        last = y;
                        first.get_or_insert(t);
                    }
                    out.push(last);
                }
                start = start.max(first.unwrap_or(steps));
            }
            out
        };
        let i = outcome.index();
        let observed = carry(&|p, t| self.observed[p * steps + t][i]);
        // A panel of the observed world alone (a calibration's study) has no twin: its
        // start is where the observed world has every value.
        let untreated = if self.untreated.is_empty() {
            Vec::new()
        } else {
            carry(&|p, t| self.untreated[p * steps + t][i])
        };
        StudyOutcome {
            start: start as u32,
            steps: self.steps,
            observed,
            untreated,
            filled,
        }
    }

    /// The panel a study would see: each place's observed outcome and cohort from
    /// [`StudyOutcome::start`] on, as the estimators read it.
    pub fn to_did_rows(&self, outcome: Outcome) -> (Vec<crate::did::Row>, StudyOutcome) {
        let study = self.study_outcome(outcome);
        let mut rows = Vec::with_capacity(self.observed.len());
        for (p, info) in self.places.iter().enumerate() {
            for t in study.start..self.steps {
                rows.push(crate::did::Row {
                    place: p as u32,
                    time: t as i64,
                    cohort: info.cohort.map(i64::from),
                    y: study.observed(p, t),
                });
            }
        }
        (rows, study)
    }
}

/// An outcome as a study of the panel uses it. A ratio has no value at a place and step
/// with nothing to count (the tolerance rate where no case was decided, the correction rate
/// where nobody erred): such a cell keeps the place's last value, the rate its cadres last
/// saw (in each world its own), and the study starts at the first step at which every
/// place has had a value in both worlds. Outcomes that are never missing are unchanged
/// (start 0, nothing filled).
#[derive(Debug, Clone, PartialEq)]
pub struct StudyOutcome {
    /// The first step of the study's panel.
    pub start: u32,
    steps: u32,
    observed: Vec<f64>,
    untreated: Vec<f64>,
    /// How many place-steps (over both worlds) kept an earlier value.
    pub filled: usize,
}

impl StudyOutcome {
    /// Place `p`'s outcome at step `t` in the rollout's world (NaN before its first value).
    pub fn observed(&self, p: usize, t: u32) -> f64 {
        self.observed[p * self.steps as usize + t as usize]
    }

    /// The rollout's effect on place `p` at step `t` (NaN before `start`).
    pub fn effect(&self, p: usize, t: u32) -> f64 {
        if t < self.start {
            return f64::NAN;
        }
        let i = p * self.steps as usize + t as usize;
        self.observed[i] - self.untreated[i]
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
