//! The lesson: its plan, its generated text (what each of the six steps shows, and the
//! explanation and numbers written under it from the run results), its plots and its page.
//!
//! Every number sentence names the comparison it makes — a scenario against a named baseline
//! over the final window, or one run before against after its policy event — and its
//! direction word follows the 95% interval of that very difference, so the text cannot say
//! "lowers" of a rise or quote one baseline while naming another. The tests below check this
//! for every step in both languages.

use super::html::Page;
use super::write_page;
use crate::compare::Comparison;
use crate::i18n::{self, Lang, lesson};
use crate::model::Metric;
use crate::output::OutputDir;
use crate::plot::compare_plots::{bars_figure, caption, overlay_panel};
use crate::plot::{Figure, Panel, PlotOptions, write_figures};
use crate::run::stats::mean_present;
use crate::run::{RunResult, Summary};

/// Every scenario the lesson runs, in the order of the paper.
pub const LESSON_SCENARIOS: [&str; 10] = [
    "strict_accountability",
    "nominal_tolerance",
    "o1_top_level_design",
    "o2_top_leader",
    "o3_openness",
    "o4_tolerance_with_correction",
    "o5_legalization",
    "optimized_path",
    "lax_tolerance",
    "mechanism_introduced",
];

/// The palette colour of each of [`LESSON_SCENARIOS`], the same in every step. Scenarios
/// shown together never share a colour (nor two similar ones); the optimized path is
/// always green and strict accountability black.
pub const COLOURS: [usize; 10] = [6, 3, 5, 4, 1, 0, 6, 2, 4, 0];

/// Draws every step's plot into `out` (in the formats of `plots`) and writes the lesson's
/// `report.html`: each step's title, explanation, numbers and plot.
pub fn write_lesson(
    out: &OutputDir,
    results: &[RunResult],
    window: u32,
    plots: &PlotOptions,
) -> crate::error::Result<()> {
    let lang = plots.lang;

    let mut figures = Vec::new();
    for step in &PLAN {
        let picked: Vec<(&RunResult, usize)> = step
            .scenarios
            .iter()
            .map(|name| {
                let k = LESSON_SCENARIOS
                    .iter()
                    .position(|n| n == name)
                    .expect("planned");
                (&results[k], COLOURS[k])
            })
            .collect();
        figures.push((
            step.stem.to_string(),
            step_figure(step, &picked, window, lang),
        ));
    }
    let svgs = write_figures(out, &figures, plots)?;

    let mut page = Page::new(lang, lesson::TITLE.get(lang));
    page.element("p", lesson::INTRO.get(lang));
    for (text, svg) in lesson_text(results, window, lang).iter().zip(&svgs) {
        page.raw("<section class=\"step\">");
        page.element("h2", &text.title);
        page.element("p", &text.explanation);
        page.reading(&text.sentences);
        page.figure(svg, "");
        page.raw("</section>");
    }
    write_page(out, &page)
}

/// The plot of a step: lines over time per metric, or bars of final-window means.
fn step_figure(step: &StepPlan, picked: &[(&RunResult, usize)], window: u32, lang: Lang) -> Figure {
    let title = step.text.title.get(lang);
    let refs: Vec<&RunResult> = picked.iter().map(|(r, _)| *r).collect();
    if step.bars {
        let comparison = Comparison::of(&refs, window);
        let mut figure = bars_figure(&comparison, step.metrics, lang);
        for panel in &mut figure.panels {
            if let Panel::Bars(p) = panel {
                for (bar, (_, colour)) in p.bars.iter_mut().zip(picked) {
                    bar.colour = *colour;
                }
            }
        }
        figure.title = title.to_string();
        return figure;
    }
    let panels = step
        .metrics
        .iter()
        .map(|&m| overlay_panel(picked, m, lang, i18n::metric_label(m).get(lang).to_string()))
        .collect::<Vec<_>>();
    let columns = panels.len();
    Figure::new(title, lang, panels, columns).with_caption(caption(&refs, lang))
}

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
        let rate =
            Summary::of(pick(results, NOMINAL).final_window_values(Metric::InitiationRate, window))
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
    // Scenario validation keeps events inside the run; an event at step 0 has no before.
    if at == 0 || at >= steps {
        return (Vec::new(), false);
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
                (from, to),
                &d,
            ))
        })
        .collect();

    // The dip: the lowest mean belief within `window` steps of the event, clearly below the
    // step before the event and clearly below the final window, so belief fell and then
    // recovered (a steady fall is no dip).
    let belief = Metric::MeanBelief;
    let series = result.timeseries();
    let lowest = (at..steps.min(at + w)).min_by(|&a, &b| {
        series[a][belief.index()]
            .mean
            .total_cmp(&series[b][belief.index()].mean)
    });
    let dip = lowest.and_then(|low| {
        let low_values = span_values(result, belief, low, low + 1);
        let (from, to, fall) = paired(&span_values(result, belief, at - 1, at), &low_values)?;
        let (_, _, recovery) = paired(&low_values, &span_values(result, belief, after.0, after.1))?;
        let down_then_up = i18n::Direction::of(&fall) == i18n::Direction::Down
            && i18n::Direction::of(&recovery) == i18n::Direction::Up;
        down_then_up.then(|| {
            lesson::dip_sentence(
                lang,
                belief,
                event,
                (event - 1, low as u32),
                from,
                to,
                &fall,
            )
        })
    });
    let dipped = dip.is_some();
    sentences.extend(dip);
    (sentences, dipped)
}

#[cfg(test)]
mod tests {
    //! The lesson's text against what it quotes: on constructed results with rises, falls and
    //! no change (so the right answer is known), and on small real runs.
    use super::*;
    use crate::model::N_METRICS;
    use crate::run::{RunOptions, Timing, run_scenario};
    use crate::scenario::Scenario;

    const STEPS: usize = 40;
    const WINDOW: u32 = 10;
    const LANGS: [Lang; 2] = [Lang::En, Lang::Zh];

    /// Every scenario the plan names, plotted or compared.
    fn planned() -> Vec<&'static str> {
        let mut names: Vec<&str> = PLAN.iter().flat_map(|s| s.scenarios.to_vec()).collect();
        for step in &PLAN {
            match &step.reading {
                Reading::Levels(n) | Reading::BeforeAfter(n) => names.push(n),
                Reading::Pairs(p) => names.extend(p.iter().flat_map(|&(a, b)| [a, b])),
            }
        }
        names.sort();
        names.dedup();
        names
    }

    /// A result whose every metric is `value(t)` plus a replicate offset that averages to 0,
    /// so the mean over replicates of any window is exactly the value and paired differences
    /// between two such results are the same in every replicate.
    fn constructed(name: &str, value: impl Fn(usize) -> f64) -> RunResult {
        let offsets = [-0.002, -0.001, 0.0, 0.001, 0.002];
        RunResult {
            scenario: Scenario::load(name).unwrap(),
            replicate_seeds: (0..offsets.len() as u64).collect(),
            replicates: offsets
                .iter()
                .map(|o| (0..STEPS).map(|t| [value(t) + o; N_METRICS]).collect())
                .collect(),
            timing: Timing {
                seconds: 0.0,
                agent_steps: 0,
                agent_steps_per_second: 0.0,
                threads: 1,
            },
        }
    }

    /// Which way a sentence says its number goes.
    #[derive(Debug, Clone, Copy, PartialEq)]
    enum Said {
        Up,
        Down,
        Flat,
    }

    /// A number sentence taken apart: the direction word, the baseline and scenario it names
    /// (None for before/after sentences), the two levels and the difference as printed.
    #[derive(Debug)]
    struct Parsed {
        said: Said,
        baseline: Option<String>,
        scenario: Option<String>,
        from: String,
        to: String,
        difference: f64,
    }

    fn between<'a>(s: &'a str, start: &str, end: &str) -> &'a str {
        let a = s
            .find(start)
            .unwrap_or_else(|| panic!("no {start:?} in {s}"))
            + start.len();
        let b = s[a..]
            .find(end)
            .unwrap_or_else(|| panic!("no {end:?} in {s}"));
        &s[a..a + b]
    }

    /// The text between the last `open` before `sep` and `sep`: the level before " → ".
    fn before_arrow<'a>(s: &'a str, open: &str) -> &'a str {
        let arrow = s.find(" → ").unwrap_or_else(|| panic!("no arrow in {s}"));
        let a = s[..arrow].rfind(open).unwrap() + open.len();
        &s[a..arrow]
    }

    /// Parses a comparison sentence ("Compared with B, S raises …") in either language.
    fn parse_change(lang: Lang, s: &str) -> Parsed {
        let (baseline, rest) = match lang {
            Lang::En => s
                .strip_prefix("Compared with ")
                .unwrap()
                .split_once(", ")
                .unwrap(),
            Lang::Zh => s.strip_prefix("与").unwrap().split_once("相比，").unwrap(),
        };
        let words: [(&str, Said); 3] = match lang {
            Lang::En => [
                (" raises ", Said::Up),
                (" lowers ", Said::Down),
                (" does not clearly change ", Said::Flat),
            ],
            Lang::Zh => [
                ("提高到", Said::Up),
                ("降低到", Said::Down),
                ("没有明显改变", Said::Flat),
            ],
        };
        let hits: Vec<_> = words.iter().filter(|(w, _)| rest.contains(w)).collect();
        assert_eq!(hits.len(), 1, "one direction word in {s}");
        let (word, said) = *hits[0];
        let (from, to, scenario) = match (lang, said) {
            (Lang::En, Said::Flat) => (
                before_arrow(rest, "(").to_string(),
                between(rest, " → ", ",").to_string(),
                rest.split(word).next().unwrap(),
            ),
            (Lang::Zh, Said::Flat) => (
                before_arrow(rest, "（").to_string(),
                between(rest, " → ", "，").to_string(),
                rest.split(word).next().unwrap(),
            ),
            (Lang::En, _) => (
                between(rest, " from ", " to ").to_string(),
                between(rest, " to ", " (").to_string(),
                rest.split(word).next().unwrap(),
            ),
            (Lang::Zh, _) => (
                rest[rest.rfind('从').unwrap() + '从'.len_utf8()..rest.find(word).unwrap()]
                    .to_string(),
                between(rest, word, "（").to_string(),
                rest.split('将').next().unwrap(),
            ),
        };
        Parsed {
            said,
            baseline: Some(baseline.to_string()),
            scenario: Some(scenario.to_string()),
            from: from.trim().to_string(),
            to: to.trim().to_string(),
            difference: printed_difference(s),
        }
    }

    /// The signed difference printed in a sentence's closing parenthesis: the number after
    /// "→ y," when levels are shown there, else the first number in it.
    fn printed_difference(s: &str) -> f64 {
        let open = s
            .rfind(['(', '（'])
            .map(|i| i + s[i..].chars().next().unwrap().len_utf8());
        let inner = &s[open.unwrap()..];
        let inner = match inner.find(" → ") {
            Some(_) => inner.split_once([',', '，']).unwrap().1,
            None => inner,
        };
        let number: String = inner
            .trim()
            .chars()
            .take_while(|c| c.is_ascii_digit() || matches!(c, '+' | '-' | '.' | 'e'))
            .collect();
        number
            .parse()
            .unwrap_or_else(|_| panic!("no difference in {s}"))
    }

    /// Parses a before/after or dip sentence of step 6: direction word, levels, difference.
    fn parse_over_time(lang: Lang, s: &str) -> Parsed {
        let words: [(&str, Said); 3] = match lang {
            Lang::En => [
                (" rises ", Said::Up),
                (" falls ", Said::Down),
                (" does not clearly change ", Said::Flat),
            ],
            Lang::Zh => [
                ("上升到", Said::Up),
                ("下降到", Said::Down),
                ("没有明显变化", Said::Flat),
            ],
        };
        let hits: Vec<_> = words.iter().filter(|(w, _)| s.contains(w)).collect();
        assert_eq!(hits.len(), 1, "one direction word in {s}");
        let (word, said) = *hits[0];
        let (from, to) = match (lang, said) {
            (Lang::En, Said::Flat) => (before_arrow(s, "("), between(s, " → ", ",")),
            (Lang::Zh, Said::Flat) => (before_arrow(s, "（"), between(s, " → ", "，")),
            (Lang::En, _) if s.starts_with("Right after") => {
                (between(s, " from ", " at "), between(s, " to ", " at "))
            }
            (Lang::En, _) => (between(s, " from ", " in "), between(s, " to ", " in ")),
            (Lang::Zh, _) => (
                &s[s[..s.find(word).unwrap()].rfind('的').unwrap() + '的'.len_utf8()
                    ..s.find(word).unwrap()],
                between(&s[s.find(word).unwrap()..], "的", "（"),
            ),
        };
        Parsed {
            said,
            baseline: None,
            scenario: None,
            from: from.trim().to_string(),
            to: to.trim().to_string(),
            difference: printed_difference(s),
        }
    }

    /// The direction word agrees with the sign of the printed difference and with the order
    /// of the two printed levels.
    fn assert_consistent(p: &Parsed, s: &str) {
        let number = |x: &str| -> f64 { x.parse().unwrap_or_else(|_| panic!("{x:?} in {s}")) };
        let (from, to) = (number(&p.from), number(&p.to));
        match p.said {
            Said::Up => assert!(p.difference > 0.0 && to >= from, "{s}"),
            Said::Down => assert!(p.difference < 0.0 && to <= from, "{s}"),
            Said::Flat => {}
        }
    }

    fn label(name: &str, lang: Lang) -> String {
        i18n::scenario_label(name, lang)
    }

    /// Checks every step's text for `results`, whose scenarios are constant at `level` except
    /// mechanism_introduced, which goes `before` → `dip` (steps 20–22) → `after`.
    fn check_constructed(level: &dyn Fn(&str) -> f64, before: f64, dip: f64, after: f64) {
        let results: Vec<RunResult> = planned()
            .iter()
            .map(|&name| {
                if name == INTRODUCED {
                    constructed(name, |t| match t {
                        0..20 => before,
                        20..23 => dip,
                        _ => after,
                    })
                } else {
                    let v = level(name);
                    constructed(name, move |_| v)
                }
            })
            .collect();
        let n = |x: f64| crate::output::short(x);
        for lang in LANGS {
            let text = lesson_text(&results, WINDOW, lang);
            assert_eq!(text.len(), PLAN.len());
            // No step repeats another's numbers (step 4 once repeated step 2's).
            let all: Vec<&String> = text.iter().flat_map(|t| &t.sentences).collect();
            for (i, s) in all.iter().enumerate() {
                assert!(!all[..i].contains(s), "repeated: {s}");
            }
            for (step, t) in PLAN.iter().zip(&text) {
                match &step.reading {
                    Reading::Levels(_) => {
                        assert_eq!(t.sentences.len(), step.quote.len());
                        for s in &t.sentences {
                            assert!(s.contains(&n(level(STRICT))), "{s}");
                        }
                    }
                    Reading::Pairs(pairs) => {
                        // Every planned pair and quoted metric, in order, and nothing else.
                        assert_eq!(t.sentences.len(), pairs.len() * step.quote.len());
                        let expected = pairs
                            .iter()
                            .flat_map(|p| step.quote.iter().map(move |m| (p, m)));
                        for (s, (&(base, other), &metric)) in t.sentences.iter().zip(expected) {
                            let p = parse_change(lang, s);
                            assert_consistent(&p, s);
                            // The baseline named is the baseline used, and so is the scenario.
                            assert_eq!(p.baseline.as_deref(), Some(label(base, lang).as_str()));
                            assert_eq!(p.scenario.as_deref(), Some(label(other, lang).as_str()));
                            assert_eq!(p.from, n(level(base)), "{s}");
                            assert_eq!(p.to, n(level(other)), "{s}");
                            assert!(
                                s.contains(i18n::metric_label(metric).get(lang))
                                    || s.contains(&i18n::metric_label(metric).en.to_lowercase())
                            );
                            let truth = level(other) - level(base);
                            let said = match truth {
                                d if d > 0.0 => Said::Up,
                                d if d < 0.0 => Said::Down,
                                _ => Said::Flat,
                            };
                            assert_eq!(p.said, said, "{s}");
                        }
                    }
                    Reading::BeforeAfter(_) => {
                        let dipped = dip < before && dip < after;
                        assert_eq!(t.sentences.len(), step.quote.len() + usize::from(dipped));
                        for s in &t.sentences[..step.quote.len()] {
                            let p = parse_over_time(lang, s);
                            assert_consistent(&p, s);
                            assert_eq!(
                                (p.from.as_str(), p.to.as_str()),
                                (n(before).as_str(), n(after).as_str()),
                                "{s}"
                            );
                            let spans = match lang {
                                Lang::En => ["steps 10–19", "steps 30–39"],
                                Lang::Zh => ["第10–19季度", "第30–39季度"],
                            };
                            assert!(spans.iter().all(|w| s.contains(w)), "{s}");
                            let said = match after - before {
                                d if d > 0.0 => Said::Up,
                                d if d < 0.0 => Said::Down,
                                _ => Said::Flat,
                            };
                            assert_eq!(p.said, said, "{s}");
                        }
                        let cause = lesson::INTRODUCED_DIP.get(lang);
                        assert_eq!(t.explanation.contains(cause), dipped, "{}", t.explanation);
                        if dipped {
                            let s = t.sentences.last().unwrap();
                            let p = parse_over_time(lang, s);
                            assert_consistent(&p, s);
                            assert_eq!(p.said, Said::Down, "{s}");
                            assert_eq!(
                                (p.from.as_str(), p.to.as_str()),
                                (n(before).as_str(), n(dip).as_str()),
                                "{s}"
                            );
                        }
                    }
                }
                if step.text.explanation.get(lang).contains("{share}") {
                    let share = lesson::review_share(lang, level(NOMINAL), WINDOW);
                    assert!(t.explanation.contains(&share), "{}", t.explanation);
                }
                assert!(!t.explanation.contains('{'), "{}", t.explanation);
            }
        }
    }

    #[test]
    fn every_step_says_the_direction_and_baseline_of_what_it_quotes() {
        let names = planned();
        // Levels from a few permutations, so that each pair goes up, down and stays level
        // in some trial and every baseline differs from the others in some trial.
        for trial in 0..6 {
            let level = |name: &str| {
                let k = names.iter().position(|n| *n == name).unwrap();
                0.1 + 0.1 * ((k * 7 + trial * 3) % 5) as f64
            };
            check_constructed(&level, 0.3, 0.2, 0.5);
            check_constructed(&level, 0.5, 0.4, 0.3);
            check_constructed(&level, 0.4, 0.45, 0.4);
            check_constructed(&level, 0.4, 0.2, 0.3);
        }
    }

    #[test]
    fn the_review_share_is_said_as_one_in_k_and_as_a_percentage() {
        assert_eq!(
            lesson::review_share(Lang::En, 0.194, 10),
            "about one detected honest failure in five (19% over the last 10 steps)"
        );
        assert_eq!(
            lesson::review_share(Lang::Zh, 0.194, 10),
            "约五分之一（最后10个季度为19%）"
        );
        assert_eq!(
            lesson::review_share(Lang::En, 0.1, 5),
            "about one detected honest failure in ten (10% over the last 5 steps)"
        );
        // Far from one in two … one in ten, only the percentage.
        assert_eq!(
            lesson::review_share(Lang::En, 0.8, 10),
            "80% of detected honest failures (over the last 10 steps)"
        );
        assert_eq!(
            lesson::review_share(Lang::Zh, 0.0, 10),
            "0%（最后10个季度）"
        );
        assert!(lesson::review_share(Lang::En, f64::NAN, 10).contains("unknown"));
    }

    /// The lesson's scenarios at 1000 cadres, 40 steps, 10 replicates, common seeds.
    fn real_results() -> Vec<RunResult> {
        planned()
            .iter()
            .map(|name| {
                let mut s = Scenario::load(name).unwrap();
                s.run.steps = STEPS as u32;
                s.run.replicates = 10;
                run_scenario(&s, &RunOptions::default())
            })
            .collect()
    }

    #[test]
    fn real_runs_read_consistently_and_show_the_dip_explained() {
        let results = real_results();
        for lang in LANGS {
            let text = lesson_text(&results, WINDOW, lang);
            for (step, t) in PLAN.iter().zip(&text) {
                for s in &t.sentences {
                    match step.reading {
                        Reading::Levels(_) => {}
                        Reading::Pairs(_) => assert_consistent(&parse_change(lang, s), s),
                        Reading::BeforeAfter(_) => assert_consistent(&parse_over_time(lang, s), s),
                    }
                }
            }
            // Step 6: initiative and belief are higher at the end than before step 20, and
            // belief dips first, with its cause in the explanation.
            let six = &text[5];
            assert_eq!(six.sentences.len(), 3, "{:?}", six.sentences);
            for s in &six.sentences[..2] {
                assert_eq!(parse_over_time(lang, s).said, Said::Up, "{s}");
            }
            assert!(six.explanation.contains(lesson::INTRODUCED_DIP.get(lang)));
        }
    }

    /// The share of detected honest failures reviewed under nominal tolerance, as step 2 says
    /// it from the data, is the share every description of the scenario states.
    #[test]
    fn nominal_descriptions_state_the_measured_review_share() {
        let mut s = Scenario::load(NOMINAL).unwrap();
        s.run.replicates = 10;
        let result = run_scenario(&s, &RunOptions::default());
        let rate = Summary::of(result.final_window_values(Metric::InitiationRate, WINDOW)).mean;
        let en = lesson::review_share(Lang::En, rate, WINDOW);
        let en = en.split(" (").next().unwrap().trim_start_matches("about ");
        let description = s
            .description
            .split_whitespace()
            .collect::<Vec<_>>()
            .join(" ");
        assert!(
            description.contains(en),
            "{description:?} should say {en:?}"
        );
        let zh = lesson::review_share(Lang::Zh, rate, WINDOW);
        let zh = zh.split('（').next().unwrap();
        let described = i18n::scenario_description(NOMINAL, Lang::Zh, "");
        assert!(described.contains(zh), "{described} should say {zh}");
        let (_, _, served) = crate::serve::text::SCENARIOS
            .iter()
            .find(|(name, _, _)| *name == NOMINAL)
            .unwrap();
        assert!(served.contains(zh), "{served} should say {zh}");
    }
}
