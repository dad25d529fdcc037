//! `cadre-sim run`: one scenario's replicates, their time series and summary.

use std::path::PathBuf;

use anyhow::Context;
use clap::Args;
use indicatif::{ProgressBar, ProgressStyle};

use super::plots::PlotArgs;
use super::{ScenarioArgs, default_out_in, reference_stem};
use crate::model::Metric;
use crate::output::{OutputDir, Producer, data, short};
use crate::run::{RunOptions, RunResult, Summary, final_window, run_scenario};

#[derive(Args, Debug)]
pub struct RunArgs {
    #[command(flatten)]
    pub scenario: ScenarioArgs,
    /// Worker threads (default: all cores). Results do not depend on it.
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u16).range(1..))]
    pub threads: Option<u16>,
    /// Final steps averaged in summary.json and the table printed at the end
    /// [default: 10, or all steps of a shorter run].
    #[arg(long, value_name = "W")]
    pub window: Option<u32>,
    /// Also write replicates.csv: every metric of every step of every replicate.
    #[arg(long)]
    pub raw: bool,
    /// Output folder [default: output/<scenario> (a file's name without .toml), with `_zh`
    /// after it for --lang zh].
    #[arg(long, value_name = "DIR")]
    pub out: Option<PathBuf>,
    /// Replace results already in the output folder.
    #[arg(long)]
    pub force: bool,
    /// No progress bar.
    #[arg(long, short)]
    pub quiet: bool,
    /// Also write worldview.gif: the world view of replicate 0 over time, for slides.
    #[arg(long)]
    pub gif: bool,
    #[command(flatten)]
    pub plots: PlotArgs,
}

/// A progress bar over `len` units on a terminal; hidden when `quiet` or not a terminal.
pub fn progress_bar(len: u64, quiet: bool, what: &str) -> ProgressBar {
    if quiet {
        return ProgressBar::hidden();
    }
    let bar = ProgressBar::new(len);
    bar.set_style(
        ProgressStyle::with_template(&format!(
            "{{spinner}} {{bar:40}} {{pos}}/{{len}} {what} [{{elapsed_precise}}, eta {{eta}}]"
        ))
        .expect("valid template"),
    );
    bar
}

pub fn execute(args: &RunArgs) -> anyhow::Result<()> {
    let scenario = args.scenario.resolve()?;
    let window = final_window(args.window, scenario.run.steps)?;
    let plots = args.plots.resolve()?;
    let out_path = args.out.clone().unwrap_or_else(|| {
        default_out_in(
            &reference_stem(&args.scenario.scenario, &scenario),
            plots.lang,
        )
    });
    let out = OutputDir::prepare(&out_path, Producer::Run, args.force)?;

    let bar = progress_bar(scenario.run.replicates as u64, args.quiet, "replicates");
    let tick = || bar.inc(1);
    let result = run_scenario(
        &scenario,
        &RunOptions {
            threads: args.threads.map(usize::from),
            on_replicate_done: Some(&tick),
        },
    );
    bar.finish_and_clear();

    if args.gif {
        // Before write_run, so that summary.json, the mark of a complete result, comes last.
        crate::worldview::gif::write_world_gif(&scenario, &out)?.report();
    }
    crate::report::write_run_report(&out, &result, window, &plots)?;
    write_run(&out, &result, window, args.raw)?;
    out.finish(|_| false)
        .context("removing the earlier run's files that this run did not replace")?;
    print!("{}", final_window_table(&result, window));
    println!(
        "{} agent-steps in {:.2} s ({:.1} million/s on {} threads); results in {}",
        result.timing.agent_steps,
        result.timing.seconds,
        result.timing.agent_steps_per_second / 1e6,
        result.timing.threads,
        out.path().display()
    );
    Ok(())
}

/// Writes the data files of a run, `summary.json` last.
pub fn write_run(
    out: &OutputDir,
    result: &RunResult,
    window: u32,
    raw: bool,
) -> anyhow::Result<()> {
    let write = |name: &str, bytes: Vec<u8>| {
        out.write(name, &bytes)
            .with_context(|| format!("writing {}", out.path().join(name).display()))
    };
    write("timeseries.csv", data::timeseries_csv(&[result]))?;
    if raw {
        write("replicates.csv", data::replicates_csv(&[result]))?;
    }
    write(Producer::Run.marker(), data::summary_json(result, window))?;
    Ok(())
}

/// The final-window means as a Markdown table.
pub fn final_window_table(result: &RunResult, window: u32) -> String {
    let summaries = result.final_window(window);
    let mut out = format!(
        "\n{}: mean of the last {window} of {} steps over {} replicates\n\n",
        result.scenario.name,
        result.steps(),
        result.replicates.len()
    );
    out.push_str("| metric | mean | 95% CI | n |\n|---|---:|---|---:|\n");
    for metric in Metric::ALL {
        let s: &Summary = &summaries[metric.index()];
        out.push_str(&format!(
            "| {} | {} | {} | {} |\n",
            metric.name(),
            short(s.mean),
            if s.ci_low.is_nan() {
                String::new()
            } else {
                format!("[{}, {}]", short(s.ci_low), short(s.ci_high))
            },
            s.n
        ));
    }
    out.push('\n');
    out
}
