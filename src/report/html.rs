//! A self-contained HTML page: inline CSS, plots as inline SVG, and for Chinese the
//! embedded font subset as a data URL, so the page opens offline and looks the same anywhere.

use base64::Engine;

use crate::i18n::{self, Lang};
use crate::model::params::{Section, all_specs};
use crate::plot::fonts;
use crate::scenario::Scenario;

/// Escapes text for HTML element content and attribute values.
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

const CSS: &str = "
body { margin: 0; background: #f6f6f4; color: #222; line-height: 1.5;
       font-family: 'DejaVu Sans', Verdana, 'CadreSim CJK', 'Noto Sans CJK SC', sans-serif; }
main { max-width: 1100px; margin: 0 auto; padding: 24px 32px 48px; background: #fff; }
h1 { font-size: 1.9em; margin-bottom: 0.2em; }
h2 { border-bottom: 2px solid #0072B2; padding-bottom: 4px; margin-top: 1.8em; }
.meta { color: #555; }
table { border-collapse: collapse; margin: 0.8em 0; font-size: 0.92em;
        display: block; max-width: 100%; overflow-x: auto; }
th, td { border: 1px solid #ccc; padding: 4px 10px; text-align: left; vertical-align: top; }
td:first-child { min-width: 9em; }
td.num { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
tr.differs td { background: #fff3d6; font-weight: bold; }
figure { margin: 1.2em 0; }
figure svg { max-width: 100%; height: auto; border: 1px solid #e4e4e4; }
figcaption { color: #555; font-size: 0.92em; }
.reading li { margin: 0.3em 0; }
.step { border-left: 6px solid #0072B2; padding-left: 16px; margin-top: 2em; }
footer { color: #777; font-size: 0.85em; margin-top: 3em; }
";

/// A page under construction: sections of HTML appended in order.
pub struct Page {
    lang: Lang,
    title: String,
    body: String,
}

impl Page {
    pub fn new(lang: Lang, title: impl Into<String>) -> Page {
        Page {
            lang,
            title: title.into(),
            body: String::new(),
        }
    }

    /// Appends raw HTML (already escaped).
    pub fn raw(&mut self, html: &str) -> &mut Page {
        self.body.push_str(html);
        self.body.push('\n');
        self
    }

    /// Appends `<tag>escaped text</tag>`.
    pub fn element(&mut self, tag: &str, text: &str) -> &mut Page {
        self.raw(&format!("<{tag}>{}</{tag}>", escape(text)))
    }

    /// Appends a reading: the generated sentences as a `<ul class="reading">` list.
    pub fn reading<S: AsRef<str>>(&mut self, sentences: impl IntoIterator<Item = S>) -> &mut Page {
        let items: String = sentences
            .into_iter()
            .map(|s| format!("<li>{}</li>", escape(s.as_ref())))
            .collect();
        self.raw(&format!("<ul class=\"reading\">{items}</ul>"))
    }

    /// Appends a figure: an inline SVG and its caption (none when empty).
    pub fn figure(&mut self, svg: &str, caption: &str) -> &mut Page {
        let caption = if caption.is_empty() {
            String::new()
        } else {
            format!("\n<figcaption>{}</figcaption>", escape(caption))
        };
        self.raw(&format!("<figure>\n{}{caption}\n</figure>", svg.trim()))
    }

    /// The finished document.
    pub fn finish(&self) -> String {
        let font_face = match self.lang {
            Lang::En => String::new(),
            Lang::Zh => format!(
                "@font-face {{ font-family: 'CadreSim CJK'; \
                 src: url(data:font/otf;base64,{}) format('opentype'); }}\n\
                 body {{ font-family: 'CadreSim CJK', 'Noto Sans CJK SC', sans-serif; }}\n",
                base64::engine::general_purpose::STANDARD.encode(fonts::CJK)
            ),
        };
        format!(
            "<!DOCTYPE html>\n<html lang=\"{}\">\n<head>\n<meta charset=\"utf-8\">\n\
             <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n\
             <title>{}</title>\n<style>{CSS}{font_face}</style>\n</head>\n<body>\n<main>\n\
             <h1>{}</h1>\n{}<footer>{}</footer>\n</main>\n</body>\n</html>\n",
            self.lang.code(),
            escape(&self.title),
            escape(&self.title),
            self.body,
            escape(i18n::GENERATED_BY.get(self.lang)),
        )
    }
}

/// An HTML table: a header row and body rows of escaped text; columns after the first are
/// right-aligned numbers when `numeric` is set.
pub fn table(rows: &[Vec<String>], numeric: bool) -> String {
    let mut out = String::from("<table>\n");
    for (i, row) in rows.iter().enumerate() {
        out.push_str("<tr>");
        for (j, cell) in row.iter().enumerate() {
            let (tag, class) = match (i, numeric && j > 0) {
                (0, _) => ("th", ""),
                (_, true) => ("td", " class=\"num\""),
                _ => ("td", ""),
            };
            out.push_str(&format!("<{tag}{class}>{}</{tag}>", escape(cell)));
        }
        out.push_str("</tr>\n");
    }
    out.push_str("</table>");
    out
}

/// A scenario's description and parameter tables: what differs from nominal, then every
/// regime and population parameter in a collapsed table with the differences highlighted.
pub fn scenario_section(scenario: &Scenario, lang: Lang) -> String {
    let nominal = Scenario::default();
    let mut out = format!(
        "<h3>{} <code>{}</code></h3>\n<p>{}</p>\n",
        escape(&i18n::scenario_label(&scenario.name, lang)),
        escape(&scenario.name),
        escape(&i18n::scenario_description(
            &scenario.name,
            lang,
            &scenario.description
        )),
    );
    let header = [
        i18n::PARAMETER.get(lang).to_string(),
        i18n::VALUE.get(lang).to_string(),
        i18n::NOMINAL.get(lang).to_string(),
        i18n::MEANING.get(lang).to_string(),
    ];
    let row = |spec: &crate::model::params::ParamSpec| {
        let id = spec.id;
        let differs = scenario.get(id) != nominal.get(id);
        format!(
            "<tr{}><td>{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td><td>{}</td></tr>\n",
            if differs { " class=\"differs\"" } else { "" },
            escape(&i18n::param_label(id, lang)),
            crate::output::number(scenario.get(id)),
            crate::output::number(nominal.get(id)),
            escape(&i18n::param_meaning(id, lang)),
        )
    };
    let head = format!(
        "<tr>{}</tr>\n",
        header
            .iter()
            .map(|h| format!("<th>{}</th>", escape(h)))
            .collect::<String>()
    );
    let diffs = scenario.differences_from_nominal();
    out.push_str(&format!(
        "<p><strong>{}</strong></p>\n",
        escape(i18n::PARAMETERS.get(lang))
    ));
    if diffs.is_empty() {
        out.push_str(&format!(
            "<p>{}</p>\n",
            escape(i18n::NO_DIFFERENCES.get(lang))
        ));
    } else {
        out.push_str(&format!("<table>\n{head}"));
        for (spec, _) in &diffs {
            out.push_str(&row(spec));
        }
        out.push_str("</table>\n");
    }
    if !scenario.events.is_empty() {
        out.push_str("<ul>\n");
        for line in crate::plot::run_plots::event_lines(scenario, lang) {
            out.push_str(&format!("<li>{}</li>\n", escape(&line)));
        }
        out.push_str("</ul>\n");
    }
    out.push_str(&format!(
        "<details><summary>{} ({})</summary>\n<table>\n{head}",
        escape(i18n::PARAMETER.get(lang)),
        scenario.name
    ));
    for spec in all_specs().filter(|s| s.section != Section::Run) {
        out.push_str(&row(spec));
    }
    out.push_str("</table>\n</details>\n");
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_is_escaped() {
        assert_eq!(
            escape("a<b & \"c\" 'd'>"),
            "a&lt;b &amp; &quot;c&quot; &#39;d&#39;&gt;"
        );
    }

    #[test]
    fn chinese_pages_embed_the_font_and_english_pages_do_not() {
        let zh = Page::new(Lang::Zh, "容错").finish();
        assert!(zh.contains("lang=\"zh-CN\"") && zh.contains("@font-face"));
        let en = Page::new(Lang::En, "Title <1>").finish();
        assert!(!en.contains("@font-face") && en.contains("<title>Title &lt;1&gt;</title>"));
    }

    #[test]
    fn parameter_tables_highlight_differences_from_nominal() {
        let s = Scenario::load("o2_top_leader").unwrap();
        let html = scenario_section(&s, Lang::En);
        // One row in the table of differences and the same row highlighted in the full table.
        assert_eq!(html.matches("class=\"differs\"").count(), 2, "{html}");
        assert!(html.contains("regime.leader_duty"));
    }
}
