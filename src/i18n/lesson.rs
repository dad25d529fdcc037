//! The text of `cadre-sim lesson`: a walk through the paper's argument, one step per regime,
//! each with a title and a two-sentence explanation in English and Chinese.

use super::{CI95, Direction, Lang, Tr, metric_label, tr};
use crate::model::Metric;
use crate::run::Summary;

/// The lesson's title and introduction.
pub const TITLE: Tr = tr(
    "Fault tolerance for cadres: a lesson in six steps",
    "干部容错纠错机制：六步课堂",
);
pub const INTRO: Tr = tr(
    "Each step runs the agent-based model for one or more regimes and shows what cadres do. \
     The model follows Cheng Weijie (2023): strict accountability deters reform, a mechanism \
     that exists only on paper changes little, and five optimisation paths (O1–O5) make it work.",
    "每一步用主体模型模拟一种或几种制度，展示干部的行为。模型依据程伟杰（2023）：\
     严格问责抑制改革，只停留在纸面上的容错机制作用有限，五条优化路径（O1–O5）才能让它真正发挥作用。",
);

/// One step: a title and two sentences.
pub struct Step {
    pub title: Tr,
    pub explanation: Tr,
}

pub const STRICT: Step = Step {
    title: tr("1. Strict accountability", "1. 严格问责"),
    explanation: tr(
        "When every detected failure is punished, a cadre weighs each reform against a sure \
         sanction, so initiative stays low and many cadres lie flat. Accountability alone \
         deters errors, but it also deters the reforms that produce value.",
        "每个被发现的失误都受处分时，干部把每项改革都与确定的处分相权衡，担当作为率很低，许多人选择躺平。\
         单纯问责能减少失误，但也抑制了创造价值的改革。",
    ),
};

/// Step 2's explanation quotes the measured share of detected honest failures that get a
/// review: `{share}` is replaced by [`review_share`].
pub const NOMINAL: Step = Step {
    title: tr(
        "2. A mechanism on paper, rarely started",
        "2. 名义容错：很少启动",
    ),
    explanation: tr(
        "Under nominal tolerance only {share} gets a review, so few honest failures are ever \
         tolerated. Cadres see this, and their initiative is barely higher than under strict \
         accountability.",
        "名义容错下，被发现的诚实失误中只有{share}启动了容错程序，诚实失误很少真正被容错。\
         干部看在眼里，担当作为率几乎不比严格问责时高。",
    ),
};

/// The share of detected honest failures that get a review, for step 2: "about one detected
/// honest failure in five (19% over the last 10 steps)", or the percentage alone when it is
/// not near one in two to one in ten.
pub fn review_share(lang: Lang, rate: f64, window: u32) -> String {
    if rate.is_nan() {
        return match lang {
            Lang::En => {
                "an unknown share of detected honest failures (none was detected)".to_string()
            }
            Lang::Zh => "未知比例（没有被发现的失误）".to_string(),
        };
    }
    let percent = format!("{:.0}%", rate * 100.0);
    let one_in = if rate > 0.0 {
        (1.0 / rate).round()
    } else {
        0.0
    };
    const EN: [&str; 9] = [
        "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten",
    ];
    const ZH: [&str; 9] = ["二", "三", "四", "五", "六", "七", "八", "九", "十"];
    let k = (2.0..=10.0).contains(&one_in).then(|| one_in as usize - 2);
    match (lang, k) {
        (Lang::En, Some(k)) => format!(
            "about one detected honest failure in {} ({percent} over the last {window} steps)",
            EN[k]
        ),
        (Lang::En, None) => {
            format!("{percent} of detected honest failures (over the last {window} steps)")
        }
        (Lang::Zh, Some(k)) => format!("约{}分之一（最后{window}个季度为{percent}）", ZH[k]),
        (Lang::Zh, None) => format!("{percent}（最后{window}个季度）"),
    }
}

pub const LEVERS: Step = Step {
    title: tr(
        "3. Each lever alone (O1–O5)",
        "3. 单独实施各条路径（O1–O5）",
    ),
    explanation: tr(
        "Alone, only top-leader duty (O2) lifts initiative noticeably, because it gets reviews \
         started; correction (O4) raises the correction rate, and openness (O3) alone even \
         lowers beliefs, since most published cases are punished ones. Single levers treat \
         one dilemma while the others still block the mechanism.",
        "单独实施时，只有压实一把手责任（O2）明显提高担当作为，因为它让容错程序真正启动；\
         容错与纠错并举（O4）提高纠错率，而单独的党内公开（O3）反而降低了容错预期，因为公开的多是被问责的案例。\
         单项措施只解决一个困境，其他困境仍在阻碍机制运转。",
    ),
};

pub const TOGETHER: Step = Step {
    title: tr("4. All levers together", "4. 五条路径同时实施"),
    explanation: tr(
        "With all five paths together, reviews are started, decided quickly and fairly, and \
         published, so cadres see honest failures tolerated and take on far more reforms. \
         Errors rise with the number of reforms, but correction recovers losses and social \
         value is clearly higher.",
        "五条路径同时实施时，容错程序得以启动、认定快速公正、结果公开，干部看到诚实失误被容错，改革积极性大幅提高。\
         失误随改革增多，但纠错挽回了损失，社会价值明显提高。",
    ),
};

pub const LAX: Step = Step {
    title: tr(
        "5. Lax tolerance: tolerance is not indulgence",
        "5. 宽松容错：容错不是纵容",
    ),
    explanation: tr(
        "When almost every case is forgiven, violations included, initiative is as high as on \
         the optimized path, but self-serving violations multiply and many are wrongly \
         tolerated. Telling honest failures from violations (三个区分开来) is what keeps \
         tolerance from becoming indulgence.",
        "几乎所有案例都被宽免、违规也不例外时，担当作为率与优化路径相当，但谋私违规成倍增加，很多被错误容错。\
         坚持“三个区分开来”，把诚实失误与违纪违规区分开，容错才不会变成纵容。",
    ),
};

pub const INTRODUCED: Step = Step {
    title: tr("6. The mechanism introduced mid-way", "6. 中途引入容错机制"),
    explanation: tr(
        "After five years of strict accountability the full mechanism is introduced at step 20; \
         leaders start reviews more and more often as their engagement recovers. Belief and \
         initiative recover only slowly, because cadres must first see tolerated failures \
         before they believe in them.",
        "经过五年严格问责，第20季度全面引入容错纠错机制，一把手启动容错程序的意愿逐步恢复。\
         容错预期和担当作为却恢复得很慢，因为干部要先看到失误被容错，才会相信。",
    ),
};

/// Why belief dips right after the mechanism arrives; added to step 6's explanation when the
/// run shows the dip (see [`dip_sentence`]).
pub const INTRODUCED_DIP: Tr = tr(
    "Belief first dips: publication and trust in decisions rise at once, but the first cases \
     decided under the new rules were opened before reviews got going and are all punished, so \
     what cadres now hear of, widely and credibly, is punishment.",
    "容错预期起初反而下降：案例公开范围和可信度一下子提高，而新制度下最先认定的案例是在容错程序运转起来之前立案的，\
     全部受到处分，于是干部听得更多、也更相信的，都是处分。",
);

/// The steps of a window, "steps 10–19" / "第10–19季度".
fn steps_span(lang: Lang, (first, last): (u32, u32)) -> String {
    match (lang, first == last) {
        (Lang::En, true) => format!("step {first}"),
        (Lang::En, false) => format!("steps {first}–{last}"),
        (Lang::Zh, true) => format!("第{first}季度"),
        (Lang::Zh, false) => format!("第{first}–{last}季度"),
    }
}

/// One run before and after its policy event: "In Mechanism introduced at step 20,
/// initiative rises from 0.28 in steps 10–19, before the mechanism arrives, to 0.3 in steps
/// 30–39 (+0.02, 95% CI [+0.01, +0.03])." `before` and `after` are the (first, last) steps of
/// each window;
/// `(from, to)` are the levels in them; the verb follows [`Direction::of`] of the paired
/// difference `after − before`.
pub fn before_after_sentence(
    lang: Lang,
    scenario: &str,
    metric: Metric,
    before: (u32, u32),
    after: (u32, u32),
    (from, to): (f64, f64),
    difference: &Summary,
) -> String {
    let n = crate::output::short;
    let d = crate::output::signed_number(difference.mean);
    let ci = crate::output::interval(difference, true);
    let metric_name = metric_label(metric).get(lang);
    let (b, a) = (steps_span(lang, before), steps_span(lang, after));
    let direction = Direction::of(difference);
    match lang {
        Lang::En => {
            let ci = ci
                .map(|ci| format!(", {} {ci}", CI95.en))
                .unwrap_or_default();
            let metric_name = metric_name.to_lowercase();
            match direction {
                Direction::Flat => format!(
                    "In {scenario}, {metric_name} {} between {b}, before the mechanism arrives, and {a} \
                     ({} → {}, {d}{ci}).",
                    NOT_CLEARLY.en,
                    n(from),
                    n(to)
                ),
                _ => format!(
                    "In {scenario}, {metric_name} {} from {} in {b}, before the mechanism arrives, to {} in \
                     {a} ({d}{ci}).",
                    rises_or_falls(direction).en,
                    n(from),
                    n(to)
                ),
            }
        }
        Lang::Zh => {
            let ci = ci
                .map(|ci| format!("，{} {ci}", CI95.zh))
                .unwrap_or_default();
            match direction {
                Direction::Flat => format!(
                    "在“{scenario}”情景中，{metric_name}在引入前的{b}与{a}之间{}（{} → {}，{d}{ci}）。",
                    NOT_CLEARLY.zh,
                    n(from),
                    n(to)
                ),
                _ => format!(
                    "在“{scenario}”情景中，{metric_name}从引入前{b}的{}{}{a}的{}（{d}{ci}）。",
                    n(from),
                    rises_or_falls(direction).zh,
                    n(to)
                ),
            }
        }
    }
}

/// The dip right after the event: "Right after step 20, mean belief in tolerance falls from
/// 0.2424 at step 19 to 0.2049 at step 22 (-0.0375, 95% CI [...]), then recovers." Only
/// written when the fall is clearly negative and the later recovery clearly positive.
pub fn dip_sentence(
    lang: Lang,
    metric: Metric,
    event: u32,
    (before_step, low_step): (u32, u32),
    from: f64,
    to: f64,
    difference: &Summary,
) -> String {
    let n = crate::output::short;
    let d = crate::output::signed_number(difference.mean);
    let ci = crate::output::interval(difference, true);
    let metric_name = metric_label(metric).get(lang);
    match lang {
        Lang::En => format!(
            "Right after step {event}, {} {} from {} at step {before_step} to {} at step \
             {low_step} ({d}{}), then recovers.",
            metric_name.to_lowercase(),
            FALLS.en,
            n(from),
            n(to),
            ci.map(|ci| format!(", {} {ci}", CI95.en))
                .unwrap_or_default()
        ),
        Lang::Zh => format!(
            "第{event}季度刚过，{metric_name}从第{before_step}季度的{}{}第{low_step}季度的{}（{d}{}），随后回升。",
            n(from),
            FALLS.zh,
            n(to),
            ci.map(|ci| format!("，{} {ci}", CI95.zh))
                .unwrap_or_default()
        ),
    }
}

/// Intransitive direction words of a change over time.
pub const RISES: Tr = tr("rises", "上升到");
pub const FALLS: Tr = tr("falls", "下降到");
pub const NOT_CLEARLY: Tr = tr("does not clearly change", "没有明显变化");

fn rises_or_falls(direction: Direction) -> Tr {
    match direction {
        Direction::Up => RISES,
        _ => FALLS,
    }
}

/// The steps in the order of the lesson.
pub const STEPS: [&Step; 6] = [&STRICT, &NOMINAL, &LEVERS, &TOGETHER, &LAX, &INTRODUCED];
