//! The text of difference-in-differences output: estimator names, the event-study plot and
//! the `did` command's summary, in English and Chinese (双重差分, 事件研究).

use super::{Lang, Tr, tr};
use crate::did::Estimator;

/// An estimator's name in `lang`.
pub fn estimator_name(estimator: Estimator, lang: Lang) -> &'static str {
    match estimator {
        Estimator::Twfe => tr("TWFE (static)", "双向固定效应（静态）").get(lang),
        Estimator::TwfeEventStudy => tr("TWFE event study", "双向固定效应事件研究").get(lang),
        // Names of people: the same in both languages.
        Estimator::CallawaySantAnna => "Callaway–Sant'Anna",
        Estimator::SunAbraham => "Sun–Abraham",
        Estimator::Imputation => tr("Imputation (BJS)", "插补估计（BJS）").get(lang),
    }
}

pub const EVENT_STUDY_TITLE: Tr = tr(
    "Event study: the effect by periods since adoption",
    "事件研究：采纳政策后各期的效应",
);
pub const EVENT_TIME_AXIS: Tr = tr(
    "Periods since adoption (event time)",
    "距采纳的期数（事件时间）",
);
pub const EFFECT_AXIS: Tr = tr("Effect on the outcome", "对结果变量的效应");
pub const TRUE_EFFECT: Tr = tr("True effect", "真实效应");
pub const ADOPTION: Tr = tr("adoption", "采纳");
pub const EVENT_STUDY_NOTE: Tr = tr(
    "Lines: estimates; bands: pointwise confidence intervals, clustered by place \
     (Callaway–Sant'Anna: multiplier bootstrap). Period −1 is the reference. TWFE (static) \
     is one number, drawn flat over the periods after adoption. Lines are set slightly apart \
     (with never-treated controls, Callaway–Sant'Anna and Sun–Abraham agree after adoption).",
    "线：估计值；阴影：逐点置信区间，按地区聚类（Callaway–Sant'Anna 用乘数自助法）。\
     第 −1 期为参照期。静态双向固定效应只有一个估计值，在采纳后各期画成水平线。\
     各线略微错开（以从未采纳地区为对照时，Callaway–Sant'Anna 与 Sun–Abraham 在采纳后相同）。",
);

/// "Outcome: y; 30 places, periods 1–40, 4 cohorts; 95% intervals" for the plot's caption.
pub fn panel_caption(
    lang: Lang,
    outcome: &str,
    places: usize,
    periods: (i64, i64),
    cohorts: usize,
    level: f64,
) -> String {
    let pct = (level * 100.0).round();
    match lang {
        Lang::En => format!(
            "Outcome: {outcome}; {places} places, periods {}–{}, {cohorts} cohorts; {pct}% intervals",
            periods.0, periods.1
        ),
        Lang::Zh => format!(
            "结果变量：{outcome}；{places} 个地区，第 {}–{} 期，{cohorts} 个采纳批次；{pct}% 置信区间",
            periods.0, periods.1
        ),
    }
}

/// The summary line `cadre-sim did` prints per estimator's overall effect.
pub fn overall_heading(lang: Lang) -> &'static str {
    tr(
        "Overall effect by estimator (estimate, SE, confidence interval)",
        "各估计方法的总体效应（估计值、标准误、置信区间）",
    )
    .get(lang)
}

/// Why `did` printed only Callaway–Sant'Anna: the panel has covariates (`covariates`) or is
/// unbalanced.
pub fn regressions_left_out(lang: Lang, covariates: bool) -> &'static str {
    if covariates {
        tr(
            "TWFE, the TWFE event study, Sun–Abraham and the imputation estimator do not take \
             covariates and are left out (and with them the Bacon decomposition); \
             Callaway–Sant'Anna conditions on them.",
            "双向固定效应、其事件研究、Sun–Abraham 与插补估计量不接受协变量，未估计\
             （Goodman-Bacon 分解也未估计）；Callaway–Sant'Anna 以协变量为条件。",
        )
        .get(lang)
    } else {
        tr(
            "The panel is unbalanced: TWFE, the TWFE event study, Sun–Abraham and the imputation \
             estimator need every place in every period and are left out (and with them the \
             Bacon decomposition).",
            "面板不平衡：双向固定效应、其事件研究、Sun–Abraham 与插补估计量需要每个地区每期都有观测，\
             未估计（Goodman-Bacon 分解也未估计）。",
        )
        .get(lang)
    }
}

/// One line of that summary: the estimator's name padded to a column (a Chinese character
/// takes two columns in a terminal), the estimate, its SE and interval.
pub fn overall_line(lang: Lang, name: &str, value: &str, se: &str, ci: (&str, &str)) -> String {
    let width: usize = name
        .chars()
        .map(|c| if c >= '\u{2E80}' { 2 } else { 1 })
        .sum();
    let pad = " ".repeat(24usize.saturating_sub(width));
    match lang {
        Lang::En => format!("  {name}{pad}{value:>9}  (SE {se}, [{}, {}])", ci.0, ci.1),
        Lang::Zh => format!(
            "  {name}{pad}{value:>9}  （标准误 {se}，[{}, {}]）",
            ci.0, ci.1
        ),
    }
}

// ---- report.html of `cadre-sim did`, the Bacon plot and the pre-trend test ----

pub const REPORT_TITLE: Tr = tr("Difference-in-differences", "双重差分");
pub const DESIGN: Tr = tr("The design", "研究设计");
pub const ESTIMATES: Tr = tr("Estimates", "估计结果");
pub const PRETREND: Tr = tr("Pre-trend test", "事前趋势检验");
pub const BACON: Tr = tr(
    "What static TWFE averages: the Goodman-Bacon decomposition",
    "静态双向固定效应平均了什么：Goodman-Bacon 分解",
);
pub const ASSUMPTIONS: Tr = tr("What each estimator assumes", "各估计方法的假设");
pub const COHORT: Tr = tr("Cohort (first treated period)", "采纳批次（首个处理期）");
pub const PLACES: Tr = tr("Places", "地区数");
pub const PERIODS_BEFORE: Tr = tr("Periods before adoption", "采纳前期数");
pub const PERIODS_AFTER: Tr = tr("Periods from adoption on", "采纳后期数（含当期）");
pub const NEVER_TREATED: Tr = tr("Never treated", "从未采纳");
pub const ESTIMATOR: Tr = tr("Estimator", "估计方法");
pub const TARGET: Tr = tr("Target", "估计对象");
pub const ESTIMATE: Tr = tr("Estimate", "估计值");
pub const SE: Tr = tr("SE", "标准误");
pub const INTERVAL: Tr = tr("Confidence interval", "置信区间");
pub const EVENT_TIME: Tr = tr("Event time", "事件时间");
pub const BY_EVENT_TIME: Tr = tr("Effects by event time", "各事件时间的效应");
pub const COMPARISON: Tr = tr("Comparison", "比较类型");
pub const WEIGHT: Tr = tr("Weight", "权重");
pub const TREATED_GROUP: Tr = tr("Treated cohort", "处理组批次");
pub const CONTROL_GROUP: Tr = tr("Comparison cohort", "对照组批次");
pub const STATISTIC: Tr = tr("Wald statistic (χ²)", "Wald 统计量（χ²）");
pub const DEGREES: Tr = tr(
    "Degrees of freedom (pre-adoption cells)",
    "自由度（采纳前单元数）",
);
pub const P_VALUE: Tr = tr("p-value", "p 值");

/// A 2×2 comparison's kind, as people read it.
pub fn comparison_name(c: crate::did::bacon::Comparison, lang: Lang) -> &'static str {
    use crate::did::bacon::Comparison::*;
    match c {
        TreatedVsNever => tr("Treated vs never treated", "处理组 vs 从未采纳组"),
        EarlierVsLater => tr(
            "Earlier vs later (not yet treated)",
            "先采纳 vs 后采纳（尚未采纳）",
        ),
        LaterVsEarlier => tr(
            "Later vs earlier (already treated: the forbidden comparison)",
            "后采纳 vs 先采纳（已处理的对照：被禁止的比较）",
        ),
    }
    .get(lang)
}

/// A 2×2 comparison's kind in a few words (bar labels).
pub fn comparison_short(c: crate::did::bacon::Comparison, lang: Lang) -> &'static str {
    use crate::did::bacon::Comparison::*;
    match c {
        TreatedVsNever => tr("Treated vs never", "处理 vs 从未采纳"),
        EarlierVsLater => tr("Earlier vs later", "先采纳 vs 后采纳"),
        LaterVsEarlier => tr("Later vs earlier", "后采纳 vs 先采纳"),
    }
    .get(lang)
}

/// The estimand a [`Target`](crate::did::Target) names, for the estimates table.
pub fn target_name(target: crate::did::Target, lang: Lang) -> String {
    use crate::did::Target::*;
    match (target, lang) {
        (Overall, Lang::En) => "overall".into(),
        (Overall, Lang::Zh) => "总体".into(),
        (OverallDynamic, Lang::En) => "overall (dynamic)".into(),
        (OverallDynamic, Lang::Zh) => "总体（动态聚合）".into(),
        (OverallGroup, Lang::En) => "overall (group)".into(),
        (OverallGroup, Lang::Zh) => "总体（按批次聚合）".into(),
        (OverallCalendar, Lang::En) => "overall (calendar)".into(),
        (OverallCalendar, Lang::Zh) => "总体（按日历期聚合）".into(),
        (EventTime(e), Lang::En) => format!("event time {e}"),
        (EventTime(e), Lang::Zh) => format!("事件时间 {e}"),
        (Group(g), Lang::En) => format!("cohort {g}"),
        (Group(g), Lang::Zh) => format!("批次 {g}"),
        (Calendar(t), Lang::En) => format!("period {t}"),
        (Calendar(t), Lang::Zh) => format!("第 {t} 期"),
        (GroupTime { group, time }, Lang::En) => format!("ATT({group}, {time})"),
        (GroupTime { group, time }, Lang::Zh) => format!("ATT({group}, {time})"),
    }
}

/// The report's line under the title: the panel and the options.
#[allow(clippy::too_many_arguments)]
pub fn design_line(
    lang: Lang,
    file: &str,
    outcome: &str,
    places: usize,
    periods: (i64, i64),
    control: &str,
    level: f64,
    bootstrap: u32,
) -> String {
    let pct = (level * 100.0).round();
    match lang {
        Lang::En => format!(
            "Panel {file}; outcome {outcome}; {places} places, periods {}–{}; \
             Callaway–Sant'Anna compares with {control} places; {pct}% intervals; \
             {bootstrap} bootstrap draws",
            periods.0, periods.1
        ),
        Lang::Zh => format!(
            "面板 {file}；结果变量 {outcome}；{places} 个地区，第 {}–{} 期；\
             Callaway–Sant'Anna 的对照：{control}；{pct}% 置信区间；自助法 {bootstrap} 次",
            periods.0, periods.1
        ),
    }
}

/// What the comparison places are, in words.
pub fn control_words(control: crate::did::Control, lang: Lang) -> &'static str {
    use crate::did::Control::*;
    match control {
        NeverTreated => tr("never-treated", "从未采纳的地区"),
        NotYetTreated => tr("not-yet-treated", "尚未采纳的地区"),
        LastTreated => tr("last-treated", "最后采纳的批次"),
    }
    .get(lang)
}

/// The design's sentence on who can serve as a comparison.
pub fn controls_sentence(lang: Lang, never: usize, cohorts: usize, last: Option<i64>) -> String {
    match (lang, never) {
        (Lang::En, 0) => format!(
            "No place is never treated: every comparison is with places that adopt later, and \
             after the last cohort adopts{} no untreated place is left, so those periods \
             identify no effect.",
            last.map_or(String::new(), |t| format!(" (period {t})"))
        ),
        (Lang::Zh, 0) => format!(
            "没有从未采纳的地区：所有比较都以较晚采纳的地区为对照；最后一个批次采纳后{}\
             不再有未处理的地区，这些期识别不出效应。",
            last.map_or(String::new(), |t| format!("（第 {t} 期）"))
        ),
        (Lang::En, n) => format!(
            "{n} places are never treated and serve every cohort as comparisons; with \
             --control notyettreated the {cohorts} cohorts also serve each other until they adopt."
        ),
        (Lang::Zh, n) => format!(
            "{n} 个地区从未采纳，可作为每个批次的对照；使用 --control notyettreated 时，\
             {cohorts} 个批次在各自采纳前也互为对照。"
        ),
    }
}

/// A sentence per overall estimate.
pub fn overall_sentence(lang: Lang, name: &str, value: &str, ci: (&str, &str)) -> String {
    match lang {
        Lang::En => format!(
            "{name}: the overall effect is {value} (interval {} to {}).",
            ci.0, ci.1
        ),
        Lang::Zh => format!(
            "{name}：总体效应为 {value}（置信区间 {} 至 {}）。",
            ci.0, ci.1
        ),
    }
}

/// The pre-trend test in a sentence.
pub fn pretrend_sentence(
    lang: Lang,
    test: &crate::did::pretrend::PreTrend,
    level: f64,
    places: usize,
) -> String {
    let alpha = 1.0 - level;
    // The covariance of k cells estimated from n places: with k not small against n the
    // statistic runs large (Hotelling's n/(n − k) and worse), so the test rejects too often.
    let few = test.statistic.is_some() && test.cells * 4 > places;
    let caution = match (few, lang) {
        (false, _) => String::new(),
        (true, Lang::En) => format!(
            " Caution: {} cells on {places} places estimate their covariance poorly, and the \
             test then rejects true parallel trends too often.",
            test.cells
        ),
        (true, Lang::Zh) => format!(
            "注意：用 {places} 个地区估计 {} 个单元的协方差并不可靠，此时检验会过于频繁地拒绝\
             实际成立的平行趋势。",
            test.cells
        ),
    };
    match (test.statistic, test.p_value, lang) {
        (Some(w), Some(p), Lang::En) => {
            let verdict = if p < alpha {
                "the cohorts' outcomes already moved differently from their comparison places \
                 before adoption, so parallel trends are in doubt"
            } else {
                "the data do not reject parallel trends before adoption (which does not prove \
                 they hold after it: a small panel has little power)"
            };
            format!(
                "Pre-trend test over {} pre-adoption ATT(g,t): χ² = {w:.2}, p = {p:.4}: {verdict}.{caution}",
                test.cells
            )
        }
        (Some(w), Some(p), Lang::Zh) => {
            let verdict = if p < alpha {
                "各批次在采纳前已与对照地区走势不同，平行趋势假设存疑"
            } else {
                "数据不拒绝采纳前的平行趋势（但这不能证明采纳后仍平行：小样本的检验力有限）"
            };
            format!(
                "事前趋势检验（{} 个采纳前 ATT(g,t)）：χ² = {w:.2}，p = {p:.4}：{verdict}。{caution}",
                test.cells
            )
        }
        (_, _, Lang::En) => format!(
            "No pre-trend test: {} (as in R's did and csdid).",
            test.why_none().unwrap_or("")
        ),
        (_, _, Lang::Zh) => {
            let why = if test.cells == 0 {
                "没有可检验的采纳前期"
            } else {
                "采纳前估计值的协方差矩阵奇异（单元数多于地区数时常见）"
            };
            format!("无法进行事前趋势检验：{why}（与 R 的 did 和 csdid 相同）。")
        }
    }
}

/// The Bacon decomposition in a sentence: how much of TWFE rests on the forbidden
/// comparison.
pub fn bacon_sentence(lang: Lang, twfe: f64, forbidden_weight: f64, forbidden_mean: f64) -> String {
    let pct = forbidden_weight * 100.0;
    match lang {
        Lang::En if forbidden_weight > 0.0 => format!(
            "Static TWFE ({twfe:.4}) is a weighted average of 2×2 comparisons; {pct:.0}% of its \
             weight is on later adopters compared with earlier ones that are already treated \
             (their average estimate {forbidden_mean:.4}). Where effects change with time since \
             adoption, those comparisons are biased, and so is TWFE."
        ),
        Lang::Zh if forbidden_weight > 0.0 => format!(
            "静态双向固定效应（{twfe:.4}）是各 2×2 比较的加权平均；其中 {pct:.0}% 的权重落在\
             以已采纳地区为对照的后采纳者上（这些比较的平均估计为 {forbidden_mean:.4}）。\
             若效应随采纳时间变化，这些比较有偏，静态双向固定效应也随之有偏。"
        ),
        Lang::En => format!(
            "Static TWFE ({twfe:.4}) rests only on comparisons with untreated places: one cohort \
             adopts, so no already-treated place serves as a control."
        ),
        Lang::Zh => format!(
            "静态双向固定效应（{twfe:.4}）只依赖与未处理地区的比较：只有一个采纳批次，\
             没有已处理地区充当对照。"
        ),
    }
}

/// What each estimator assumes, in plain sentences.
pub fn assumption(estimator: Estimator, lang: Lang) -> &'static str {
    match estimator {
        Estimator::Twfe => tr(
            "TWFE (static): parallel trends and an effect that is the same for every cohort and \
             every period since adoption. When effects differ, already-treated places act as \
             controls and β can even take the wrong sign.",
            "静态双向固定效应：平行趋势，且每个批次、采纳后每一期的效应都相同。效应不同时，\
             已处理地区被当作对照，β 甚至可能符号相反。",
        ),
        Estimator::TwfeEventStudy => tr(
            "TWFE event study: parallel trends and effects that depend on event time only, the \
             same for every cohort; otherwise each coefficient mixes in effects of other event \
             times (Sun & Abraham 2021).",
            "双向固定效应事件研究：平行趋势，且效应只随事件时间变化、各批次相同；否则每个系数\
             都混入了其他事件时间的效应（Sun & Abraham 2021）。",
        ),
        Estimator::CallawaySantAnna => tr(
            "Callaway–Sant'Anna: parallel trends between each cohort and its comparison places \
             (never treated, or not yet treated), and no effect before adoption. Effects may \
             differ freely across cohorts and periods.",
            "Callaway–Sant'Anna：每个批次与其对照地区（从未采纳或尚未采纳）之间平行趋势，\
             采纳前无效应。效应可以在批次和期间之间任意不同。",
        ),
        Estimator::SunAbraham => tr(
            "Sun–Abraham: parallel trends with the never-treated (or last-treated) places and \
             no effect before adoption; effects may differ across cohorts.",
            "Sun–Abraham：与从未采纳（或最后采纳）的地区平行趋势，采纳前无效应；效应可以因批次而异。",
        ),
        Estimator::Imputation => tr(
            "Imputation (Borusyak, Jaravel & Spiess 2024): untreated outcomes follow place plus \
             period effects (parallel trends for every place in every period) and there is no \
             effect before adoption; effects may differ freely. Its SEs are conservative when \
             effects differ across places.",
            "插补估计（Borusyak、Jaravel 与 Spiess 2024）：未处理结果由地区效应加期间效应构成\
             （所有地区所有期间平行趋势），采纳前无效应；效应可以任意不同。效应因地区而异时，\
             其标准误偏保守。",
        ),
    }
    .get(lang)
}

pub const BACON_TITLE: Tr = tr(
    "Goodman-Bacon decomposition of static TWFE",
    "静态双向固定效应的 Goodman-Bacon 分解",
);
pub const BACON_SCATTER: Tr = tr("Each 2×2 comparison", "每个 2×2 比较");
pub const BACON_BARS: Tr = tr(
    "Weighted mean by comparison type (weight share)",
    "按比较类型的加权平均（权重占比）",
);
pub const BACON_WEIGHT_AXIS: Tr = tr("Weight in the TWFE estimate", "在双向固定效应估计中的权重");
pub const BACON_ESTIMATE_AXIS: Tr = tr("2×2 estimate", "2×2 估计值");
pub const BACON_NOTE: Tr = tr(
    "Dots: each comparison of two cohorts (labels: treated vs comparison cohort); blue: treated \
     vs never treated; vermillion: earlier vs later adopters; green: later vs already-treated \
     earlier adopters. The weights sum to one and the weighted mean of the estimates is the \
     static TWFE estimate.",
    "点：两个批次之间的每个比较（标签：处理批次 vs 对照批次）；蓝色：处理组 vs 从未采纳组；\
     橙红色：先采纳 vs 后采纳；绿色：后采纳 vs 已处理的先采纳者。权重之和为 1，\
     各估计的加权平均即静态双向固定效应估计。",
);
pub const NEVER_SHORT: Tr = tr("never", "从未");
