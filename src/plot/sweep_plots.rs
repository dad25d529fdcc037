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
//! Figures depend only on the results (never on threads, shards or timing), so a merged
//! sweep draws the same bytes as a one-machine run.

use super::figure::{Figure, HeatmapPanel, LinePanel, Panel, Series};
use super::run_plots::clip_to_domain;
use super::{PlotOptions, write_plot_files};
use crate::i18n::{self, Lang};
use crate::model::Metric;
use crate::sweep::store::PLOT_PREFIXES;
use crate::sweep::{SweepResults, SweepStore};

/// The metrics a sweep plots, one file each.
pub const SWEEP_METRICS: [Metric; 6] = [
    Metric::Initiative,
    Metric::ErrorRate,
    Metric::CorrectionRate,
    Metric::ToleranceRate,
    Metric::Violations,
    Metric::SocialValue,
];

/// Why `results` gets no plots (a line for the user), or None when it gets them.
pub fn no_plots_reason(results: &SweepResults) -> Option<String> {
    let d = &results.design;
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
    if no_plots_reason(results).is_some() {
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
                    values: grid.mean,
                    value_label: i18n::metric_axis(metric, lang),
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

/// Draws the figures of the finished sweep in `store` into its folder (the sweep's products,
/// see [`crate::sweep::Products`]): the names of the files written, or why a design has none.
pub fn write(
    store: &SweepStore,
    options: &PlotOptions,
) -> crate::error::Result<Result<Vec<String>, String>> {
    let results = SweepResults::of(store)?;
    Ok(match no_plots_reason(&results) {
        Some(reason) => Err(reason),
        None => Ok(write_plot_files(
            store.dir(),
            &sweep_figures(&results, options.lang),
            &options.formats,
        )?),
    })
}
