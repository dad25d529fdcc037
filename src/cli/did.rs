//! `cadre-sim did PANEL.csv`: the difference-in-differences estimators on a researcher's own
//! panel (the same code a simulated rollout's panels go through); writes estimates.csv and
//! the event-study plot, and prints each estimator's overall effect.

use std::path::PathBuf;

use anyhow::Context;
use clap::{Args, ValueEnum};

use super::default_out_in;
use super::plots::PlotArgs;
use crate::api::{
    self,
    did::{DidRequest, DidResult, PanelSource},
};
use crate::did::file::{Columns, PanelRequest, estimates_csv};
use crate::did::{self, BasePeriod, Control, Method, Options, Target};
use crate::error::InputError;
use crate::i18n::did as text;
use crate::output::{OutputDir, Producer, short};
use crate::plot::{did_plots, write_plot_files};

/// `--control`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ControlArg {
    /// Places never treated within the panel.
    Nevertreated,
    /// Places not yet treated in the period (never-treated places included).
    Notyettreated,
}

/// `--method`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum MethodArg {
    /// Doubly robust (Sant'Anna & Zhao 2020), as R's did by default.
    Dr,
    /// Inverse probability weighting (normalised weights).
    Ipw,
    /// Outcome regression.
    Reg,
}

/// `--base-period`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum BasePeriodArg {
    /// Each pre-adoption period against the period before it.
    Varying,
    /// Every period against the last period before adoption (less anticipation).
    Universal,
}

/// Callaway–Sant'Anna's options beyond the comparison group (R did's att_gt and aggte).
#[derive(Args, Debug, Clone)]
pub struct CsArgs {
    /// Callaway–Sant'Anna: covariate columns (numbers), each place's value taken from the
    /// earlier period of each comparison; TWFE, the event study and Sun–Abraham do not take
    /// covariates and are left out.
    #[arg(long, value_name = "COL[,COL...]", value_delimiter = ',')]
    pub covariates: Vec<String>,
    /// Callaway–Sant'Anna with covariates: doubly robust, IPW or outcome regression.
    #[arg(long, value_enum, default_value = "dr")]
    pub method: MethodArg,
    /// Callaway–Sant'Anna: periods before adoption in which places may already react.
    #[arg(long, value_name = "K", default_value_t = 0)]
    pub anticipation: u32,
    /// Callaway–Sant'Anna: base period of the pre-adoption ATT(g,t).
    #[arg(long, value_enum, default_value = "varying")]
    pub base_period: BasePeriodArg,
    /// Callaway–Sant'Anna's event-time aggregation: only cohorts observed at every event time
    /// from 0 to E.
    #[arg(long, value_name = "E")]
    pub balance_e: Option<u32>,
    /// Callaway–Sant'Anna's event-time aggregation: the first event time reported.
    #[arg(long, value_name = "E", allow_negative_numbers = true)]
    pub min_e: Option<i64>,
    /// Callaway–Sant'Anna's event-time aggregation: the last event time reported.
    #[arg(long, value_name = "E", allow_negative_numbers = true)]
    pub max_e: Option<i64>,
    /// Keep an unbalanced panel and estimate Callaway–Sant'Anna on it as R's did with
    /// allow_unbalanced_panel = TRUE; TWFE, the event study and Sun–Abraham are left out.
    #[arg(long)]
    pub allow_unbalanced: bool,
}

impl CsArgs {
    /// Sets Callaway–Sant'Anna's options in `opts`.
    fn apply(&self, opts: &mut Options) -> Result<(), InputError> {
        if let (Some(lo), Some(hi)) = (self.min_e, self.max_e)
            && lo > hi
        {
            return Err(InputError::new(
                "--min-e",
                format!("{lo} is after --max-e {hi}; the window runs from --min-e to --max-e"),
            ));
        }
        opts.method = match self.method {
            MethodArg::Dr => Method::DoublyRobust,
            MethodArg::Ipw => Method::Ipw,
            MethodArg::Reg => Method::Regression,
        };
        opts.anticipation = self.anticipation;
        opts.base_period = match self.base_period {
            BasePeriodArg::Varying => BasePeriod::Varying,
            BasePeriodArg::Universal => BasePeriod::Universal,
        };
        opts.balance_e = self.balance_e;
        opts.min_e = self.min_e;
        opts.max_e = self.max_e;
        Ok(())
    }

    /// What to read from the panel besides its four columns.
    fn request(&self) -> Result<PanelRequest, InputError> {
        let mut seen = Vec::new();
        for c in &self.covariates {
            if c.is_empty() {
                return Err(InputError::new(
                    "--covariates",
                    "an empty column name; list the columns separated by commas",
                ));
            }
            if seen.contains(c) {
                return Err(InputError::new(
                    "--covariates",
                    format!("`{c}` is listed twice"),
                ));
            }
            seen.push(c.clone());
        }
        Ok(PanelRequest {
            covariates: self.covariates.clone(),
            allow_unbalanced: self.allow_unbalanced,
        })
    }
}

#[derive(Args, Debug)]
pub struct DidArgs {
    /// The panel: a CSV file with a header row and one row per place and period.
    pub panel: PathBuf,
    /// Column of the place (any text label).
    #[arg(long, value_name = "COL")]
    pub place: String,
    /// Column of the period (consecutive integers, e.g. years).
    #[arg(long, value_name = "COL")]
    pub time: String,
    /// Column of the cohort: the first treated period; empty, `never` or `NA` for never
    /// treated (`0` too when every period is after 0).
    #[arg(long, value_name = "COL")]
    pub cohort: String,
    /// Column of the outcome.
    #[arg(long, value_name = "COL")]
    pub outcome: String,
    /// Callaway–Sant'Anna's comparison places.
    #[arg(long, value_enum, default_value = "nevertreated")]
    pub control: ControlArg,
    /// TWFE event study: leads at or before −N binned into one dummy (at least 1).
    #[arg(long, value_name = "N", default_value_t = 5)]
    pub leads: u32,
    /// TWFE event study: lags at or after N binned into one dummy.
    #[arg(long, value_name = "N", default_value_t = 10)]
    pub lags: u32,
    #[command(flatten)]
    pub cs: CsArgs,
    /// Callaway–Sant'Anna: multiplier bootstrap draws (0: analytic SEs, no uniform bands).
    #[arg(long, value_name = "B", default_value_t = 999)]
    pub bootstrap: u32,
    /// Seed of the bootstrap.
    #[arg(long, value_name = "S", default_value_t = 1)]
    pub seed: u64,
    /// Confidence level of intervals and bands.
    #[arg(long, value_name = "LEVEL", default_value_t = 0.95)]
    pub level: f64,
    /// Output folder [default: output/did_<file stem>, with `_zh` after it for --lang zh].
    #[arg(long, value_name = "DIR")]
    pub out: Option<PathBuf>,
    /// Replace the results of an earlier `did` in the output folder.
    #[arg(long)]
    pub force: bool,
    #[command(flatten)]
    pub plots: PlotArgs,
}

impl DidArgs {
    /// The estimators' options, checked.
    fn options(&self) -> Result<Options, InputError> {
        if self.leads < 1 {
            return Err(InputError::new(
                "--leads",
                "must be at least 1 (event time −1 is the reference period)",
            ));
        }
        if !(self.level > 0.0 && self.level < 1.0) {
            return Err(InputError::new(
                "--level",
                format!("{} is not between 0 and 1 (e.g. 0.95)", self.level),
            ));
        }
        let mut opts = Options {
            control: match self.control {
                ControlArg::Nevertreated => Control::NeverTreated,
                ControlArg::Notyettreated => Control::NotYetTreated,
            },
            leads: self.leads,
            lags: self.lags,
            bootstrap: self.bootstrap,
            seed: self.seed,
            level: self.level,
            ..Options::default()
        };
        self.cs.apply(&mut opts)?;
        Ok(opts)
    }
}

pub fn execute(args: &DidArgs) -> anyhow::Result<()> {
    let request = DidRequest {
        panel: PanelSource::File(args.panel.clone()),
        columns: Columns {
            place: args.place.clone(),
            time: args.time.clone(),
            cohort: args.cohort.clone(),
            outcome: args.outcome.clone(),
        },
        options: args.options()?,
        panel_request: args.cs.request()?,
    };
    let plots = args.plots.resolve()?;
    let DidResult {
        panel,
        estimates,
        skipped,
        notes,
        ..
    } = api::did::estimate(&request)?;
    let panel = panel.panel;
    let opts = request.options;

    let out_path = args.out.clone().unwrap_or_else(|| {
        let stem = args
            .panel
            .file_stem()
            .map_or("panel".into(), |s| s.to_string_lossy().into_owned());
        default_out_in(&format!("did_{stem}"), plots.lang)
    });
    let out = OutputDir::prepare(&out_path, Producer::Did, args.force)?;
    let times = panel.times();
    let figure = did_plots::event_study_figure(&estimates, None, plots.lang).with_caption([
        text::panel_caption(
            plots.lang,
            &args.outcome,
            panel.n_places(),
            (times[0], times[times.len() - 1]),
            panel.cohort_sizes().len(),
            opts.level,
        ),
    ]);
    write_plot_files(&out, &[("event_study".into(), figure)], &plots.formats)?;
    let marker = Producer::Did.marker();
    out.write(marker, &estimates_csv(&estimates))
        .with_context(|| format!("writing {}", out.path().join(marker).display()))?;
    out.finish(|_| false)
        .context("removing the earlier estimates' files that these did not replace")?;

    println!("{}\n", text::overall_heading(plots.lang));
    for e in estimates.iter().filter(|e| e.target == Target::Overall) {
        let line = text::overall_line(
            plots.lang,
            text::estimator_name(e.estimator, plots.lang),
            &short(e.value),
            &short(e.se),
            (&short(e.ci.0), &short(e.ci.1)),
        );
        println!("{line}");
    }
    if !did::regressions_run(&panel) {
        println!(
            "\n{}",
            text::regressions_left_out(plots.lang, !panel.covariates().is_empty())
        );
    }
    // The regressions' refusal of covariates or an unbalanced panel is said once, above.
    let skipped: Vec<String> = skipped
        .iter()
        .filter(|e| {
            !matches!(
                e,
                did::DidError::Covariates { .. } | did::DidError::Unbalanced { .. }
            )
        })
        .map(ToString::to_string)
        .collect();
    for note in notes.iter().chain(&skipped) {
        eprintln!("note: {note}");
    }
    println!("\nResults in {}", out.path().display());
    Ok(())
}
