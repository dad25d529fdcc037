//! The per-step metrics (model.md, "Metrics, per step") and how a step's tallies become them.
//!
//! A ratio whose denominator is empty is missing, stored as NaN and written as an empty CSV
//! field; averages leave it out and say how many values they used.

use serde::Serialize;

/// One metric of one step.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Metric {
    Initiative,
    ErrorRate,
    CorrectionRate,
    InitiationRate,
    ToleranceRate,
    Violations,
    Abuses,
    AbusesRevealed,
    MeanBelief,
    MeanEngagement,
    SocialValue,
    LyingFlat,
    ActiveShare,
    UnitInitiativeSd,
}

/// Number of metrics.
pub const N_METRICS: usize = 14;

impl Metric {
    /// Every metric, in output order.
    pub const ALL: [Metric; N_METRICS] = [
        Metric::Initiative,
        Metric::ErrorRate,
        Metric::CorrectionRate,
        Metric::InitiationRate,
        Metric::ToleranceRate,
        Metric::Violations,
        Metric::Abuses,
        Metric::AbusesRevealed,
        Metric::MeanBelief,
        Metric::MeanEngagement,
        Metric::SocialValue,
        Metric::LyingFlat,
        Metric::ActiveShare,
        Metric::UnitInitiativeSd,
    ];

    /// The name used in files and on the command line.
    pub fn name(self) -> &'static str {
        match self {
            Metric::Initiative => "initiative",
            Metric::ErrorRate => "error_rate",
            Metric::CorrectionRate => "correction_rate",
            Metric::InitiationRate => "initiation_rate",
            Metric::ToleranceRate => "tolerance_rate",
            Metric::Violations => "violations",
            Metric::Abuses => "abuses",
            Metric::AbusesRevealed => "abuses_revealed",
            Metric::MeanBelief => "mean_belief",
            Metric::MeanEngagement => "mean_engagement",
            Metric::SocialValue => "social_value",
            Metric::LyingFlat => "lying_flat",
            Metric::ActiveShare => "active_share",
            Metric::UnitInitiativeSd => "unit_initiative_sd",
        }
    }

    /// What it measures, in plain words.
    pub fn definition(self) -> &'static str {
        match self {
            Metric::Initiative => "reforms / opportunities of active cadres",
            Metric::ErrorRate => "failed reforms / cadres",
            Metric::CorrectionRate => "corrected failures / failures",
            Metric::InitiationRate => "reviews started / honest failures detected this step",
            Metric::ToleranceRate => "tolerated / honest cases decided this step",
            Metric::Violations => "self-serving violations committed this step",
            Metric::Abuses => "violations wrongly tolerated this step",
            Metric::AbusesRevealed => "hidden abuses that came to light this step",
            Metric::MeanBelief => "mean belief that a detected honest failure is tolerated",
            Metric::MeanEngagement => "mean engagement of unit leaders in starting reviews",
            Metric::SocialValue => {
                "successes x success_value - failure losses - violations x violation_loss"
            }
            Metric::LyingFlat => "share of active cadres who declined 8+ opportunities in a row",
            Metric::ActiveShare => "active (not under review or sanctioned) cadres / cadres",
            Metric::UnitInitiativeSd => "standard deviation of initiative across units",
        }
    }

    /// The metric called `name`.
    pub fn from_name(name: &str) -> Option<Metric> {
        Metric::ALL.into_iter().find(|m| m.name() == name)
    }

    /// Position in [`Metric::ALL`] and in [`StepMetrics`].
    pub fn index(self) -> usize {
        self as usize
    }
}

/// The metrics of one step of one replicate, indexed by [`Metric::index`]; NaN is missing.
pub type StepMetrics = [f64; N_METRICS];

/// What one step counted, before it becomes [`StepMetrics`].
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Tally {
    pub cadres: u64,
    pub units: u64,
    pub active: u64,
    pub opportunities: u64,
    pub reforms: u64,
    pub successes: u64,
    pub failures: u64,
    pub corrected: u64,
    pub failure_losses: f64,
    pub honest_detected: u64,
    pub honest_reviewed: u64,
    pub honest_decided: u64,
    pub honest_tolerated: u64,
    pub violations: u64,
    pub abuses: u64,
    pub abuses_revealed: u64,
    pub lying_flat: u64,
    pub belief_sum: f64,
    pub engagement_sum: f64,
    /// Population standard deviation of unit initiative over units with opportunities.
    pub unit_initiative_sd: f64,
}

/// `num / den`, missing when `den` is 0.
fn ratio(num: u64, den: u64) -> f64 {
    if den == 0 {
        f64::NAN
    } else {
        num as f64 / den as f64
    }
}

impl Tally {
    /// Adds another part of the same step's counts (another place's). The spread of
    /// initiative across units is not a sum: the world computes it over all its units.
    pub fn add(&mut self, other: &Tally) {
        let Tally {
            cadres,
            units,
            active,
            opportunities,
            reforms,
            successes,
            failures,
            corrected,
            failure_losses,
            honest_detected,
            honest_reviewed,
            honest_decided,
            honest_tolerated,
            violations,
            abuses,
            abuses_revealed,
            lying_flat,
            belief_sum,
            engagement_sum,
            unit_initiative_sd: _,
        } = other;
        self.cadres += cadres;
        self.units += units;
        self.active += active;
        self.opportunities += opportunities;
        self.reforms += reforms;
        self.successes += successes;
        self.failures += failures;
        self.corrected += corrected;
        self.failure_losses += failure_losses;
        self.honest_detected += honest_detected;
        self.honest_reviewed += honest_reviewed;
        self.honest_decided += honest_decided;
        self.honest_tolerated += honest_tolerated;
        self.violations += violations;
        self.abuses += abuses;
        self.abuses_revealed += abuses_revealed;
        self.lying_flat += lying_flat;
        self.belief_sum += belief_sum;
        self.engagement_sum += engagement_sum;
    }

    /// The step's metrics, given the values that turn counts into social value.
    pub fn metrics(&self, success_value: f64, violation_loss: f64) -> StepMetrics {
        let mut m = [f64::NAN; N_METRICS];
        m[Metric::Initiative.index()] = ratio(self.reforms, self.opportunities);
        m[Metric::ErrorRate.index()] = ratio(self.failures, self.cadres);
        m[Metric::CorrectionRate.index()] = ratio(self.corrected, self.failures);
        m[Metric::InitiationRate.index()] = ratio(self.honest_reviewed, self.honest_detected);
        m[Metric::ToleranceRate.index()] = ratio(self.honest_tolerated, self.honest_decided);
        m[Metric::Violations.index()] = self.violations as f64;
        m[Metric::Abuses.index()] = self.abuses as f64;
        m[Metric::AbusesRevealed.index()] = self.abuses_revealed as f64;
        m[Metric::MeanBelief.index()] = self.belief_sum / self.cadres as f64;
        m[Metric::MeanEngagement.index()] = self.engagement_sum / self.units as f64;
        m[Metric::SocialValue.index()] = self.successes as f64 * success_value
            - self.failure_losses
            - self.violations as f64 * violation_loss;
        m[Metric::LyingFlat.index()] = ratio(self.lying_flat, self.active);
        m[Metric::ActiveShare.index()] = ratio(self.active, self.cadres);
        m[Metric::UnitInitiativeSd.index()] = self.unit_initiative_sd;
        m
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip_and_index_matches_order() {
        for (i, m) in Metric::ALL.into_iter().enumerate() {
            assert_eq!(m.index(), i);
            assert_eq!(Metric::from_name(m.name()), Some(m));
        }
    }

    #[test]
    fn empty_denominators_are_missing() {
        let tally = Tally {
            cadres: 10,
            units: 1,
            ..Tally::default()
        };
        let m = tally.metrics(1.0, 2.0);
        assert!(m[Metric::Initiative.index()].is_nan());
        assert!(m[Metric::ToleranceRate.index()].is_nan());
        assert_eq!(m[Metric::ErrorRate.index()], 0.0);
        assert_eq!(m[Metric::Violations.index()], 0.0);
    }

    #[test]
    fn social_value_formula() {
        let tally = Tally {
            cadres: 10,
            units: 1,
            successes: 5,
            failure_losses: 1.5,
            violations: 2,
            ..Tally::default()
        };
        assert_eq!(
            tally.metrics(1.0, 2.0)[Metric::SocialValue.index()],
            5.0 - 1.5 - 4.0
        );
    }
}
