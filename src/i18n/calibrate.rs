//! The text of `cadre-sim calibrate`: its plots and its report, in English and Chinese.

use super::{Lang, Tr, tr};

pub const MARGINALS: Tr = tr("Posterior against prior", "后验分布与先验分布");
pub const CORNER: Tr = tr(
    "Pairs of parameters: where the posterior lies",
    "参数两两组合：后验分布的位置",
);
pub const PREDICTIVE: Tr = tr(
    "Posterior-predictive check: observed against the model",
    "后验预测检验：观测值与模型",
);
pub const PROGRESS: Tr = tr(
    "Tolerance, acceptance rate and effective sample size per generation",
    "各代的容差、接受率与有效样本量",
);
pub const POSTERIOR: Tr = tr("Posterior", "后验");
pub const PRIOR: Tr = tr("Prior", "先验");
pub const DENSITY: Tr = tr("Density", "密度");
pub const WEIGHT: Tr = tr("Posterior weight (share)", "后验权重（占比）");
pub const OBSERVED: Tr = tr("Observed", "观测值");
pub const MODEL: Tr = tr("Model", "模型");
pub const VALUE: Tr = tr("Value", "数值");
pub const GENERATION: Tr = tr("Generation", "代");
pub const TOLERANCE: Tr = tr(
    "Tolerance ε (standardised distance)",
    "容差 ε（标准化距离）",
);
pub const ACCEPTANCE: Tr = tr("Acceptance rate (share)", "接受率（占比）");
pub const ESS: Tr = tr("Effective sample size", "有效样本量");
pub const ESS_AXIS: Tr = tr("Effective particles (1 / Σ w²)", "有效粒子数（1 / Σ w²）");
pub const ESS_NOTE: Tr = tr(
    "Effective sample size: how many equally weighted particles the weighted ones are worth; far below the particle count, a few particles carry the posterior and its summaries are noisy",
    "有效样本量：加权粒子相当于多少个等权粒子；若远低于粒子数，说明后验由少数粒子决定，其汇总结果噪声较大",
);
pub const REPORT: Tr = tr("Calibration", "校准");
pub const PARAMETERS: Tr = tr("Parameters", "参数");
pub const TARGETS: Tr = tr("Targets", "校准目标");
pub const PARAMETER: Tr = tr("Parameter", "参数");
pub const PRIOR_COLUMN: Tr = tr("Prior", "先验");
pub const MEAN: Tr = tr("Posterior mean", "后验均值");
pub const CI90: Tr = tr("90% credible interval", "90% 可信区间");
pub const CONTRACTION: Tr = tr("Contraction", "收缩度");
pub const TARGET: Tr = tr("Target", "目标");
pub const SOURCE: Tr = tr("Source", "来源");
pub const PREDICTED: Tr = tr("Model: mean (90% interval)", "模型：均值（90% 区间）");
pub const COVERED: Tr = tr("Covered", "覆盖");
pub const PASS: Tr = tr("pass", "通过");
pub const FAIL: Tr = tr("fail", "未通过");
pub const CORRELATIONS: Tr = tr("Trade-offs between parameters", "参数之间的此消彼长");
pub const SETTINGS: Tr = tr("How it was fitted", "拟合方法");
pub const METHOD_NOTE: Tr = tr(
    "ABC-SMC (approximate Bayesian computation, sequential Monte Carlo): parameter sets are drawn from the prior, simulated, and kept when their simulated targets lie close to the observations; each generation tightens the tolerance and redraws around the sets kept. The kept sets, with their weights, are the posterior: the parameter values consistent with the targets, and how sure the targets make us.",
    "ABC-SMC（近似贝叶斯计算，序贯蒙特卡罗）：从先验中抽取参数组合并进行模拟，模拟结果接近观测值的组合被保留；每一代收紧容差，并在保留的组合附近重新抽样。保留下来的组合及其权重即后验分布：与校准目标相符的参数取值，以及这些目标能让我们有多确定。",
);
pub const CAUTION: Tr = tr(
    "A fit is not a measurement: which survey or count a target uses, and which model quantity it is set against, are modelling choices (docs/model.md). Read the intervals as what these targets allow, not as the true values.",
    "拟合不等于测量：目标采用哪项调查或统计，以及把它对应到模型中的哪个量，都是建模选择（见 docs/model.md）。请把区间理解为这些目标所允许的范围，而不是参数的真实值。",
);

/// "Calibration kept 500 particles after 6 generations (stopped: …); final ε = 0.8."
pub fn overview(
    lang: Lang,
    particles: usize,
    generations: usize,
    stop: &str,
    epsilon: f64,
    simulations: u64,
) -> String {
    let why = stop_reason(lang, stop);
    match lang {
        Lang::En => format!(
            "The calibration kept {particles} parameter sets after {generations} generations ({simulations} simulations; it stopped because {why}). Every set kept reproduces the targets within a standardised distance of {} (1 means one standard error in total).",
            short(epsilon)
        ),
        Lang::Zh => format!(
            "校准经过 {generations} 代（共 {simulations} 次模拟）保留了 {particles} 组参数；停止原因：{why}。保留的每组参数重现校准目标的标准化距离都不超过 {}（1 相当于总共一个标准误）。",
            short(epsilon)
        ),
    }
}

fn stop_reason(lang: Lang, stop: &str) -> &'static str {
    let t = match stop {
        "max_generations" => tr(
            "it reached the maximum number of generations",
            "达到最大代数",
        ),
        "min_acceptance" => tr(
            "too few proposals were accepted (the acceptance rate fell below the minimum)",
            "接受率低于下限",
        ),
        "target_tolerance" => tr("the tolerance reached its target", "容差达到目标值"),
        _ => tr(
            "every set kept meets the targets exactly",
            "保留的参数组合都完全满足目标",
        ),
    };
    t.get(lang)
}

/// One parameter's reading: where the data place it, or that they do not inform it.
pub fn parameter_reading(
    lang: Lang,
    name: &str,
    low: f64,
    high: f64,
    prior: &str,
    contraction: f64,
    informed: bool,
) -> String {
    let pct = (contraction * 100.0).round();
    match (lang, informed) {
        (Lang::En, true) => format!(
            "{name}: the targets place it between {} and {} (90% credible interval; prior {prior}); they narrowed its uncertainty by {pct}%.",
            short(low),
            short(high)
        ),
        (Lang::En, false) => format!(
            "{name}: the targets hardly inform it (contraction {pct}%): its posterior is close to its prior {prior}, so any result that depends on it rests on that judgement, not on the data."
        ),
        (Lang::Zh, true) => format!(
            "{name}：校准目标把它限定在 {} 到 {} 之间（90% 可信区间；先验 {prior}），其不确定性缩小了 {pct}%。",
            short(low),
            short(high)
        ),
        (Lang::Zh, false) => format!(
            "{name}：校准目标几乎没有提供关于它的信息（收缩度 {pct}%）：其后验接近先验 {prior}，依赖它的结论取决于这一判断，而非数据。"
        ),
    }
}

/// A pair that trades off.
pub fn trade_off(lang: Lang, a: &str, b: &str, r: f64) -> String {
    match lang {
        Lang::En => format!(
            "{a} and {b} trade off (r = {r:.2}): the data cannot tell them apart; {} fits about as well.",
            if r > 0.0 {
                "raising both together"
            } else {
                "raising one and lowering the other"
            }
        ),
        Lang::Zh => format!(
            "{a} 与 {b} 此消彼长（r = {r:.2}）：数据无法把二者区分开；{}，拟合得差不多好。",
            if r > 0.0 {
                "两者同时提高"
            } else {
                "提高一个、降低另一个"
            }
        ),
    }
}

pub const NO_TRADE_OFF: Tr = tr(
    "No pair of parameters trades off strongly (every |r| ≤ 0.7).",
    "没有明显此消彼长的参数对（所有 |r| ≤ 0.7）。",
);

/// How many targets the model reproduces.
pub fn coverage(lang: Lang, covered: usize, total: usize) -> String {
    match lang {
        Lang::En => format!(
            "{covered} of {total} targets lie inside the model's 90% posterior-predictive interval."
        ),
        Lang::Zh => format!("{total} 个目标中有 {covered} 个落在模型的 90% 后验预测区间内。"),
    }
}

/// A target the model does not reproduce.
pub fn miss(lang: Lang, target: &str, observed: f64, mean: f64, low: f64, high: f64) -> String {
    match lang {
        Lang::En => format!(
            "{target} is not reproduced: observed {}, the model gives {} ({}–{}). The model cannot reach it with these priors, or the target measures something other than its model quantity.",
            short(observed),
            short(mean),
            short(low),
            short(high)
        ),
        Lang::Zh => format!(
            "{target} 未能重现：观测值 {}，模型给出 {}（{}–{}）。要么在这些先验下模型达不到它，要么该目标测量的并不是与之对应的模型量。",
            short(observed),
            short(mean),
            short(low),
            short(high)
        ),
    }
}

/// The caption of the plots: particles, replicates, steps, window.
pub fn figure_note(
    lang: Lang,
    particles: usize,
    replicates: u32,
    steps: u32,
    window: u32,
) -> String {
    match lang {
        Lang::En => format!(
            "{particles} particles × {replicates} replicates each, {steps} steps, targets over the last {window} steps"
        ),
        Lang::Zh => format!(
            "{particles} 个粒子，每个 {replicates} 次重复，{steps} 步，目标取最后 {window} 步"
        ),
    }
}

pub const PREDICTIVE_NOTE: Tr = tr(
    "Bars: observed value (whisker ±1.645 standard errors, or ± the tolerance) and the model's posterior-predictive mean (whisker: 90% interval)",
    "条形：观测值（误差线为 ±1.645 个标准误或 ± 容差）与模型的后验预测均值（误差线为 90% 区间）",
);
pub const MARGINAL_NOTE: Tr = tr(
    "Lines: posterior density (weighted histogram of the last generation) and prior density; dashed markers: the 90% credible interval",
    "曲线：后验密度（最后一代的加权直方图）与先验密度；竖线：90% 可信区间",
);

fn short(x: f64) -> String {
    crate::output::short(x)
}

pub const WARNINGS: Tr = tr("Warnings", "警告");

/// A posterior piled against a prior bound.
pub fn against_bound(lang: Lang, name: &str, lower: bool, bound: f64) -> String {
    match (lang, lower) {
        (Lang::En, true) => format!(
            "The data push {name} against its prior's lower bound {}: widen the prior or question a target (its interval ends where the prior does, not where the data do).",
            short(bound)
        ),
        (Lang::En, false) => format!(
            "The data push {name} against its prior's upper bound {}: widen the prior or question a target (its interval ends where the prior does, not where the data do).",
            short(bound)
        ),
        (Lang::Zh, true) => format!(
            "数据把 {name} 推向其先验的下界 {}：请放宽先验或重新审视某个校准目标（其区间止于先验的边界，而非数据所示之处）。",
            short(bound)
        ),
        (Lang::Zh, false) => format!(
            "数据把 {name} 推向其先验的上界 {}：请放宽先验或重新审视某个校准目标（其区间止于先验的边界，而非数据所示之处）。",
            short(bound)
        ),
    }
}

/// Not converged: the final ε, what counts as large, why it stopped, and what to do.
pub fn not_converged(
    lang: Lang,
    epsilon: f64,
    large_above: f64,
    targets: usize,
    stop: &str,
    generations: usize,
) -> String {
    let why = stop_reason(lang, stop);
    let eps = if epsilon.is_finite() {
        short(epsilon)
    } else {
        "∞".into()
    };
    let next = generations + 4;
    match lang {
        Lang::En => {
            let advice = match stop {
                "max_generations" => format!(
                    "More generations may bring it down: rerun the same command with --generations {next} (it continues from the checkpoint)."
                ),
                _ => "Too few proposals come within it: with these priors the model cannot reproduce the targets together; widen a prior, or question a target or its standard error.".to_string(),
            };
            format!(
                "Not converged: the kept sets miss the targets by up to ε = {eps} standard errors combined (tolerances where a target gives one), above {} (for {targets} target(s), the distance that observation noise alone exceeds only 5% of the time); it stopped because {why}. {advice}",
                short(large_above)
            )
        }
        Lang::Zh => {
            let advice = match stop {
                "max_generations" => format!(
                    "增加代数可能使其下降：用 --generations {next} 重新运行同一命令（将从检查点继续）。"
                ),
                _ => "落入容差的提议太少：在这些先验下，模型无法同时重现这些目标；请放宽先验，或重新审视某个目标或其标准误。".to_string(),
            };
            format!(
                "未收敛：保留的参数组合与目标的综合偏差最多为 ε = {eps} 个标准误（给出容差的目标以容差计），高于 {}（{targets} 个目标时，仅由观测噪声造成的距离只有 5% 的概率超过此值）；停止原因：{why}。{advice}",
                short(large_above)
            )
        }
    }
}

/// The predictive check's sentence when ε is large: the intervals are wide, so covering the
/// observations says little.
pub fn coverage_loose(lang: Lang, covered: usize, total: usize, widest: f64) -> String {
    match lang {
        Lang::En => format!(
            "{covered} of {total} targets lie inside the model's 90% posterior-predictive interval, but the fit has not converged and these intervals are wide (up to ±{} standard errors), so this says little about whether the model reproduces them.",
            short(widest)
        ),
        Lang::Zh => format!(
            "{total} 个目标中有 {covered} 个落在模型的 90% 后验预测区间内，但拟合尚未收敛，这些区间很宽（最宽达 ±{} 个标准误），因此这并不能说明模型重现了这些目标。",
            short(widest)
        ),
    }
}

pub const IMPLIED: Tr = tr(
    "What the published estimate implies about the true effect",
    "已发表的估计意味着怎样的真实效应",
);
pub const IMPLIED_NOTE: Tr = tr(
    "Over the posterior-predictive draws (mean and 90% interval): the estimate the same study finds on the simulated world; the estimator's own estimand (the true effect of the place-steps and weights it uses); the policy's effect (the true effect over every treated place-step, from the world where no place adopts, which only a simulation has); and the gap, estimate minus the policy's effect. Spillover onto places that have not adopted, selected adoption and effects that grow with time all open this gap.",
    "基于后验预测抽样（均值与 90% 区间）：同一研究设计在模拟世界中得到的估计；估计量自身的估计目标（其所用地区-时期及权重的真实效应）；政策效应（所有已实施地区-时期的真实效应，由无地区实施的对照世界得出，只有模拟才能得到）；以及二者之差（估计减政策效应）。对未实施地区的溢出、选择性实施以及随时间增长的效应都会造成这一差距。",
);
pub const SIMULATED_ESTIMATE: Tr = tr("Study's estimate (simulated)", "研究的估计（模拟）");
pub const ESTIMAND: Tr = tr("Estimator's estimand", "估计量的估计目标");
pub const POLICY_EFFECT: Tr = tr("Policy's true effect", "政策的真实效应");
pub const GAP: Tr = tr("Gap: estimate − policy effect", "差距：估计 − 政策效应");

/// "A study that found +0.04 with CS implies, under this model, a true effect of …".
pub fn implied_reading(
    lang: Lang,
    observed: f64,
    estimator: &str,
    policy: (f64, f64, f64),
    estimand: (f64, f64, f64),
    gap: (f64, f64, f64),
) -> String {
    let signed = |x: f64| {
        if x > 0.0 {
            format!("+{}", short(x))
        } else {
            short(x)
        }
    };
    match lang {
        Lang::En => format!(
            "A study that found {} with {estimator} implies, under this model, a true effect of the policy of {} (90%: {} to {}); the estimator's own estimand is {} ({} to {}), and the study's estimate differs from the policy's effect by {} ({} to {}).",
            signed(observed),
            signed(policy.0),
            signed(policy.1),
            signed(policy.2),
            signed(estimand.0),
            signed(estimand.1),
            signed(estimand.2),
            signed(gap.0),
            signed(gap.1),
            signed(gap.2)
        ),
        Lang::Zh => format!(
            "一项用 {estimator} 得到 {} 的研究，在本模型下意味着政策的真实效应为 {}（90%：{} 至 {}）；该估计量自身的估计目标为 {}（{} 至 {}），研究的估计与政策效应相差 {}（{} 至 {}）。",
            signed(observed),
            signed(policy.0),
            signed(policy.1),
            signed(policy.2),
            signed(estimand.0),
            signed(estimand.1),
            signed(estimand.2),
            signed(gap.0),
            signed(gap.1),
            signed(gap.2)
        ),
    }
}
