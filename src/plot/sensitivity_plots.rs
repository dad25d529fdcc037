//! The charts of a sensitivity analysis, one figure per metric: for Sobol, ranked bars of
//! total and first-order indices with their bootstrap intervals; for Morris, the μ*–σ plane
//! and ranked bars of μ*.

use super::figure::{Bar, BarPanel, Figure, Panel, Point, ScatterPanel};
use crate::i18n::{self, Lang};
use crate::sensitivity::{Indices, MetricIndices, SensitivityPlan};

/// Bars of one index per factor, in `order`, whiskers at ± the half-width, all in palette
/// colour `colour` (the colour says which index, the label which parameter).
fn bars(
    plan: &SensitivityPlan,
    order: &[usize],
    (title, value_label, colour): (&str, &str, usize),
    lang: Lang,
    value: impl Fn(usize) -> (f64, f64),
) -> Panel {
    Panel::Bars(BarPanel {
        title: title.to_string(),
        value_label: value_label.to_string(),
        bars: order
            .iter()
            .map(|&k| {
                let (v, half) = value(k);
                Bar {
                    label: i18n::param_label(&plan.factors[k].spec.key(), lang),
                    colour,
                    value: v,
                    low: v - half,
                    high: v + half,
                }
            })
            .collect(),
    })
}

/// Factor indices ranked by `key`, largest first (ties keep the file's order).
fn ranked(n: usize, key: impl Fn(usize) -> f64) -> Vec<usize> {
    let mut order: Vec<usize> = (0..n).collect();
    order.sort_by(|&a, &b| key(b).total_cmp(&key(a)));
    order
}

/// The figure of one metric's analysis (None when the metric could not be analysed).
pub fn sensitivity_figure(
    plan: &SensitivityPlan,
    result: &MetricIndices,
    points: usize,
    lang: Lang,
) -> Option<Figure> {
    let indices = result.indices.as_ref().ok()?;
    let n = plan.factors.len();
    let panels = match indices {
        Indices::Sobol(v) => {
            let order = ranked(n, |k| v[k].st);
            let unit = i18n::SOBOL_INDEX.get(lang);
            vec![
                bars(
                    plan,
                    &order,
                    (i18n::SOBOL_TOTAL.get(lang), unit, 0),
                    lang,
                    |k| (v[k].st, v[k].st_conf),
                ),
                bars(
                    plan,
                    &order,
                    (i18n::SOBOL_FIRST.get(lang), unit, 1),
                    lang,
                    |k| (v[k].s1, v[k].s1_conf),
                ),
            ]
        }
        Indices::Morris(v) => {
            let order = ranked(n, |k| v[k].mu_star);
            vec![
                Panel::Scatter(ScatterPanel {
                    title: i18n::MORRIS_PLANE.get(lang).to_string(),
                    x_label: i18n::MORRIS_MU_STAR.get(lang).to_string(),
                    y_label: i18n::MORRIS_SIGMA.get(lang).to_string(),
                    points: (0..n)
                        .map(|k| Point {
                            label: i18n::param_label(&plan.factors[k].spec.key(), lang),
                            colour: k,
                            x: v[k].mu_star,
                            y: v[k].sigma,
                        })
                        .collect(),
                }),
                bars(
                    plan,
                    &order,
                    (
                        i18n::MORRIS_MU_STAR.get(lang),
                        i18n::metric_unit(result.metric).get(lang),
                        0,
                    ),
                    lang,
                    |k| (v[k].mu_star, v[k].mu_star_conf),
                ),
            ]
        }
    };
    let title = format!(
        "{} {} — {}",
        i18n::SENSITIVITY_OF.get(lang),
        i18n::metric_label(result.metric).get(lang),
        plan.name
    );
    let mut figure = Figure::new(title, lang, panels, 2);
    figure.caption.push(i18n::sensitivity_note(
        lang,
        plan.method.name(),
        points,
        plan.base.run.replicates,
        plan.window,
        plan.bootstrap,
    ));
    Some(figure)
}
