//! The page itself (HTML, CSS, JS embedded in the binary: no CDN, no network) and the
//! description of the model it is built from (`GET /api/meta`).

use serde_json::{Value, json};

use super::MAX_RUNS;
use super::request::{MAX_CADRES, MAX_REPLICATES, MAX_STEPS, MAX_WORK};
use super::stream::FINAL_WINDOW;
use super::text::{self, CONCEPTS, LEVERS, Text};
use crate::model::Metric;
use crate::model::params::Range;
use crate::scenario::{Scenario, builtin};
use crate::worldview;

pub const INDEX_HTML: &str = include_str!("assets/index.html");
pub const STYLE_CSS: &str = include_str!("assets/style.css");
pub const APP_JS: &str = include_str!("assets/app.js");
/// Where the page loads the embedded Chinese font from (`@font-face` in style.css).
pub const CJK_FONT_PATH: &str = "/fonts/cadre-cjk.otf";

/// The number of runs the page averages unless the trainer picks another.
pub const DEFAULT_AVERAGE: u32 = 5;

/// Everything the page needs to build itself: labels, scenarios, levers with their ranges
/// and meanings, statuses with colours, charts, and the caps.
pub fn meta() -> Value {
    let ui: serde_json::Map<String, Value> = text::UI
        .iter()
        .map(|(k, t)| (k.to_string(), json!(t)))
        .collect();

    // In the order of `cadre-sim scenarios`; a scenario added without a translation still
    // appears (in English), and a test in `text` asks for its translation.
    let scenarios: Vec<Value> = builtin::names()
        .map(|name| {
            let s = Scenario::load(name).expect("built-in scenarios load");
            let (label, description_zh) = text::SCENARIOS
                .iter()
                .find(|(n, ..)| *n == name)
                .map_or((Text { en: name, zh: name }, None), |(_, l, d)| {
                    (*l, Some(*d))
                });
            let values: serde_json::Map<String, Value> = LEVERS
                .iter()
                .map(|l| (l.param.name().to_string(), json!(s.regime.get(l.param))))
                .collect();
            json!({
                "name": name,
                "label": label,
                "description": {
                    "en": s.description,
                    "zh": description_zh.unwrap_or(&s.description),
                },
                "values": values,
                "cadres": s.population.cadres,
                "unit_size": s.population.unit_size,
                "steps": s.run.steps,
                "seed": s.run.seed,
                "events": s.events.iter().map(|e| e.at).collect::<Vec<_>>(),
            })
        })
        .collect();

    let levers: Vec<Value> = LEVERS
        .iter()
        .map(|l| {
            let spec = l.param.spec();
            let concept = CONCEPTS
                .iter()
                .find(|(c, _)| *c == spec.concept)
                .map(|(_, t)| *t)
                .unwrap_or(Text { en: "", zh: "" });
            let (max, step) = match spec.range {
                Range::Unit => (1.0, 0.01),
                Range::Count => (l.slider_max, 1.0),
                _ => (l.slider_max, 0.1),
            };
            json!({
                "name": spec.name,
                "key": spec.key(),
                "label": l.label,
                "concept": spec.concept,
                "meaning": { "en": spec.meaning, "zh": l.meaning_zh },
                "why": {
                    "en": format!("{} {}", spec.meaning, concept.en),
                    "zh": format!("{}{}", l.meaning_zh, concept.zh),
                },
                "allowed": spec.range.to_string(),
                "default": spec.default,
                "min": 0.0,
                "max": max,
                "step": step,
                "integer": spec.range.is_integer(),
            })
        })
        .collect();

    let statuses: Vec<Value> = worldview::STATUSES
        .iter()
        .map(|s| {
            let style = worldview::style(*s);
            let (_, label, explain) = text::STATUSES
                .iter()
                .find(|(n, ..)| *n == style.name)
                .expect("every status has a label");
            json!({ "code": style.code, "name": style.name, "color": style.color,
                    "label": label, "explain": explain })
        })
        .collect();

    let charts: Vec<Value> = text::CHARTS
        .iter()
        .map(|(name, label, zh, axis)| {
            let metric = Metric::from_name(name).expect("charts show metrics");
            json!({ "metric": name, "index": metric.index(), "label": label, "axis": axis,
                    "definition": { "en": metric.definition(), "zh": zh } })
        })
        .collect();

    json!({
        "version": env!("CARGO_PKG_VERSION"),
        "ui": ui,
        "scenarios": scenarios,
        "levers": levers,
        "statuses": statuses,
        "charts": charts,
        "caps": { "cadres": MAX_CADRES, "steps": MAX_STEPS, "runs": MAX_RUNS,
                  "replicates": MAX_REPLICATES, "work": MAX_WORK },
        "average_default": DEFAULT_AVERAGE,
        "final_window": FINAL_WINDOW,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use ab_glyph::{Font, FontRef};

    /// Every Chinese text of `value` (the `zh` fields, recursively).
    fn chinese(value: &Value, out: &mut String) {
        match value {
            Value::Object(map) => {
                for (k, v) in map {
                    match (k.as_str(), v) {
                        ("zh", Value::String(s)) => out.push_str(s),
                        _ => chinese(v, out),
                    }
                }
            }
            Value::Array(items) => items.iter().for_each(|v| chinese(v, out)),
            _ => {}
        }
    }

    /// The page draws Chinese with the embedded subset (served at [`CJK_FONT_PATH`]): every
    /// character of its Chinese text must be in it, or that character shows as a box on a
    /// computer without Chinese fonts. `tools/subset-cjk-font.sh` adds missing ones.
    #[test]
    fn the_web_font_has_every_chinese_character_of_the_page() {
        let font = FontRef::try_from_slice(crate::plot::fonts::CJK).unwrap();
        let mut text = String::new();
        chinese(&meta(), &mut text);
        for problem in [
            super::super::request::Problem::Busy,
            super::super::request::Problem::TooMuchWork {
                replicates: 5,
                cadres: 1,
                steps: 1,
            },
            super::super::request::Problem::EventBeyondRun { at: 20, steps: 10 },
        ] {
            let e = super::super::request::ApiError::new(problem, "");
            text.push_str(&text::error_message(&e, crate::i18n::Lang::Zh));
        }
        text.push_str(INDEX_HTML);
        text.push_str(APP_JS);
        assert!(text.contains("容错"), "the page has Chinese text");
        // The characters style.css's `unicode-range` sends to the web font (the rest, such
        // as arrows, come from the system's Latin font).
        let css = |c: char| {
            matches!(c as u32, 0x2014 | 0x201C..=0x201D | 0x2026 | 0x3000..=0x303F
                | 0x3400..=0x4DBF | 0x4E00..=0x9FFF | 0xFF00..=0xFFEF)
        };
        assert!(STYLE_CSS.contains(
            "unicode-range: U+2014, U+201C-201D, U+2026, U+3000-303F, U+3400-4DBF, \
             U+4E00-9FFF, U+FF00-FFEF;"
        ));
        let missing: String = text
            .chars()
            .filter(|c| css(*c) && font.glyph_id(*c).0 == 0)
            .collect();
        assert!(missing.is_empty(), "not in the CJK subset: {missing}");
    }
}
