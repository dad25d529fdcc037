//! The charts of a sensitivity analysis, one figure per metric: for Sobol, ranked bars of
//! total and first-order indices with their bootstrap intervals on one shared scale; for
//! Morris, the μ*–σ plane and ranked bars of μ*. Parameters go by their translated short
//! names; on the μ*–σ plane each point carries its rank number, which the bars beside it
//! (ranked the same way, "1 · name") resolve, so every point is labelled however the
//! points crowd.

use super::figure::{Bar, BarPanel, Figure, Panel, Point, ScatterPanel};
use crate::i18n::{self, Lang};
use crate::sensitivity::{Indices, MetricIndices, SensitivityPlan};

/// Bars of one index per factor, in `order`, whiskers at ± the half-width, all in palette
/// colour `colour` (the colour says which index, the label which parameter), each labelled
/// by `label`, on a value axis that shows `x_extent` (None: fitted).
fn bars(
    order: &[usize],
    (title, value_label, colour): (&str, &str, usize),
    label: impl Fn(usize) -> String,
    value: impl Fn(usize) -> (f64, f64),
    x_extent: Option<(f64, f64)>,
) -> Panel {
    Panel::Bars(BarPanel {
        title: title.to_string(),
        value_label: value_label.to_string(),
        bars: order
            .iter()
            .map(|&k| {
                let (v, half) = value(k);
                Bar {
                    label: label(k),
                    colour,
                    value: v,
                    low: v - half,
                    high: v + half,
                }
            })
            .collect(),
        x_extent,
        reference: None,
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
    let name = |k: usize| i18n::param_short(plan.factors[k].param, lang);
    let mut notes = Vec::new();
    let panels = match indices {
        Indices::Sobol(v) => {
            let order = ranked(n, |k| v[k].st);
            let unit = i18n::SOBOL_INDEX.get(lang);
            // One scale for both panels: a first-order bar half as long as a total bar is
            // half as large.
            let ends: Vec<f64> = v
                .iter()
                .flat_map(|i| {
                    [
                        i.st - i.st_conf,
                        i.st + i.st_conf,
                        i.s1 - i.s1_conf,
                        i.s1 + i.s1_conf,
                    ]
                })
                .filter(|x| x.is_finite())
                .collect();
            let extent = Some((
                ends.iter().copied().fold(0.0, f64::min),
                ends.iter().copied().fold(0.0, f64::max),
            ));
            vec![
                bars(
                    &order,
                    (i18n::SOBOL_TOTAL.get(lang), unit, 0),
                    name,
                    |k| (v[k].st, v[k].st_conf),
                    extent,
                ),
                bars(
                    &order,
                    (i18n::SOBOL_FIRST.get(lang), unit, 1),
                    name,
                    |k| (v[k].s1, v[k].s1_conf),
                    extent,
                ),
            ]
        }
        Indices::Morris(v) => {
            let order = ranked(n, |k| v[k].mu_star);
            let mut rank = vec![0; n];
            for (r, &k) in order.iter().enumerate() {
                rank[k] = r + 1;
            }
            notes.push(i18n::MORRIS_NUMBERS.get(lang).to_string());
            vec![
                Panel::Scatter(ScatterPanel {
                    title: i18n::MORRIS_PLANE.get(lang).to_string(),
                    x_label: i18n::MORRIS_MU_STAR.get(lang).to_string(),
                    y_label: i18n::MORRIS_SIGMA.get(lang).to_string(),
                    // One colour: the number, not a colour, says which parameter.
                    points: (0..n)
                        .map(|k| Point {
                            label: rank[k].to_string(),
                            colour: 0,
                            x: v[k].mu_star,
                            y: v[k].sigma,
                        })
                        .collect(),
                }),
                bars(
                    &order,
                    (
                        i18n::MORRIS_MU_STAR.get(lang),
                        i18n::metric_unit(result.metric).get(lang),
                        0,
                    ),
                    |k| format!("{} · {}", rank[k], name(k)),
                    |k| (v[k].mu_star, v[k].mu_star_conf),
                    None,
                ),
            ]
        }
    };
    // "Sensitivity of Initiative", "敏感性分析：担当作为率" (no space after a full-width colon).
    let space = if lang == Lang::En { " " } else { "" };
    let title = format!(
        "{}{space}{} — {}",
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
    figure.caption.extend(notes);
    Some(figure)
}
