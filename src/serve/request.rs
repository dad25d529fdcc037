//! A run request from the page, validated by the same rules as scenario files.
//!
//! The body names a built-in scenario (never a path: no request touches the file system),
//! parameter overrides by the same keys as `--set` (`regime.detect` or `detect`), and
//! optionally a replacement policy timeline. Every value is checked against its parameter's
//! range with the scenario module's own checks, then the classroom caps apply, then the
//! scenario's own `validate`. The first problem becomes a 400 answer naming the parameter,
//! the value and what is allowed.

use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use super::text;
use crate::error::InputError;
use crate::i18n::Lang;
use crate::model::Event;
use crate::model::params::{ParamId, Range, integer_in, suggest};
use crate::scenario::edit::{AT_ALLOWED, EventDraft, EventKey, check_value, event_keys};
use crate::scenario::{Scenario, builtin, lookup_param};

/// The most cadres one classroom run may have.
pub const MAX_CADRES: u32 = 100_000;
/// The most steps one classroom run may have.
pub const MAX_STEPS: u32 = 1_000;
/// The most runs the page may average (`run.replicates`).
pub const MAX_REPLICATES: u32 = 20;
/// The most cadre-steps one request may compute, all averaged runs together
/// (replicates × cadres × steps): the size of the largest single run.
pub const MAX_WORK: u64 = MAX_CADRES as u64 * MAX_STEPS as u64;

/// The body of `POST /api/run`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RunRequest {
    /// A built-in scenario's name.
    pub scenario: String,
    /// Parameter overrides, `{"regime.detect": 0.8, "cadres": 1000, "seed": 7}`.
    /// `run.replicates` (default 1) is the number of runs averaged.
    #[serde(default)]
    pub set: Map<String, Value>,
    /// A policy timeline replacing the scenario's: `[{"at": 20, "sensitivity": 0.75}]`.
    #[serde(default)]
    pub events: Option<Vec<Map<String, Value>>>,
    /// The language of error messages: `en` (default) or `zh`.
    #[serde(default)]
    pub lang: Option<String>,
}

/// What kind of problem refused a request, with what the page's plain-words message needs.
#[derive(Debug, Clone, PartialEq)]
pub enum Problem {
    /// Malformed or unknown fields, parameters or values of the wrong type: a bug or a
    /// hand-made request, never something the page's controls produce.
    InvalidRequest,
    UnknownScenario,
    /// `parameter` = `value` is outside `allowed`.
    OutOfRange(Allowed),
    /// replicates × cadres × steps is over [`MAX_WORK`].
    TooMuchWork {
        replicates: u32,
        cadres: u32,
        steps: u32,
    },
    /// A policy event at step `at` does not fit a run of `steps` steps.
    EventBeyondRun {
        at: u32,
        steps: u32,
    },
    /// [`super::MAX_RUNS`] runs are already computing.
    Busy,
    NotFound,
    MethodNotAllowed,
    /// A refusal of the class game (`serve --class`), by its kind: its words are in
    /// `class::text::problem_message`.
    Class(&'static str),
}

/// The values a parameter may take, for the plain-words message.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Allowed {
    /// An integer in [min, max].
    Integer { min: u64, max: u64 },
    /// The parameter's own range.
    Range(Range),
}

impl Problem {
    /// The stable name of the kind, the `kind` field of the answer.
    pub fn kind(&self) -> &'static str {
        match self {
            Problem::InvalidRequest => "invalid_request",
            Problem::UnknownScenario => "unknown_scenario",
            Problem::OutOfRange(_) => "out_of_range",
            Problem::TooMuchWork { .. } => "too_much_work",
            Problem::EventBeyondRun { .. } => "event_beyond_run",
            Problem::Busy => "busy",
            Problem::NotFound => "not_found",
            Problem::MethodNotAllowed => "method_not_allowed",
            Problem::Class(kind) => kind,
        }
    }
}

/// A refused request: the status and the JSON body
/// `{kind, message, messages, error, parameter?, value?, allowed?}` (`kind`, `message` and
/// `messages` are added when it is sent, see `into_response`).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ApiError {
    #[serde(skip)]
    pub status: StatusCode,
    /// Boxed: errors are rare, and a small error keeps every `Result` small.
    #[serde(skip)]
    pub problem: Box<Problem>,
    /// The language of `message`.
    #[serde(skip)]
    pub lang: Lang,
    /// What is wrong, precisely, in one English sentence that names the parameter, the
    /// value and the range (for scripts and developers).
    pub error: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub parameter: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub value: Option<Value>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub allowed: Option<String>,
}

impl ApiError {
    /// A 400 answer of kind `problem`.
    pub fn new(problem: Problem, error: impl Into<String>) -> Self {
        ApiError {
            status: StatusCode::BAD_REQUEST,
            problem: Box::new(problem),
            lang: Lang::En,
            error: error.into(),
            parameter: None,
            value: None,
            allowed: None,
        }
    }

    /// A 400 answer about a request the page would not send.
    pub fn bad(error: impl Into<String>) -> Self {
        ApiError::new(Problem::InvalidRequest, error)
    }

    /// A 400 answer about one parameter's value.
    pub fn param(
        problem: Problem,
        error: impl Into<String>,
        parameter: String,
        value: &Value,
        allowed: String,
    ) -> Self {
        ApiError {
            parameter: Some(parameter),
            value: Some(value.clone()),
            allowed: Some(allowed),
            ..ApiError::new(problem, error)
        }
    }

    pub fn with_status(self, status: StatusCode) -> Self {
        ApiError { status, ..self }
    }

    /// The same error, its message in `lang`.
    pub fn in_lang(self, lang: Lang) -> Self {
        ApiError { lang, ..self }
    }
}

/// Bad input found by the library's own checks (a whole scenario's validation) is a 400
/// answer naming every problem, as the command line would.
impl From<InputError> for ApiError {
    fn from(e: InputError) -> Self {
        ApiError::bad(e.to_string())
    }
}

impl IntoResponse for ApiError {
    /// The body adds, for people: `message`, the problem in plain words in the request's
    /// language, saying what to change; `messages`, the same in both languages, so the page
    /// can switch language while the message is shown.
    fn into_response(self) -> Response {
        let mut body = serde_json::to_value(&self).unwrap_or_default();
        if let Value::Object(map) = &mut body {
            map.insert("kind".into(), self.problem.kind().into());
            map.insert(
                "message".into(),
                text::error_message(&self, self.lang).into(),
            );
            map.insert(
                "messages".into(),
                serde_json::json!({
                    "en": text::error_message(&self, Lang::En),
                    "zh": text::error_message(&self, Lang::Zh),
                }),
            );
        }
        (self.status, axum::Json(body)).into_response()
    }
}

/// The language a request asks for: the body's `lang` if it names one, else the
/// `Accept-Language` header's first choice (Chinese if it starts with `zh`), else English.
pub fn request_lang(lang: Option<&str>, headers: &HeaderMap) -> Lang {
    if let Some(lang) = lang.and_then(|l| Lang::parse(l).ok()) {
        return lang;
    }
    let accept = headers
        .get(header::ACCEPT_LANGUAGE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    if accept.trim_start().to_ascii_lowercase().starts_with("zh") {
        Lang::Zh
    } else {
        Lang::En
    }
}

/// The language field of a body that may not parse as a whole, so that even a malformed
/// request's error is in the page's language.
pub fn body_lang(body: &[u8]) -> Option<String> {
    let value: Value = serde_json::from_slice(body).ok()?;
    value.get("lang")?.as_str().map(str::to_string)
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

    /// The fully resolved, validated scenario this request asks for. `run.replicates` is 1
    /// unless the request sets it.
    pub fn resolve(&self) -> Result<Scenario, ApiError> {
        if let Some(lang) = &self.lang {
            Lang::parse(lang).map_err(|_| {
                ApiError::bad(format!(
                    "`lang` = {lang:?} is not a language of the page; use \"en\" or \"zh\""
                ))
            })?;
        }
        if !builtin::names().any(|n| n == self.scenario) {
            let hint = suggest(&self.scenario, builtin::names())
                .map(|s| format!(" (did you mean `{s}`?)"))
                .unwrap_or_default();
            return Err(ApiError::new(
                Problem::UnknownScenario,
                format!(
                    "unknown scenario `{}`{hint}; the page runs built-in scenarios only: {}",
                    self.scenario,
                    builtin::names().collect::<Vec<_>>().join(", ")
                ),
            ));
        }
        let mut scenario = Scenario::load(&self.scenario).map_err(|e| {
            ApiError::bad(e.to_string()).with_status(StatusCode::INTERNAL_SERVER_ERROR)
        })?;
        // The page shows one run unless it asks for an average.
        scenario.run.replicates = 1;

        for (key, value) in &self.set {
            let spec = lookup_param(key).map_err(|m| ApiError {
                parameter: Some(key.clone()),
                ..ApiError::bad(m)
            })?;
            // Sizes are checked against the classroom caps, so that the message gives the
            // range that applies here rather than the command line's.
            let id = spec.id;
            let cap = cap(id);
            let allowed = match cap {
                Some(cap) => format!("an integer in [1, {cap}]"),
                None => spec.range.to_string(),
            };
            let v = number(id.key(), value, &allowed)?;
            if let Some(cap) = cap {
                check_cap(id, v, value, cap)?;
            }
            let v = check_value(id, v).map_err(|m| {
                ApiError::param(
                    Problem::OutOfRange(Allowed::Range(spec.range)),
                    m,
                    id.key().to_string(),
                    value,
                    allowed.clone(),
                )
            })?;
            scenario.set(id, v);
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
        check_cap(ParamId::Cadres, cadres as f64, &cadres.into(), MAX_CADRES)?;
        let steps = scenario.run.steps;
        check_cap(ParamId::Steps, steps as f64, &steps.into(), MAX_STEPS)?;
        let replicates = scenario.run.replicates;
        let work = replicates as u64 * cadres as u64 * steps as u64;
        if work > MAX_WORK {
            return Err(ApiError::new(
                Problem::TooMuchWork {
                    replicates,
                    cadres,
                    steps,
                },
                format!(
                    "{replicates} runs x {cadres} cadres x {steps} steps = {work} cadre-steps is \
                     over the classroom cap of {MAX_WORK} per request (use `cadre-sim run` for \
                     larger runs)"
                ),
            ));
        }
        // Said here in the page's terms (the scenario's check below says it in the file's).
        if let Some(at) = scenario.events.iter().map(|e| e.at).find(|&at| at >= steps) {
            return Err(ApiError::new(
                Problem::EventBeyondRun { at, steps },
                format!(
                    "a policy event at step {at} lies beyond the run of {steps} steps (steps \
                     count from 0): set `run.steps` to at least {}",
                    at + 1
                ),
            ));
        }
        scenario.validate()?;
        Ok(scenario)
    }
}

/// The classroom cap of a size: its largest value on the page; None for parameters the
/// page takes in their full range.
pub fn cap(id: ParamId) -> Option<u32> {
    match id {
        ParamId::Cadres => Some(MAX_CADRES),
        ParamId::Steps => Some(MAX_STEPS),
        ParamId::Replicates => Some(MAX_REPLICATES),
        _ => None,
    }
}

/// Checks a size against its classroom cap: an integer in [1, cap].
fn check_cap(id: ParamId, value: f64, given: &Value, cap: u32) -> Result<(), ApiError> {
    if integer_in(value, 1.0, cap as f64) {
        return Ok(());
    }
    let key = id.key();
    let over = if value > cap as f64 {
        " is over the classroom cap:"
    } else {
        " is out of range:"
    };
    Err(ApiError::param(
        Problem::OutOfRange(Allowed::Integer {
            min: 1,
            max: cap as u64,
        }),
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
            Problem::InvalidRequest,
            format!("`{key}` = {value} is not a number; it must be {allowed}"),
            key.into(),
            value,
            allowed.into(),
        )
    })
}

/// Event `i` of a request: `at` and at least one `[regime]` parameter, checked by the same
/// validator as scenario files' `[[events]]` (`scenario::edit`).
fn event(i: usize, table: &Map<String, Value>) -> Result<Event, ApiError> {
    let place = format!("events[{i}]");
    let mut draft = EventDraft::new(place.clone());
    for (key, value) in table {
        match EventKey::of(key) {
            Some(EventKey::At) => {
                let label = format!("{place}.at");
                let step = number(&label, value, AT_ALLOWED)?;
                draft.at(&label, step).map_err(|m| {
                    ApiError::param(
                        Problem::InvalidRequest,
                        m,
                        label.clone(),
                        value,
                        AT_ALLOWED.into(),
                    )
                })?;
            }
            Some(EventKey::Change(id)) => {
                let range = id.spec().range;
                let v = number(id.key(), value, &range.to_string())?;
                draft.change(id, v).map_err(|m| {
                    ApiError::param(
                        Problem::OutOfRange(Allowed::Range(range)),
                        format!("{place}: {m}"),
                        id.key().to_string(),
                        value,
                        range.to_string(),
                    )
                })?;
            }
            None => {
                let hint = suggest(key, event_keys())
                    .map(|s| format!(" (did you mean `{s}`?)"))
                    .unwrap_or_default();
                return Err(ApiError {
                    parameter: Some(format!("{place}.{key}")),
                    ..ApiError::bad(format!(
                        "unknown key `{key}` in {}{hint}",
                        draft.key_context()
                    ))
                });
            }
        }
    }
    draft.finish().map_err(ApiError::bad)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn resolve(body: &str) -> Result<Scenario, ApiError> {
        RunRequest::parse(body.as_bytes())?.resolve()
    }

    #[test]
    fn an_input_error_is_a_400_invalid_request_naming_every_problem() {
        let mut e = InputError::new("a.toml:3", "first");
        e.more.push(InputError::new("a.toml:5", "second"));
        let api = ApiError::from(e);
        assert_eq!(api.status, StatusCode::BAD_REQUEST);
        assert_eq!(*api.problem, Problem::InvalidRequest);
        assert!(api.error.contains("first") && api.error.contains("second"));
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
        let e = resolve(r#"{"scenario":"nominal_tolerance","set":{"replicates":21}}"#).unwrap_err();
        assert_eq!(e.problem.kind(), "out_of_range");
        assert!(e.error.contains("[1, 20]"), "{}", e.error);
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
                changes: vec![(ParamId::Sensitivity, 0.7)]
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
        assert_eq!(*e.problem, Problem::EventBeyondRun { at: 20, steps: 10 });
    }

    #[test]
    fn averaged_runs_count_against_the_work_cap() {
        let s = resolve(r#"{"scenario":"nominal_tolerance"}"#).unwrap();
        assert_eq!(
            s.run.replicates, 1,
            "one run unless the page asks for an average"
        );
        let s = resolve(r#"{"scenario":"nominal_tolerance","set":{"replicates":5}}"#).unwrap();
        assert_eq!(s.run.replicates, 5);
        // 20 runs of 10 000 cadres over 500 steps is exactly the cap; one more step is over.
        let ok = r#"{"scenario":"nominal_tolerance","set":{"replicates":20,"cadres":10000,"steps":500}}"#;
        assert!(resolve(ok).is_ok());
        let over = ok.replace("500", "501");
        let e = resolve(&over).unwrap_err();
        assert_eq!(e.problem.kind(), "too_much_work");
        assert_eq!(
            *e.problem,
            Problem::TooMuchWork {
                replicates: 20,
                cadres: 10000,
                steps: 501
            }
        );
        assert!(e.error.contains("100200000"), "{}", e.error);
    }

    #[test]
    fn the_language_comes_from_the_body_then_the_header() {
        let mut headers = HeaderMap::new();
        assert_eq!(request_lang(None, &headers), Lang::En);
        headers.insert(header::ACCEPT_LANGUAGE, "zh-CN,zh;q=0.9".parse().unwrap());
        assert_eq!(request_lang(None, &headers), Lang::Zh);
        assert_eq!(request_lang(Some("en"), &headers), Lang::En);
        assert_eq!(
            body_lang(br#"{"lang":"zh","scenario":5}"#).as_deref(),
            Some("zh")
        );
        let e = resolve(r#"{"scenario":"nominal_tolerance","lang":"fr"}"#).unwrap_err();
        assert!(e.error.contains("\"en\" or \"zh\""), "{}", e.error);
    }
}
