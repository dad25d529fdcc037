//! Sweep files: TOML naming a base scenario, the axes to vary and how to combine them.
//!
//! ```toml
//! name = "strictness_x_tolerance"       # optional; default: the file's stem
//! base = "nominal_tolerance"            # built-in name, or a path relative to this file
//! replicates = 20                       # optional overrides of the base's [run]
//! steps = 40
//! seed = 1
//! window = 10                           # final steps averaged per replicate (default 10)
//! mode = "grid"                         # or "zip"; ignored with [sample]
//!
//! [[axis]]
//! param = "regime.severity"
//! values = [0, 1.5, 3, 6]
//!
//! [[axis]]
//! param = "regime.sensitivity"
//! from = 0.0
//! to = 0.9
//! points = 4
//! scale = "linear"                      # or "log"
//!
//! # [experiment]                        # with a base that has a [rollout]: every point is
//! # outcome = "initiative"              # an experiment; `cadre-sim experiment`'s options
//! # bootstrap = 199
//!
//! # [sample]                            # instead of a grid: a Latin hypercube
//! # method = "lhs"
//! # points = 100
//! # seed = 7
//! ```
//!
//! Every problem is an [`InputError`] naming the file and line, the key, the value and what
//! is allowed; nothing is run or written before the whole file is valid.

use std::path::Path;

use toml::de::DeValue;

use super::design::{Design, Interval, check_sweepable, round_for};
use super::plan::{ExperimentSettings, SweepPlan};
use crate::error::InputError;
use crate::model::params::{ParamId, integer_in};
use crate::scenario::input::{Document, FileKind, Problems, Table, Value};
use crate::scenario::{Factor, Scenario};

/// Final steps averaged when the file does not say.
pub use crate::run::DEFAULT_WINDOW;

const TOP_KEYS: &[&str] = &[
    "name",
    "description",
    "base",
    "replicates",
    "steps",
    "seed",
    "window",
    "mode",
    "axis",
    "sample",
    "experiment",
];
const AXIS_KEYS: &[&str] = &["param", "values", "from", "to", "points", "scale"];
const SAMPLE_KEYS: &[&str] = &["method", "points", "seed"];
const EXPERIMENT_KEYS: &[&str] = &["outcome", "control", "leads", "lags", "bootstrap"];

/// `--steps` and `--replicates` given to `sweep` or `sensitivity`: they replace the file's
/// values (or the base scenario's), and so become part of the resolved sweep and its hash.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct RunOverrides {
    pub steps: Option<u64>,
    pub replicates: Option<u64>,
}

/// Reads and validates the sweep file at `path`, with the command line's overrides.
pub fn load(path: &Path, overrides: &RunOverrides) -> Result<SweepPlan, InputError> {
    let text = std::fs::read_to_string(path)
        .map_err(|e| InputError::new(path.display().to_string(), format!("cannot read: {e}")))?;
    parse(path, &text, overrides)
}

/// Validates the text of a sweep file; `path` names it and anchors relative `base` paths.
/// Every mistake in the file is reported, not only the first.
pub fn parse(path: &Path, text: &str, overrides: &RunOverrides) -> Result<SweepPlan, InputError> {
    let doc = Document {
        origin: path.display().to_string(),
        text,
    };
    let table = doc.parse()?;
    doc.check_kind(&table, FileKind::Sweep)?;
    let mut problems = Problems::default();
    doc.check_keys(&table, "a sweep file", TOP_KEYS, &mut problems);
    let header = read_header(&doc, path, &table, "sweep", overrides, &mut problems);
    let design = read_design(&doc, &table, &mut problems);
    let experiment = read_experiment(&doc, &table, &header.base, &mut problems);
    problems.finish()?;
    let plan = SweepPlan::new(
        header.name,
        header.description,
        header.base,
        design.expect("a design is missing only with a problem recorded"),
        header.window,
    )?;
    match experiment {
        Some(settings) => plan.into_experiments(settings),
        None => Ok(plan),
    }
}

/// The options of an experiment sweep: a base with a `[rollout]` makes every point an
/// experiment, studied as `cadre-sim experiment` studies it, with the `[experiment]` table's
/// `outcome`, `control`, `leads`, `lags` and `bootstrap` (the command's defaults otherwise).
/// None for a plain sweep (and after recording a problem).
fn read_experiment(
    doc: &Document<'_>,
    table: &Table<'_>,
    base: &Scenario,
    problems: &mut Problems,
) -> Option<ExperimentSettings> {
    let given = get(table, "experiment");
    if base.rollout.is_none() {
        if let Some(v) = given {
            problems.add(doc.error(
                &v.span(),
                format!(
                    "[experiment] needs a base with a [rollout] (places that adopt at different \
                     steps), and base scenario '{}' has none; see \
                     scenarios/experiments/ and docs/experiment.md",
                    base.name
                ),
            ));
        }
        return None;
    }
    let mut settings = ExperimentSettings::default();
    let Some(value) = given else {
        return Some(settings);
    };
    let t = problems.check(doc.table("experiment", value))?;
    if !doc.check_keys(t, "[experiment]", EXPERIMENT_KEYS, problems) {
        return None;
    }
    let mut ok = true;
    for key in ["outcome", "control"] {
        if let Some(v) = get(t, key) {
            match problems.check(doc.string(key, v)) {
                Some(text) if key == "outcome" => settings.outcome = text,
                Some(text) => settings.control = text,
                None => ok = false,
            }
        }
    }
    for (key, slot) in [
        ("leads", &mut settings.leads),
        ("lags", &mut settings.lags),
        ("bootstrap", &mut settings.bootstrap),
    ] {
        if let Some(v) = get(t, key) {
            match problems.check(doc.integer(key, v, 0.0, 1e6)) {
                Some(n) => *slot = n as u32,
                None => ok = false,
            }
        }
    }
    if ok && let Err(e) = settings.options() {
        // The options name the command's flags; a file names its own keys.
        let key = e
            .location
            .trim_start_matches("--")
            .split('/')
            .next()
            .unwrap_or("");
        let at = get(t, key).map_or_else(|| doc.at(&value.span()), |v| doc.at(&v.span()));
        problems.add(InputError::new(at, format!("[experiment] {}", e.message)));
        return None;
    }
    ok.then_some(settings)
}

/// What every file that runs many points of one base scenario starts with (sweep files and
/// sensitivity files): its name, description, base scenario with the shared `replicates`,
/// `steps` and `seed`, and the final-window length.
pub struct Header {
    pub name: String,
    pub description: String,
    pub base: Scenario,
    pub window: u32,
}

/// Reads the shared top-level keys `name`, `description`, `base`, `replicates`, `steps`,
/// `seed` and `window`, then applies `overrides`; `default_name` names the file when it has
/// no name and no stem. Problems go to `problems`; the header returned then holds stand-ins
/// (the defaults), so that the rest of the file can still be checked.
pub fn read_header(
    doc: &Document<'_>,
    path: &Path,
    table: &Table<'_>,
    default_name: &str,
    overrides: &RunOverrides,
    problems: &mut Problems,
) -> Header {
    let get = |name: &str| get(table, name);
    // Text held in memory (a Python dict) has no file name to name it.
    let stem = || match path.file_stem() {
        Some(s) if path != Path::new(crate::api::IN_MEMORY) => s.to_string_lossy().into_owned(),
        _ => default_name.into(),
    };
    let name = match get("name") {
        Some(v) => problems.check(doc.string("name", v)).unwrap_or_else(stem),
        None => stem(),
    };
    problems.check(check_name(doc, &name, get("name")));
    let description = match get("description") {
        Some(v) => problems
            .check(doc.string("description", v))
            .unwrap_or_default()
            .trim()
            .to_string(),
        None => String::new(),
    };

    let mut base = problems
        .check(read_base(doc, path, get("base")))
        .unwrap_or_default();
    for id in [ParamId::Replicates, ParamId::Steps, ParamId::Seed] {
        if let Some(v) = get(id.name())
            && let Some(value) = problems.check(doc.param(id.spec(), v))
        {
            base.set(id, value);
        }
    }
    for (flag, id, value) in [
        ("--steps", ParamId::Steps, overrides.steps),
        ("--replicates", ParamId::Replicates, overrides.replicates),
    ] {
        if let Some(v) = value
            && let Err(m) = base.edit(id, v as f64)
        {
            problems.add(InputError::new(flag, m));
        }
    }
    let steps_from = match (overrides.steps, get("steps")) {
        (Some(_), _) => "--steps".to_string(),
        (None, Some(v)) => doc.at(&v.span()),
        (None, None) => doc.origin.clone(),
    };
    if let Err(e) = base.validate() {
        problems.add(InputError::new(steps_from.clone(), e.message));
    }
    let steps = base.run.steps;
    let window = match get("window") {
        Some(v) => {
            let w = doc.number("window", v).and_then(|w| {
                if integer_in(w, 1.0, steps as f64) {
                    Ok(w as u32)
                } else {
                    let by_flag = if overrides.steps.is_some() {
                        ", as --steps sets them"
                    } else {
                        ""
                    };
                    Err(doc.error(
                        &v.span(),
                        format!(
                            "`window` = {w} must be an integer in [1, {steps}] (the steps \
                             run{by_flag})"
                        ),
                    ))
                }
            });
            problems.check(w).unwrap_or(1)
        }
        None => DEFAULT_WINDOW.min(steps),
    };
    Header {
        name,
        description,
        base,
        window,
    }
}

pub(crate) fn get<'t, 'a>(table: &'t Table<'a>, name: &str) -> Option<&'t Value<'a>> {
    table
        .iter()
        .find(|(k, _)| k.get_ref() == name)
        .map(|(_, v)| v)
}

/// The name becomes a folder name, so it must be one plain path component.
fn check_name(doc: &Document<'_>, name: &str, value: Option<&Value<'_>>) -> Result<(), InputError> {
    let ok = !name.is_empty()
        && name
            .chars()
            .all(|c| c.is_alphanumeric() || matches!(c, '_' | '-' | '.'))
        && !name.starts_with('.');
    if ok {
        return Ok(());
    }
    let message = format!(
        "`name` = \"{name}\" must be a plain folder name: letters, digits, `_`, `-` and `.` \
         (not first)"
    );
    Err(match value {
        Some(v) => doc.error(&v.span(), message),
        None => InputError::new(doc.origin.clone(), message),
    })
}

/// The base scenario: a built-in name, or a path relative to the sweep file's folder.
fn read_base(
    doc: &Document<'_>,
    path: &Path,
    value: Option<&Value<'_>>,
) -> Result<Scenario, InputError> {
    let Some(value) = value else {
        return Err(InputError::new(
            doc.origin.clone(),
            "a sweep needs `base`: a built-in scenario name (see `cadre-sim scenarios`) or a \
             path to a scenario file, relative to the sweep file",
        ));
    };
    let reference = doc.string("base", value)?;
    let is_path = reference.ends_with(".toml") || reference.contains(['/', '\\']);
    let resolved = if is_path && Path::new(&reference).is_relative() {
        let dir = path.parent().unwrap_or(Path::new(""));
        dir.join(&reference).display().to_string()
    } else {
        reference
    };
    Scenario::load(&resolved).map_err(|e| {
        // An unknown built-in is reported at the `base` line of this file.
        if e.location == "scenario" || e.message.starts_with("cannot read") {
            doc.error(&value.span(), format!("`base`: {}", e.message))
        } else {
            e
        }
    })
}

/// One `[[axis]]`: its factor, and its values or its interval.
struct Axis<'a> {
    factor: Factor,
    param_value: &'a Value<'a>,
    values: Option<Vec<f64>>,
    interval: Option<(Interval, Option<usize>)>,
    table_span: std::ops::Range<usize>,
}

/// The design of the `[[axis]]` tables (and `mode` or `[sample]`); None after recording
/// the problems that prevent it.
fn read_design(doc: &Document<'_>, table: &Table<'_>, problems: &mut Problems) -> Option<Design> {
    let Some(axes_value) = get(table, "axis") else {
        problems.add(InputError::new(
            doc.origin.clone(),
            "a sweep needs at least one [[axis]] with `param` and `values` (or `from`, `to`, \
             `points`)",
        ));
        return None;
    };
    let DeValue::Array(items) = axes_value.get_ref() else {
        problems.add(doc.error(
            &axes_value.span(),
            "`axis` must be an array of tables: write each axis as [[axis]]",
        ));
        return None;
    };
    // Zipped axes list the values of points, which may repeat (a Morris or Saltelli matrix,
    // calibration draws); a grid axis repeating a value would run the same points twice.
    let zipped = get(table, "mode").and_then(|m| m.get_ref().as_str()) == Some("zip")
        && get(table, "sample").is_none();
    let mut axes: Vec<Axis<'_>> = Vec::new();
    let mut all_read = true;
    for item in items.iter() {
        let Some(axis) = read_axis(doc, item, zipped, problems) else {
            all_read = false;
            continue;
        };
        if let Some(first) = axes.iter().find(|a| a.factor == axis.factor) {
            problems.add(doc.error(
                &axis.param_value.span(),
                format!(
                    "`{}` is already swept by the axis at {}",
                    axis.factor.key(),
                    doc.at(&first.param_value.span())
                ),
            ));
            all_read = false;
            continue;
        }
        axes.push(axis);
    }

    let sample = get(table, "sample");
    let mode = get(table, "mode");
    if let Some(sample) = sample {
        if let Some(mode) = mode {
            problems.add(doc.error(
                &mode.span(),
                "`mode` applies to grids of axis values; with [sample] the points are sampled, \
                 so remove `mode` or [sample]",
            ));
        }
        return read_sample(doc, sample, axes, all_read, problems);
    }

    let mode_name = match mode {
        Some(v) => problems.check(doc.string("mode", v).and_then(|m| match m.as_str() {
            "grid" | "zip" => Ok(m),
            other => Err(doc.error(
                &v.span(),
                format!(
                    "`mode` = \"{other}\" is not a mode: use \"grid\" (every combination) or \
                     \"zip\" (the i-th values of all axes together)"
                ),
            )),
        })),
        None => Some("grid".into()),
    };
    let mut value_axes = Vec::new();
    for axis in axes {
        let values = match (axis.values, axis.interval) {
            (Some(v), _) => v,
            (None, Some((interval, Some(points)))) => {
                let values: Vec<f64> = interval
                    .spaced(points)
                    .into_iter()
                    .map(|v| round_for(axis.factor, v))
                    .collect();
                if values.windows(2).any(|w| w[0] == w[1]) {
                    problems.add(doc.error(
                        &axis.table_span,
                        format!(
                            "`{}` is an integer parameter: {points} points from {} to {} give \
                             repeated values once rounded; use fewer points or `values`",
                            axis.factor.key(),
                            interval.from,
                            interval.to
                        ),
                    ));
                    all_read = false;
                    continue;
                }
                values
            }
            (None, _) => {
                problems.add(doc.error(
                    &axis.table_span,
                    format!(
                        "the axis of `{}` needs `points` (how many values from `from` to `to`)",
                        axis.factor.key()
                    ),
                ));
                all_read = false;
                continue;
            }
        };
        value_axes.push((axis.factor, values));
    }
    let mode_name = mode_name?;
    if !all_read {
        return None;
    }
    let built = match mode_name.as_str() {
        "zip" => Design::zip(value_axes),
        _ => Design::grid(value_axes),
    };
    let span = mode.map_or_else(|| axes_value.span(), |v| v.span());
    problems.check(built.map_err(|m| doc.error(&span, m)))
}

/// One `[[axis]]`; None after recording what is wrong with it.
fn read_axis<'a>(
    doc: &Document<'a>,
    item: &'a Value<'a>,
    repeats: bool,
    problems: &mut Problems,
) -> Option<Axis<'a>> {
    let t = problems.check(doc.table("axis", item))?;
    let mut ok = doc.check_keys(t, "an [[axis]]", AXIS_KEYS, problems);
    let Some(param_value) = get(t, "param") else {
        problems.add(doc.error(
            &item.span(),
            "an [[axis]] needs `param`, e.g. param = \"regime.detect\"",
        ));
        return None;
    };
    let factor = problems.check(doc.string("param", param_value).and_then(|key| {
        Factor::of(&key)
            .and_then(|f| check_sweepable(f).map(|()| f))
            .map_err(|m| doc.error(&param_value.span(), m))
    }))?;
    let values = match get(t, "values") {
        Some(v) => {
            let values = read_values(doc, factor, v, repeats, problems);
            ok &= values.is_some();
            values
        }
        None => None,
    };
    let numbers = ["from", "to", "points", "scale"].map(|k| get(t, k));
    let interval = match (numbers[0], numbers[1]) {
        (Some(from), Some(to)) => {
            let interval = read_interval(doc, factor, from, to, numbers[2], numbers[3], problems);
            ok &= interval.is_some();
            interval
        }
        (None, None) => {
            if let Some(extra) = numbers[2].or(numbers[3]) {
                problems.add(doc.error(
                    &extra.span(),
                    "`points` and `scale` go with `from` and `to`",
                ));
                ok = false;
            }
            None
        }
        (Some(v), None) | (None, Some(v)) => {
            problems.add(doc.error(
                &v.span(),
                format!("the axis of `{}` needs both `from` and `to`", factor.key()),
            ));
            return None;
        }
    };
    let both = get(t, "values").is_some() && numbers[0].is_some();
    let neither = get(t, "values").is_none() && numbers[0].is_none() && numbers[1].is_none();
    if both {
        problems.add(doc.error(
            &item.span(),
            format!(
                "the axis of `{}` gives both `values` and `from`/`to`; keep one",
                factor.key()
            ),
        ));
        return None;
    }
    if neither {
        problems.add(doc.error(
            &item.span(),
            format!(
                "the axis of `{}` needs `values = [...]`, or `from`, `to` and `points`",
                factor.key()
            ),
        ));
        return None;
    }
    ok.then_some(Axis {
        factor,
        param_value,
        values,
        interval,
        table_span: item.span(),
    })
}

/// The listed values, each checked (and, unless `repeats`, each listed once); None after
/// recording every bad one.
fn read_values(
    doc: &Document<'_>,
    factor: Factor,
    value: &Value<'_>,
    repeats: bool,
    problems: &mut Problems,
) -> Option<Vec<f64>> {
    let DeValue::Array(items) = value.get_ref() else {
        let example = match factor.choices() {
            Some(names) => format!("values = [{}]", crate::scenario::factor::quoted(names)),
            None => "values = [0.2, 0.5, 0.8]".into(),
        };
        problems.add(doc.error(
            &value.span(),
            format!("`values` must be an array, e.g. {example}"),
        ));
        return None;
    };
    if items.is_empty() {
        problems.add(doc.error(&value.span(), "`values` must not be empty"));
        return None;
    }
    let mut values: Vec<f64> = Vec::with_capacity(items.len());
    let mut ok = true;
    for item in items.iter() {
        let Some(v) = problems.check(doc.factor(factor, item)) else {
            ok = false;
            continue;
        };
        if !repeats && values.contains(&v) {
            problems.add(doc.error(
                &item.span(),
                format!(
                    "`{}` lists the value {} twice",
                    factor.key(),
                    factor.format(v)
                ),
            ));
            ok = false;
            continue;
        }
        values.push(v);
    }
    ok.then_some(values)
}

/// `from`, `to`, `points` and `scale`, each checked; None after recording every problem.
fn read_interval(
    doc: &Document<'_>,
    factor: Factor,
    from: &Value<'_>,
    to: &Value<'_>,
    points: Option<&Value<'_>>,
    scale: Option<&Value<'_>>,
    problems: &mut Problems,
) -> Option<(Interval, Option<usize>)> {
    if let Some(names) = factor.choices() {
        problems.add(doc.error(
            &from.span(),
            format!(
                "`{}` is a choice, not a number: list the choices to run as `values = [{}]`",
                factor.key(),
                crate::scenario::factor::quoted(names)
            ),
        ));
        return None;
    }
    let f = problems.check(doc.factor(factor, from));
    let t = problems.check(doc.factor(factor, to));
    let log = match scale {
        None => Some(false),
        Some(v) => problems.check(doc.string("scale", v).and_then(|s| match s.as_str() {
            "linear" => Ok(false),
            "log" => Ok(true),
            other => Err(doc.error(
                &v.span(),
                format!("`scale` = \"{other}\" must be \"linear\" or \"log\""),
            )),
        })),
    };
    let points = match points {
        None => Some(None),
        Some(v) => {
            let max = super::design::MAX_POINTS;
            let n = doc.integer("points", v, 2.0, max as f64);
            problems.check(n).map(|n| Some(n as usize))
        }
    };
    let (f, t, log, points) = (f?, t?, log?, points?);
    if log && !(f > 0.0 && t > 0.0) {
        let v = if f > 0.0 { to } else { from };
        problems.add(doc.error(
            &v.span(),
            format!(
                "a log scale needs `from` and `to` > 0 (`{}` from {f} to {t})",
                factor.key()
            ),
        ));
        return None;
    }
    if f == t {
        problems.add(doc.error(
            &to.span(),
            format!("`from` and `to` are both {f}: use `values = [{f}]` for a single value"),
        ));
        return None;
    }
    Some((
        Interval {
            from: f,
            to: t,
            log,
        },
        points,
    ))
}

/// A Latin hypercube from `[sample]` over the axes' intervals; None after recording every
/// problem. `axes_ok` is false when some axis could not be read (already recorded).
fn read_sample(
    doc: &Document<'_>,
    sample: &Value<'_>,
    axes: Vec<Axis<'_>>,
    axes_ok: bool,
    problems: &mut Problems,
) -> Option<Design> {
    let t = problems.check(doc.table("sample", sample))?;
    let mut ok = doc.check_keys(t, "[sample]", SAMPLE_KEYS, problems) && axes_ok;
    match get(t, "method") {
        None => {
            problems.add(doc.error(
                &sample.span(),
                "[sample] needs `method`; the one available is \"lhs\" (Latin hypercube)",
            ));
            ok = false;
        }
        Some(v) => {
            let method = doc.string("method", v).and_then(|m| {
                if m == "lhs" {
                    Ok(())
                } else {
                    Err(doc.error(
                        &v.span(),
                        format!(
                            "`method` = \"{m}\" is not a sampling method; the one available \
                             is \"lhs\" (Latin hypercube)"
                        ),
                    ))
                }
            });
            ok &= problems.check(method).is_some();
        }
    }
    let max = super::design::MAX_POINTS;
    let n = match get(t, "points") {
        None => {
            problems.add(doc.error(&sample.span(), "[sample] needs `points`, e.g. points = 100"));
            None
        }
        Some(v) => problems
            .check(doc.integer("points", v, 1.0, max as f64))
            .map(|n| n as usize),
    };
    let seed = match get(t, "seed") {
        Some(v) => problems
            .check(doc.param(ParamId::Seed.spec(), v))
            .map(|s| s as u64),
        None => Some(0),
    };
    let mut intervals = Vec::new();
    for axis in axes {
        match axis.interval {
            Some((interval, None)) if axis.values.is_none() => {
                intervals.push((axis.factor, interval));
            }
            _ => {
                problems.add(doc.error(
                    &axis.table_span,
                    format!(
                        "with [sample], each axis gives only `from` and `to` (and optionally \
                         `scale`); the axis of `{}` gives `values` or `points`",
                        axis.factor.key()
                    ),
                ));
                ok = false;
            }
        }
    }
    let (n, seed) = (n?, seed?);
    if !ok {
        return None;
    }
    problems.check(
        Design::latin_hypercube(intervals, n, seed).map_err(|m| doc.error(&sample.span(), m)),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    const AXES: &str = "[[axis]]\nparam = \"regime.detect\"\nvalues = [0.2, 0.8]\n";

    fn err(text: &str) -> InputError {
        parse(Path::new("s.toml"), text, &RunOverrides::default()).unwrap_err()
    }

    fn assert_err(text: &str, location: &str, needles: &[&str]) {
        let e = err(text);
        assert_eq!(e.location, location, "{e}");
        for n in needles {
            assert!(e.message.contains(n), "`{n}` not in: {e}");
        }
    }

    #[test]
    fn a_valid_file_resolves() {
        let plan = parse(
            Path::new("dir/x.toml"),
            &format!(
                "base = \"o2_top_leader\"\nreplicates = 3\nsteps = 12\nseed = 5\n{AXES}\
                 [[axis]]\nparam = \"severity\"\nfrom = 1\nto = 100\npoints = 3\nscale = \"log\"\n"
            ),
            &RunOverrides::default(),
        )
        .unwrap();
        assert_eq!(plan.name, "x");
        assert_eq!(plan.resolved().window, 10);
        assert_eq!(
            (
                plan.base().run.replicates,
                plan.base().run.steps,
                plan.base().run.seed
            ),
            (3, 12, 5)
        );
        assert_eq!(plan.base().regime.leader_duty, 0.7, "base inherited");
        assert_eq!(plan.design().len(), 6);
        assert_eq!(
            plan.design().params,
            [
                Factor::Param(ParamId::Detect),
                Factor::Param(ParamId::Severity)
            ]
        );
        assert!((plan.design().points[1][1] - 10.0).abs() < 1e-12);
    }

    #[test]
    fn swept_values_out_of_range_name_line_key_value_and_range() {
        assert_err(
            "base = \"nominal_tolerance\"\n[[axis]]\nparam = \"regime.detect\"\nvalues = [0.5,\n  1.5]\n",
            "s.toml:5",
            &[
                "`regime.detect` = 1.5 is out of range",
                "a number in [0, 1]",
            ],
        );
        assert_err(
            "base = \"nominal_tolerance\"\n[[axis]]\nparam = \"regime.review_delay\"\nfrom = 0\nto = 2.5\npoints = 3\n",
            "s.toml:5",
            &["`regime.review_delay` = 2.5", "an integer >= 0"],
        );
        assert_err(
            &format!("base = \"nominal_tolerance\"\nreplicates = 0\n{AXES}"),
            "s.toml:2",
            &["`run.replicates` = 0", "integer in [1,"],
        );
    }

    #[test]
    fn structural_mistakes_are_explained() {
        let b = "base = \"nominal_tolerance\"\n";
        assert_err(
            &format!("{b}replicate = 3\n{AXES}"),
            "s.toml:2",
            &["did you mean `replicates`"],
        );
        assert_err(
            &format!("{b}[[axis]]\nparam = \"regime.detcet\"\nvalues = [0.1]\n"),
            "s.toml:3",
            &["did you mean `regime.detect`"],
        );
        assert_err(
            &format!("{b}[[axis]]\nparam = \"run.steps\"\nvalues = [10]\n"),
            "s.toml:3",
            &["cannot be varied"],
        );
        assert_err(
            &format!(
                "{b}[[axis]]\nparam = \"detect\"\nvalues = [0.1]\nfrom = 0\nto = 1\npoints = 2\n"
            ),
            "s.toml:2",
            &["both `values` and `from`/`to`"],
        );
        assert_err(
            &format!(
                "{b}[[axis]]\nparam = \"severity\"\nfrom = 0\nto = 5\npoints = 3\nscale = \"log\"\n"
            ),
            "s.toml:4",
            &["log scale needs `from` and `to` > 0"],
        );
        assert_err(
            &format!("{b}mode = \"zip\"\n{AXES}[[axis]]\nparam = \"severity\"\nvalues = [1]\n"),
            "s.toml:2",
            &["equal lengths"],
        );
        assert_err(
            &format!("{b}mode = \"cross\"\n{AXES}"),
            "s.toml:2",
            &["\"grid\"", "\"zip\""],
        );
        assert_err(
            &format!("{b}[sample]\nmethod = \"lhs\"\npoints = 8\n{AXES}"),
            "s.toml:5",
            &["with [sample]"],
        );
        assert_err(
            &format!(
                "{b}[sample]\nmethod = \"sobol\"\npoints = 8\n[[axis]]\nparam = \"detect\"\nfrom = 0\nto = 1\n"
            ),
            "s.toml:3",
            &["\"lhs\""],
        );
        assert_err(&format!("{b}window = 50\n{AXES}"), "s.toml:2", &["[1, 40]"]);
        assert_err(
            &format!("{b}{AXES}{AXES}"),
            "s.toml:6",
            &["already swept by the axis at s.toml:3"],
        );
        assert_err(
            &format!("{b}[[axis]]\nparam = \"detect\"\nvalues = [0.1, 0.1]\n"),
            "s.toml:4",
            &["twice"],
        );
        // Zipped axes are the columns of a list of points: values may repeat.
        let zip = format!(
            "{b}mode = \"zip\"\n[[axis]]\nparam = \"detect\"\nvalues = [0.1, 0.1, 0.5]\n\
             [[axis]]\nparam = \"severity\"\nvalues = [1, 2, 1]\n"
        );
        let plan = parse(Path::new("s.toml"), &zip, &RunOverrides::default()).unwrap();
        assert_eq!(
            plan.design().points,
            vec![vec![0.1, 1.0], vec![0.1, 2.0], vec![0.5, 1.0]]
        );
        assert_err(AXES, "s.toml", &["needs `base`"]);
        assert_err(
            &format!("base = \"nominal_tolerence\"\n{AXES}"),
            "s.toml:1",
            &["did you mean `nominal_tolerance`"],
        );
        assert_err(b, "s.toml", &["at least one [[axis]]"]);
        assert_err(
            &format!("name = \"../x\"\n{b}{AXES}"),
            "s.toml:1",
            &["plain folder name"],
        );
        assert_err(
            &format!("{b}[[axis]]\nparam = \"review_delay\"\nfrom = 0\nto = 2\npoints = 5\n"),
            "s.toml:2",
            &["repeated values once rounded"],
        );
    }

    #[test]
    fn latin_hypercube_files() {
        let plan = parse(
            Path::new("s.toml"),
            "base = \"nominal_tolerance\"\n[sample]\nmethod = \"lhs\"\npoints = 16\nseed = 3\n\
             [[axis]]\nparam = \"detect\"\nfrom = 0.1\nto = 0.9\n\
             [[axis]]\nparam = \"review_delay\"\nfrom = 0\nto = 8\n",
            &RunOverrides::default(),
        )
        .unwrap();
        assert_eq!(plan.design().len(), 16);
        assert_eq!(plan.design().method, "lhs");
        assert!(
            plan.design()
                .points
                .iter()
                .all(|p| p[1].fract() == 0.0 && (0.0..=8.0).contains(&p[1]))
        );
    }
}
