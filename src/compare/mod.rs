//! Comparing regimes run with common random numbers: per scenario and metric the
//! final-window mean and its 95% CI, and against the first scenario the paired difference
//! (replicate r of each scenario shares its random stream, so differences are taken per
//! replicate and summarised) and the ratio of means.

use std::borrow::Borrow;

use crate::error::InputError;
use crate::i18n::{self, Lang};
use crate::model::Metric;
use crate::output::{number, with_interval};
use crate::run::{RunResult, Summary};
use crate::scenario::Scenario;

/// One scenario's value of one metric, and how it differs from the baseline (the first).
#[derive(Debug, Clone, PartialEq)]
pub struct Cell {
    pub summary: Summary,
    /// Summary of the paired replicate differences (this − baseline); None for the baseline.
    pub difference: Option<Summary>,
    /// This mean / the baseline's mean; NaN when the baseline's mean is 0 or missing.
    pub ratio: f64,
}

/// The comparison of several scenarios: `cells[scenario][metric index]`.
#[derive(Debug, Clone)]
pub struct Comparison {
    pub scenarios: Vec<String>,
    pub window: u32,
    pub replicates: usize,
    pub cells: Vec<Vec<Cell>>,
}

/// Header of `comparison.csv`.
pub const COMPARISON_HEADER: [&str; 12] = [
    "scenario",
    "metric",
    "mean",
    "ci_low",
    "ci_high",
    "n",
    "baseline",
    "difference",
    "difference_ci_low",
    "difference_ci_high",
    "pairs",
    "ratio",
];

/// One row of `comparison.csv`: a scenario's value of a metric and its paired difference
/// from the baseline.
#[derive(Debug, Clone, PartialEq)]
pub struct ComparisonRow {
    pub scenario: String,
    pub metric: Metric,
    pub mean: f64,
    pub ci_low: f64,
    pub ci_high: f64,
    pub n: u64,
    pub baseline: String,
    pub difference: f64,
    pub difference_ci_low: f64,
    pub difference_ci_high: f64,
    /// Replicate pairs behind the difference; None for the baseline.
    pub pairs: Option<u64>,
    /// This mean / the baseline's; NaN for the baseline itself.
    pub ratio: f64,
}

/// Checks that scenarios can be compared with common random numbers: the same steps,
/// replicates and seed (so replicate r of each uses the same generator seed).
pub fn check_common_run(scenarios: &[Scenario]) -> Result<(), InputError> {
    let Some(first) = scenarios.first() else {
        return Err(InputError::new("compare", "give at least one scenario"));
    };
    for s in &scenarios[1..] {
        for (key, flag, a, b) in [
            (
                "steps",
                "--steps",
                first.run.steps as u64,
                s.run.steps as u64,
            ),
            (
                "replicates",
                "--replicates",
                first.run.replicates as u64,
                s.run.replicates as u64,
            ),
            ("seed", "--seed", first.run.seed, s.run.seed),
        ] {
            if a != b {
                return Err(InputError::new(
                    format!("scenario '{}'", s.name),
                    format!(
                        "run.{key} is {b} but {a} in '{}'; compared scenarios share steps, \
                         replicates and seed (common random numbers): pass {flag} to set it for all",
                        first.name
                    ),
                ));
            }
        }
    }
    Ok(())
}

impl Comparison {
    /// Compares `results` (owned or borrowed) against the first, over the last `window` steps.
    pub fn of<R: Borrow<RunResult>>(results: &[R], window: u32) -> Comparison {
        let baseline = results[0].borrow();
        let cells = results
            .iter()
            .map(Borrow::borrow)
            .enumerate()
            .map(|(k, result)| {
                Metric::ALL
                    .iter()
                    .map(|&m| {
                        let values = result.final_window_values(m, window);
                        let base = baseline.final_window_values(m, window);
                        let summary = Summary::of(values.iter().copied());
                        let base_mean = Summary::of(base.iter().copied()).mean;
                        let difference = (k > 0)
                            .then(|| Summary::of(values.iter().zip(&base).map(|(a, b)| a - b)));
                        let ratio = if base_mean == 0.0 || base_mean.is_nan() {
                            f64::NAN
                        } else {
                            summary.mean / base_mean
                        };
                        Cell {
                            summary,
                            difference,
                            ratio,
                        }
                    })
                    .collect()
            })
            .collect();
        Comparison {
            scenarios: results
                .iter()
                .map(|r| r.borrow().scenario.name.clone())
                .collect(),
            window,
            replicates: baseline.replicates.len(),
            cells,
        }
    }

    /// The cell of scenario `k` and `metric`.
    pub fn cell(&self, k: usize, metric: Metric) -> &Cell {
        &self.cells[k][metric.index()]
    }

    /// The rows of `comparison.csv`, one per scenario and metric (the baseline's difference
    /// fields are NaN and its `pairs` None, written empty).
    pub fn rows(&self) -> Vec<ComparisonRow> {
        let mut rows = Vec::new();
        for (k, name) in self.scenarios.iter().enumerate() {
            for m in Metric::ALL {
                let c = self.cell(k, m);
                let d = c.difference.unwrap_or(Summary {
                    mean: f64::NAN,
                    sd: f64::NAN,
                    ci_low: f64::NAN,
                    ci_high: f64::NAN,
                    n: 0,
                });
                rows.push(ComparisonRow {
                    scenario: name.clone(),
                    metric: m,
                    mean: c.summary.mean,
                    ci_low: c.summary.ci_low,
                    ci_high: c.summary.ci_high,
                    n: c.summary.n,
                    baseline: self.scenarios[0].clone(),
                    difference: d.mean,
                    difference_ci_low: d.ci_low,
                    difference_ci_high: d.ci_high,
                    pairs: c.difference.map(|d| d.n),
                    ratio: if k == 0 { f64::NAN } else { c.ratio },
                });
            }
        }
        rows
    }

    /// `comparison.csv`: one row per scenario and metric.
    pub fn csv(&self) -> Vec<u8> {
        let mut w = csv::Writer::from_writer(Vec::new());
        w.write_record(COMPARISON_HEADER).expect("write to memory");
        for r in self.rows() {
            w.write_record([
                r.scenario,
                r.metric.name().to_string(),
                number(r.mean),
                number(r.ci_low),
                number(r.ci_high),
                r.n.to_string(),
                r.baseline,
                number(r.difference),
                number(r.difference_ci_low),
                number(r.difference_ci_high),
                r.pairs.map(|n| n.to_string()).unwrap_or_default(),
                number(r.ratio),
            ])
            .expect("write to memory");
        }
        w.into_inner().expect("flush to memory")
    }

    /// The comparison as rows of text cells: a header, then one row per metric with each
    /// scenario's `mean [CI]` and, after each non-baseline scenario, `Δ [CI]` against the first.
    pub fn table(&self, lang: Lang, metrics: &[Metric]) -> Vec<Vec<String>> {
        let label = |k: usize| i18n::scenario_label(&self.scenarios[k], lang);
        let mut header = vec![i18n::METRIC.get(lang).to_string()];
        for k in 0..self.scenarios.len() {
            header.push(label(k));
            if k > 0 {
                header.push(format!("Δ {} {}", i18n::DIFFERENCE.get(lang), label(0)));
            }
        }
        let mut rows = vec![header];
        for &m in metrics {
            let mut row = vec![i18n::metric_label(m).get(lang).to_string()];
            for k in 0..self.scenarios.len() {
                let c = self.cell(k, m);
                row.push(with_interval(c.summary.mean, &c.summary, false));
                if let Some(d) = &c.difference {
                    row.push(with_interval(d.mean, d, true));
                }
            }
            rows.push(row);
        }
        rows
    }

    /// [`Comparison::table`] as Markdown.
    pub fn markdown(&self, lang: Lang, metrics: &[Metric]) -> String {
        let rows = self.table(lang, metrics);
        let mut out = String::new();
        for (i, row) in rows.iter().enumerate() {
            out.push_str(&format!("| {} |\n", row.join(" | ")));
            if i == 0 {
                let align: Vec<&str> = row
                    .iter()
                    .enumerate()
                    .map(|(j, _)| if j == 0 { "---" } else { "---:" })
                    .collect();
                out.push_str(&format!("|{}|\n", align.join("|")));
            }
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::run::{RunOptions, run_scenario};

    fn small(name: &str) -> Scenario {
        let mut s = Scenario::load(name).unwrap();
        for o in ["cadres=200", "steps=20", "replicates=4"] {
            s.apply_override(o).unwrap();
        }
        s
    }

    #[test]
    fn a_scenario_against_itself_differs_by_exactly_zero() {
        let s = small("nominal_tolerance");
        let r = run_scenario(&s, &RunOptions::default());
        let c = Comparison::of(&[r.clone(), r], 5);
        let cell = c.cell(1, Metric::Initiative);
        let d = cell.difference.unwrap();
        assert_eq!((d.mean, d.sd, d.n), (0.0, 0.0, 4));
        assert_eq!(cell.ratio, 1.0);
        assert!(c.cell(0, Metric::Initiative).difference.is_none());
    }

    #[test]
    fn paired_difference_is_the_mean_of_replicate_differences() {
        let runs: Vec<RunResult> = ["strict_accountability", "optimized_path"]
            .iter()
            .map(|n| run_scenario(&small(n), &RunOptions::default()))
            .collect();
        let c = Comparison::of(&runs, 5);
        let a = runs[0].final_window_values(Metric::Initiative, 5);
        let b = runs[1].final_window_values(Metric::Initiative, 5);
        let expected = b.iter().zip(&a).map(|(b, a)| b - a).sum::<f64>() / 4.0;
        let d = c.cell(1, Metric::Initiative).difference.unwrap();
        assert!((d.mean - expected).abs() < 1e-12);
        assert!(d.mean > 0.0, "the optimized path raises initiative");
    }

    /// The comparison table as people and scripts read it; a change of the model's random
    /// stream or statistics shows up here (review with `cargo insta review`).
    #[test]
    fn comparison_table_snapshot() {
        let runs: Vec<RunResult> = [
            "strict_accountability",
            "nominal_tolerance",
            "optimized_path",
        ]
        .iter()
        .map(|n| run_scenario(&small(n), &RunOptions::default()))
        .collect();
        let c = Comparison::of(&runs, 5);
        let key = [
            Metric::Initiative,
            Metric::ToleranceRate,
            Metric::Violations,
        ];
        insta::assert_snapshot!("markdown_en", c.markdown(Lang::En, &Metric::ALL));
        insta::assert_snapshot!("markdown_zh", c.markdown(Lang::Zh, &key));
        insta::assert_snapshot!("csv", String::from_utf8(c.csv()).unwrap());
    }

    #[test]
    fn runs_must_share_seed_steps_and_replicates() {
        let a = small("strict_accountability");
        let mut b = small("optimized_path");
        assert!(check_common_run(&[a.clone(), b.clone()]).is_ok());
        b.run.seed += 1;
        let e = check_common_run(&[a, b]).unwrap_err();
        assert!(e.message.contains("--seed"), "{e}");
    }
}
