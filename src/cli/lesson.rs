//! `cadre-sim lesson`: a report for classes that walks through the paper's argument in six
//! steps, each with its plot, a short explanation and the numbers behind it. The plan, the
//! text, the plots and the page live in [`crate::report::lesson`]; this module runs it.

use std::path::PathBuf;

use anyhow::Context;
use clap::Args;

use super::compare::SharedRunArgs;
use super::default_out_in;
use super::plots::PlotArgs;
use crate::output::{OutputDir, Producer};
use crate::report::REPORT;
use crate::report::lesson::{LESSON_SCENARIOS, write_lesson};

#[derive(Args, Debug)]
pub struct LessonArgs {
    #[command(flatten)]
    pub run: SharedRunArgs,
    /// Output folder [default: output/lesson, output/lesson_zh with --lang zh].
    #[arg(long, value_name = "DIR")]
    pub out: Option<PathBuf>,
    #[command(flatten)]
    pub plots: PlotArgs,
}

pub fn execute(args: &LessonArgs) -> anyhow::Result<()> {
    let (scenarios, window) = args.run.resolve(&LESSON_SCENARIOS)?;
    let plots = args.plots.resolve()?;
    let out_path = args
        .out
        .clone()
        .unwrap_or_else(|| default_out_in("lesson", plots.lang));
    let out = OutputDir::prepare(&out_path, Producer::Lesson, args.run.exec.force)?;
    let results = args.run.run_all(&scenarios);
    write_lesson(&out, &results, window, &plots)?;
    out.finish(|_| false)
        .context("removing the earlier lesson's files that this one did not replace")?;
    println!("Lesson in {}", out.path().join(REPORT).display());
    Ok(())
}
