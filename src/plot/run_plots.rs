//! The plots of one run: initiative, errors, correction, beliefs and an overview dashboard,
//! each titled with the scenario and captioned with what differs from nominal.

use super::figure::{Figure, LinePanel, Marker, Panel, Series};
use crate::i18n::{self, Lang};
use crate::model::Metric;
use crate::run::{RunResult, Summary};
use crate::scenario::Scenario;

/// The file stems of a run's plots, in the order reports show them.
pub const RUN_PLOTS: [&str; 5] = ["initiative", "errors", "correction", "beliefs", "overview"];

/// A metric's mean and 95% band over steps, from per-step summaries.
pub fn metric_series(
    series: &[[Summary; crate::model::N_METRICS]],
    metric: Metric,
    label: String,
    colour: usize,
) -> Series {
    let pick = |f: fn(&Summary) -> f64| series.iter().map(|s| f(&s[metric.index()])).collect();
    Series {
        label,
        colour,
        x: (0..series.len()).map(|t| t as f64).collect(),
        mean: pick(|s| s.mean),
        low: pick(|s| s.ci_low),
        high: pick(|s| s.ci_high),
    }
}

/// Vertical markers at the scenario's policy events.
pub fn event_markers(scenario: &Scenario, lang: Lang) -> Vec<Marker> {
    scenario
        .events
        .iter()
        .map(|e| Marker {
            x: e.at as f64,
            label: i18n::POLICY_CHANGE.get(lang).to_string(),
        })
        .collect()
}

/// "leader_duty = 0.7, publish = 0.8" or "nominal settings".
pub fn differences_text(scenario: &Scenario, lang: Lang) -> String {
    let diffs = scenario.differences_from_nominal();
    if diffs.is_empty() {
        return i18n::NOMINAL_SETTINGS.get(lang).to_string();
    }
    diffs
        .iter()
        .map(|(spec, v)| format!("{} = {}", spec.name, crate::output::number(*v)))
        .collect::<Vec<_>>()
        .join(", ")
}

/// One line per policy event: "from step 20: leader_duty = 0.7, publish = 0.8".
pub fn event_lines(scenario: &Scenario, lang: Lang) -> Vec<String> {
    scenario
        .events
        .iter()
        .map(|event| {
            let changes: Vec<String> = event
                .changes
                .iter()
                .map(|(name, v)| format!("{name} = {}", crate::output::number(*v)))
                .collect();
            format!(
                "{}: {}",
                i18n::from_step(lang, event.at),
                changes.join(", ")
            )
        })
        .collect()
}

/// Caption lines of a run's plots: scenario and differences, run size, what bands mean.
pub fn run_caption(result: &RunResult, lang: Lang) -> Vec<String> {
    let s = &result.scenario;
    let size = i18n::run_size(
        lang,
        s.population.cadres,
        result.replicates.len(),
        s.run.seed,
    );
    let mut lines = vec![format!(
        "{} ({}): {}",
        i18n::scenario_label(&s.name, lang),
        s.name,
        differences_text(s, lang)
    )];
    lines.extend(event_lines(s, lang));
    lines.push(format!("{size} · {}", i18n::BAND_NOTE.get(lang)));
    lines
}

/// A panel of some metrics of one run over time.
fn panel(
    series: &[[Summary; crate::model::N_METRICS]],
    scenario: &Scenario,
    lang: Lang,
    title: String,
    y_label: String,
    metrics: &[Metric],
) -> Panel {
    let labelled = metrics.len() > 1;
    Panel::Lines(LinePanel {
        title,
        x_label: i18n::STEP_AXIS.get(lang).to_string(),
        y_label,
        series: metrics
            .iter()
            .enumerate()
            .map(|(i, &m)| {
                let label = if labelled {
                    i18n::metric_label(m).get(lang).to_string()
                } else {
                    String::new()
                };
                metric_series(series, m, label, i)
            })
            .collect(),
        markers: event_markers(scenario, lang),
        y_from_zero: true,
    })
}

/// The five plots of a run, as (file stem, figure), in [`RUN_PLOTS`] order.
pub fn run_figures(result: &RunResult, lang: Lang) -> Vec<(&'static str, Figure)> {
    let series = result.timeseries();
    let s = &result.scenario;
    let name = i18n::scenario_label(&s.name, lang);
    let caption = run_caption(result, lang);
    let rate = i18n::RATE_AXIS.get(lang).to_string();
    let axis = |m| i18n::metric_axis(m, lang);
    let label = |m: Metric| i18n::metric_label(m).get(lang).to_string();
    let p =
        |title: String, y: String, metrics: &[Metric]| panel(&series, s, lang, title, y, metrics);
    let titled = |t: i18n::Tr| format!("{} — {name}", t.get(lang));

    let initiative = p(
        String::new(),
        axis(Metric::Initiative),
        &[Metric::Initiative],
    );
    let error_rate = p(
        label(Metric::ErrorRate),
        axis(Metric::ErrorRate),
        &[Metric::ErrorRate],
    );
    let violations = p(
        label(Metric::Violations),
        format!(
            "{} ({})",
            label(Metric::Violations),
            i18n::metric_unit(Metric::Violations).get(lang)
        ),
        &[Metric::Violations, Metric::Abuses],
    );
    let correction = p(
        String::new(),
        rate.clone(),
        &[
            Metric::CorrectionRate,
            Metric::InitiationRate,
            Metric::ToleranceRate,
        ],
    );
    let beliefs = p(
        String::new(),
        rate,
        &[Metric::MeanBelief, Metric::ToleranceRate],
    );
    let with_title = |mut panel: Panel, t: &str| {
        if let Panel::Lines(l) = &mut panel {
            l.title = t.to_string();
        }
        panel
    };
    let figure = |title: String, panels: Vec<Panel>, columns: usize| {
        Figure::new(title, lang, panels, columns).with_caption(caption.clone())
    };
    vec![
        (
            "initiative",
            figure(titled(i18n::TITLE_INITIATIVE), vec![initiative.clone()], 1),
        ),
        (
            "errors",
            figure(
                titled(i18n::TITLE_ERRORS),
                vec![error_rate, violations.clone()],
                2,
            ),
        ),
        (
            "correction",
            figure(titled(i18n::TITLE_CORRECTION), vec![correction.clone()], 1),
        ),
        (
            "beliefs",
            figure(titled(i18n::TITLE_BELIEFS), vec![beliefs.clone()], 1),
        ),
        (
            "overview",
            figure(
                titled(i18n::TITLE_OVERVIEW),
                vec![
                    with_title(initiative, i18n::TITLE_INITIATIVE.get(lang)),
                    with_title(beliefs, i18n::TITLE_BELIEFS.get(lang)),
                    with_title(correction, i18n::TITLE_CORRECTION.get(lang)),
                    violations,
                ],
                2,
            ),
        ),
    ]
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::plot::test_support::{png_stats, svg_texts};
    use crate::plot::{Format, render};
    use crate::run::{RunOptions, run_scenario};

    fn small_run(name: &str) -> RunResult {
        let mut s = Scenario::load(name).unwrap();
        for o in ["cadres=200", "steps=25", "replicates=4"] {
            s.apply_override(o).unwrap();
        }
        run_scenario(&s, &RunOptions::default())
    }

    #[test]
    fn a_run_has_five_titled_plots_with_event_markers() {
        let result = small_run("mechanism_introduced");
        for lang in [Lang::En, Lang::Zh] {
            let figures = run_figures(&result, lang);
            let stems: Vec<&str> = figures.iter().map(|(s, _)| *s).collect();
            assert_eq!(stems, RUN_PLOTS);
            for (stem, figure) in &figures {
                let label = i18n::scenario_label("mechanism_introduced", lang);
                assert!(figure.title.contains(&label), "{stem}: {}", figure.title);
                assert!(figure.caption[0].contains("initiation_base = 0"), "{stem}");
                let svg = String::from_utf8(render(figure, Format::Svg).unwrap()).unwrap();
                let texts = svg_texts(&svg);
                let marker = i18n::POLICY_CHANGE.get(lang);
                assert!(texts.iter().any(|t| t == marker), "{stem}: {texts:?}");
                assert!(
                    texts.iter().any(|t| t == i18n::STEP_AXIS.get(lang)),
                    "{stem}"
                );
            }
            let (_, overview) = &figures[4];
            let (w, h, var) = png_stats(&render(overview, Format::Png).unwrap());
            assert_eq!((w, h), overview.size);
            assert!(var > 100.0);
        }
    }

    #[test]
    fn nominal_is_captioned_as_nominal() {
        // Population size counts as a difference, so keep the nominal 1000 cadres here.
        let mut s = Scenario::load("nominal_tolerance").unwrap();
        s.apply_override("steps=3").unwrap();
        s.apply_override("replicates=2").unwrap();
        let result = run_scenario(&s, &RunOptions::default());
        assert!(run_caption(&result, Lang::En)[0].ends_with("nominal settings"));
        assert!(run_caption(&result, Lang::Zh)[0].ends_with("名义参数"));
    }
}
