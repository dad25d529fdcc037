//! Scenarios: the paper's regimes as TOML files, their inheritance (`base`), overrides
//! (`--set`), validation, and the fully resolved form that `show` prints and `summary.json`
//! records.
//!
//! A scenario is resolved completely, and checked, before any simulation starts; every
//! problem becomes an [`InputError`] naming the file, line, key, value and allowed range.

pub mod builtin;
pub mod edit;
pub mod factor;
pub mod input;
pub mod places;

use std::path::{Path, PathBuf};

use serde::Serialize;
use serde::ser::SerializeMap;

use crate::model::params::{
    ParamId, ParamSpec, Section, all_specs, find_spec, section_specs, suggest,
};
use crate::model::{Event, ModelSpec, Places, Population, Regime, Rollout, RunParams};
pub use edit::lookup_param;
use edit::{EventDraft, EventKey};
pub use factor::Factor;
pub use input::InputError;
use input::{Document, FileKind, Problems, Table};

/// A fully resolved scenario: every parameter has a value.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Scenario {
    pub name: String,
    pub description: String,
    pub run: RunParams,
    pub population: Population,
    pub regime: Regime,
    /// The policy timeline, in the order the file lists it.
    #[serde(
        skip_serializing_if = "Vec::is_empty",
        serialize_with = "serialize_events"
    )]
    pub events: Vec<Event>,
    /// The place level: one place unless the file says otherwise (extension 1.2).
    #[serde(skip_serializing_if = "Places::is_default")]
    pub places: Places,
    /// A staggered adoption across places, if any.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub rollout: Option<Rollout>,
}

impl Default for Scenario {
    /// The nominal regime with model.md's defaults.
    fn default() -> Self {
        Scenario {
            name: "nominal_tolerance".into(),
            description: String::new(),
            run: RunParams::default(),
            population: Population::default(),
            regime: Regime::default(),
            events: Vec::new(),
            places: Places::default(),
            rollout: None,
        }
    }
}

impl Scenario {
    /// Loads a scenario by built-in name or by path, resolving its `base` chain.
    pub fn load(reference: &str) -> Result<Scenario, InputError> {
        resolve(reference, None, &mut Vec::new())
    }

    /// Reads a scenario from TOML `text` (not from a file): `origin` names it in messages
    /// (e.g. `scenario dict`), `default_name` is its name when the text gives none, and a
    /// `base` that is a path is relative to the working folder. For callers that hold a
    /// scenario in memory (the Python package's dicts).
    pub fn parse(origin: &str, default_name: &str, text: &str) -> Result<Scenario, InputError> {
        let source = Source {
            text: text.to_string(),
            origin: origin.to_string(),
            default_name: default_name.to_string(),
            base_dir: None,
        };
        resolve_text(source, &mut vec![origin.to_string()])
    }

    /// What the model core needs.
    pub fn model_spec(&self) -> ModelSpec {
        ModelSpec {
            population: self.population.clone(),
            regime: self.regime.clone(),
            events: self.events.clone(),
            places: self.places.clone(),
            rollout: self.rollout.clone(),
        }
    }

    /// The value of a parameter.
    pub fn get(&self, id: ParamId) -> f64 {
        match id.section() {
            Section::Run => self.run.get(id),
            Section::Population => self.population.get(id),
            Section::Regime => self.regime.get(id),
        }
        .expect("every id is a field of its own section")
    }

    /// Sets a parameter to an already validated value (see [`edit::check_value`]).
    pub fn set(&mut self, id: ParamId, value: f64) {
        let own_section = match id.section() {
            Section::Run => self.run.set(id, value),
            Section::Population => self.population.set(id, value),
            Section::Regime => self.regime.set(id, value),
        };
        debug_assert!(own_section);
    }

    /// Sets a parameter after checking the value against its range; the message names the
    /// key, the value and the range.
    pub fn edit(&mut self, id: ParamId, value: f64) -> Result<(), String> {
        let value = edit::check_value(id, value)?;
        self.set(id, value);
        Ok(())
    }

    /// Applies one `--set key=value`: a parameter (`section.name` or a bare name) or a key of
    /// the places or the rollout ([`Factor`]).
    pub fn apply_override(&mut self, assignment: &str) -> Result<(), InputError> {
        let (key, value) = assignment.split_once('=').ok_or_else(|| {
            InputError::new(
                "--set",
                format!("`{assignment}` is not of the form key=value, e.g. regime.detect=0.8"),
            )
        })?;
        Factor::of(key.trim())
            .and_then(|factor| {
                let value = factor.parse(value.trim())?;
                factor.apply(self, value)
            })
            .map_err(|m| InputError::new("--set", m))
    }

    /// Checks what no single parameter's range covers: the timeline and the rollout against
    /// `steps`, the places against the units.
    pub fn validate(&self) -> Result<(), InputError> {
        let here = || format!("scenario '{}'", self.name);
        let groups = crate::model::Groups::new(self.population.cadres, self.population.unit_size);
        let (places, units) = (self.places.count, groups.units());
        if places > 1
            && (!units.is_multiple_of(places)
                || !self
                    .population
                    .cadres
                    .is_multiple_of(self.population.unit_size))
        {
            let per_place = (units / places).max(1);
            return Err(InputError::new(
                here(),
                format!(
                    "`places.count` = {places} does not divide the population evenly: {} cadres in \
                     units of {} make {units} units; places need whole units of the same size, \
                     e.g. `population.cadres` = {} ({places} places x {per_place} units x {} cadres)",
                    self.population.cadres,
                    self.population.unit_size,
                    places * per_place * self.population.unit_size,
                    self.population.unit_size,
                ),
            ));
        }
        if let Some(rollout) = &self.rollout {
            if places < 2 {
                return Err(InputError::new(
                    here(),
                    "a [rollout] needs places that adopt and places to compare them with: set \
                     `places.count` to 2 or more in [places]",
                ));
            }
            let sizes = crate::model::places::cohort_sizes(places, &rollout.cohorts);
            if let Some((cohort, _)) = rollout.cohorts.iter().zip(&sizes).find(|(_, n)| **n == 0) {
                return Err(InputError::new(
                    here(),
                    format!(
                        "the cohort adopting at step {} has `share` = {}, which of {places} \
                         places is {} and rounds to no place: give it a share of at least {} \
                         (one place), or more places",
                        cohort.at,
                        crate::output::short(cohort.share),
                        crate::output::short(cohort.share * places as f64),
                        crate::output::short(1.0 / places as f64),
                    ),
                ));
            }
            if let Some(late) = rollout.cohorts.iter().find(|c| c.at >= self.run.steps) {
                return Err(InputError::new(
                    here(),
                    format!(
                        "a cohort adopts at step {} but the run has {} steps (0 to {}): its \
                         places would never adopt within the run",
                        late.at,
                        self.run.steps,
                        self.run.steps - 1
                    ),
                ));
            }
        }
        for event in &self.events {
            if event.at >= self.run.steps {
                return Err(InputError::new(
                    format!("scenario '{}'", self.name),
                    format!(
                        "an event at step {} lies beyond the run: steps count from 0 and the run \
                         has {} steps, so `at` must be in [0, {}]",
                        event.at,
                        self.run.steps,
                        self.run.steps - 1
                    ),
                ));
            }
        }
        Ok(())
    }

    /// The resolved scenario as TOML: saving it and running the file reproduces the run.
    pub fn to_toml(&self) -> String {
        toml::to_string(self).expect("a resolved scenario serialises to TOML")
    }

    /// Parameters whose value differs from the nominal default: (spec, value).
    pub fn differences_from_nominal(&self) -> Vec<(&'static ParamSpec, f64)> {
        let nominal = Scenario::default();
        all_specs()
            .filter(|s| s.section != Section::Run)
            .map(|s| (s, self.get(s.id)))
            .filter(|(s, v)| *v != nominal.get(s.id))
            .collect()
    }
}

fn serialize_events<S: serde::Serializer>(events: &[Event], ser: S) -> Result<S::Ok, S::Error> {
    struct EventTable<'a>(&'a Event);
    impl Serialize for EventTable<'_> {
        fn serialize<S: serde::Serializer>(&self, ser: S) -> Result<S::Ok, S::Error> {
            let mut map = ser.serialize_map(Some(self.0.changes.len() + 1))?;
            map.serialize_entry("at", &self.0.at)?;
            for &(id, value) in &self.0.changes {
                if id.spec().range.is_integer() {
                    map.serialize_entry(id.name(), &(value as u64))?;
                } else {
                    map.serialize_entry(id.name(), &value)?;
                }
            }
            map.end()
        }
    }
    ser.collect_seq(events.iter().map(EventTable))
}

/// Where a scenario comes from.
enum Origin {
    Builtin(&'static str, &'static str),
    File(PathBuf),
}

impl Origin {
    /// A built-in name, or a path (relative to `dir` when given): a reference with a path
    /// separator or a `.toml` ending is a path; otherwise a built-in name, then a file.
    fn find(reference: &str, dir: Option<&Path>) -> Result<Origin, InputError> {
        let looks_like_path = reference.ends_with(".toml") || reference.contains(['/', '\\']);
        let path = dir.map_or_else(|| PathBuf::from(reference), |d| d.join(reference));
        let builtin = builtin::BUILTIN.iter().find(|(n, _)| *n == reference);
        if let (false, Some(&(name, text))) = (looks_like_path, builtin) {
            return Ok(Origin::Builtin(name, text));
        }
        if looks_like_path || path.is_file() {
            return Ok(Origin::File(path));
        }
        let hint = suggest(reference, builtin::names())
            .map(|s| format!(" (did you mean `{s}`?)"))
            .unwrap_or_default();
        Err(InputError::new(
            "scenario",
            format!(
                "unknown scenario `{reference}`{hint}; built-in scenarios: {}; or give a path to a .toml file",
                builtin::names().collect::<Vec<_>>().join(", ")
            ),
        ))
    }

    /// A name that identifies the source, for cycle detection and messages.
    fn identity(&self) -> String {
        match self {
            Origin::Builtin(name, _) => format!("built-in scenario '{name}'"),
            Origin::File(path) => path
                .canonicalize()
                .unwrap_or_else(|_| path.clone())
                .display()
                .to_string(),
        }
    }
}

const TOP_KEYS: &[&str] = &[
    "name",
    "description",
    "base",
    "run",
    "population",
    "regime",
    "events",
    "places",
    "rollout",
];

/// Resolves `reference` and its base chain; `chain` holds the sources being resolved.
fn resolve(
    reference: &str,
    dir: Option<&Path>,
    chain: &mut Vec<String>,
) -> Result<Scenario, InputError> {
    let origin = Origin::find(reference, dir)?;
    let identity = origin.identity();
    if chain.contains(&identity) {
        chain.push(identity);
        return Err(InputError::new(
            chain[0].clone(),
            format!("`base` forms a cycle: {}", chain.join(" -> ")),
        ));
    }
    let source = match &origin {
        Origin::Builtin(name, text) => Source {
            text: text.to_string(),
            origin: format!("built-in scenario '{name}'"),
            default_name: name.to_string(),
            base_dir: None,
        },
        Origin::File(path) => {
            let text = std::fs::read_to_string(path).map_err(|e| {
                InputError::new(path.display().to_string(), format!("cannot read: {e}"))
            })?;
            let stem = path
                .file_stem()
                .map_or_else(|| "scenario".into(), |s| s.to_string_lossy().into_owned());
            Source {
                text,
                origin: path.display().to_string(),
                default_name: stem,
                base_dir: path.parent().map(Path::to_path_buf),
            }
        }
    };
    chain.push(identity);
    let scenario = resolve_text(source, chain);
    chain.pop();
    scenario
}

/// A scenario's text and where it came from.
struct Source {
    text: String,
    /// Its name in messages.
    origin: String,
    /// Its name when the text gives none.
    default_name: String,
    /// The folder a `base` path is relative to (None: the working folder).
    base_dir: Option<PathBuf>,
}

/// Resolves the scenario in `source`; `chain` holds the sources being resolved, this one
/// included.
fn resolve_text(source: Source, chain: &mut Vec<String>) -> Result<Scenario, InputError> {
    let Source {
        text,
        origin: origin_name,
        default_name,
        base_dir,
    } = source;
    let doc = Document {
        origin: origin_name,
        text: &text,
    };
    let table = doc.parse()?;
    doc.check_kind(&table, FileKind::Scenario)?;
    // Reading goes on past a mistake, so that every mistake in the file is reported at once.
    let mut problems = Problems::default();
    let run_names: Vec<&str> = section_specs(Section::Run).map(|s| s.name).collect();
    for (key, _) in table.iter() {
        if run_names.contains(&key.get_ref().as_ref()) {
            problems.add(doc.error(
                &key.span(),
                format!(
                    "unknown key `{}` at the top of a scenario: it belongs under [run]",
                    key.get_ref()
                ),
            ));
        } else {
            problems.check(doc.check_known(key, "a scenario", TOP_KEYS));
        }
    }
    let get = |name: &str| {
        table
            .iter()
            .find(|(k, _)| k.get_ref() == name)
            .map(|(_, v)| v)
    };

    let base = get("base").and_then(|base| {
        let base_ref = problems.check(doc.string("base", base))?;
        // A built-in's base is another built-in; a file's base is relative to its folder.
        let resolved = resolve(&base_ref, base_dir.as_deref(), chain).map_err(|e| {
            // An unknown name or an unreadable file is reported at this file's `base` line.
            if e.location == "scenario" || e.message.starts_with("cannot read") {
                doc.error(&base.span(), format!("`base`: {}", e.message))
            } else {
                e
            }
        });
        problems.check(resolved)
    });
    // Without a usable base, the rest of the file is still checked against the defaults.
    let mut scenario = base.unwrap_or_default();

    scenario.name = match get("name").map(|v| doc.string("name", v)) {
        Some(name) => problems.check(name).unwrap_or(default_name),
        None => default_name,
    };
    scenario.description = match get("description") {
        Some(v) => problems
            .check(doc.string("description", v))
            .unwrap_or_default()
            .trim()
            .to_string(),
        None => String::new(),
    };
    for section in [Section::Run, Section::Population, Section::Regime] {
        if let Some(value) = get(section.name())
            && let Some(t) = problems.check(doc.table(section.name(), value))
        {
            apply_section(&doc, &mut scenario, section, t, &mut problems);
        }
    }
    if let Some(value) = get("events") {
        scenario.events = read_events(&doc, value, &mut problems);
    }
    if let Some(value) = get("places")
        && let Some(t) = problems.check(doc.table("places", value))
    {
        places::read_places(&doc, t, &mut scenario, &mut problems);
    }
    if let Some(value) = get("rollout")
        && let Some(t) = problems.check(doc.table("rollout", value))
    {
        // A rollout's `adopt` names a scenario the way `base` does (cycles included: the
        // chain holds this scenario).
        let mut load = |reference: &str| resolve(reference, base_dir.as_deref(), chain);
        scenario.rollout =
            places::read_rollout(&doc, t, &scenario.regime, &mut load, &mut problems);
    }
    problems.finish()?;
    Ok(scenario)
}

/// Applies the keys of one `[section]` table, recording each bad key or value.
fn apply_section(
    doc: &Document<'_>,
    scenario: &mut Scenario,
    section: Section,
    table: &Table<'_>,
    problems: &mut Problems,
) {
    let names: Vec<&str> = section_specs(section).map(|s| s.name).collect();
    for (key, value) in table.iter() {
        if problems
            .check(doc.check_known(key, &format!("[{}]", section.name()), &names))
            .is_none()
        {
            continue;
        }
        let spec = find_spec(section, key.get_ref()).expect("checked above");
        if let Some(v) = problems.check(doc.param(spec, value)) {
            scenario.set(spec.id, v);
        }
    }
}

/// Reads `[[events]]`: each an `at` step and at least one regime parameter. Bad events are
/// recorded in `problems` and left out.
fn read_events(
    doc: &Document<'_>,
    value: &input::Value<'_>,
    problems: &mut Problems,
) -> Vec<Event> {
    let toml::de::DeValue::Array(items) = value.get_ref() else {
        problems.add(doc.error(
            &value.span(),
            "`events` must be an array of tables: write each event as [[events]]",
        ));
        return Vec::new();
    };
    let names = edit::event_keys();
    let mut events = Vec::new();
    for item in items.iter() {
        let Some(table) = problems.check(doc.table("events", item)) else {
            continue;
        };
        let mut draft = EventDraft::new("an event");
        let mut ok = true;
        for (key, v) in table.iter() {
            let known = doc.check_known(key, &draft.key_context(), &names);
            if problems.check(known).is_none() {
                ok = false;
                continue;
            }
            let read = match EventKey::of(key.get_ref()).expect("checked above") {
                EventKey::At => doc.number("at", v).and_then(|step| {
                    draft
                        .at("at", step)
                        .map(drop)
                        .map_err(|m| doc.error(&v.span(), m))
                }),
                EventKey::Change(id) => doc.number(id.key(), v).and_then(|value| {
                    draft
                        .change(id, value)
                        .map(drop)
                        .map_err(|m| doc.error(&v.span(), m))
                }),
            };
            ok &= problems.check(read).is_some();
        }
        if !ok {
            continue;
        }
        if let Some(event) = problems.check(draft.finish().map_err(|m| doc.error(&item.span(), m)))
        {
            events.push(event);
        }
    }
    events
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_scenario_text_reads_as_the_same_file() {
        let text = "base = \"optimized_path\"\n[regime]\ndetect = 0.7\n";
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("mine.toml");
        std::fs::write(&path, text).unwrap();
        let from_file = Scenario::load(path.to_str().unwrap()).unwrap();
        assert_eq!(Scenario::parse("<dict>", "mine", text).unwrap(), from_file);
        let e = Scenario::parse("<dict>", "mine", "[regime]\ndetect = 2\n").unwrap_err();
        assert_eq!(e.location, "<dict>:2", "{e}");
    }

    #[test]
    fn every_builtin_loads_and_validates() {
        for name in builtin::names() {
            let s = Scenario::load(name).unwrap_or_else(|e| panic!("{name}: {e}"));
            assert_eq!(s.name, name);
            assert!(!s.description.is_empty(), "{name} needs a description");
            s.validate().unwrap();
        }
    }

    #[test]
    fn base_inherits_then_overrides() {
        let s = Scenario::load("optimized_path").unwrap();
        assert_eq!(s.regime.leader_duty, 0.7);
        assert_eq!(s.regime.review_delay, 1);
        assert_eq!(s.regime.detect, Regime::default().detect);
        let m = Scenario::load("mechanism_introduced").unwrap();
        assert_eq!(m.regime.sensitivity, 0.0, "strict before the event");
        assert_eq!(m.events.len(), 1);
        assert_eq!(m.events[0].at, 20);
    }

    #[test]
    fn resolved_toml_round_trips() {
        for name in ["mechanism_introduced", "optimized_path"] {
            let s = Scenario::load(name).unwrap();
            let dir = tempfile::tempdir().unwrap();
            let path = dir.path().join("resolved.toml");
            std::fs::write(&path, s.to_toml()).unwrap();
            let back = Scenario::load(path.to_str().unwrap()).unwrap();
            assert_eq!(back, s);
        }
    }

    #[test]
    fn overrides_are_checked() {
        let mut s = Scenario::default();
        s.apply_override("regime.detect=0.8").unwrap();
        assert_eq!(s.regime.detect, 0.8);
        s.apply_override("review_delay = 3").unwrap();
        assert_eq!(s.regime.review_delay, 3);
        let e = s.apply_override("regime.detcet=0.8").unwrap_err();
        assert!(e.message.contains("did you mean `regime.detect`"), "{e}");
        let e = s.apply_override("detect=1.5").unwrap_err();
        assert!(e.message.contains("in [0, 1]"), "{e}");
        let e = s.apply_override("review_delay=1.5").unwrap_err();
        assert!(e.message.contains("integer"), "{e}");
        assert!(s.apply_override("detect").is_err());
    }

    #[test]
    fn file_errors_name_file_line_key_and_range() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("bad.toml");
        let load = |text: &str| {
            std::fs::write(&path, text).unwrap();
            Scenario::load(path.to_str().unwrap()).unwrap_err()
        };
        let e = load("name = \"x\"\n[regime]\ndetect = 1.2\n");
        assert!(e.location.ends_with("bad.toml:3"), "{e}");
        assert!(
            e.message.contains("regime.detect") && e.message.contains("1.2"),
            "{e}"
        );
        let e = load("[regime]\nsensitvity = 0.5\n");
        assert!(e.message.contains("did you mean `sensitivity`"), "{e}");
        let e = load("[population]\ncadres = \"many\"\n");
        assert!(
            e.message.contains("must be a number, found a string"),
            "{e}"
        );
        let e = load("[population]\ncadres = 0\n");
        assert!(e.message.contains("integer in [1,"), "{e}");
        let e = load("[[events]]\nat = 3\ncadres = 5\n");
        assert!(
            e.message.contains("unknown key `cadres` in an event"),
            "{e}"
        );
        let e = load("base = \"nominal_tolerence\"\n");
        assert!(
            e.message.contains("did you mean `nominal_tolerance`"),
            "{e}"
        );
    }

    #[test]
    fn every_mistake_is_reported_in_file_order_up_to_the_limit() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("many.toml");
        // 25 misspelt keys, then a bad value on an earlier line than some of them would be
        // found: the list is sorted by line, and cut after MAX_PROBLEMS.
        let mut text = String::from("steps = 10\n[regime]\ndetect = 2\n");
        for i in 0..25 {
            text.push_str(&format!("nonsense_{i} = 1\n"));
        }
        std::fs::write(&path, text).unwrap();
        let e = Scenario::load(path.to_str().unwrap()).unwrap_err();
        assert_eq!(e.count(), 27, "{e}");
        let listed: Vec<(&str, &str)> = e.problems().collect();
        assert_eq!(listed.len(), input::MAX_PROBLEMS);
        assert!(listed[0].0.ends_with("many.toml:1"), "{e}");
        assert!(
            listed[0]
                .1
                .contains("`steps` at the top of a scenario: it belongs under [run]")
        );
        assert!(listed[1].0.ends_with("many.toml:3") && listed[1].1.contains("regime.detect"));
        assert!(
            listed[2].1.contains("unknown key `nonsense_0` in [regime]"),
            "{e}"
        );
        let shown = e.to_string();
        assert_eq!(shown.lines().count(), input::MAX_PROBLEMS + 1);
        assert!(
            shown.lines().skip(1).all(|l| l.starts_with("error: ")),
            "{shown}"
        );
        assert!(shown.ends_with("error: 7 more problems not listed; fix these and run again"));
    }

    #[test]
    fn base_cycles_are_errors() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("a.toml"), "base = \"b.toml\"\n").unwrap();
        std::fs::write(dir.path().join("b.toml"), "base = \"a.toml\"\n").unwrap();
        let e = Scenario::load(dir.path().join("a.toml").to_str().unwrap()).unwrap_err();
        assert!(e.message.contains("cycle"), "{e}");
    }

    #[test]
    fn events_beyond_steps_are_errors() {
        let mut s = Scenario::load("mechanism_introduced").unwrap();
        s.run.steps = 20;
        let e = s.validate().unwrap_err();
        assert!(e.message.contains("beyond the run"), "{e}");
    }

    #[test]
    fn differences_from_nominal() {
        let s = Scenario::load("o2_top_leader").unwrap();
        let d = s.differences_from_nominal();
        assert_eq!(d.len(), 1);
        assert_eq!(d[0].0.id, ParamId::LeaderDuty);
    }
}
