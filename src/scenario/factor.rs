//! Factors: everything a sweep axis or `--set` may vary in a scenario. A factor is a model
//! parameter (`regime.detect`, `population.memory`, ...) or a key of the study's design, the
//! places and their rollout (`places.publish_scope`, `rollout.start`, ...), so that a sweep can
//! ask "under which spillover, strength spread and adoption timing does a DiD study of this
//! rollout go wrong?" (issue 21).
//!
//! A point of a sweep is a list of numbers, one per factor. A factor with named choices
//! (`places.publish_scope`, `rollout.assign`) takes the index of its choice as its number;
//! files, flags and every table a person reads give and show the name. The rollout's timing
//! and size are edited as wholes, keeping what the file says about the rest:
//!
//! - `rollout.start`: the step the first cohort adopts before; every cohort moves with it
//!   (their gaps are kept).
//! - `rollout.spacing`: the steps between consecutive cohorts, evenly (the first cohort's step
//!   is kept).
//! - `rollout.share`: the share of places that ever adopt; the cohorts keep their
//!   proportions, and 1 means every place adopts (no never-treated place).
//!
//! What needs the whole scenario (places dividing the units, cohorts within the run, a cohort
//! of at least one place) is [`super::Scenario::validate`]'s; a sweep validates every point.

use std::fmt;

use serde::{Deserialize, Serialize};

use super::Scenario;
use crate::model::params::{MAX_CADRES, ParamId, Range, integer_in, suggest};
use crate::model::places::{Assignment, PublishScope};

/// A key of the places or the rollout that a sweep may vary.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum StudyKey {
    PlacesCount,
    StrengthSpread,
    PublishScope,
    RolloutAssign,
    RolloutStart,
    RolloutSpacing,
    RolloutShare,
}

impl StudyKey {
    pub const ALL: [StudyKey; 7] = [
        StudyKey::PlacesCount,
        StudyKey::StrengthSpread,
        StudyKey::PublishScope,
        StudyKey::RolloutAssign,
        StudyKey::RolloutStart,
        StudyKey::RolloutSpacing,
        StudyKey::RolloutShare,
    ];

    /// `places.count`, `rollout.start`, ...: the key files and flags use.
    pub fn key(self) -> &'static str {
        match self {
            StudyKey::PlacesCount => "places.count",
            StudyKey::StrengthSpread => "places.strength_spread",
            StudyKey::PublishScope => "places.publish_scope",
            StudyKey::RolloutAssign => "rollout.assign",
            StudyKey::RolloutStart => "rollout.start",
            StudyKey::RolloutSpacing => "rollout.spacing",
            StudyKey::RolloutShare => "rollout.share",
        }
    }

    /// Whether the key edits the `[rollout]` (and so needs a scenario that has one).
    pub fn needs_rollout(self) -> bool {
        matches!(
            self,
            StudyKey::RolloutAssign
                | StudyKey::RolloutStart
                | StudyKey::RolloutSpacing
                | StudyKey::RolloutShare
        )
    }
}

/// What a sweep axis or `--set` varies.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Factor {
    /// A model parameter.
    Param(ParamId),
    /// A key of the places or the rollout.
    Study(StudyKey),
}

impl From<ParamId> for Factor {
    fn from(id: ParamId) -> Factor {
        Factor::Param(id)
    }
}

/// The values a factor takes.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Allowed {
    /// Numbers in a parameter range.
    Range(Range),
    /// A share in (0, 1].
    Share,
    /// One of these names, given by its index.
    Choice(&'static [&'static str]),
}

impl fmt::Display for Allowed {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Allowed::Range(r) => write!(f, "{r}"),
            Allowed::Share => write!(f, "a number in (0, 1]"),
            Allowed::Choice(names) => write!(f, "one of {}", quoted(names)),
        }
    }
}

/// `"a", "b"`: names as a message lists them.
pub fn quoted(names: &[&str]) -> String {
    names
        .iter()
        .map(|n| format!("\"{n}\""))
        .collect::<Vec<_>>()
        .join(", ")
}

impl Factor {
    /// The factor called `key` (`section.name`, a bare parameter name, `places.NAME` or
    /// `rollout.NAME`), or a message with a suggestion.
    pub fn of(key: &str) -> Result<Factor, String> {
        if let Some(k) = StudyKey::ALL.iter().find(|k| k.key() == key) {
            return Ok(Factor::Study(*k));
        }
        if key.starts_with("places.") || key.starts_with("rollout.") {
            let keys = StudyKey::ALL.iter().map(|k| k.key());
            let hint = suggest(key, keys.clone())
                .map(|s| format!(" (did you mean `{s}`?)"))
                .unwrap_or_else(|| {
                    format!(
                        "; the design keys are {}",
                        keys.collect::<Vec<_>>().join(", ")
                    )
                });
            return Err(format!("unknown key `{key}`{hint}"));
        }
        super::lookup_param(key).map(|spec| Factor::Param(spec.id))
    }

    /// `section.name`: the key files, flags and column headers use.
    pub fn key(self) -> &'static str {
        match self {
            Factor::Param(id) => id.key(),
            Factor::Study(k) => k.key(),
        }
    }

    /// The values it takes.
    pub fn allowed(self) -> Allowed {
        match self {
            Factor::Param(id) => Allowed::Range(id.spec().range),
            Factor::Study(k) => match k {
                StudyKey::PlacesCount => Allowed::Range(Range::Size(MAX_CADRES)),
                StudyKey::StrengthSpread => Allowed::Range(Range::NonNegative),
                StudyKey::PublishScope => Allowed::Choice(&PublishScope::NAMES),
                StudyKey::RolloutAssign => Allowed::Choice(&Assignment::NAMES),
                StudyKey::RolloutStart | StudyKey::RolloutSpacing => {
                    Allowed::Range(Range::Size(u32::MAX))
                }
                StudyKey::RolloutShare => Allowed::Share,
            },
        }
    }

    /// Its choices' names, for a factor with named choices.
    pub fn choices(self) -> Option<&'static [&'static str]> {
        match self.allowed() {
            Allowed::Choice(names) => Some(names),
            _ => None,
        }
    }

    /// Whether its values are whole numbers (choices count as such: they are indices).
    pub fn is_integer(self) -> bool {
        match self.allowed() {
            Allowed::Range(r) => r.is_integer(),
            Allowed::Share => false,
            Allowed::Choice(_) => true,
        }
    }

    /// Checks `value`; the message names the key, the value and what is allowed.
    pub fn check(self, value: f64) -> Result<f64, String> {
        let fits = match self.allowed() {
            Allowed::Range(r) => r.contains(value),
            Allowed::Share => value > 0.0 && value <= 1.0,
            Allowed::Choice(names) => integer_in(value, 0.0, names.len() as f64 - 1.0),
        };
        if fits {
            Ok(value)
        } else {
            Err(format!(
                "`{}` = {value} is out of range: it must be {}",
                self.key(),
                self.allowed()
            ))
        }
    }

    /// The number of a choice's name; the message lists the names.
    pub fn choice(self, name: &str) -> Result<f64, String> {
        let names = self.choices().unwrap_or(&[]);
        names
            .iter()
            .position(|n| *n == name)
            .map(|i| i as f64)
            .ok_or_else(|| {
                format!(
                    "`{}` = \"{name}\" is not allowed: it must be {}",
                    self.key(),
                    self.allowed()
                )
            })
    }

    /// A value as text: the choice's name, or the number as CSV files write it.
    pub fn format(self, value: f64) -> String {
        match self.choices() {
            Some(names) => names[value as usize].to_string(),
            None => crate::output::number(value),
        }
    }

    /// A value given as text (`--set`, a classroom request): a choice's name or a number,
    /// checked.
    pub fn parse(self, text: &str) -> Result<f64, String> {
        if self.choices().is_some() {
            return self.choice(text);
        }
        let value: f64 = text.parse().map_err(|_| {
            format!(
                "`{}` = `{text}` is not a number; it must be {}",
                self.key(),
                self.allowed()
            )
        })?;
        self.check(value)
    }

    /// The value of this factor in `scenario`; None for a rollout key of a scenario without
    /// a rollout.
    pub fn get(self, scenario: &Scenario) -> Option<f64> {
        let places = &scenario.places;
        Some(match self {
            Factor::Param(id) => scenario.get(id),
            Factor::Study(k) => match k {
                StudyKey::PlacesCount => places.count as f64,
                StudyKey::StrengthSpread => places.strength_spread,
                StudyKey::PublishScope => self.choice(places.publish_scope.name()).ok()?,
                _ => {
                    let rollout = scenario.rollout.as_ref()?;
                    let ats: Vec<u32> = rollout.cohorts.iter().map(|c| c.at).collect();
                    match k {
                        StudyKey::RolloutAssign => self.choice(rollout.assign.name()).ok()?,
                        StudyKey::RolloutStart => ats[0] as f64,
                        // Uneven gaps have no one spacing: the first gap is what spacing keeps.
                        StudyKey::RolloutSpacing => ats.get(1).map_or(1, |a| a - ats[0]) as f64,
                        _ => rollout.cohorts.iter().map(|c| c.share).sum(),
                    }
                }
            },
        })
    }

    /// Sets this factor in `scenario` to an already checked value (see [`Factor::check`]).
    /// A rollout key of a scenario without a rollout is refused, naming the key.
    pub fn apply(self, scenario: &mut Scenario, value: f64) -> Result<(), String> {
        let k = match self {
            Factor::Param(id) => {
                scenario.set(id, value);
                return Ok(());
            }
            Factor::Study(k) => k,
        };
        let places = &mut scenario.places;
        match k {
            StudyKey::PlacesCount => places.count = value as u32,
            StudyKey::StrengthSpread => places.strength_spread = value,
            StudyKey::PublishScope => {
                places.publish_scope = PublishScope::from_name(self.format(value).as_str())
                    .expect("a checked index names a scope")
            }
            _ => {
                let Some(rollout) = scenario.rollout.as_mut() else {
                    return Err(format!(
                        "`{}` edits the rollout, but scenario '{}' has no [rollout]",
                        self.key(),
                        scenario.name
                    ));
                };
                let cohorts = &mut rollout.cohorts;
                match k {
                    StudyKey::RolloutAssign => {
                        rollout.assign = Assignment::from_name(self.format(value).as_str())
                            .expect("a checked index names an assignment")
                    }
                    StudyKey::RolloutStart => {
                        let first = cohorts[0].at;
                        for c in cohorts.iter_mut() {
                            c.at = c.at - first + value as u32;
                        }
                    }
                    StudyKey::RolloutSpacing => {
                        let first = cohorts[0].at;
                        for (i, c) in cohorts.iter_mut().enumerate() {
                            c.at = first.saturating_add((i as u32).saturating_mul(value as u32));
                        }
                    }
                    _ => {
                        let total: f64 = cohorts.iter().map(|c| c.share).sum();
                        for c in cohorts.iter_mut() {
                            c.share *= value / total;
                        }
                    }
                }
            }
        }
        Ok(())
    }
}

impl fmt::Display for Factor {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.key())
    }
}

/// Written as its key, as `ParamId` is: a sweep's manifest and hash read `"regime.detect"`.
impl Serialize for Factor {
    fn serialize<S: serde::Serializer>(&self, ser: S) -> Result<S::Ok, S::Error> {
        ser.serialize_str(self.key())
    }
}

impl<'de> Deserialize<'de> for Factor {
    fn deserialize<D: serde::Deserializer<'de>>(de: D) -> Result<Self, D::Error> {
        let key = String::deserialize(de)?;
        Factor::of(&key).map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::places::{Cohort, Rollout};

    fn with_rollout(cohorts: &[(u32, f64)]) -> Scenario {
        let mut s = Scenario::default();
        s.places.count = 10;
        s.rollout = Some(Rollout {
            name: "adopted".into(),
            adopt: vec![(ParamId::Detect, 0.9)],
            cohorts: cohorts
                .iter()
                .map(|&(at, share)| Cohort { at, share })
                .collect(),
            assign: Assignment::Random,
        });
        s
    }

    fn cohorts(s: &Scenario) -> Vec<(u32, f64)> {
        let r = s.rollout.as_ref().unwrap();
        r.cohorts.iter().map(|c| (c.at, c.share)).collect()
    }

    #[test]
    fn keys_read_back_and_parameters_keep_their_serialised_form() {
        for k in StudyKey::ALL {
            assert_eq!(Factor::of(k.key()), Ok(Factor::Study(k)));
        }
        assert_eq!(Factor::of("detect"), Ok(Factor::Param(ParamId::Detect)));
        let json = serde_json::to_string(&Factor::Param(ParamId::Detect)).unwrap();
        assert_eq!(json, serde_json::to_string(&ParamId::Detect).unwrap());
        let back: Factor = serde_json::from_str("\"rollout.start\"").unwrap();
        assert_eq!(back, Factor::Study(StudyKey::RolloutStart));
        assert_eq!(
            Factor::of("places.strenght_spread").unwrap_err(),
            "unknown key `places.strenght_spread` (did you mean `places.strength_spread`?)"
        );
    }

    #[test]
    fn values_are_checked_and_choices_named() {
        let scope = Factor::Study(StudyKey::PublishScope);
        assert_eq!(scope.parse("place"), Ok(1.0));
        assert_eq!(scope.format(1.0), "place");
        assert_eq!(
            scope.parse("global").unwrap_err(),
            "`places.publish_scope` = \"global\" is not allowed: it must be one of \"national\", \"place\""
        );
        assert!(scope.check(2.0).is_err());
        let share = Factor::Study(StudyKey::RolloutShare);
        assert_eq!(
            share.check(0.0).unwrap_err(),
            "`rollout.share` = 0 is out of range: it must be a number in (0, 1]"
        );
        assert_eq!(
            Factor::Study(StudyKey::RolloutStart)
                .parse("2.5")
                .unwrap_err(),
            "`rollout.start` = 2.5 is out of range: it must be an integer in [1, 4294967295]"
        );
    }

    #[test]
    fn rollout_keys_move_the_cohorts_as_wholes() {
        let mut s = with_rollout(&[(4, 0.2), (6, 0.2), (10, 0.4)]);
        let start = Factor::Study(StudyKey::RolloutStart);
        let spacing = Factor::Study(StudyKey::RolloutSpacing);
        let share = Factor::Study(StudyKey::RolloutShare);
        start.apply(&mut s, 8.0).unwrap();
        assert_eq!(cohorts(&s), [(8, 0.2), (10, 0.2), (14, 0.4)]);
        assert_eq!(start.get(&s), Some(8.0));
        spacing.apply(&mut s, 5.0).unwrap();
        assert_eq!(cohorts(&s), [(8, 0.2), (13, 0.2), (18, 0.4)]);
        assert_eq!(spacing.get(&s), Some(5.0));
        share.apply(&mut s, 1.0).unwrap();
        let shares: Vec<f64> = cohorts(&s).iter().map(|c| c.1).collect();
        assert!((shares[0] - 0.25).abs() < 1e-12 && (shares[2] - 0.5).abs() < 1e-12);
        assert!((share.get(&s).unwrap() - 1.0).abs() < 1e-12);
        let assign = Factor::Study(StudyKey::RolloutAssign);
        assign.apply(&mut s, 2.0).unwrap();
        assert_eq!(s.rollout.as_ref().unwrap().assign, Assignment::StrictFirst);

        let mut plain = Scenario::default();
        assert_eq!(
            start.apply(&mut plain, 3.0).unwrap_err(),
            "`rollout.start` edits the rollout, but scenario 'nominal_tolerance' has no [rollout]"
        );
        assert_eq!(start.get(&plain), None);
    }
}
