//! `cadre-sim lesson`: a report for classes that walks through the paper's argument in six
//! steps, each with its plot, a two-sentence explanation and the numbers behind it.

use std::path::PathBuf;

use anyhow::Context;
use clap::Args;

use super::compare::SharedRunArgs;
use super::default_out_in;
use super::plots::{PlotArgs, write_figures};
use crate::compare::Comparison;
use crate::i18n::{self, Lang, lesson};
use crate::model::Metric;
use crate::output::{OutputDir, Producer};
use crate::plot::compare_plots::{bars_figure, caption, overlay_panel};
use crate::plot::{Figure, Panel};
use crate::report::html::Page;
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

/// What one step of the lesson shows.
struct StepPlan {
    text: &'static lesson::Step,
    /// File stem of its plot.
    stem: &'static str,
    /// Scenarios, the first being the baseline of the numbers quoted.
    scenarios: &'static [&'static str],
    metrics: &'static [Metric],
    /// Metrics whose numbers are quoted under the plot.
    quote: &'static [Metric],
    /// Bars of final-window means instead of lines over time.
    bars: bool,
}

const PLAN: [StepPlan; 6] = [
    StepPlan {
        text: &lesson::STRICT,
        stem: "lesson_1_strict",
        scenarios: &["strict_accountability"],
        metrics: &[Metric::Initiative, Metric::LyingFlat],
        quote: &[Metric::Initiative, Metric::LyingFlat],
        bars: false,
    },
    StepPlan {
        text: &lesson::NOMINAL,
        stem: "lesson_2_nominal",
        scenarios: &["strict_accountability", "nominal_tolerance"],
        metrics: &[Metric::Initiative, Metric::InitiationRate],
        quote: &[Metric::Initiative, Metric::InitiationRate],
        bars: false,
    },
    StepPlan {
        text: &lesson::LEVERS,
        stem: "lesson_3_levers",
        scenarios: &[
            "nominal_tolerance",
            "o1_top_level_design",
            "o2_top_leader",
            "o3_openness",
            "o4_tolerance_with_correction",
            "o5_legalization",
        ],
        metrics: &[
            Metric::Initiative,
            Metric::MeanBelief,
            Metric::CorrectionRate,
            Metric::ToleranceRate,
        ],
        quote: &[Metric::Initiative, Metric::MeanBelief],
        bars: true,
    },
    StepPlan {
        text: &lesson::TOGETHER,
        stem: "lesson_4_together",
        scenarios: &[
            "strict_accountability",
            "nominal_tolerance",
            "optimized_path",
        ],
        metrics: &[Metric::Initiative, Metric::SocialValue],
        quote: &[Metric::Initiative, Metric::SocialValue],
        bars: false,
    },
    StepPlan {
        text: &lesson::LAX,
        stem: "lesson_5_lax",
        scenarios: &["optimized_path", "lax_tolerance"],
        metrics: &[Metric::Violations, Metric::Abuses],
        quote: &[Metric::Initiative, Metric::Violations, Metric::Abuses],
        bars: false,
    },
    StepPlan {
        text: &lesson::INTRODUCED,
        stem: "lesson_6_introduced",
        scenarios: &["optimized_path", "mechanism_introduced"],
        metrics: &[Metric::Initiative, Metric::MeanBelief],
        quote: &[Metric::Initiative, Metric::MeanBelief],
        bars: false,
    },
];

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
    let out = OutputDir::prepare(&out_path, Producer::Lesson, args.run.force)?;
    let results = args.run.run_all(&scenarios);
    let lang = plots.lang;

    let mut figures = Vec::new();
    let mut readings = Vec::new();
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
        let runs: Vec<&RunResult> = picked.iter().map(|(r, _)| *r).collect();
        let comparison = Comparison::of(&runs, window);
        figures.push((
            step.stem.to_string(),
            step_figure(step, &picked, &comparison, lang),
        ));
        readings.push(step_numbers(step, &picked, &comparison, window, lang));
    }
    let svgs = write_figures(&out, &figures, &plots)?;

    let mut page = Page::new(lang, lesson::TITLE.get(lang));
    page.element("p", lesson::INTRO.get(lang));
    for ((step, svg), numbers) in PLAN.iter().zip(&svgs).zip(&readings) {
        page.raw("<section class=\"step\">");
        page.element("h2", step.text.title.get(lang));
        page.element("p", step.text.explanation.get(lang));
        page.reading(numbers);
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
fn step_figure(
    step: &StepPlan,
    picked: &[(&RunResult, usize)],
    comparison: &Comparison,
    lang: Lang,
) -> Figure {
    let title = step.text.title.get(lang);
    let refs: Vec<&RunResult> = picked.iter().map(|(r, _)| *r).collect();
    if step.bars {
        let mut figure = bars_figure(comparison, step.metrics, lang);
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

/// The numbers quoted under a step: each scenario against the step's first on the quoted
/// metrics (or the levels themselves when the step has a single scenario).
fn step_numbers(
    step: &StepPlan,
    picked: &[(&RunResult, usize)],
    comparison: &Comparison,
    window: u32,
    lang: Lang,
) -> Vec<String> {
    if picked.len() == 1 {
        let summaries = picked[0].0.final_window(window);
        return step
            .quote
            .iter()
            .map(|&m| i18n::level_sentence(lang, m, &summaries[m.index()], window))
            .collect();
    }
    crate::report::comparison_reading(comparison, lang, step.quote)
}
