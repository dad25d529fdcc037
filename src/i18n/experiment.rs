//! The text of `cadre-sim experiment`'s report: titles, the plain-language reading of
//! estimates against the truth, in English and Chinese.

use super::{Lang, Tr, tr};
use crate::sweep::results::Score;

pub const REPORT_TITLE: Tr = tr(
    "Experiment: a staggered rollout, estimated and true",
    "实验：分批推行的政策——估计值与真实效应",
);
pub const INTRO: Tr = tr(
    "Each replicate is simulated twice on the same random numbers: with the places adopting in \
     cohorts, and with no place adopting. The first world is what a study would observe; the \
     difference between the two is the true effect, which only a simulator knows. Each \
     difference-in-differences estimator is run on every replicate's observed panel and set \
     against that replicate's truth.",
    "每次重复在相同随机数下模拟两次：一次各地分批采纳新制度，一次没有任何地方采纳。前者是研究者能观察到的世界；\
     两者之差就是真实效应，只有模拟器知道。每种双重差分估计量都在每次重复的观测面板上运行，并与该次重复的真实效应比较。",
);
pub const TITLE_EVENT_STUDY: Tr = tr(
    "Event study: estimates against the true effect",
    "事件研究：估计值与真实效应",
);
pub const TITLE_OVERALL: Tr = tr(
    "Overall effect: each estimator against the truth",
    "总体效应：各估计量与真实值",
);
pub const TITLE_BY_COHORT: Tr = tr("Places by cohort over time", "各批次地方随时间的变化");
pub const EFFECT_AXIS: Tr = tr("Effect on the outcome", "对结果变量的效应");
pub const SOCIAL_VALUE_PER_CADRE: Tr = tr("Social value per cadre", "人均社会价值");
pub const TRUTH: Tr = tr("true effect", "真实效应");
pub const NEVER: Tr = tr("never adopt", "从未采纳");
pub const COHORT: Tr = tr("adopt at step", "采纳于第");
pub const COHORT_SUFFIX: Tr = tr("", "季度");
pub const EVENT_NOTE: Tr = tr(
    "Left: each estimator's mean over replicates, with the middle 95% of the replicates' estimates (mean ± 1.96 sd), and the true effect of each TWFE bin (binned ends marked; inside them, the effect on every adopting place observed then). Right: each estimator's error against the truth of its own estimand (its own cells and weights), mean and middle 95%; 0 is unbiased.",
    "左：各估计量在各次重复中的平均及95%的重复估计值所在范围（均值±1.96标准差），以及双向固定效应各区间的真实效应（两端合并区间已标出；其余为当时所有已采纳地方的效应）。右：各估计量相对其自身估计目标（自身的单元与权重）真实值的误差，均值及中间95%；0为无偏。",
);
pub const ESTIMATES_PANEL: Tr = tr("Estimates and the true effect", "估计值与真实效应");
pub const ERRORS_PANEL: Tr = tr("Error against its own truth", "相对自身真实值的误差");
pub const ERROR_AXIS: Tr = tr("Estimate − truth", "估计值−真实值");

/// The label of a binned end of the TWFE event study: "≤ −6 binned", "≥ 12 binned".
pub fn binned_label(lang: Lang, e: i64) -> String {
    let side = if e < 0 { "≤" } else { "≥" };
    match lang {
        Lang::En => format!("{side} {e} binned"),
        Lang::Zh => format!("{side}{e}合并"),
    }
}
pub const BAR_NOTE: Tr = tr(
    "Bars: mean over replicates; whiskers: where 95% of the replicates' values fall (mean ± 1.96 sd). Each estimator's truth is the true value of what it estimates (its own cells and weights); the dashed line is the policy's effect over every adopted place-step.",
    "条形：各次重复的平均；误差线：95%的重复值所在范围（均值±1.96标准差）。各估计量的真实值是其所估计之量的真实值（按其自身的单元与权重）；虚线为政策在所有已采纳地方-季度上的效应。",
);
pub const COHORT_NOTE: Tr = tr(
    "Mean over each cohort's places and over replicates, with the 95% CI over replicates; vertical lines: adoption steps.",
    "各批次地方及各次重复的平均，带各次重复的95%置信区间；竖线：采纳时点。",
);
pub const TABLE_ESTIMATOR: Tr = tr("Estimator", "估计量");
pub const TABLE_CONTROL: Tr = tr("Controls", "对照组");
pub const TABLE_ESTIMATE: Tr = tr("Mean estimate", "平均估计值");
pub const TABLE_TRUTH: Tr = tr("Truth", "真实值");
pub const TABLE_BIAS: Tr = tr("Bias", "偏差");
pub const TABLE_RMSE: Tr = tr("RMSE", "均方根误差");
pub const TABLE_COVERAGE: Tr = tr("95% CI covers truth", "95%置信区间覆盖真实值");
pub const ROLLOUT: Tr = tr("Rollout", "推行安排");
pub const PROBLEMS: Tr = tr("replicates had no estimates", "次重复无法估计");

/// "TWFE reports +0.031 on average; the true effect is +0.052: it understates it by 40%. Its
/// own 95% intervals contain the truth in 12% of replicates."
///
/// `noise` is the standard error of the mean bias over replicates: a bias within twice it is
/// not told as an over- or understatement.
pub fn estimate_sentence(
    lang: Lang,
    estimator: &str,
    estimate: f64,
    truth: f64,
    coverage: f64,
    noise: f64,
) -> String {
    let (e, t) = (
        crate::output::signed_number(estimate),
        crate::output::signed_number(truth),
    );
    let share = (coverage * 100.0).round();
    let relative = if truth.abs() > 1e-12 {
        (estimate - truth) / truth.abs()
    } else {
        f64::NAN
    };
    let off = if relative.is_nan()
        || relative.abs() < 0.05
        || (estimate - truth).abs() < 2.0 * noise
    {
        match lang {
            Lang::En => "it is close to the truth (the difference is within the replicates' noise)"
                .to_string(),
            Lang::Zh => "与真实值接近（差异在重复间的随机波动之内）".to_string(),
        }
    } else {
        let pct = (relative.abs() * 100.0).round();
        match (lang, relative > 0.0) {
            (Lang::En, true) => format!("it overstates it by {pct}%"),
            (Lang::En, false) => format!("it understates it by {pct}%"),
            (Lang::Zh, true) => format!("高估了{pct}%"),
            (Lang::Zh, false) => format!("低估了{pct}%"),
        }
    };
    match lang {
        Lang::En => format!(
            "{estimator} reports {e} on average; the true effect is {t}: {off}. Its own 95% \
             intervals contain the truth in {share}% of replicates."
        ),
        Lang::Zh => format!(
            "{estimator}的平均估计值为{e}；真实效应为{t}：{off}。其自身的95%置信区间在{share}%的重复中覆盖了真实值。"
        ),
    }
}

/// Why TWFE goes wrong when effects grow with time since adoption.
pub fn growing_effects_sentence(lang: Lang, early: f64, late: f64, late_e: i64) -> String {
    let (a, b) = (
        crate::output::signed_number(early),
        crate::output::signed_number(late),
    );
    match lang {
        Lang::En => format!(
            "The true effect grows with time since adoption ({a} at adoption, {b} after \
             {late_e} steps). Static TWFE compares late adopters with places that adopted \
             earlier and are still changing, so it mixes these effects with the wrong weights; \
             Callaway–Sant'Anna and Sun–Abraham compare only with places not (yet) treated."
        ),
        Lang::Zh => format!(
            "真实效应随采纳时间增长（采纳当期{a}，{late_e}个季度后{b}）。静态双向固定效应把较晚采纳的地方与仍在变化的较早采纳者比较，\
             因而以错误的权重混合了这些效应；Callaway–Sant'Anna和Sun–Abraham只与尚未（或从未）采纳的地方比较。"
        ),
    }
}

/// The spillover onto places that never adopt.
pub fn spillover_sentence(lang: Lang, spill: f64, national: bool) -> String {
    let s = crate::output::signed_number(spill);
    match (lang, national) {
        (Lang::En, true) => format!(
            "Places that never adopt change too: by {s} on average once the first cohort has \
             adopted, because published cases reach every place. A comparison with them \
             measures the effect net of this spillover, not the effect itself."
        ),
        (Lang::En, false) => format!(
            "Places that never adopt stay as they would have been (mean change {s}): published \
             cases stay within their place, so they are clean controls."
        ),
        (Lang::Zh, true) => format!(
            "从未采纳的地方也发生了变化：第一批采纳后平均变化{s}，因为公开通报的案例传到了所有地方。\
             与它们比较所得的是扣除溢出后的效应，而不是效应本身。"
        ),
        (Lang::Zh, false) => format!(
            "从未采纳的地方保持原样（平均变化{s}）：公开通报只在本地传播，因此它们是干净的对照组。"
        ),
    }
}

pub const POLICY_EFFECT: Tr = tr(
    "The policy's effect (every adopted place-step)",
    "政策效应（所有已采纳的地方-季度）",
);
pub const POLICY_EFFECT_SHORT: Tr = tr("the policy's effect", "政策效应");
pub const OWN_TRUTH: Tr = tr("its truth", "其真实值");
pub const ESTIMANDS: Tr = tr("What each truth is", "各真实值的含义");
pub const NOTES: Tr = tr("Notes on the design", "关于研究设计的说明");

/// Which adopted cohort-steps an estimand covers: every one, or those up to a step.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Coverage {
    Every,
    UpTo { last: i64, used: usize, of: usize },
}

fn coverage_words(lang: Lang, c: Coverage) -> String {
    match (lang, c) {
        (Lang::En, Coverage::Every) => "every adopted place-step".into(),
        (Lang::En, Coverage::UpTo { last, used, of }) => format!(
            "the adopted place-steps up to step {last} only ({used} of the {of} adopted \
             cohort-steps: later ones have no place left to compare with)"
        ),
        (Lang::Zh, Coverage::Every) => "所有已采纳的地方-季度".into(),
        (Lang::Zh, Coverage::UpTo { last, used, of }) => format!(
            "仅第{last}季度及以前已采纳的地方-季度（{of}个已采纳批次-季度中的{used}个：之后已没有可比较的地方）"
        ),
    }
}

/// "What Callaway–Sant'Anna (notyettreated) estimates: the ATT over ... = +0.0026."
pub fn estimand_sentence(
    lang: Lang,
    label: &str,
    estimator: crate::did::Estimator,
    coverage: Coverage,
    last_bin: i64,
    truth: f64,
) -> String {
    use crate::did::Estimator as E;
    let over = coverage_words(lang, coverage);
    let t = crate::output::signed_number(truth);
    match lang {
        Lang::En => {
            let what = match estimator {
                E::Twfe => format!(
                    "the ATT over {over}, every place-step alike (β's own implicit weights are \
                     not these: they can even be negative, which is the point of scoring it \
                     against this)"
                ),
                E::TwfeEventStudy => format!(
                    "the plain mean of its event-time bins 0, 1, …, {last_bin} (the last: \
                     {last_bin} or more steps after adoption), each the ATT over its cells, over \
                     {over}"
                ),
                E::SunAbraham => format!(
                    "the plain mean of its effects 0, 1, … steps after adoption, each over the \
                     cohorts observed then weighted by their places, over {over}"
                ),
                _ => format!("the ATT over {over}, every place-step alike"),
            };
            format!("What {label} estimates: {what} = {t}.")
        }
        Lang::Zh => {
            let what = match estimator {
                E::Twfe => format!(
                    "{over}的平均处理效应，各地方-季度同等加权（β自身的隐含权重并非如此，甚至可能为负，这正是以此为准评分的意义）"
                ),
                E::TwfeEventStudy => format!(
                    "各事件时间区间0, 1, …, {last_bin}（最后一个区间：采纳后{last_bin}个季度及以上）效应的简单平均，每个区间为其单元的平均处理效应，范围为{over}"
                ),
                E::SunAbraham => format!(
                    "采纳后0, 1, …个季度效应的简单平均，每个为当时可观察批次按地方数加权，范围为{over}"
                ),
                _ => format!("{over}的平均处理效应，各地方-季度同等加权"),
            };
            format!("{label}所估计的是：{what} = {t}。")
        }
    }
}

/// The title of an experiment sweep's plot of `what` (`bias` or `coverage`).
pub fn sweep_title(what: Score, sweep: &str, lang: Lang) -> String {
    let title = match what {
        Score::Bias => tr(
            "Bias of each estimator's overall effect",
            "各估计方法总体效应的偏差",
        ),
        Score::Coverage => tr(
            "Coverage of each estimator's 95% interval",
            "各估计方法95%区间的覆盖率",
        ),
    };
    format!("{} — {} {sweep}", title.get(lang), super::SWEEP.get(lang))
}

/// The axis (or colour bar) of `what`.
pub fn sweep_value_axis(what: Score, lang: Lang) -> &'static str {
    match what {
        Score::Bias => tr(
            "bias: estimate − truth of its own estimand",
            "偏差：估计值 − 其估计目标的真值",
        ),
        Score::Coverage => tr(
            "coverage: share of replicates",
            "覆盖率：重复中覆盖真值的比例",
        ),
    }
    .get(lang)
}

/// What an experiment sweep plot's numbers are.
pub fn sweep_value_note(
    what: Score,
    outcome: &str,
    replicates: u32,
    band: bool,
    lang: Lang,
) -> String {
    let band = match (band, lang) {
        (false, _) => "",
        (true, Lang::En) => "; band: 95% interval over replicates",
        (true, Lang::Zh) => "；阴影：重复间的95%区间",
    };
    match (what, lang) {
        (Score::Bias, Lang::En) => format!(
            "outcome {outcome}: each estimator's overall estimate minus the truth of the very \
             cells and weights it estimates, averaged over {replicates} replicates; 0 is \
             unbiased{band}"
        ),
        (Score::Bias, Lang::Zh) => format!(
            "结果变量 {outcome}：各估计方法的总体估计值减去其自身估计目标（所用单元与权重）的真值，\
             对{replicates}次重复取平均；0为无偏{band}"
        ),
        (Score::Coverage, Lang::En) => format!(
            "outcome {outcome}: share of {replicates} replicates whose own 95% interval holds the \
             truth of its estimand; 0.95 for an unbiased estimator with honest standard \
             errors{band}"
        ),
        (Score::Coverage, Lang::Zh) => format!(
            "结果变量 {outcome}：{replicates}次重复中，估计方法自身95%区间覆盖其估计目标真值的比例；\
             无偏且标准误可信时约为0.95{band}"
        ),
    }
}
