//! Drawing a [`Figure`] on any plotters backend: the layout (title, wrapped caption, panel
//! grid, legends under the charts so they never hide data) and each panel kind.

use plotters::chart::MeshStyle;
use plotters::coord::Shift;
use plotters::element::DashedPathElement;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

use super::PlotError;
use super::figure::{BarPanel, Figure, HeatmapPanel, LinePanel, Panel, ScatterPanel, Series};
use super::fonts;
use super::style::{self, GREY, LIGHT_GREY};

type Area<DB> = DrawingArea<DB, Shift>;

/// Text in the figure's font.
#[derive(Clone, Copy)]
struct Fonts {
    family: &'static str,
}

impl Fonts {
    fn text(&self, size: f64) -> TextStyle<'static> {
        TextStyle::from(FontDesc::new(
            FontFamily::Name(self.family),
            size,
            FontStyle::Normal,
        ))
    }
    fn coloured(&self, size: f64, colour: RGBColor) -> TextStyle<'static> {
        TextStyle {
            color: colour.to_backend_color(),
            ..self.text(size)
        }
    }
}

/// Draws the whole figure on `root`.
pub fn figure<DB: DrawingBackend>(root: &Area<DB>, fig: &Figure) -> Result<(), PlotError> {
    root.fill(&WHITE)?;
    let fonts = Fonts {
        family: fonts::family(fig.lang),
    };
    let (width, _) = root.dim_in_pixel();
    let caption_style = fonts.coloured(style::SUBTITLE, GREY);
    let mut lines = Vec::new();
    for line in &fig.caption {
        lines.extend(wrap(root, line, &caption_style, width.saturating_sub(80))?);
    }
    // A long title shrinks to fit the width, down to the caption's size, then wraps.
    let max_width = width.saturating_sub(80);
    let mut title_size = style::TITLE;
    while title_size > style::SUBTITLE
        && root
            .estimate_text_size(&fig.title, &fonts.text(title_size))?
            .0
            > max_width
    {
        title_size -= 2.0;
    }
    let titles = wrap(root, &fig.title, &fonts.text(title_size), max_width)?;
    let title_height = (title_size * 1.25) as i32 * titles.len() as i32;
    let line_height = (style::SUBTITLE * 1.35) as i32;
    let header = 30 + title_height + line_height * lines.len() as i32 + 20;
    let (head, body) = root.split_vertically(header);
    for (i, title) in titles.iter().enumerate() {
        let y = 24 + (title_size * 1.25) as i32 * i as i32;
        head.draw(&Text::new(title.clone(), (40, y), fonts.text(title_size)))?;
    }
    for (i, line) in lines.iter().enumerate() {
        let y = 30 + title_height + line_height * i as i32;
        head.draw(&Text::new(line.clone(), (40, y), caption_style.clone()))?;
    }
    let rows = fig.panels.len().div_ceil(fig.columns).max(1);
    let cells = body.split_evenly((rows, fig.columns));
    for (panel, cell) in fig.panels.iter().zip(cells.iter()) {
        let cell = cell.margin(10, 10, 20, 30);
        match panel {
            Panel::Lines(p) => lines_panel(&cell, p, fonts)?,
            Panel::Bars(p) => bars_panel(&cell, p, fonts)?,
            Panel::Heatmap(p) => heatmap_panel(&cell, p, fonts)?,
            Panel::Scatter(p) => scatter_panel(&cell, p, fonts)?,
        }
    }
    Ok(())
}

/// The largest font size from `size` down to `min`, in steps of 2, at which `text` is at most
/// `max` pixels wide (`min` when none is): long axis labels shrink rather than run off.
fn fitted_size<DB: DrawingBackend>(
    area: &Area<DB>,
    text: &str,
    fonts: Fonts,
    size: f64,
    min: f64,
    max: u32,
) -> Result<f64, PlotError> {
    let mut size = size;
    while size > min && area.estimate_text_size(text, &fonts.text(size))?.0 > max {
        size -= 2.0;
    }
    Ok(size.max(min))
}

/// Breaks `text` into lines no wider than `max` pixels: at spaces in Latin text, between any
/// two characters in Chinese text.
fn wrap<DB: DrawingBackend>(
    area: &Area<DB>,
    text: &str,
    style: &TextStyle,
    max: u32,
) -> Result<Vec<String>, PlotError> {
    let mut pieces: Vec<String> = Vec::new();
    let mut word = String::new();
    for c in text.chars() {
        word.push(c);
        if c == ' ' || (c as u32) >= 0x2E80 {
            pieces.push(std::mem::take(&mut word));
        }
    }
    if !word.is_empty() {
        pieces.push(word);
    }
    let mut lines = Vec::new();
    let mut line = String::new();
    for piece in pieces {
        let candidate = format!("{line}{piece}");
        if !line.is_empty() && area.estimate_text_size(candidate.trim_end(), style)?.0 > max {
            lines.push(line.trim_end().to_string());
            line = piece.trim_start().to_string();
        } else {
            line = candidate;
        }
    }
    if !line.trim().is_empty() {
        lines.push(line.trim_end().to_string());
    }
    Ok(lines)
}

/// A tick label: whole numbers without decimals, others with as many as the span needs.
pub fn tick(v: f64, span: f64) -> String {
    if v.abs() < 1e-12 * span.abs().max(1.0) {
        return "0".into();
    }
    if (v - v.round()).abs() < 1e-9 * v.abs().max(1.0) && v.abs() >= 1.0 {
        return format!("{}", v.round() as i64);
    }
    let decimals = (2 - span.abs().max(1e-12).log10().floor() as i32).clamp(0, 6) as usize;
    let s = format!("{v:.decimals$}");
    if s.contains('.') {
        s.trim_end_matches('0').trim_end_matches('.').to_string()
    } else {
        s
    }
}

/// The range of the finite values, padded; (0, 1) when there are none.
fn padded_range(values: impl Iterator<Item = f64>, from_zero: bool, top_room: f64) -> (f64, f64) {
    let (mut lo, mut hi) = values
        .filter(|v| v.is_finite())
        .fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), v| {
            (a.min(v), b.max(v))
        });
    if !lo.is_finite() {
        return (0.0, 1.0);
    }
    if from_zero && lo >= 0.0 {
        lo = 0.0;
    }
    if hi - lo < 1e-12 {
        let pad = hi.abs() * 0.1 + 0.05;
        return (
            lo - if from_zero && lo == 0.0 { 0.0 } else { pad },
            hi + pad,
        );
    }
    let span = hi - lo;
    hi += span * (0.05 + top_room);
    if !(from_zero && lo == 0.0) {
        lo -= span * 0.05;
    }
    (lo, hi)
}

/// Runs of consecutive indices where `present(i)` holds.
fn runs(n: usize, present: impl Fn(usize) -> bool) -> Vec<std::ops::Range<usize>> {
    let mut out = Vec::new();
    let mut start = None;
    for i in 0..=n {
        match (i < n && present(i), start) {
            (true, None) => start = Some(i),
            (false, Some(s)) => {
                out.push(s..i);
                start = None;
            }
            _ => {}
        }
    }
    out
}

/// Legend items laid out in rows: (colour, label, width in pixels).
type LegendRows = Vec<Vec<(usize, String, u32)>>;

/// A legend of `labels` laid out in rows across `width` pixels.
fn legend_rows<DB: DrawingBackend>(
    area: &Area<DB>,
    labels: &[(usize, String)],
    fonts: Fonts,
    width: u32,
) -> Result<LegendRows, PlotError> {
    let style = fonts.text(style::LEGEND);
    let mut rows: LegendRows = vec![Vec::new()];
    let mut used = 0;
    for (colour, label) in labels {
        let w = 60 + area.estimate_text_size(label, &style)?.0 + 40;
        if used + w > width && !rows.last().unwrap().is_empty() {
            rows.push(Vec::new());
            used = 0;
        }
        rows.last_mut().unwrap().push((*colour, label.clone(), w));
        used += w;
    }
    Ok(rows)
}

/// Draws a legend strip: a short thick line in each series' colour, then its label.
fn draw_legend<DB: DrawingBackend>(
    area: &Area<DB>,
    rows: &[Vec<(usize, String, u32)>],
    fonts: Fonts,
    x0: i32,
) -> Result<(), PlotError> {
    let row_height = (style::LEGEND * 1.5) as i32;
    for (r, row) in rows.iter().enumerate() {
        let y = 8 + r as i32 * row_height + row_height / 2;
        let mut x = x0;
        for (colour, label, w) in row {
            let c = style::colour(*colour);
            area.draw(&PathElement::new(
                vec![(x, y), (x + 48, y)],
                c.stroke_width(style::LINE_WIDTH + 2),
            ))?;
            area.draw(&Text::new(
                label.clone(),
                (x + 60, y),
                fonts
                    .text(style::LEGEND)
                    .pos(Pos::new(HPos::Left, VPos::Center)),
            ))?;
            x += *w as i32;
        }
    }
    Ok(())
}

/// Lines with 95% bands, markers and a legend underneath.
fn lines_panel<DB: DrawingBackend>(
    area: &Area<DB>,
    panel: &LinePanel,
    fonts: Fonts,
) -> Result<(), PlotError> {
    let (width, height) = area.dim_in_pixel();
    let y_area = 130;
    let labelled: Vec<(usize, String)> = panel
        .series
        .iter()
        .filter(|s| !s.label.is_empty())
        .map(|s| (s.colour, s.label.clone()))
        .collect();
    let rows = legend_rows(area, &labelled, fonts, width.saturating_sub(y_area))?;
    let legend_height = if labelled.is_empty() {
        0
    } else {
        16 + rows.len() as u32 * (style::LEGEND * 1.5) as u32
    };
    let (chart_area, legend_area) = area.split_vertically(height.saturating_sub(legend_height));

    let xs = panel.series.iter().flat_map(|s| s.x.iter().copied());
    let (mut x0, mut x1) = xs
        .filter(|v| v.is_finite())
        .fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), v| {
            (a.min(v), b.max(v))
        });
    if !x0.is_finite() {
        (x0, x1) = (0.0, 1.0);
    } else if x1 - x0 < 1e-12 {
        (x0, x1) = (x0 - 0.5, x1 + 0.5);
    }
    let top_room = if panel.markers.is_empty() { 0.0 } else { 0.12 };
    let (y0, y1) = padded_range(
        panel
            .series
            .iter()
            .flat_map(|s| s.mean.iter().chain(&s.low).chain(&s.high).copied()),
        panel.y_from_zero,
        top_room,
    );
    let mut chart =
        panel_chart(&chart_area, &panel.title, fonts, y_area).build_cartesian_2d(x0..x1, y0..y1)?;
    let (xspan, yspan) = (x1 - x0, y1 - y0);
    house_mesh(&mut chart.configure_mesh(), fonts.text(style::TICK), fonts)
        .x_desc(panel.x_label.clone())
        .y_desc(panel.y_label.clone())
        .x_labels(8)
        .y_labels(6)
        .x_label_formatter(&|v| tick(*v, xspan))
        .y_label_formatter(&|v| tick(*v, yspan))
        .draw()?;

    for s in &panel.series {
        let colour = style::colour(s.colour);
        for run in runs(s.x.len(), |i| s.low[i].is_finite() && s.high[i].is_finite()) {
            if run.len() < 2 {
                continue;
            }
            let mut points: Vec<(f64, f64)> = run.clone().map(|i| (s.x[i], s.high[i])).collect();
            points.extend(run.rev().map(|i| (s.x[i], s.low[i])));
            chart.draw_series(std::iter::once(Polygon::new(
                points,
                colour.mix(0.2).filled(),
            )))?;
        }
    }
    for s in &panel.series {
        draw_series_line(&mut chart, s)?;
    }
    for marker in &panel.markers {
        chart.draw_series(DashedLineSeries::new(
            vec![(marker.x, y0), (marker.x, y1)],
            14,
            8,
            GREY.stroke_width(3),
        ))?;
        let label = EmptyElement::at((marker.x, y1))
            + Text::new(
                marker.label.clone(),
                (10, 8),
                fonts.coloured(style::MARKER, GREY),
            );
        chart.draw_series(std::iter::once(label))?;
    }
    if !labelled.is_empty() {
        draw_legend(&legend_area, &rows, fonts, y_area as i32)?;
    }
    Ok(())
}

/// One series' mean line, broken where values are missing; a lone point becomes a dot.
fn draw_series_line<DB: DrawingBackend>(
    chart: &mut ChartContext<
        '_,
        DB,
        Cartesian2d<plotters::coord::types::RangedCoordf64, plotters::coord::types::RangedCoordf64>,
    >,
    s: &Series,
) -> Result<(), PlotError> {
    let colour = style::colour(s.colour);
    for run in runs(s.x.len(), |i| s.mean[i].is_finite()) {
        let points: Vec<(f64, f64)> = run.map(|i| (s.x[i], s.mean[i])).collect();
        if points.len() == 1 {
            chart.draw_series(std::iter::once(Circle::new(points[0], 7, colour.filled())))?;
        } else {
            chart.draw_series(LineSeries::new(
                points,
                colour.stroke_width(style::LINE_WIDTH),
            ))?;
        }
    }
    Ok(())
}

/// Horizontal bars, first bar on top, each with its interval and its value written beside it.
fn bars_panel<DB: DrawingBackend>(
    area: &Area<DB>,
    panel: &BarPanel,
    fonts: Fonts,
) -> Result<(), PlotError> {
    let n = panel.bars.len().max(1);
    let label_style = fonts.text(style::TICK);
    let mut label_width = 60;
    for bar in &panel.bars {
        label_width = label_width.max(area.estimate_text_size(&bar.label, &label_style)?.0 + 30);
    }
    let label_width = label_width.min(area.dim_in_pixel().0 / 2);
    let reference = panel.reference.as_ref().map(|r| r.0);
    let (_, x1) = padded_range(
        panel
            .bars
            .iter()
            .flat_map(|b| [b.value, b.low, b.high])
            .chain(panel.x_extent.map(|e| e.1))
            .chain(reference),
        true,
        0.25,
    );
    let x0 = panel
        .bars
        .iter()
        .flat_map(|b| [b.value, b.low])
        .chain(panel.x_extent.map(|e| e.0))
        .chain(reference)
        .filter(|v| v.is_finite())
        .fold(0.0f64, f64::min);
    let x0 = if x0 < 0.0 { x0 * 1.1 } else { 0.0 };
    let top = n as i32 - 1;
    let labels: Vec<String> = panel.bars.iter().map(|b| b.label.clone()).collect();
    let mut chart = ChartBuilder::on(area)
        .caption(panel.title.clone(), fonts.text(style::PANEL_TITLE))
        .margin(16)
        .x_label_area_size(100)
        .y_label_area_size(label_width)
        .build_cartesian_2d(x0..x1, (0..top.max(1)).into_segmented())?;
    let span = x1 - x0;
    house_mesh(&mut chart.configure_mesh(), label_style, fonts)
        .x_desc(panel.value_label.clone())
        .x_labels(6)
        .y_labels(n)
        .x_label_formatter(&|v| tick(*v, span))
        .y_label_formatter(&|v| match v {
            SegmentValue::CenterOf(i) | SegmentValue::Exact(i) => {
                labels.get((top - *i) as usize).cloned().unwrap_or_default()
            }
            SegmentValue::Last => String::new(),
        })
        .disable_y_mesh()
        .draw()?;
    for (k, bar) in panel.bars.iter().enumerate() {
        let i = top - k as i32;
        let colour = style::colour(bar.colour);
        if bar.value.is_finite() {
            let mut rect = Rectangle::new(
                [
                    (0.0, SegmentValue::Exact(i)),
                    (bar.value, SegmentValue::Exact(i + 1)),
                ],
                colour.filled(),
            );
            rect.set_margin(14, 14, 0, 0);
            chart.draw_series(std::iter::once(rect))?;
        }
        if bar.low.is_finite() && bar.high.is_finite() {
            // Whiskers: a line from low to high with a cap at each end.
            let whisker = BLACK.stroke_width(3);
            chart.draw_series(std::iter::once(PathElement::new(
                vec![
                    (bar.low, SegmentValue::CenterOf(i)),
                    (bar.high, SegmentValue::CenterOf(i)),
                ],
                whisker,
            )))?;
            for end in [bar.low, bar.high] {
                chart.draw_series(std::iter::once(
                    EmptyElement::at((end, SegmentValue::CenterOf(i)))
                        + PathElement::new(vec![(0, -14), (0, 14)], whisker),
                ))?;
            }
        }
        let right = [bar.high, bar.value, 0.0]
            .into_iter()
            .find(|v| v.is_finite())
            .unwrap_or(0.0);
        let text = if bar.value.is_finite() {
            tick(bar.value, span / 10.0)
        } else {
            "–".into()
        };
        chart.draw_series(std::iter::once(
            EmptyElement::at((right, SegmentValue::CenterOf(i)))
                + Text::new(
                    text,
                    (14, 0),
                    fonts
                        .text(style::TICK)
                        .pos(Pos::new(HPos::Left, VPos::Center)),
                ),
        ))?;
    }
    if let Some((value, label)) = &panel.reference
        && value.is_finite()
    {
        chart.draw_series(std::iter::once(DashedPathElement::new(
            vec![
                (*value, SegmentValue::Exact(0)),
                (*value, SegmentValue::Exact(top + 1)),
            ],
            12,
            8,
            BLACK.stroke_width(3),
        )))?;
        chart.draw_series(std::iter::once(
            EmptyElement::at((*value, SegmentValue::Exact(top + 1)))
                + Text::new(
                    label.clone(),
                    (8, -4),
                    fonts
                        .text(style::TICK)
                        .pos(Pos::new(HPos::Left, VPos::Bottom)),
                ),
        ))?;
    }
    Ok(())
}

/// The chart of a panel: its title as caption (none, and no room for one, when the title is
/// empty), the house margin, and `y_area` pixels for the y tick labels.
fn panel_chart<'a, 'b, DB: DrawingBackend>(
    area: &'a Area<DB>,
    title: &str,
    fonts: Fonts,
    y_area: u32,
) -> ChartBuilder<'a, 'b, DB> {
    let mut builder = ChartBuilder::on(area);
    if !title.is_empty() {
        builder.caption(title, fonts.text(style::PANEL_TITLE));
    }
    builder
        .margin(16)
        .x_label_area_size(100)
        .y_label_area_size(y_area);
    builder
}

/// The house look of a line, bar or scatter panel's axes: descriptions and tick labels
/// (`labels`) in the figure's font, grid lines only at labelled ticks, grey axes.
fn house_mesh<'m, 'a, 'b, X: Ranged, Y: Ranged, DB: DrawingBackend>(
    mesh: &'m mut MeshStyle<'a, 'b, X, Y, DB>,
    labels: TextStyle<'b>,
    fonts: Fonts,
) -> &'m mut MeshStyle<'a, 'b, X, Y, DB> {
    mesh.axis_desc_style(fonts.text(style::AXIS))
        .label_style(labels)
        .light_line_style(WHITE)
        .bold_line_style(LIGHT_GREY.stroke_width(1))
        .axis_style(GREY.stroke_width(2))
}

/// A box in pixels: left, top, right, bottom.
pub(super) type PixelBox = (i32, i32, i32, i32);

fn overlaps(a: PixelBox, b: PixelBox) -> bool {
    a.0 < b.2 && b.0 < a.2 && a.1 < b.3 && b.1 < a.3
}

/// Where the label of a point at `p` goes: the first of eight directions, at growing
/// distances, where a `w` × `h` box stays inside `bounds` and clear of `taken` (dots and
/// labels already placed). Returns the box and whether it is far enough from the point to
/// need a leader line. Falls back to the nearest box inside the bounds.
pub(super) fn label_box(
    p: (i32, i32),
    (w, h): (i32, i32),
    bounds: PixelBox,
    taken: &[PixelBox],
) -> (PixelBox, bool) {
    const DIRECTIONS: [(i32, i32); 8] = [
        (1, 0),
        (-1, 0),
        (0, -1),
        (0, 1),
        (1, -1),
        (-1, -1),
        (1, 1),
        (-1, 1),
    ];
    const RADII: [i32; 6] = [18, 44, 76, 112, 156, 210];
    let inside =
        |b: PixelBox| b.0 >= bounds.0 && b.1 >= bounds.1 && b.2 <= bounds.2 && b.3 <= bounds.3;
    let at = |r: i32, (dx, dy): (i32, i32)| {
        // The box's near edge (or corner) sits `r` pixels from the point.
        let cx = p.0 + dx * (r + w / 2);
        let cy = p.1 + dy * (r + h / 2);
        (cx - w / 2, cy - h / 2, cx + w / 2, cy + h / 2)
    };
    for (k, &r) in RADII.iter().enumerate() {
        for &d in &DIRECTIONS {
            let b = at(r, d);
            if inside(b) && !taken.iter().any(|&t| overlaps(b, t)) {
                return (b, k > 0);
            }
        }
    }
    let b = DIRECTIONS
        .iter()
        .map(|&d| at(RADII[0], d))
        .find(|&b| inside(b))
        .unwrap_or_else(|| at(RADII[0], DIRECTIONS[0]));
    (b, false)
}

/// Labelled points on axes from 0 (the y axis lower where a point is negative). Every point is labelled: the labels are placed from the
/// most important point (largest x) down, each beside its point if there is room, else
/// further out with a thin leader line, never on another dot or label.
fn scatter_panel<DB: DrawingBackend>(
    area: &Area<DB>,
    panel: &ScatterPanel,
    fonts: Fonts,
) -> Result<(), PlotError> {
    // Room on the right and at the top for labels pushed outwards.
    let (_, x1) = padded_range(panel.points.iter().map(|p| p.x), true, 0.15);
    let (y0, y1) = padded_range(panel.points.iter().map(|p| p.y), true, 0.1);
    // From 0, or below it where a point is negative (a 2×2 DiD estimate can be).
    let y0 = y0.min(0.0);
    let mut chart =
        panel_chart(area, &panel.title, fonts, 130).build_cartesian_2d(0.0..x1, y0..y1)?;
    house_mesh(&mut chart.configure_mesh(), fonts.text(style::TICK), fonts)
        .x_desc(panel.x_label.clone())
        .y_desc(panel.y_label.clone())
        .x_labels(6)
        .y_labels(6)
        .x_label_formatter(&|v| tick(*v, x1))
        .y_label_formatter(&|v| tick(*v, y1 - y0))
        .draw()?;
    let mut shown: Vec<&super::figure::Point> = panel
        .points
        .iter()
        .filter(|p| p.x.is_finite() && p.y.is_finite())
        .collect();
    shown.sort_by(|a, b| b.x.total_cmp(&a.x).then(b.y.total_cmp(&a.y)));
    const DOT: i32 = 12;
    let base = area.get_base_pixel();
    let pixel = |p: &super::figure::Point| {
        let (x, y) = chart.backend_coord(&(p.x, p.y));
        (x - base.0, y - base.1)
    };
    let (xr, yr) = chart.plotting_area().get_pixel_range();
    let bounds = (
        xr.start - base.0,
        yr.start - base.1,
        xr.end - base.0,
        yr.end - base.1,
    );
    // A label keeps clear of other dots by more than of its own, so it reads as its own
    // dot's label; labels keep a small gap from each other.
    const CLEAR: i32 = DOT + 16;
    let dots: Vec<(i32, i32)> = shown.iter().map(|p| pixel(p)).collect();
    let mut labels: Vec<PixelBox> = Vec::new();
    let label_style = fonts.text(style::TICK);
    // Place every label first, then draw leader lines, dots over them, and the labels.
    let mut placed: Vec<(usize, PixelBox, bool)> = Vec::new();
    for (i, (p, &(x, y))) in shown.iter().zip(&dots).enumerate() {
        if p.label.is_empty() {
            continue;
        }
        let (w, h) = area.estimate_text_size(&p.label, &label_style)?;
        let mut taken: Vec<PixelBox> = dots
            .iter()
            .enumerate()
            .map(|(j, &(dx, dy))| {
                let r = if j == i { DOT } else { CLEAR };
                (dx - r, dy - r, dx + r, dy + r)
            })
            .collect();
        taken.extend(labels.iter().map(|b| (b.0 - 4, b.1 - 4, b.2 + 4, b.3 + 4)));
        let (b, leader) = label_box((x, y), (w as i32 + 6, h as i32 + 4), bounds, &taken);
        labels.push(b);
        placed.push((i, b, leader));
    }
    for &(i, b, leader) in &placed {
        if leader {
            // From the dot to the nearest point of the label's box.
            let (x, y) = dots[i];
            let to = (x.clamp(b.0, b.2), y.clamp(b.1, b.3));
            area.draw(&PathElement::new(vec![(x, y), to], GREY.stroke_width(2)))?;
        }
    }
    for (p, &(x, y)) in shown.iter().zip(&dots) {
        area.draw(&Circle::new(
            (x, y),
            DOT as u32,
            style::colour(p.colour).filled(),
        ))?;
    }
    for &(i, b, _) in &placed {
        area.draw(&Text::new(
            shown[i].label.clone(),
            ((b.0 + b.2) / 2, (b.1 + b.3) / 2),
            label_style.pos(Pos::new(HPos::Center, VPos::Center)),
        ))?;
    }
    Ok(())
}

/// A heatmap with readable ticks at cell centres, values written in small grids, and a
/// colour bar on the right.
fn heatmap_panel<DB: DrawingBackend>(
    area: &Area<DB>,
    panel: &HeatmapPanel,
    fonts: Fonts,
) -> Result<(), PlotError> {
    let (width, _) = area.dim_in_pixel();
    let (grid_area, bar_area) = area.split_horizontally(width.saturating_sub(300));
    let finite = || {
        panel
            .values
            .iter()
            .flatten()
            .copied()
            .filter(|v| v.is_finite())
    };
    let lo = finite().fold(f64::INFINITY, f64::min);
    let hi = finite().fold(f64::NEG_INFINITY, f64::max);
    let (lo, hi) = panel.range.unwrap_or((lo, hi));
    let (lo, hi) = if !lo.is_finite() {
        (0.0, 1.0)
    } else if hi - lo < 1e-12 {
        (lo - 0.5, hi + 0.5)
    } else {
        (lo, hi)
    };
    let colour_of = |v: f64| {
        if v.is_finite() {
            style::viridis(((v - lo) / (hi - lo)).clamp(0.0, 1.0))
        } else {
            LIGHT_GREY
        }
    };
    let (nx, ny) = (panel.x.len().max(1) as i32, panel.y.len().max(1) as i32);
    let xspan = span_of(&panel.x);
    let yspan = span_of(&panel.y);
    // A panel without a title (the figure's title names it) gets no caption space, so the
    // grid and the colour bar start at the same height.
    let title_room = if panel.title.is_empty() {
        0
    } else {
        (style::PANEL_TITLE * 1.4) as i32
    };
    let mut chart = panel_chart(&grid_area, &panel.title, fonts, 140).build_cartesian_2d(
        (0..(nx - 1).max(1)).into_segmented(),
        (0..(ny - 1).max(1)).into_segmented(),
    )?;
    let label_of = |values: &[f64], names: Option<&[&str]>, span: f64, v: &SegmentValue<i32>| {
        let SegmentValue::CenterOf(i) = v else {
            return String::new();
        };
        let Some(&x) = values.get(*i as usize) else {
            return String::new();
        };
        match names.and_then(|n| n.get(x as usize)) {
            Some(name) => name.to_string(),
            None => tick(x, span),
        }
    };
    // Parameter names with their units and keys can be long: each axis label shrinks to fit
    // the side of the grid it names (plus the tick label area below it, for the y label).
    let (grid_w, grid_h) = chart.plotting_area().dim_in_pixel();
    let x_size = fitted_size(area, &panel.x_label, fonts, style::AXIS, 20.0, grid_w)?;
    let y_size = fitted_size(area, &panel.y_label, fonts, style::AXIS, 20.0, grid_h + 100)?;
    chart
        .configure_mesh()
        .x_desc(panel.x_label.clone())
        .y_desc(panel.y_label.clone())
        .axis_desc_style(fonts.text(x_size.min(y_size)))
        .label_style(fonts.text(style::TICK))
        .x_labels(nx.min(11) as usize)
        .y_labels(ny.min(11) as usize)
        .x_label_formatter(&|v| label_of(&panel.x, panel.x_names, xspan, v))
        .y_label_formatter(&|v| label_of(&panel.y, panel.y_names, yspan, v))
        .disable_mesh()
        .axis_style(GREY.stroke_width(2))
        .draw()?;
    let write_values = nx * ny <= 64;
    for (j, row) in panel.values.iter().enumerate() {
        for (i, &v) in row.iter().enumerate() {
            let (i, j) = (i as i32, j as i32);
            let c = colour_of(v);
            chart.draw_series(std::iter::once(Rectangle::new(
                [
                    (SegmentValue::Exact(i), SegmentValue::Exact(j)),
                    (SegmentValue::Exact(i + 1), SegmentValue::Exact(j + 1)),
                ],
                c.filled(),
            )))?;
            if write_values && v.is_finite() {
                let ink = if style::dark(c) { WHITE } else { BLACK };
                chart.draw_series(std::iter::once(Text::new(
                    tick(v, (hi - lo) / 10.0),
                    (SegmentValue::CenterOf(i), SegmentValue::CenterOf(j)),
                    fonts
                        .coloured(style::TICK, ink)
                        .pos(Pos::new(HPos::Center, VPos::Center)),
                )))?;
            }
        }
    }

    // The colour bar: a column of thin bands from low (bottom) to high (top).
    let mut bar = ChartBuilder::on(&bar_area)
        .margin_top(16 + title_room)
        .margin_bottom(116)
        .margin_left(30)
        .right_y_label_area_size(190)
        .build_cartesian_2d(0.0..1.0, lo..hi)?;
    let span = hi - lo;
    bar.configure_mesh()
        .disable_x_mesh()
        .disable_y_mesh()
        .x_labels(0)
        .y_labels(6)
        .y_desc(panel.value_label.clone())
        .axis_desc_style(fonts.text(style::AXIS))
        .label_style(fonts.text(style::TICK))
        .y_label_formatter(&|v| tick(*v, span))
        .axis_style(GREY.stroke_width(2))
        .draw()?;
    const BANDS: usize = 100;
    bar.draw_series((0..BANDS).map(|k| {
        let a = lo + span * k as f64 / BANDS as f64;
        let b = lo + span * (k + 1) as f64 / BANDS as f64;
        Rectangle::new([(0.0, a), (1.0, b)], colour_of((a + b) / 2.0).filled())
    }))?;
    Ok(())
}

/// The span of a list of axis values (for tick precision); 1 when it has fewer than two.
fn span_of(values: &[f64]) -> f64 {
    let lo = values.iter().copied().fold(f64::INFINITY, f64::min);
    let hi = values.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    if hi > lo { hi - lo } else { 1.0 }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ticks_read_naturally() {
        assert_eq!(tick(20.0, 40.0), "20");
        assert_eq!(tick(0.25, 1.0), "0.25");
        assert_eq!(tick(0.5, 1.0), "0.5");
        assert_eq!(tick(0.0, 1.0), "0");
        assert_eq!(tick(0.123456, 0.1), "0.123");
        assert_eq!(tick(-2.5, 10.0), "-2.5");
    }

    #[test]
    fn runs_break_at_missing_values() {
        let v = [1.0, f64::NAN, 2.0, 3.0];
        assert_eq!(runs(4, |i| v[i].is_finite()), vec![0..1, 2..4]);
    }
}
