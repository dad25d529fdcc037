//! Tests of the generic figures on synthetic data: valid files of the expected size, not
//! blank, and snapshots of the SVG structure (elements and texts, not pixels).

use super::test_support::{png_stats, svg_structure, svg_texts};
use super::*;
use crate::i18n::Lang;

/// Two series over a swept parameter, the second with a missing point, and a marker.
fn sweep_panel() -> Panel {
    let x: Vec<f64> = (0..=10).map(|i| i as f64 / 10.0).collect();
    let series = |label: &str, colour, slope: f64, gap: bool| {
        let mean: Vec<f64> = x
            .iter()
            .enumerate()
            .map(|(i, v)| {
                if gap && i == 5 {
                    f64::NAN
                } else {
                    0.2 + slope * v
                }
            })
            .collect();
        Series {
            label: label.into(),
            colour,
            x: x.clone(),
            low: mean.iter().map(|m| m - 0.03).collect(),
            high: mean.iter().map(|m| m + 0.03).collect(),
            mean,
        }
    };
    Panel::Lines(LinePanel {
        title: "Initiative by detection".into(),
        x_label: "regime.detect (probability)".into(),
        y_label: "Initiative (share)".into(),
        series: vec![
            series("nominal", 0, 0.3, false),
            series("optimized", 1, -0.1, true),
        ],
        markers: vec![Marker {
            x: 0.6,
            label: "default".into(),
        }],
        y_from_zero: true,
    })
}

fn heatmap_panel() -> Panel {
    let x = vec![0.0, 0.25, 0.5, 0.75, 1.0];
    let y = vec![0.1, 0.4, 0.7];
    let values = y
        .iter()
        .map(|b| x.iter().map(|a| a * b).collect())
        .collect::<Vec<Vec<f64>>>();
    let mut values = values;
    values[0][0] = f64::NAN;
    Panel::Heatmap(HeatmapPanel {
        title: "Initiative".into(),
        x_label: "regime.leader_duty".into(),
        y_label: "regime.publish".into(),
        x,
        y,
        x_names: None,
        y_names: None,
        values,
        value_label: "initiative (share)".into(),
        range: None,
    })
}

/// Checks the PNG of `figure`; with `CADRE_PLOT_DUMP=DIR` also writes it there to look at.
fn check_png(figure: &Figure) {
    let png = render(figure, Format::Png).unwrap();
    if let Some(dir) = std::env::var_os("CADRE_PLOT_DUMP") {
        let name: String = figure
            .title
            .chars()
            .filter(|c| c.is_ascii_alphanumeric())
            .collect();
        std::fs::write(std::path::Path::new(&dir).join(format!("{name}.png")), &png).unwrap();
    }
    assert_eq!(&png[..8], b"\x89PNG\r\n\x1a\n");
    let (w, h, variance) = png_stats(&png);
    assert_eq!((w, h), figure.size);
    assert!(
        variance > 100.0,
        "a blank image has no variance: {variance}"
    );
}

#[test]
fn lines_with_bands_over_a_swept_parameter() {
    let figure = Figure::new("Sweep of regime.detect", Lang::En, vec![sweep_panel()], 1)
        .with_caption(["nominal_tolerance: 4 replicates".to_string()]);
    check_png(&figure);
    let svg = String::from_utf8(render(&figure, Format::Svg).unwrap()).unwrap();
    assert!(svg.starts_with("<svg"));
    insta::assert_snapshot!(svg_structure(&svg));
}

#[test]
fn heatmap_with_colour_bar() {
    let figure = Figure::new(
        "Initiative over two levers",
        Lang::En,
        vec![heatmap_panel()],
        1,
    );
    check_png(&figure);
    let svg = String::from_utf8(render(&figure, Format::Svg).unwrap()).unwrap();
    // Every cell but the missing one is labelled with its value, ticks at cell centres.
    let texts = svg_texts(&svg);
    for label in ["0", "0.25", "0.5", "0.75", "1", "0.1", "0.4", "0.7"] {
        assert!(
            texts.iter().any(|t| t == label),
            "tick {label} in {texts:?}"
        );
    }
    // Cell values: 14 of the 15 cells (one is missing); e.g. 0.75 × 0.7 = 0.525.
    assert!(texts.iter().any(|t| t == "0.525"), "{texts:?}");
    insta::assert_snapshot!(svg_structure(&svg));
}

#[test]
fn bars_with_whiskers_and_chinese_labels() {
    let bars = |m: f64| {
        Panel::Bars(BarPanel {
            title: "担当作为率".into(),
            value_label: "比率".into(),
            bars: vec![
                Bar {
                    label: "严格问责".into(),
                    colour: 0,
                    value: m,
                    low: m - 0.01,
                    high: m + 0.01,
                },
                Bar {
                    label: "优化路径".into(),
                    colour: 1,
                    value: 2.0 * m,
                    low: f64::NAN,
                    high: f64::NAN,
                },
            ],
            x_extent: None,
            reference: None,
        })
    };
    let figure = Figure::new("末期平均值", Lang::Zh, vec![bars(0.2), bars(0.3)], 2);
    check_png(&figure);
    let svg = String::from_utf8(render(&figure, Format::Svg).unwrap()).unwrap();
    assert!(
        svg.contains(fonts::CJK_FAMILY),
        "Chinese text names the CJK font"
    );
    insta::assert_snapshot!(svg_structure(&svg));
}

#[test]
fn empty_and_degenerate_data_still_render() {
    let empty = Panel::Lines(LinePanel {
        title: String::new(),
        x_label: "x".into(),
        y_label: "y".into(),
        series: vec![Series {
            label: String::new(),
            colour: 0,
            x: vec![0.0],
            mean: vec![f64::NAN],
            low: vec![f64::NAN],
            high: vec![f64::NAN],
        }],
        markers: Vec::new(),
        y_from_zero: true,
    });
    let figure = Figure::new("nothing to show", Lang::En, vec![empty], 1);
    assert!(render(&figure, Format::Png).is_ok());
    assert!(render(&figure, Format::Svg).is_ok());
}

/// Ten points, four of them piled up near the origin and two on the same spot, as the
/// unimportant parameters of a Morris screening are.
fn crowded_scatter() -> Panel {
    let at = [
        (0.084, 0.07),
        (0.04, 0.05),
        (0.027, 0.038),
        (0.021, 0.032),
        (0.015, 0.031),
        (0.011, 0.017),
        (0.0083, 0.012),
        (0.0079, 0.0088),
        (0.0078, 0.0125),
        (0.0078, 0.0125),
    ];
    Panel::Scatter(ScatterPanel {
        title: "Morris".into(),
        x_label: "μ*".into(),
        y_label: "σ".into(),
        points: at
            .iter()
            .enumerate()
            .map(|(i, &(x, y))| Point {
                label: (i + 1).to_string(),
                colour: 0,
                x,
                y,
            })
            .collect(),
    })
}

#[test]
fn every_scatter_point_is_labelled_even_when_points_crowd() {
    let figure = Figure::new("crowded", Lang::En, vec![crowded_scatter()], 1);
    let svg = String::from_utf8(render(&figure, Format::Svg).unwrap()).unwrap();
    let texts = svg_texts(&svg);
    for i in 1..=10 {
        let label = i.to_string();
        assert_eq!(
            texts.iter().filter(|t| **t == label).count(),
            1,
            "label {label} in {texts:?}"
        );
    }
}

#[test]
fn label_boxes_avoid_what_is_taken_and_stay_inside() {
    let bounds = (0, 0, 400, 300);
    // Free space: the label goes right beside the point, without a leader line.
    let (b, leader) = super::draw::label_box((100, 100), (30, 20), bounds, &[]);
    assert!(!leader && b.0 > 100 && b.0 - 100 < 30, "{b:?}");
    // Everything near the point taken: further out, with a leader line, clear of it.
    let taken = [(40, 40, 160, 160)];
    let (b, leader) = super::draw::label_box((100, 100), (30, 20), bounds, &taken);
    assert!(leader, "{b:?}");
    assert!(!(b.0 < 160 && 40 < b.2 && b.1 < 160 && 40 < b.3), "{b:?}");
    // Near a corner the label stays inside the bounds.
    let (b, _) = super::draw::label_box((395, 5), (30, 20), bounds, &[]);
    assert!(b.0 >= 0 && b.1 >= 0 && b.2 <= 400 && b.3 <= 300, "{b:?}");
}

/// The smallest font size in an SVG, in the pixels of the PNG: plotters writes font-size
/// as the PNG size / 1.24.
fn smallest_text(svg: &str) -> f64 {
    svg.split("font-size=\"")
        .skip(1)
        .filter_map(|s| s.split('"').next()?.parse::<f64>().ok())
        .fold(f64::INFINITY, f64::min)
        * 1.24
}

#[test]
fn text_reads_at_20_pixels_when_a_figure_is_shown_1920_wide() {
    let bars = |_| {
        Panel::Bars(BarPanel {
            title: "Initiative".into(),
            value_label: "share".into(),
            bars: vec![Bar {
                label: "Optimized path (O1–O5)".into(),
                colour: 0,
                value: 0.4,
                low: 0.38,
                high: 0.42,
            }],
            x_extent: None,
            reference: None,
        })
    };
    let figures = [
        Figure::new("six", Lang::En, (0..6).map(bars).collect(), 3),
        Figure::new("four", Lang::En, (0..4).map(bars).collect(), 2),
        Figure::new("lines", Lang::En, vec![sweep_panel(), sweep_panel()], 2),
        Figure::new("heatmap", Lang::En, vec![heatmap_panel()], 1),
        Figure::new("crowded", Lang::Zh, vec![crowded_scatter(), bars(0)], 2),
    ];
    for figure in &figures {
        let (w, _) = figure.size;
        assert!(w <= style::MAX_WIDTH, "{}: {w} wide", figure.title);
        let svg = String::from_utf8(render(figure, Format::Svg).unwrap()).unwrap();
        let shown = smallest_text(&svg) * 1920.0 / w as f64;
        assert!(
            shown >= 19.99,
            "{}: text {shown:.1} px at 1920",
            figure.title
        );
    }
}
