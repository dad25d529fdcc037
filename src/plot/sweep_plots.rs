//! The plots of a sweep, from its results ([`SweepResults`]):
//!
//! - a full grid over two parameters: one heatmap per key metric (`heatmap_<metric>`), the
//!   first parameter across, the second up, each cell's final-window mean written in it;
//! - a sweep over one parameter (a grid, zip or sample of one axis): one line with its 95%
//!   band per key metric (`lines_<metric>`), along the parameter;
//! - any other design (zipped or sampled axes over two or more parameters, grids over three
//!   or more): no plots. Its points do not lie on a line or a plane one picture can show
//!   without hiding most of the variation; [`no_plots_reason`] says so for the user, who
//!   joins `results.csv` to `points.csv` for their own analysis.
//!
//! An experiment sweep (a base with a `[rollout]`) draws each estimator's bias and coverage
//! the same way: a heatmap panel per estimator, or a line per estimator.
//!
//! Figures depend only on the results (never on threads, shards or timing), so a merged
//! sweep draws the same bytes as a one-machine run.

use super::figure::{Figure, HeatmapPanel, LinePanel, Panel, Series};
use super::run_plots::clip_to_domain;
use super::{PlotOptions, write_plot_files};
use crate::i18n::{self, Lang};
use crate::model::Metric;
use crate::sweep::results::{ExperimentSweepResults, Score};
use crate::sweep::store::PLOT_PREFIXES;
use crate::sweep::{Design, SweepResults, SweepStore};

/// The metrics a sweep plots, one file each.
pub const SWEEP_METRICS: [Metric; 6] = [
    Metric::Initiative,
    Metric::ErrorRate,
    Metric::CorrectionRate,
    Metric::ToleranceRate,
    Metric::Violations,
    Metric::SocialValue,
];

/// Why a sweep over `d` gets no plots (a line for the user), or None when it gets them.
pub fn no_plots_reason(d: &Design) -> Option<String> {
    let two_d_grid = d.grid.as_ref().is_some_and(|g| g.len() == 2);
    (d.params.len() != 1 && !two_d_grid).then(|| {
        format!(
            "no plots for a {} design over {} parameters: heatmaps need a full grid over two \
             parameters, lines a sweep over one. Join results.csv to points.csv on `point` to \
             analyse it",
            d.method,
            d.params.len()
        )
    })
}

/// Every figure of a sweep as (file stem, figure): heatmaps for a 2-D grid, lines for a 1-D
/// sweep, none for other designs.
pub fn sweep_figures(results: &SweepResults, lang: Lang) -> Vec<(String, Figure)> {
    if no_plots_reason(&results.design).is_some() {
        return Vec::new();
    }
    let [heatmap_prefix, lines_prefix] = PLOT_PREFIXES;
    SWEEP_METRICS
        .iter()
        .filter_map(|&metric| {
            let (prefix, panel, band) = if let Some(grid) = results.heatmap(metric) {
                let panel = Panel::Heatmap(HeatmapPanel {
                    title: String::new(),
                    x_label: i18n::param_axis(grid.x_param, lang),
                    y_label: i18n::param_axis(grid.y_param, lang),
                    x: grid.xs,
                    y: grid.ys,
                    x_names: grid.x_param.choices(),
                    y_names: grid.y_param.choices(),
                    values: grid.mean,
                    value_label: i18n::metric_axis(metric, lang),
                    range: None,
                });
                (heatmap_prefix, panel, false)
            } else {
                let line = results.line_series(metric)?;
                // Bands clipped to the metric's domain, as in run plots (the CSV keeps them).
                let (low, high): (Vec<f64>, Vec<f64>) = line
                    .ci_low
                    .iter()
                    .zip(&line.ci_high)
                    .map(|(&l, &h)| clip_to_domain(metric, l, h))
                    .unzip();
                let panel = Panel::Lines(LinePanel {
                    title: String::new(),
                    x_label: i18n::param_axis(line.param, lang),
                    y_label: i18n::metric_axis(metric, lang),
                    series: vec![Series {
                        label: i18n::metric_label(metric).get(lang).to_string(),
                        colour: 0,
                        x: line.x,
                        mean: line.mean,
                        low,
                        high,
                    }],
                    markers: Vec::new(),
                    y_from_zero: true,
                });
                (lines_prefix, panel, true)
            };
            let figure = Figure::new(
                i18n::sweep_title(metric, &results.name, lang),
                lang,
                vec![panel],
                1,
            )
            .with_caption(caption(results, lang, band));
            Some((format!("{prefix}{}", metric.name()), figure))
        })
        .collect()
}

/// Caption lines: the base scenario and the sweep's size, then what the numbers are.
fn caption(results: &SweepResults, lang: Lang, band: bool) -> Vec<String> {
    let b = &results.base;
    vec![
        i18n::sweep_size(
            lang,
            &b.name,
            b.cadres,
            b.steps,
            results.design.len(),
            results.replicates,
            b.seed,
        ),
        i18n::sweep_value_note(lang, results.window, results.replicates, band),
    ]
}

/// The figures of an experiment sweep: for a 2-D grid, one heatmap per estimator of its
/// overall estimate's bias (`heatmap_bias`) and coverage (`heatmap_coverage`); for a sweep
/// over one parameter, one line per estimator with its 95% interval (`lines_bias`,
/// `lines_coverage`); none for other designs.
pub fn experiment_sweep_figures(
    results: &ExperimentSweepResults,
    lang: Lang,
) -> Vec<(String, Figure)> {
    let d = &results.design;
    if no_plots_reason(d).is_some() || results.overall.is_empty() {
        return Vec::new();
    }
    let [heatmap_prefix, lines_prefix] = PLOT_PREFIXES;
    let estimators = || results.overall.iter().enumerate();
    Score::ALL
        .iter()
        .map(|&what| {
            let name = what.name();
            let value_label = i18n::experiment::sweep_value_axis(what, lang).to_string();
            let (prefix, panels, band) = match d.grid.as_ref().filter(|g| g.len() == 2) {
                Some(grid) => {
                    // Grid points enumerate the first axis slowest: point = ix * ny + iy.
                    let (xs, ys) = (&grid[0], &grid[1]);
                    // One colour scale for every estimator, so that panels compare; coverage
                    // on its whole range.
                    let range = match what {
                        Score::Coverage => (0.0, 1.0),
                        Score::Bias => estimators()
                            .flat_map(|(k, _)| (0..d.len()).map(move |p| results.at(k, p, what).0))
                            .filter(|v| v.is_finite())
                            .fold((0.0, 0.0), |(lo, hi), v| (v.min(lo), v.max(hi))),
                    };
                    let panels = estimators()
                        .map(|(k, (estimator, _))| {
                            Panel::Heatmap(HeatmapPanel {
                                title: i18n::did::estimator_name(*estimator, lang).to_string(),
                                x_label: i18n::param_axis(d.params[0], lang),
                                y_label: i18n::param_axis(d.params[1], lang),
                                x: xs.clone(),
                                y: ys.clone(),
                                x_names: d.params[0].choices(),
                                y_names: d.params[1].choices(),
                                values: (0..ys.len())
                                    .map(|iy| {
                                        (0..xs.len())
                                            .map(|ix| results.at(k, ix * ys.len() + iy, what).0)
                                            .collect()
                                    })
                                    .collect(),
                                value_label: value_label.clone(),
                                range: Some(range),
                            })
                        })
                        .collect();
                    (heatmap_prefix, panels, false)
                }
                None => {
                    let mut order: Vec<usize> = (0..d.len()).collect();
                    order.sort_by(|&a, &b| d.points[a][0].total_cmp(&d.points[b][0]));
                    let series = estimators()
                        .map(|(k, (estimator, _))| {
                            let at: Vec<(f64, f64, f64)> =
                                order.iter().map(|&p| results.at(k, p, what)).collect();
                            Series {
                                label: i18n::did::estimator_name(*estimator, lang).to_string(),
                                colour: k,
                                x: order.iter().map(|&p| d.points[p][0]).collect(),
                                mean: at.iter().map(|v| v.0).collect(),
                                low: at.iter().map(|v| v.1).collect(),
                                high: at.iter().map(|v| v.2).collect(),
                            }
                        })
                        .collect();
                    let panel = Panel::Lines(LinePanel {
                        title: String::new(),
                        x_label: i18n::param_axis(d.params[0], lang),
                        y_label: value_label,
                        series,
                        markers: Vec::new(),
                        y_from_zero: what == Score::Coverage,
                    });
                    (lines_prefix, vec![panel], true)
                }
            };
            let columns = panels.len().min(2);
            let b = &results.base;
            let figure = Figure::new(
                i18n::experiment::sweep_title(what, &results.name, lang),
                lang,
                panels,
                columns,
            )
            .with_caption([
                i18n::sweep_size(
                    lang,
                    &b.name,
                    b.cadres,
                    b.steps,
                    d.len(),
                    results.replicates,
                    b.seed,
                ),
                i18n::experiment::sweep_value_note(
                    what,
                    &results.outcome,
                    results.replicates,
                    band,
                    lang,
                ),
            ]);
            (format!("{prefix}{name}"), figure)
        })
        .collect()
}

/// Draws the figures of the finished sweep in `store` into its folder (the sweep's products,
/// see [`crate::sweep::Products`]): the names of the files written, or why a design has none.
pub fn write(
    store: &SweepStore,
    options: &PlotOptions,
) -> crate::error::Result<Result<Vec<String>, String>> {
    let design = &store.manifest().sweep.design;
    if let Some(reason) = no_plots_reason(design) {
        return Ok(Err(reason));
    }
    let figures = if store.is_experiment() {
        experiment_sweep_figures(&ExperimentSweepResults::of(store)?, options.lang)
    } else {
        sweep_figures(&SweepResults::of(store)?, options.lang)
    };
    Ok(Ok(write_plot_files(
        store.dir(),
        &figures,
        &options.formats,
    )?))
}
