//! A run request from the page, validated by the same rules as scenario files.
//!
//! The body names a built-in scenario (never a path: no request touches the file system),
//! parameter overrides by the same keys as `--set` (`regime.detect` or `detect`), and
//! optionally a replacement policy timeline. Every value is checked against its parameter's
//! range with the scenario module's own checks, then the classroom caps apply, then the
//! scenario's own `validate`. The first problem becomes a 400 answer naming the parameter,
//! the value and what is allowed.

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use crate::model::params::{Section, find_spec, suggest};
use crate::model::{Event, Regime};
use crate::scenario::input::check_param;
use crate::scenario::{Scenario, builtin, lookup_param};

/// The most cadres one classroom run may have.
pub const MAX_CADRES: u32 = 100_000;
/// The most steps one classroom run may have.
pub const MAX_STEPS: u32 = 1_000;

/// The body of `POST /api/run`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RunRequest {
    /// A built-in scenario's name.
    pub scenario: String,
    /// Parameter overrides, `{"regime.detect": 0.8, "cadres": 1000, "seed": 7}`.
    #[serde(default)]
    pub set: Map<String, Value>,
    /// A policy timeline replacing the scenario's: `[{"at": 20, "sensitivity": 0.75}]`.
    #[serde(default)]
    pub events: Option<Vec<Map<String, Value>>>,
}

/// A refused request: the status and the JSON body `{error, parameter?, value?, allowed?}`.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ApiError {
    #[serde(skip)]
    pub status: StatusCode,
    /// What is wrong, in one sentence that names the parameter, the value and the range.
    pub error: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub parameter: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub value: Option<Value>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub allowed: Option<String>,
}

impl ApiError {
    /// A 400 answer about the request as a whole.
    pub fn bad(error: impl Into<String>) -> Self {
        ApiError {
            status: StatusCode::BAD_REQUEST,
            error: error.into(),
            parameter: None,
            value: None,
            allowed: None,
        }
    }

    /// A 400 answer about one parameter's value.
    pub fn param(
        error: impl Into<String>,
        parameter: String,
        value: &Value,
        allowed: String,
    ) -> Self {
        ApiError {
            parameter: Some(parameter),
            value: Some(value.clone()),
            allowed: Some(allowed),
            ..ApiError::bad(error)
        }
    }

    pub fn with_status(self, status: StatusCode) -> Self {
        ApiError { status, ..self }
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        (self.status, axum::Json(&self)).into_response()
    }
}

impl RunRequest {
    /// Parses a request body; malformed JSON and unknown fields are 400 answers too.
    pub fn parse(body: &[u8]) -> Result<RunRequest, ApiError> {
        serde_json::from_slice(body).map_err(|e| {
            ApiError::bad(format!(
                "the request body is not a valid run request: {e}; expected JSON like \
                 {{\"scenario\": \"nominal_tolerance\", \"set\": {{\"regime.detect\": 0.8}}}}"
            ))
        })
    }

    /// The fully resolved, validated scenario this request asks for.
    pub fn resolve(&self) -> Result<Scenario, ApiError> {
        if !builtin::names().any(|n| n == self.scenario) {
            let hint = suggest(&self.scenario, builtin::names())
                .map(|s| format!(" (did you mean `{s}`?)"))
                .unwrap_or_default();
            return Err(ApiError::bad(format!(
                "unknown scenario `{}`{hint}; the page runs built-in scenarios only: {}",
                self.scenario,
                builtin::names().collect::<Vec<_>>().join(", ")
            )));
        }
        let mut scenario = Scenario::load(&self.scenario).map_err(|e| {
            ApiError::bad(e.to_string()).with_status(StatusCode::INTERNAL_SERVER_ERROR)
        })?;

        for (key, value) in &self.set {
            let spec = lookup_param(key).map_err(|m| ApiError {
                parameter: Some(key.clone()),
                ..ApiError::bad(m)
            })?;
            if spec.key() == "run.replicates" {
                return Err(ApiError::param(
                    "`run.replicates` cannot be set here: the page shows one replicate (replicate 0)",
                    spec.key(),
                    value,
                    "not settable".into(),
                ));
            }
            // Sizes are checked against the classroom caps, so that the message gives the
            // range that applies here rather than the command line's.
            let cap = CAPS.iter().find(|(k, _)| *k == spec.key()).map(|(_, c)| *c);
            let allowed = match cap {
                Some(cap) => format!("an integer in [1, {cap}]"),
                None => spec.range.to_string(),
            };
            let v = number(&spec.key(), value, &allowed)?;
            if let Some(cap) = cap {
                check_cap(&spec.key(), v, value, cap)?;
            }
            let v = check_param(spec, v)
                .map_err(|m| ApiError::param(m, spec.key(), value, allowed.clone()))?;
            scenario.set(spec, v);
        }
        if let Some(events) = &self.events {
            scenario.events = events
                .iter()
                .enumerate()
                .map(|(i, e)| event(i, e))
                .collect::<Result<_, _>>()?;
        }

        // The scenario's own sizes (built-ins are classroom-sized, but say so if one is not).
        let cadres = scenario.population.cadres;
        check_cap(
            "population.cadres",
            cadres as f64,
            &cadres.into(),
            MAX_CADRES,
        )?;
        let steps = scenario.run.steps;
        check_cap("run.steps", steps as f64, &steps.into(), MAX_STEPS)?;
        scenario.validate().map_err(|e| ApiError::bad(e.message))?;
        Ok(scenario)
    }
}

/// The sizes capped for the classroom: (key, largest value).
const CAPS: [(&str, u32); 2] = [("population.cadres", MAX_CADRES), ("run.steps", MAX_STEPS)];

/// Checks a size against its classroom cap: an integer in [1, cap].
fn check_cap(key: &str, value: f64, given: &Value, cap: u32) -> Result<(), ApiError> {
    if value >= 1.0 && value <= cap as f64 && value.fract() == 0.0 {
        return Ok(());
    }
    let over = if value > cap as f64 {
        " is over the classroom cap:"
    } else {
        " is out of range:"
    };
    Err(ApiError::param(
        format!(
            "`{key}` = {value}{over} it must be an integer in [1, {cap}] (use `cadre-sim run` \
             for larger runs)"
        ),
        key.into(),
        given,
        format!("an integer in [1, {cap}]"),
    ))
}

/// A JSON number as f64, or an error naming the key.
fn number(key: &str, value: &Value, allowed: &str) -> Result<f64, ApiError> {
    value.as_f64().ok_or_else(|| {
        ApiError::param(
            format!("`{key}` = {value} is not a number; it must be {allowed}"),
            key.into(),
            value,
            allowed.into(),
        )
    })
}

/// Event `i` of a request: `at` and at least one `[regime]` parameter, as in scenario files.
fn event(i: usize, table: &Map<String, Value>) -> Result<Event, ApiError> {
    let place = format!("events[{i}]");
    let mut at = None;
    let mut changes = Vec::new();
    for (key, value) in table {
        if key == "at" {
            let allowed = "an integer step >= 0";
            let step = number(&format!("{place}.at"), value, allowed)?;
            if !(step >= 0.0 && step.fract() == 0.0 && step <= u32::MAX as f64) {
                return Err(ApiError::param(
                    format!("`{place}.at` = {step} must be {allowed}"),
                    format!("{place}.at"),
                    value,
                    allowed.into(),
                ));
            }
            at = Some(step as u32);
            continue;
        }
        let Some(spec) = find_spec(Section::Regime, key) else {
            let hint = suggest(key, Regime::SPECS.iter().map(|s| s.name))
                .map(|s| format!(" (did you mean `{s}`?)"))
                .unwrap_or_default();
            return Err(ApiError {
                parameter: Some(format!("{place}.{key}")),
                ..ApiError::bad(format!(
                    "unknown key `{key}` in {place} (events may change [regime] parameters){hint}"
                ))
            });
        };
        let v = number(&spec.key(), value, &spec.range.to_string())?;
        let v = check_param(spec, v).map_err(|m| {
            ApiError::param(
                format!("{place}: {m}"),
                spec.key(),
                value,
                spec.range.to_string(),
            )
        })?;
        changes.push((spec.name.to_string(), v));
    }
    let at =
        at.ok_or_else(|| ApiError::bad(format!("{place} needs `at`, the step it applies before")))?;
    if changes.is_empty() {
        return Err(ApiError::bad(format!(
            "{place} must change at least one [regime] parameter"
        )));
    }
    Ok(Event { at, changes })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn resolve(body: &str) -> Result<Scenario, ApiError> {
        RunRequest::parse(body.as_bytes())?.resolve()
    }

    #[test]
    fn overrides_use_the_scenario_rules() {
        let s = resolve(r#"{"scenario":"optimized_path","set":{"detect":0.9,"regime.review_delay":3,"cadres":500,"steps":12,"seed":7}}"#).unwrap();
        assert_eq!(s.regime.detect, 0.9);
        assert_eq!(s.regime.review_delay, 3);
        assert_eq!(s.regime.leader_duty, 0.7, "the rest of the preset stays");
        assert_eq!((s.population.cadres, s.run.steps, s.run.seed), (500, 12, 7));
    }

    #[test]
    fn bad_values_name_parameter_value_and_range() {
        let e = resolve(r#"{"scenario":"nominal_tolerance","set":{"detect":1.5}}"#).unwrap_err();
        assert_eq!(e.status, StatusCode::BAD_REQUEST);
        assert_eq!(e.parameter.as_deref(), Some("regime.detect"));
        assert_eq!(e.allowed.as_deref(), Some("a number in [0, 1]"));
        assert!(e.error.contains("1.5"), "{}", e.error);
        let e = resolve(r#"{"scenario":"nominal_tolerance","set":{"detcet":0.5}}"#).unwrap_err();
        assert!(e.error.contains("did you mean"), "{}", e.error);
        let e = resolve(r#"{"scenario":"nominal_tolerance","set":{"review_delay":"soon"}}"#)
            .unwrap_err();
        assert!(e.error.contains("not a number"), "{}", e.error);
        let e = resolve(r#"{"scenario":"nominal_tolerance","set":{"cadres":100001}}"#).unwrap_err();
        assert!(e.error.contains("[1, 100000]"), "{}", e.error);
        let e = resolve(r#"{"scenario":"nominal_tolerance","set":{"cadres":0}}"#).unwrap_err();
        assert!(
            e.error
                .contains("out of range: it must be an integer in [1, 100000]"),
            "{}",
            e.error
        );
        let e = resolve(r#"{"scenario":"nominal_tolerance","set":{"cadres":2.5}}"#).unwrap_err();
        assert_eq!(e.allowed.as_deref(), Some("an integer in [1, 100000]"));
        let e = resolve(r#"{"scenario":"nominal_tolerance","set":{"steps":1001}}"#).unwrap_err();
        assert_eq!(e.parameter.as_deref(), Some("run.steps"));
        let e = resolve(r#"{"scenario":"nominal_tolerance","set":{"replicates":5}}"#).unwrap_err();
        assert!(e.error.contains("replicate 0"), "{}", e.error);
    }

    #[test]
    fn scenarios_are_built_in_names_never_paths() {
        for name in [
            "/etc/passwd",
            "scenarios/optimized_path.toml",
            "../x.toml",
            "optimised_path",
        ] {
            let body = serde_json::json!({ "scenario": name }).to_string();
            let e = resolve(&body).unwrap_err();
            assert!(e.error.contains("unknown scenario"), "{name}: {}", e.error);
        }
        let e = resolve(r#"{"scenario":"optimised_path"}"#).unwrap_err();
        assert!(
            e.error.contains("did you mean `optimized_path`"),
            "{}",
            e.error
        );
        let e = resolve(r#"{"scenario":"optimized_path","steps":5}"#).unwrap_err();
        assert!(e.error.contains("unknown field `steps`"), "{}", e.error);
    }

    #[test]
    fn events_are_validated_like_scenario_files() {
        let s = resolve(
            r#"{"scenario":"strict_accountability","events":[{"at":5,"sensitivity":0.7}]}"#,
        )
        .unwrap();
        assert_eq!(
            s.events,
            vec![Event {
                at: 5,
                changes: vec![("sensitivity".into(), 0.7)]
            }]
        );
        let e = resolve(r#"{"scenario":"strict_accountability","events":[{"at":5,"cadres":9}]}"#)
            .unwrap_err();
        assert!(
            e.error.contains("unknown key `cadres` in events[0]"),
            "{}",
            e.error
        );
        let e =
            resolve(r#"{"scenario":"strict_accountability","events":[{"at":1.5,"detect":0.2}]}"#)
                .unwrap_err();
        assert!(e.error.contains("integer step"), "{}", e.error);
        let e = resolve(r#"{"scenario":"strict_accountability","events":[{"at":3}]}"#).unwrap_err();
        assert!(e.error.contains("at least one"), "{}", e.error);
        // The built-in timeline must still fit the run.
        let e = resolve(r#"{"scenario":"mechanism_introduced","set":{"steps":10}}"#).unwrap_err();
        assert!(e.error.contains("beyond the run"), "{}", e.error);
    }
}
