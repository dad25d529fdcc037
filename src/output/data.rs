//! The data files of a run: `timeseries.csv`, `replicates.csv` and `summary.json`.

use serde::Serialize;

use super::OutputDir;
use super::number;
use crate::error::IoContext;
use crate::model::{MODEL_VERSION, Metric};
use crate::run::{RunResult, Summary, Timing};
use crate::scenario::Scenario;

/// Header of `timeseries.csv`.
pub const TIMESERIES_HEADER: [&str; 8] = [
    "scenario", "step", "metric", "mean", "sd", "ci_low", "ci_high", "n",
];

/// `timeseries.csv`, tidy: one row per scenario × metric × step.
pub fn timeseries_csv(results: &[&RunResult]) -> Vec<u8> {
    let mut w = csv::Writer::from_writer(Vec::new());
    w.write_record(TIMESERIES_HEADER).expect("write to memory");
    for result in results {
        let series = result.timeseries();
        for metric in Metric::ALL {
            for (step, summaries) in series.iter().enumerate() {
                let mut row = vec![
                    result.scenario.name.clone(),
                    step.to_string(),
                    metric.name().to_string(),
                ];
                row.extend(summary_fields(&summaries[metric.index()]));
                w.write_record(&row).expect("write to memory");
            }
        }
    }
    w.into_inner().expect("flush to memory")
}

/// The statistics columns of a summary row, as `timeseries.csv` and a sweep's `results.csv`
/// write them: mean, sd, ci_low, ci_high (empty when missing) and n.
pub fn summary_fields(s: &Summary) -> [String; 5] {
    [
        number(s.mean),
        number(s.sd),
        number(s.ci_low),
        number(s.ci_high),
        s.n.to_string(),
    ]
}

/// `replicates.csv`: one row per scenario × replicate × step, one column per metric.
pub fn replicates_csv(results: &[&RunResult]) -> Vec<u8> {
    let mut w = csv::Writer::from_writer(Vec::new());
    let mut header = vec!["scenario", "replicate", "step"];
    header.extend(Metric::ALL.iter().map(|m| m.name()));
    w.write_record(&header).expect("write to memory");
    for result in results {
        for (r, steps) in result.replicates.iter().enumerate() {
            for (t, metrics) in steps.iter().enumerate() {
                let mut row = vec![result.scenario.name.clone(), r.to_string(), t.to_string()];
                row.extend(metrics.iter().map(|&x| number(x)));
                w.write_record(&row).expect("write to memory");
            }
        }
    }
    w.into_inner().expect("flush to memory")
}

/// The content of `summary.json`.
#[derive(Serialize)]
pub struct RunSummary<'a> {
    pub tool: &'static str,
    pub version: &'static str,
    pub model_version: &'static str,
    pub scenario: &'a Scenario,
    pub seed: u64,
    pub replicate_seeds: &'a [u64],
    /// Steps at the end of the run averaged for `final_window`.
    pub window: u32,
    /// Per metric: the mean over replicates of each replicate's final-window mean.
    pub final_window: serde_json::Map<String, serde_json::Value>,
    /// Wall time and throughput: the only fields that differ between equal runs.
    pub timing: &'a Timing,
}

/// `summary.json` of a run.
pub fn summary_json(result: &RunResult, window: u32) -> Vec<u8> {
    let final_window = result
        .final_window(window)
        .iter()
        .zip(Metric::ALL)
        .map(|(s, m)| {
            (
                m.name().to_string(),
                serde_json::to_value(s).expect("plain data"),
            )
        })
        .collect();
    let summary = RunSummary {
        tool: "cadre-sim",
        version: env!("CARGO_PKG_VERSION"),
        model_version: MODEL_VERSION,
        scenario: &result.scenario,
        seed: result.scenario.run.seed,
        replicate_seeds: &result.replicate_seeds,
        window,
        final_window,
        timing: &result.timing,
    };
    let mut bytes = serde_json::to_vec_pretty(&summary).expect("plain data");
    bytes.push(b'\n');
    bytes
}
/// Writes the data files of a run, `summary.json` last.
pub fn write_run(
    out: &OutputDir,
    result: &RunResult,
    window: u32,
    raw: bool,
) -> crate::error::Result<()> {
    let write = |name: &str, bytes: Vec<u8>| {
        out.write(name, &bytes)
            .doing(|| format!("writing {}", out.path().join(name).display()))
    };
    write("timeseries.csv", timeseries_csv(&[result]))?;
    if raw {
        write("replicates.csv", replicates_csv(&[result]))?;
    }
    write(super::Producer::Run.marker(), summary_json(result, window))?;
    Ok(())
}
