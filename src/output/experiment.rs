//! The data files of an experiment: `panel.csv`, `truth.csv`, `estimates.csv`,
//! `estimates_summary.csv`, and `experiment.json` (written last: its presence marks a
//! complete result). `panel.csv` and `estimates.csv` are written as replicates finish, in
//! replicate order ([`ExperimentFiles`]), so that no replicate is held longer than it takes
//! to write it.

use serde::Serialize;

use std::io::Write;

use super::{AtomicFile, OutputDir, Producer, number};
use crate::did::file::{ESTIMATES_HEADER, estimate_fields};
use crate::error::IoContext;
use crate::experiment::assess::Assessment;
use crate::experiment::spill::Spill;
use crate::experiment::summarise::Reduced;
use crate::experiment::{
    Experiment, ExperimentOptions, Outcome, ReplicateEstimates, ReplicatePanel, Summarised,
    Summarising, Work,
};
use crate::model::MODEL_VERSION;
use crate::run::{Summary, Timing};
use crate::scenario::Scenario;

fn opt(x: Option<i64>) -> String {
    x.map(|v| v.to_string()).unwrap_or_default()
}

/// `panel.csv`, tidy: one row per replicate × place × step, each outcome in the rollout's
/// world and, beside it, in the world where no place adopts.
pub fn panel_csv(experiment: &Experiment) -> Vec<u8> {
    let mut bytes = panel_header();
    for (r, panel) in experiment.panels.iter().enumerate() {
        bytes.extend(panel_rows(r as u64, panel));
    }
    bytes
}

/// The header line of `panel.csv`.
pub fn panel_header() -> Vec<u8> {
    let mut header = vec![
        "replicate".to_string(),
        "place".into(),
        "step".into(),
        "cohort".into(),
        "treated".into(),
        "strength".into(),
        "leniency".into(),
    ];
    for o in Outcome::ALL {
        header.push(o.name().into());
        header.push(format!("{}_no_adoption", o.name()));
    }
    record_bytes([header])
}

/// The rows of `panel.csv` of replicate `r`.
pub fn panel_rows(r: u64, panel: &ReplicatePanel) -> Vec<u8> {
    record_bytes(panel.places.iter().enumerate().flat_map(|(p, info)| {
        (0..panel.steps).map(move |t| {
            let treated = info.cohort.is_some_and(|g| t >= g);
            let mut row = vec![
                r.to_string(),
                p.to_string(),
                t.to_string(),
                opt(info.cohort.map(i64::from)),
                (treated as u8).to_string(),
                number(info.strength),
                number(info.leniency),
            ];
            let (obs, un) = (panel.observed(p, t), panel.untreated(p, t));
            for o in Outcome::ALL {
                row.push(number(obs[o.index()]));
                row.push(number(un[o.index()]));
            }
            row
        })
    }))
}

/// CSV records as bytes. A record's bytes depend on the record alone, so rows formatted
/// apart (a replicate's, on the worker that ran it) join into the file one writer would
/// have written.
fn record_bytes<R: IntoIterator<Item = String>>(records: impl IntoIterator<Item = R>) -> Vec<u8> {
    let mut w = csv::Writer::from_writer(Vec::new());
    for record in records {
        w.write_record(record).expect("write to memory");
    }
    w.into_inner().expect("flush to memory")
}

/// `truth.csv`: the true effects over replicates (mean, sd, 95% CI, n).
pub fn truth_csv(outcome: Outcome, assessment: &Assessment) -> Vec<u8> {
    let mut w = csv::Writer::from_writer(Vec::new());
    w.write_record([
        "outcome",
        "target",
        "group",
        "time",
        "event_time",
        "mean",
        "sd",
        "ci_low",
        "ci_high",
        "n",
    ])
    .expect("write to memory");
    for (key, s) in &assessment.truth {
        let (g, t, e) = key.coordinates();
        let mut row = vec![
            outcome.name().to_string(),
            key.kind().into(),
            opt(g),
            opt(t),
            opt(e),
        ];
        row.extend(super::data::summary_fields(s));
        w.write_record(&row).expect("write to memory");
    }
    w.into_inner().expect("flush to memory")
}

/// `estimates.csv`: every estimate of every replicate, in the columns of `cadre-sim did`'s
/// `estimates.csv`, with the replicate and the outcome before them and that replicate's
/// truth after.
pub fn estimates_csv(experiment: &Experiment) -> Vec<u8> {
    let mut bytes = estimates_header();
    let outcome = experiment.options.outcome;
    for (r, rep) in experiment.replicates.iter().enumerate() {
        bytes.extend(estimates_rows(r as u64, outcome, rep));
    }
    bytes
}

/// The header line of `estimates.csv`.
pub fn estimates_header() -> Vec<u8> {
    let mut header = vec!["replicate", "outcome"];
    header.extend(ESTIMATES_HEADER);
    header.push("truth");
    record_bytes([header.into_iter().map(String::from)])
}

/// The rows of `estimates.csv` of replicate `r`.
pub fn estimates_rows(r: u64, outcome: Outcome, rep: &ReplicateEstimates) -> Vec<u8> {
    record_bytes(rep.estimates.iter().map(|(e, truth)| {
        let mut row = vec![r.to_string(), outcome.name().to_string()];
        row.extend(estimate_fields(e));
        row.push(number(*truth));
        row
    }))
}

/// The columns of `estimates_summary.csv` (and, after `point`, of an experiment sweep's
/// `results.csv`).
pub const ESTIMATES_SUMMARY_HEADER: [&str; 16] = [
    "outcome",
    "estimator",
    "control",
    "target",
    "group",
    "time",
    "event_time",
    "mean_estimate",
    "sd_estimate",
    "mean_truth",
    "bias",
    "rmse",
    "coverage",
    "mean_se",
    "n",
    "policy_effect",
];

/// `estimates_summary.csv`: each estimated quantity over replicates against the truth of its
/// own estimand, with the policy's effect beside it.
pub fn estimates_summary_csv(outcome: Outcome, assessment: &Assessment) -> Vec<u8> {
    let mut w = csv::Writer::from_writer(Vec::new());
    w.write_record(ESTIMATES_SUMMARY_HEADER)
        .expect("write to memory");
    // The policy's effect (every adopted place-step) beside every row, so that the gap
    // between what an estimator targets and what the policy did is one subtraction.
    let policy = number(assessment.true_overall().map_or(f64::NAN, |s| s.mean));
    for a in &assessment.estimates {
        let (g, t, e) = a.target.coordinates();
        let mut row = vec![
            outcome.name().to_string(),
            a.estimator.key().to_string(),
            a.control.map_or("", |c| c.key()).to_string(),
            a.target.kind().to_string(),
            opt(g),
            opt(t),
            opt(e),
        ];
        row.extend([
            number(a.estimate.mean),
            number(a.estimate.sd),
            number(a.truth.mean),
            number(a.bias),
            number(a.rmse),
            number(a.coverage),
            number(a.mean_se),
            a.estimate.n.to_string(),
            policy.clone(),
        ]);
        w.write_record(&row).expect("write to memory");
    }
    w.into_inner().expect("flush to memory")
}

/// The content of `experiment.json`.
#[derive(Serialize)]
struct ExperimentSummary<'a> {
    tool: &'static str,
    version: &'static str,
    model_version: &'static str,
    scenario: &'a Scenario,
    seed: u64,
    outcome: &'static str,
    control: &'static str,
    leads: u32,
    lags: u32,
    bootstrap: u32,
    /// The true overall ATT over replicates.
    true_overall: Option<&'a Summary>,
    /// Replicates without estimates, and why.
    problems: &'a [(usize, String)],
    /// What the estimators said about the design.
    notes: &'a [String],
    /// Simulating, estimating and streaming out each replicate's rows (wall time,
    /// agent-steps over it).
    timing: &'a Timing,
    /// Their thread time; then the wall time of summarising and of writing the figures and
    /// the other files once every replicate is done.
    work: crate::experiment::Work,
    writing_seconds: f64,
}

/// An experiment's files while its replicates stream by: `panel.csv` and `estimates.csv`
/// grow in temporary files, a replicate at a time in replicate order, and what the other
/// files need is reduced as they pass ([`Summarising`], its spills in the folder too). At
/// [`ExperimentFiles::finish`] every file is put in place, `experiment.json` last; dropped
/// before (stopped, failed), it leaves no file of its own behind.
pub struct ExperimentFiles<'a> {
    out: &'a OutputDir,
    panel: AtomicFile,
    estimates: AtomicFile,
    summarising: Summarising,
}

/// One replicate ready to be written: its rows, and what the summaries need of it.
pub struct ReplicateRows {
    panel: Vec<u8>,
    estimates: Vec<u8>,
    reduced: Reduced,
}

impl<'a> ExperimentFiles<'a> {
    pub fn create(
        out: &'a OutputDir,
        scenario: &Scenario,
        options: &ExperimentOptions,
    ) -> crate::error::Result<ExperimentFiles<'a>> {
        let create = |name: &str, header: Vec<u8>| -> std::io::Result<AtomicFile> {
            let path = out.path().join(name);
            let mut file = AtomicFile::create(&path)?;
            file.write_all(&header)?;
            Ok(file)
        };
        let open = || -> std::io::Result<ExperimentFiles<'a>> {
            Ok(ExperimentFiles {
                out,
                panel: create("panel.csv", panel_header())?,
                estimates: create("estimates.csv", estimates_header())?,
                summarising: Summarising::new(scenario, options, || Spill::file_in(out.path()))?,
            })
        };
        open().doing(|| format!("starting the files in {}", out.path().display()))
    }

    /// Formats a replicate's rows and reduces it (on any thread, in parallel).
    pub fn preparer(
        &self,
    ) -> impl Fn(u64, ReplicatePanel, ReplicateEstimates) -> ReplicateRows + Sync + use<> {
        let reducer = self.summarising.reducer();
        let outcome = self.summarising.outcome();
        move |r, panel, estimates| ReplicateRows {
            panel: panel_rows(r, &panel),
            estimates: estimates_rows(r, outcome, &estimates),
            reduced: reducer.reduce(&panel, estimates),
        }
    }

    /// Appends the next replicate in replicate order.
    pub fn add(&mut self, rows: ReplicateRows) -> crate::error::Result<()> {
        let path = |name: &str| self.out.path().join(name).display().to_string();
        self.panel
            .write_all(&rows.panel)
            .doing(|| format!("writing {}", path("panel.csv")))?;
        self.estimates
            .write_all(&rows.estimates)
            .doing(|| format!("writing {}", path("estimates.csv")))?;
        self.summarising
            .add(&rows.reduced)
            .doing(|| format!("setting numbers aside in {}", self.out.path().display()))
    }

    /// The summaries over every replicate added; then `report` (figures and page), the data
    /// files, and `experiment.json` last. `writing` started the clock of this last phase.
    pub fn finish(
        self,
        work: Work,
        timing: &Timing,
        writing: std::time::Instant,
        report: impl FnOnce(&Summarised) -> crate::error::Result<()>,
    ) -> crate::error::Result<Summarised> {
        let out = self.out;
        let summarised = self.summarising.finish(work).doing(|| {
            format!(
                "reading back the numbers set aside in {}",
                out.path().display()
            )
        })?;
        report(&summarised)?;
        for (name, file) in [("panel.csv", self.panel), ("estimates.csv", self.estimates)] {
            let commit = || -> std::io::Result<()> {
                out.claim(name)?;
                file.commit()
            };
            commit().doing(|| format!("writing {}", out.path().join(name).display()))?;
        }
        write_experiment(out, &summarised, timing, writing)?;
        Ok(summarised)
    }
}

/// Writes the summary files of an experiment, `experiment.json` last.
pub fn write_experiment(
    out: &OutputDir,
    summarised: &Summarised,
    timing: &Timing,
    writing: std::time::Instant,
) -> crate::error::Result<()> {
    let write = |name: &str, bytes: Vec<u8>| {
        out.write(name, &bytes)
            .doing(|| format!("writing {}", out.path().join(name).display()))
    };
    let outcome = summarised.options.outcome;
    let assessment = &summarised.assessment;
    write("truth.csv", truth_csv(outcome, assessment))?;
    write(
        "estimates_summary.csv",
        estimates_summary_csv(outcome, assessment),
    )?;
    let did = &summarised.options.did;
    let summary = ExperimentSummary {
        tool: "cadre-sim",
        version: env!("CARGO_PKG_VERSION"),
        model_version: MODEL_VERSION,
        scenario: &summarised.scenario,
        seed: summarised.scenario.run.seed,
        outcome: outcome.name(),
        control: did.control.key(),
        leads: did.leads,
        lags: did.lags,
        bootstrap: did.bootstrap,
        true_overall: assessment.true_overall(),
        problems: &assessment.problems,
        notes: &assessment.notes,
        timing,
        work: summarised.work,
        writing_seconds: writing.elapsed().as_secs_f64(),
    };
    let mut bytes = serde_json::to_vec_pretty(&summary).expect("plain data");
    bytes.push(b'\n');
    write(Producer::Experiment.marker(), bytes)?;
    Ok(())
}
