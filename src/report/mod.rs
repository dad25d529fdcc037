//! `report.html`: the self-contained report of a run or a comparison (the lesson builds its
//! own page from the same pieces, see [`html`]). Reports consume results and figures; they
//! never run the model.

pub mod calibrate;
pub mod did;
pub mod experiment;
pub mod html;
pub mod lesson;
pub mod listing;
pub mod markdown;

use crate::error::IoContext;

use crate::compare::Comparison;
use crate::i18n::{self, Lang};
use crate::model::Metric;
use crate::output::OutputDir;
use crate::plot::{PlotOptions, write_figures};
use crate::plot::{compare_plots, run_plots};
use crate::run::RunResult;
use html::{Page, escape, scenario_section, table};

/// The file name of reports.
pub const REPORT: &str = "report.html";

/// Metrics the generated reading talks about.
pub const READING_METRICS: [Metric; 5] = [
    Metric::Initiative,
    Metric::ToleranceRate,
    Metric::MeanBelief,
    Metric::Violations,
    Metric::SocialValue,
];

/// "steps · replicates · seed · final window" line of a report.
fn run_line(result: &RunResult, window: u32, lang: Lang) -> String {
    let s = &result.scenario;
    format!(
        "{}: {} {} · {} {} · {} {} · {} {} · {} {}",
        i18n::RUN_SETUP.get(lang),
        s.run.steps,
        i18n::STEPS.get(lang),
        result.replicates.len(),
        i18n::REPLICATES.get(lang),
        s.population.cadres,
        i18n::CADRES.get(lang),
        i18n::SEED.get(lang),
        s.run.seed,
        i18n::FINAL_WINDOW.get(lang),
        window
    )
}

/// The final-window table of one run: metric, mean, 95% CI, n.
fn final_table(result: &RunResult, window: u32, lang: Lang) -> String {
    let summaries = result.final_window(window);
    let mut rows = vec![vec![
        i18n::METRIC.get(lang).to_string(),
        i18n::MEAN.get(lang).to_string(),
        i18n::CI95.get(lang).to_string(),
        "n".to_string(),
    ]];
    for m in Metric::ALL {
        let s = &summaries[m.index()];
        rows.push(vec![
            i18n::metric_axis(m, lang),
            crate::output::short(s.mean),
            crate::output::interval(s, false).unwrap_or_default(),
            s.n.to_string(),
        ]);
    }
    table(&rows, true)
}

/// Writes `page` as the folder's `report.html`.
pub fn write_page(out: &OutputDir, page: &Page) -> crate::error::Result<()> {
    out.write(REPORT, page.finish().as_bytes())
        .doing(|| format!("writing {}", out.path().join(REPORT).display()))?;
    Ok(())
}

/// Writes a run's plot files and its `report.html`.
pub fn write_run_report(
    out: &OutputDir,
    result: &RunResult,
    window: u32,
    options: &PlotOptions,
) -> crate::error::Result<()> {
    let lang = options.lang;
    let figures: Vec<(String, _)> = run_plots::run_figures(result, lang)
        .into_iter()
        .map(|(stem, f)| (stem.to_string(), f))
        .collect();
    let svgs = write_figures(out, &figures, options)?;
    let label = i18n::scenario_label(&result.scenario.name, lang);
    let mut page = Page::new(lang, format!("{} — {label}", i18n::REPORT_RUN.get(lang)));
    page.raw(&format!(
        "<p class=\"meta\">{}</p>",
        escape(&run_line(result, window, lang))
    ));
    let summaries = result.final_window(window);
    page.element("h2", i18n::READING.get(lang));
    page.reading(
        READING_METRICS
            .iter()
            .map(|&m| i18n::level_sentence(lang, m, &summaries[m.index()], window)),
    );
    page.element("h2", i18n::SCENARIOS.get(lang));
    page.raw(&scenario_section(&result.scenario, lang));
    page.element("h2", i18n::RESULTS.get(lang));
    page.raw(&final_table(result, window, lang));
    page.element("h2", i18n::PLOTS.get(lang));
    for ((_, figure), svg) in figures.iter().zip(&svgs) {
        page.figure(svg, &figure.title);
    }
    write_page(out, &page)
}

/// The generated reading of a comparison: each scenario against the first, per metric, each
/// sentence naming the first as its baseline.
pub fn comparison_reading(comparison: &Comparison, lang: Lang, metrics: &[Metric]) -> Vec<String> {
    let mut out = Vec::new();
    let baseline = i18n::scenario_label(&comparison.scenarios[0], lang);
    for k in 1..comparison.scenarios.len() {
        for &m in metrics {
            let base = comparison.cell(0, m);
            let cell = comparison.cell(k, m);
            if let Some(d) = &cell.difference {
                if d.mean.is_nan() {
                    continue;
                }
                out.push(i18n::change_sentence(
                    lang,
                    &baseline,
                    &i18n::scenario_label(&comparison.scenarios[k], lang),
                    m,
                    base.summary.mean,
                    cell.summary.mean,
                    d,
                ));
            }
        }
    }
    out
}

/// Writes a comparison's plot files and its `report.html`.
pub fn write_compare_report(
    out: &OutputDir,
    results: &[RunResult],
    comparison: &Comparison,
    options: &PlotOptions,
) -> crate::error::Result<()> {
    let lang = options.lang;
    let figures = compare_plots::compare_figures(results, comparison, lang);
    let svgs = write_figures(out, &figures, options)?;
    let names: Vec<String> = comparison
        .scenarios
        .iter()
        .map(|n| i18n::scenario_label(n, lang))
        .collect();
    let mut page = Page::new(
        lang,
        format!("{}: {}", i18n::REPORT_COMPARE.get(lang), names.join(" · ")),
    );
    page.raw(&format!(
        "<p class=\"meta\">{}</p>",
        escape(&run_line(&results[0], comparison.window, lang))
    ));
    page.element("h2", i18n::READING.get(lang));
    page.reading(comparison_reading(comparison, lang, &READING_METRICS));
    page.element("h2", i18n::RESULTS.get(lang));
    page.raw(&table(&comparison.table(lang, &Metric::ALL), true));
    page.element("p", i18n::WINDOW_NOTE.get(lang));
    page.element("h2", i18n::SCENARIOS.get(lang));
    for r in results {
        page.raw(&scenario_section(&r.scenario, lang));
    }
    page.element("h2", i18n::PLOTS.get(lang));
    for ((_, figure), svg) in figures.iter().zip(&svgs) {
        page.figure(svg, &figure.title);
    }
    write_page(out, &page)
}
