//! `did`: the difference-in-differences estimators on a researcher's own panel (CSV text,
//! from a file or a DataFrame written as CSV), with the options the command's flags set.
//!
//! Options are set by name ([`set_option`]): the command line sets them from its typed
//! flags, the Python package from keyword arguments, so an option added to
//! [`crate::did::Options`] needs one line in [`set_option`] to reach Python, and one flag.

use std::path::PathBuf;

use crate::did::file::{Columns, LabelledPanel, PanelRequest, parse_panel_with};
use crate::did::{self as engine, BasePeriod, Control, DidError, Estimate, Method, Options};
use crate::error::InputError;

/// Where the panel comes from.
#[derive(Debug, Clone)]
pub enum PanelSource {
    /// A CSV file with a header row.
    File(PathBuf),
    /// CSV text; `origin` names it in messages (`origin:LINE`).
    Text { origin: String, text: String },
}

/// A panel, its columns and the estimators' options.
#[derive(Debug, Clone)]
pub struct DidRequest {
    pub panel: PanelSource,
    pub columns: Columns,
    pub options: Options,
    /// Covariate columns and whether an unbalanced panel is accepted.
    pub panel_request: PanelRequest,
}

/// The names [`set_option`] knows, for messages.
pub const OPTION_NAMES: &[&str] = &[
    "control",
    "leads",
    "lags",
    "bootstrap",
    "seed",
    "level",
    "covariates",
    "method",
    "anticipation",
    "base-period",
    "balance-e",
    "min-e",
    "max-e",
    "allow-unbalanced",
];

/// Sets the option `key` (a flag's name without `--`) from its text, as the flag would.
pub fn set_option(
    options: &mut Options,
    panel: &mut PanelRequest,
    key: &str,
    value: &str,
) -> Result<(), InputError> {
    let flag = format!("--{key}");
    let bad = |what: &str| InputError::new(&flag, format!("`{value}` is not {what}"));
    let count = || {
        value
            .trim()
            .parse::<u32>()
            .map_err(|_| bad("a count (0, 1, 2, ...)"))
    };
    match key {
        "control" => {
            options.control = match value {
                "nevertreated" => Control::NeverTreated,
                "notyettreated" => Control::NotYetTreated,
                _ => {
                    return Err(InputError::new(
                        &flag,
                        format!(
                            "unknown comparison group `{value}`; allowed: nevertreated, \
                             notyettreated"
                        ),
                    ));
                }
            }
        }
        "leads" => options.leads = count()?,
        "lags" => options.lags = count()?,
        "bootstrap" => options.bootstrap = count()?,
        "seed" => {
            options.seed = value
                .trim()
                .parse()
                .map_err(|_| bad("a seed (an integer in [0, 2^64 − 1])"))?
        }
        "level" => {
            options.level = value
                .trim()
                .parse()
                .map_err(|_| bad("a number (e.g. 0.95)"))?
        }
        "covariates" => {
            let mut names: Vec<String> = Vec::new();
            for c in value.split(',').map(str::trim) {
                if c.is_empty() {
                    return Err(InputError::new(
                        &flag,
                        "an empty column name; list the columns separated by commas",
                    ));
                }
                if names.iter().any(|n| n == c) {
                    return Err(InputError::new(&flag, format!("`{c}` is listed twice")));
                }
                names.push(c.to_string());
            }
            panel.covariates = names;
        }
        "allow-unbalanced" => {
            panel.allow_unbalanced = match value.trim() {
                "true" | "1" | "yes" => true,
                "false" | "0" | "no" => false,
                _ => return Err(bad("true or false")),
            }
        }
        "method" => {
            options.method = match value.trim() {
                "dr" => Method::DoublyRobust,
                "ipw" => Method::Ipw,
                "reg" => Method::Regression,
                _ => {
                    return Err(InputError::new(
                        &flag,
                        format!("unknown method `{value}`; allowed: dr, ipw, reg"),
                    ));
                }
            }
        }
        "anticipation" => options.anticipation = count()?,
        "base-period" => {
            options.base_period = match value.trim() {
                "varying" => BasePeriod::Varying,
                "universal" => BasePeriod::Universal,
                _ => {
                    return Err(InputError::new(
                        &flag,
                        format!("unknown base period `{value}`; allowed: varying, universal"),
                    ));
                }
            }
        }
        "balance-e" => options.balance_e = Some(count()?),
        "min-e" | "max-e" => {
            let e = value
                .trim()
                .parse::<i64>()
                .map_err(|_| bad("an event time (an integer, e.g. -3 or 4)"))?;
            if key == "min-e" {
                options.min_e = Some(e);
            } else {
                options.max_e = Some(e);
            }
        }
        _ => {
            return Err(InputError::new(
                key,
                format!(
                    "is not an option of did; the options are: {}",
                    OPTION_NAMES.join(", ")
                ),
            ));
        }
    }
    Ok(())
}

/// Checks the options, naming the flag of a bad one.
pub fn check_options(options: &Options) -> Result<(), InputError> {
    if options.leads < 1 {
        return Err(InputError::new(
            "--leads",
            "must be at least 1 (event time −1 is the reference period)",
        ));
    }
    if !(options.level > 0.0 && options.level < 1.0) {
        return Err(InputError::new(
            "--level",
            format!("{} is not between 0 and 1 (e.g. 0.95)", options.level),
        ));
    }
    if let (Some(lo), Some(hi)) = (options.min_e, options.max_e)
        && lo > hi
    {
        return Err(InputError::new(
            "--min-e",
            format!("{lo} is after --max-e {hi}; the window runs from --min-e to --max-e"),
        ));
    }
    Ok(())
}

/// The estimates and the panel they were computed on.
#[derive(Debug, Clone)]
pub struct DidResult {
    /// The panel's name in messages (its path, or the text's origin).
    pub origin: String,
    pub panel: LabelledPanel,
    pub estimates: Vec<Estimate>,
    /// The estimators that could estimate nothing on this panel, with the reason.
    pub skipped: Vec<DidError>,
    /// What was decided for the user, to be shown beside the results.
    pub notes: Vec<String>,
}

impl DidRequest {
    /// Reads the panel's text: its origin and contents.
    pub fn text(&self) -> Result<(String, String), InputError> {
        match &self.panel {
            PanelSource::File(path) => {
                let origin = path.display().to_string();
                let bytes = std::fs::read(path)
                    .map_err(|e| InputError::new(&origin, format!("cannot read the panel: {e}")))?;
                let text = String::from_utf8(bytes).map_err(|_| {
                    InputError::new(&origin, "is not UTF-8 text; save the panel as UTF-8 CSV")
                })?;
                Ok((origin, text))
            }
            PanelSource::Text { origin, text } => Ok((origin.clone(), text.clone())),
        }
    }
}

/// Checks the options, reads and checks the panel, and runs every estimator on it.
pub fn estimate(request: &DidRequest) -> Result<DidResult, InputError> {
    check_options(&request.options)?;
    let (origin, text) = request.text()?;
    let panel = parse_panel_with(&text, &origin, &request.columns, &request.panel_request)?;
    let engine::Estimates {
        estimates,
        skipped,
        notes,
    } = engine::estimate_all(&panel.panel, &request.options)
        .map_err(|e| InputError::new(&origin, e.to_string()))?;
    Ok(DidResult {
        origin,
        panel,
        estimates,
        skipped,
        notes,
    })
}
