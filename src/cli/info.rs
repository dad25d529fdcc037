//! `scenarios`, `params` and `show`: what the tool knows, printed for people.

use std::fmt::Write;

use crate::model::params::{Section, all_specs};
use crate::scenario::{InputError, Scenario, builtin};

/// `cadre-sim scenarios`: each built-in scenario with its description.
pub fn scenarios() -> Result<String, InputError> {
    let mut out = String::new();
    for name in builtin::names() {
        let s = Scenario::load(name)?;
        writeln!(out, "{name}").unwrap();
        for line in wrap(&s.description, 88) {
            writeln!(out, "    {line}").unwrap();
        }
        let diffs = s.differences_from_nominal();
        if !diffs.is_empty() {
            let list: Vec<String> = diffs
                .iter()
                .map(|(p, v)| format!("{} {v}", p.name))
                .collect();
            writeln!(out, "    differs from nominal: {}", list.join(", ")).unwrap();
        }
        if !s.events.is_empty() {
            let steps: Vec<String> = s.events.iter().map(|e| e.at.to_string()).collect();
            writeln!(out, "    events at step {}", steps.join(", ")).unwrap();
        }
        writeln!(out).unwrap();
    }
    Ok(out)
}

/// `cadre-sim params`: every parameter as a table, section by section.
pub fn params() -> String {
    let mut out = String::new();
    for section in [Section::Run, Section::Population, Section::Regime] {
        writeln!(out, "[{}]", section.name()).unwrap();
        writeln!(
            out,
            "  {:<26} {:>10}  {:<26} {:<7} meaning",
            "parameter", "default", "allowed", "concept"
        )
        .unwrap();
        for spec in all_specs().filter(|s| s.section == section) {
            let range = spec.range.to_string();
            let mut lines = wrap(spec.meaning, 60).into_iter();
            writeln!(
                out,
                "  {:<26} {:>10}  {:<26} {:<7} {}",
                spec.name,
                spec.default,
                range,
                spec.concept,
                lines.next().unwrap_or_default()
            )
            .unwrap();
            for line in lines {
                writeln!(out, "  {:<26} {:>10}  {:<26} {:<7} {line}", "", "", "", "").unwrap();
            }
        }
        writeln!(out).unwrap();
    }
    out.push_str(
        "Concepts: D1-D5 are the paper's dilemmas, O1-O5 its optimisation paths (docs/model.md).\n\
         Override any parameter with --set section.name=value, e.g. --set regime.detect=0.8.\n",
    );
    out
}

/// Greedy word wrap at `width` characters.
pub fn wrap(text: &str, width: usize) -> Vec<String> {
    let mut lines = Vec::new();
    let mut line = String::new();
    for word in text.split_whitespace() {
        if !line.is_empty() && line.chars().count() + 1 + word.chars().count() > width {
            lines.push(std::mem::take(&mut line));
        }
        if !line.is_empty() {
            line.push(' ');
        }
        line.push_str(word);
    }
    if !line.is_empty() {
        lines.push(line);
    }
    lines
}
