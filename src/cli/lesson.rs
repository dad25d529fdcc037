//! `cadre-sim lesson`: a report for classes that walks through the paper's argument in six
//! steps, each with its plot, a short explanation and the numbers behind it. The plan of the
//! steps and their text live in [`crate::report::lesson`]; this module runs and draws.

use std::path::PathBuf;

use anyhow::Context;
use clap::Args;

use super::compare::SharedRunArgs;
use super::default_out_in;
use super::plots::PlotArgs;
use crate::compare::Comparison;
use crate::i18n::{self, Lang, lesson};
use crate::output::{OutputDir, Producer};
use crate::plot::compare_plots::{bars_figure, caption, overlay_panel};
use crate::plot::write_figures;
use crate::plot::{Figure, Panel};
use crate::report::html::Page;
use crate::report::lesson::{PLAN, StepPlan, lesson_text};
use crate::report::{REPORT, write_page};
use crate::run::RunResult;

/// Every scenario the lesson runs, in the order of the paper.
pub const LESSON_SCENARIOS: [&str; 10] = [
    "strict_accountability",
    "nominal_tolerance",
    "o1_top_level_design",
    "o2_top_leader",
    "o3_openness",
    "o4_tolerance_with_correction",
    "o5_legalization",
    "optimized_path",
    "lax_tolerance",
    "mechanism_introduced",
];

/// The palette colour of each of [`LESSON_SCENARIOS`], the same in every step. Scenarios
/// shown together never share a colour (nor two similar ones); the optimized path is
/// always green and strict accountability black.
const COLOURS: [usize; 10] = [6, 3, 5, 4, 1, 0, 6, 2, 4, 0];

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
    let lang = plots.lang;

    let mut figures = Vec::new();
    for step in &PLAN {
        let picked: Vec<(&RunResult, usize)> = step
            .scenarios
            .iter()
            .map(|name| {
                let k = LESSON_SCENARIOS
                    .iter()
                    .position(|n| n == name)
                    .expect("planned");
                (&results[k], COLOURS[k])
            })
            .collect();
        figures.push((
            step.stem.to_string(),
            step_figure(step, &picked, window, lang),
        ));
    }
    let svgs = write_figures(&out, &figures, &plots)?;

    let mut page = Page::new(lang, lesson::TITLE.get(lang));
    page.element("p", lesson::INTRO.get(lang));
    for (text, svg) in lesson_text(&results, window, lang).iter().zip(&svgs) {
        page.raw("<section class=\"step\">");
        page.element("h2", &text.title);
        page.element("p", &text.explanation);
        page.reading(&text.sentences);
        page.figure(svg, "");
        page.raw("</section>");
    }
    write_page(&out, &page)?;
    out.finish(|_| false)
        .context("removing the earlier lesson's files that this one did not replace")?;
    println!("Lesson in {}", out.path().join(REPORT).display());
    Ok(())
}

/// The plot of a step: lines over time per metric, or bars of final-window means.
fn step_figure(step: &StepPlan, picked: &[(&RunResult, usize)], window: u32, lang: Lang) -> Figure {
    let title = step.text.title.get(lang);
    let refs: Vec<&RunResult> = picked.iter().map(|(r, _)| *r).collect();
    if step.bars {
        let comparison = Comparison::of(&refs, window);
        let mut figure = bars_figure(&comparison, step.metrics, lang);
        for panel in &mut figure.panels {
            if let Panel::Bars(p) = panel {
                for (bar, (_, colour)) in p.bars.iter_mut().zip(picked) {
                    bar.colour = *colour;
                }
            }
        }
        figure.title = title.to_string();
        return figure;
    }
    let panels = step
        .metrics
        .iter()
        .map(|&m| overlay_panel(picked, m, lang, i18n::metric_label(m).get(lang).to_string()))
        .collect::<Vec<_>>();
    let columns = panels.len();
    Figure::new(title, lang, panels, columns).with_caption(caption(&refs, lang))
}
