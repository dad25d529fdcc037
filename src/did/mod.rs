//! Difference-in-differences estimators for staggered adoption, as pure functions on a
//! balanced panel (no I/O, like [`crate::model`]): the same code reads a researcher's own
//! panel (`cadre-sim did`) and the panels of a simulated rollout.
//!
//! - [`twfe`]: two-way fixed effects, static (`Y = α_place + λ_time + β·D`) and event study
//!   (relative-time dummies, reference period −1, binned ends), SEs clustered by place;
//! - [`cs`]: Callaway & Sant'Anna (2021), ATT(g,t) against never-treated or not-yet-treated
//!   places, aggregated as R's `did::aggte`, with a multiplier bootstrap clustered by place;
//! - [`sa`]: Sun & Abraham (2021), the interaction-weighted event study of fixest's `sunab`;
//! - [`imputation`]: Borusyak, Jaravel & Spiess (2024), untreated outcomes imputed from
//!   fixed effects fitted on the untreated observations (point estimates as Gardner's did2s).
//!
//! Diagnostics a referee asks for: [`pretrend`] (the joint Wald test of Callaway–Sant'Anna's
//! pre-adoption ATT(g,t)) and [`bacon`] (the Goodman-Bacon decomposition of static TWFE).
//!
//! Conventions shared by every estimator: a place's *cohort* is the first period it is
//! treated (None: never treated within the panel); *event time* is `time − cohort`; the
//! period before adoption (event time −1) is the reference. Every estimate carries a
//! pointwise confidence interval at [`Options::level`]; the regression estimators use
//! Student's t with G − 1 degrees of freedom (G places), as fixest and pyfixest do for
//! clustered SEs; Callaway–Sant'Anna uses the normal quantile and adds a uniform (sup-t)
//! band over each family of estimates, as `did` does.

pub mod bacon;
pub mod cs;
pub mod estimand;
pub mod file;
pub mod imputation;
mod ols;
pub mod panel;
pub mod pretrend;
pub mod sa;
pub mod synth;
pub mod twfe;

pub use cs::callaway_sant_anna;
pub use estimand::Cell;
pub use imputation::imputation;
pub use panel::{MAX_MISSING_LISTED, Panel, PanelError, Row};
pub use sa::sun_abraham;
pub use twfe::{twfe, twfe_event_study};

use std::fmt;

/// Which places Callaway–Sant'Anna compares a cohort with.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Control {
    /// Places never treated within the panel (`did`'s default).
    #[default]
    NeverTreated,
    /// Places not treated by the later of the period and its base period (never-treated
    /// places included), other than the cohort itself.
    NotYetTreated,
    /// The last cohort to adopt, with the periods from its adoption on dropped: what
    /// Sun–Abraham compares with when no place is never treated. Reported, not an option.
    LastTreated,
}

impl Control {
    /// The key in files and on the command line: `nevertreated`, `notyettreated`,
    /// `lasttreated`.
    pub fn key(self) -> &'static str {
        match self {
            Control::NeverTreated => "nevertreated",
            Control::NotYetTreated => "notyettreated",
            Control::LastTreated => "lasttreated",
        }
    }
}

/// Callaway–Sant'Anna's 2×2 estimator of each ATT(g,t) given covariates (R `did`'s
/// `est_method`). Without covariates all three give the same numbers.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Method {
    /// Doubly robust (Sant'Anna & Zhao 2020; DRDID's `drdid_panel`, `did`'s default).
    #[default]
    DoublyRobust,
    /// Inverse probability weighting with normalised weights (DRDID's `std_ipw_did_panel`).
    Ipw,
    /// Outcome regression (Heckman, Ichimura & Todd 1997; DRDID's `reg_did_panel`).
    Regression,
}

impl Method {
    /// The key on the command line: `dr`, `ipw`, `reg`.
    pub fn key(self) -> &'static str {
        match self {
            Method::DoublyRobust => "dr",
            Method::Ipw => "ipw",
            Method::Regression => "reg",
        }
    }
}

/// Callaway–Sant'Anna's base period for the pre-adoption ATT(g,t) (R `did`'s `base_period`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum BasePeriod {
    /// Each pre-adoption period against the one before it (one-period placebo changes).
    #[default]
    Varying,
    /// Every period against the last period before adoption (g − 1 − anticipation), as an
    /// event study's reference period.
    Universal,
}

/// The choices every estimator shares.
#[derive(Debug, Clone, PartialEq)]
pub struct Options {
    /// Callaway–Sant'Anna's comparison group (never-treated or not-yet-treated).
    pub control: Control,
    /// TWFE event study: leads at or before −`leads` are binned into one dummy (≥ 1; with 1,
    /// every lead is in the reference category).
    pub leads: u32,
    /// TWFE event study: lags at or after `lags` are binned into one dummy.
    pub lags: u32,
    /// Callaway–Sant'Anna: multiplier bootstrap draws; 0 gives analytic (influence-function)
    /// SEs and no uniform bands, as `did` with `bstrap = FALSE`.
    pub bootstrap: u32,
    /// Seed of the bootstrap's multipliers.
    pub seed: u64,
    /// Confidence level of intervals and bands, in (0, 1).
    pub level: f64,
    /// Callaway–Sant'Anna: the 2×2 estimator used with covariates.
    pub method: Method,
    /// Callaway–Sant'Anna: periods before adoption in which places may already react
    /// (R `did`'s `anticipation`): the base period of cohort g is g − 1 − anticipation.
    pub anticipation: u32,
    /// Callaway–Sant'Anna: the base period of the pre-adoption ATT(g,t).
    pub base_period: BasePeriod,
    /// Callaway–Sant'Anna's dynamic aggregation (`aggte`'s `balance_e`): only cohorts
    /// observed at every event time from 0 to `balance_e`, so the event-time effects up to
    /// it are averages over the same cohorts.
    pub balance_e: Option<u32>,
    /// Callaway–Sant'Anna's dynamic aggregation: the first event time reported (`min_e`).
    pub min_e: Option<i64>,
    /// Callaway–Sant'Anna's dynamic aggregation: the last event time reported (`max_e`).
    pub max_e: Option<i64>,
}

impl Default for Options {
    fn default() -> Options {
        Options {
            control: Control::NeverTreated,
            leads: 5,
            lags: 10,
            bootstrap: 999,
            seed: 1,
            level: 0.95,
            method: Method::DoublyRobust,
            anticipation: 0,
            base_period: BasePeriod::Varying,
            balance_e: None,
            min_e: None,
            max_e: None,
        }
    }
}

/// The estimators, in the order [`estimate_all`] reports them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Estimator {
    Twfe,
    TwfeEventStudy,
    CallawaySantAnna,
    SunAbraham,
    Imputation,
}

impl Estimator {
    pub const ALL: [Estimator; 5] = [
        Estimator::Twfe,
        Estimator::TwfeEventStudy,
        Estimator::CallawaySantAnna,
        Estimator::SunAbraham,
        Estimator::Imputation,
    ];

    /// The key in files: `twfe`, `twfe_es`, `cs`, `sa`, `imputation`.
    pub fn key(self) -> &'static str {
        match self {
            Estimator::Twfe => "twfe",
            Estimator::TwfeEventStudy => "twfe_es",
            Estimator::CallawaySantAnna => "cs",
            Estimator::SunAbraham => "sa",
            Estimator::Imputation => "imputation",
        }
    }

    /// The estimator of a key in files.
    pub fn from_key(key: &str) -> Option<Estimator> {
        Estimator::ALL.into_iter().find(|e| e.key() == key)
    }

    /// The name people read (English; see `crate::i18n::estimator_name` for Chinese).
    pub fn name(self) -> &'static str {
        match self {
            Estimator::Twfe => "TWFE",
            Estimator::TwfeEventStudy => "TWFE event study",
            Estimator::CallawaySantAnna => "Callaway–Sant'Anna",
            Estimator::SunAbraham => "Sun–Abraham",
            Estimator::Imputation => "Imputation (Borusyak–Jaravel–Spiess)",
        }
    }
}

impl fmt::Display for Estimator {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// What an estimate is of.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Target {
    /// The estimator's headline effect: TWFE's β; for the imputation estimator the mean
    /// effect over every treated place-period; for the event studies (TWFE event study,
    /// Sun–Abraham) the plain average of the post-adoption event-time effects (event times
    /// 0, 1, ...; for TWFE the last is the binned lag), as `did`'s dynamic aggregation's
    /// overall; for Callaway–Sant'Anna `did`'s "simple" aggregation (every post-adoption
    /// ATT(g,t), weighted by cohort size).
    Overall,
    /// Callaway–Sant'Anna: the overall effect of the dynamic aggregation (average over event
    /// times ≥ 0).
    OverallDynamic,
    /// Callaway–Sant'Anna: the overall effect of the group aggregation (cohort effects
    /// weighted by cohort size).
    OverallGroup,
    /// Callaway–Sant'Anna: the overall effect of the calendar aggregation (average over
    /// calendar periods).
    OverallCalendar,
    /// The effect `e` periods after adoption (e < 0: a placebo before it). For the TWFE event
    /// study, `−leads` and `lags` are the binned ends.
    EventTime(i64),
    /// The average effect on one cohort over its post-adoption periods.
    Group(i64),
    /// The average effect in one calendar period over the cohorts treated by then.
    Calendar(i64),
    /// The effect on cohort `group` in period `time` (ATT(g,t)).
    GroupTime { group: i64, time: i64 },
}

impl Target {
    /// The kind's key in `estimates.csv`.
    pub fn kind(self) -> &'static str {
        match self {
            Target::Overall => "overall",
            Target::OverallDynamic => "overall_dynamic",
            Target::OverallGroup => "overall_group",
            Target::OverallCalendar => "overall_calendar",
            Target::EventTime(_) => "event_time",
            Target::Group(_) => "group",
            Target::Calendar(_) => "calendar",
            Target::GroupTime { .. } => "group_time",
        }
    }

    /// (group, time, event time) where the target has them.
    pub fn coordinates(self) -> (Option<i64>, Option<i64>, Option<i64>) {
        match self {
            Target::EventTime(e) => (None, None, Some(e)),
            Target::Group(g) => (Some(g), None, None),
            Target::Calendar(t) => (None, Some(t), None),
            Target::GroupTime { group, time } => (Some(group), Some(time), Some(time - group)),
            _ => (None, None, None),
        }
    }
}

/// One estimate with its uncertainty.
#[derive(Debug, Clone, PartialEq)]
pub struct Estimate {
    pub estimator: Estimator,
    pub target: Target,
    pub value: f64,
    pub se: f64,
    /// Pointwise confidence interval at [`Options::level`].
    pub ci: (f64, f64),
    /// Uniform (sup-t) band over the estimate's family (Callaway–Sant'Anna's bootstrap).
    pub band: Option<(f64, f64)>,
    /// The comparison group, where the estimator chooses one (CS, SA).
    pub control: Option<Control>,
    /// What it estimates: the weighted average of ATT(g,t) over the cells the estimator
    /// used on this panel (see [`estimand`]).
    pub estimand: Vec<Cell>,
}

/// Why an estimator cannot run on a panel.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum DidError {
    #[error("{estimator}: no place is never treated; use --control notyettreated")]
    NoNeverTreated { estimator: Estimator },
    #[error(
        "{estimator}: no place is treated within the panel after its first period, so there \
         is no effect to estimate"
    )]
    NoTreated { estimator: Estimator },
    #[error("{estimator}: the panel has {places} places; clustered SEs need at least 2")]
    TooFewPlaces { estimator: Estimator, places: usize },
    #[error(
        "{estimator}: every place in the panel adopts at the same time and none is left to \
         compare with"
    )]
    NoComparison { estimator: Estimator },
    #[error(
        "{estimator} needs a balanced panel (every place in every period); on an unbalanced \
         panel only Callaway–Sant'Anna runs"
    )]
    Unbalanced { estimator: Estimator },
    #[error(
        "{estimator} does not take covariates (conditional parallel trends need \
         Callaway–Sant'Anna's doubly robust, IPW or regression estimators)"
    )]
    Covariates { estimator: Estimator },
    #[error("{estimator}: ATT(g,t) for cohort {group} in period {time}: {why}")]
    Cell {
        estimator: Estimator,
        group: i64,
        time: i64,
        why: String,
    },
    #[error("option {option}: {message}")]
    BadOption {
        option: &'static str,
        message: String,
    },
}

impl Options {
    /// Checks the options' ranges.
    pub fn check(&self) -> Result<(), DidError> {
        if !(self.level > 0.0 && self.level < 1.0) {
            return Err(DidError::BadOption {
                option: "level",
                message: format!("{} is not in (0, 1)", self.level),
            });
        }
        if self.leads < 1 {
            return Err(DidError::BadOption {
                option: "leads",
                message: "must be at least 1 (event time −1 is the reference)".into(),
            });
        }
        if let (Some(lo), Some(hi)) = (self.min_e, self.max_e)
            && lo > hi
        {
            return Err(DidError::BadOption {
                option: "min_e",
                message: format!("{lo} is after max_e {hi}"),
            });
        }
        if self.control == Control::LastTreated {
            return Err(DidError::BadOption {
                option: "control",
                message: "use nevertreated or notyettreated".into(),
            });
        }
        Ok(())
    }
}

/// What [`estimate_all`] could estimate on a panel, and what it could not.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Estimates {
    pub estimates: Vec<Estimate>,
    /// The estimators that could estimate nothing on this panel, with the reason.
    pub skipped: Vec<DidError>,
    /// What was decided for the user (e.g. Callaway–Sant'Anna's comparison group changed
    /// because no place is never treated), to be shown beside the results.
    pub notes: Vec<String>,
}

/// Callaway–Sant'Anna's options on `panel`: never-treated controls asked for where no place
/// is never treated (but some is treated) become not-yet-treated ones, the one comparison
/// the design has. [`estimate_all`] says so in its notes; the pre-trend test uses the same.
pub fn cs_options(panel: &Panel, opts: &Options) -> Options {
    let mut cs = opts.clone();
    if opts.control == Control::NeverTreated
        && !panel.has_never_treated()
        && !panel.cohort_sizes().is_empty()
    {
        cs.control = Control::NotYetTreated;
    }
    cs
}

/// Every estimator on `panel`: TWFE, TWFE event study, Callaway–Sant'Anna (with
/// `opts.control`), Sun–Abraham and the imputation estimator, each with its
/// [`Target::Overall`] (see there for what it means per estimator) and its event-time, group
/// and calendar effects where it has them.
///
/// An estimator that cannot estimate anything on this panel is skipped with its reason, and
/// the others' results are kept; only when none can estimate anything is it an error (the
/// first reason). When no place is never treated (the real rollout's design: every place
/// adopted eventually), Callaway–Sant'Anna asked for never-treated controls compares with
/// the places not yet treated instead, and says so in `notes`: TWFE and Sun–Abraham (the last
/// cohort as control) need no never-treated place either. On a panel with covariates or an
/// unbalanced one, the regression estimators (imputation among them) refuse it
/// ([`DidError::Covariates`], [`DidError::Unbalanced`]; see [`regressions_run`]) and only
/// Callaway–Sant'Anna runs.
pub fn estimate_all(panel: &Panel, opts: &Options) -> Result<Estimates, DidError> {
    opts.check()?;
    let mut out = Estimates::default();
    let cs_opts = cs_options(panel, opts);
    if cs_opts.control != opts.control {
        out.notes.push(
            "Callaway–Sant'Anna: no place is never treated, so it compares each cohort with the \
             places not yet treated (as --control notyettreated); periods from the last \
             cohort's adoption on have no comparison and are left out of its estimates"
                .into(),
        );
    }
    let results = [
        twfe::twfe(panel, opts),
        twfe::twfe_event_study(panel, opts),
        cs::callaway_sant_anna(panel, &cs_opts),
        sa::sun_abraham(panel, opts),
        imputation::imputation(panel, opts),
    ];
    for result in results {
        match result {
            Ok(estimates) => out.estimates.extend(estimates),
            Err(e) => out.skipped.push(e),
        }
    }
    if out.estimates.is_empty() {
        return Err(out.skipped.swap_remove(0));
    }
    Ok(out)
}

/// Whether TWFE, the TWFE event study and Sun–Abraham run on `panel`: not with covariates
/// (they would need covariates interacted with every period to mean conditional parallel
/// trends, which Callaway–Sant'Anna's estimators do properly), not on an unbalanced panel.
pub fn regressions_run(panel: &Panel) -> bool {
    panel.is_balanced() && panel.covariates().is_empty()
}

/// The refusal of a regression estimator on a panel it does not take.
pub(crate) fn check_regression_panel(panel: &Panel, estimator: Estimator) -> Result<(), DidError> {
    if !panel.is_balanced() {
        return Err(DidError::Unbalanced { estimator });
    }
    if !panel.covariates().is_empty() {
        return Err(DidError::Covariates { estimator });
    }
    Ok(())
}

/// The two-sided quantile of the standard normal for `level` (e.g. 1.96 for 0.95).
pub(crate) fn normal_quantile(level: f64) -> f64 {
    use statrs::distribution::{ContinuousCDF, Normal};
    Normal::new(0.0, 1.0)
        .expect("standard normal")
        .inverse_cdf(0.5 + level / 2.0)
}

/// The two-sided quantile of Student's t with `df` degrees of freedom for `level`.
pub(crate) fn t_quantile(level: f64, df: f64) -> f64 {
    use statrs::distribution::{ContinuousCDF, StudentsT};
    StudentsT::new(0.0, 1.0, df)
        .expect("df ≥ 1")
        .inverse_cdf(0.5 + level / 2.0)
}

#[cfg(test)]
mod tests;
