//! Figures as plain data: what to draw, not how. Every plot of the tool is a [`Figure`] of
//! panels, so sweeps, comparisons and reports reuse the same few generic panel kinds:
//!
//! - [`LinePanel`]: lines with 95% bands over any x axis (time steps, or a swept parameter),
//!   with labelled vertical markers (policy events);
//! - [`BarPanel`]: horizontal bars with error bars (final-window means per scenario);
//! - [`HeatmapPanel`]: a metric over a 2-D grid of two parameters, with a colour bar;
//! - [`ScatterPanel`]: labelled points, e.g. Morris μ* against σ per parameter.

use super::style;
use crate::i18n::Lang;

/// A whole image: a title, caption lines under it, and panels in a grid.
#[derive(Debug, Clone)]
pub struct Figure {
    pub title: String,
    /// Lines under the title: scenario, key parameters, what bands mean. Long lines wrap.
    pub caption: Vec<String>,
    pub panels: Vec<Panel>,
    /// Panels per row.
    pub columns: usize,
    /// Width and height in pixels.
    pub size: (u32, u32),
    /// The language of the text, which picks the font.
    pub lang: Lang,
}

impl Figure {
    /// A figure of `panels` laid out `columns` wide: one panel gets 1600 × 1000 pixels,
    /// several get up to 1200 × 820 each, narrower (and a little shorter) where the columns
    /// would make the figure wider than [`style::MAX_WIDTH`], so its text still reads on a
    /// projector.
    pub fn new(title: impl Into<String>, lang: Lang, panels: Vec<Panel>, columns: usize) -> Figure {
        let columns = columns.clamp(1, panels.len().max(1));
        let rows = panels.len().div_ceil(columns).max(1);
        let size = if panels.len() <= 1 {
            (1600, 1000)
        } else {
            let width = (1200 * columns as u32).min(style::MAX_WIDTH);
            let column = width / columns as u32;
            let row = 820.min(column * 9 / 10);
            (width, 140 + row * rows as u32)
        };
        Figure {
            title: title.into(),
            caption: Vec::new(),
            panels,
            columns,
            size,
            lang,
        }
    }

    /// Adds caption lines.
    pub fn with_caption(mut self, lines: impl IntoIterator<Item = String>) -> Figure {
        self.caption.extend(lines);
        self
    }
}

/// One panel of a figure.
#[derive(Debug, Clone)]
pub enum Panel {
    Lines(LinePanel),
    Bars(BarPanel),
    Heatmap(HeatmapPanel),
    Scatter(ScatterPanel),
}

/// One labelled point.
#[derive(Debug, Clone)]
pub struct Point {
    pub label: String,
    pub colour: usize,
    pub x: f64,
    pub y: f64,
}

/// Labelled points on axes that start at 0. Every label is drawn: beside its point where
/// there is room, else further out with a leader line to it.
#[derive(Debug, Clone)]
pub struct ScatterPanel {
    pub title: String,
    pub x_label: String,
    pub y_label: String,
    pub points: Vec<Point>,
}

/// One line with its band. `x`, `mean`, `low` and `high` have equal lengths; NaN is missing
/// (the line and band break there).
#[derive(Debug, Clone)]
pub struct Series {
    pub label: String,
    /// Index into the palette, so a scenario keeps its colour across figures.
    pub colour: usize,
    pub x: Vec<f64>,
    pub mean: Vec<f64>,
    pub low: Vec<f64>,
    pub high: Vec<f64>,
}

/// A labelled vertical line, e.g. the step of a policy event.
#[derive(Debug, Clone)]
pub struct Marker {
    pub x: f64,
    pub label: String,
}

/// Lines with bands over an x axis.
#[derive(Debug, Clone)]
pub struct LinePanel {
    pub title: String,
    pub x_label: String,
    pub y_label: String,
    pub series: Vec<Series>,
    pub markers: Vec<Marker>,
    /// Start the y axis at 0 when every value is at least 0 (rates, counts).
    pub y_from_zero: bool,
}

/// One bar: a value with its interval.
#[derive(Debug, Clone)]
pub struct Bar {
    pub label: String,
    pub colour: usize,
    pub value: f64,
    pub low: f64,
    pub high: f64,
}

/// Horizontal bars with error bars, one per category, top to bottom.
#[derive(Debug, Clone)]
pub struct BarPanel {
    pub title: String,
    pub value_label: String,
    pub bars: Vec<Bar>,
    /// The lowest and highest values the value axis must show besides the bars' own; None
    /// fits the axis to the bars. Panels read side by side (Sobol's total and first-order
    /// indices) pass the same extent, so they share one scale.
    pub x_extent: Option<(f64, f64)>,
    /// A labelled reference value, drawn as a dashed vertical line across the bars.
    pub reference: Option<(f64, String)>,
}

/// A metric over a grid: `values[row][column]` at (`x[column]`, `y[row]`); NaN is missing.
#[derive(Debug, Clone)]
pub struct HeatmapPanel {
    pub title: String,
    pub x_label: String,
    pub y_label: String,
    pub x: Vec<f64>,
    pub y: Vec<f64>,
    /// For an axis whose values are choices (`places.publish_scope`): their names, which the
    /// ticks show; the values are their indices.
    pub x_names: Option<&'static [&'static str]>,
    pub y_names: Option<&'static [&'static str]>,
    pub values: Vec<Vec<f64>>,
    /// What the colours mean, written along the colour bar.
    pub value_label: String,
    /// The values the colours span; None: the panel's own least and greatest. Panels that
    /// are read side by side share one, so that a colour means one value in all of them.
    pub range: Option<(f64, f64)>,
}
