//! The look of every plot: a colour-blind-safe palette (Okabe & Ito 2008), type sizes that
//! read on a projector, and the colour map of heatmaps.

use plotters::style::RGBColor;

/// Okabe–Ito colours in the order series use them; yellow last, as it is faint on white.
pub const PALETTE: [RGBColor; 8] = [
    RGBColor(0x00, 0x72, 0xB2), // blue
    RGBColor(0xD5, 0x5E, 0x00), // vermillion
    RGBColor(0x00, 0x9E, 0x73), // bluish green
    RGBColor(0xE6, 0x9F, 0x00), // orange
    RGBColor(0xCC, 0x79, 0xA7), // reddish purple
    RGBColor(0x56, 0xB4, 0xE9), // sky blue
    RGBColor(0x00, 0x00, 0x00), // black
    RGBColor(0xF0, 0xE4, 0x42), // yellow
];

/// The colour of series number `i`.
pub fn colour(i: usize) -> RGBColor {
    PALETTE[i % PALETTE.len()]
}

/// Grey for grid lines, event markers and frames.
pub const GREY: RGBColor = RGBColor(0x55, 0x55, 0x55);
pub const LIGHT_GREY: RGBColor = RGBColor(0xDD, 0xDD, 0xDD);

/// Type sizes in pixels, for figures about 1600 pixels wide shown on a projector.
pub const TITLE: f64 = 46.0;
pub const SUBTITLE: f64 = 28.0;
pub const PANEL_TITLE: f64 = 36.0;
pub const AXIS: f64 = 30.0;
pub const TICK: f64 = 26.0;
pub const LEGEND: f64 = 28.0;
pub const MARKER: f64 = 24.0;

/// The smallest text any figure uses (event markers; tick labels are 26).
pub const SMALLEST_TEXT: f64 = MARKER;

/// The widest figure, in pixels: shown 1920 pixels wide (a projector), its smallest text
/// still measures 20 pixels (24 × 1920 / 2304 = 20).
pub const MAX_WIDTH: u32 = 2304;

/// Line width of series, in pixels.
pub const LINE_WIDTH: u32 = 4;

/// Viridis (perceptually uniform, colour-blind-safe): `t` in [0, 1] to a colour.
pub fn viridis(t: f64) -> RGBColor {
    const STOPS: [(u8, u8, u8); 9] = [
        (68, 1, 84),
        (71, 44, 122),
        (59, 81, 139),
        (44, 113, 142),
        (33, 144, 141),
        (39, 173, 129),
        (92, 200, 99),
        (170, 220, 50),
        (253, 231, 37),
    ];
    let t = if t.is_finite() {
        t.clamp(0.0, 1.0)
    } else {
        0.0
    };
    let x = t * (STOPS.len() - 1) as f64;
    let i = (x.floor() as usize).min(STOPS.len() - 2);
    let f = x - i as f64;
    let mix = |a: u8, b: u8| (a as f64 + f * (b as f64 - a as f64)).round() as u8;
    let (a, b) = (STOPS[i], STOPS[i + 1]);
    RGBColor(mix(a.0, b.0), mix(a.1, b.1), mix(a.2, b.2))
}

/// Whether text on `c` should be white rather than black (relative luminance below 0.4).
pub fn dark(c: RGBColor) -> bool {
    let l = 0.2126 * c.0 as f64 + 0.7152 * c.1 as f64 + 0.0722 * c.2 as f64;
    l < 0.4 * 255.0
}
