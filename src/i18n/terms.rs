//! The translation table: metric, scenario and parameter names, and the fixed words of plots
//! and reports.

use super::{Lang, Tr, tr};
use crate::model::Metric;
use crate::model::params::ParamId;
use crate::scenario::factor::StudyKey;

/// (label, unit) of each metric.
pub fn metric_terms(metric: Metric) -> (Tr, Tr) {
    let share = tr("share", "比例");
    let per_step = tr("count per step", "每季度次数");
    match metric {
        Metric::Initiative => (
            tr("Initiative", "担当作为率"),
            tr("reforms / opportunities", "改革次数/机会"),
        ),
        Metric::ErrorRate => (
            tr("Error rate", "失误率"),
            tr("failures / cadres", "失误/干部人数"),
        ),
        Metric::CorrectionRate => (
            tr("Correction rate", "纠错率"),
            tr("corrected / failures", "已纠正/失误"),
        ),
        Metric::InitiationRate => (
            tr("Review initiation rate", "容错启动率"),
            tr("reviewed / detected", "启动/发现"),
        ),
        Metric::ToleranceRate => (
            tr("Tolerance rate", "容错认定率"),
            tr("tolerated / decided", "容错/认定"),
        ),
        Metric::Violations => (tr("Violations", "违纪违规"), per_step),
        Metric::Abuses => (
            tr("Abuses (violations tolerated)", "滥用容错（违规被容错）"),
            per_step,
        ),
        Metric::AbusesRevealed => (tr("Abuses revealed", "滥用容错被揭露"), per_step),
        Metric::MeanBelief => (
            tr("Mean belief in tolerance", "容错预期（平均）"),
            tr("probability", "概率"),
        ),
        Metric::MeanEngagement => (
            tr("Top-leader engagement", "一把手启动意愿"),
            tr("probability", "概率"),
        ),
        Metric::SocialValue => (
            tr("Social value", "社会价值"),
            tr("value units per step", "每季度价值"),
        ),
        Metric::LyingFlat => (tr("Lying flat", "躺平比例"), share),
        Metric::ActiveShare => (tr("Active cadres", "在岗干部比例"), share),
        Metric::UnitInitiativeSd => (
            tr("Spread across units", "单位间差异"),
            tr("sd of initiative", "担当作为率标准差"),
        ),
    }
}

/// (label, Chinese description) of each built-in scenario.
pub fn scenario_terms(name: &str) -> Option<(Tr, &'static str)> {
    Some(match name {
        "strict_accountability" => (
            tr("Strict accountability", "严格问责"),
            "只有问责、没有可用的容错：从不启动容错程序，出现失误必受处分。干部把每一项改革都与失败后的确定处分相权衡。",
        ),
        "nominal_tolerance" => (
            tr("Nominal tolerance", "名义容错"),
            "容错纠错机制写在纸上：被发现的诚实失误只有约五分之一启动容错（一把手启动的基础概率为十分之一，有的一把手更积极，有的干部主动申请），认定慢且有误差，各地标准不一，公开的案例很少。干部认为失误通常会被问责，多数人不愿承担改革风险。",
        ),
        "o1_top_level_design" => (
            tr("O1 Top-level design", "O1 顶层设计"),
            "路径O1，顶层设计：统一各单位的容错标准，地区差异缩小，认定更准确。但只要容错仍很少启动，单靠它变化不大。",
        ),
        "o2_top_leader" => (
            tr("O2 Top-leader duty", "O2 一把手责任"),
            "路径O2，压实一把手责任：失误被发现后一把手必须启动容错程序。更多诚实失误得到认定和容错，干部也看在眼里。",
        ),
        "o3_openness" => (
            tr("O3 Openness", "O3 党内公开"),
            "路径O3，党内公开：多数认定结果公开且可信。单独实行会适得其反：公开的多是被问责的案例，干部更快变得悲观；与O2结合才能传播容错的消息。",
        ),
        "o4_tolerance_with_correction" => (
            tr("O4 Tolerance with correction", "O4 容错与纠错并举"),
            "路径O4，容错与纠错并举：及早发现失误、挽回大部分损失，已纠正的失误更容易被容错。纠错率翻倍以上，社会价值上升。",
        ),
        "o5_legalization" => (
            tr("O5 Rule by regulations", "O5 法治化"),
            "路径O5，以制度法规规范容错：成文规则使认定更快、各地更一致，更能把诚实失误与谋私违规区分开来。",
        ),
        "optimized_path" => (
            tr("Optimized path (O1–O5)", "优化路径（O1–O5）"),
            "五条优化路径同时实施：统一标准、一把手必须启动、结论公开可信、容错与纠错并举、依规快速认定。干部看到诚实失误被容错，改革积极性大幅提高，违规仍被区分并问责。",
        ),
        "lax_tolerance" => (
            tr("Lax tolerance", "宽松容错（纵容）"),
            "容错变成纵容：几乎每个案例都启动容错并被宽免，违规也不例外，纠错很少。担当作为率与优化路径相当，但谋私违规成倍增加，很多被错误容错。容错不是纵容（三个区分开来）。",
        ),
        "mechanism_introduced" => (
            tr("Mechanism introduced at step 20", "第20季度引入容错机制"),
            "政策时间线：前五年严格问责、没有可用的容错，第20季度起全面实施优化后的容错纠错机制。注意担当作为恢复得很慢：干部要先看到失误被容错，才会相信。",
        ),
        _ => return None,
    })
}

/// Short names of the keys of the places and the rollout that a sweep may vary (axis
/// labels, like [`param_names`]).
pub fn study_names(key: StudyKey) -> Tr {
    match key {
        StudyKey::PlacesCount => tr("Places (count)", "地区数"),
        StudyKey::StrengthSpread => tr("Spread of implementation strength (sd)", "执行力度离散度"),
        StudyKey::PublishScope => tr("Publication scope", "案例公开范围"),
        StudyKey::RolloutAssign => tr("Order of adoption", "推行顺序"),
        StudyKey::RolloutStart => tr("First cohort adopts (step)", "首批推行时点（季度）"),
        StudyKey::RolloutSpacing => tr("Steps between cohorts", "批次间隔（季度）"),
        StudyKey::RolloutShare => tr("Share of places that adopt", "推行地区比例"),
    }
}

/// Short names of the parameters (with their unit where it helps): what axis labels of sweep
/// plots and parameter tables show. `cadre-sim params` gives the full meanings. A `match`
/// without a fallback, so that a parameter added without a name does not compile.
pub fn param_names(id: ParamId) -> Tr {
    match id {
        ParamId::Steps => tr("Steps simulated (quarters)", "模拟季度数"),
        ParamId::Replicates => tr("Replicates", "重复次数"),
        ParamId::Seed => tr("Master seed", "主随机种子"),
        ParamId::Cadres => tr("Cadres (count)", "干部人数"),
        ParamId::UnitSize => tr("Cadres per unit", "每单位干部人数"),
        ParamId::SkillAlpha => tr("Skill Beta α", "能力分布参数α"),
        ParamId::SkillBeta => tr("Skill Beta β", "能力分布参数β"),
        ParamId::LossAversion => tr("Loss aversion λ (median)", "损失厌恶系数λ（中位数）"),
        ParamId::LossAversionSpread => tr("Spread of ln λ (sd)", "损失厌恶离散度"),
        ParamId::IntegrityAlpha => tr("Integrity Beta α", "廉洁分布参数α"),
        ParamId::IntegrityBeta => tr("Integrity Beta β", "廉洁分布参数β"),
        ParamId::PriorTolerance => tr("Prior belief in tolerance (probability)", "初始容错预期"),
        ParamId::PriorStrength => tr("Weight of the prior (pseudo-cases)", "初始预期权重"),
        ParamId::OpportunityRate => tr(
            "Reform opportunities (probability per step)",
            "改革机会概率",
        ),
        ParamId::DifficultyAlpha => tr("Difficulty Beta α", "改革难度分布参数α"),
        ParamId::DifficultyBeta => tr("Difficulty Beta β", "改革难度分布参数β"),
        ParamId::SkillSharpness => tr("Skill sharpness of success", "成败对能力的敏感度"),
        ParamId::Reward => tr("Reward of a success (career units)", "改革成功奖励"),
        ParamId::Temperature => tr("Choice noise (temperature)", "决策噪声"),
        ParamId::SuccessValue => tr("Social value of a success", "成功改革的社会价值"),
        ParamId::FailureLoss => tr("Social loss of a failure", "失误的社会损失"),
        ParamId::Temptation => tr("Temptation to violate (probability)", "谋私诱惑"),
        ParamId::PrivateGain => tr("Private gain of a violation", "违规私利"),
        ParamId::ViolationLoss => tr("Social loss of a violation", "违规的社会损失"),
        ParamId::WeightUnit => tr("Weight of own-unit cases", "本单位案例权重"),
        ParamId::WeightPublished => tr("Weight of published cases", "公开案例权重"),
        ParamId::Memory => tr("Memory of beliefs (share kept)", "预期记忆"),
        ParamId::Detect => tr("Detection of failures (probability)", "失误被发现概率"),
        ParamId::Severity => tr(
            "Sanction of an honest failure (career units)",
            "问责处分力度",
        ),
        ParamId::SanctionSteps => tr("Sanction duration (steps)", "处分影响期"),
        ParamId::ViolationDetect => tr("Detection of violations (probability)", "违规被发现概率"),
        ParamId::ViolationSeverity => tr("Sanction of a violation (career units)", "违规处分力度"),
        ParamId::ViolationSanctionSteps => {
            tr("Violation sanction duration (steps)", "违规处分影响期")
        }
        ParamId::InactionDetect => tr("Detection of inaction (probability)", "不作为被发现概率"),
        ParamId::InactionPenalty => tr("Sanction of inaction (career units)", "不作为处分"),
        ParamId::InitiationBase => tr(
            "Leaders' own will to start reviews (probability)",
            "一把手启动容错基础意愿",
        ),
        ParamId::LeaderDuty => tr("Top-leader duty to start reviews (share)", "一把手启动责任"),
        ParamId::ReviewerBlame => tr(
            "Leader engagement lost per abuse (share)",
            "一把手被追责程度",
        ),
        ParamId::LeaderRecovery => tr(
            "Leader engagement regained (share per step)",
            "一把手意愿恢复速度",
        ),
        ParamId::SelfApplication => tr(
            "Self-application for review (probability)",
            "干部主动申请容错",
        ),
        ParamId::Sensitivity => tr(
            "Tolerance of honest failures (probability)",
            "诚实失误认定准确率",
        ),
        ParamId::Specificity => tr("Refusal of violations (probability)", "违规识别率"),
        ParamId::CorrectionBonus => tr("Tolerance bonus after correction", "纠错后容错加分"),
        ParamId::ReviewDelay => tr("Review delay (steps)", "认定耗时"),
        ParamId::Heterogeneity => tr("Spread across units (sd)", "地区差异"),
        ParamId::DecisionNoise => tr("Arbitrariness of decisions (noise)", "认定随意性"),
        ParamId::Publish => tr("Cases published (probability)", "案例公开比例"),
        ParamId::Credibility => tr("Credibility of cases (share)", "结论公信力"),
        ParamId::CorrectionCapacity => tr("Correction of failures (probability)", "纠错能力"),
        ParamId::Recovery => tr("Loss recovered by correction (share)", "损失挽回比例"),
        ParamId::AbuseReveal => tr(
            "Abuses revealed (probability per step)",
            "滥用容错被揭露概率",
        ),
    }
}

/// Chinese meanings of the parameters; the English meaning is the parameter's own `meaning`
/// (src/model/params.rs), which `cadre-sim params` prints. Exhaustive, like [`param_names`].
pub fn param_meaning_zh(id: ParamId) -> &'static str {
    match id {
        ParamId::Steps => "模拟的步数，每步为一个季度。",
        ParamId::Replicates => "独立重复次数，每次使用各自的随机数流，用于计算平均值和置信区间。",
        ParamId::Seed => "主随机种子；第r次重复的随机数只由（种子，r）决定。",
        ParamId::Cadres => "模拟的干部人数。",
        ParamId::UnitSize => "每个单位的干部人数；每个单位有一名可启动容错程序的一把手。",
        ParamId::SkillAlpha => "干部能力s的Beta分布形状参数α。",
        ParamId::SkillBeta => "干部能力s的Beta分布形状参数β。",
        ParamId::LossAversion => "损失厌恶系数λ的中位数：处分比同等奖励重多少倍。",
        ParamId::LossAversionSpread => "各干部ln λ的离散程度（正态分布的标准差）。",
        ParamId::IntegrityAlpha => "廉洁程度g的Beta分布形状参数α；越廉洁，谋私诱惑越少。",
        ParamId::IntegrityBeta => "廉洁程度g的Beta分布形状参数β。",
        ParamId::PriorTolerance => "初始预期：诚实失误被发现后不受处分的概率。",
        ParamId::PriorStrength => "初始预期相当于多少个虚拟案例；数值越大，预期越难改变。",
        ParamId::OpportunityRate => "在岗干部每季度遇到改革机会的概率。",
        ParamId::DifficultyAlpha => "改革机会难度d的Beta分布形状参数α。",
        ParamId::DifficultyBeta => "改革机会难度d的Beta分布形状参数β。",
        ParamId::SkillSharpness => {
            "成败对能力与难度之差的敏感程度：p = logistic(敏感度 × (s − d))。"
        }
        ParamId::Reward => "改革成功带来的职业奖励。",
        ParamId::Temperature => "决策噪声（logit温度）；数值越小，越接近严格按效用最大化选择。",
        ParamId::SuccessValue => "一项成功改革的社会价值。",
        ParamId::FailureLoss => "一项失败改革在纠错前的社会损失。",
        ParamId::Temptation => "廉洁程度为零的干部每季度考虑谋私违规的概率。",
        ParamId::PrivateGain => "违规给违规干部本人带来的私利。",
        ParamId::ViolationLoss => "一次谋私违规的社会损失。",
        ParamId::WeightUnit => "干部对本单位每个已认定案例的重视程度（权重）。",
        ParamId::WeightPublished => "干部对每个公开案例的重视程度（权重）。",
        ParamId::Memory => "上季度预期证据的保留比例；其余部分回归初始预期。",
        ParamId::Detect => "改革失误被发现并立案的概率。",
        ParamId::Severity => "诚实失误受处分时的职业处分力度。",
        ParamId::SanctionSteps => "因诚实失误受处分的干部被搁置的季度数。",
        ParamId::ViolationDetect => "谋私违规被发现的概率。",
        ParamId::ViolationSeverity => "违规受处分时的职业处分力度。",
        ParamId::ViolationSanctionSteps => "因违规受处分的干部被搁置的季度数。",
        ParamId::InactionDetect => "不作为（放弃改革机会）被发现并问责的概率。",
        ParamId::InactionPenalty => "被发现的不作为所受处分（对不作为的问责）。",
        ParamId::InitiationBase => "没有责任要求时，单位一把手对已发现案例启动容错程序的概率。",
        ParamId::LeaderDuty => "一把手责任：责任要求弥合的、与“始终启动容错”之间差距的比例。",
        ParamId::ReviewerBlame => "本单位容错的滥用案例每被揭露一次，一把手启动意愿下降的比例。",
        ParamId::LeaderRecovery => "一把手每季度恢复的、与目标启动意愿之间差距的比例。",
        ParamId::SelfApplication => "确信会被容错的干部主动申请容错的概率（按其预期缩放）。",
        ParamId::Sensitivity => "容错认定正确宽免诚实失误的概率。",
        ParamId::Specificity => "容错认定正确拒绝宽免谋私违规的概率。",
        ParamId::CorrectionBonus => "已纠正失误额外增加的容错概率（容错与纠错并举）。",
        ParamId::ReviewDelay => "容错认定在作出结论前额外耗费的季度数。",
        ParamId::Heterogeneity => "各单位在宽严尺度、认定质量和一把手意愿上的差异。",
        ParamId::DecisionNoise => "逐案认定结论的随机波动（随意性）。",
        ParamId::Publish => "已认定的诚实失误案例向全体干部公开的概率。",
        ParamId::Credibility => "干部对所知案例（本单位及公开案例）的信任程度。",
        ParamId::CorrectionCapacity => "失败的改革被及时发现并纠正的概率。",
        ParamId::Recovery => "已纠正失误的损失中被挽回的比例。",
        ParamId::AbuseReveal => "被错误容错的违规（滥用容错）每季度被揭露的概率。",
    }
}

// Fixed words of plots.

/// The x axis of every time-series plot.
pub const STEP_AXIS: Tr = tr("Step (quarter)", "季度");
/// A band's meaning, shown in captions.
pub const BAND_NOTE: Tr = tr(
    "lines: mean over replicates; bands: 95% confidence interval",
    "线：各次重复的平均值；阴影：95%置信区间",
);
pub const NOMINAL_SETTINGS: Tr = tr("nominal settings", "名义参数");
pub const REPLICATES: Tr = tr("replicates", "次重复");
pub const CADRES: Tr = tr("cadres", "名干部");
pub const POLICY_CHANGE: Tr = tr("policy change", "政策调整");
pub const RATE_AXIS: Tr = tr("Rate (share)", "比率");
pub const MEAN_FINAL: Tr = tr("Mean of the last steps", "末期平均值");

pub const TITLE_INITIATIVE: Tr = tr(
    "Initiative: do cadres take on reforms?",
    "担当作为：干部是否敢于改革？",
);
pub const TITLE_ERRORS: Tr = tr("Errors and violations", "失误与违纪违规");
pub const TITLE_CORRECTION: Tr = tr("Review and correction outcomes", "容错纠错结果");
pub const TITLE_BELIEFS: Tr = tr(
    "Credibility gap: belief vs actual tolerance",
    "公信力差距：容错预期与实际容错",
);
pub const TITLE_OVERVIEW: Tr = tr("Overview", "总览");
pub const TITLE_FINAL_MEANS: Tr = tr("Final-window means with 95% CI", "末期平均值及95%置信区间");
pub const TITLE_COMPARE: Tr = tr("Comparison", "比较");

// Fixed words of reports.

pub const REPORT_RUN: Tr = tr("Run report", "运行报告");
pub const REPORT_COMPARE: Tr = tr("Comparison of regimes", "容错纠错机制比较");
pub const SCENARIOS: Tr = tr("Scenarios", "情景");
pub const PARAMETERS: Tr = tr("Parameters that differ from nominal", "与名义参数不同之处");
pub const NO_DIFFERENCES: Tr = tr(
    "Every parameter has its nominal value.",
    "所有参数均为名义值。",
);
pub const PARAMETER: Tr = tr("parameter", "参数");
pub const VALUE: Tr = tr("value", "取值");
pub const NOMINAL: Tr = tr("nominal", "名义值");
pub const MEANING: Tr = tr("meaning", "含义");
pub const RESULTS: Tr = tr("Results", "结果");
pub const READING: Tr = tr("Reading", "解读");
pub const PLOTS: Tr = tr("Plots", "图表");
pub const METRIC: Tr = tr("metric", "指标");
pub const MEAN: Tr = tr("mean", "平均值");
pub const CI95: Tr = tr("95% CI", "95%置信区间");
pub const DIFFERENCE: Tr = tr("vs", "相对于");
pub const RATIO: Tr = tr("ratio", "比值");
pub const RUN_SETUP: Tr = tr("Run", "运行设置");
pub const WINDOW_NOTE: Tr = tr(
    "Values are each replicate's mean over the final steps, averaged over replicates; \
     differences are paired by replicate (common random numbers).",
    "数值为每次重复末期各季度的平均，再对各次重复取平均；差值按重复配对计算（共同随机数）。",
);
pub const GENERATED_BY: Tr = tr(
    "Generated by cadre-sim, an agent-based model after Cheng Weijie (2023), Governance Studies 39(4).",
    "由 cadre-sim 生成：基于程伟杰（2023，《治理研究》第39卷第4期）的干部容错纠错机制主体模型。",
);
pub const RAISES: Tr = tr("raises", "提高了");
pub const LOWERS: Tr = tr("lowers", "降低了");
pub const BARELY_CHANGES: Tr = tr("does not clearly change", "没有明显改变");
pub const FROM: Tr = tr("from", "从");
pub const TO: Tr = tr("to", "到");
pub const STEPS: Tr = tr("steps", "个季度");
pub const SEED: Tr = tr("seed", "随机种子");
pub const FINAL_WINDOW: Tr = tr("final window", "末期窗口");

// Sensitivity analysis.
pub const SENSITIVITY_OF: Tr = tr("Sensitivity of", "敏感性分析：");
pub const SOBOL_TOTAL: Tr = tr(
    "Total effect ST (with interactions)",
    "总效应指数 ST（含交互作用）",
);
pub const SOBOL_FIRST: Tr = tr(
    "First-order effect S1 (alone)",
    "一阶效应指数 S1（单独作用）",
);
pub const SOBOL_INDEX: Tr = tr("Sobol index (share of variance)", "Sobol指数（方差占比）");
pub const MORRIS_MU_STAR: Tr = tr(
    "Importance μ* (mean |elementary effect|)",
    "重要性 μ*（基本效应绝对值的均值）",
);
pub const MORRIS_SIGMA: Tr = tr("σ (interactions, non-linearity)", "σ（交互作用与非线性）");
pub const MORRIS_PLANE: Tr = tr("Morris μ*–σ plane", "Morris μ*–σ 图");

// Sweep plots.

pub const SWEEP: Tr = tr("sweep", "参数扫描");
pub const BASE_SCENARIO: Tr = tr("base", "基准情景");

/// "12 parameters change (listed in report.html)": a caption's stand-in for a long list.
pub fn changes_elsewhere(lang: Lang, count: usize) -> String {
    match lang {
        Lang::En => format!("{count} parameters change (listed in report.html)"),
        Lang::Zh => format!("{count}项参数调整（详见report.html）"),
    }
}

/// "4 parameters differ from nominal (listed in report.html)", the same for a scenario.
pub fn differences_elsewhere(lang: Lang, count: usize) -> String {
    match lang {
        Lang::En => format!("{count} parameters differ from nominal (listed in report.html)"),
        Lang::Zh => format!("{count}项参数不同于名义值（详见report.html）"),
    }
}

/// Under a Morris chart: how to read the numbered points.
pub const MORRIS_NUMBERS: Tr = tr(
    "Each point's number is its rank by μ*: the bars on the right name it.",
    "图中各点的编号为其按μ*的排名，右侧条形图给出对应参数。",
);

/// The colon before a list: ": " in English, full-width "：" in Chinese.
pub fn colon(lang: Lang) -> &'static str {
    match lang {
        Lang::En => ": ",
        Lang::Zh => "：",
    }
}

/// Under plots with the tolerance rate: why its line starts at step `first` (1 + review delay).
pub fn tolerance_rate_start(lang: Lang, first: usize) -> String {
    match lang {
        Lang::En => format!(
            "Tolerance rate drawn from step {first}: before it no reviewed case can have been decided yet, only those punished without review"
        ),
        Lang::Zh => format!(
            "容错认定率从第{first}季度起绘制：此前启动容错的案例尚未认定完毕，已认定的只有未经容错程序直接问责的案例"
        ),
    }
}
