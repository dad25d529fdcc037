//! The charts of a calibration: each parameter's posterior against its prior, the pairwise
//! corner plot (a weighted 2-D histogram of each pair), the posterior-predictive check per
//! target, and the tolerance and acceptance rate per generation. Parameters go by their
//! translated short names.

use super::figure::{Bar, BarPanel, Figure, HeatmapPanel, LinePanel, Marker, Panel, Series};
use crate::calibrate::smc::Generation;
use crate::calibrate::{CalibrationPlan, Check, ParamSummary, marginal_bins};
use crate::i18n::{self, Lang, calibrate as t};

/// About this many cells per axis of the corner plot's grids.
const CORNER_CELLS: f64 = 10.0;

/// The 1.645 of a two-sided 90% normal interval: the observed value's whisker.
const Z_90: f64 = 1.644_853_626_951_472_2;

fn name(plan: &CalibrationPlan, k: usize, lang: Lang) -> String {
    i18n::param_short(plan.free[k].param, lang)
}

/// The bin of `x` among `bins` equal bins of [low, high].
fn bin(x: f64, low: f64, high: f64, bins: usize) -> usize {
    (((x - low) / (high - low)) * bins as f64)
        .floor()
        .clamp(0.0, bins as f64 - 1.0) as usize
}

/// Posterior and prior density of every parameter, with the 90% interval as markers.
pub fn marginals_figure(
    plan: &CalibrationPlan,
    posterior: &Generation,
    summaries: &[ParamSummary],
    lang: Lang,
) -> Figure {
    let weights = posterior.weights();
    let bins = marginal_bins(posterior.particles.len());
    let panels = plan
        .free
        .iter()
        .enumerate()
        .map(|(k, f)| {
            // A normal's or gamma's open end: its 0.1% (99.9%) quantile, or the particles'
            // reach where that is further.
            let column = posterior.column(k);
            let (mut low, mut high) = f.prior.display_bounds();
            if !f.prior.bounds().0.is_finite() {
                low = column.iter().copied().fold(low, f64::min);
            }
            if !f.prior.bounds().1.is_finite() {
                high = column.iter().copied().fold(high, f64::max);
            }
            let width = (high - low) / bins as f64;
            let mut density = vec![0.0; bins];
            for (x, w) in column.iter().zip(&weights) {
                density[bin(*x, low, high, bins)] += w / width;
            }
            let x: Vec<f64> = (0..bins).map(|i| low + (i as f64 + 0.5) * width).collect();
            let prior: Vec<f64> = x.iter().map(|&v| f.prior.density(v)).collect();
            let none = vec![f64::NAN; bins];
            let s = &summaries[k];
            Panel::Lines(LinePanel {
                title: name(plan, k, lang),
                x_label: f.param.key().to_string(),
                y_label: t::DENSITY.get(lang).to_string(),
                series: vec![
                    Series {
                        label: t::POSTERIOR.get(lang).to_string(),
                        colour: 0,
                        x: x.clone(),
                        mean: density,
                        low: none.clone(),
                        high: none.clone(),
                    },
                    Series {
                        label: t::PRIOR.get(lang).to_string(),
                        colour: 7,
                        x,
                        mean: prior,
                        low: none.clone(),
                        high: none,
                    },
                ],
                markers: vec![
                    Marker {
                        x: s.low,
                        label: "5%".into(),
                    },
                    Marker {
                        x: s.high,
                        label: "95%".into(),
                    },
                ],
                y_from_zero: true,
            })
        })
        .collect();
    Figure::new(
        format!("{} — {}", t::MARGINALS.get(lang), plan.name),
        lang,
        panels,
        plan.free.len().min(3),
    )
    .with_caption([note(plan, lang), t::MARGINAL_NOTE.get(lang).to_string()])
}

/// The corner plot: for every pair of parameters, the posterior weight in each cell of a
/// grid over the range the posterior's particles span (a zoom: the marginals show the
/// prior's whole range). None with a single parameter.
pub fn corner_figure(plan: &CalibrationPlan, posterior: &Generation, lang: Lang) -> Option<Figure> {
    let d = plan.free.len();
    if d < 2 {
        return None;
    }
    let weights = posterior.weights();
    let mut panels = Vec::new();
    for a in 0..d {
        for b in a + 1..d {
            let xs = nice_grid(&posterior.column(a));
            let ys = nice_grid(&posterior.column(b));
            let mut grid = vec![vec![0.0; xs.len()]; ys.len()];
            for (p, w) in posterior.particles.iter().zip(&weights) {
                grid[cell(p.theta[b], &ys)][cell(p.theta[a], &xs)] += w;
            }
            panels.push(Panel::Heatmap(HeatmapPanel {
                title: format!("{} × {}", name(plan, a, lang), name(plan, b, lang)),
                x_label: plan.free[a].param.key().to_string(),
                y_label: plan.free[b].param.key().to_string(),
                x: xs,
                y: ys,
                x_names: None,
                y_names: None,
                values: grid,
                value_label: t::WEIGHT.get(lang).to_string(),
                range: None,
            }));
        }
    }
    // Two columns leave each grid room for its tick labels beside its colour bar.
    let columns = panels.len().min(2);
    Some(
        Figure::new(
            format!("{} — {}", t::CORNER.get(lang), plan.name),
            lang,
            panels,
            columns,
        )
        .with_caption([note(plan, lang)]),
    )
}

/// The cell centres of a grid over the range of `values`: multiples of a round step (1, 2,
/// 2.5 or 5 times a power of ten) about a tenth of the range, so that every tick label is
/// short and the cells line up with them.
fn nice_grid(values: &[f64]) -> Vec<f64> {
    let low = values.iter().copied().fold(f64::INFINITY, f64::min);
    let high = values.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    let raw = ((high - low) / CORNER_CELLS).max(1e-9 * low.abs().max(1.0));
    let power = 10f64.powf(raw.log10().floor());
    let step = [1.0, 2.0, 2.5, 5.0, 10.0]
        .iter()
        .map(|m| m * power)
        .find(|&s| s >= raw)
        .unwrap_or(10.0 * power);
    let first = (low / step).round() as i64;
    let last = (high / step).round() as i64;
    // Multiplying an integer by the step (rather than adding steps) keeps labels exact.
    (first..=last).map(|k| k as f64 * step).collect()
}

/// The cell of `x` on a grid of `centres` (equally spaced).
fn cell(x: f64, centres: &[f64]) -> usize {
    if centres.len() < 2 {
        return 0;
    }
    let step = centres[1] - centres[0];
    (((x - centres[0]) / step).round().max(0.0) as usize).min(centres.len() - 1)
}

/// Per target: the observed value against the model's posterior-predictive mean and 90%
/// interval.
pub fn predictive_figure(plan: &CalibrationPlan, checks: &[Check], lang: Lang) -> Figure {
    let panels = plan
        .targets
        .iter()
        .zip(checks)
        .map(|(target, c)| {
            let o = &target.observed;
            let half = if target.scale_is_se {
                Z_90 * o.scale
            } else {
                o.scale
            };
            Panel::Bars(BarPanel {
                title: target.name.clone(),
                value_label: format!("{} ({})", target.quantity.name(), t::VALUE.get(lang)),
                bars: vec![
                    Bar {
                        label: t::OBSERVED.get(lang).to_string(),
                        colour: 7,
                        value: o.value,
                        low: o.value - half,
                        high: o.value + half,
                    },
                    Bar {
                        label: t::MODEL.get(lang).to_string(),
                        colour: if c.covered { 0 } else { 5 },
                        value: c.mean,
                        low: c.low,
                        high: c.high,
                    },
                ],
                x_extent: None,
                reference: None,
            })
        })
        .collect();
    Figure::new(
        format!("{} — {}", t::PREDICTIVE.get(lang), plan.name),
        lang,
        panels,
        plan.targets.len().min(3),
    )
    .with_caption([note(plan, lang), t::PREDICTIVE_NOTE.get(lang).to_string()])
}

/// The tolerance schedule and acceptance rates.
pub fn progress_figure(plan: &CalibrationPlan, generations: &[Generation], lang: Lang) -> Figure {
    let line = |title: &str, y_label: &str, colour, points: Vec<(f64, f64)>| {
        let n = points.len();
        Panel::Lines(LinePanel {
            title: title.to_string(),
            x_label: t::GENERATION.get(lang).to_string(),
            y_label: y_label.to_string(),
            series: vec![Series {
                label: title.to_string(),
                colour,
                x: points.iter().map(|p| p.0).collect(),
                mean: points.iter().map(|p| p.1).collect(),
                low: vec![f64::NAN; n],
                high: vec![f64::NAN; n],
            }],
            markers: Vec::new(),
            y_from_zero: true,
        })
    };
    // Generation 0 is the prior sample: no tolerance, everything finite accepted.
    let epsilon = generations
        .iter()
        .filter(|g| g.epsilon.is_finite())
        .map(|g| (g.index as f64, g.epsilon))
        .collect();
    let acceptance = generations
        .iter()
        .map(|g| (g.index as f64, g.acceptance_rate()))
        .collect();
    let ess = generations
        .iter()
        .map(|g| (g.index as f64, g.ess()))
        .collect();
    Figure::new(
        format!("{} — {}", t::PROGRESS.get(lang), plan.name),
        lang,
        vec![
            line(t::TOLERANCE.get(lang), t::TOLERANCE.get(lang), 0, epsilon),
            line(
                t::ACCEPTANCE.get(lang),
                t::ACCEPTANCE.get(lang),
                1,
                acceptance,
            ),
            line(t::ESS.get(lang), t::ESS_AXIS.get(lang), 2, ess),
        ],
        3,
    )
    .with_caption([note(plan, lang), t::ESS_NOTE.get(lang).to_string()])
}

fn note(plan: &CalibrationPlan, lang: Lang) -> String {
    t::figure_note(
        lang,
        plan.settings.particles,
        plan.replicates(),
        plan.base.run.steps,
        plan.window,
    )
}

/// Every figure of a calibration with its file stem, in the report's order.
pub fn calibrate_figures(
    plan: &CalibrationPlan,
    generations: &[Generation],
    summaries: &[ParamSummary],
    checks: &[Check],
    lang: Lang,
) -> Vec<(String, Figure)> {
    let posterior = generations.last().expect("a calibration has a posterior");
    let mut figures = vec![(
        "calibrate_marginals".to_string(),
        marginals_figure(plan, posterior, summaries, lang),
    )];
    if let Some(f) = corner_figure(plan, posterior, lang) {
        figures.push(("calibrate_corner".to_string(), f));
    }
    figures.push((
        "calibrate_predictive".to_string(),
        predictive_figure(plan, checks, lang),
    ));
    figures.push((
        "calibrate_progress".to_string(),
        progress_figure(plan, generations, lang),
    ));
    figures
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn corner_grids_have_round_cells_covering_the_values() {
        let values = [0.513, 0.61, 0.918];
        let grid = nice_grid(&values);
        assert_eq!(grid.first(), Some(&0.5));
        assert_eq!(grid.last(), Some(&0.9));
        assert!((grid[1] - grid[0] - 0.05).abs() < 1e-12, "{grid:?}");
        assert_eq!(cell(0.513, &grid), 0);
        assert_eq!(cell(0.918, &grid), grid.len() - 1);
        // One value: one cell.
        assert_eq!(nice_grid(&[2.0, 2.0]).len(), 1);
    }
}
