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
use crate::did::file::{Columns, estimates_csv};
use crate::did::{Control, Options, Target};
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
    /// The estimators' options (checked by the library).
    fn options(&self) -> Options {
        Options {
            control: match self.control {
                ControlArg::Nevertreated => Control::NeverTreated,
                ControlArg::Notyettreated => Control::NotYetTreated,
            },
            leads: self.leads,
            lags: self.lags,
            bootstrap: self.bootstrap,
            seed: self.seed,
            level: self.level,
        }
    }

    /// The flags as the library's request.
    pub fn request(&self) -> DidRequest {
        DidRequest {
            panel: PanelSource::File(self.panel.clone()),
            columns: Columns {
                place: self.place.clone(),
                time: self.time.clone(),
                cohort: self.cohort.clone(),
                outcome: self.outcome.clone(),
            },
            options: self.options(),
        }
    }
}

pub fn execute(args: &DidArgs) -> anyhow::Result<()> {
    let request = args.request();
    api::did::check_options(&request.options)?;
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
    for note in notes
        .iter()
        .chain(&skipped.iter().map(|e| e.to_string()).collect::<Vec<_>>())
    {
        eprintln!("note: {note}");
    }
    println!("\nResults in {}", out.path().display());
    Ok(())
}
