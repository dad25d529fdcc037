//! The lesson's plan and its generated text: what each of the six steps shows, and the
//! explanation and numbers written under it from the run results.
//!
//! Every number sentence names the comparison it makes — a scenario against a named baseline
//! over the final window, or one run before against after its policy event — and its
//! direction word follows the 95% interval of that very difference, so the text cannot say
//! "lowers" of a rise or quote one baseline while naming another. The tests below check this
//! for every step in both languages.

use crate::i18n::{self, Lang, lesson};
use crate::model::Metric;
use crate::run::stats::mean_present;
use crate::run::{RunResult, Summary};

/// What the numbers under a step compare.
pub enum Reading {
    /// The final-window levels of one scenario.
    Levels(&'static str),
    /// (baseline, scenario) pairs: each scenario against its baseline over the final window.
    Pairs(&'static [(&'static str, &'static str)]),
    /// One scenario before against after its first policy event, and the dip of belief right
    /// after the event.
    BeforeAfter(&'static str),
}

/// What one step of the lesson shows.
pub struct StepPlan {
    pub text: &'static lesson::Step,
    /// File stem of its plot.
    pub stem: &'static str,
    /// Scenarios plotted.
    pub scenarios: &'static [&'static str],
    /// Metrics plotted.
    pub metrics: &'static [Metric],
    /// Metrics whose numbers are quoted under the plot.
    pub quote: &'static [Metric],
    pub reading: Reading,
    /// Bars of final-window means instead of lines over time.
    pub bars: bool,
}

const STRICT: &str = "strict_accountability";
const NOMINAL: &str = "nominal_tolerance";
const OPTIMIZED: &str = "optimized_path";
const INTRODUCED: &str = "mechanism_introduced";

pub const PLAN: [StepPlan; 6] = [
    StepPlan {
        text: &lesson::STRICT,
        stem: "lesson_1_strict",
        scenarios: &[STRICT],
        metrics: &[Metric::Initiative, Metric::LyingFlat],
        quote: &[Metric::Initiative, Metric::LyingFlat],
        reading: Reading::Levels(STRICT),
        bars: false,
    },
    StepPlan {
        text: &lesson::NOMINAL,
        stem: "lesson_2_nominal",
        scenarios: &[STRICT, NOMINAL],
        metrics: &[Metric::Initiative, Metric::InitiationRate],
        quote: &[Metric::Initiative, Metric::InitiationRate],
        reading: Reading::Pairs(&[(STRICT, NOMINAL)]),
        bars: false,
    },
    StepPlan {
        text: &lesson::LEVERS,
        stem: "lesson_3_levers",
        scenarios: &[
            NOMINAL,
            "o1_top_level_design",
            "o2_top_leader",
            "o3_openness",
            "o4_tolerance_with_correction",
            "o5_legalization",
        ],
        metrics: &[
            Metric::Initiative,
            Metric::MeanBelief,
            Metric::CorrectionRate,
            Metric::ToleranceRate,
        ],
        quote: &[Metric::Initiative, Metric::MeanBelief],
        reading: Reading::Pairs(&[
            (NOMINAL, "o1_top_level_design"),
            (NOMINAL, "o2_top_leader"),
            (NOMINAL, "o3_openness"),
            (NOMINAL, "o4_tolerance_with_correction"),
            (NOMINAL, "o5_legalization"),
        ]),
        bars: true,
    },
    StepPlan {
        text: &lesson::TOGETHER,
        stem: "lesson_4_together",
        scenarios: &[STRICT, NOMINAL, OPTIMIZED],
        metrics: &[Metric::Initiative, Metric::SocialValue],
        quote: &[Metric::Initiative, Metric::SocialValue],
        reading: Reading::Pairs(&[(NOMINAL, OPTIMIZED), (STRICT, OPTIMIZED)]),
        bars: false,
    },
    StepPlan {
        text: &lesson::LAX,
        stem: "lesson_5_lax",
        scenarios: &[OPTIMIZED, "lax_tolerance"],
        metrics: &[Metric::Violations, Metric::Abuses],
        quote: &[Metric::Initiative, Metric::Violations, Metric::Abuses],
        reading: Reading::Pairs(&[(OPTIMIZED, "lax_tolerance")]),
        bars: false,
    },
    StepPlan {
        text: &lesson::INTRODUCED,
        stem: "lesson_6_introduced",
        // Strict accountability is where the run starts, the optimized path where it heads.
        scenarios: &[STRICT, INTRODUCED, OPTIMIZED],
        metrics: &[Metric::Initiative, Metric::MeanBelief],
        quote: &[Metric::Initiative, Metric::MeanBelief],
        reading: Reading::BeforeAfter(INTRODUCED),
        bars: false,
    },
];

/// The generated text of one step.
#[derive(Debug, Clone, PartialEq)]
pub struct StepText {
    pub title: String,
    pub explanation: String,
    /// The numbers, one sentence each.
    pub sentences: Vec<String>,
}

/// The result of scenario `name` among the lesson's results.
pub fn pick<'a>(results: &'a [RunResult], name: &str) -> &'a RunResult {
    results
        .iter()
        .find(|r| r.scenario.name == name)
        .unwrap_or_else(|| panic!("the lesson runs every scenario its plan names ({name})"))
}

/// The text of every step, from the results of the lesson's scenarios.
pub fn lesson_text(results: &[RunResult], window: u32, lang: Lang) -> Vec<StepText> {
    PLAN.iter()
        .map(|step| step_text(step, results, window, lang))
        .collect()
}

/// The text of one step: its explanation (with measured numbers where it quotes any) and its
/// number sentences.
pub fn step_text(step: &StepPlan, results: &[RunResult], window: u32, lang: Lang) -> StepText {
    let mut explanation = step.text.explanation.get(lang).to_string();
    if explanation.contains("{share}") {
        // Step 2: the share of detected honest failures reviewed under nominal tolerance.
        let rate = Summary::of(
            pick(results, NOMINAL).final_window_values(Metric::InitiationRate, window),
        )
        .mean;
        explanation = explanation.replace("{share}", &lesson::review_share(lang, rate, window));
    }
    let sentences = match &step.reading {
        Reading::Levels(name) => {
            let summaries = pick(results, name).final_window(window);
            step.quote
                .iter()
                .map(|&m| i18n::level_sentence(lang, m, &summaries[m.index()], window))
                .collect()
        }
        Reading::Pairs(pairs) => pairs
            .iter()
            .flat_map(|&(base, other)| {
                let (base, other) = (pick(results, base), pick(results, other));
                step.quote
                    .iter()
                    .filter_map(move |&m| pair_sentence(base, other, m, window, lang))
            })
            .collect(),
        Reading::BeforeAfter(name) => {
            let result = pick(results, name);
            let (sentences, dipped) = before_after(result, step.quote, window, lang);
            if dipped {
                if lang == Lang::En {
                    explanation.push(' ');
                }
                explanation.push_str(lesson::INTRODUCED_DIP.get(lang));
            }
            sentences
        }
    };
    StepText {
        title: step.text.title.get(lang).to_string(),
        explanation,
        sentences,
    }
}

/// `other` against `base` on `metric` over the final window, paired by replicate (common
/// random numbers); None when no replicate has both values.
fn pair_sentence(
    base: &RunResult,
    other: &RunResult,
    metric: Metric,
    window: u32,
    lang: Lang,
) -> Option<String> {
    let (from, to, difference) = paired(
        &base.final_window_values(metric, window),
        &other.final_window_values(metric, window),
    )?;
    Some(i18n::change_sentence(
        lang,
        &i18n::scenario_label(&base.scenario.name, lang),
        &i18n::scenario_label(&other.scenario.name, lang),
        metric,
        from,
        to,
        &difference,
    ))
}

/// Means of `before` and `after` over the replicates that have both, and the summary of their
/// paired differences `after − before`, so that `to − from` is the quoted difference.
fn paired(before: &[f64], after: &[f64]) -> Option<(f64, f64, Summary)> {
    let pairs: Vec<(f64, f64)> = before
        .iter()
        .zip(after)
        .filter(|(b, a)| !b.is_nan() && !a.is_nan())
        .map(|(&b, &a)| (b, a))
        .collect();
    if pairs.is_empty() {
        return None;
    }
    let n = pairs.len() as f64;
    let from = pairs.iter().map(|p| p.0).sum::<f64>() / n;
    let to = pairs.iter().map(|p| p.1).sum::<f64>() / n;
    Some((from, to, Summary::of(pairs.iter().map(|(b, a)| a - b))))
}

/// Each replicate's mean of `metric` over steps `from..to`.
fn span_values(result: &RunResult, metric: Metric, from: usize, to: usize) -> Vec<f64> {
    result
        .replicates
        .iter()
        .map(|r| mean_present(r[from..to].iter().map(|s| s[metric.index()])))
        .collect()
}

/// Step 6's sentences: each quoted metric in the `window` steps before the scenario's first
/// event against its final `window` steps (not reaching back before the event), then the dip
/// of mean belief right after the event if the run shows one. Returns the sentences and
/// whether there was a dip.
fn before_after(
    result: &RunResult,
    quote: &[Metric],
    window: u32,
    lang: Lang,
) -> (Vec<String>, bool) {
    let label = i18n::scenario_label(&result.scenario.name, lang);
    let steps = result.steps();
    let Some(event) = result.scenario.events.iter().map(|e| e.at).min() else {
        return (Vec::new(), false);
    };
    let at = event as usize;
    if at == 0 || at >= steps {
        return (vec![lesson::no_event_in_run(lang, event, steps)], false);
    }
    let w = window.max(1) as usize;
    let before = (at.saturating_sub(w), at);
    let after = (steps.saturating_sub(w).max(at), steps);
    let span = |(a, b): (usize, usize)| (a as u32, b as u32 - 1);
    let mut sentences: Vec<String> = quote
        .iter()
        .filter_map(|&m| {
            let (from, to, d) = paired(
                &span_values(result, m, before.0, before.1),
                &span_values(result, m, after.0, after.1),
            )?;
            Some(lesson::before_after_sentence(
                lang,
                &label,
                m,
                span(before),
                span(after),
                from,
                to,
                &d,
            ))
        })
        .collect();

    // The dip: the lowest mean belief within `window` steps of the event, against the step
    // before it, claimed only when the paired difference is clearly negative.
    let belief = Metric::MeanBelief;
    let series = result.timeseries();
    let lowest = (at..steps.min(at + w)).min_by(|&a, &b| {
        series[a][belief.index()]
            .mean
            .total_cmp(&series[b][belief.index()].mean)
    });
    let dip = lowest.and_then(|low| {
        let (from, to, d) = paired(
            &span_values(result, belief, at - 1, at),
            &span_values(result, belief, low, low + 1),
        )?;
        (i18n::Direction::of(&d) == i18n::Direction::Down).then(|| {
            lesson::dip_sentence(
                lang,
                belief,
                event,
                (event - 1, low as u32),
                from,
                to,
                &d,
            )
        })
    });
    let dipped = dip.is_some();
    sentences.extend(dip);
    (sentences, dipped)
}
