//! The report of `cadre-sim experiment`: its figures (the event study against the truth,
//! each estimator's overall effect against the truth, the places by cohort over time), the
//! plain-language reading, and the terminal summary. Consumes an experiment's
//! [`Summarised`] form (what the command keeps of its replicates); never runs the model.

use super::html::{Page, escape, scenario_section, table};
use super::write_page;
use crate::did::{Estimator, Target};
use crate::experiment::assess::{Assessed, Assessment, TruthKey};
use crate::experiment::{Outcome, Summarised};
use crate::i18n::{self, Lang, experiment as text};
use crate::model::PublishScope;
use crate::output::{OutputDir, short, signed_number};
use crate::plot::figure::{Bar, BarPanel, Figure, LinePanel, Marker, Panel, Series};
use crate::plot::{PlotOptions, write_figures};
use crate::run::Summary;

/// The figures of an experiment, with their file stems.
pub fn figures(
    experiment: &Summarised,
    assessment: &Assessment,
    lang: Lang,
) -> Vec<(String, Figure)> {
    vec![
        (
            "event_study".into(),
            event_study_figure(assessment, &experiment.options.did, lang),
        ),
        (
            "estimates_vs_truth".into(),
            overall_figure(assessment, lang),
        ),
        ("places_by_cohort".into(), cohort_figure(experiment, lang)),
    ]
}

/// The event study of `did` (the same figure as `cadre-sim did` draws) over replicates:
/// each estimator's mean estimate by steps since adoption, with the middle 95% of the
/// replicates' estimates as its band, and the true effect.
fn event_study_figure(
    assessment: &Assessment,
    options: &crate::did::Options,
    lang: Lang,
) -> Figure {
    let spread: Vec<crate::did::Estimate> = assessment
        .estimates
        .iter()
        .filter(|a| matches!(a.target, Target::EventTime(_) | Target::Overall))
        .map(|a| {
            let (mean, half) = (a.estimate.mean, 1.96 * a.estimate.sd);
            crate::did::Estimate {
                estimator: a.estimator,
                target: a.target,
                value: mean,
                se: a.estimate.sd,
                ci: (mean - half, mean + half),
                band: None,
                control: a.control,
                estimand: Vec::new(),
            }
        })
        .collect();
    // The truth line is the TWFE event study's own: each bin's true effect over the cells
    // of that bin (the binned ends included), which inside the bins is the effect over every
    // adopting place observed then. Without the event study, that effect by event time.
    let event_rows = |estimator: Estimator| {
        assessment
            .estimates
            .iter()
            .filter_map(move |a| match a.target {
                Target::EventTime(e) if a.estimator == estimator => Some((e, a)),
                _ => None,
            })
    };
    let mut truth: Vec<(i64, f64)> = event_rows(Estimator::TwfeEventStudy)
        .map(|(e, a)| (e, a.truth.mean))
        .collect();
    if truth.is_empty() {
        truth = assessment
            .truth
            .iter()
            .filter_map(|(k, s)| match k {
                TruthKey::EventTime(e) => Some((*e, s.mean)),
                _ => None,
            })
            .collect();
    }
    let mut figure = crate::plot::did_plots::event_study_figure(&spread, Some(&truth), lang);
    let (leads, lags) = (-(options.leads as i64), options.lags as i64);
    let binned: Vec<i64> = event_rows(Estimator::TwfeEventStudy)
        .map(|(e, _)| e)
        .filter(|&e| e == leads || e == lags)
        .collect();
    if let Some(Panel::Lines(p)) = figure.panels.first_mut() {
        p.title = text::ESTIMATES_PANEL.get(lang).to_string();
        for e in binned {
            p.markers.push(Marker {
                x: e as f64,
                label: text::binned_label(lang, e),
            });
        }
    }
    // Each estimator's error against its own truth, by event time: mean and the middle 95%
    // of the replicates' errors (sd from RMSE² = bias² + variance).
    let errors = [
        Estimator::TwfeEventStudy,
        Estimator::CallawaySantAnna,
        Estimator::SunAbraham,
    ]
    .into_iter()
    .filter_map(|estimator| {
        let rows: Vec<(i64, &Assessed)> = event_rows(estimator).collect();
        let label = rows.first().map(|r| estimator_label(r.1, lang))?;
        let sd = |a: &Assessed| (a.rmse * a.rmse - a.bias * a.bias).max(0.0).sqrt();
        Some(Series {
            label,
            colour: crate::plot::did_plots::colour(estimator),
            x: rows.iter().map(|r| r.0 as f64).collect(),
            mean: rows.iter().map(|r| r.1.bias).collect(),
            low: rows.iter().map(|r| r.1.bias - 1.96 * sd(r.1)).collect(),
            high: rows.iter().map(|r| r.1.bias + 1.96 * sd(r.1)).collect(),
        })
    })
    .collect();
    figure.panels.push(Panel::Lines(LinePanel {
        title: text::ERRORS_PANEL.get(lang).to_string(),
        x_label: i18n::did::EVENT_TIME_AXIS.get(lang).to_string(),
        y_label: text::ERROR_AXIS.get(lang).to_string(),
        series: errors,
        markers: Vec::new(),
        y_from_zero: false,
    }));
    let mut figure = Figure::new(text::TITLE_EVENT_STUDY.get(lang), lang, figure.panels, 2);
    figure.caption = vec![text::EVENT_NOTE.get(lang).to_string()];
    figure
}

/// Each estimator's overall effect over replicates (the middle 95% of its estimates) beside
/// the truth of its own estimand, and the policy's effect as a labelled reference line.
fn overall_figure(assessment: &Assessment, lang: Lang) -> Figure {
    let spread = |s: &Summary| (s.mean - 1.96 * s.sd, s.mean + 1.96 * s.sd);
    let mut bars = Vec::new();
    for a in overall_rows(assessment) {
        let label = estimator_label(a, lang);
        let (low, high) = spread(&a.estimate);
        bars.push(Bar {
            label: label.clone(),
            colour: crate::plot::did_plots::colour(a.estimator),
            value: a.estimate.mean,
            low,
            high,
        });
        let (low, high) = spread(&a.truth);
        bars.push(Bar {
            label: format!("{label}: {}", text::OWN_TRUTH.get(lang)),
            colour: crate::plot::did_plots::TRUTH_COLOUR,
            value: a.truth.mean,
            low,
            high,
        });
    }
    let reference = assessment.true_overall().map(|t| {
        (
            t.mean,
            format!(
                "{} {}",
                text::POLICY_EFFECT_SHORT.get(lang),
                signed_number(t.mean)
            ),
        )
    });
    Figure::new(
        text::TITLE_OVERALL.get(lang),
        lang,
        vec![Panel::Bars(BarPanel {
            title: text::TITLE_OVERALL.get(lang).to_string(),
            value_label: text::EFFECT_AXIS.get(lang).to_string(),
            bars,
            x_extent: Some((0.0, 0.0)),
            reference,
        })],
        1,
    )
    .with_caption([text::BAR_NOTE.get(lang).to_string()])
}

/// The estimated outcome over time, per cohort (mean over its places and replicates).
fn cohort_figure(experiment: &Summarised, lang: Lang) -> Figure {
    let outcome = experiment.options.outcome;
    let steps = experiment.scenario.run.steps;
    let series = experiment
        .by_cohort
        .iter()
        .enumerate()
        .map(|(k, (cohort, per_step))| {
            let cohort = *cohort;
            Series {
                label: match cohort {
                    Some(at) => format!(
                        "{} {at}{}",
                        text::COHORT.get(lang),
                        text::COHORT_SUFFIX.get(lang)
                    ),
                    None => text::NEVER.get(lang).to_string(),
                },
                colour: if cohort.is_some() { k + 1 } else { 0 },
                x: (0..steps).map(f64::from).collect(),
                mean: per_step.iter().map(|s| s.mean).collect(),
                low: per_step.iter().map(|s| s.ci_low).collect(),
                high: per_step.iter().map(|s| s.ci_high).collect(),
            }
        })
        .collect();
    let markers = experiment
        .by_cohort
        .iter()
        .filter_map(|(cohort, _)| *cohort)
        .map(|at| Marker {
            x: at as f64,
            label: String::new(),
        })
        .collect();
    Figure::new(
        text::TITLE_BY_COHORT.get(lang),
        lang,
        vec![Panel::Lines(LinePanel {
            title: outcome_label(outcome, lang),
            x_label: i18n::STEP_AXIS.get(lang).to_string(),
            y_label: outcome_label(outcome, lang),
            series,
            markers,
            y_from_zero: false,
        })],
        1,
    )
    .with_caption([text::COHORT_NOTE.get(lang).to_string()])
}

/// An outcome's label: the metric's own words, or social value per cadre.
pub fn outcome_label(outcome: Outcome, lang: Lang) -> String {
    match outcome.metric() {
        Some(m) => i18n::metric_axis(m, lang),
        None => text::SOCIAL_VALUE_PER_CADRE.get(lang).to_string(),
    }
}

/// Each estimator's overall row, in estimator order.
fn overall_rows(assessment: &Assessment) -> impl Iterator<Item = &Assessed> {
    assessment
        .estimates
        .iter()
        .filter(|a| a.target == Target::Overall)
}

fn estimator_label(a: &Assessed, lang: Lang) -> String {
    let name = i18n::did::estimator_name(a.estimator, lang).to_string();
    match a.control {
        Some(c) if a.estimator == Estimator::CallawaySantAnna => format!("{name} ({})", c.key()),
        _ => name,
    }
}

/// The reading: one sentence per estimator, then why they differ, then the spillover.
pub fn reading(experiment: &Summarised, assessment: &Assessment, lang: Lang) -> Vec<String> {
    let mut out: Vec<String> = overall_rows(assessment)
        .map(|a| {
            // The standard error of the mean bias: the spread of estimate − truth over the
            // replicates (RMSE² = bias² + variance), over √n.
            let spread = (a.rmse * a.rmse - a.bias * a.bias).max(0.0).sqrt();
            let noise = spread / (a.estimate.n.max(1) as f64).sqrt();
            text::estimate_sentence(
                lang,
                &estimator_label(a, lang),
                a.estimate.mean,
                a.truth.mean,
                a.coverage,
                noise,
            )
        })
        .collect();
    let truth_at = |e: i64| {
        assessment
            .truth
            .iter()
            .find(|(k, _)| *k == TruthKey::EventTime(e))
            .map(|(_, s)| s.mean)
    };
    let late_e = experiment.options.did.lags as i64;
    if let (Some(early), Some(late)) = (truth_at(0), truth_at(late_e)) {
        let twfe = assessment.overall(Estimator::Twfe);
        let cs = assessment.overall(Estimator::CallawaySantAnna);
        // Said only when the data show it: effects grow, and TWFE is further off than CS.
        if let (Some(twfe), Some(cs)) = (twfe, cs)
            && late.abs() > 1.5 * early.abs()
            && twfe.bias.abs() > 2.0 * cs.bias.abs()
        {
            out.push(text::growing_effects_sentence(lang, early, late, late_e));
        }
    }
    let first = experiment
        .scenario
        .rollout
        .as_ref()
        .and_then(|r| r.cohorts.iter().map(|c| c.at).min())
        .unwrap_or(0) as i64;
    let spill: Vec<f64> = assessment
        .truth
        .iter()
        .filter_map(|(k, s)| match k {
            TruthKey::NeverTreated(t) if *t >= first => Some(s.mean),
            _ => None,
        })
        .collect();
    if !spill.is_empty() {
        let mean = spill.iter().sum::<f64>() / spill.len() as f64;
        let national = experiment.scenario.places.publish_scope == PublishScope::National;
        out.push(text::spillover_sentence(lang, mean, national));
    }
    out
}

/// The overall rows as an HTML or terminal table: estimator, controls, mean estimate,
/// truth, bias, RMSE, coverage.
fn overall_table(assessment: &Assessment, lang: Lang) -> Vec<Vec<String>> {
    let mut rows = vec![vec![
        text::TABLE_ESTIMATOR.get(lang).to_string(),
        text::TABLE_CONTROL.get(lang).to_string(),
        text::TABLE_ESTIMATE.get(lang).to_string(),
        text::TABLE_TRUTH.get(lang).to_string(),
        text::TABLE_BIAS.get(lang).to_string(),
        text::TABLE_RMSE.get(lang).to_string(),
        text::TABLE_COVERAGE.get(lang).to_string(),
    ]];
    if let Some(t) = assessment.true_overall() {
        rows.push(vec![
            text::POLICY_EFFECT.get(lang).to_string(),
            String::new(),
            String::new(),
            signed_number(t.mean),
            String::new(),
            String::new(),
            String::new(),
        ]);
    }
    for a in overall_rows(assessment) {
        rows.push(vec![
            i18n::did::estimator_name(a.estimator, lang).to_string(),
            a.control.map_or("", |c| c.key()).to_string(),
            signed_number(a.estimate.mean),
            signed_number(a.truth.mean),
            signed_number(a.bias),
            short(a.rmse),
            format!("{:.0}%", a.coverage * 100.0),
        ]);
    }
    rows
}

/// The terminal summary: the overall table in Markdown.
pub fn summary_table(experiment: &Summarised, assessment: &Assessment) -> String {
    let rows = overall_table(assessment, Lang::En);
    let mut out = format!(
        "{} ({}), outcome {}: overall effect over {} replicates\n\n",
        experiment.scenario.name,
        experiment
            .scenario
            .rollout
            .as_ref()
            .map_or("", |r| r.name.as_str()),
        experiment.options.outcome.name(),
        experiment.replicates
    );
    for (i, row) in rows.iter().enumerate() {
        out.push_str(&format!("| {} |\n", row.join(" | ")));
        if i == 0 {
            out.push_str(&format!("|{}\n", "---|".repeat(row.len())));
        }
    }
    out.push('\n');
    for line in estimand_sentences(experiment, assessment, Lang::En) {
        out.push_str(&format!("{line}\n"));
    }
    for note in &assessment.notes {
        out.push_str(&format!("note: {note}\n"));
    }
    if !assessment.problems.is_empty() {
        out.push_str(&format!(
            "{} {}: {}\n",
            assessment.problems.len(),
            text::PROBLEMS.get(Lang::En),
            assessment.problems[0].1
        ));
    }
    out
}

/// One sentence per estimator naming the quantity its truth is, with its value.
pub fn estimand_sentences(
    experiment: &Summarised,
    assessment: &Assessment,
    lang: Lang,
) -> Vec<String> {
    let all = adopted_cells(experiment);
    overall_rows(assessment)
        .map(|a| {
            let used: std::collections::BTreeSet<(i64, i64)> = a
                .estimand
                .iter()
                .filter(|c| c.time >= c.group)
                .map(|c| (c.group, c.time))
                .collect();
            let coverage = if all.is_subset(&used) {
                text::Coverage::Every
            } else {
                text::Coverage::UpTo {
                    last: used.iter().map(|c| c.1).max().unwrap_or(0),
                    used: used.len(),
                    of: all.len(),
                }
            };
            text::estimand_sentence(
                lang,
                &estimator_label(a, lang),
                a.estimator,
                coverage,
                experiment.options.did.lags as i64,
                a.truth.mean,
            )
        })
        .collect()
}

/// The design's adopted (cohort, step) cells from the study's first step on.
fn adopted_cells(experiment: &Summarised) -> std::collections::BTreeSet<(i64, i64)> {
    let scenario = &experiment.scenario;
    let start = experiment.start as i64;
    let steps = i64::from(scenario.run.steps);
    let Some(rollout) = &scenario.rollout else {
        return Default::default();
    };
    let sizes = crate::model::places::cohort_sizes(scenario.places.count, &rollout.cohorts);
    rollout
        .cohorts
        .iter()
        .zip(sizes)
        .filter(|(_, n)| *n > 0)
        .flat_map(|(c, _)| {
            let g = i64::from(c.at);
            (g.max(start)..steps).map(move |t| (g, t))
        })
        .collect()
}

/// Writes an experiment's plot files and its `report.html`.
pub fn write_report(
    out: &OutputDir,
    experiment: &Summarised,
    assessment: &Assessment,
    options: &PlotOptions,
) -> crate::error::Result<()> {
    let lang = options.lang;
    let figures = figures(experiment, assessment, lang);
    let svgs = write_figures(out, &figures, options)?;
    let mut page = Page::new(lang, text::REPORT_TITLE.get(lang));
    page.element("p", text::INTRO.get(lang));
    page.element("h2", i18n::READING.get(lang));
    page.reading(reading(experiment, assessment, lang));
    page.element("h2", i18n::RESULTS.get(lang));
    page.raw(&table(&overall_table(assessment, lang), true));
    page.element("h3", text::ESTIMANDS.get(lang));
    page.reading(estimand_sentences(experiment, assessment, lang));
    if !assessment.notes.is_empty() {
        page.element("h3", text::NOTES.get(lang));
        page.reading(assessment.notes.clone());
    }
    if !assessment.problems.is_empty() {
        page.element(
            "p",
            &format!(
                "{} {}: {}",
                assessment.problems.len(),
                text::PROBLEMS.get(lang),
                assessment.problems[0].1
            ),
        );
    }
    page.element("h2", i18n::PLOTS.get(lang));
    for ((_, figure), svg) in figures.iter().zip(&svgs) {
        page.figure(svg, &figure.title);
    }
    page.element("h2", i18n::SCENARIOS.get(lang));
    page.raw(&scenario_section(&experiment.scenario, lang));
    page.element("h3", text::ROLLOUT.get(lang));
    page.raw(&format!(
        "<pre>{}</pre>",
        escape(&places_toml(&experiment.scenario))
    ));
    write_page(out, &page)
}

/// The scenario's `[places]` and `[rollout]` tables, as the file would write them.
fn places_toml(scenario: &crate::scenario::Scenario) -> String {
    #[derive(serde::Serialize)]
    struct View<'a> {
        places: &'a crate::model::Places,
        #[serde(skip_serializing_if = "Option::is_none")]
        rollout: &'a Option<crate::model::Rollout>,
    }
    toml::to_string(&View {
        places: &scenario.places,
        rollout: &scenario.rollout,
    })
    .expect("plain data")
}
