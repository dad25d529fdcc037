//! Experiments: a staggered rollout across places, studied the way the empirical literature
//! studies it, and set against the truth.
//!
//! Each replicate is simulated twice on the same random numbers ([`panel`]): with the
//! rollout, and with no place adopting. The first world is what a researcher would observe;
//! the difference between the two is the true effect ([`truth`]). Every estimator of
//! [`crate::did`] runs on each replicate's observed panel, exactly as `cadre-sim did` runs
//! on a researcher's own, and [`assess`] sets the estimates against the truth over
//! replicates: bias, RMSE, and how often each estimator's own 95% interval covers the truth.
//!
//! Pure, like the model: no files (the command writes them, see `output::experiment`).

pub mod assess;
pub mod panel;
pub mod spill;
pub mod stream;
pub mod summarise;
pub mod truth;
#[cfg(test)]
mod truth_tests;

pub use assess::{Assessment, ReplicateEstimates};
pub use panel::{Outcome, ReplicatePanel};
pub use summarise::{Summarised, Summarising};

use std::sync::atomic::AtomicBool;
use std::time::Instant;

use crate::did::{Control, Options};
use crate::error::InputError;
use crate::model::rng::{replicate_seed, splitmix64};
use crate::scenario::Scenario;

/// What an experiment estimates, and how.
#[derive(Debug, Clone, PartialEq)]
pub struct ExperimentOptions {
    /// The place-level outcome the estimators are run on.
    pub outcome: Outcome,
    /// The estimators' options; `seed` is replaced per replicate (see [`bootstrap_seed`]).
    pub did: Options,
}

impl ExperimentOptions {
    /// The options from their names and numbers as a user gives them (the command line, the
    /// Python package): the outcome by name, Callaway–Sant'Anna's comparison group by key
    /// (`nevertreated`, `notyettreated`), the TWFE event study's bins and the bootstrap draws.
    pub fn new(
        outcome: &str,
        control: &str,
        leads: u32,
        lags: u32,
        bootstrap: u32,
    ) -> Result<ExperimentOptions, InputError> {
        let outcome = Outcome::from_name(outcome).ok_or_else(|| {
            InputError::new(
                "--outcome",
                format!(
                    "unknown outcome `{outcome}`; allowed: {}",
                    Outcome::names().join(", ")
                ),
            )
        })?;
        let control = [Control::NeverTreated, Control::NotYetTreated]
            .into_iter()
            .find(|c| c.key() == control)
            .ok_or_else(|| {
                InputError::new(
                    "--control",
                    format!(
                        "unknown comparison group `{control}`; allowed: nevertreated, notyettreated"
                    ),
                )
            })?;
        let did = Options {
            control,
            leads,
            lags,
            bootstrap,
            ..Options::default()
        };
        did.check()
            .map_err(|e| InputError::new("--leads/--lags/--bootstrap", e.to_string()))?;
        Ok(ExperimentOptions { outcome, did })
    }
}

/// Refuses a scenario without a rollout (an experiment needs places that adopt), and a
/// design in which no estimator could estimate anything, before anything is simulated.
///
/// What an estimator can estimate depends only on the design (the places per cohort, the
/// adoption steps, the steps), never on the outcomes, so the estimators are run once on a
/// stand-in panel of that design with arbitrary outcomes: if none estimates anything there,
/// none would on the simulated panels either.
pub fn check_scenario(scenario: &Scenario) -> Result<(), InputError> {
    let here = || format!("scenario '{}'", scenario.name);
    let Some(rollout) = &scenario.rollout else {
        return Err(InputError::new(
            here(),
            "has no [rollout]: an experiment needs places that adopt at different steps; see \
             scenarios/experiments/staggered_national.toml and docs/experiment.md",
        ));
    };
    let places = scenario.places.count;
    let sizes = crate::model::places::cohort_sizes(places, &rollout.cohorts);
    let stand_in = stand_in_panel(scenario).map_err(|e| InputError::new(here(), e))?;
    let opts = Options {
        bootstrap: 0,
        ..Options::default()
    };
    match crate::did::estimate_all(&stand_in, &opts) {
        Ok(_) => Ok(()),
        Err(e) => Err(InputError::new(
            here(),
            format!(
                "no estimator can estimate anything in this design ({}): {e}. Give some places \
                 a different adoption step, or leave some never adopting",
                design_words(&rollout.cohorts, &sizes, places)
            ),
        )),
    }
}

/// A panel of `scenario`'s design (its places, cohorts and steps) with arbitrary outcomes:
/// what an estimator can estimate depends only on the design, so running it here tells
/// whether it would estimate anything on the simulated panels (an Err without a rollout).
pub fn stand_in_panel(scenario: &Scenario) -> Result<crate::did::Panel, String> {
    let Some(rollout) = &scenario.rollout else {
        return Err("has no [rollout]".into());
    };
    let places = scenario.places.count;
    let sizes = crate::model::places::cohort_sizes(places, &rollout.cohorts);
    let mut cohorts: Vec<Option<i64>> = rollout
        .cohorts
        .iter()
        .zip(&sizes)
        .flat_map(|(c, &n)| std::iter::repeat_n(Some(i64::from(c.at)), n as usize))
        .collect();
    cohorts.resize(places as usize, None);
    let rows = cohorts
        .iter()
        .enumerate()
        .flat_map(|(p, &cohort)| {
            (0..i64::from(scenario.run.steps)).map(move |t| crate::did::Row {
                place: p as u32,
                time: t,
                cohort,
                // Arbitrary, but not collinear with anything.
                y: splitmix64((p as u64) << 32 | t as u64) as f64 / u64::MAX as f64,
            })
        })
        .collect();
    crate::did::Panel::new(rows).map_err(|e| e.to_string())
}

/// "10 places: 10 adopt at step 5" — the design in words, for errors.
fn design_words(cohorts: &[crate::model::places::Cohort], sizes: &[u32], places: u32) -> String {
    let adopting: Vec<String> = cohorts
        .iter()
        .zip(sizes)
        .map(|(c, n)| format!("{n} adopt at step {}", c.at))
        .collect();
    let never = places - sizes.iter().sum::<u32>();
    format!("{places} places: {}, {never} never", adopting.join(", "))
}

/// Everything an experiment produced.
pub struct Experiment {
    pub scenario: Scenario,
    pub options: ExperimentOptions,
    /// Each replicate's panel, in replicate order.
    pub panels: Vec<ReplicatePanel>,
    /// Each replicate's estimates set against its truth.
    pub replicates: Vec<ReplicateEstimates>,
    /// Where the time went, summed over threads.
    pub work: Work,
}

/// Seconds spent simulating the two worlds, estimating, and formatting and writing each
/// replicate's rows as it streams out ([`stream`]), summed over the threads that did it (on
/// N busy threads, wall time is about their sum over N).
#[derive(Debug, Clone, Copy, Default, PartialEq, serde::Serialize)]
pub struct Work {
    pub simulating_thread_seconds: f64,
    pub estimating_thread_seconds: f64,
    pub writing_thread_seconds: f64,
}

impl Work {
    pub fn add(&mut self, other: &Work) {
        self.simulating_thread_seconds += other.simulating_thread_seconds;
        self.estimating_thread_seconds += other.estimating_thread_seconds;
        self.writing_thread_seconds += other.writing_thread_seconds;
    }
}

/// The seed of replicate `replicate`'s bootstrap: from the run's seed and the replicate
/// only, so the bootstrap too is the same on any thread count.
pub fn bootstrap_seed(seed: u64, replicate: u64) -> u64 {
    splitmix64(replicate_seed(seed, replicate) ^ 0xD1D)
}

/// Replicate `r` of an experiment: both worlds on the replicate's random numbers, every
/// estimator on the observed panel, each estimate set against its own truth. A pure function
/// of its arguments, so a replicate is the same whichever thread, run or sweep point runs it.
pub fn replicate(
    spec: &crate::model::ModelSpec,
    run: &crate::model::params::RunParams,
    options: &ExperimentOptions,
    r: u64,
) -> (ReplicatePanel, ReplicateEstimates, Work) {
    let clock = Instant::now();
    let panel = ReplicatePanel::simulate(spec, run.steps, run.seed, r);
    let simulated = clock.elapsed().as_secs_f64();
    let opts = Options {
        seed: bootstrap_seed(run.seed, r),
        ..options.did.clone()
    };
    let estimates = ReplicateEstimates::of(&panel, options.outcome, &opts);
    let work = Work {
        simulating_thread_seconds: simulated,
        estimating_thread_seconds: clock.elapsed().as_secs_f64() - simulated,
        writing_thread_seconds: 0.0,
    };
    (panel, estimates, work)
}

/// Runs the experiment: every replicate in parallel (on the current rayon pool), both worlds,
/// every estimator. Results are in replicate order whatever the threads.
pub fn run(
    scenario: &Scenario,
    options: &ExperimentOptions,
    on_replicate_done: Option<&(dyn Fn() + Sync)>,
) -> Experiment {
    run_until(scenario, options, on_replicate_done, None).expect("no stop flag, no stop")
}

/// [`run`], ending early (None) once `stop` is set: replicates not yet started are skipped.
/// Holds every replicate; [`stream::stream`] hands them on in order instead.
pub fn run_until(
    scenario: &Scenario,
    options: &ExperimentOptions,
    on_replicate_done: Option<&(dyn Fn() + Sync)>,
    stop: Option<&AtomicBool>,
) -> Option<Experiment> {
    let (mut panels, mut replicates) = (Vec::new(), Vec::new());
    let work = stream::stream(
        scenario,
        options,
        on_replicate_done,
        stop,
        |_, panel, estimates| (panel, estimates),
        |_, (panel, estimates)| {
            panels.push(panel);
            replicates.push(estimates);
            Ok::<(), std::convert::Infallible>(())
        },
    )
    .unwrap_or_else(|never| match never {})?;
    Some(Experiment {
        scenario: scenario.clone(),
        options: options.clone(),
        panels,
        replicates,
        work,
    })
}

impl Experiment {
    /// The summary over replicates of every estimate against its truth.
    pub fn assess(&self) -> Assessment {
        Assessment::of(&self.replicates)
    }

    /// What the summary files, report and figures need, as the command reduces it while
    /// replicates stream by.
    pub fn summarise(&self) -> Summarised {
        let mut summarising =
            Summarising::new(&self.scenario, &self.options, || Ok(spill::Spill::memory()))
                .expect("a spill in memory");
        let reducer = summarising.reducer();
        for (panel, estimates) in self.panels.iter().zip(&self.replicates) {
            let reduced = reducer.reduce(panel, estimates.clone());
            summarising.add(&reduced).expect("a spill in memory");
        }
        summarising.finish(self.work).expect("a spill in memory")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::params::ParamId;
    use crate::model::places::{Assignment, Cohort, Places, PublishScope, Rollout};

    /// 12 places of one unit of 20, half adopting the optimized levers at steps 6 and 12.
    fn scenario(scope: PublishScope, adopt: Vec<(ParamId, f64)>) -> Scenario {
        let mut s = Scenario::default();
        s.run.steps = 24;
        s.run.replicates = 3;
        s.population.cadres = 240;
        s.places = Places {
            count: 12,
            publish_scope: scope,
            strength_spread: 0.3,
        };
        s.rollout = Some(Rollout {
            name: "test".into(),
            adopt,
            cohorts: vec![
                Cohort { at: 6, share: 0.25 },
                Cohort {
                    at: 12,
                    share: 0.25,
                },
            ],
            assign: Assignment::Random,
        });
        s.validate().unwrap();
        s
    }

    fn levers() -> Vec<(ParamId, f64)> {
        let optimized = Scenario::load("optimized_path").unwrap();
        crate::model::params::section_specs(crate::model::params::Section::Regime)
            .map(|s| (s.id, optimized.regime.get(s.id).unwrap()))
            .filter(|&(id, v)| Scenario::default().regime.get(id) != Some(v))
            .collect()
    }

    /// Every outcome of both worlds, bit for bit (NaN, a missing ratio, equals itself).
    fn bits(outcomes: &[panel::Outcomes]) -> Vec<u64> {
        outcomes.iter().flatten().map(|x| x.to_bits()).collect()
    }

    fn panels(s: &Scenario) -> Vec<ReplicatePanel> {
        (0..s.run.replicates as u64)
            .map(|r| ReplicatePanel::simulate(&s.model_spec(), s.run.steps, s.run.seed, r))
            .collect()
    }

    #[test]
    fn a_null_rollout_has_a_true_effect_of_exactly_zero() {
        for panel in panels(&scenario(PublishScope::National, vec![])) {
            assert!(
                bits(&panel.observed) == bits(&panel.untreated),
                "both worlds are one"
            );
            assert_eq!(
                panel.places.iter().filter(|p| p.cohort.is_some()).count(),
                6
            );
        }
    }

    #[test]
    fn with_place_scope_controls_and_the_time_before_adoption_are_untouched() {
        let s = scenario(PublishScope::Place, levers());
        let mut changed_after = 0;
        for panel in panels(&s) {
            for (p, info) in panel.places.iter().enumerate() {
                for t in 0..panel.steps {
                    let before = info.cohort.is_none_or(|g| t < g);
                    let same = bits(&[*panel.observed(p, t)]) == bits(&[*panel.untreated(p, t)]);
                    if before {
                        assert!(same, "place {p} step {t}: no adoption yet, no effect");
                    } else if !same {
                        changed_after += 1;
                    }
                }
            }
        }
        assert!(changed_after > 0, "adoption changes the adopting places");
    }

    #[test]
    fn with_national_scope_the_controls_feel_the_rollout() {
        let s = scenario(PublishScope::National, levers());
        let spill = panels(&s).iter().any(|panel| {
            panel.places.iter().enumerate().any(|(p, info)| {
                info.cohort.is_none()
                    && (6..panel.steps).any(|t| panel.effect(p, t, Outcome::MeanBelief) != 0.0)
            })
        });
        assert!(
            spill,
            "published cases from adopting places reach the others"
        );
    }

    #[test]
    fn estimates_are_set_against_their_own_truth_and_do_not_depend_on_threads() {
        let s = scenario(PublishScope::Place, levers());
        let options = ExperimentOptions {
            outcome: Outcome::Initiative,
            did: Options {
                bootstrap: 19,
                leads: 3,
                lags: 6,
                ..Options::default()
            },
        };
        let one = crate::run::in_pool(Some(1), || run(&s, &options, None));
        let two = crate::run::in_pool(Some(2), || run(&s, &options, None));
        for (a, b) in one.panels.iter().zip(&two.panels) {
            assert!(bits(&a.observed) == bits(&b.observed) && a.places == b.places);
        }
        let a = one.assess();
        let b = two.assess();
        let values = |a: &Assessment| -> Vec<u64> {
            a.estimates
                .iter()
                .flat_map(|e| {
                    [
                        e.estimate.mean.to_bits(),
                        e.coverage.to_bits(),
                        e.mean_se.to_bits(),
                    ]
                })
                .collect()
        };
        assert!(
            values(&a) == values(&b),
            "the same numbers on 1 and 2 threads"
        );
        assert!(a.problems.is_empty(), "{:?}", a.problems);
        let twfe = a.overall(crate::did::Estimator::Twfe).unwrap();
        let truth = a.true_overall().unwrap();
        assert_eq!(
            twfe.truth.mean, truth.mean,
            "TWFE's target is the overall ATT"
        );
        assert_eq!(twfe.estimate.n, 3);
    }
}
