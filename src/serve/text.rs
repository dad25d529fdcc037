//! Every word the classroom page shows, in English and Chinese, in one table.
//!
//! English meanings of parameters and metrics come from the same declarations that
//! `cadre-sim params` prints (`ParamSpec::meaning`, `Metric::definition`); scenario
//! descriptions come from the scenario files. This file adds short labels and the Chinese
//! versions, so a translator finds everything in one place. Tests check that every built-in
//! scenario, lever, status and page label has both languages.

use super::request::{Allowed, ApiError, MAX_WORK, Problem};
use crate::i18n::Lang;
use crate::model::params::{MAX_SEED, ParamId, Range};

/// A text in both languages.
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize)]
pub struct Text<S = &'static str> {
    pub en: S,
    pub zh: S,
}

const fn t(en: &'static str, zh: &'static str) -> Text {
    Text { en, zh }
}

/// A regime lever the page offers as a slider.
#[derive(Debug, Clone, Copy)]
pub struct Lever {
    /// The `[regime]` parameter it sets.
    pub param: ParamId,
    /// A short label for the slider.
    pub label: Text,
    /// The parameter's meaning in Chinese (the English one is `ParamSpec::meaning`).
    pub meaning_zh: &'static str,
    /// The slider's end for a parameter without an upper bound (ignored for [0, 1]).
    pub slider_max: f64,
}

const fn lever(param: ParamId, label: Text, meaning_zh: &'static str, slider_max: f64) -> Lever {
    Lever {
        param,
        label,
        meaning_zh,
        slider_max,
    }
}

/// The sliders, in the order the page shows them (the list of main regime levers).
pub const LEVERS: &[Lever] = &[
    lever(
        ParamId::Detect,
        t("Detection of failures", "失误被发现的概率"),
        "一项失败的改革被发现并立案的概率。",
        1.0,
    ),
    lever(
        ParamId::Severity,
        t("Severity of sanction", "问责处分的力度"),
        "诚实失误一旦被处分，对干部仕途造成的损失。",
        10.0,
    ),
    lever(
        ParamId::InitiationBase,
        t("Reviews started by leaders", "领导主动启动容错认定"),
        "在没有任何责任要求时，单位“一把手”对已发现的失误启动容错认定的概率。",
        1.0,
    ),
    lever(
        ParamId::LeaderDuty,
        t("Top-leader duty", "一把手责任"),
        "“一把手”责任：要求领导启动认定，弥合与“每案必审”之间差距的比例。",
        1.0,
    ),
    lever(
        ParamId::Publish,
        t("Publication of cases", "案例公开"),
        "已作出结论的诚实失误案例向全体干部公开的概率。",
        1.0,
    ),
    lever(
        ParamId::Credibility,
        t("Credibility of conclusions", "结论的公信力"),
        "干部在多大程度上相信自己听到的案例（本单位的和公开的）。",
        1.0,
    ),
    lever(
        ParamId::Sensitivity,
        t("Tolerance of honest failures", "诚实失误获容错"),
        "容错认定正确地宽容一项诚实失误的概率。",
        1.0,
    ),
    lever(
        ParamId::Specificity,
        t("Refusal of violations", "谋私违纪不予容错"),
        "容错认定正确地拒绝宽容谋取私利的违纪行为的概率。",
        1.0,
    ),
    lever(
        ParamId::CorrectionCapacity,
        t("Correction capacity", "纠错能力"),
        "一项失败的改革被及时发现并纠正的概率。",
        1.0,
    ),
    lever(
        ParamId::ReviewDelay,
        t("Review delay (quarters)", "认定耗时（季度）"),
        "容错认定在作出结论前额外花费的步数（每步一个季度）。",
        12.0,
    ),
    lever(
        ParamId::Heterogeneity,
        t("Differences between units", "地区与单位差异"),
        "各单位在宽严尺度、认定质量和领导积极性上的差异程度。",
        1.0,
    ),
];

/// The paper's concepts (model.md's table): the second sentence of the "why" panel.
pub const CONCEPTS: &[(&str, Text)] = &[
    (
        "D1",
        t(
            "In the paper this is dilemma D1: strict accountability and encouragement are not coordinated, so a failed reform is weighed against a likely sanction.",
            "对应论文困境D1：严管与厚爱未能统筹，干部把失败后可能受到的处分与改革的收益放在一起权衡。",
        ),
    ),
    (
        "D2",
        t(
            "In the paper this is dilemma D2: reviews are hard to start, because leaders fear the blame of tolerating the wrong case.",
            "对应论文困境D2：容错认定启动难，领导担心宽容错了案件而被追责。",
        ),
    ),
    (
        "D3",
        t(
            "In the paper this is dilemma D3: the procedure is slow and not scientific enough, so reviews take time and misjudge cases.",
            "对应论文困境D3：程序不够科学、运行迟缓，认定耗时且容易误判。",
        ),
    ),
    (
        "D4",
        t(
            "In the paper this is dilemma D4: conclusions lack credibility, and cadres learn the odds of tolerance only from cases they see and trust.",
            "对应论文困境D4：结论公信力不足，干部只能从看到并相信的案例中判断容错的可能性。",
        ),
    ),
    (
        "D5",
        t(
            "In the paper this is dilemma D5: places and units apply the mechanism unevenly.",
            "对应论文困境D5：各地各单位执行尺度不平衡。",
        ),
    ),
    (
        "O1",
        t(
            "In the paper this is path O1, top-level design: common criteria for every unit.",
            "对应论文优化路径O1：加强顶层设计，统一各单位的认定标准。",
        ),
    ),
    (
        "O2",
        t(
            "In the paper this is path O2: the top leader (一把手) is made responsible for starting reviews.",
            "对应论文优化路径O2：压实“一把手”责任，由其负责启动容错认定。",
        ),
    ),
    (
        "O3",
        t(
            "In the paper this is path O3, openness inside the Party: cases are published and conclusions trusted.",
            "对应论文优化路径O3：推进党内公开透明，公开案例，增强结论公信力。",
        ),
    ),
    (
        "O4",
        t(
            "In the paper this is path O4, tolerance together with correction: losses are caught and recovered.",
            "对应论文优化路径O4：容错与纠错并举，及时发现并挽回损失。",
        ),
    ),
    (
        "O5",
        t(
            "In the paper this is path O5, rule by regulations: fast, consistent, accurate decisions.",
            "对应论文优化路径O5：依规依纪，作出快速、一致、准确的认定。",
        ),
    ),
];

/// Each built-in scenario: a short button label and the description in Chinese (the
/// English description is the scenario file's).
pub const SCENARIOS: &[(&str, Text, &str)] = &[
    (
        "strict_accountability",
        t("Strict accountability", "严格问责"),
        "严格问责、容错机制形同虚设：从不启动容错认定，即使启动也不会宽容诚实失误。每一项被发现的失误都会受到处分，干部每做一项改革都要面对失败后必然受罚的风险。",
    ),
    (
        "nominal_tolerance",
        t("Tolerance on paper", "名义上的容错"),
        "实践中常见的情形：容错机制写在纸上，但已发现的诚实失误只有大约五分之一启动认定（“一把手”启动的基础概率为十分之一，有的一把手更积极，有的干部主动申请），认定慢且随意，各单位差异大，公开的案例很少。干部认识到失误通常会受罚，因此大多数人回避有风险的改革。",
    ),
    (
        "o1_top_level_design",
        t("O1 Top-level design", "O1 顶层设计"),
        "优化路径O1，顶层设计：各单位使用同一套标准，地区差异缩小，认定更可靠地识别诚实失误。但只要认定仍很少启动，单独使用效果有限。",
    ),
    (
        "o2_top_leader",
        t("O2 Top leader", "O2 一把手责任"),
        "优化路径O2，“一把手”责任：失误被发现后，单位一把手须启动容错认定，弥合了与“每案必审”之间的大部分差距。更多诚实失误得到认定和宽容，干部也看在眼里。",
    ),
    (
        "o3_openness",
        t("O3 Openness", "O3 党内公开"),
        "优化路径O3，党内公开透明：多数已作出结论的案例被公开，结论受到信任。单独使用会适得其反：公开的多是受处分的案例，干部更快地变得悲观。与O2配合，才能传播诚实失误获得宽容的消息。",
    ),
    (
        "o4_tolerance_with_correction",
        t("O4 Tolerance with correction", "O4 容错纠错并举"),
        "优化路径O4，容错与纠错并举：失误被及早发现，大部分损失得以挽回，已纠正的失误更容易获得宽容。纠错率提高一倍以上，社会价值上升。",
    ),
    (
        "o5_legalization",
        t("O5 Rule by regulations", "O5 依规依纪"),
        "优化路径O5，依规依纪：成文规则使认定更快、各单位更一致，更能区分诚实失误与谋私违纪。",
    ),
    (
        "optimized_path",
        t("All paths O1–O5", "O1–O5 综合优化"),
        "五条优化路径并举（O1–O5）：统一标准、一把手必须启动认定、结论公开可信、容错与纠错并举、依规快速认定。干部看到诚实失误得到宽容，改革积极性大幅提高，而违纪行为仍被区分并受到处分。",
    ),
    (
        "lax_tolerance",
        t("Lax tolerance", "宽松纵容"),
        "容错变成纵容：几乎每个案件都被认定并宽容，违纪也不例外，纠错很少。积极性与综合优化路径一样高，但谋私违纪成倍增加，许多被错误地宽容。容错不是纵容（三个区分开来）。",
    ),
    (
        "mechanism_introduced",
        t("Mechanism introduced at step 20", "第20步引入机制"),
        "政策时间线：先是五年严格问责、没有有效的容错机制，第20步起引入完整的优化机制。请观察积极性恢复得多么缓慢：干部必须先看到失误被宽容，才会相信。",
    ),
];

/// The cadre statuses of the world view: label and a one-line explanation.
pub const STATUSES: &[(&str, Text, Text)] = &[
    (
        "passive",
        t("passive", "观望"),
        t(
            "active, but took no reform this quarter",
            "在岗，本季度没有推进改革",
        ),
    ),
    (
        "reforming",
        t("reforming", "推进改革"),
        t("took a reform action this quarter", "本季度推进了一项改革"),
    ),
    (
        "under_review",
        t("under review", "认定中"),
        t("waiting for the decision on a case", "案件正在等待结论"),
    ),
    (
        "tolerated",
        t("tolerated", "获容错"),
        t(
            "an honest failure was tolerated this quarter",
            "本季度一项诚实失误获得宽容",
        ),
    ),
    (
        "sanctioned",
        t("sanctioned", "受处分"),
        t("sidelined by a sanction", "因处分而暂停工作"),
    ),
    (
        "lying_flat",
        t("lying flat", "躺平"),
        t(
            "declined 8 or more opportunities in a row",
            "连续8次以上放弃改革机会",
        ),
    ),
];

/// The charts: metric, label, its definition in Chinese (English: `Metric::definition`),
/// and the title of its value axis.
pub const CHARTS: &[(&str, Text, &str, Text)] = &[
    (
        "initiative",
        t("Initiative", "改革积极性"),
        "推进的改革数 / 在岗干部遇到的改革机会数",
        t("reforms per opportunity", "推进改革数 / 改革机会数"),
    ),
    (
        "error_rate",
        t("Error rate", "失误率"),
        "失败的改革数 / 干部数",
        t("failed reforms per cadre", "失败的改革数 / 干部数"),
    ),
    (
        "correction_rate",
        t("Correction rate", "纠错率"),
        "被纠正的失误数 / 失误数",
        t("share of failures corrected", "被纠正的失误占比"),
    ),
    (
        "tolerance_rate",
        t("Tolerance rate", "容错率"),
        "获宽容的案件数 / 本步作出结论的诚实失误案件数",
        t("share of honest cases tolerated", "诚实失误获宽容的占比"),
    ),
];

/// The page's own labels, by the key the page uses (`data-i18n` in index.html, `tr()` in
/// app.js).
pub const UI: &[(&str, Text)] = &[
    (
        "title",
        t(
            "Fault tolerance in the classroom",
            "容错纠错机制 · 课堂演示",
        ),
    ),
    (
        "subtitle",
        t(
            "cadre-sim: how a tolerance regime shapes cadres' will to reform",
            "cadre-sim：容错纠错机制如何影响干部的改革意愿",
        ),
    ),
    ("presets", t("Scenarios", "情景")),
    ("levers", t("Regime levers", "机制参数")),
    ("editing", t("Sliders change", "滑块调整")),
    ("side_a", t("Regime A", "方案A")),
    ("side_b", t("Regime B", "方案B")),
    ("compare", t("Side by side", "并排对比")),
    ("run", t("Run", "运行")),
    ("pause", t("Pause", "暂停")),
    ("resume", t("Resume", "继续")),
    ("speed", t("Speed", "速度")),
    ("steps_per_s", t("steps/s", "步/秒")),
    ("cadres", t("Cadres", "干部数")),
    ("steps", t("Quarters", "季度数")),
    ("seed", t("Seed", "随机种子")),
    ("step", t("Quarter", "季度")),
    ("of", t("of", "/")),
    (
        "world",
        t(
            "World view: one square per cadre, grouped by unit",
            "全景：每个方格是一名干部，按单位分组",
        ),
    ),
    ("why", t("Why it matters", "原理说明")),
    (
        "why_hint",
        t(
            "Move a slider or pick a scenario to see what it does in the model.",
            "拖动滑块或选择情景，查看它在模型中的作用。",
        ),
    ),
    ("modified", t("modified", "已调整")),
    ("reset", t("Reset", "恢复情景设置")),
    (
        "same_seed",
        t(
            "Both regimes use the same seed and the same cadres.",
            "两个方案使用相同的随机种子和相同的干部。",
        ),
    ),
    ("running", t("running", "运行中")),
    ("done", t("done", "完成")),
    ("paused", t("paused", "已暂停")),
    (
        "ready",
        t("Pick a scenario and press Run.", "选择情景后点击“运行”。"),
    ),
    ("error", t("This run cannot start.", "无法开始运行。")),
    (
        "stream_ended",
        t(
            "The run stopped before its end. Press Run again.",
            "运行未完成就中断了。请再次点击“运行”。",
        ),
    ),
    (
        "network",
        t(
            "The page cannot reach the server. Check that cadre-sim serve is still running, then press Run again.",
            "页面无法连接服务器。请确认 cadre-sim serve 仍在运行，然后再次点击“运行”。",
        ),
    ),
    ("average_pre", t("Average of", "取")),
    ("average_post", t("runs", "次运行的平均")),
    (
        "band",
        t(
            "Lines: the average of the runs; shaded band: from the lowest to the highest run. The world view shows run 1.",
            "曲线：各次运行的平均；阴影：从最低到最高的一次运行。全景显示第1次运行。",
        ),
    ),
    ("policy_change", t("policy change", "政策调整")),
    ("headline", t("Last {w} quarters:", "最后{w}个季度：")),
    (
        "headline_hint",
        t(
            "Each metric averaged over the last {w} quarters of the run (as `cadre-sim run` prints it); the change is B relative to A.",
            "各指标在运行最后{w}个季度的平均值（与 cadre-sim run 的输出相同）；变化为B相对于A。",
        ),
    ),
    ("lang", t("中文", "English")),
    ("concept", t("Concept", "对应概念")),
];

/// How the page names the run settings in its messages.
const SETTINGS: &[(ParamId, Text)] = &[
    (ParamId::Cadres, t("The number of cadres", "干部数")),
    (ParamId::Steps, t("The number of quarters", "季度数")),
    (ParamId::Seed, t("The seed", "随机种子")),
    (
        ParamId::Replicates,
        t("The number of runs to average", "平均的运行次数"),
    ),
];

/// A refused run in plain words, in `lang`: what is wrong and what to change, without the
/// parameter keys and command-line advice of the English `error` (which scripts read).
pub fn error_message(e: &ApiError, lang: Lang) -> String {
    let zh = lang == Lang::Zh;
    match e.problem.as_ref() {
        Problem::OutOfRange(allowed) => {
            let key = e.parameter.as_deref().unwrap_or("");
            // The answer names the parameter by its key (scripts read it); the words for
            // people are found by id.
            let id = ParamId::from_key(key);
            let name = SETTINGS
                .iter()
                .find(|(k, _)| Some(*k) == id)
                .map(|(_, t)| {
                    if zh {
                        t.zh.to_string()
                    } else {
                        t.en.to_string()
                    }
                })
                .or_else(|| {
                    LEVERS.iter().find(|l| Some(l.param) == id).map(|l| {
                        if zh {
                            format!("“{}”", l.label.zh)
                        } else {
                            format!("“{}”", l.label.en)
                        }
                    })
                })
                .unwrap_or_else(|| format!("`{key}`"));
            let value = e.value.as_ref().map(|v| v.to_string()).unwrap_or_default();
            let allowed = allowed_text(*allowed, zh);
            if zh {
                format!("{name}必须是{allowed}（当前为{value}）。请修改后再点击“运行”。")
            } else {
                format!("{name} must be {allowed} (it is {value}). Change it and press Run again.")
            }
        }
        Problem::TooMuchWork {
            replicates,
            cadres,
            steps,
        } => {
            let cap = MAX_WORK;
            if zh {
                format!(
                    "{replicates}次运行 × {cadres}名干部 × {steps}个季度，超过了课堂服务器一次能计算的量\
                     （运行次数 × 干部数 × 季度数最多为{cap}）。请减少平均的运行次数、干部数或季度数。"
                )
            } else {
                format!(
                    "{replicates} runs × {cadres} cadres × {steps} quarters is more than the \
                     classroom server computes at once (runs × cadres × quarters at most {cap}). \
                     Average fewer runs, or use fewer cadres or quarters."
                )
            }
        }
        Problem::EventBeyondRun { at, .. } => {
            let need = at + 1;
            if zh {
                format!(
                    "这个情景在第{need}季度前调整政策，运行至少需要{need}个季度。请增加季度数。"
                )
            } else {
                format!(
                    "This scenario changes its policy before quarter {need}, so the run needs at \
                     least {need} quarters. Set more quarters."
                )
            }
        }
        Problem::Busy => {
            let n = super::MAX_RUNS;
            if zh {
                format!("服务器正在同时计算{n}个运行。请稍等片刻，再点击“运行”。")
            } else {
                format!(
                    "The server is already computing {n} runs. Wait a moment, then press Run again."
                )
            }
        }
        Problem::UnknownScenario => pick(
            zh,
            "The server does not know this scenario. Reload the page and pick a scenario button.",
            "服务器不认识这个情景。请刷新页面，然后选择一个情景按钮。",
        ),
        Problem::InvalidRequest => pick(
            zh,
            "The server could not read the page's request. Reload the page and try again.",
            "服务器无法读取页面发送的请求。请刷新页面后重试。",
        ),
        Problem::NotFound => pick(
            zh,
            "There is no such page. The classroom page is at /.",
            "没有这个页面。课堂演示页面在 / 。",
        ),
        Problem::Class(kind) => super::class::text::problem_message(kind, lang),
        Problem::MethodNotAllowed => pick(
            zh,
            "The server does not answer this kind of request here.",
            "服务器在这里不接受这种请求。",
        ),
    }
}

fn pick(zh: bool, en: &str, zh_text: &str) -> String {
    if zh { zh_text } else { en }.to_string()
}

/// The allowed values in words: "a whole number from 1 to 100000" / "1到100000之间的整数".
fn allowed_text(allowed: Allowed, zh: bool) -> String {
    let (lo, hi) = match allowed {
        Allowed::Integer { min, max } => (min, max),
        Allowed::Range(Range::Size(max)) => (1, max as u64),
        Allowed::Range(Range::Seed) => (0, MAX_SEED),
        Allowed::Range(Range::Unit) => {
            return pick(zh, "a number from 0 to 1", "0到1之间的数");
        }
        Allowed::Range(Range::Positive) => {
            return pick(zh, "a number above 0", "大于0的数");
        }
        Allowed::Range(Range::NonNegative) => {
            return pick(zh, "a number of 0 or more", "不小于0的数");
        }
        Allowed::Range(Range::Count) => {
            return pick(zh, "a whole number of 0 or more", "不小于0的整数");
        }
    };
    if zh {
        format!("{lo}到{hi}之间的整数")
    } else {
        format!("a whole number from {lo} to {hi}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::params::Section;
    use crate::scenario::builtin;

    #[test]
    fn every_scenario_lever_status_and_chart_is_translated() {
        for name in builtin::names() {
            assert!(
                SCENARIOS.iter().any(|(n, ..)| *n == name),
                "scenario {name} has no label or Chinese description"
            );
        }
        for lever in LEVERS {
            let spec = lever.param.spec();
            assert_eq!(
                spec.section,
                Section::Regime,
                "{}: levers are regime params",
                spec.key()
            );
            let concept = CONCEPTS.iter().find(|(c, _)| *c == spec.concept);
            assert!(
                concept.is_some(),
                "{}: concept {} has no text",
                spec.name,
                spec.concept
            );
        }
        for status in crate::worldview::STATUSES {
            let name = crate::worldview::style(status).name;
            assert!(STATUSES.iter().any(|(n, ..)| *n == name), "status {name}");
        }
        for (metric, _, _, axis) in CHARTS {
            assert!(!axis.en.is_empty() && !axis.zh.is_empty(), "{metric} axis");
            assert!(
                crate::model::Metric::from_name(metric).is_some(),
                "{metric}"
            );
        }
        let all = UI
            .iter()
            .map(|(_, t)| t)
            .chain(SCENARIOS.iter().map(|(_, t, _)| t))
            .chain(LEVERS.iter().map(|l| &l.label));
        for text in all {
            assert!(!text.en.is_empty() && !text.zh.is_empty(), "{text:?}");
        }
    }

    /// Every label the page asks for by key exists: `data-i18n="key"` in index.html and
    /// `tr("key")` in app.js.
    #[test]
    fn every_key_the_page_uses_is_in_the_table() {
        let mut used = Vec::new();
        for (text, open) in [
            (super::super::assets::INDEX_HTML, "data-i18n=\""),
            (super::super::assets::APP_JS, "tr(\""),
        ] {
            for piece in text.split(open).skip(1) {
                used.push(piece.split('"').next().unwrap().to_string());
            }
        }
        assert!(used.len() > 10, "the page uses its labels by key");
        for key in used {
            assert!(UI.iter().any(|(k, _)| *k == key), "UI key `{key}` missing");
        }
    }
}
