//! The listings of `cadre-sim scenarios` and `cadre-sim params`: what the tool knows, as text
//! for people (at most 100 columns, Chinese counted as two).

use std::fmt::Write;

use crate::error::InputError;
use crate::model::params::{Section, all_specs};
use crate::scenario::{Scenario, builtin};

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

/// The widest line `params` prints, so that it reads in a standard terminal.
pub const PARAMS_WIDTH: usize = 100;

/// `cadre-sim params`: every parameter as a table, section by section.
///
/// The columns are sized to their widest entry over all sections (so every section's table
/// lines up the same), and the meaning goes on indented lines under its row: beside the
/// other columns it would get less than 20 characters, since `seed`'s range alone is 35.
pub fn params() -> String {
    let specs: Vec<_> = all_specs().collect();
    let width = |header: &str, cell: &dyn Fn(&crate::model::params::ParamSpec) -> String| {
        specs
            .iter()
            .map(|s| columns(&cell(s)))
            .chain([columns(header)])
            .max()
            .unwrap_or(0)
    };
    let name_w = width("parameter", &|s| s.name.to_string());
    let default_w = width("default", &|s| s.default.to_string());
    let range_w = width("allowed", &|s| s.range.to_string());
    let row = |name: &str, default: &str, range: &str, concept: &str| {
        format!("  {name:<name_w$}  {default:>default_w$}  {range:<range_w$}  {concept}")
            .trim_end()
            .to_string()
    };
    const MEANING_INDENT: &str = "      ";
    let mut out = String::new();
    for section in [Section::Run, Section::Population, Section::Regime] {
        writeln!(out, "[{}]", section.name()).unwrap();
        writeln!(out, "{}", row("parameter", "default", "allowed", "concept")).unwrap();
        for spec in specs.iter().filter(|s| s.section == section) {
            let line = row(
                spec.name,
                &spec.default.to_string(),
                &spec.range.to_string(),
                spec.concept,
            );
            writeln!(out, "{line}").unwrap();
            for line in wrap(spec.meaning, PARAMS_WIDTH - MEANING_INDENT.len()) {
                writeln!(out, "{MEANING_INDENT}{line}").unwrap();
            }
        }
        writeln!(out).unwrap();
    }
    for line in wrap(
        "Concepts: D1-D5 are the paper's dilemmas, O1-O5 its optimisation paths \
         (docs/model.md). Override any parameter with --set section.name=value, e.g. \
         --set regime.detect=0.8.",
        PARAMS_WIDTH,
    ) {
        writeln!(out, "{line}").unwrap();
    }
    out
}

/// Greedy word wrap at `width` terminal columns.
pub fn wrap(text: &str, width: usize) -> Vec<String> {
    let mut lines = Vec::new();
    let mut line = String::new();
    for word in text.split_whitespace() {
        if !line.is_empty() && columns(&line) + 1 + columns(word) > width {
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

/// The terminal columns `text` takes: Chinese characters (一把手 in a meaning) take two.
pub fn columns(text: &str) -> usize {
    text.chars()
        .map(|c| {
            let wide = matches!(c as u32,
                0x1100..=0x115F | 0x2E80..=0x303E | 0x3041..=0x33FF | 0x3400..=0x4DBF
                | 0x4E00..=0x9FFF | 0xA000..=0xA4CF | 0xAC00..=0xD7A3 | 0xF900..=0xFAFF
                | 0xFE30..=0xFE4F | 0xFF00..=0xFF60 | 0xFFE0..=0xFFE6 | 0x20000..=0x3FFFD);
            if wide { 2 } else { 1 }
        })
        .sum()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn params_fit_the_width_and_every_row_lines_up() {
        let text = params();
        for line in text.lines() {
            assert!(
                columns(line) <= PARAMS_WIDTH,
                "{} columns: {line}",
                columns(line)
            );
        }
        // Every row (header and parameter) starts its default, allowed and concept columns
        // at the same places as its section's header.
        let header = text.lines().find(|l| l.contains("parameter")).unwrap();
        let starts = [
            header.find("allowed").unwrap(),
            header.find("concept").unwrap(),
        ];
        let default_end = header.find("default").unwrap() + "default".len();
        let mut rows = 0;
        for spec in all_specs() {
            let row = text
                .lines()
                .find(|l| l.split_whitespace().next() == Some(spec.name))
                .unwrap_or_else(|| panic!("no row for {}", spec.name));
            let default = spec.default.to_string();
            assert_eq!(
                row.find(&default).map(|i| i + default.len()),
                Some(default_end),
                "{row}"
            );
            let range = spec.range.to_string();
            assert_eq!(
                row[default_end..].find(&range).map(|i| i + default_end),
                Some(starts[0]),
                "{row}"
            );
            assert_eq!(row.get(starts[1]..), Some(spec.concept), "{row}");
            rows += 1;
        }
        assert_eq!(rows, all_specs().count());
        assert!(text.contains("seed"), "the seed row is listed");
    }

    #[test]
    fn wrap_counts_chinese_characters_as_two_columns() {
        assert_eq!(columns("一把手 x"), 8);
        assert_eq!(wrap("aaaa 一把手", 9), vec!["aaaa", "一把手"]);
        assert_eq!(wrap("aaaa bbbb", 9), vec!["aaaa bbbb"]);
    }
}
