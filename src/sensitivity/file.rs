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
use crate::model::Metric;
use crate::model::params::suggest;
use crate::scenario::input::{Document, Value, check_param};
use crate::scenario::{InputError, lookup_param};
use crate::sweep::design::check_sweepable;
use crate::sweep::file::{get, read_header};

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

/// Reads and validates the sensitivity file at `path`.
pub fn load(path: &Path) -> Result<SensitivityPlan, InputError> {
    let text = std::fs::read_to_string(path)
        .map_err(|e| InputError::new(path.display().to_string(), format!("cannot read: {e}")))?;
    parse(path, &text)
}

/// Validates the text of a sensitivity file; `path` names it and anchors relative paths.
pub fn parse(path: &Path, text: &str) -> Result<SensitivityPlan, InputError> {
    let doc = Document {
        origin: path.display().to_string(),
        text,
    };
    let table = doc.parse()?;
    for (key, _) in table.iter() {
        doc.check_known(key, "a sensitivity file", TOP_KEYS)?;
    }
    let header = read_header(&doc, path, &table, "sensitivity")?;
    let get = |name: &str| get(&table, name);
    let required = |name: &str, what: &str| {
        get(name).ok_or_else(|| {
            InputError::new(
                doc.origin.clone(),
                format!("a sensitivity file needs `{name}`: {what}"),
            )
        })
    };

    let samples = integer(
        &doc,
        "samples",
        required("samples", "how many samples")?,
        2.0,
        MAX_SAMPLES,
    )?;
    let method_value = required("method", "\"sobol\" or \"morris\"")?;
    let method = match doc.string("method", method_value)?.as_str() {
        "sobol" => {
            if let Some(v) = get("levels") {
                return Err(doc.error(&v.span(), "`levels` applies to method = \"morris\" only"));
            }
            Method::Sobol { samples }
        }
        "morris" => {
            let levels = match get("levels") {
                Some(v) => integer(&doc, "levels", v, 2.0, 100.0)?,
                None => 4,
            };
            if levels % 2 != 0 {
                let v = get("levels").expect("an odd default is impossible");
                return Err(doc.error(
                    &v.span(),
                    format!("`levels` = {levels} must be even, so that steps of Δ = p/(2(p−1)) stay on the grid"),
                ));
            }
            Method::Morris {
                trajectories: samples,
                levels,
            }
        }
        other => {
            return Err(doc.error(
                &method_value.span(),
                format!("`method` = \"{other}\" is not a method; allowed: \"sobol\", \"morris\""),
            ));
        }
    };
    let bootstrap = match get("bootstrap") {
        Some(v) => integer(&doc, "bootstrap", v, 0.0, MAX_BOOTSTRAP)?,
        None => 1000,
    };
    let metrics = read_metrics(
        &doc,
        required("metrics", "the metrics to analyse, e.g. [\"initiative\"]")?,
    )?;
    let factors = read_factors(
        &doc,
        required(
            "parameter",
            "[[parameter]] tables with `param`, `from`, `to`",
        )?,
    )?;

    Ok(SensitivityPlan {
        name: header.name,
        description: header.description,
        base: header.base,
        window: header.window,
        method,
        metrics,
        factors,
        bootstrap,
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
    let v = doc.number(key, value)?;
    if !(v >= min && v <= max && v.fract() == 0.0) {
        return Err(doc.error(
            &value.span(),
            format!("`{key}` = {v} must be an integer in [{min}, {max}]"),
        ));
    }
    Ok(v as usize)
}

fn read_metrics(doc: &Document<'_>, value: &Value<'_>) -> Result<Vec<Metric>, InputError> {
    let DeValue::Array(items) = value.get_ref() else {
        return Err(doc.error(&value.span(), "`metrics` must be an array of metric names"));
    };
    let names: Vec<&str> = Metric::ALL.iter().map(|m| m.name()).collect();
    let mut metrics = Vec::new();
    for item in items.iter() {
        let name = doc.string("metrics", item)?;
        let Some(metric) = Metric::from_name(&name) else {
            let hint = suggest(&name, names.iter().copied())
                .map(|s| format!(" (did you mean `{s}`?)"))
                .unwrap_or_else(|| format!("; allowed: {}", names.join(", ")));
            return Err(doc.error(&item.span(), format!("unknown metric `{name}`{hint}")));
        };
        if metrics.contains(&metric) {
            return Err(doc.error(&item.span(), format!("metric `{name}` is listed twice")));
        }
        metrics.push(metric);
    }
    if metrics.is_empty() {
        return Err(doc.error(&value.span(), "`metrics` needs at least one metric"));
    }
    Ok(metrics)
}

fn read_factors(doc: &Document<'_>, value: &Value<'_>) -> Result<Vec<Factor>, InputError> {
    let DeValue::Array(items) = value.get_ref() else {
        return Err(doc.error(
            &value.span(),
            "`parameter` must be an array of tables: write each as [[parameter]]",
        ));
    };
    let mut factors: Vec<Factor> = Vec::new();
    for item in items.iter() {
        let table = doc.table("parameter", item)?;
        for (key, _) in table.iter() {
            doc.check_known(key, "a [[parameter]]", PARAMETER_KEYS)?;
        }
        let field = |name: &str| {
            get(table, name)
                .ok_or_else(|| doc.error(&item.span(), format!("a [[parameter]] needs `{name}`")))
        };
        let param_value = field("param")?;
        let key = doc.string("param", param_value)?;
        let spec = lookup_param(&key)
            .and_then(|spec| check_sweepable(spec).map(|()| spec))
            .map_err(|m| doc.error(&param_value.span(), m))?;
        if factors.iter().any(|f| f.spec.key() == spec.key()) {
            return Err(doc.error(
                &param_value.span(),
                format!("`{}` is varied twice", spec.key()),
            ));
        }
        let (from_value, to_value) = (field("from")?, field("to")?);
        let low = doc.param(spec, from_value)?;
        let high = doc.param(spec, to_value)?;
        if low >= high {
            return Err(doc.error(
                &to_value.span(),
                format!(
                    "`to` = {high} must be greater than `from` = {low} for `{}`",
                    spec.key()
                ),
            ));
        }
        factors.push(Factor { spec, low, high });
    }
    if factors.len() < 2 {
        return Err(doc.error(
            &value.span(),
            "a sensitivity analysis needs at least two [[parameter]]s",
        ));
    }
    // Every scaled value stays in range, because both ends are checked and the range is an
    // interval; integer parameters round to integers in [from, to].
    for f in &factors {
        debug_assert!(check_param(f.spec, f.scale(0.5)).is_ok());
    }
    Ok(factors)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn err(text: &str) -> InputError {
        parse(Path::new("sa.toml"), text).unwrap_err()
    }

    const GOOD: &str = "base = \"nominal_tolerance\"\nmethod = \"sobol\"\nsamples = 8\n\
        metrics = [\"initiative\"]\nreplicates = 2\nsteps = 10\n\
        [[parameter]]\nparam = \"regime.leader_duty\"\nfrom = 0.0\nto = 1.0\n\
        [[parameter]]\nparam = \"review_delay\"\nfrom = 1\nto = 3\n";

    #[test]
    fn a_valid_file_resolves() {
        let plan = parse(Path::new("dir/levers.toml"), GOOD).unwrap();
        assert_eq!(plan.name, "levers");
        assert_eq!(plan.method, Method::Sobol { samples: 8 });
        assert_eq!(plan.factors.len(), 2);
        assert_eq!(plan.factors[1].spec.key(), "regime.review_delay");
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
        let e = err(&GOOD.replace("samples = 8", "sample = 8"));
        assert!(e.message.contains("did you mean `samples`"), "{e}");
    }
}
