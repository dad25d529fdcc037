//! A researcher's panel as CSV text, and the estimates as `estimates.csv`: text in, text out
//! (reading and writing files is the command's job).
//!
//! The panel: a header row, then one row per place × period, in any order, other columns
//! ignored. The place is any text label; the period an integer (consecutive: 2010, 2011, ...);
//! the outcome a finite number. The cohort is the first period the place is treated, the same
//! on all of its rows; never treated is an empty field, `never`, `NA` or `inf` (any case), or
//! `0` when every period is after 0 (R's `did` and Python's `csdid` code never-treated as 0).
//! Every problem is reported with its line and column, up to [`MAX_PROBLEMS`].

use std::collections::HashMap;

use super::{Estimate, Panel, PanelError, Row};
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

/// Parses `text` (from `origin`, a path for messages) into a balanced panel.
pub fn parse_panel(
    text: &str,
    origin: &str,
    columns: &Columns,
) -> Result<LabelledPanel, InputError> {
    parse_panel_with(text, origin, columns, &PanelRequest::default())
}

/// [`parse_panel`] with covariates and, if asked, an unbalanced panel.
pub fn parse_panel_with(
    text: &str,
    origin: &str,
    columns: &Columns,
    request: &PanelRequest,
) -> Result<LabelledPanel, InputError> {
    let at = |line: u64| format!("{origin}:{line}");
    let mut reader = csv::ReaderBuilder::new()
        .trim(csv::Trim::All)
        .from_reader(text.as_bytes());
    let headers = reader
        .headers()
        .map_err(|e| InputError::new(at(1), format!("cannot read the header row: {e}")))?
        .clone();
    let mut index = Vec::new();
    let mut problems = Vec::new();
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
                    "no column `{name}` (named by {flag}); the columns are: {}",
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
    for record in reader.records() {
        if problems.len() > MAX_PROBLEMS {
            break;
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
        let time = match field(it).parse::<i64>() {
            Ok(t) => t,
            Err(_) => {
                problems.push(InputError::new(
                    at(line),
                    format!(
                        "column `{}`: `{}` is not a period; periods are integers (e.g. years)",
                        columns.time,
                        field(it)
                    ),
                ));
                continue;
            }
        };
        let text = field(ic);
        let (cohort, zero) = match text.to_ascii_lowercase().as_str() {
            "" | "never" | "na" | "inf" => (None, false),
            other => match other.parse::<i64>() {
                Ok(0) => (None, true),
                Ok(c) => (Some(c), false),
                Err(_) => {
                    problems.push(InputError::new(
                        at(line),
                        format!(
                            "column `{}`: `{text}` is not a cohort; write the first treated \
                             period (an integer), or leave it empty (or `never`) for a place \
                             never treated",
                            columns.cohort
                        ),
                    ));
                    continue;
                }
            },
        };
        let y = match field(iy).parse::<f64>() {
            Ok(y) if y.is_finite() => y,
            _ => {
                let shown = field(iy);
                let why = if shown.is_empty() {
                    "the outcome is missing; the estimators need every place in every period \
                     (drop the place or fill the gap)"
                        .to_string()
                } else {
                    format!("`{shown}` is not a finite number")
                };
                problems.push(InputError::new(
                    at(line),
                    format!("column `{}`: {why}", columns.outcome),
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
    if let Some(e) = InputError::combine(problems) {
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
                     its two periods; TWFE, the event study and Sun–Abraham need a balanced \
                     panel and are left out)",
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
}
