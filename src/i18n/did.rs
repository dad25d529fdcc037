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
            "TWFE, the TWFE event study and Sun–Abraham do not take covariates and are left out; \
             Callaway–Sant'Anna conditions on them.",
            "双向固定效应、其事件研究与 Sun–Abraham 不接受协变量，未估计；Callaway–Sant'Anna \
             以协变量为条件。",
        )
        .get(lang)
    } else {
        tr(
            "The panel is unbalanced: TWFE, the TWFE event study and Sun–Abraham need every \
             place in every period and are left out.",
            "面板不平衡：双向固定效应、其事件研究与 Sun–Abraham 需要每个地区每期都有观测，未估计。",
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
