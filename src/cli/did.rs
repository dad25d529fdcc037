//! `cadre-sim did PANEL.csv`: the difference-in-differences estimators on a researcher's own
//! panel (the same code a simulated rollout's panels go through), the pre-trend test and the
//! Goodman-Bacon decomposition; writes estimates.csv, pretrend.csv, bacon.csv, the
//! event-study and Bacon plots and report.html, and prints each estimator's overall effect.

use std::path::PathBuf;

use anyhow::Context;
use clap::{Args, ValueEnum};

use super::default_out_in;
use super::plots::PlotArgs;
use crate::did::file::{
    Columns, PanelRequest, Reading, bacon_csv, estimates_csv, parse_panel_with, pretrend_csv,
};
use crate::did::{self, BasePeriod, Control, Method, Options, Target};
use crate::error::InputError;
use crate::i18n::did as text;
use crate::output::{OutputDir, Producer, short};
use crate::plot::{did_plots, write_figures};
use crate::report::did::DidReport;

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
    /// covariates and are left out (the imputation estimator too).
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
    /// allow_unbalanced_panel = TRUE (a missing outcome's row is dropped); TWFE, the event
    /// study, Sun–Abraham and the imputation estimator are left out.
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

    /// What to read from the panel besides its four columns, read as `reading` says.
    fn request(&self, reading: Reading) -> Result<PanelRequest, InputError> {
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
            reading: Reading {
                // A missing outcome leaves its place without that period: the panel is
                // unbalanced there, which only --allow-unbalanced accepts.
                drop_missing: self.allow_unbalanced,
                ..reading
            },
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
    /// Column of the outcome (`.`, `NA` or empty where it is missing).
    #[arg(long, value_name = "COL")]
    pub outcome: String,
    /// Field separator: `,`, `;` or `tab` [default: the one the header row has most of].
    #[arg(long, value_name = "SEP")]
    pub delimiter: Option<String>,
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
    /// How to read the panel, checked.
    fn reading(&self) -> Result<Reading, InputError> {
        let delimiter = match self.delimiter.as_deref() {
            None => None,
            Some(",") => Some(b','),
            Some(";") => Some(b';'),
            Some("tab" | "\\t" | "\t") => Some(b'\t'),
            Some(other) => {
                return Err(InputError::new(
                    "--delimiter",
                    format!("`{other}` is not a separator; use `,`, `;` or `tab`"),
                ));
            }
        };
        Ok(Reading {
            delimiter,
            // Set with --allow-unbalanced, in CsArgs::request.
            drop_missing: false,
        })
    }

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
    let opts = args.options()?;
    let reading = args.reading()?;
    let plots = args.plots.resolve()?;
    let lang = plots.lang;
    let origin = args.panel.display().to_string();
    let bytes = std::fs::read(&args.panel)
        .map_err(|e| InputError::new(&origin, format!("cannot read the panel: {e}")))?;
    let text = String::from_utf8(bytes)
        .map_err(|_| InputError::new(&origin, "is not UTF-8 text; save the panel as UTF-8 CSV"))?;
    let columns = Columns {
        place: args.place.clone(),
        time: args.time.clone(),
        cohort: args.cohort.clone(),
        outcome: args.outcome.clone(),
    };
    let panel = parse_panel_with(&text, &origin, &columns, &args.cs.request(reading)?)?.panel;
    let refused = |e: did::DidError| InputError::new(&origin, e.to_string());
    let did::Estimates {
        estimates,
        skipped,
        notes,
    } = did::estimate_all(&panel, &opts).map_err(refused)?;
    // The pre-trend test is Callaway–Sant'Anna's, with the comparison estimate_all gave it
    // (not-yet-treated places when no place is never treated).
    let cs_opts = did::cs_options(&panel, &opts);
    let pretrend = did::pretrend::pretrend(&panel, &cs_opts).map_err(refused)?;
    // Goodman-Bacon decomposes static TWFE, which does not run with covariates or on an
    // unbalanced panel.
    let bacon = if did::regressions_run(&panel) {
        Some(did::bacon::bacon(&panel).map_err(refused)?)
    } else {
        None
    };

    let out_path = args.out.clone().unwrap_or_else(|| {
        let stem = args
            .panel
            .file_stem()
            .map_or("panel".into(), |s| s.to_string_lossy().into_owned());
        default_out_in(&format!("did_{stem}"), lang)
    });
    let out = OutputDir::prepare(&out_path, Producer::Did, args.force)?;
    let times = panel.times();
    let event_study =
        did_plots::event_study_figure(&estimates, None, lang).with_caption([text::panel_caption(
            lang,
            &args.outcome,
            panel.n_places(),
            (times[0], times[times.len() - 1]),
            panel.cohort_sizes().len(),
            opts.level,
        )]);
    let mut figures = vec![("event_study".to_string(), event_study)];
    if let Some(bacon) = &bacon {
        figures.push(("bacon".to_string(), did_plots::bacon_figure(bacon, lang)));
    }
    let svgs = write_figures(&out, &figures, &plots)?;
    let marker = Producer::Did.marker();
    let mut files = vec![
        (marker, estimates_csv(&estimates)),
        ("pretrend.csv", pretrend_csv(&pretrend, cs_opts.control)),
    ];
    if let Some(bacon) = &bacon {
        files.push(("bacon.csv", bacon_csv(bacon)));
    }
    for (name, bytes) in files {
        out.write(name, &bytes)
            .with_context(|| format!("writing {}", out.path().join(name).display()))?;
    }
    let report = DidReport {
        file: &origin,
        outcome: &args.outcome,
        panel: &panel,
        opts: &opts,
        estimates: &estimates,
        pretrend: &pretrend,
        bacon: bacon.as_ref(),
    };
    report.write(&out, &figures, &svgs, lang)?;
    out.finish(|_| false)
        .context("removing the earlier estimates' files that these did not replace")?;

    println!("{}\n", text::overall_heading(lang));
    for e in estimates.iter().filter(|e| e.target == Target::Overall) {
        let line = text::overall_line(
            lang,
            text::estimator_name(e.estimator, lang),
            &short(e.value),
            &short(e.se),
            (&short(e.ci.0), &short(e.ci.1)),
        );
        println!("{line}");
    }
    println!(
        "\n{}",
        text::pretrend_sentence(lang, &pretrend, opts.level, panel.n_places())
    );
    if let Some(bacon) = &bacon {
        let (weight, mean) = bacon.by_comparison(did::bacon::Comparison::LaterVsEarlier);
        println!("{}", text::bacon_sentence(lang, bacon.twfe, weight, mean));
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
