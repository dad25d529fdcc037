//! The plots of one run: initiative, errors, correction, beliefs and an overview dashboard,
//! each titled with the scenario and captioned with what differs from nominal.

use super::figure::{Figure, LinePanel, Marker, Panel, Series};
use crate::i18n::{self, Lang};
use crate::model::Metric;
use crate::model::params::ParamId;
use crate::run::{RunResult, Summary};
use crate::scenario::Scenario;

/// The file stems of a run's plots, in the order reports show them.
pub const RUN_PLOTS: [&str; 5] = ["initiative", "errors", "correction", "beliefs", "overview"];

/// The values a metric can take: rates, probabilities and shares lie in [0, 1], counts and
/// spreads are at least 0, social value (gains minus losses) has no bound.
pub fn metric_domain(metric: Metric) -> (f64, f64) {
    match metric {
        Metric::Violations | Metric::Abuses | Metric::AbusesRevealed | Metric::UnitInitiativeSd => {
            (0.0, f64::INFINITY)
        }
        Metric::SocialValue => (f64::NEG_INFINITY, f64::INFINITY),
        _ => (0.0, 1.0),
    }
}

/// A 95% interval clipped to the metric's domain, for drawing: a normal-theory interval of
/// a count near 0 reaches below 0, which no replicate can. NaN stays NaN (missing). The CSV
/// files keep the interval as computed; only plots clip.
pub fn clip_to_domain(metric: Metric, low: f64, high: f64) -> (f64, f64) {
    let (lo, hi) = metric_domain(metric);
    (low.clamp(lo, hi), high.clamp(lo, hi))
}

/// The first step whose tolerance rate is drawn: `1 + review_delay`, the first step at which
/// a case reviewed from step 0 on can be decided. Before it only unreviewed cases (punished
/// at once) are decided, so the rate is 0 by construction, not by anything cadres or
/// leaders do: the review pipeline is still filling.
pub fn first_tolerance_step(scenario: &Scenario) -> usize {
    1 + scenario.regime.review_delay as usize
}

/// A metric's mean and 95% band over steps, from per-step summaries of a run of `scenario`,
/// as plots draw it: the band clipped to the metric's domain, and the tolerance rate left
/// out while the review pipeline fills (see [`first_tolerance_step`]).
pub fn metric_series(
    series: &[[Summary; crate::model::N_METRICS]],
    scenario: &Scenario,
    metric: Metric,
    label: String,
    colour: usize,
) -> Series {
    let first = match metric {
        Metric::ToleranceRate => first_tolerance_step(scenario),
        _ => 0,
    };
    let n = series.len();
    let (mut mean, mut low, mut high) = (
        Vec::with_capacity(n),
        Vec::with_capacity(n),
        Vec::with_capacity(n),
    );
    for (t, step) in series.iter().enumerate() {
        let s = &step[metric.index()];
        if t < first {
            mean.push(f64::NAN);
            low.push(f64::NAN);
            high.push(f64::NAN);
        } else {
            let (l, h) = clip_to_domain(metric, s.ci_low, s.ci_high);
            mean.push(s.mean);
            low.push(l);
            high.push(h);
        }
    }
    Series {
        label,
        colour,
        x: (0..n).map(|t| t as f64).collect(),
        mean,
        low,
        high,
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

/// At most this many changed parameters are listed in a caption line; more are counted, and
/// report.html lists them all (a caption of raw keys would crowd out the chart).
const LISTED_CHANGES: usize = 3;

/// "key = value, key = value" of a few changes, or their count when there are more than
/// [`LISTED_CHANGES`].
fn changes_text(
    changes: impl ExactSizeIterator<Item = (ParamId, f64)>,
    lang: Lang,
    counted: fn(Lang, usize) -> String,
) -> String {
    if changes.len() > LISTED_CHANGES {
        return counted(lang, changes.len());
    }
    changes
        .map(|(id, v)| format!("{} = {}", id.name(), crate::output::number(v)))
        .collect::<Vec<_>>()
        .join(", ")
}

/// "leader_duty = 0.7, publish = 0.8", "nominal settings", or for many differences their
/// count and where the list is.
pub fn differences_text(scenario: &Scenario, lang: Lang) -> String {
    let diffs = scenario.differences_from_nominal();
    if diffs.is_empty() {
        return i18n::NOMINAL_SETTINGS.get(lang).to_string();
    }
    changes_text(
        diffs.iter().map(|(spec, v)| (spec.id, *v)),
        lang,
        i18n::differences_elsewhere,
    )
}

/// One line per policy event, every change listed: "from step 20: leader_duty = 0.7,
/// publish = 0.8" (report.html shows these).
pub fn event_lines(scenario: &Scenario, lang: Lang) -> Vec<String> {
    scenario
        .events
        .iter()
        .map(|event| {
            let changes: Vec<String> = event
                .changes
                .iter()
                .map(|(id, v)| format!("{} = {}", id.name(), crate::output::number(*v)))
                .collect();
            format!(
                "{}{}{}",
                i18n::from_step(lang, event.at),
                i18n::colon(lang),
                changes.join(", ")
            )
        })
        .collect()
}

/// Every policy event in one caption line: "from step 20: 12 parameters change (listed in
/// report.html)"; an event of a few changes lists them. None without events.
pub fn events_summary(scenario: &Scenario, lang: Lang) -> Option<String> {
    if scenario.events.is_empty() {
        return None;
    }
    let parts: Vec<String> = scenario
        .events
        .iter()
        .map(|event| {
            let changes = event.changes.iter().copied();
            format!(
                "{}{}{}",
                i18n::from_step(lang, event.at),
                i18n::colon(lang),
                changes_text(changes, lang, i18n::changes_elsewhere)
            )
        })
        .collect();
    Some(parts.join("; "))
}

/// Caption lines of a run's plots: scenario and differences, the policy events in one line,
/// run size and what bands mean.
pub fn run_caption(result: &RunResult, lang: Lang) -> Vec<String> {
    let s = &result.scenario;
    let size = i18n::run_size(
        lang,
        s.population.cadres,
        result.replicates.len(),
        s.run.seed,
    );
    let mut lines = vec![format!(
        "{} ({}){}{}",
        i18n::scenario_label(&s.name, lang),
        s.name,
        i18n::colon(lang),
        differences_text(s, lang)
    )];
    lines.extend(events_summary(s, lang));
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
                metric_series(series, scenario, m, label, i)
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
    // Figures with the tolerance rate say why its line starts late.
    let tolerance_note = i18n::tolerance_rate_start(lang, first_tolerance_step(s));
    let figure = |title: String, panels: Vec<Panel>, columns: usize| {
        let shows_tolerance = panels.iter().any(|p| match p {
            Panel::Lines(l) => l
                .series
                .iter()
                .any(|x| x.label == label(Metric::ToleranceRate)),
            _ => false,
        });
        let mut lines = caption.clone();
        if shows_tolerance {
            lines.push(tolerance_note.clone());
        }
        Figure::new(title, lang, panels, columns).with_caption(lines)
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
                // Scenario line, one line for the event, size line: the twelve changes
                // are counted, not listed (report.html lists them).
                let note = i18n::tolerance_rate_start(lang, 3);
                let lines = if ["correction", "beliefs", "overview"].contains(stem) {
                    assert_eq!(figure.caption.last(), Some(&note), "{stem}");
                    4
                } else {
                    3
                };
                assert_eq!(figure.caption.len(), lines, "{stem}: {:?}", figure.caption);
                assert!(figure.caption[1].contains("12"), "{stem}");
                assert!(!figure.caption[1].contains("leader_duty"), "{stem}");
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
    fn a_few_differences_are_listed_in_the_caption() {
        let mut s = Scenario::load("o2_top_leader").unwrap();
        s.apply_override("steps=3").unwrap();
        s.apply_override("replicates=2").unwrap();
        let result = run_scenario(&s, &RunOptions::default());
        assert!(run_caption(&result, Lang::En)[0].ends_with("leader_duty = 0.7"));
    }

    #[test]
    fn bands_stay_inside_each_metrics_domain() {
        let result = small_run("nominal_tolerance");
        let series = result.timeseries();
        // Abuses are rare counts: with 4 replicates their normal-theory intervals reach
        // below 0.
        let dips = || {
            series
                .iter()
                .any(|step| step[Metric::Abuses.index()].ci_low < 0.0)
        };
        assert!(dips(), "the test needs an interval that dips below 0");
        for m in crate::model::Metric::ALL {
            let (lo, hi) = metric_domain(m);
            let line = metric_series(&series, &result.scenario, m, String::new(), 0);
            for (&l, &h) in line.low.iter().zip(&line.high) {
                assert!(l.is_nan() || (lo..=hi).contains(&l), "{m:?} low {l}");
                assert!(h.is_nan() || (lo..=hi).contains(&h), "{m:?} high {h}");
            }
        }
    }

    #[test]
    fn tolerance_rate_starts_once_reviewed_cases_can_be_decided() {
        let mut s = Scenario::load("nominal_tolerance").unwrap();
        for o in ["cadres=300", "steps=8", "replicates=4", "review_delay=3"] {
            s.apply_override(o).unwrap();
        }
        let result = run_scenario(&s, &RunOptions::default());
        let series = result.timeseries();
        let line = metric_series(&series, &s, Metric::ToleranceRate, String::new(), 0);
        // Steps 1..=3 decide only unreviewed cases: exactly 0 in the data, not drawn.
        for (t, step) in series.iter().enumerate().take(4).skip(1) {
            assert_eq!(step[Metric::ToleranceRate.index()].mean, 0.0, "step {t}");
            assert!(line.mean[t].is_nan(), "step {t} drawn");
        }
        assert_eq!(first_tolerance_step(&s), 4);
        assert!(line.mean[4..].iter().all(|v| v.is_finite()));
        // Other metrics are drawn from step 0.
        let belief = metric_series(&series, &s, Metric::MeanBelief, String::new(), 0);
        assert!(belief.mean.iter().all(|v| v.is_finite()));
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
