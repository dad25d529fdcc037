//! The `[places]` and `[rollout]` tables of a scenario file (model extension 1.2).
//!
//! ```toml
//! [places]
//! count = 30                  # places; the units are split evenly among them
//! publish_scope = "national"  # or "place": how far a published case reaches
//! strength_spread = 0.3       # spread of implementation strength across places
//!
//! [rollout]
//! adopt = "optimized_path"    # the scenario whose regime places adopt (optional)
//! assign = "random"           # or "lenient_first", "strict_first"
//! [rollout.regime]            # regime values adopted, on top of `adopt` (optional)
//! publish = 0.8
//! [[rollout.cohorts]]
//! at = 8                      # the step its places adopt before
//! share = 0.25                # its share of the places; the rest never adopt
//! ```
//!
//! Every problem is reported with file and line, like the rest of the file. What needs the
//! whole scenario (cohorts within the run, places dividing the units) is checked by
//! [`super::Scenario::validate`].

use crate::model::Regime;
use crate::model::params::{Section, find_spec, integer_in, section_specs};
use crate::model::places::{Assignment, Cohort, Rollout};

use super::factor::quoted;
use super::input::{Document, Problems, Table, Value};
use super::{Factor, InputError, Scenario};

const PLACES_KEYS: &[&str] = &["count", "publish_scope", "strength_spread"];
const ROLLOUT_KEYS: &[&str] = &["name", "adopt", "assign", "regime", "cohorts"];
const COHORT_KEYS: &[&str] = &["at", "share"];

/// A choice among names: the value, or a message listing the names.
fn choice<T>(
    doc: &Document<'_>,
    key: &str,
    value: &Value<'_>,
    names: &[&str],
    of: impl Fn(&str) -> Option<T>,
) -> Result<T, InputError> {
    let name = doc.string(key, value)?;
    of(&name).ok_or_else(|| {
        doc.error(
            &value.span(),
            format!(
                "`{key}` = \"{name}\" is not allowed: it must be one of {}",
                quoted(names)
            ),
        )
    })
}

/// Applies the keys of a `[places]` table to `scenario`, recording each bad key or value.
/// The keys are [`Factor`]s, read and checked as a sweep axis or `--set` reads them.
pub fn read_places(
    doc: &Document<'_>,
    table: &Table<'_>,
    scenario: &mut Scenario,
    problems: &mut Problems,
) {
    for (key, value) in table.iter() {
        if problems
            .check(doc.check_known(key, "[places]", PLACES_KEYS))
            .is_none()
        {
            continue;
        }
        let factor = Factor::of(&format!("places.{}", key.get_ref()))
            .expect("every [places] key is a factor");
        if let Some(v) = problems.check(doc.factor(factor, value)) {
            factor
                .apply(scenario, v)
                .expect("places keys need no rollout");
        }
    }
}

/// Reads a `[rollout]` table. `regime` is the scenario's own regime (what adoption changes
/// from); `load` resolves the scenario named by `adopt`. None after recording problems.
pub fn read_rollout(
    doc: &Document<'_>,
    table: &Table<'_>,
    regime: &Regime,
    load: &mut dyn FnMut(&str) -> Result<Scenario, InputError>,
    problems: &mut Problems,
) -> Option<Rollout> {
    if !doc.check_keys(table, "[rollout]", ROLLOUT_KEYS, problems) {
        return None;
    }
    let get = |name: &str| {
        table
            .iter()
            .find(|(k, _)| k.get_ref() == name)
            .map(|(_, v)| v)
    };
    let mut ok = true;
    let mut adopted = regime.clone();
    let mut name = None;
    if let Some(value) = get("adopt") {
        let found = doc.string("rollout.adopt", value).and_then(|reference| {
            load(&reference)
                .map(|s| (reference, s))
                .map_err(|e| doc.error(&value.span(), format!("`rollout.adopt`: {}", e.message)))
        });
        match problems.check(found) {
            Some((_, scenario)) => {
                adopted = scenario.regime;
                name = Some(scenario.name);
            }
            None => ok = false,
        }
    }
    if let Some(value) = get("regime") {
        match problems.check(doc.table("rollout.regime", value)) {
            Some(t) => {
                let names: Vec<&str> = section_specs(Section::Regime).map(|s| s.name).collect();
                for (key, v) in t.iter() {
                    let context = "[rollout.regime] (a rollout adopts [regime] parameters)";
                    if problems
                        .check(doc.check_known(key, context, &names))
                        .is_none()
                    {
                        ok = false;
                        continue;
                    }
                    let spec = find_spec(Section::Regime, key.get_ref()).expect("checked above");
                    match problems.check(doc.param(spec, v)) {
                        Some(v) => {
                            adopted.set(spec.id, v);
                        }
                        None => ok = false,
                    }
                }
            }
            None => ok = false,
        }
    }
    if let Some(value) = get("name") {
        name = problems.check(doc.string("rollout.name", value)).or(name);
    }
    let assign = match get("assign") {
        Some(v) => problems.check(choice(
            doc,
            "rollout.assign",
            v,
            &Assignment::NAMES,
            Assignment::from_name,
        )),
        None => Some(Assignment::default()),
    };
    let cohorts = match get("cohorts") {
        Some(v) => read_cohorts(doc, v, problems),
        None => {
            problems.add(InputError::new(
                doc.origin.clone(),
                "[rollout] needs at least one [[rollout.cohorts]] with `at` (the adoption step) and `share` (of the places)",
            ));
            None
        }
    };
    let (assign, cohorts) = (assign?, cohorts?);
    if !ok {
        return None;
    }
    let adopt = section_specs(Section::Regime)
        .map(|s| (s.id, adopted.get(s.id).expect("a regime parameter")))
        .filter(|&(id, v)| regime.get(id) != Some(v))
        .collect();
    Some(Rollout {
        name: name.unwrap_or_else(|| "adopted regime".into()),
        adopt,
        cohorts,
        assign,
    })
}

/// Reads `[[rollout.cohorts]]`: each an `at` step of at least 1 and a share in (0, 1]; the
/// shares sum to at most 1, and no two cohorts share a step.
fn read_cohorts(
    doc: &Document<'_>,
    value: &Value<'_>,
    problems: &mut Problems,
) -> Option<Vec<Cohort>> {
    let toml::de::DeValue::Array(items) = value.get_ref() else {
        problems.add(doc.error(
            &value.span(),
            "`rollout.cohorts` must be an array of tables: write each cohort as [[rollout.cohorts]]",
        ));
        return None;
    };
    let mut cohorts: Vec<Cohort> = Vec::new();
    let mut ok = true;
    for item in items.iter() {
        let Some(t) = problems.check(doc.table("rollout.cohorts", item)) else {
            ok = false;
            continue;
        };
        if !doc.check_keys(t, "a cohort", COHORT_KEYS, problems) {
            ok = false;
            continue;
        }
        let get = |name: &str| t.iter().find(|(k, _)| k.get_ref() == name).map(|(_, v)| v);
        let (Some(at), Some(share)) = (get("at"), get("share")) else {
            problems.add(doc.error(&item.span(), "a cohort needs `at` (the step its places adopt before, >= 1) and `share` (of the places, in (0, 1])"));
            ok = false;
            continue;
        };
        let at = problems.check(doc.number("at", at).and_then(|v| {
            if integer_in(v, 1.0, u32::MAX as f64) {
                Ok(v as u32)
            } else {
                Err(doc.error(&at.span(), format!("a cohort's `at` = {v} must be an integer step >= 1: a place adopting at step 0 has no time before adoption to compare with")))
            }
        }));
        let share = problems.check(doc.number("share", share).and_then(|v| {
            if v > 0.0 && v <= 1.0 {
                Ok(v)
            } else {
                Err(doc.error(
                    &share.span(),
                    format!(
                        "a cohort's `share` = {v} is out of range: it must be a number in (0, 1]"
                    ),
                ))
            }
        }));
        match (at, share) {
            (Some(at), Some(share)) => {
                if cohorts.iter().any(|c| c.at == at) {
                    problems.add(doc.error(&item.span(), format!("two cohorts adopt at step {at}: give each step once, with the share of both")));
                    ok = false;
                } else {
                    cohorts.push(Cohort { at, share });
                }
            }
            _ => ok = false,
        }
    }
    let total: f64 = cohorts.iter().map(|c| c.share).sum();
    if ok && total > 1.0 + 1e-9 {
        problems.add(doc.error(
            &value.span(),
            format!(
                "the cohorts' shares sum to {}: they must sum to at most 1 (the rest never adopt)",
                crate::output::short(total)
            ),
        ));
        ok = false;
    }
    if ok && cohorts.is_empty() {
        problems.add(doc.error(&value.span(), "[rollout] needs at least one cohort"));
        ok = false;
    }
    cohorts.sort_by_key(|c| c.at);
    ok.then_some(cohorts)
}
