//! Sensitivity files: TOML naming the base scenario, the parameters to vary with their
//! ranges, the metrics of interest and the method.
//!
//! ```toml
//! name = "levers"                  # optional; default: the file's stem
//! base = "nominal_tolerance"       # built-in name, or a path relative to this file
//! method = "sobol"                 # "sobol" (Saltelli sampling) or "morris"
//! metrics = ["initiative", "social_value"]
//! samples = 128                    # sobol: base samples N, N·(D+2) points; morris: trajectories r, r·(D+1) points
//! levels = 4                       # morris only: grid levels (even)
//! bootstrap = 1000                 # resamples for the confidence intervals
//! replicates = 4                   # per point, averaged; the same replicate seeds at every point
//! steps = 40
//! seed = 1                         # replicate seeds, the Morris design and the bootstrap
//! window = 10
//!
//! [[parameter]]
//! param = "regime.leader_duty"
//! from = 0.0
//! to = 1.0
//! ```
//!
//! The shared keys (name, description, base, replicates, steps, seed, window) are read as in
//! sweep files. Every problem is an [`InputError`] naming the file and line, key, value and
//! what is allowed.

use std::path::Path;

use toml::de::DeValue;

use super::{Factor, Method, SensitivityPlan};
use crate::error::InputError;
use crate::model::Metric;
use crate::model::params::{ParamId, ParamSpec, suggest};
use crate::scenario::edit::check_value;
use crate::scenario::input::{Document, FileKind, Problems, Value};
use crate::scenario::lookup_param;
use crate::sweep::design::check_sweepable;
use crate::sweep::file::{RunOverrides, get, read_header};

const TOP_KEYS: &[&str] = &[
    "name",
    "description",
    "base",
    "method",
    "metrics",
    "samples",
    "levels",
    "bootstrap",
    "replicates",
    "steps",
    "seed",
    "window",
    "parameter",
];
const PARAMETER_KEYS: &[&str] = &["param", "from", "to"];

/// The largest `samples` (Sobol base samples or Morris trajectories).
pub const MAX_SAMPLES: f64 = 1_000_000.0;
/// The most bootstrap resamples.
pub const MAX_BOOTSTRAP: f64 = 100_000.0;

/// Reads and validates the sensitivity file at `path`, with the command line's overrides.
pub fn load(path: &Path, overrides: &RunOverrides) -> Result<SensitivityPlan, InputError> {
    let text = std::fs::read_to_string(path)
        .map_err(|e| InputError::new(path.display().to_string(), format!("cannot read: {e}")))?;
    parse(path, &text, overrides)
}

/// Validates the text of a sensitivity file; `path` names it and anchors relative paths.
/// Every mistake in the file is reported, not only the first.
pub fn parse(
    path: &Path,
    text: &str,
    overrides: &RunOverrides,
) -> Result<SensitivityPlan, InputError> {
    let doc = Document {
        origin: path.display().to_string(),
        text,
    };
    let table = doc.parse()?;
    doc.check_kind(&table, FileKind::Sensitivity)?;
    let mut problems = Problems::default();
    doc.check_keys(&table, "a sensitivity file", TOP_KEYS, &mut problems);
    let header = read_header(&doc, path, &table, "sensitivity", overrides, &mut problems);
    let get = |name: &str| get(&table, name);
    let required = |name: &str, what: &str| {
        get(name).ok_or_else(|| {
            InputError::new(
                doc.origin.clone(),
                format!("a sensitivity file needs `{name}`: {what}"),
            )
        })
    };

    let samples = problems.check(
        required("samples", "how many samples")
            .and_then(|v| integer(&doc, "samples", v, 2.0, MAX_SAMPLES)),
    );
    let method = problems.check(required("method", "\"sobol\" or \"morris\"").and_then(|v| {
        doc.string("method", v).and_then(|m| match m.as_str() {
            "sobol" | "morris" => Ok(m),
            other => Err(doc.error(
                &v.span(),
                format!("`method` = \"{other}\" is not a method; allowed: \"sobol\", \"morris\""),
            )),
        })
    }));
    let levels = match (method.as_deref(), get("levels")) {
        (Some("sobol"), Some(v)) => {
            problems.add(doc.error(&v.span(), "`levels` applies to method = \"morris\" only"));
            None
        }
        (_, Some(v)) => problems.check(integer(&doc, "levels", v, 2.0, 100.0).and_then(|l| {
            if l % 2 == 0 {
                Ok(l)
            } else {
                Err(doc.error(
                    &v.span(),
                    format!(
                        "`levels` = {l} must be even, so that steps of Δ = p/(2(p−1)) stay on \
                         the grid"
                    ),
                ))
            }
        })),
        (_, None) => Some(4),
    };
    let bootstrap = match get("bootstrap") {
        Some(v) => problems.check(integer(&doc, "bootstrap", v, 0.0, MAX_BOOTSTRAP)),
        None => Some(1000),
    };
    let metrics = problems
        .check(required(
            "metrics",
            "the metrics to analyse, e.g. [\"initiative\"]",
        ))
        .and_then(|v| read_metrics(&doc, v, &mut problems));
    let factors = problems
        .check(required(
            "parameter",
            "[[parameter]] tables with `param`, `from`, `to`",
        ))
        .and_then(|v| read_factors(&doc, v, &mut problems));
    problems.finish()?;
    let missing = "a value is missing only with a problem recorded";
    let samples = samples.expect(missing);
    let method = match method.expect(missing).as_str() {
        "sobol" => Method::Sobol { samples },
        _ => Method::Morris {
            trajectories: samples,
            levels: levels.expect(missing),
        },
    };
    Ok(SensitivityPlan {
        name: header.name,
        description: header.description,
        base: header.base,
        window: header.window,
        method,
        metrics: metrics.expect(missing),
        factors: factors.expect(missing),
        bootstrap: bootstrap.expect(missing),
    })
}

/// An integer in [min, max].
fn integer(
    doc: &Document<'_>,
    key: &str,
    value: &Value<'_>,
    min: f64,
    max: f64,
) -> Result<usize, InputError> {
    doc.integer(key, value, min, max).map(|v| v as usize)
}

/// The metrics, each checked; None after recording every problem.
fn read_metrics(
    doc: &Document<'_>,
    value: &Value<'_>,
    problems: &mut Problems,
) -> Option<Vec<Metric>> {
    let DeValue::Array(items) = value.get_ref() else {
        problems.add(doc.error(&value.span(), "`metrics` must be an array of metric names"));
        return None;
    };
    let names: Vec<&str> = Metric::ALL.iter().map(|m| m.name()).collect();
    let mut metrics = Vec::new();
    let mut ok = true;
    for item in items.iter() {
        let metric = doc.string("metrics", item).and_then(|name| {
            let Some(metric) = Metric::from_name(&name) else {
                let hint = suggest(&name, names.iter().copied())
                    .map(|s| format!(" (did you mean `{s}`?)"))
                    .unwrap_or_else(|| format!("; allowed: {}", names.join(", ")));
                return Err(doc.error(&item.span(), format!("unknown metric `{name}`{hint}")));
            };
            if metrics.contains(&metric) {
                return Err(doc.error(&item.span(), format!("metric `{name}` is listed twice")));
            }
            Ok(metric)
        });
        match problems.check(metric) {
            Some(m) => metrics.push(m),
            None => ok = false,
        }
    }
    if ok && metrics.is_empty() {
        problems.add(doc.error(&value.span(), "`metrics` needs at least one metric"));
        return None;
    }
    ok.then_some(metrics)
}

/// The `[[parameter]]` tables, each checked; None after recording every problem.
fn read_factors(
    doc: &Document<'_>,
    value: &Value<'_>,
    problems: &mut Problems,
) -> Option<Vec<Factor>> {
    let DeValue::Array(items) = value.get_ref() else {
        problems.add(doc.error(
            &value.span(),
            "`parameter` must be an array of tables: write each as [[parameter]]",
        ));
        return None;
    };
    let mut factors: Vec<Factor> = Vec::new();
    let mut ok = true;
    for item in items.iter() {
        match read_factor(doc, item, &factors, problems) {
            Some(f) => factors.push(f),
            None => ok = false,
        }
    }
    if ok && factors.len() < 2 {
        problems.add(doc.error(
            &value.span(),
            "a sensitivity analysis needs at least two [[parameter]]s",
        ));
        return None;
    }
    // Every scaled value stays in range, because both ends are checked and the range is an
    // interval; integer parameters round to integers in [from, to].
    for f in &factors {
        debug_assert!(check_value(f.param, f.scale(0.5)).is_ok());
    }
    ok.then_some(factors)
}

/// One `[[parameter]]`, checked against the ones before it; None after recording problems.
fn read_factor(
    doc: &Document<'_>,
    item: &Value<'_>,
    before: &[Factor],
    problems: &mut Problems,
) -> Option<Factor> {
    let table = problems.check(doc.table("parameter", item))?;
    let ok = doc.check_keys(table, "a [[parameter]]", PARAMETER_KEYS, problems);
    let taken = |id| before.iter().any(|f| f.param == id);
    let range = read_param_range(doc, table, item, "varied", &taken, |_| Ok(()), problems)?;
    ok.then_some(Factor {
        param: range.spec.id,
        low: range.low,
        high: range.high,
    })
}

/// The `param`, `from` and `to` of a `[[parameter]]` table, as sensitivity and calibration
/// files write them.
pub(crate) struct ParamRange<'v, 'a> {
    pub spec: &'static ParamSpec,
    pub low: f64,
    pub high: f64,
    /// Where `from` is written, for later messages about it.
    pub from_value: &'v Value<'a>,
}

/// Reads `param` alone (a sweepable parameter that `allow` accepts and that no earlier table
/// took: `taken`) of the `[[parameter]]` `table` at `item`; None after recording problems.
pub(crate) fn read_param_spec(
    doc: &Document<'_>,
    table: &crate::scenario::input::Table<'_>,
    item: &Value<'_>,
    verb: &str,
    taken: &dyn Fn(ParamId) -> bool,
    allow: impl Fn(&ParamSpec) -> Result<(), String>,
    problems: &mut Problems,
) -> Option<&'static ParamSpec> {
    let param_value = problems.check(
        get(table, "param").ok_or_else(|| doc.error(&item.span(), "a [[parameter]] needs `param`")),
    )?;
    let spec = problems.check(doc.string("param", param_value).and_then(|key| {
        lookup_param(&key)
            .and_then(|spec| check_sweepable(spec.id.into()).map(|()| spec))
            .and_then(|spec| allow(spec).map(|()| spec))
            .map_err(|m| doc.error(&param_value.span(), m))
    }))?;
    if taken(spec.id) {
        problems.add(doc.error(
            &param_value.span(),
            format!("`{}` is {verb} twice", spec.key()),
        ));
        return None;
    }
    Some(spec)
}

/// Reads `param` (a sweepable parameter that `allow` accepts and that no earlier table took:
/// `taken`), `from` and `to` (in its range, `from` < `to`) of the `[[parameter]]` `table` at
/// `item`. `verb` says what a twice-named parameter is ("varied", "calibrated"). None after
/// recording problems.
pub(crate) fn read_param_range<'v, 'a>(
    doc: &Document<'_>,
    table: &'v crate::scenario::input::Table<'a>,
    item: &Value<'_>,
    verb: &str,
    taken: &dyn Fn(ParamId) -> bool,
    allow: impl Fn(&ParamSpec) -> Result<(), String>,
    problems: &mut Problems,
) -> Option<ParamRange<'v, 'a>> {
    let field = |name: &str| {
        get(table, name)
            .ok_or_else(|| doc.error(&item.span(), format!("a [[parameter]] needs `{name}`")))
    };
    let spec = read_param_spec(doc, table, item, verb, taken, allow, problems)?;
    let from_value = problems.check(field("from"));
    let to_value = problems.check(field("to"));
    let low = from_value.and_then(|v| problems.check(doc.param(spec, v)));
    let high = to_value.and_then(|v| problems.check(doc.param(spec, v)));
    let (low, high, to_value, from_value) = (low?, high?, to_value?, from_value?);
    if low >= high {
        problems.add(doc.error(
            &to_value.span(),
            format!(
                "`to` = {high} must be greater than `from` = {low} for `{}`",
                spec.key()
            ),
        ));
        return None;
    }
    Some(ParamRange {
        spec,
        low,
        high,
        from_value,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn err(text: &str) -> InputError {
        parse(Path::new("sa.toml"), text, &RunOverrides::default()).unwrap_err()
    }

    const GOOD: &str = "base = \"nominal_tolerance\"\nmethod = \"sobol\"\nsamples = 8\n\
        metrics = [\"initiative\"]\nreplicates = 2\nsteps = 10\n\
        [[parameter]]\nparam = \"regime.leader_duty\"\nfrom = 0.0\nto = 1.0\n\
        [[parameter]]\nparam = \"review_delay\"\nfrom = 1\nto = 3\n";

    #[test]
    fn a_valid_file_resolves() {
        let plan = parse(Path::new("dir/levers.toml"), GOOD, &RunOverrides::default()).unwrap();
        assert_eq!(plan.name, "levers");
        assert_eq!(plan.method, Method::Sobol { samples: 8 });
        assert_eq!(plan.factors.len(), 2);
        assert_eq!(plan.factors[1].param.key(), "regime.review_delay");
        assert_eq!(plan.base.run.replicates, 2);
        assert_eq!(plan.window, 10);
    }

    #[test]
    fn mistakes_name_line_key_value_and_range() {
        let e = err(&GOOD.replace("method = \"sobol\"", "method = \"sobel\""));
        assert_eq!(e.location, "sa.toml:2");
        assert!(e.message.contains("\"sobel\" is not a method"), "{e}");
        let e = err(&GOOD.replace("[\"initiative\"]", "[\"initiativ\"]"));
        assert!(e.message.contains("did you mean `initiative`"), "{e}");
        let e = err(&GOOD.replace("to = 1.0", "to = 1.5"));
        assert!(
            e.message
                .contains("`regime.leader_duty` = 1.5 is out of range"),
            "{e}"
        );
        let e = err(&GOOD.replace("from = 1\nto = 3", "from = 3\nto = 1"));
        assert!(e.message.contains("must be greater than `from`"), "{e}");
        let e = err(&GOOD.replace("samples = 8", "samples = 1"));
        assert!(
            e.message
                .contains("`samples` = 1 must be an integer in [2,"),
            "{e}"
        );
        let e = err(&GOOD.replace("method = \"sobol\"", "method = \"morris\"\nlevels = 3"));
        assert!(e.message.contains("must be even"), "{e}");
        let e = err(&GOOD.replace("regime.leader_duty", "run.steps"));
        assert!(e.message.contains("cannot be varied"), "{e}");
        // The misspelt key, and the missing key it leaves behind: both are reported.
        let e = err(&GOOD.replace("samples = 8", "sample = 8"));
        assert_eq!(e.count(), 2, "{e}");
        assert!(
            e.to_string().contains("sa.toml:3: unknown key `sample`"),
            "{e}"
        );
        assert!(e.to_string().contains("did you mean `samples`"), "{e}");
        assert!(e.message.contains("needs `samples`"), "{e}");
    }
}
