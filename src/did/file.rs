//! A researcher's panel as CSV text, and the estimates as `estimates.csv`: text in, text out
//! (reading and writing files is the command's job).
//!
//! The panel: a header row, then one row per place × period, in any order, other columns
//! ignored. Fields are separated by commas, semicolons or tabs: [`Reading::delimiter`], or
//! when it is None, whichever of the three the header row has most of (a header that still
//! reads as one column holding `;` or a tab gets a hint). The place is any text label; the
//! period an integer (consecutive: 2010, 2011, ...), written `2012` or `2012.0` (pandas writes
//! the latter when a column has a missing value); the outcome a finite number. A missing
//! outcome (`.` as Stata writes it, an empty field, `NA`) is a place-period without data:
//! with [`Reading::drop_missing`] (`--allow-unbalanced`) its row is dropped and the panel is
//! unbalanced there; without it, each is refused with its line, since the panel would not be
//! balanced. The cohort is the first period the place is treated (an integer or integral
//! float, like the period), the same on all of its rows; never treated is an empty field,
//! `never`, `NA`, `.` or `inf` (any case), or `0` when every period is after 0 (R's `did` and
//! Python's `csdid` code never-treated as 0). Every problem is reported with its line,
//! column and value, the first [`MAX_PROBLEMS`] listed and the rest counted.

use std::collections::HashMap;

use super::bacon::Decomposition;
use super::pretrend::PreTrend;
use super::{Control, Estimate, Panel, PanelError, Row};
use crate::error::{InputError, MAX_PROBLEMS};
use crate::output::number;

/// Which columns hold what.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Columns {
    pub place: String,
    pub time: String,
    pub cohort: String,
    pub outcome: String,
}

/// What else to read from the panel besides the four columns.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PanelRequest {
    /// Covariate columns (numbers), for Callaway–Sant'Anna.
    pub covariates: Vec<String>,
    /// Accept an unbalanced panel (`--allow-unbalanced`).
    pub allow_unbalanced: bool,
    /// How the text is read: its separator, and whether a row with a missing outcome is
    /// dropped (set with `allow_unbalanced`: dropping it leaves the panel unbalanced).
    pub reading: Reading,
}

/// One row as read: the place's id, period, cohort (and whether it was written `0`),
/// outcome and line.
struct Parsed {
    place: u32,
    time: i64,
    cohort: Option<i64>,
    zero: bool,
    y: f64,
    x: Vec<f64>,
    line: u64,
}

/// A parsed panel with the places' labels (`labels[id]` for place id `id`).
#[derive(Debug, Clone)]
pub struct LabelledPanel {
    pub panel: Panel,
    pub labels: Vec<String>,
}

/// How the text is read (beyond which columns hold what).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Reading {
    /// The field separator (`b','`, `b';'` or `b'\t'`); None: detected from the header row.
    pub delimiter: Option<u8>,
    /// Drop rows whose outcome is missing (`.`, empty, `NA`), leaving the panel unbalanced
    /// there (`--allow-unbalanced`); otherwise each is an error.
    pub drop_missing: bool,
}

/// The separators a panel may use, as they are named in messages.
const DELIMITERS: [(u8, &str); 3] = [(b',', "`,`"), (b';', "`;`"), (b'\t', "tab")];

/// The separator the header row (the first line) has most of; a comma when it has none.
pub fn detect_delimiter(text: &str) -> u8 {
    let header = text.lines().next().unwrap_or("");
    let count = |d: u8| header.bytes().filter(|&b| b == d).count();
    DELIMITERS
        .iter()
        .map(|&(d, _)| (count(d), d))
        .filter(|&(n, _)| n > 0)
        // Most first; ties to the earlier in DELIMITERS (the comma).
        .min_by_key(|&(n, d)| {
            (
                std::cmp::Reverse(n),
                DELIMITERS.iter().position(|x| x.0 == d),
            )
        })
        .map_or(b',', |(_, d)| d)
}

/// The separator's name in messages.
fn delimiter_name(d: u8) -> &'static str {
    DELIMITERS
        .iter()
        .find(|x| x.0 == d)
        .map_or("the separator", |x| x.1)
}

/// An integer written as one (`2012`) or as an integral float (`2012.0`, as pandas writes a
/// column with a missing value); None for anything else (`2012.5`, `x`, `inf`).
fn integral(text: &str) -> Option<i64> {
    if let Ok(n) = text.parse::<i64>() {
        return Some(n);
    }
    let x = text.parse::<f64>().ok()?;
    // Beyond 2^53 a float no longer tells neighbouring integers apart.
    (x.is_finite() && x.fract() == 0.0 && x.abs() < 9.0e15).then_some(x as i64)
}

/// Whether an outcome field says "no data": `.` (Stata), empty, `NA` (R).
fn missing_outcome(text: &str) -> bool {
    text.is_empty() || text == "." || text.eq_ignore_ascii_case("na")
}

/// Parses `text` (from `origin`, a path for messages) into a balanced panel, the delimiter
/// detected and missing outcomes refused ([`PanelRequest::default`]).
pub fn parse_panel(
    text: &str,
    origin: &str,
    columns: &Columns,
) -> Result<LabelledPanel, InputError> {
    parse_panel_with(text, origin, columns, &PanelRequest::default())
}

/// Parses `text` (from `origin`, a path for messages) into a panel as `request` says:
/// covariates, an unbalanced panel if asked, and how the text is read.
pub fn parse_panel_with(
    text: &str,
    origin: &str,
    columns: &Columns,
    request: &PanelRequest,
) -> Result<LabelledPanel, InputError> {
    let at = |line: u64| format!("{origin}:{line}");
    let reading = &request.reading;
    let delimiter = reading.delimiter.unwrap_or_else(|| detect_delimiter(text));
    let mut reader = csv::ReaderBuilder::new()
        .trim(csv::Trim::All)
        .delimiter(delimiter)
        .from_reader(text.as_bytes());
    let headers = reader
        .headers()
        .map_err(|e| InputError::new(at(1), format!("cannot read the header row: {e}")))?
        .clone();
    let mut index = Vec::new();
    let mut problems = Vec::new();
    // A header read as one column that holds another separator: the file uses that one.
    let hint = match headers.iter().collect::<Vec<_>>().as_slice() {
        [only] => DELIMITERS
            .iter()
            .find(|&&(d, _)| d != delimiter && only.as_bytes().contains(&d))
            .map(|&(d, name)| {
                let flag = if d == b'\t' {
                    "tab"
                } else {
                    name.trim_matches('`')
                };
                format!(
                    "; the header reads as one column, split by {name} rather than {}: pass \
                     --delimiter '{flag}'",
                    delimiter_name(delimiter)
                )
            }),
        _ => None,
    }
    .unwrap_or_default();
    for (flag, name) in [
        ("--place", &columns.place),
        ("--time", &columns.time),
        ("--cohort", &columns.cohort),
        ("--outcome", &columns.outcome),
    ] {
        match headers.iter().position(|h| h == name) {
            Some(i) => index.push(i),
            None => problems.push(InputError::new(
                at(1),
                format!(
                    "no column `{name}` (named by {flag}); the columns are: {}{hint}",
                    headers.iter().collect::<Vec<_>>().join(", ")
                ),
            )),
        }
    }
    let mut covariate_index = Vec::new();
    for name in &request.covariates {
        match headers.iter().position(|h| h == name) {
            Some(i) => covariate_index.push(i),
            None => problems.push(InputError::new(
                at(1),
                format!(
                    "no column `{name}` (named by --covariates); the columns are: {}",
                    headers.iter().collect::<Vec<_>>().join(", ")
                ),
            )),
        }
    }
    if let Some(e) = InputError::combine(std::mem::take(&mut problems)) {
        return Err(e);
    }
    let [ip, it, ic, iy] = [index[0], index[1], index[2], index[3]];

    let mut ids: HashMap<String, u32> = HashMap::new();
    let mut labels: Vec<String> = Vec::new();
    let mut parsed: Vec<Parsed> = Vec::new();
    // Problems past the first MAX_PROBLEMS are counted, not kept: the error says how many.
    let mut uncounted = 0usize;
    for record in reader.records() {
        if problems.len() >= MAX_PROBLEMS {
            uncounted += problems.len() - MAX_PROBLEMS;
            problems.truncate(MAX_PROBLEMS);
        }
        let record = match record {
            Ok(r) => r,
            Err(e) => {
                let line = e.position().map_or(0, |p| p.line());
                problems.push(InputError::new(
                    at(line),
                    format!("cannot read the row: {e}"),
                ));
                continue;
            }
        };
        let line = record.position().map_or(0, |p| p.line());
        let field = |i: usize| record.get(i).unwrap_or("");
        let label = field(ip);
        if label.is_empty() {
            problems.push(InputError::new(
                at(line),
                format!("column `{}`: the place is empty", columns.place),
            ));
            continue;
        }
        let time = match integral(field(it)) {
            Some(t) => t,
            None => {
                problems.push(InputError::new(
                    at(line),
                    format!(
                        "column `{}`: `{}` is not a period; periods are integers (e.g. years: \
                         2012, or 2012.0)",
                        columns.time,
                        field(it)
                    ),
                ));
                continue;
            }
        };
        let text = field(ic);
        let (cohort, zero) = match text.to_ascii_lowercase().as_str() {
            "" | "never" | "na" | "." | "inf" => (None, false),
            _ => match integral(text) {
                Some(0) => (None, true),
                Some(c) => (Some(c), false),
                None => {
                    problems.push(InputError::new(
                        at(line),
                        format!(
                            "column `{}`: `{text}` is not a cohort; write the first treated \
                             period (an integer such as 2012 or 2012.0), or leave it empty (or \
                             `never`, `NA`, `.`) for a place never treated",
                            columns.cohort
                        ),
                    ));
                    continue;
                }
            },
        };
        let shown = field(iy);
        let y = match shown.parse::<f64>() {
            Ok(y) if y.is_finite() => y,
            _ if missing_outcome(shown) => {
                if !reading.drop_missing {
                    let written = if shown.is_empty() {
                        "empty".to_string()
                    } else {
                        format!("`{shown}`")
                    };
                    problems.push(InputError::new(
                        at(line),
                        format!(
                            "column `{}`: the outcome is missing ({written}), so this place has \
                             no data in period {time} and the panel is unbalanced; pass \
                             --allow-unbalanced to estimate without this row, or fill it in",
                            columns.outcome
                        ),
                    ));
                }
                continue;
            }
            _ => {
                problems.push(InputError::new(
                    at(line),
                    format!(
                        "column `{}`: `{shown}` is not a finite number; an outcome is a number, \
                         or `.`, `NA` or empty where it is missing",
                        columns.outcome
                    ),
                ));
                continue;
            }
        };
        let mut x = Vec::with_capacity(covariate_index.len());
        for (name, &i) in request.covariates.iter().zip(&covariate_index) {
            match field(i).parse::<f64>() {
                Ok(v) if v.is_finite() => x.push(v),
                _ => problems.push(InputError::new(
                    at(line),
                    format!(
                        "column `{name}`: `{}` is not a finite number; covariates are numbers \
                         (code a category as 0/1 columns)",
                        field(i)
                    ),
                )),
            }
        }
        if x.len() < covariate_index.len() {
            continue;
        }
        let next = labels.len() as u32;
        let id = *ids.entry(label.to_string()).or_insert_with(|| {
            labels.push(label.to_string());
            next
        });
        parsed.push(Parsed {
            place: id,
            time,
            cohort,
            zero,
            y,
            x,
            line,
        });
    }
    if let Some(mut e) = InputError::combine(problems) {
        e.omitted += uncounted;
        return Err(e);
    }
    if parsed.is_empty() {
        return Err(InputError::new(
            origin,
            "the panel has a header but no rows",
        ));
    }
    let first = parsed.iter().map(|r| r.time).min().expect("not empty");
    if first <= 0
        && let Some(r) = parsed.iter().find(|r| r.zero)
    {
        return Err(InputError::new(
            at(r.line),
            format!(
                "column `{}`: cohort 0 is ambiguous in a panel whose periods start at {first}; \
                 mark never-treated places with an empty field or `never`",
                columns.cohort
            ),
        ));
    }
    let lines: HashMap<(u32, i64), u64> =
        parsed.iter().map(|r| ((r.place, r.time), r.line)).collect();
    let rows: Vec<Row> = parsed
        .iter()
        .map(|r| Row {
            place: r.place,
            time: r.time,
            cohort: r.cohort,
            y: r.y,
        })
        .collect();
    let values = if request.covariates.is_empty() {
        Vec::new()
    } else {
        parsed.iter().map(|r| r.x.clone()).collect()
    };
    let panel = Panel::build(
        rows,
        request.covariates.clone(),
        values,
        request.allow_unbalanced,
    )
    .map_err(|e| panel_problem(&e, origin, &labels, &lines, &parsed, columns))?;
    Ok(LabelledPanel { panel, labels })
}

/// A panel error in the terms of the file: the place's label, the line where it shows.
fn panel_problem(
    e: &PanelError,
    origin: &str,
    labels: &[String],
    lines: &HashMap<(u32, i64), u64>,
    parsed: &[Parsed],
    columns: &Columns,
) -> InputError {
    let label = |p: u32| labels[p as usize].as_str();
    let at_row = |p: u32, t: i64| match lines.get(&(p, t)) {
        Some(line) => format!("{origin}:{line}"),
        None => origin.to_string(),
    };
    match e {
        PanelError::Duplicate { place, time } => {
            // The second occurrence's line: the last one recorded for that key.
            let line = parsed
                .iter()
                .filter(|r| r.place == *place && r.time == *time)
                .map(|r| r.line)
                .nth(1)
                .unwrap_or(0);
            InputError::new(
                format!("{origin}:{line}"),
                format!(
                    "place `{}` has a second row for period {time}; give each place one row \
                     per period",
                    label(*place)
                ),
            )
        }
        PanelError::Missing { missing, total } => {
            let listed: Vec<String> = missing
                .iter()
                .map(|(p, t)| format!("`{}` in {t}", label(*p)))
                .collect();
            let more = if *total > missing.len() {
                format!(", and {} more", total - missing.len())
            } else {
                String::new()
            };
            InputError::new(
                origin,
                format!(
                    "{total} place-period {} missing: {}{more}. The estimators need \
                     every place in every period; --allow-unbalanced keeps the panel as it is \
                     and runs Callaway–Sant'Anna on it as R's did does with \
                     allow_unbalanced_panel = TRUE (each ATT(g,t) from the rows observed in \
                     its two periods; TWFE, the event study, Sun–Abraham and the imputation \
                     estimator need a balanced panel and are left out)",
                    if *total == 1 { "row is" } else { "rows are" },
                    listed.join(", ")
                ),
            )
        }
        PanelError::TwoCohorts { place, .. } => {
            let mut rows = parsed.iter().filter(|r| r.place == *place);
            let first = rows.next().expect("the place has rows");
            let other = rows
                .find(|r| r.cohort != first.cohort)
                .expect("a second cohort exists");
            let show = |c: Option<i64>| c.map_or("never".to_string(), |c| c.to_string());
            InputError::new(
                format!("{origin}:{}", other.line),
                format!(
                    "column `{}`: place `{}` has cohort {} here but {} on line {}; a place \
                     adopts once",
                    columns.cohort,
                    label(*place),
                    show(other.cohort),
                    show(first.cohort),
                    first.line
                ),
            )
        }
        PanelError::AlwaysTreated {
            place,
            cohort,
            first,
        } => InputError::new(
            at_row(*place, *first),
            format!(
                "column `{}`: place `{}` adopts in period {cohort}, at or before the panel's \
                 first period {first}, so it has no period before adoption; drop it or start \
                 the panel earlier",
                columns.cohort,
                label(*place)
            ),
        ),
        PanelError::Gap { before, after } => InputError::new(
            origin,
            format!(
                "column `{}`: periods {before} and {after} are not consecutive; periods must \
                 be consecutive integers. If the gap is a period nobody was observed in, add \
                 it back; if periods are skipped by design, renumber the period column and \
                 the cohort column `{}` together, so each cohort still names its first \
                 treated period",
                columns.time, columns.cohort
            ),
        ),
        other => InputError::new(origin, other.to_string()),
    }
}

/// The header of `estimates.csv`.
pub const ESTIMATES_HEADER: [&str; 12] = [
    "estimator",
    "control",
    "target",
    "group",
    "time",
    "event_time",
    "estimate",
    "se",
    "ci_low",
    "ci_high",
    "band_low",
    "band_high",
];

/// `estimates.csv`: one row per estimate; empty fields where a column does not apply.
pub fn estimates_csv(estimates: &[Estimate]) -> Vec<u8> {
    let mut w = csv::Writer::from_writer(Vec::new());
    w.write_record(ESTIMATES_HEADER).expect("write to memory");
    for e in estimates {
        w.write_record(estimate_fields(e)).expect("write to memory");
    }
    w.into_inner().expect("flush to memory")
}

/// One estimate's fields, in the order of [`ESTIMATES_HEADER`] (an experiment's
/// `estimates.csv` writes the same columns, with the replicate and the truth around them).
pub fn estimate_fields(e: &Estimate) -> [String; 12] {
    let opt = |x: Option<i64>| x.map_or(String::new(), |x| x.to_string());
    let (group, time, event) = e.target.coordinates();
    let (band_low, band_high) = e.band.unwrap_or((f64::NAN, f64::NAN));
    [
        e.estimator.key().to_string(),
        e.control.map_or(String::new(), |c| c.key().to_string()),
        e.target.kind().to_string(),
        opt(group),
        opt(time),
        opt(event),
        number(e.value),
        number(e.se),
        number(e.ci.0),
        number(e.ci.1),
        number(band_low),
        number(band_high),
    ]
}

/// `bacon.csv`: the Goodman-Bacon decomposition of static TWFE, one row per 2×2
/// comparison (`comparison` is `treated_vs_never`, `earlier_vs_later` or `later_vs_earlier`;
/// `control` is empty for never-treated places), then a `twfe` row with β and weight 1.
pub fn bacon_csv(d: &Decomposition) -> Vec<u8> {
    let mut w = csv::Writer::from_writer(Vec::new());
    w.write_record(["comparison", "treated", "control", "estimate", "weight"])
        .expect("write to memory");
    for p in &d.parts {
        w.write_record([
            p.comparison.key().to_string(),
            p.treated.to_string(),
            p.control.map_or(String::new(), |c| c.to_string()),
            number(p.estimate),
            number(p.weight),
        ])
        .expect("write to memory");
    }
    w.write_record([
        "twfe".to_string(),
        String::new(),
        String::new(),
        number(d.twfe),
        number(1.0),
    ])
    .expect("write to memory");
    w.into_inner().expect("flush to memory")
}

/// `pretrend.csv`: the Wald pre-trend test of Callaway–Sant'Anna's pre-adoption ATT(g,t),
/// one row: the comparison group, the number of cells (degrees of freedom), the statistic and
/// its p-value (empty when there is none; `note` says why).
pub fn pretrend_csv(test: &PreTrend, control: Control) -> Vec<u8> {
    let mut w = csv::Writer::from_writer(Vec::new());
    w.write_record(["test", "control", "cells", "statistic", "p_value", "note"])
        .expect("write to memory");
    let opt = |x: Option<f64>| x.map_or(String::new(), number);
    w.write_record([
        "cs_pre_wald".to_string(),
        control.key().to_string(),
        test.cells.to_string(),
        opt(test.statistic),
        opt(test.p_value),
        test.why_none().unwrap_or("").to_string(),
    ])
    .expect("write to memory");
    w.into_inner().expect("flush to memory")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn columns() -> Columns {
        Columns {
            place: "city".into(),
            time: "year".into(),
            cohort: "adopted".into(),
            outcome: "y".into(),
        }
    }

    #[test]
    fn labels_never_markers_and_zero_are_read() {
        let text = "city,year,adopted,y\nA,1,2,1.0\nA,2,2,2.0\nB,1,,0.5\nB,2,,0.5\n\
                    C,1,never,1\nC,2,NEVER,1\nD,1,0,3\nD,2,0,3\n";
        let p = parse_panel(text, "p.csv", &columns()).unwrap();
        assert_eq!(p.labels, ["A", "B", "C", "D"]);
        assert_eq!(p.panel.cohorts(), &[Some(2), None, None, None]);
    }

    #[test]
    fn problems_name_line_column_and_value() {
        let text = "city,year,adopted,y\nA,1,2,1.0\nA,x,2,2.0\nB,1,soon,0.5\nB,2,,\n";
        let e = parse_panel(text, "p.csv", &columns()).unwrap_err();
        let shown = e.to_string();
        assert!(
            shown.contains("p.csv:3: column `year`: `x` is not a period"),
            "{shown}"
        );
        assert!(
            shown.contains("p.csv:4: column `adopted`: `soon`"),
            "{shown}"
        );
        assert!(
            shown.contains("p.csv:5: column `y`: the outcome is missing"),
            "{shown}"
        );
        let e = parse_panel("a,b\n1,2\n", "p.csv", &columns()).unwrap_err();
        assert!(
            e.to_string()
                .contains("no column `city` (named by --place)"),
            "{e}"
        );
        let text = "city,year,adopted,y\nA,1,2,1\nA,2,3,1\nB,1,,1\nB,2,,1\n";
        let e = parse_panel(text, "p.csv", &columns()).unwrap_err();
        assert!(
            e.to_string()
                .starts_with("p.csv:3: column `adopted`: place `A`"),
            "{e}"
        );
        let text = "city,year,adopted,y\nA,0,0,1\nA,1,0,1\n";
        let e = parse_panel(text, "p.csv", &columns()).unwrap_err();
        assert!(e.to_string().contains("cohort 0 is ambiguous"), "{e}");
    }

    #[test]
    fn integral_floats_are_periods_and_cohorts() {
        let text = "city,year,adopted,y\nA,2011.0,2012.0,1\nA,2012.0,2012.0,2\n\
                    B,2011,.,0.5\nB,2012,,0.5\n";
        let p = parse_panel(text, "p.csv", &columns()).unwrap();
        assert_eq!(p.panel.times(), &[2011, 2012]);
        assert_eq!(p.panel.cohorts(), &[Some(2012), None]);
        let text = "city,year,adopted,y\nA,2011.5,2012.0,1\nA,2012,2012.25,2\n";
        let e = parse_panel(text, "p.csv", &columns())
            .unwrap_err()
            .to_string();
        assert!(
            e.contains("p.csv:2: column `year`: `2011.5` is not a period; periods are integers"),
            "{e}"
        );
        assert!(
            e.contains("p.csv:3: column `adopted`: `2012.25` is not a cohort"),
            "{e}"
        );
    }

    #[test]
    fn missing_outcomes_are_refused_by_line_or_dropped_when_asked() {
        let text = "city,year,adopted,y\nA,1,2,1\nA,2,2,.\nA,3,2,2\nB,1,,NA\nB,2,,\nB,3,,1\n\
                    C,1,,1\nC,2,,1\nC,3,,1\n";
        let e = parse_panel(text, "p.csv", &columns()).unwrap_err();
        assert_eq!(e.count(), 3, "{e}");
        let shown = e.to_string();
        for (line, written, period) in [(3, "`.`", 2), (5, "`NA`", 1), (6, "empty", 2)] {
            let want = format!(
                "p.csv:{line}: column `y`: the outcome is missing ({written}), so this place \
                 has no data in period {period} and the panel is unbalanced; pass \
                 --allow-unbalanced"
            );
            assert!(shown.contains(&want), "{want}\nnot in\n{shown}");
        }
        // Dropped, the rows leave the panel unbalanced: refused unless that is allowed.
        let mut reading = PanelRequest {
            reading: Reading {
                drop_missing: true,
                ..Reading::default()
            },
            ..PanelRequest::default()
        };
        let e = parse_panel_with(text, "p.csv", &columns(), &reading).unwrap_err();
        assert!(
            e.to_string()
                .contains("3 place-period rows are missing: `A` in 2, `B` in 1, `B` in 2"),
            "{e}"
        );
        // As `--allow-unbalanced` asks: the rows are dropped and the panel kept unbalanced.
        reading.allow_unbalanced = true;
        let p = parse_panel_with(text, "p.csv", &columns(), &reading)
            .unwrap()
            .panel;
        assert!(!p.is_balanced());
        assert_eq!(p.n_places(), 3);
        // Not a number and not a missing marker: refused either way, saying what is allowed.
        let text = "city,year,adopted,y\nA,1,2,n/a\nA,2,2,1\n";
        let e = parse_panel_with(text, "p.csv", &columns(), &reading).unwrap_err();
        assert!(
            e.to_string().starts_with(
                "p.csv:2: column `y`: `n/a` is not a finite number; an outcome is a number, \
                 or `.`, `NA` or empty where it is missing"
            ),
            "{e}"
        );
    }

    #[test]
    fn semicolons_and_tabs_are_detected_or_given() {
        let rows = [
            "city;year;adopted;y",
            "A;1;2;1,5",
            "A;2;2;2",
            "B;1;;0",
            "B;2;;0",
        ];
        let text = rows.join("\n");
        assert_eq!(detect_delimiter(&text), b';');
        // A decimal comma is not a number here: refused with its line (Excel's locale export).
        let e = parse_panel(&text, "p.csv", &columns()).unwrap_err();
        assert!(
            e.to_string()
                .starts_with("p.csv:2: column `y`: `1,5` is not a finite number"),
            "{e}"
        );
        let text = text.replace("1,5", "1.5");
        let p = parse_panel(&text, "p.csv", &columns()).unwrap();
        assert_eq!(p.panel.y(0, 0), 1.5);
        let tabbed = text.replace(';', "\t");
        assert_eq!(detect_delimiter(&tabbed), b'\t');
        assert_eq!(
            parse_panel(&tabbed, "p.csv", &columns()).unwrap().panel,
            p.panel
        );
        // Told the wrong separator, the header is one column: the error says which to pass.
        let comma = PanelRequest {
            reading: Reading {
                delimiter: Some(b','),
                ..Reading::default()
            },
            ..PanelRequest::default()
        };
        let e = parse_panel_with(&text, "p.csv", &columns(), &comma).unwrap_err();
        assert!(
            e.to_string().contains(
                "no column `city` (named by --place); the columns are: city;year;adopted;y; \
                 the header reads as one column, split by `;` rather than `,`: pass \
                 --delimiter ';'"
            ),
            "{e}"
        );
        let e = parse_panel_with(&tabbed, "p.csv", &columns(), &comma).unwrap_err();
        assert!(e.to_string().contains("pass --delimiter 'tab'"), "{e}");
    }

    #[test]
    fn the_cap_counts_every_problem_not_listed() {
        let mut text = String::from("city,year,adopted,y\n");
        for i in 0..77 {
            text.push_str(&format!("P{i},1,soon,1\n"));
        }
        let e = parse_panel(&text, "p.csv", &columns()).unwrap_err();
        assert_eq!(e.count(), 77);
        assert_eq!(e.more.len() + 1, MAX_PROBLEMS);
        assert!(
            e.to_string()
                .ends_with("error: 57 more problems not listed; fix these and run again"),
            "{e}"
        );
    }

    #[test]
    fn a_gap_in_periods_advises_renumbering_the_cohorts_too() {
        let text = "city,year,adopted,y\nA,2010,2012,1\nA,2012,2012,1\nB,2010,,1\nB,2012,,1\n";
        let e = parse_panel(text, "p.csv", &columns())
            .unwrap_err()
            .to_string();
        assert!(
            e.contains("periods 2010 and 2012 are not consecutive"),
            "{e}"
        );
        assert!(
            e.contains("renumber the period column and the cohort column `adopted` together"),
            "{e}"
        );
    }
}
