//! The data files of an experiment: `panel.csv`, `truth.csv`, `estimates.csv`,
//! `estimates_summary.csv`, and `experiment.json` (written last: its presence marks a
//! complete result).

use serde::Serialize;

use super::{OutputDir, Producer, number};
use crate::did::file::{ESTIMATES_HEADER, estimate_fields};
use crate::error::IoContext;
use crate::experiment::assess::Assessment;
use crate::experiment::{Experiment, Outcome};
use crate::model::MODEL_VERSION;
use crate::run::{Summary, Timing};
use crate::scenario::Scenario;

fn opt(x: Option<i64>) -> String {
    x.map(|v| v.to_string()).unwrap_or_default()
}

/// `panel.csv`, tidy: one row per replicate × place × step, each outcome in the rollout's
/// world and, beside it, in the world where no place adopts.
pub fn panel_csv(experiment: &Experiment) -> Vec<u8> {
    let mut w = csv::Writer::from_writer(Vec::new());
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
    w.write_record(&header).expect("write to memory");
    for (r, panel) in experiment.panels.iter().enumerate() {
        for (p, info) in panel.places.iter().enumerate() {
            for t in 0..panel.steps {
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
                w.write_record(&row).expect("write to memory");
            }
        }
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
    let mut w = csv::Writer::from_writer(Vec::new());
    let mut header = vec!["replicate", "outcome"];
    header.extend(ESTIMATES_HEADER);
    header.push("truth");
    w.write_record(&header).expect("write to memory");
    let outcome = experiment.options.outcome.name();
    for (r, rep) in experiment.replicates.iter().enumerate() {
        for (e, truth) in &rep.estimates {
            let mut row = vec![r.to_string(), outcome.to_string()];
            row.extend(estimate_fields(e));
            row.push(number(*truth));
            w.write_record(&row).expect("write to memory");
        }
    }
    w.into_inner().expect("flush to memory")
}

/// `estimates_summary.csv`: each estimated quantity over replicates against the truth of its
/// own estimand, with the policy's effect beside it.
pub fn estimates_summary_csv(outcome: Outcome, assessment: &Assessment) -> Vec<u8> {
    let mut w = csv::Writer::from_writer(Vec::new());
    w.write_record([
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
    ])
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
    /// Simulating and estimating (wall time, agent-steps over it).
    timing: &'a Timing,
    /// Their thread time, and the wall time of summarising and writing the files.
    work: crate::experiment::Work,
    writing_seconds: f64,
}

/// Writes the data files of an experiment, `experiment.json` last.
pub fn write_experiment(
    out: &OutputDir,
    experiment: &Experiment,
    assessment: &Assessment,
    timing: &Timing,
    writing: std::time::Instant,
) -> crate::error::Result<()> {
    let write = |name: &str, bytes: Vec<u8>| {
        out.write(name, &bytes)
            .doing(|| format!("writing {}", out.path().join(name).display()))
    };
    let outcome = experiment.options.outcome;
    write("panel.csv", panel_csv(experiment))?;
    write("truth.csv", truth_csv(outcome, assessment))?;
    write("estimates.csv", estimates_csv(experiment))?;
    write(
        "estimates_summary.csv",
        estimates_summary_csv(outcome, assessment),
    )?;
    let did = &experiment.options.did;
    let summary = ExperimentSummary {
        tool: "cadre-sim",
        version: env!("CARGO_PKG_VERSION"),
        model_version: MODEL_VERSION,
        scenario: &experiment.scenario,
        seed: experiment.scenario.run.seed,
        outcome: outcome.name(),
        control: did.control.key(),
        leads: did.leads,
        lags: did.lags,
        bootstrap: did.bootstrap,
        true_overall: assessment.true_overall(),
        problems: &assessment.problems,
        notes: &assessment.notes,
        timing,
        work: experiment.work,
        writing_seconds: writing.elapsed().as_secs_f64(),
    };
    let mut bytes = serde_json::to_vec_pretty(&summary).expect("plain data");
    bytes.push(b'\n');
    write(Producer::Experiment.marker(), bytes)?;
    Ok(())
}
