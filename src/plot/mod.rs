//! Plots: figures described as plain data and rendered to PNG or SVG with plotters.
//!
//! Plotting consumes results, never the engine: [`figure`] holds the generic pieces (a
//! [`Figure`] of panels: lines with bands over any x axis, horizontal bars with error bars,
//! a heatmap over a 2-D grid), [`run_plots`], [`compare_plots`] and [`sweep_plots`] turn
//! results into figures, and [`render`] draws a figure into bytes. Text uses fonts embedded in the binary
//! ([`fonts`]), so plots look the same on a machine without any system fonts or fontconfig.

mod bitmap;
pub mod calibrate_plots;
pub mod compare_plots;
pub mod did_plots;
mod draw;
pub mod figure;
#[cfg(test)]
mod figure_tests;
pub mod files;
pub mod fonts;
pub mod run_plots;
pub mod sensitivity_plots;
pub mod style;
pub mod sweep_plots;

pub use figure::{
    Bar, BarPanel, Figure, HeatmapPanel, LinePanel, Marker, Panel, Point, ScatterPanel, Series,
};
pub use files::{PlotOptions, write_figures, write_plot_files};

use std::fmt;

use plotters::prelude::*;

use crate::error::InputError;

/// An image format plots are written in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Format {
    Png,
    Svg,
}

impl Format {
    /// The file extension.
    pub fn extension(self) -> &'static str {
        match self {
            Format::Png => "png",
            Format::Svg => "svg",
        }
    }

    /// Parses `--format`: `png`, `svg` or a comma-separated list such as `png,svg`.
    pub fn parse_list(text: &str) -> Result<Vec<Format>, InputError> {
        let mut formats = Vec::new();
        for part in text.split(',').map(str::trim) {
            let format = match part.to_ascii_lowercase().as_str() {
                "png" => Format::Png,
                "svg" => Format::Svg,
                _ => {
                    return Err(InputError::new(
                        "--format",
                        format!("`{part}` is not a plot format; use png, svg or png,svg"),
                    ));
                }
            };
            if !formats.contains(&format) {
                formats.push(format);
            }
        }
        Ok(formats)
    }
}

/// A plot that could not be drawn (a plotters error; not expected for valid data).
#[derive(Debug)]
pub struct PlotError(pub String);

impl fmt::Display for PlotError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "drawing a plot failed: {}", self.0)
    }
}

impl std::error::Error for PlotError {}

impl From<PlotError> for crate::error::Error {
    fn from(e: crate::plot::PlotError) -> crate::error::Error {
        crate::error::Error::Draw {
            doing: "drawing a plot".into(),
            reason: e.0,
        }
    }
}

impl<E: std::error::Error + Send + Sync> From<DrawingAreaErrorKind<E>> for PlotError {
    fn from(e: DrawingAreaErrorKind<E>) -> Self {
        PlotError(e.to_string())
    }
}

/// Renders `figure` in `format` and returns the file's bytes.
pub fn render(figure: &Figure, format: Format) -> Result<Vec<u8>, PlotError> {
    fonts::register();
    let (w, h) = figure.size;
    match format {
        Format::Svg => {
            let mut text = String::new();
            {
                let root = SVGBackend::with_string(&mut text, (w, h)).into_drawing_area();
                draw::figure(&root, figure)?;
                root.present()?;
            }
            Ok(text.into_bytes())
        }
        Format::Png => {
            let mut pixels = vec![0u8; (w * h * 3) as usize];
            {
                let root = bitmap::Bitmap(BitMapBackend::with_buffer(&mut pixels, (w, h)))
                    .into_drawing_area();
                draw::figure(&root, figure)?;
                root.present()?;
            }
            let mut png = Vec::new();
            image::ImageEncoder::write_image(
                // Best compression with adaptive filters: plots are mostly flat colour, so
                // this roughly halves the files for a few milliseconds more.
                image::codecs::png::PngEncoder::new_with_quality(
                    &mut png,
                    image::codecs::png::CompressionType::Best,
                    image::codecs::png::FilterType::Adaptive,
                ),
                &pixels,
                w,
                h,
                image::ColorType::Rgb8,
            )
            .map_err(|e| PlotError(e.to_string()))?;
            Ok(png)
        }
    }
}

/// Renders `figure` as a file of its own: as [`render`], and an SVG also embeds its font
/// (the CSS `@font-face` of [`fonts::font_face_css`]) so it looks like the PNG on any machine.
/// SVGs inlined in report.html come from [`render`]: the page embeds the font once.
pub fn render_file(figure: &Figure, format: Format) -> Result<Vec<u8>, PlotError> {
    let bytes = render(figure, format)?;
    if format != Format::Svg {
        return Ok(bytes);
    }
    let svg = String::from_utf8(bytes).map_err(|e| PlotError(e.to_string()))?;
    let open = svg
        .find("<svg")
        .and_then(|i| svg[i..].find('>').map(|j| i + j + 1))
        .ok_or_else(|| PlotError("the SVG writer produced no <svg> element".into()))?;
    let style = format!(
        "\n<defs><style>{}</style></defs>",
        fonts::font_face_css(figure.lang)
    );
    let mut out = String::with_capacity(svg.len() + style.len());
    out.push_str(&svg[..open]);
    out.push_str(&style);
    out.push_str(&svg[open..]);
    Ok(out.into_bytes())
}

/// Renders `figure` in every format, as files ([`render_file`]); returns (file name, bytes)
/// pairs named `<stem>.<ext>`.
pub fn render_all(
    figure: &Figure,
    stem: &str,
    formats: &[Format],
) -> Result<Vec<(String, Vec<u8>)>, PlotError> {
    formats
        .iter()
        .map(|&f| Ok((format!("{stem}.{}", f.extension()), render_file(figure, f)?)))
        .collect()
}

#[cfg(test)]
pub(crate) mod test_support {
    //! Checks shared by the plot tests: decoded PNGs are the right size and not blank.

    /// Decodes a PNG and returns (width, height, variance of the grey levels).
    pub fn png_stats(bytes: &[u8]) -> (u32, u32, f64) {
        let img = image::load_from_memory_with_format(bytes, image::ImageFormat::Png)
            .expect("a valid PNG")
            .to_luma8();
        let n = (img.width() * img.height()) as f64;
        let mean = img.pixels().map(|p| p.0[0] as f64).sum::<f64>() / n;
        let var = img
            .pixels()
            .map(|p| (p.0[0] as f64 - mean).powi(2))
            .sum::<f64>()
            / n;
        (img.width(), img.height(), var)
    }

    /// Every text element's content, trimmed, in document order.
    pub fn svg_texts(svg: &str) -> Vec<String> {
        svg.split("<text")
            .skip(1)
            .map(|piece| {
                piece
                    .split_once('>')
                    .and_then(|(_, rest)| rest.split_once("</text>"))
                    .map(|(t, _)| t.trim().to_string())
                    .unwrap_or_default()
            })
            .collect()
    }

    /// The structure of an SVG: element names with their count, in first-seen order, and
    /// every text, so snapshots catch a lost panel, legend or label but not pixel shifts.
    pub fn svg_structure(svg: &str) -> String {
        let mut counts: Vec<(String, usize)> = Vec::new();
        for tag in svg.split('<').skip(1) {
            let name: String = tag
                .chars()
                .take_while(|c| c.is_ascii_alphanumeric() || *c == '/' || *c == '?')
                .collect();
            if name.starts_with('/') || name.is_empty() {
                continue;
            }
            match counts.iter_mut().find(|(n, _)| *n == name) {
                Some((_, c)) => *c += 1,
                None => counts.push((name, 1)),
            }
        }
        let mut out: Vec<String> = counts.iter().map(|(n, c)| format!("<{n}> x{c}")).collect();
        out.extend(svg_texts(svg).into_iter().map(|t| format!("text: {t}")));
        out.join("\n")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn svg_files_embed_their_font_and_inline_svgs_do_not() {
        for lang in [crate::i18n::Lang::En, crate::i18n::Lang::Zh] {
            let figure = Figure::new("t", lang, Vec::new(), 1);
            let file = String::from_utf8(render_file(&figure, Format::Svg).unwrap()).unwrap();
            let inline = String::from_utf8(render(&figure, Format::Svg).unwrap()).unwrap();
            assert!(file.starts_with("<svg"), "{}", &file[..80]);
            assert!(file.contains(&fonts::font_face_css(lang)));
            assert!(!inline.contains("@font-face"));
            // The same drawing, plus the style element.
            assert_eq!(
                file.len(),
                inline.len()
                    + fonts::font_face_css(lang).len()
                    + "\n<defs><style></style></defs>".len()
            );
        }
    }

    #[test]
    fn formats_parse() {
        assert_eq!(Format::parse_list("png").unwrap(), vec![Format::Png]);
        assert_eq!(
            Format::parse_list("png, SVG,png").unwrap(),
            vec![Format::Png, Format::Svg]
        );
        let e = Format::parse_list("pdf").unwrap_err();
        assert!(e.message.contains("png, svg or png,svg"), "{e}");
    }
}
