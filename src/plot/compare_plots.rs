//! The plots of a comparison: per metric an overlay of every scenario's line and band
//! (common random numbers), and bars of the final-window means with their 95% CIs.

use super::figure::{Bar, BarPanel, Figure, LinePanel, Panel};
use super::run_plots::{clip_to_domain, event_markers, metric_series};
use crate::compare::Comparison;
use crate::i18n::{self, Lang};
use crate::model::Metric;
use crate::run::RunResult;

/// Metrics shown in the bar chart of final-window means.
pub const BAR_METRICS: [Metric; 6] = [
    Metric::Initiative,
    Metric::ToleranceRate,
    Metric::MeanBelief,
    Metric::CorrectionRate,
    Metric::Violations,
    Metric::SocialValue,
];

/// One panel: `metric` over time, one line and band per run, each (run, palette colour).
pub fn overlay_panel(
    results: &[(&RunResult, usize)],
    metric: Metric,
    lang: Lang,
    title: String,
) -> Panel {
    let mut markers = Vec::new();
    for (r, _) in results {
        for m in event_markers(&r.scenario, lang) {
            if !markers.iter().any(|x: &super::Marker| x.x == m.x) {
                markers.push(m);
            }
        }
    }
    Panel::Lines(LinePanel {
        title,
        x_label: i18n::STEP_AXIS.get(lang).to_string(),
        y_label: i18n::metric_axis(metric, lang),
        series: results
            .iter()
            .map(|&(r, colour)| {
                metric_series(
                    &r.timeseries(),
                    &r.scenario,
                    metric,
                    i18n::scenario_label(&r.scenario.name, lang),
                    colour,
                )
            })
            .collect(),
        markers,
        y_from_zero: true,
    })
}

/// Caption of comparison plots: the run size and what lines and bands mean.
pub fn caption(results: &[&RunResult], lang: Lang) -> Vec<String> {
    let first = &results[0].scenario;
    let size = i18n::compare_size(
        lang,
        first.population.cadres,
        results[0].replicates.len(),
        first.run.seed,
    );
    vec![size, i18n::BAND_NOTE.get(lang).to_string()]
}

/// A figure of one metric across scenarios.
pub fn overlay_figure(results: &[&RunResult], metric: Metric, lang: Lang) -> Figure {
    let title = format!(
        "{} — {}",
        i18n::metric_label(metric).get(lang),
        i18n::TITLE_COMPARE.get(lang)
    );
    let coloured: Vec<(&RunResult, usize)> = results.iter().copied().zip(0..).collect();
    let panel = overlay_panel(&coloured, metric, lang, String::new());
    Figure::new(title, lang, vec![panel], 1).with_caption(caption(results, lang))
}

/// Bars of final-window means with 95% CIs, one panel per metric.
pub fn bars_figure(comparison: &Comparison, metrics: &[Metric], lang: Lang) -> Figure {
    let panels = metrics
        .iter()
        .map(|&m| {
            Panel::Bars(BarPanel {
                title: i18n::metric_label(m).get(lang).to_string(),
                value_label: i18n::metric_unit(m).get(lang).to_string(),
                bars: comparison
                    .scenarios
                    .iter()
                    .enumerate()
                    .map(|(k, name)| {
                        let s = comparison.cell(k, m).summary;
                        let (low, high) = clip_to_domain(m, s.ci_low, s.ci_high);
                        Bar {
                            label: i18n::scenario_label(name, lang),
                            colour: k,
                            value: s.mean,
                            low,
                            high,
                        }
                    })
                    .collect(),
                x_extent: None,
                reference: None,
            })
        })
        .collect();
    let columns = if metrics.len() > 4 { 3 } else { 2 };
    let mut figure = Figure::new(i18n::TITLE_FINAL_MEANS.get(lang), lang, panels, columns);
    let note = i18n::bars_note(lang, comparison.window, comparison.replicates);
    figure.caption.push(note);
    figure
}

/// Every figure of a comparison as (file stem, figure): the bar chart, then one overlay per
/// metric named `compare_<metric>`.
pub fn compare_figures(
    results: &[RunResult],
    comparison: &Comparison,
    lang: Lang,
) -> Vec<(String, Figure)> {
    let refs: Vec<&RunResult> = results.iter().collect();
    let mut figures = vec![(
        "final_means".to_string(),
        bars_figure(comparison, &BAR_METRICS, lang),
    )];
    for m in Metric::ALL {
        figures.push((
            format!("compare_{}", m.name()),
            overlay_figure(&refs, m, lang),
        ));
    }
    figures
}
