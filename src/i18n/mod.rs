//! Every piece of text a person reads in a plot, report or lesson, in English and Chinese.
//!
//! Text lives only here (this folder), so a translation is reviewed in one place and the
//! Chinese font subset (`assets/fonts/`, made by `tools/subset-cjk-font.sh`) can be built from
//! exactly the characters these files use; a unit test fails when a character is missing
//! from the subset. Chinese uses the field's own terms: 容错纠错, 担当作为, 问责, 一把手, 躺平.

pub mod calibrate;
pub mod did;
pub mod experiment;
pub mod lesson;
mod terms;

pub use terms::*;

use crate::error::InputError;
use crate::model::Metric;
use crate::model::params::ParamId;
use crate::scenario::Factor;

/// The language of labels and reports.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum Lang {
    #[default]
    En,
    Zh,
}

impl Lang {
    /// Parses `--lang`: `en` or `zh`.
    pub fn parse(text: &str) -> Result<Lang, InputError> {
        match text.trim().to_ascii_lowercase().as_str() {
            "en" => Ok(Lang::En),
            "zh" | "zh-cn" | "cn" => Ok(Lang::Zh),
            other => Err(InputError::new(
                "--lang",
                format!("`{other}` is not a supported language; use `en` or `zh`"),
            )),
        }
    }

    /// The HTML `lang` attribute.
    pub fn code(self) -> &'static str {
        match self {
            Lang::En => "en",
            Lang::Zh => "zh-CN",
        }
    }
}

/// One text in both languages.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Tr {
    pub en: &'static str,
    pub zh: &'static str,
}

impl Tr {
    /// The text in `lang`.
    pub fn get(self, lang: Lang) -> &'static str {
        match lang {
            Lang::En => self.en,
            Lang::Zh => self.zh,
        }
    }
}

/// Shorthand for the tables: `tr("initiative", "担当作为")`.
pub const fn tr(en: &'static str, zh: &'static str) -> Tr {
    Tr { en, zh }
}

/// How a metric is labelled: its name on an axis and legend, and its unit.
pub fn metric_label(metric: Metric) -> Tr {
    metric_terms(metric).0
}

/// The unit of a metric as shown in axis labels.
pub fn metric_unit(metric: Metric) -> Tr {
    metric_terms(metric).1
}

/// "name (unit)" for an axis.
pub fn metric_axis(metric: Metric, lang: Lang) -> String {
    format!(
        "{} ({})",
        metric_label(metric).get(lang),
        metric_unit(metric).get(lang)
    )
}

/// The display name of a scenario: the translated name of a built-in one, else its own name.
pub fn scenario_label(name: &str, lang: Lang) -> String {
    match scenario_terms(name) {
        Some((label, _)) => label.get(lang).to_string(),
        None => name.to_string(),
    }
}

/// The description of a built-in scenario in `lang`, or `fallback` (the scenario file's own
/// description) for scenarios this table does not know.
pub fn scenario_description(name: &str, lang: Lang, fallback: &str) -> String {
    match (lang, scenario_terms(name)) {
        (Lang::Zh, Some((_, description))) => description.to_string(),
        _ => fallback.split_whitespace().collect::<Vec<_>>().join(" "),
    }
}

/// A parameter's label in tables: its short name in `lang` and its `section.name` key, e.g.
/// "Top-leader duty to start reviews (share) — regime.leader_duty".
pub fn param_label(id: ParamId, lang: Lang) -> String {
    param_axis(id.into(), lang)
}

/// A parameter's name in `lang` without its key or unit, for chart labels where room is
/// short ("Top-leader duty to start reviews").
pub fn param_short(id: ParamId, lang: Lang) -> String {
    let name = param_names(id).get(lang);
    // The unit, where there is one, is the last parenthesised part: "(share)", "（中位数）".
    let cut = match lang {
        Lang::En => name.rfind(" ("),
        Lang::Zh => name.rfind('（'),
    };
    match cut {
        Some(i) if i > 0 && name.ends_with([')', '）']) => name[..i].to_string(),
        _ => name.to_string(),
    }
}

/// What a parameter means, in `lang`: the parameter's own description in English, the
/// translation table's in Chinese.
pub fn param_meaning(id: ParamId, lang: Lang) -> String {
    match lang {
        Lang::En => id.spec().meaning.to_string(),
        Lang::Zh => param_meaning_zh(id).to_string(),
    }
}

/// A swept factor as an axis label: its short name (with unit) and its key, e.g.
/// "Sanction of an honest failure (career units) — regime.severity". A factor with named
/// choices is plotted at its choices' indices, so its label says which is which:
/// "Publication scope (0 national, 1 place) — places.publish_scope".
pub fn param_axis(factor: Factor, lang: Lang) -> String {
    let name = match factor {
        Factor::Param(id) => param_names(id).get(lang).to_string(),
        Factor::Study(k) => study_names(k).get(lang).to_string(),
    };
    match factor.choices() {
        Some(names) => {
            let coding: Vec<String> = names
                .iter()
                .enumerate()
                .map(|(i, n)| format!("{i} {n}"))
                .collect();
            format!("{name} ({}) — {}", coding.join(", "), factor.key())
        }
        None => format!("{name} — {}", factor.key()),
    }
}

/// The title of a sweep plot of `metric`: "Initiative — sweep strictness_x_tolerance".
pub fn sweep_title(metric: Metric, sweep: &str, lang: Lang) -> String {
    format!(
        "{} — {} {sweep}",
        metric_label(metric).get(lang),
        SWEEP.get(lang)
    )
}

/// The size of a sweep under its plots: "base: Optimized path (O1–O5) · 1000 cadres · 40
/// steps · 28 points × 20 replicates · seed 1".
pub fn sweep_size(
    lang: Lang,
    base: &str,
    cadres: u32,
    steps: u32,
    points: usize,
    replicates: u32,
    seed: u64,
) -> String {
    let base = scenario_label(base, lang);
    match lang {
        Lang::En => format!(
            "base: {base} · {cadres} cadres · {steps} steps · {points} points × {replicates} \
             replicates · seed {seed}"
        ),
        Lang::Zh => format!(
            "基准情景：{base} · {cadres}名干部 · {steps}个季度 · {points}个参数组合 × \
             {replicates}次重复 · 随机种子 {seed}"
        ),
    }
}

/// What a sweep plot's numbers are: each point's value, and for lines what the band is.
pub fn sweep_value_note(lang: Lang, window: u32, replicates: u32, band: bool) -> String {
    match (lang, band) {
        (Lang::En, false) => format!(
            "each cell: the mean of each replicate's last {window} steps, averaged over \
             {replicates} replicates"
        ),
        (Lang::En, true) => format!(
            "line: the mean of each replicate's last {window} steps, averaged over {replicates} \
             replicates; band: 95% CI"
        ),
        (Lang::Zh, false) => {
            format!("每格：每次重复最后{window}个季度的平均，再对{replicates}次重复取平均")
        }
        (Lang::Zh, true) => format!(
            "线：每次重复最后{window}个季度的平均，再对{replicates}次重复取平均；阴影：95%置信区间"
        ),
    }
}

/// Which way a paired difference goes. A change is claimed only when its 95% interval
/// excludes 0 (so a claimed direction always has the sign of the mean difference); without
/// an interval (a single replicate) no change is claimed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Direction {
    Up,
    Down,
    Flat,
}

impl Direction {
    pub fn of(difference: &crate::run::Summary) -> Direction {
        if difference.ci_low > 0.0 {
            Direction::Up
        } else if difference.ci_high < 0.0 {
            Direction::Down
        } else {
            Direction::Flat
        }
    }

    /// The transitive verb of a comparison: "raises" / "lowers" / "does not clearly change".
    pub fn verb(self) -> Tr {
        match self {
            Direction::Up => RAISES,
            Direction::Down => LOWERS,
            Direction::Flat => BARELY_CHANGES,
        }
    }
}

/// ", 95% CI [+0.1, +0.14]" after a difference, or nothing without an interval.
fn difference_ci(lang: Lang, difference: &crate::run::Summary) -> String {
    let ci = crate::output::interval(difference, true)
        .map(|ci| format!(", {} {ci}", CI95.get(lang)))
        .unwrap_or_default();
    match lang {
        Lang::En => ci,
        Lang::Zh => ci.replacen(", ", "，", 1),
    }
}

/// One sentence reading a paired difference and naming its baseline: "Compared with Nominal
/// tolerance, Optimized path raises initiative from 0.29 to 0.41 (+0.12, 95% CI [+0.1,
/// +0.14])." The verb follows [`Direction::of`].
pub fn change_sentence(
    lang: Lang,
    baseline: &str,
    scenario: &str,
    metric: Metric,
    from: f64,
    to: f64,
    difference: &crate::run::Summary,
) -> String {
    let n = crate::output::short;
    let d = crate::output::signed_number(difference.mean);
    let direction = Direction::of(difference);
    let verb = direction.verb().get(lang);
    let ci = difference_ci(lang, difference);
    let metric_name = metric_label(metric).get(lang);
    match (lang, direction) {
        (Lang::En, Direction::Flat) => format!(
            "Compared with {baseline}, {scenario} {verb} {} ({} → {}, {d}{ci}).",
            metric_name.to_lowercase(),
            n(from),
            n(to),
        ),
        (Lang::En, _) => format!(
            "Compared with {baseline}, {scenario} {verb} {} {} {} {} {} ({d}{ci}).",
            metric_name.to_lowercase(),
            FROM.en,
            n(from),
            TO.en,
            n(to),
        ),
        (Lang::Zh, Direction::Flat) => format!(
            "与{baseline}相比，{scenario}{verb}{metric_name}（{} → {}，{d}{ci}）。",
            n(from),
            n(to),
        ),
        (Lang::Zh, _) => format!(
            "与{baseline}相比，{scenario}将{metric_name}{}{}{}{}（{d}{ci}）。",
            FROM.zh,
            n(from),
            verb.replace("了", "到"),
            n(to),
        ),
    }
}

/// One sentence reading a single run's final-window value of a metric.
pub fn level_sentence(lang: Lang, metric: Metric, s: &crate::run::Summary, window: u32) -> String {
    let n = crate::output::short;
    let ci = crate::output::interval(s, false)
        .map(|ci| format!(" ({} {ci})", CI95.get(lang)))
        .unwrap_or_default();
    match lang {
        Lang::En => format!(
            "Over the last {window} steps, {} averages {}{ci}.",
            metric_label(metric).en.to_lowercase(),
            n(s.mean)
        ),
        Lang::Zh => format!(
            "最后{window}个季度，{}平均为{}{}。",
            metric_label(metric).zh,
            n(s.mean),
            ci.replace(" (", "（").replace(')', "）")
        ),
    }
}

/// "from step 20", introducing a policy event's changes.
pub fn from_step(lang: Lang, step: u32) -> String {
    match lang {
        Lang::En => format!("from step {step}"),
        Lang::Zh => format!("第{step}季度起"),
    }
}

/// "1000 cadres · 30 replicates · seed 1" under a run's plots.
pub fn run_size(lang: Lang, cadres: u32, replicates: usize, seed: u64) -> String {
    match lang {
        Lang::En => format!("{cadres} cadres · {replicates} replicates · seed {seed}"),
        Lang::Zh => format!("{cadres}名干部 · {replicates}次重复 · 随机种子 {seed}"),
    }
}

/// The same for a comparison, which shares replicate seeds across scenarios.
pub fn compare_size(lang: Lang, cadres: u32, replicates: usize, seed: u64) -> String {
    match lang {
        Lang::En => format!(
            "{cadres} cadres · {replicates} replicates with common random numbers · seed {seed}"
        ),
        Lang::Zh => format!("{cadres}名干部 · {replicates}次重复（共同随机数） · 随机种子 {seed}"),
    }
}

/// What the bars of final-window means show.
pub fn bars_note(lang: Lang, window: u32, replicates: usize) -> String {
    match lang {
        Lang::En => format!(
            "mean of each replicate's last {window} steps, averaged over {replicates} replicates; \
             whiskers: 95% CI"
        ),
        Lang::Zh => format!(
            "每次重复最后{window}个季度的平均，再对{replicates}次重复取平均；误差线：95%置信区间"
        ),
    }
}

/// Under a sensitivity chart: the design and what the whiskers mean.
pub fn sensitivity_note(
    lang: Lang,
    method: &str,
    points: usize,
    replicates: u32,
    window: u32,
    bootstrap: usize,
) -> String {
    match lang {
        Lang::En => format!(
            "{method}: {points} points × {replicates} replicates (common random numbers), mean of the last {window} steps; whiskers: 95% bootstrap intervals ({bootstrap} resamples)"
        ),
        Lang::Zh => format!(
            "{method}：{points}个样本点 × {replicates}次重复（共同随机数），取最后{window}个季度的平均；误差线：95%自助法置信区间（{bootstrap}次重抽样）"
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scenario::builtin;

    #[test]
    fn every_metric_and_builtin_scenario_has_both_languages() {
        for m in Metric::ALL {
            for lang in [Lang::En, Lang::Zh] {
                assert!(!metric_label(m).get(lang).is_empty(), "{m:?}");
                assert!(!metric_unit(m).get(lang).is_empty(), "{m:?}");
            }
        }
        for name in builtin::names() {
            assert!(scenario_terms(name).is_some(), "{name} needs a label");
        }
        assert_eq!(scenario_label("my_file", Lang::Zh), "my_file");
    }

    #[test]
    fn every_parameter_has_a_name_and_meaning_in_both_languages() {
        // `param_names` and `param_meaning_zh` are matches without a fallback, so every
        // ParamId has an entry; this checks that each entry says something, in its language.
        for &id in ParamId::ALL {
            let key = id.key();
            let name = param_names(id);
            let zh = param_meaning_zh(id);
            for lang in [Lang::En, Lang::Zh] {
                assert!(!name.get(lang).trim().is_empty(), "{key}: empty name");
                assert!(!param_short(id, lang).trim().is_empty(), "{key}");
                assert!(!param_meaning(id, lang).trim().is_empty(), "{key}");
            }
            assert_eq!(param_meaning(id, Lang::En), id.spec().meaning);
            assert_eq!(param_meaning(id, Lang::Zh), zh);
            // A Chinese meaning is Chinese, not the English text copied over; an English
            // name is not Chinese.
            assert!(zh.chars().any(|c| c as u32 >= 0x4E00), "{key}: {zh}");
            assert!(
                name.zh.chars().any(|c| c as u32 >= 0x4E00),
                "{key}: {}",
                name.zh
            );
            assert!(
                name.en.is_ascii() || name.en.chars().all(|c| (c as u32) < 0x3000),
                "{key}"
            );
            assert!(param_label(id, Lang::Zh).contains(name.zh), "{key}");
            assert!(param_label(id, Lang::En).contains(key), "{key}");
        }
        assert_eq!(
            param_short(ParamId::LeaderDuty, Lang::En),
            "Top-leader duty to start reviews"
        );
        assert_eq!(
            param_short(ParamId::LossAversion, Lang::Zh),
            "损失厌恶系数λ"
        );
    }

    #[test]
    fn lang_parses_and_rejects() {
        assert_eq!(Lang::parse("zh").unwrap(), Lang::Zh);
        assert_eq!(Lang::parse("EN").unwrap(), Lang::En);
        let e = Lang::parse("fr").unwrap_err();
        assert!(e.message.contains("`en` or `zh`"), "{e}");
    }

    #[test]
    fn readings_name_their_baseline_and_claim_a_change_only_when_the_interval_excludes_zero() {
        let d = |mean: f64, low: f64, high: f64| crate::run::Summary {
            mean,
            sd: 0.01,
            ci_low: low,
            ci_high: high,
            n: 30,
        };
        let up = change_sentence(
            Lang::En,
            "Nominal tolerance",
            "Optimized path",
            Metric::Initiative,
            0.29,
            0.41,
            &d(0.12, 0.1, 0.14),
        );
        assert_eq!(
            up,
            "Compared with Nominal tolerance, Optimized path raises initiative from 0.29 to 0.41 \
             (+0.12, 95% CI [+0.1, +0.14])."
        );
        let flat = change_sentence(
            Lang::En,
            "Nominal tolerance",
            "O1",
            Metric::Violations,
            4.0,
            3.9,
            &d(-0.1, -0.4, 0.2),
        );
        assert_eq!(
            flat,
            "Compared with Nominal tolerance, O1 does not clearly change violations (4 → 3.9, \
             -0.1, 95% CI [-0.4, +0.2])."
        );
        let down = change_sentence(
            Lang::Zh,
            "名义容错",
            "O3 党内公开",
            Metric::MeanBelief,
            0.27,
            0.2,
            &d(-0.07, -0.08, -0.06),
        );
        assert_eq!(
            down,
            "与名义容错相比，O3 党内公开将容错预期（平均）从0.27降低到0.2（-0.07，95%置信区间 [-0.08, -0.06]）。"
        );
        // A single replicate has no interval: no change is claimed, whatever the mean.
        let single = change_sentence(
            Lang::Zh,
            "名义容错",
            "O3 党内公开",
            Metric::MeanBelief,
            0.27,
            0.2,
            &d(-0.07, f64::NAN, f64::NAN),
        );
        assert_eq!(
            single,
            "与名义容错相比，O3 党内公开没有明显改变容错预期（平均）（0.27 → 0.2，-0.07）。"
        );
    }
}
