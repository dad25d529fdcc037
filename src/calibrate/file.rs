//! Calibration files: TOML naming the base scenario, the free parameters with their priors,
//! the targets with their observed values and sources, and the ABC-SMC settings.
//!
//! ```toml
//! name = "behaviour"               # optional; default: the file's stem
//! description = "Illustrative targets."
//! base = "nominal_tolerance"       # built-in name, or a path relative to this file
//! steps = 40
//! replicates = 4                   # per particle (and per scenario of a paired target)
//! seed = 1
//! window = 10
//! particles = 500                  # default 500
//! quantile = 0.5                   # ε_t = this quantile of generation t − 1's distances
//! min_acceptance = 0.05            # stop below this acceptance rate
//! max_generations = 8
//! # target_tolerance = 0.5         # stop once ε reaches this
//! # predictive = 200               # posterior-predictive draws (default: particles)
//!
//! [[parameter]]
//! param = "population.loss_aversion"
//! prior = "log-uniform"            # "uniform", "log-uniform" or "beta" (with alpha, beta)
//! from = 1.0
//! to = 4.0
//!
//! [[target]]
//! name = "deterred"
//! metric = "deterred_share"        # any metric, or the survey-style deterred_share
//! statistic = "final"              # "final", "at_step" (with step), "difference", "ratio"
//! scenario = { "regime.leader_duty" = 1.0 }   # optional: the base with overrides
//! # versus = {}                    # difference and ratio: the other scenario
//! observed = 0.374
//! se = 0.05                        # or tolerance = …
//! side = "equal"                   # or "at_least", "at_most"
//! source = "人民论坛 survey, 2014 (secondary)"
//! ```
//!
//! Every problem is an [`InputError`] naming the file and line, key, value and what is
//! allowed; all of them are reported at once.

use std::path::Path;

use toml::de::DeValue;

use super::smc::{Observation, Prior, Settings, Side};
use super::study::{Reported, Study};
use super::{CalibrationPlan, FreeParam, Quantity, Statistic, Target, Variant};
use crate::did::{Control, Estimator};
use crate::error::InputError;
use crate::experiment::panel::Outcome;
use crate::model::params::ParamSpec;
use crate::model::params::{ParamId, suggest};
use crate::scenario::Scenario;
use crate::scenario::input::{Document, Problems, Table, Value};
use crate::scenario::lookup_param;
use crate::sensitivity::file::read_param_range;

use crate::sweep::design::check_sweepable;
use crate::sweep::file::{RunOverrides, get, read_header};

const TOP_KEYS: &[&str] = &[
    "name",
    "description",
    "base",
    "replicates",
    "steps",
    "seed",
    "window",
    "particles",
    "quantile",
    "min_acceptance",
    "max_generations",
    "target_tolerance",
    "predictive",
    "parameter",
    "target",
];
const PARAMETER_KEYS: &[&str] = &[
    "param", "prior", "from", "to", "alpha", "beta", "mean", "sd", "shape", "rate", "scale",
];
const TARGET_KEYS: &[&str] = &[
    "name",
    "metric",
    "statistic",
    "step",
    "scenario",
    "versus",
    "observed",
    "se",
    "tolerance",
    "side",
    "source",
    "experiment",
    "estimator",
    "control",
    "target",
    "event_time",
    "outcome",
];
/// The keys of an experiment target only.
const STUDY_KEYS: &[&str] = &[
    "experiment",
    "estimator",
    "control",
    "target",
    "event_time",
    "outcome",
];

/// The most particles (and posterior-predictive draws).
pub const MAX_PARTICLES: f64 = 1_000_000.0;

/// What the command line changes in a calibration file: `--steps`, `--replicates`,
/// `--particles`, `--generations`. They become part of the plan (and its fingerprint).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Overrides {
    pub run: RunOverrides,
    pub particles: Option<u64>,
    pub generations: Option<u64>,
}

/// Reads and validates the calibration file at `path`.
pub fn load(path: &Path, overrides: &Overrides) -> Result<CalibrationPlan, InputError> {
    let text = std::fs::read_to_string(path)
        .map_err(|e| InputError::new(path.display().to_string(), format!("cannot read: {e}")))?;
    parse(path, &text, overrides)
}

/// Validates the text of a calibration file; `path` names it and anchors relative paths.
pub fn parse(
    path: &Path,
    text: &str,
    overrides: &Overrides,
) -> Result<CalibrationPlan, InputError> {
    let doc = Document {
        origin: path.display().to_string(),
        text,
    };
    let table = doc.parse()?;
    // A scenario file given by mistake: say what it is, not a list of unknown keys.
    if let Some((key, _)) = table
        .iter()
        .find(|(k, _)| ["run", "population", "regime", "events"].contains(&k.get_ref().as_ref()))
    {
        return Err(doc.error(
            &key.span(),
            format!(
                "this is a scenario file (it has [{}]), not a calibration file: name it as \
                 `base` in a calibration file (docs/calibrate.md)",
                key.get_ref()
            ),
        ));
    }
    if get(&table, "base").is_none() {
        return Err(InputError::new(
            doc.origin.clone(),
            "a calibration file needs `base`: a built-in scenario name (see `cadre-sim \
             scenarios`) or a path to a scenario file, relative to the calibration file",
        ));
    }
    let mut problems = Problems::default();
    doc.check_keys(&table, "a calibration file", TOP_KEYS, &mut problems);
    let header = read_header(
        &doc,
        path,
        &table,
        "calibration",
        &overrides.run,
        &mut problems,
    );
    let get = |name: &str| get(&table, name);
    let number_in =
        |key: &str, default: f64, low: f64, high: f64, problems: &mut Problems| match get(key) {
            None => Some(default),
            Some(v) => problems.check(doc.number(key, v).and_then(|x| {
                if x >= low && x <= high && x.is_finite() {
                    Ok(x)
                } else {
                    Err(doc.error(
                        &v.span(),
                        format!("`{key}` = {x} must be in [{low}, {high}]"),
                    ))
                }
            })),
        };
    let integer = |key: &str, default: f64, max: f64, problems: &mut Problems| match get(key) {
        None => Some(default),
        Some(v) => problems.check(doc.integer(key, v, 1.0, max)),
    };
    let mut particles = integer("particles", 500.0, MAX_PARTICLES, &mut problems);
    if let Some(p) = overrides.particles {
        if p >= 2 && (p as f64) <= MAX_PARTICLES {
            particles = Some(p as f64);
        } else {
            problems.add(InputError::new(
                "--particles",
                format!("--particles {p} must be an integer in [2, {MAX_PARTICLES}]"),
            ));
        }
    }
    if particles.is_some_and(|p| p < 2.0) {
        problems.add(InputError::new(
            doc.origin.clone(),
            "`particles` must be at least 2",
        ));
    }
    let quantile = number_in("quantile", 0.5, 0.05, 0.95, &mut problems);
    let min_acceptance = number_in("min_acceptance", 0.05, 1e-4, 1.0, &mut problems);
    let mut max_generations = integer("max_generations", 8.0, 100.0, &mut problems);
    if let Some(g) = overrides.generations {
        if (1..=100).contains(&g) {
            max_generations = Some(g as f64);
        } else {
            problems.add(InputError::new(
                "--generations",
                format!("--generations {g} must be an integer in [1, 100]"),
            ));
        }
    }
    let target_tolerance = match get("target_tolerance") {
        None => Some(None),
        Some(_) => number_in("target_tolerance", 0.0, 0.0, f64::MAX, &mut problems).map(Some),
    };
    let predictive = match get("predictive") {
        None => particles,
        Some(v) => problems.check(doc.integer("predictive", v, 1.0, MAX_PARTICLES)),
    };

    let free = match get("parameter") {
        Some(v) => read_params(&doc, v, &mut problems),
        None => {
            problems.add(InputError::new(
                doc.origin.clone(),
                "a calibration file needs [[parameter]] tables: the free parameters, each with \
                 `param`, `prior`, `from`, `to`",
            ));
            None
        }
    };
    let mut variants = vec![Variant {
        overrides: Vec::new(),
    }];
    let mut studies = Vec::new();
    let targets = match get("target") {
        Some(v) => read_targets(
            &doc,
            path,
            v,
            free.as_deref().unwrap_or(&[]),
            header.base.run.steps,
            &mut variants,
            &mut studies,
            &mut problems,
        ),
        None => {
            problems.add(InputError::new(
                doc.origin.clone(),
                "a calibration file needs [[target]] tables: each a `metric`, its `observed` \
                 value, `se` (or `tolerance`) and `source`",
            ));
            None
        }
    };
    problems.finish()?;
    let missing = "a value is missing only with a problem recorded";
    Ok(CalibrationPlan {
        name: header.name,
        description: header.description,
        settings: Settings {
            particles: particles.expect(missing) as usize,
            quantile: quantile.expect(missing),
            min_acceptance: min_acceptance.expect(missing),
            max_generations: max_generations.expect(missing) as u32,
            target_tolerance: target_tolerance.expect(missing),
            seed: header.base.run.seed,
        },
        base: header.base,
        window: header.window,
        free: free.expect(missing),
        variants,
        studies,
        targets: targets.expect(missing),
        predictive: predictive.expect(missing) as usize,
    })
}

/// An array of tables, or a problem recorded.
fn tables<'t, 'a>(
    doc: &Document<'a>,
    key: &str,
    value: &'t Value<'a>,
    problems: &mut Problems,
) -> Option<Vec<&'t Value<'a>>> {
    match value.get_ref() {
        DeValue::Array(items) => Some(items.iter().collect()),
        _ => {
            problems.add(doc.error(
                &value.span(),
                format!("`{key}` must be an array of tables: write each as [[{key}]]"),
            ));
            None
        }
    }
}

fn read_params(
    doc: &Document<'_>,
    value: &Value<'_>,
    problems: &mut Problems,
) -> Option<Vec<FreeParam>> {
    let items = tables(doc, "parameter", value, problems)?;
    let mut free: Vec<FreeParam> = Vec::new();
    let mut ok = true;
    for item in items {
        match read_param(doc, item, &free, problems) {
            Some(f) => free.push(f),
            None => ok = false,
        }
    }
    if ok && free.is_empty() {
        problems.add(doc.error(
            &value.span(),
            "a calibration needs at least one [[parameter]]",
        ));
        return None;
    }
    ok.then_some(free)
}

/// The priors a file may name, and the keys each one takes besides `param` (and `from`,
/// `to` where the prior has chosen bounds).
const PRIORS: &[(&str, &[&str])] = &[
    ("uniform", &[]),
    ("log-uniform", &[]),
    ("beta", &["alpha", "beta"]),
    ("normal", &["mean", "sd"]),
    ("truncated-normal", &["mean", "sd"]),
    ("gamma", &["shape", "rate", "scale"]),
];
/// Every key that shapes some prior.
const SHAPE_KEYS: &[&str] = &["alpha", "beta", "mean", "sd", "shape", "rate", "scale"];
/// A normal or gamma prior may lose at most this share of its mass to the parameter's range.
const MAX_CUT: f64 = 0.01;
/// A truncated normal must keep at least this share of its normal inside [from, to].
const MIN_KEPT: f64 = 1e-3;

/// The parameter's own range as bounds: what a normal or gamma prior is cut at.
fn own_bounds(spec: &ParamSpec) -> (f64, f64) {
    use crate::model::params::Range;
    match spec.range {
        Range::Unit => (0.0, 1.0),
        _ => (0.0, f64::INFINITY),
    }
}

fn read_param(
    doc: &Document<'_>,
    item: &Value<'_>,
    before: &[FreeParam],
    problems: &mut Problems,
) -> Option<FreeParam> {
    let table = problems.check(doc.table("parameter", item))?;
    let ok = doc.check_keys(table, "a [[parameter]]", PARAMETER_KEYS, problems);
    let field = |name: &str| {
        get(table, name)
            .ok_or_else(|| doc.error(&item.span(), format!("a [[parameter]] needs `{name}`")))
    };
    let kinds: Vec<&str> = PRIORS.iter().map(|(k, _)| *k).collect();
    let allowed = kinds
        .iter()
        .map(|k| format!("\"{k}\""))
        .collect::<Vec<_>>()
        .join(", ");
    let prior_value = problems.check(field("prior"));
    let kind = prior_value.and_then(|v| {
        problems.check(doc.string("prior", v).and_then(|k| {
            if kinds.contains(&k.as_str()) {
                Ok(k)
            } else {
                let hint = suggest(&k, kinds.iter().copied())
                    .map(|s| format!(" (did you mean \"{s}\"?)"))
                    .unwrap_or_default();
                Err(doc.error(
                    &v.span(),
                    format!("`prior` = \"{k}\" is not a prior{hint}; allowed: {allowed}"),
                ))
            }
        }))
    });
    let taken = |id| before.iter().any(|f| f.param == id);
    let continuous = |spec: &ParamSpec| {
        if spec.range.is_integer() {
            Err(format!(
                "`{}` takes whole numbers; calibrate continuous parameters only (fix it, or \
                 sweep it with `cadre-sim sweep`)",
                spec.key()
            ))
        } else {
            Ok(())
        }
    };
    let kind = kind?;
    let shape_keys = PRIORS
        .iter()
        .find(|(k, _)| *k == kind)
        .map_or(&[][..], |(_, keys)| *keys);
    // Keys of another prior: say which prior they belong to.
    let mut stray = false;
    for name in SHAPE_KEYS.iter().filter(|n| !shape_keys.contains(n)) {
        if let Some(v) = get(table, name) {
            let owners: Vec<String> = PRIORS
                .iter()
                .filter(|(_, keys)| keys.contains(name))
                .map(|(k, _)| format!("\"{k}\""))
                .collect();
            problems.add(doc.error(
                &v.span(),
                format!(
                    "`{name}` applies to prior = {} only, not to prior = \"{kind}\"",
                    owners.join(" or ")
                ),
            ));
            stray = true;
        }
    }
    // A positive (or, for `mean`, any finite) number.
    let number = |name: &str, problems: &mut Problems| -> Option<f64> {
        let v = get(table, name)?;
        problems.check(doc.number(name, v).and_then(|x| {
            if name == "mean" && x.is_finite() || x > 0.0 && x.is_finite() {
                Ok(x)
            } else if name == "mean" {
                Err(doc.error(&v.span(), format!("`mean` = {x} must be a finite number")))
            } else {
                Err(doc.error(&v.span(), format!("`{name}` = {x} must be a number > 0")))
            }
        }))
    };
    let own_range = matches!(kind.as_str(), "normal" | "gamma");
    let (spec, bounds) = if own_range {
        let spec = crate::sensitivity::file::read_param_spec(
            doc,
            table,
            item,
            "calibrated",
            &taken,
            continuous,
            problems,
        );
        for name in ["from", "to"] {
            if let Some(v) = get(table, name) {
                problems.add(doc.error(
                    &v.span(),
                    format!(
                        "`{name}` does not apply to prior = \"{kind}\": it is cut at the \
                         parameter's own range; for bounds of your own, use prior = \
                         \"truncated-normal\" (with `mean`, `sd`, `from`, `to`)"
                    ),
                ));
                stray = true;
            }
        }
        (spec?, None)
    } else {
        let range = read_param_range(doc, table, item, "calibrated", &taken, continuous, problems)?;
        (range.spec, Some((range.low, range.high, range.from_value)))
    };
    let needs = |names: &[&str], problems: &mut Problems| -> bool {
        let missing: Vec<String> = names
            .iter()
            .filter(|n| get(table, n).is_none())
            .map(|n| format!("`{n}`"))
            .collect();
        if !missing.is_empty() {
            problems.add(doc.error(
                &item.span(),
                format!(
                    "a \"{kind}\" prior on `{}` needs {}",
                    spec.key(),
                    missing.join(" and ")
                ),
            ));
        }
        missing.is_empty()
    };
    let prior = match (kind.as_str(), bounds) {
        ("uniform", Some((low, high, _))) => Prior::Uniform { low, high },
        ("log-uniform", Some((low, high, from_value))) => {
            if low <= 0.0 {
                problems.add(doc.error(
                    &from_value.span(),
                    format!("`from` = {low} must be positive for a log-uniform prior"),
                ));
                return None;
            }
            Prior::LogUniform { low, high }
        }
        ("beta", Some((low, high, _))) => {
            let has = needs(&["alpha", "beta"], problems);
            let (alpha, beta) = (number("alpha", problems), number("beta", problems));
            if !has {
                return None;
            }
            Prior::Beta {
                low,
                high,
                alpha: alpha?,
                beta: beta?,
            }
        }
        ("truncated-normal", Some((low, high, _))) => {
            let has = needs(&["mean", "sd"], problems);
            let (mean, sd) = (number("mean", problems), number("sd", problems));
            if !has {
                return None;
            }
            let prior = Prior::TruncatedNormal {
                mean: mean?,
                sd: sd?,
                low,
                high,
            };
            let kept = prior.cdf_mass();
            if kept.is_nan() || kept < MIN_KEPT {
                problems.add(doc.error(
                    &item.span(),
                    format!(
                        "a truncated normal with `mean` = {}, `sd` = {} keeps {:.2e} of its \
                         mass inside [from, to] = [{low}, {high}]: at least {MIN_KEPT} is \
                         needed (put the mean nearer the range, or widen `sd`)",
                        number_text(mean?),
                        number_text(sd?),
                        kept
                    ),
                ));
                return None;
            }
            prior
        }
        ("normal", None) => {
            let has = needs(&["mean", "sd"], problems);
            let (mean, sd) = (number("mean", problems), number("sd", problems));
            if !has {
                return None;
            }
            let (low, high) = own_bounds(spec);
            let prior = Prior::Normal {
                mean: mean?,
                sd: sd?,
                low,
                high,
            };
            check_cut(
                doc,
                item,
                spec,
                &prior,
                &format!(
                    "a normal prior with `mean` = {}, `sd` = {}",
                    number_text(mean?),
                    number_text(sd?)
                ),
                problems,
            )?;
            prior
        }
        ("gamma", None) => {
            let has = needs(&["shape"], problems);
            let shape = number("shape", problems);
            let rate = match (get(table, "rate"), get(table, "scale")) {
                (Some(_), Some(v)) => {
                    problems.add(doc.error(&v.span(), "give `rate` or `scale`, not both"));
                    None
                }
                (Some(_), None) => number("rate", problems),
                (None, Some(_)) => number("scale", problems).map(|s| 1.0 / s),
                (None, None) => {
                    problems.add(doc.error(
                        &item.span(),
                        format!(
                            "a \"gamma\" prior on `{}` needs `rate` (or `scale` = 1 / rate) \
                             beside `shape`",
                            spec.key()
                        ),
                    ));
                    None
                }
            };
            if !has {
                return None;
            }
            let (low, high) = own_bounds(spec);
            let prior = Prior::Gamma {
                shape: shape?,
                rate: rate?,
                low,
                high,
            };
            check_cut(
                doc,
                item,
                spec,
                &prior,
                &format!(
                    "a gamma prior with `shape` = {}, rate = {}",
                    number_text(shape?),
                    number_text(rate?)
                ),
                problems,
            )?;
            prior
        }
        _ => return None,
    };
    (ok && !stray).then_some(FreeParam {
        param: spec.id,
        prior,
    })
}

fn number_text(x: f64) -> String {
    crate::output::number(x)
}

/// A normal or gamma prior is cut at the parameter's range: refuses a cut of more than
/// [`MAX_CUT`] of its mass, which would make it another distribution than the file says.
fn check_cut(
    doc: &Document<'_>,
    item: &Value<'_>,
    spec: &ParamSpec,
    prior: &Prior,
    what: &str,
    problems: &mut Problems,
) -> Option<()> {
    let kept = prior.cdf_mass();
    if kept.is_finite() && kept >= 1.0 - MAX_CUT {
        return Some(());
    }
    problems.add(doc.error(
        &item.span(),
        format!(
            "{what} puts {:.1}% of its mass outside the range of `{}` ({}); at most {}% is \
             allowed: move it inside, or use prior = \"truncated-normal\" with `from` and `to`",
            100.0 * (1.0 - kept),
            spec.key(),
            spec.range,
            100.0 * MAX_CUT
        ),
    ));
    None
}

#[allow(clippy::too_many_arguments)]
fn read_targets(
    doc: &Document<'_>,
    path: &Path,
    value: &Value<'_>,
    free: &[FreeParam],
    steps: u32,
    variants: &mut Vec<Variant>,
    studies: &mut Vec<Study>,
    problems: &mut Problems,
) -> Option<Vec<Target>> {
    let items = tables(doc, "target", value, problems)?;
    let mut targets: Vec<Target> = Vec::new();
    let mut ok = true;
    for item in items {
        let is_study = problems
            .check(doc.table("target", item))
            .and_then(|t| get(t, "statistic"))
            .and_then(|v| doc.string("statistic", v).ok())
            .is_some_and(|k| k == "experiment");
        let target = if is_study {
            read_study_target(doc, path, item, free, studies, &targets, problems)
        } else {
            read_target(doc, item, free, steps, variants, &targets, problems)
        };
        match target {
            Some(t) => targets.push(t),
            None => ok = false,
        }
    }
    if ok && targets.is_empty() {
        problems.add(doc.error(&value.span(), "a calibration needs at least one [[target]]"));
        return None;
    }
    ok.then_some(targets)
}

#[allow(clippy::too_many_arguments)]
fn read_target(
    doc: &Document<'_>,
    item: &Value<'_>,
    free: &[FreeParam],
    steps: u32,
    variants: &mut Vec<Variant>,
    before: &[Target],
    problems: &mut Problems,
) -> Option<Target> {
    let table = problems.check(doc.table("target", item))?;
    let ok = doc.check_keys(table, "a [[target]]", TARGET_KEYS, problems);
    let field = |name: &str| {
        get(table, name)
            .ok_or_else(|| doc.error(&item.span(), format!("a [[target]] needs `{name}`")))
    };
    let metric_value = problems.check(field("metric"));
    let quantity = metric_value.and_then(|v| {
        problems.check(doc.string("metric", v).and_then(|name| {
            Quantity::from_name(&name).ok_or_else(|| {
                let names = Quantity::names();
                let hint = suggest(&name, names.iter().copied())
                    .map(|s| format!(" (did you mean `{s}`?)"))
                    .unwrap_or_else(|| format!("; allowed: {}", names.join(", ")));
                doc.error(&v.span(), format!("unknown metric `{name}`{hint}"))
            })
        }))
    });
    for name in STUDY_KEYS {
        if let Some(v) = get(table, name) {
            problems.add(doc.error(
                &v.span(),
                format!("`{name}` applies to statistic = \"experiment\" only"),
            ));
        }
    }
    let statistic_kinds = ["final", "at_step", "difference", "ratio"];
    let kind = match get(table, "statistic") {
        None => Some("final".to_string()),
        Some(v) => problems.check(doc.string("statistic", v).and_then(|k| {
            if statistic_kinds.contains(&k.as_str()) {
                Ok(k)
            } else {
                Err(doc.error(
                    &v.span(),
                    format!(
                        "`statistic` = \"{k}\" is not a statistic; allowed: \"final\", \
                         \"at_step\", \"difference\", \"ratio\", \"experiment\""
                    ),
                ))
            }
        })),
    };
    let step = match (kind.as_deref(), get(table, "step")) {
        (Some("at_step"), Some(v)) => problems.check(
            doc.integer("step", v, 0.0, steps.saturating_sub(1) as f64)
                .map_err(|e| {
                    InputError::new(
                        e.location,
                        format!("{} (steps count from 0; the run has {steps})", e.message),
                    )
                }),
        ),
        (Some("at_step"), None) => {
            problems.add(doc.error(
                &item.span(),
                "a target with statistic = \"at_step\" needs `step` (counting from 0)",
            ));
            None
        }
        (_, Some(v)) => {
            problems.add(doc.error(&v.span(), "`step` applies to statistic = \"at_step\" only"));
            None
        }
        (_, None) => Some(0.0),
    };
    let paired = matches!(kind.as_deref(), Some("difference" | "ratio"));
    let scenario = match get(table, "scenario") {
        None => Some(0),
        Some(v) => read_variant(doc, "scenario", v, free, variants, problems),
    };
    let versus = match (paired, get(table, "versus")) {
        (true, Some(v)) => read_variant(doc, "versus", v, free, variants, problems).map(Some),
        (true, None) => {
            problems.add(doc.error(
                &item.span(),
                "a difference or ratio needs `versus`: the second scenario (`versus = {}` is \
                 the base)",
            ));
            None
        }
        (false, Some(v)) => {
            problems.add(doc.error(
                &v.span(),
                "`versus` applies to statistic = \"difference\" or \"ratio\" only",
            ));
            None
        }
        (false, None) => Some(None),
    };
    if paired && scenario.is_some() && scenario == versus.flatten() {
        problems.add(doc.error(
            &item.span(),
            "`scenario` and `versus` are the same scenario: the difference would be 0",
        ));
    }
    let common = read_common(doc, item, table, problems);
    let quantity = quantity?;
    let (name, observed, scale_is_se, source) =
        target_name(doc, item, table, quantity.name(), before, common?, problems)?;
    let statistic = match kind?.as_str() {
        "final" => Statistic::Final,
        "at_step" => Statistic::AtStep(step? as u32),
        "difference" => Statistic::Difference,
        _ => Statistic::Ratio,
    };
    (ok && step.is_some()).then_some(())?;
    Some(Target {
        name,
        quantity,
        statistic,
        scenario: scenario?,
        versus: versus?,
        observed,
        scale_is_se,
        source,
    })
}

/// What every target has: the observation (value, scale, side) and its source; None after
/// recording problems.
struct Common {
    observed: Observation,
    scale_is_se: bool,
    source: String,
}

fn read_common(
    doc: &Document<'_>,
    item: &Value<'_>,
    table: &Table<'_>,
    problems: &mut Problems,
) -> Option<Common> {
    let field = |name: &str| {
        get(table, name)
            .ok_or_else(|| doc.error(&item.span(), format!("a [[target]] needs `{name}`")))
    };
    let observed = problems
        .check(field("observed"))
        .and_then(|v| problems.check(finite(doc, "observed", v)));
    let scale = match (get(table, "se"), get(table, "tolerance")) {
        (Some(_), Some(t)) => {
            problems.add(doc.error(&t.span(), "give `se` or `tolerance`, not both"));
            None
        }
        (Some(v), None) => problems.check(positive(doc, "se", v)).map(|s| (s, true)),
        (None, Some(v)) => problems
            .check(positive(doc, "tolerance", v))
            .map(|s| (s, false)),
        (None, None) => {
            problems.add(doc.error(
                &item.span(),
                "a [[target]] needs `se` (the observation's standard error) or `tolerance` \
                 (the gap that counts as one unit of distance)",
            ));
            None
        }
    };
    let side = match get(table, "side") {
        None => Some(Side::Equal),
        Some(v) => problems.check(doc.string("side", v).and_then(|s| match s.as_str() {
            "equal" => Ok(Side::Equal),
            "at_least" => Ok(Side::AtLeast),
            "at_most" => Ok(Side::AtMost),
            other => Err(doc.error(
                &v.span(),
                format!(
                    "`side` = \"{other}\" is not a side; allowed: \"equal\", \"at_least\", \
                     \"at_most\""
                ),
            )),
        })),
    };
    let source = problems.check(field("source")).and_then(|v| {
        problems.check(doc.string("source", v).and_then(|s| {
            if s.trim().is_empty() {
                Err(doc.error(
                    &v.span(),
                    "`source` is empty: say where the observed value comes from (a citation)",
                ))
            } else {
                Ok(s.trim().to_string())
            }
        }))
    });
    let (scale, scale_is_se) = scale?;
    Some(Common {
        observed: Observation {
            value: observed?,
            scale,
            side: side?,
        },
        scale_is_se,
        source: source?,
    })
}

/// The target's name (given, or `<quantity>_<k>`), unique among the targets before it.
fn target_name(
    doc: &Document<'_>,
    item: &Value<'_>,
    table: &Table<'_>,
    quantity: &str,
    before: &[Target],
    common: Common,
    problems: &mut Problems,
) -> Option<(String, Observation, bool, String)> {
    let name = match get(table, "name") {
        Some(v) => problems.check(doc.string("name", v).and_then(|n| {
            let plain = !n.is_empty()
                && n.chars()
                    .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-');
            if plain {
                Ok(n)
            } else {
                Err(doc.error(
                    &v.span(),
                    format!(
                        "`name` = \"{n}\" must be letters, digits, `_` or `-` (it names a CSV \
                         column)"
                    ),
                ))
            }
        }))?,
        None => format!("{quantity}_{}", before.len() + 1),
    };
    if before.iter().any(|t| t.name == name) {
        let at = get(table, "name").map_or(item.span(), |v| v.span());
        problems.add(doc.error(&at, format!("two targets are named `{name}`")));
        return None;
    }
    Some((name, common.observed, common.scale_is_se, common.source))
}

/// An experiment target (`statistic = "experiment"`): a study design, the estimator, its
/// comparison group, the reported target and the outcome.
fn read_study_target(
    doc: &Document<'_>,
    path: &Path,
    item: &Value<'_>,
    free: &[FreeParam],
    studies: &mut Vec<Study>,
    before: &[Target],
    problems: &mut Problems,
) -> Option<Target> {
    let table = problems.check(doc.table("target", item))?;
    let ok = doc.check_keys(table, "a [[target]]", TARGET_KEYS, problems);
    let field = |name: &str| {
        get(table, name).ok_or_else(|| {
            doc.error(
                &item.span(),
                format!("a [[target]] with statistic = \"experiment\" needs `{name}`"),
            )
        })
    };
    for name in ["metric", "scenario", "versus", "step"] {
        if let Some(v) = get(table, name) {
            problems.add(doc.error(
                &v.span(),
                format!(
                    "`{name}` does not apply to statistic = \"experiment\": the design file \
                     (`experiment`) is its scenario and `outcome` its measure"
                ),
            ));
        }
    }
    let design = problems.check(field("experiment")).and_then(|v| {
        problems.check(doc.string("experiment", v).and_then(|reference| {
            let dir = path.parent().unwrap_or(Path::new(""));
            let resolved = if Path::new(&reference).is_relative()
                && (reference.ends_with(".toml") || reference.contains(['/', '\\']))
            {
                dir.join(&reference).display().to_string()
            } else {
                reference.clone()
            };
            let scenario = Scenario::load(&resolved).map_err(|e| {
                if e.location == "scenario" || e.message.starts_with("cannot read") {
                    doc.error(&v.span(), format!("`experiment`: {}", e.message))
                } else {
                    e
                }
            })?;
            crate::experiment::check_scenario(&scenario).map_err(|e| {
                doc.error(
                    &v.span(),
                    format!("`experiment` = \"{reference}\" {}", e.message),
                )
            })?;
            Ok((reference, scenario))
        }))
    });
    let keys: Vec<&str> = Estimator::ALL.iter().map(|e| e.key()).collect();
    let estimator = problems.check(field("estimator")).and_then(|v| {
        problems.check(doc.string("estimator", v).and_then(|k| {
            Estimator::ALL
                .into_iter()
                .find(|e| e.key() == k)
                .ok_or_else(|| {
                    doc.error(
                        &v.span(),
                        format!(
                            "`estimator` = \"{k}\" is not an estimator; allowed: {}",
                            keys.join(", ")
                        ),
                    )
                })
        }))
    });
    let control = match get(table, "control") {
        None => Some(Control::NeverTreated),
        Some(v) => problems.check(doc.string("control", v).and_then(|k| {
            [Control::NeverTreated, Control::NotYetTreated]
                .into_iter()
                .find(|c| c.key() == k)
                .ok_or_else(|| {
                    doc.error(
                        &v.span(),
                        format!(
                            "`control` = \"{k}\" is not a comparison group; allowed: \
                             \"nevertreated\", \"notyettreated\""
                        ),
                    )
                })
        })),
    };
    let reported = match (get(table, "target"), get(table, "event_time")) {
        (None, None) => Some(Reported::Overall),
        (None, Some(e)) => {
            problems.add(doc.error(
                &e.span(),
                "`event_time` applies to target = \"event_time\" only",
            ));
            None
        }
        (Some(v), e) => {
            problems
                .check(doc.string("target", v))
                .and_then(|k| match (k.as_str(), e) {
                    ("overall", None) => Some(Reported::Overall),
                    ("overall", Some(e)) => {
                        problems.add(doc.error(
                            &e.span(),
                            "`event_time` applies to target = \"event_time\" only",
                        ));
                        None
                    }
                    ("event_time", Some(e)) => problems
                        .check(doc.number("event_time", e).and_then(|x| {
                            if x.fract() == 0.0 && x.abs() <= 10_000.0 {
                                Ok(x as i64)
                            } else {
                                Err(doc.error(
                                    &e.span(),
                                    format!(
                                        "`event_time` = {x} must be a whole number of steps from \
                                     adoption (0: the step of adoption, −1: the step before)"
                                    ),
                                ))
                            }
                        }))
                        .map(Reported::EventTime),
                    ("event_time", None) => {
                        problems.add(doc.error(
                            &v.span(),
                            "target = \"event_time\" needs `event_time` = E (steps from adoption)",
                        ));
                        None
                    }
                    (other, _) => {
                        problems.add(doc.error(
                            &v.span(),
                            format!(
                                "`target` = \"{other}\" is not a reported target; allowed: \
                             \"overall\", \"event_time\""
                            ),
                        ));
                        None
                    }
                })
        }
    };
    let outcome = problems.check(field("outcome")).and_then(|v| {
        problems.check(doc.string("outcome", v).and_then(|k| {
            Outcome::from_name(&k).ok_or_else(|| {
                doc.error(
                    &v.span(),
                    format!(
                        "unknown outcome `{k}`; allowed: {}",
                        Outcome::names().join(", ")
                    ),
                )
            })
        }))
    });
    if reported == Some(Reported::EventTime(-1)) {
        problems.add(doc.error(
            &item.span(),
            "`event_time` = -1 is the reference period: every estimator sets it to 0",
        ));
        return None;
    }
    let common = read_common(doc, item, table, problems);
    let outcome = outcome?;
    let quantity = Quantity::Study(outcome);
    let (name, observed, scale_is_se, source) =
        target_name(doc, item, table, "experiment", before, common?, problems)?;
    let (path, scenario) = design?;
    let _ = free;
    ok.then_some(())?;
    let study = Study {
        path,
        scenario,
        estimator: estimator?,
        control: control?,
        reported: reported?,
        outcome,
    };
    // Refused before any simulation: an estimate the study cannot make on its design.
    if let Err(why) = study.check() {
        problems.add(doc.error(
            &item.span(),
            format!(
                "target `{name}`: `estimator` = \"{}\", `control` = \"{}\", {} on \
                 `experiment` = \"{}\": {why}",
                study.estimator.key(),
                study.control.key(),
                match study.reported {
                    Reported::Overall => "`target` = \"overall\"".to_string(),
                    Reported::EventTime(e) => format!("`event_time` = {e}"),
                },
                study.path
            ),
        ));
        return None;
    }
    studies.push(study);
    Some(Target {
        name,
        quantity,
        statistic: Statistic::Experiment(studies.len() - 1),
        scenario: 0,
        versus: None,
        observed,
        scale_is_se,
        source,
    })
}

/// A finite number.
fn finite(doc: &Document<'_>, key: &str, v: &Value<'_>) -> Result<f64, InputError> {
    let x = doc.number(key, v)?;
    if x.is_finite() {
        Ok(x)
    } else {
        Err(doc.error(&v.span(), format!("`{key}` = {x} must be a finite number")))
    }
}

/// A positive finite number.
fn positive(doc: &Document<'_>, key: &str, v: &Value<'_>) -> Result<f64, InputError> {
    let x = doc.number(key, v)?;
    if x > 0.0 && x.is_finite() {
        Ok(x)
    } else {
        Err(doc.error(&v.span(), format!("`{key}` = {x} must be positive")))
    }
}

/// A scenario of a target: the base with overrides, as an inline table of parameter keys
/// (`{ "regime.leader_duty" = 1.0 }` or `{ regime = { leader_duty = 1.0 } }`). Returns its
/// index in `variants`, adding it if new.
fn read_variant(
    doc: &Document<'_>,
    key: &str,
    value: &Value<'_>,
    free: &[FreeParam],
    variants: &mut Vec<Variant>,
    problems: &mut Problems,
) -> Option<usize> {
    let table = problems.check(doc.table(key, value))?;
    let mut overrides: Vec<(ParamId, f64)> = Vec::new();
    let mut ok = true;
    let mut entries: Vec<(String, &Value<'_>)> = Vec::new();
    collect_entries(doc, table, "", &mut entries, problems, &mut ok);
    for (name, v) in entries {
        let checked = lookup_param(&name)
            .and_then(|spec| check_sweepable(spec.id.into()).map(|()| spec))
            .and_then(|spec| {
                if free.iter().any(|f| f.param == spec.id) {
                    Err(format!(
                        "`{}` is a free parameter: a target's scenario cannot fix it",
                        spec.key()
                    ))
                } else {
                    Ok(spec)
                }
            })
            .map_err(|m| doc.error(&v.span(), m))
            .and_then(|spec| doc.param(spec, v).map(|x| (spec.id, x)));
        match problems.check(checked) {
            Some((id, x)) if !overrides.iter().any(|(o, _)| *o == id) => overrides.push((id, x)),
            Some((id, _)) => {
                problems.add(doc.error(&v.span(), format!("`{}` is set twice", id.key())));
                ok = false;
            }
            None => ok = false,
        }
    }
    if !ok {
        return None;
    }
    overrides.sort_by_key(|(id, _)| id.key());
    let variant = Variant { overrides };
    Some(match variants.iter().position(|v| *v == variant) {
        Some(i) => i,
        None => {
            variants.push(variant);
            variants.len() - 1
        }
    })
}

/// The (key, value) pairs of a scenario table, a nested section table flattened to
/// `section.name`.
fn collect_entries<'t, 'a>(
    doc: &Document<'a>,
    table: &'t Table<'a>,
    prefix: &str,
    out: &mut Vec<(String, &'t Value<'a>)>,
    problems: &mut Problems,
    ok: &mut bool,
) {
    for (k, v) in table.iter() {
        let name = format!("{prefix}{}", k.get_ref());
        match v.get_ref() {
            DeValue::Table(inner) if prefix.is_empty() => {
                collect_entries(doc, inner, &format!("{name}."), out, problems, ok)
            }
            DeValue::Table(_) => {
                problems.add(doc.error(&v.span(), format!("`{name}` must be a number")));
                *ok = false;
            }
            _ => out.push((name, v)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const GOOD: &str = "base = \"nominal_tolerance\"\nsteps = 10\nreplicates = 2\n\
        particles = 20\n\
        [[parameter]]\nparam = \"population.loss_aversion\"\nprior = \"log-uniform\"\n\
        from = 1.0\nto = 4.0\n\
        [[target]]\nmetric = \"initiative\"\nobserved = 0.5\nse = 0.05\nsource = \"x\"\n\
        [[target]]\nname = \"duty_effect\"\nmetric = \"initiative\"\n\
        statistic = \"difference\"\nscenario = { \"regime.leader_duty\" = 1.0 }\n\
        versus = {}\nobserved = 0.05\ntolerance = 0.02\nside = \"at_least\"\nsource = \"y\"\n";

    fn err(text: &str) -> InputError {
        parse(Path::new("cal.toml"), text, &Overrides::default()).unwrap_err()
    }

    #[test]
    fn a_valid_file_resolves() {
        let plan = parse(Path::new("dir/fit.toml"), GOOD, &Overrides::default()).unwrap();
        assert_eq!(plan.name, "fit");
        assert_eq!(plan.settings.particles, 20);
        assert_eq!(plan.predictive, 20);
        assert_eq!(plan.free.len(), 1);
        assert_eq!(plan.variants.len(), 2, "the base and leader_duty = 1");
        assert_eq!(plan.targets[0].name, "initiative_1");
        assert_eq!(plan.targets[1].statistic, Statistic::Difference);
        assert_eq!(
            (plan.targets[1].scenario, plan.targets[1].versus),
            (1, Some(0))
        );
        assert_eq!(plan.targets[1].observed.side, Side::AtLeast);
        assert!(!plan.targets[1].scale_is_se);
    }

    #[test]
    fn mistakes_name_line_key_value_and_range() {
        let e = err(&GOOD.replace("\"log-uniform\"", "\"loguniform\""));
        assert_eq!(e.location, "cal.toml:7");
        assert!(e.message.contains("did you mean \"log-uniform\""), "{e}");
        let e = err(&GOOD.replace("from = 1.0", "from = -1.0"));
        assert!(e.message.contains("out of range"), "{e}");
        let e = err(&GOOD.replace("\"initiative\"\nobserved", "\"initiativ\"\nobserved"));
        assert!(e.message.contains("did you mean `initiative`"), "{e}");
        let e = err(&GOOD.replace("population.loss_aversion", "regime.review_delay"));
        assert!(e.message.contains("continuous parameters only"), "{e}");
        let e = err(&GOOD.replace(
            "regime.leader_duty\" = 1.0",
            "population.loss_aversion\" = 2",
        ));
        assert!(e.message.contains("is a free parameter"), "{e}");
        let e = err(&GOOD.replace("se = 0.05\nsource = \"x\"", "se = 0.05\nsource = \" \""));
        assert!(e.message.contains("`source` is empty"), "{e}");
        let e = err(&GOOD.replace("versus = {}\n", ""));
        assert!(e.message.contains("needs `versus`"), "{e}");
        let e = err(&GOOD.replace("se = 0.05", "se = 0"));
        assert!(e.message.contains("`se` = 0 must be positive"), "{e}");
        let e = err(&GOOD.replace(
            "metric = \"initiative\"\nobserved = 0.5",
            "metric = \"initiative\"\nstatistic = \"at_step\"\nstep = 10\nobserved = 0.5",
        ));
        assert!(e.message.contains("steps count from 0"), "{e}");
        // A misspelt key and the missing key it leaves behind: both reported.
        let e = err(&GOOD.replace("particles = 20", "particle = 20\nquantile = 2"));
        assert!(e.to_string().contains("unknown key `particle`"), "{e}");
        assert!(e.to_string().contains("`quantile` = 2 must be in"), "{e}");
    }

    #[test]
    fn normal_truncated_normal_and_gamma_priors_are_read_and_checked() {
        let with =
            |prior: &str| GOOD.replace("prior = \"log-uniform\"\nfrom = 1.0\nto = 4.0", prior);
        let ok = |text: &str| {
            parse(Path::new("fit.toml"), text, &Overrides::default())
                .unwrap_or_else(|e| panic!("{e}"))
                .free[0]
                .prior
        };
        let p = ok(&with("prior = \"normal\"\nmean = 2.0\nsd = 0.5"));
        assert_eq!(
            p,
            Prior::Normal {
                mean: 2.0,
                sd: 0.5,
                low: 0.0,
                high: f64::INFINITY
            }
        );
        let p = ok(&with(
            "prior = \"truncated-normal\"\nmean = 2.0\nsd = 1\nfrom = 1.0\nto = 3.0",
        ));
        assert_eq!(p.bounds(), (1.0, 3.0));
        let p = ok(&with("prior = \"gamma\"\nshape = 4\nscale = 0.5"));
        assert_eq!(
            p,
            Prior::Gamma {
                shape: 4.0,
                rate: 2.0,
                low: 0.0,
                high: f64::INFINITY
            }
        );
        // A normal that the parameter's range would cut: refused with the share and range.
        let e = err(&with("prior = \"normal\"\nmean = 0.2\nsd = 0.5"));
        assert!(e.message.contains("puts 34.5% of its mass outside the range of `population.loss_aversion` (a number > 0)"), "{e}");
        assert_eq!(e.location, "cal.toml:5");
        let e = err(&with(
            "prior = \"normal\"\nmean = 2.0\nsd = 0.5\nfrom = 1.0",
        ));
        assert!(
            e.message
                .contains("`from` does not apply to prior = \"normal\""),
            "{e}"
        );
        let e = err(&with(
            "prior = \"truncated-normal\"\nmean = 2.0\nfrom = 1.0\nto = 3.0",
        ));
        assert!(e.message.contains("needs `sd`"), "{e}");
        let e = err(&with("prior = \"gamma\"\nshape = 2\nrate = 1\nscale = 1"));
        assert!(
            e.message.contains("give `rate` or `scale`, not both"),
            "{e}"
        );
        let e = err(&with("prior = \"gamma\"\nshape = -2\nrate = 1"));
        assert!(
            e.message.contains("`shape` = -2 must be a number > 0"),
            "{e}"
        );
        let e = err(&with("prior = \"uniform\"\nfrom = 1.0\nto = 4.0\nmean = 2"));
        assert!(
            e.message
                .contains("`mean` applies to prior = \"normal\" or \"truncated-normal\" only"),
            "{e}"
        );
        let e = err(&with(
            "prior = \"truncated-normal\"\nmean = 90\nsd = 1\nfrom = 1.0\nto = 3.0",
        ));
        assert!(e.message.contains("keeps"), "{e}");
        let e = err(&with("prior = \"lognormal\"\nfrom = 1.0\nto = 4.0"));
        assert!(e.message.contains("\"truncated-normal\", \"gamma\""), "{e}");
    }

    #[test]
    fn flags_replace_the_files_settings() {
        let o = Overrides {
            particles: Some(8),
            generations: Some(2),
            ..Overrides::default()
        };
        let plan = parse(Path::new("fit.toml"), GOOD, &o).unwrap();
        assert_eq!(plan.settings.particles, 8);
        assert_eq!(plan.settings.max_generations, 2);
        let plain = parse(Path::new("fit.toml"), GOOD, &Overrides::default()).unwrap();
        assert_ne!(plan.fingerprint(), plain.fingerprint());
        // More generations continue a run: they do not change what its generations are.
        let more = Overrides {
            generations: Some(2),
            ..Overrides::default()
        };
        let more = parse(Path::new("fit.toml"), GOOD, &more).unwrap();
        assert_eq!(more.fingerprint(), plain.fingerprint());
    }
}
