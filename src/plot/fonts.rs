//! Fonts embedded in the binary and registered with plotters' ab_glyph text renderer, so
//! text renders without fontconfig or any system font (e.g. `FONTCONFIG_FILE=/nonexistent`).
//!
//! - Latin: DejaVu Sans (Bitstream Vera licence, see `assets/fonts/LICENSE-DejaVu.txt`).
//! - Chinese: Noto Sans CJK SC (SIL Open Font License 1.1, `assets/fonts/LICENSE-Noto-CJK.txt`)
//!   cut down to printable ASCII and the characters of `src/i18n/` by
//!   `tools/subset-cjk-font.sh`, about 220 KB instead of 19 MB.

use std::sync::Once;

use plotters::style::{FontStyle, register_font};

use crate::i18n::Lang;

/// DejaVu Sans, the Latin font.
pub const LATIN: &[u8] = include_bytes!("../../assets/fonts/DejaVuSans.ttf");
/// The Noto Sans CJK SC subset, the Chinese font (it has Latin glyphs too).
pub const CJK: &[u8] = include_bytes!("../../assets/fonts/NotoSansSC-cadre-subset.otf");

/// DejaVu Sans cut down to the characters of the English texts (`tools/subset-latin-font.sh`),
/// the font English SVG files embed; PNGs use the full font.
pub const LATIN_SVG: &[u8] = include_bytes!("../../assets/fonts/DejaVuSans-svg-subset.ttf");

/// The family names plots use. SVG files carry them as `font-family`, so a viewer falls back
/// to a system font of that kind; `report.html` embeds the Chinese subset under the first name.
const LATIN_FAMILY: &str = "DejaVu Sans, Arial, Helvetica, sans-serif";
pub const CJK_FAMILY: &str = "CadreSim CJK, Noto Sans CJK SC, Noto Sans SC, sans-serif";

static REGISTER: Once = Once::new();

/// Registers both fonts with plotters (once per process).
pub fn register() {
    REGISTER.call_once(|| {
        // Both fonts are compiled in and checked by the tests below, so failure is a bug.
        let latin = register_font(LATIN_FAMILY, FontStyle::Normal, LATIN);
        let cjk = register_font(CJK_FAMILY, FontStyle::Normal, CJK);
        assert!(latin.is_ok() && cjk.is_ok(), "embedded fonts must parse");
    });
}

/// The embedded font registered under `family`, if it is one of ours.
pub fn font_of(family: &str) -> Option<ab_glyph::FontRef<'static>> {
    let bytes = match family {
        LATIN_FAMILY => LATIN,
        CJK_FAMILY => CJK,
        _ => return None,
    };
    ab_glyph::FontRef::try_from_slice(bytes).ok()
}

/// The CSS `@font-face` rule that makes the first family name of `lang`'s plot text resolve
/// to the embedded font, as a data URL: standalone SVG files carry it, so they render as the
/// PNGs do on machines without these fonts (report.html embeds the Chinese one once per page).
pub fn font_face_css(lang: Lang) -> String {
    use base64::Engine;
    let (name, mime, format, bytes) = match lang {
        Lang::En => ("DejaVu Sans", "font/ttf", "truetype", LATIN_SVG),
        Lang::Zh => ("CadreSim CJK", "font/otf", "opentype", CJK),
    };
    format!(
        "@font-face {{ font-family: '{name}'; src: url(data:{mime};base64,{}) format('{format}'); }}",
        base64::engine::general_purpose::STANDARD.encode(bytes)
    )
}

/// The font family of plot text in `lang`.
pub fn family(lang: Lang) -> &'static str {
    match lang {
        Lang::En => LATIN_FAMILY,
        Lang::Zh => CJK_FAMILY,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ab_glyph::{Font, FontRef};

    /// Every source file under src/: text shown in plots and reports comes from src/i18n/,
    /// separators (·, —) from the plot and report code; the subset covers them all.
    fn sources() -> Vec<(String, String)> {
        fn walk(dir: &std::path::Path, out: &mut Vec<(String, String)>) {
            for entry in std::fs::read_dir(dir).unwrap() {
                let path = entry.unwrap().path();
                if path.is_dir() {
                    walk(&path, out);
                } else if path.extension().is_some_and(|e| e == "rs") {
                    let text = std::fs::read_to_string(&path).unwrap();
                    out.push((path.display().to_string(), text));
                }
            }
        }
        let mut out = Vec::new();
        walk(
            &std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("src"),
            &mut out,
        );
        assert!(out.iter().any(|(p, _)| p.ends_with("terms.rs")));
        out
    }

    /// The text of a source file outside comments: what can end up in a plot or report.
    /// `tools/subset-cjk-font.sh` applies the same rule.
    fn shown_text(source: &str) -> String {
        source
            .lines()
            .filter(|l| !l.trim_start().starts_with("//"))
            .map(|l| l.split(" // ").next().unwrap_or(""))
            .collect::<Vec<_>>()
            .join("\n")
    }

    fn missing(font: &FontRef, chars: impl Iterator<Item = char>) -> String {
        let mut gaps: Vec<char> = chars.filter(|&c| font.glyph_id(c).0 == 0).collect();
        gaps.sort();
        gaps.dedup();
        gaps.into_iter().collect()
    }

    #[test]
    fn chinese_text_has_glyphs_in_the_subset() {
        let font = FontRef::try_from_slice(CJK).unwrap();
        for (file, text) in sources() {
            let text = shown_text(&text);
            let chars = text.chars().filter(|c| !c.is_control());
            let gaps = missing(&font, chars);
            assert!(
                gaps.is_empty(),
                "{file} uses characters missing from the CJK subset: {gaps:?}; \
                 run tools/subset-cjk-font.sh"
            );
        }
        let ascii = (0x20u8..0x7F).map(char::from);
        assert!(
            missing(&font, ascii).is_empty(),
            "numbers and names need ASCII"
        );
    }

    #[test]
    fn english_text_has_glyphs_in_dejavu() {
        english_text_has_glyphs_in(LATIN);
    }

    #[test]
    fn english_text_has_glyphs_in_the_svg_subset() {
        english_text_has_glyphs_in(LATIN_SVG);
        assert!(LATIN_SVG.len() < 100 << 10, "{} bytes", LATIN_SVG.len());
    }

    #[test]
    fn embedded_faces_name_the_families_plots_use() {
        for lang in [Lang::En, Lang::Zh] {
            let css = font_face_css(lang);
            let name = css.split('\'').nth(1).unwrap();
            assert!(family(lang).starts_with(name), "{name} vs {}", family(lang));
            assert!(css.contains(";base64,"));
        }
    }

    fn english_text_has_glyphs_in(bytes: &'static [u8]) {
        let font = FontRef::try_from_slice(bytes).unwrap();
        for (file, text) in sources() {
            let text = shown_text(&text);
            // Only the English half of each entry: skip CJK ideographs and CJK punctuation.
            let chars = text.chars().filter(|c| {
                !c.is_control() && (*c as u32) < 0x2E80 && !('\u{FF00}'..='\u{FFEF}').contains(c)
            });
            let gaps = missing(&font, chars);
            assert!(gaps.is_empty(), "{file}: DejaVu Sans lacks {gaps:?}");
        }
    }

    /// plotters' SVG writer sets font-size to 1/1.24 of the size its PNG renderer uses as the
    /// ascender-to-descender height; the subset's metrics are set to match (see the script),
    /// so SVG text takes the width the layout measured.
    #[test]
    fn the_subset_is_scaled_like_plotters_svg_text() {
        let font = FontRef::try_from_slice(CJK).unwrap();
        let em = font.units_per_em().unwrap();
        let span = font.ascent_unscaled() - font.descent_unscaled();
        assert!((span / em - 1.24).abs() < 0.002, "span {span} / em {em}");
    }

    #[test]
    fn the_subset_stays_small() {
        assert!(CJK.len() < 1 << 20, "the CJK subset is {} bytes", CJK.len());
    }
}
