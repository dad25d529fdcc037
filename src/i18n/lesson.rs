//! The text of `cadre-sim lesson`: a walk through the paper's argument, one step per regime,
//! each with a title and a two-sentence explanation in English and Chinese.

use super::{Tr, tr};

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

pub const NOMINAL: Step = Step {
    title: tr(
        "2. A mechanism on paper, rarely started",
        "2. 名义容错：很少启动",
    ),
    explanation: tr(
        "Under nominal tolerance a unit's top leader starts a review for only about one detected \
         failure in five, so few honest failures are ever tolerated. Cadres see this, and their \
         initiative is barely higher than under strict accountability.",
        "名义容错下，一把手只对少数被发现的失误启动容错程序，诚实失误很少真正被容错。\
         干部看在眼里，担当作为率几乎不比严格问责时高。",
    ),
};

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
        "After five years of strict accountability the full mechanism is introduced at step 20, \
         and reviews start at once. Initiative recovers only slowly, because cadres must first \
         see tolerated failures before their beliefs change.",
        "经过五年严格问责，第20季度全面引入容错纠错机制，容错程序立即启动。\
         担当作为却恢复得很慢，因为干部要先看到失误被容错，预期才会改变。",
    ),
};

/// The steps in the order of the lesson.
pub const STEPS: [&Step; 6] = [&STRICT, &NOMINAL, &LEVERS, &TOGETHER, &LAX, &INTRODUCED];
