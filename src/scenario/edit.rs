//! Scenario edits: a parameter set to a value, or a policy event. The one validator that
//! every way of editing a scenario calls: `[section]` tables and `[[events]]` of scenario
//! files (TOML), `--set` flags, sweep and sensitivity files, and the page's run requests
//! (JSON), so that a value or an event one front end accepts, every front end accepts.
//!
//! Reading the value (a TOML number, a JSON number, a flag's text) and saying where a problem
//! is (file and line, `--set`, `events[2]`) stay with each front end; what is allowed, and
//! the words for what is not, live here.

use crate::model::Event;
use crate::model::params::{
    ParamId, ParamSpec, Section, all_specs, integer_in, section_specs, suggest,
};

/// The spec of `key` (`section.name` or a bare name), or a message with a suggestion.
pub fn lookup_param(key: &str) -> Result<&'static ParamSpec, String> {
    let found = match key.split_once('.') {
        Some((section, name)) => {
            all_specs().find(|s| s.section.name() == section && s.name == name)
        }
        None => all_specs().find(|s| s.name == key),
    };
    found.ok_or_else(|| {
        let hint = suggest(key, all_specs().map(|s| s.key()))
            .or_else(|| suggest(key, all_specs().map(|s| s.name)))
            .map(|s| format!(" (did you mean `{s}`?)"))
            .unwrap_or_else(|| "; `cadre-sim params` lists them all".into());
        format!("unknown parameter `{key}`{hint}")
    })
}

/// Checks `value` against the range of `id`; the message names the key, the value and the
/// range.
pub fn check_value(id: ParamId, value: f64) -> Result<f64, String> {
    let spec = id.spec();
    if spec.range.contains(value) {
        Ok(value)
    } else {
        Err(format!(
            "`{}` = {value} is out of range: it must be {}",
            spec.key(),
            spec.range
        ))
    }
}

/// What an event's `at` must be, as messages say it.
pub const AT_ALLOWED: &str = "an integer step >= 0";

/// The keys an event table may have: `at`, then every `[regime]` parameter, for "unknown
/// key" messages and their "did you mean" hints.
pub fn event_keys() -> Vec<&'static str> {
    std::iter::once("at")
        .chain(section_specs(Section::Regime).map(|s| s.name))
        .collect()
}

/// One key of an event table.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EventKey {
    /// `at`: the step the event applies before.
    At,
    /// A `[regime]` parameter the event changes.
    Change(ParamId),
}

impl EventKey {
    /// The key called `name`; None for a key events may not have (the front end says so,
    /// with [`event_keys`] for its hint).
    pub fn of(name: &str) -> Option<EventKey> {
        if name == "at" {
            return Some(EventKey::At);
        }
        section_specs(Section::Regime)
            .find(|s| s.name == name)
            .map(|s| EventKey::Change(s.id))
    }
}

/// An event being read, key by key; [`EventDraft::finish`] checks it is complete. `place`
/// names the event in messages: "an event" in a scenario file, "events[2]" in a request.
#[derive(Debug, Clone)]
pub struct EventDraft {
    place: String,
    at: Option<u32>,
    changes: Vec<(ParamId, f64)>,
}

impl EventDraft {
    pub fn new(place: impl Into<String>) -> EventDraft {
        EventDraft {
            place: place.into(),
            at: None,
            changes: Vec::new(),
        }
    }

    /// "an event (events may change [regime] parameters)": where an unknown key was found.
    pub fn key_context(&self) -> String {
        format!("{} (events may change [regime] parameters)", self.place)
    }

    /// Sets `at` from `step`; `label` is how the message names the key (`at`,
    /// `events[2].at`).
    pub fn at(&mut self, label: &str, step: f64) -> Result<u32, String> {
        if integer_in(step, 0.0, u32::MAX as f64) {
            self.at = Some(step as u32);
            Ok(step as u32)
        } else {
            Err(format!("`{label}` = {step} must be {AT_ALLOWED}"))
        }
    }

    /// Records that `id` becomes `value`, checked against its range.
    pub fn change(&mut self, id: ParamId, value: f64) -> Result<f64, String> {
        debug_assert_eq!(
            id.section(),
            Section::Regime,
            "EventKey::of admits regime only"
        );
        let value = check_value(id, value)?;
        self.changes.push((id, value));
        Ok(value)
    }

    /// The event, once it has its step and at least one change.
    pub fn finish(self) -> Result<Event, String> {
        let place = self.place;
        let Some(at) = self.at else {
            return Err(format!("{place} needs `at`, the step it applies before"));
        };
        if self.changes.is_empty() {
            return Err(format!(
                "{place} must change at least one [regime] parameter"
            ));
        }
        Ok(Event {
            at,
            changes: self.changes,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn event_keys_are_at_and_regime_parameters_only() {
        assert_eq!(EventKey::of("at"), Some(EventKey::At));
        assert_eq!(
            EventKey::of("leader_duty"),
            Some(EventKey::Change(ParamId::LeaderDuty))
        );
        assert_eq!(
            EventKey::of("cadres"),
            None,
            "population is fixed for a run"
        );
        assert_eq!(EventKey::of("regime.detect"), None, "events use bare names");
        let keys = event_keys();
        assert_eq!(keys[0], "at");
        assert_eq!(keys.len(), 1 + section_specs(Section::Regime).count());
    }

    #[test]
    fn drafts_check_step_values_and_completeness() {
        let mut d = EventDraft::new("events[1]");
        assert_eq!(
            d.at("events[1].at", 1.5).unwrap_err(),
            "`events[1].at` = 1.5 must be an integer step >= 0"
        );
        assert!(d.at("at", -1.0).is_err());
        assert_eq!(
            d.clone().finish().unwrap_err(),
            "events[1] needs `at`, the step it applies before"
        );
        d.at("at", 4.0).unwrap();
        assert_eq!(
            d.clone().finish().unwrap_err(),
            "events[1] must change at least one [regime] parameter"
        );
        assert_eq!(
            d.change(ParamId::Detect, 1.5).unwrap_err(),
            "`regime.detect` = 1.5 is out of range: it must be a number in [0, 1]"
        );
        d.change(ParamId::ReviewDelay, 3.0).unwrap();
        assert_eq!(
            d.finish().unwrap(),
            Event {
                at: 4,
                changes: vec![(ParamId::ReviewDelay, 3.0)]
            }
        );
    }

    #[test]
    fn values_are_checked_against_their_range() {
        assert_eq!(check_value(ParamId::Detect, 0.5), Ok(0.5));
        let e = check_value(ParamId::ReviewDelay, 2.5).unwrap_err();
        assert_eq!(
            e,
            "`regime.review_delay` = 2.5 is out of range: it must be an integer >= 0"
        );
        assert_eq!(lookup_param("detect").unwrap().id, ParamId::Detect);
        assert_eq!(lookup_param("run.seed").unwrap().id, ParamId::Seed);
        assert!(
            lookup_param("regime.detcet")
                .unwrap_err()
                .contains("`regime.detect`")
        );
    }
}
