//! The Markdown tables the commands print when they finish: a run's final-window means and
//! a sensitivity analysis's indices (a comparison prints [`crate::compare::Comparison::markdown`]).

use crate::model::Metric;
use crate::output::{interval, short};
use crate::run::{RunResult, Summary};
use crate::sensitivity::{Indices, MetricIndices, SensitivityPlan};

/// The final-window means as a Markdown table.
pub fn final_window_table(result: &RunResult, window: u32) -> String {
    let summaries = result.final_window(window);
    let mut out = format!(
        "\n{}: mean of the last {window} of {} steps over {} replicates\n\n",
        result.scenario.name,
        result.steps(),
        result.replicates.len()
    );
    out.push_str("| metric | mean | 95% CI | n |\n|---|---:|---|---:|\n");
    for metric in Metric::ALL {
        let s: &Summary = &summaries[metric.index()];
        out.push_str(&format!(
            "| {} | {} | {} | {} |\n",
            metric.name(),
            short(s.mean),
            interval(s, false).unwrap_or_default(),
            s.n
        ));
    }
    out.push('\n');
    out
}

/// The indices as Markdown tables, one per metric, parameters ranked.
pub fn sensitivity_table(plan: &SensitivityPlan, analysis: &[MetricIndices]) -> String {
    let mut out = String::new();
    for m in analysis {
        out.push_str(&format!("\n{}\n\n", m.metric.name()));
        let indices = match &m.indices {
            Ok(i) => i,
            Err(why) => {
                out.push_str(&format!("not analysed: {why}\n"));
                continue;
            }
        };
        let ci = |v: f64, half: f64| format!("{} ± {}", short(v), short(half));
        let mut rows: Vec<(f64, String)> = plan
            .factors
            .iter()
            .enumerate()
            .map(|(k, f)| match indices {
                Indices::Sobol(v) => (
                    v[k].st,
                    format!(
                        "| {} | {} | {} |",
                        f.param.key(),
                        ci(v[k].st, v[k].st_conf),
                        ci(v[k].s1, v[k].s1_conf)
                    ),
                ),
                Indices::Morris(v) => (
                    v[k].mu_star,
                    format!(
                        "| {} | {} | {} | {} |",
                        f.param.key(),
                        ci(v[k].mu_star, v[k].mu_star_conf),
                        short(v[k].mu),
                        short(v[k].sigma)
                    ),
                ),
            })
            .collect();
        rows.sort_by(|a, b| b.0.total_cmp(&a.0));
        out.push_str(match indices {
            Indices::Sobol(_) => "| parameter | total ST | first-order S1 |\n|---|---|---|\n",
            Indices::Morris(_) => "| parameter | μ* | μ | σ |\n|---|---|---:|---:|\n",
        });
        for (_, row) in rows {
            out.push_str(&row);
            out.push('\n');
        }
    }
    out.push('\n');
    out
}
