//! The experiment statistic: a published DiD estimate as a calibration target (indirect
//! inference). The particle's statistic is what the same study finds on the simulated world:
//! the design (a scenario with places and a rollout) with the particle's free parameters,
//! run for its replicates, the named estimator run on each replicate's observed panel, and
//! the estimate of the named target averaged over replicates.
//!
//! Cost: per replicate, only the world with the rollout (a study sees nothing else) and only
//! the estimator the target needs, without its bootstrap (only the point estimate counts).
//! The no-adoption twin is simulated only for the implied truth ([`implied`]): over the
//! posterior-predictive draws, what the policy truly did next to what the study estimated.

use crate::did::{self, Control, Estimate, Estimator, Options, Panel};
use crate::experiment::panel::{Outcome, ReplicatePanel};
use crate::model::rng::SimRng;
use crate::run::stats::mean_present;
use crate::scenario::Scenario;

/// TWFE event study's bins, as `cadre-sim experiment` sets them by default, so that an
/// estimate here is the one the experiment command reports.
pub const LEADS: u32 = 6;
pub const LAGS: u32 = 12;

/// What a published estimate reports: the estimator's overall effect, or its effect `e`
/// steps after adoption.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Reported {
    Overall,
    EventTime(i64),
}

impl Reported {
    pub fn target(self) -> did::Target {
        match self {
            Reported::Overall => did::Target::Overall,
            Reported::EventTime(e) => did::Target::EventTime(e),
        }
    }

    /// "overall", "event time 2".
    pub fn label(self) -> String {
        match self {
            Reported::Overall => "overall".into(),
            Reported::EventTime(e) => format!("event time {e}"),
        }
    }
}

/// A study design of an experiment target.
#[derive(Debug, Clone, PartialEq)]
pub struct Study {
    /// The design file as the calibration file names it.
    pub path: String,
    /// The design: a scenario with [places] and a [rollout]; its own steps, the
    /// calibration's replicates per particle.
    pub scenario: Scenario,
    pub estimator: Estimator,
    pub control: Control,
    pub reported: Reported,
    pub outcome: Outcome,
}

/// One replicate of a study: the estimate, and (with the twin) its truths.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct StudyReplicate {
    /// The estimate of the reported target; NaN when the estimator cannot run.
    pub estimate: f64,
    /// The estimator's own estimand: the true effect of the cells and weights it uses.
    pub estimand: f64,
    /// The policy's effect: the overall ATT over every treated place-step.
    pub policy: f64,
}

impl Study {
    /// The estimator's options: the comparison group, no bootstrap.
    pub fn options(&self) -> Options {
        Options {
            control: self.control,
            leads: LEADS,
            lags: LAGS,
            bootstrap: 0,
            ..Options::default()
        }
    }

    /// "Callaway–Sant'Anna (not-yet-treated), overall, on initiative".
    pub fn label(&self) -> String {
        let control = match self.estimator {
            Estimator::CallawaySantAnna | Estimator::SunAbraham => {
                format!(" ({})", self.control.key())
            }
            _ => String::new(),
        };
        format!(
            "{}{control}, {}, on {}",
            self.estimator.name(),
            self.reported.label(),
            self.outcome.name()
        )
    }

    /// The design at `theta` (the calibration's free parameters), with `replicates`.
    pub fn scenario_at(
        &self,
        free: &[super::FreeParam],
        theta: &[f64],
        replicates: u32,
    ) -> Scenario {
        let mut s = self.scenario.clone();
        for (f, &x) in free.iter().zip(theta) {
            s.set(f.param, x);
        }
        s.run.replicates = replicates;
        s
    }

    /// The named estimator's estimate of the reported target on `panel` (its observed
    /// world), or None when it cannot run (a missing outcome, an estimator's refusal).
    pub fn estimate(&self, panel: &ReplicatePanel) -> Option<Estimate> {
        let (rows, _) = panel.to_did_rows(self.outcome);
        if rows.iter().any(|r| r.y.is_nan()) {
            return None;
        }
        let panel = Panel::new(rows).ok()?;
        let target = self.reported.target();
        self.run(&panel)
            .ok()?
            .into_iter()
            .find(|e| e.target == target)
    }

    /// The named estimator on `panel`, every target it estimates.
    fn run(&self, panel: &Panel) -> Result<Vec<Estimate>, String> {
        let mut opts = self.options();
        // As `cadre-sim experiment` (did::estimate_all): with no place never treated,
        // Callaway–Sant'Anna compares with the places not yet treated. (A calibration file
        // asking for never-treated places on such a design is refused: [`Study::check`].)
        if opts.control == Control::NeverTreated && !panel.has_never_treated() {
            opts.control = Control::NotYetTreated;
        }
        match self.estimator {
            Estimator::Twfe => did::twfe(panel, &opts),
            Estimator::TwfeEventStudy => did::twfe_event_study(panel, &opts),
            Estimator::CallawaySantAnna => did::callaway_sant_anna(panel, &opts),
            Estimator::SunAbraham => did::sun_abraham(panel, &opts),
            Estimator::Imputation => did::imputation(panel, &opts),
        }
        .map_err(|e| e.to_string())
    }

    /// Whether the named estimator can estimate the reported target on this design,
    /// before any simulation: it runs on a stand-in panel of the design (its places,
    /// cohorts and steps, arbitrary outcomes; see [`crate::experiment::stand_in_panel`]),
    /// since what an estimator can estimate depends on the design only. Err says why not.
    pub fn check(&self) -> Result<(), String> {
        let panel = crate::experiment::stand_in_panel(&self.scenario)
            .map_err(|e| format!("the design {e}"))?;
        if self.estimator == Estimator::CallawaySantAnna
            && self.control == Control::NeverTreated
            && !panel.has_never_treated()
        {
            return Err(
                "every place of the design adopts, so there are no never-treated \
                        places to compare with (Callaway–Sant'Anna would fall back to the \
                        places not yet treated): set control = \"notyettreated\""
                    .into(),
            );
        }
        let estimates = self
            .run(&panel)
            .map_err(|e| format!("{} cannot run on this design: {e}", self.estimator.name()))?;
        let target = self.reported.target();
        if estimates.iter().any(|e| e.target == target) {
            return Ok(());
        }
        let reachable: Vec<String> = estimates
            .iter()
            .filter_map(|e| match e.target {
                did::Target::EventTime(k) => Some(k.to_string()),
                _ => None,
            })
            .collect();
        Err(format!(
            "{} estimates no {} on this design{}",
            self.estimator.name(),
            self.reported.label(),
            if reachable.is_empty() {
                String::new()
            } else {
                format!(" (the event times it reaches: {})", reachable.join(", "))
            }
        ))
    }

    /// One replicate at `theta` on `rng`: the study's estimate, and with `truth` the twin's
    /// truths too (else NaN).
    pub fn replicate(&self, scenario: &Scenario, rng: SimRng, truth: bool) -> StudyReplicate {
        let spec = scenario.model_spec();
        let steps = scenario.run.steps;
        let panel = if truth {
            ReplicatePanel::simulate_from(&spec, steps, rng)
        } else {
            ReplicatePanel::simulate_observed(&spec, steps, rng)
        };
        let estimate = self.estimate(&panel);
        let value = estimate.as_ref().map_or(f64::NAN, |e| e.value);
        if !truth {
            return StudyReplicate {
                estimate: value,
                estimand: f64::NAN,
                policy: f64::NAN,
            };
        }
        let (estimand, policy) = truths(&panel, self, estimate.as_ref());
        StudyReplicate {
            estimate: value,
            estimand,
            policy,
        }
    }
}

/// The mean over replicates, skipping missing ones (NaN if all are).
pub fn mean_of(values: impl Iterator<Item = f64>) -> f64 {
    mean_present(values)
}

/// The estimator's estimand (its own cells and weights on this panel, see
/// [`crate::did::estimand`]) and the policy's effect (every treated cell) in one replicate
/// with its twin. The estimand is NaN when the estimator could not run.
fn truths(panel: &ReplicatePanel, study: &Study, estimate: Option<&Estimate>) -> (f64, f64) {
    let outcome = panel.study_outcome(study.outcome);
    let effects = crate::experiment::truth::Effects::new(panel, &outcome);
    let estimand = estimate.map_or(f64::NAN, |e| effects.of(&e.estimand));
    (estimand, effects.overall())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::calibrate::smc::derive_rng;

    #[test]
    fn the_observed_world_alone_is_the_observed_world_beside_its_twin() {
        let s = Scenario::load("scenarios/experiments/staggered_national.toml").unwrap();
        let mut s = s;
        s.population.cadres = 600;
        s.places.count = 6;
        s.run.steps = 14;
        let spec = s.model_spec();
        let alone = ReplicatePanel::simulate_observed(&spec, 14, derive_rng(3, &[1, 2, 0]));
        let both = ReplicatePanel::simulate_from(&spec, 14, derive_rng(3, &[1, 2, 0]));
        let bits = |p: &ReplicatePanel| -> Vec<u64> {
            p.observed.iter().flatten().map(|x| x.to_bits()).collect()
        };
        assert_eq!(bits(&alone), bits(&both));
        assert_eq!(alone.places, both.places);
        assert!(alone.untreated.is_empty());
    }

    /// The implied truth is the experiment command's own decomposition: for the same
    /// parameters and replicate seed, a study target's replicate (estimate, estimand,
    /// policy effect) is exactly what `cadre-sim experiment` reports for Callaway–Sant'Anna
    /// (estimate, the truth of its estimand) and for the policy (truth.csv's overall row).
    /// On a design with national publication, the places that never adopt move with the
    /// adopters' published cases (truth.csv's never_treated rows), so the gap between the
    /// policy's effect and the fitted estimate is not zero.
    #[test]
    fn the_implied_truth_is_the_experiment_commands_decomposition_spillover_included() {
        use crate::experiment::{self, ExperimentOptions, assess::TruthKey};
        use crate::model::rng::replicate_rng;
        let mut s = Scenario::load("scenarios/experiments/staggered_national.toml").unwrap();
        s.population.cadres = 800;
        s.places.count = 10;
        s.run.steps = 28;
        s.population.weight_published = 0.5;
        let study = Study {
            path: "staggered_national.toml".into(),
            scenario: s.clone(),
            estimator: Estimator::CallawaySantAnna,
            control: Control::NotYetTreated,
            reported: Reported::Overall,
            outcome: Outcome::Initiative,
        };
        let options = ExperimentOptions {
            outcome: Outcome::Initiative,
            did: study.options(),
        };
        let spec = s.model_spec();
        let mut spillover = 0.0;
        let mut gap = 0.0;
        for r in 0..3 {
            let implied = study.replicate(&s, replicate_rng(s.run.seed, r), true);
            let (_, reported, _) = experiment::replicate(&spec, &s.run, &options, r);
            let (cs, estimand) = reported
                .estimates
                .iter()
                .find(|(e, _)| {
                    e.estimator == Estimator::CallawaySantAnna && e.target == did::Target::Overall
                })
                .expect("CS's overall estimate");
            let truth = |key: TruthKey| reported.truth.iter().find(|(k, _)| *k == key).map(|t| t.1);
            assert_eq!(implied.estimate, cs.value);
            assert_eq!(implied.estimand, *estimand);
            assert_eq!(Some(implied.policy), truth(TruthKey::Overall));
            gap += (implied.policy - implied.estimate).abs();
            spillover += reported
                .truth
                .iter()
                .filter(|(k, _)| matches!(k, TruthKey::NeverTreated(_)))
                .map(|(_, v)| v.abs())
                .sum::<f64>();
        }
        assert!(
            spillover > 0.0,
            "national publication reaches the never-treated places"
        );
        assert!(gap > 0.0);
    }
}
