//! Every word of the class game, in English and Chinese, in one table.
//!
//! The pages fetch this table (`GET /api/text`) and switch language on each device on its
//! own. Texts with `{name}` placeholders are filled in by the pages with the server's
//! numbers. The Chinese text lives here, in Rust, so that `tools/subset-cjk-font.sh` puts
//! its characters into the embedded web font (a test checks it).

use crate::i18n::Lang;
use crate::serve::text::Text;

const fn t(en: &'static str, zh: &'static str) -> Text {
    Text { en, zh }
}

/// The pages' words, by key.
pub const UI: &[(&str, Text)] = &[
    ("title", t("The cadre game", "干部担当模拟课堂")),
    ("lang", t("中文", "English")),
    ("nickname", t("Your nickname", "你的昵称")),
    ("join", t("Join", "加入")),
    (
        "join_note",
        t(
            "You will play a cadre in one unit of a simulated government. Model cadres play every other seat.",
            "你将扮演模拟政府中一个单位的干部。其余岗位由模型干部扮演。",
        ),
    ),
    (
        "you_are",
        t("{name} · unit {unit}", "{name} · 第{unit}单位"),
    ),
    (
        "wait_start",
        t(
            "Wait for the trainer to start the quarter.",
            "请等待老师开始本季度。",
        ),
    ),
    ("quarter", t("Quarter {n}", "第{n}季度")),
    ("seconds_left", t("{s} s left", "剩余{s}秒")),
    ("paused", t("Paused by the trainer", "老师已暂停")),
    ("opportunity", t("A reform opportunity", "一次改革机会")),
    ("difficulty", t("Difficulty", "难度")),
    ("skill", t("Your skill", "你的能力")),
    ("p_success", t("Chance of success", "成功的概率")),
    (
        "unit_news",
        t(
            "Your unit, last 4 quarters: {tol} honest failures tolerated, {pun} punished.",
            "你所在单位近4个季度：{tol}起诚实失误获得容错，{pun}起受到处分。",
        ),
    ),
    (
        "all_news",
        t(
            "All units, last quarter: {tol} tolerated, {pun} punished; about {pub} in 10 decisions are published.",
            "全体单位上季度：{tol}起获得容错，{pun}起受到处分；约十分之{pub}的结论会公开。",
        ),
    ),
    (
        "belief",
        t(
            "A model cadre in your seat, having seen these cases, expects a detected honest failure to be tolerated {b}% of the time.",
            "处在你位置上的模型干部看到这些案例后，估计被发现的诚实失误有{b}%会获得容错。",
        ),
    ),
    ("regime", t("The rules now: {name}", "当前规则：{name}")),
    (
        "rules",
        t(
            "A failed reform is detected {d} times in 10. Your unit's leader starts a review about {rc} times in 10; a review tolerates an honest failure about {rt} times in 10 and takes {delay} more quarters. A punished failure costs {sev} career points and {steps} quarters sidelined. A success earns {reward}.",
            "失败的改革有十分之{d}会被发现。你所在单位的一把手约有十分之{rc}会启动容错认定；认定约有十分之{rt}会宽容诚实失误，需要再等{delay}个季度。受处分的失误扣{sev}分仕途积分，并停职{steps}个季度。改革成功得{reward}分。",
        ),
    ),
    (
        "inaction",
        t(
            "Declining is noticed {d} times in 10 and then costs {p}.",
            "不作为有十分之{d}会被发现，发现后扣{p}分。",
        ),
    ),
    ("take", t("Take the reform", "推进改革")),
    ("hold", t("Hold back", "暂不行动")),
    (
        "no_answer",
        t(
            "No answer when the time is up counts as holding back.",
            "时间到仍未选择，视为暂不行动。",
        ),
    ),
    (
        "chose_take",
        t("You chose to take the reform.", "你选择了推进改革。"),
    ),
    (
        "chose_hold",
        t("You chose to hold back.", "你选择了暂不行动。"),
    ),
    (
        "waiting_others",
        t("Waiting for the others…", "等待其他人……"),
    ),
    (
        "quiet",
        t(
            "No reform opportunity this quarter.",
            "本季度没有改革机会。",
        ),
    ),
    (
        "sidelined",
        t(
            "You are sidelined until quarter {q}.",
            "你被停职，直到第{q}季度。",
        ),
    ),
    (
        "under_review",
        t(
            "Your case is under review until quarter {q}.",
            "你的案件正在认定中，第{q}季度作出结论。",
        ),
    ),
    ("career", t("Career score", "仕途积分")),
    (
        "last_quarter",
        t("Quarter {n}: what happened", "第{n}季度的结果"),
    ),
    (
        "success",
        t(
            "Success: +{reward} career.",
            "改革成功：仕途积分+{reward}。",
        ),
    ),
    (
        "failure_hidden",
        t(
            "The reform failed, but the failure was not detected.",
            "改革失败，但失误没有被发现。",
        ),
    ),
    (
        "failure_review",
        t(
            "The reform failed and was detected. A review was started; the decision comes in quarter {q}.",
            "改革失败并被发现。已启动容错认定，第{q}季度作出结论。",
        ),
    ),
    (
        "failure_no_review",
        t(
            "The reform failed and was detected. No review was started: it will be punished.",
            "改革失败并被发现。没有启动容错认定：将受到处分。",
        ),
    ),
    ("held_back", t("You held back.", "你暂不行动。")),
    ("no_opportunity", t("A quiet quarter.", "平静的一个季度。")),
    (
        "tolerated",
        t(
            "Your earlier failure was reviewed and tolerated: no sanction.",
            "你此前的失误经认定获得容错：不予处分。",
        ),
    ),
    (
        "punished",
        t(
            "Your earlier failure was punished.",
            "你此前的失误受到了处分。",
        ),
    ),
    (
        "choice_void",
        t(
            "Your choice did not count: your earlier case was punished first.",
            "你的选择未生效：此前的案件先受到了处分。",
        ),
    ),
    (
        "over",
        t(
            "The game is over. Look at the screen.",
            "模拟结束。请看大屏幕。",
        ),
    ),
    ("connection_lost", t("Reconnecting…", "正在重新连接……")),
    // The trainer's screen.
    ("trainer", t("Trainer", "教师")),
    ("join_here", t("Join with your phone", "用手机加入")),
    ("joined", t("{n} students joined", "已有{n}名学员加入")),
    ("tab_join", t("Join", "加入")),
    ("tab_live", t("Live", "实时")),
    ("tab_debrief", t("Debrief", "复盘")),
    ("open_round", t("Start quarter {n}", "开始第{n}季度")),
    ("close_round", t("End quarter now", "立即结束本季度")),
    ("pause", t("Pause", "暂停")),
    ("resume", t("Resume", "继续")),
    ("timer", t("Timer (s)", "计时（秒）")),
    ("switch", t("Use from the next quarter", "下季度起采用")),
    ("answered", t("{a} of {n} answered", "{n}人中已有{a}人作答")),
    ("phase_lobby", t("Waiting to start", "等待开始")),
    ("phase_open", t("Quarter open", "本季度进行中")),
    ("phase_results", t("Quarter played", "本季度已结束")),
    ("phase_over", t("Game over", "模拟结束")),
    ("students", t("Your class", "本班学员")),
    ("bots", t("Model cadres", "模型干部")),
    (
        "model_in_seats",
        t(
            "Model cadres in your seats (expected)",
            "模型干部处在你们位置上（期望值）",
        ),
    ),
    (
        "initiative",
        t(
            "Initiative: reforms per opportunity",
            "担当作为：每次机会的改革比例",
        ),
    ),
    (
        "beliefs",
        t(
            "Belief that a detected honest failure is tolerated",
            "对被发现的诚实失误获得容错的信念",
        ),
    ),
    (
        "cases",
        t("Honest failures this quarter", "本季度的诚实失误"),
    ),
    ("detected", t("detected", "被发现")),
    ("tolerated_n", t("tolerated", "获得容错")),
    ("punished_n", t("punished", "受到处分")),
    ("quarter_axis", t("Quarter →", "季度 →")),
    ("regime_change", t("new rules", "规则调整")),
    (
        "rule_fit",
        t(
            "Your class behaved like cadres with loss aversion {l} (model default {l0}) and choice noise {t} (model default {t0}).",
            "你们班的选择相当于损失厌恶系数为{l}（模型默认{l0}）、选择噪声为{t}（模型默认{t0}）的干部。",
        ),
    ),
    (
        "rule_fit_detail",
        t(
            "Fitted by maximum likelihood to {n} choices ({r} reforms); ± one standard error: loss aversion ±{lse}, noise ±{tse}.",
            "基于{n}次选择（其中{r}次改革）的最大似然估计；一个标准误：损失厌恶±{lse}，噪声±{tse}。",
        ),
    ),
    (
        "nofit_too_few",
        t(
            "Too few choices yet to fit your class's rule: play a few more quarters.",
            "选择次数还太少，无法估计你们班的决策规则：请再进行几个季度。",
        ),
    ),
    (
        "nofit_all_alike",
        t(
            "Everyone chose the same way every time, so no noise level can be told: the rule is at its extreme.",
            "每个人每次都做出相同的选择，无法估计噪声：规则处于极端。",
        ),
    ),
    (
        "nofit_not_the_models_rule",
        t(
            "Your class reformed more when the odds were worse: not the model's rule.",
            "你们班在胜算更低时反而更多改革：这不符合模型的决策规则。",
        ),
    ),
    ("export", t("Export decisions (CSV)", "导出决策记录（CSV）")),
    ("with_names", t("with nicknames", "包含昵称")),
    ("connected", t("connected", "在线")),
    ("rounds_played", t("{n} quarters played", "已进行{n}个季度")),
    // Time that passes, and the debrief's projection (pass.rs, projection.rs).
    (
        "time_passed",
        t(
            "Time passed: a model cadre played your seat (career {reward}).",
            "时间快进：由模型干部代你行动（仕途积分{reward}）。",
        ),
    ),
    ("pass_year", t("A year passes", "快进一年")),
    ("pass_n", t("{n} quarters pass", "快进{n}个季度")),
    (
        "passed_note",
        t(
            "Shaded: quarters that passed, model cadres in your seats.",
            "阴影：快进的季度，由模型干部代你们行动。",
        ),
    ),
    ("world_line", t("Your class's world", "你们班的世界")),
    ("proj_line", t("{name}, projected", "{name}（推演）")),
    ("now", t("now", "现在")),
    (
        "proj_title",
        t(
            "Where your class's world is heading: the next ten years",
            "你们班的世界接下来十年的发展",
        ),
    ),
    (
        "proj_note",
        t(
            "{runs} runs from your class's final state; bands: 95% interval of the mean.",
            "从你们班的最终状态出发推演{runs}次；条带为均值的95%置信范围。",
        ),
    ),
    (
        "proj_switched",
        t(
            "The regime your class switched to, {end}, {verb} initiative from {now} now to about {x} within ten years ({lo}–{hi}); under {start}, where the class started, it would be about {y} ({ylo}–{yhi}).",
            "你们班改用的“{end}”将使主动作为在十年内从现在的{now}{verb}到约{x}（{lo}–{hi}）；如果保持开始时的“{start}”，约为{y}（{ylo}–{yhi}）。",
        ),
    ),
    (
        "proj_kept",
        t(
            "Your class kept {end}: it {verb} initiative from {now} now to about {x} within ten years ({lo}–{hi}).",
            "你们班一直采用“{end}”：十年内主动作为将从现在的{now}{verb}到约{x}（{lo}–{hi}）。",
        ),
    ),
    ("proj_up", t("raises", "提高")),
    ("proj_down", t("lowers", "降低")),
    ("proj_flat", t("takes", "变为")),
    (
        "proj_worse_one",
        t(" The first year looks worse.", "第一年看起来更差。"),
    ),
    (
        "proj_worse",
        t(" The first {n} years look worse.", "前{n}年看起来更差。"),
    ),
    (
        "export_projection",
        t("Export the projection (CSV)", "导出推演（CSV）"),
    ),
];

/// The text of `key` in `lang` with its `{name}` placeholders filled in (for the
/// sentences the server writes itself, such as the debrief's projection).
pub fn fill(key: &str, lang: Lang, vars: &[(&str, String)]) -> String {
    let text = UI
        .iter()
        .find(|(k, _)| *k == key)
        .map_or("", |(_, t)| match lang {
            Lang::En => t.en,
            Lang::Zh => t.zh,
        });
    vars.iter().fold(text.to_string(), |s, (name, value)| {
        s.replace(&format!("{{{name}}}"), value)
    })
}

/// A student's or trainer's refused request, in plain words.
pub fn problem_message(kind: &str, lang: Lang) -> String {
    let text = match kind {
        "class_full" => t(
            "The class is full. Ask the trainer.",
            "本班人数已满。请联系老师。",
        ),
        "nickname_empty" => t("Type a nickname first.", "请先输入昵称。"),
        "nickname_too_long" => t(
            "That nickname is too long: at most 24 characters.",
            "昵称太长：最多24个字符。",
        ),
        "nickname_taken" => t(
            "Someone already has that nickname. Pick another.",
            "这个昵称已被使用。请换一个。",
        ),
        "wrong_round" => t(
            "That quarter is over; your screen will catch up.",
            "该季度已结束；页面将自动更新。",
        ),
        "already_answered" => t(
            "You have already answered this quarter.",
            "你本季度已经作答。",
        ),
        "no_opportunity" => t(
            "You have no reform opportunity this quarter.",
            "你本季度没有改革机会。",
        ),
        "round_open" => t(
            "A quarter is open: end it first.",
            "本季度仍在进行：请先结束。",
        ),
        "no_round_open" => t("No quarter is open.", "当前没有进行中的季度。"),
        "unknown_regime" => t(
            "The server does not know this regime.",
            "服务器不认识这个规则方案。",
        ),
        "game_over" => t("The game is over.", "模拟已结束。"),
        "unknown_seat" => t(
            "This phone's seat is not known here: join again.",
            "服务器不认识这部手机的席位：请重新加入。",
        ),
        "not_trainer" => t(
            "Only the trainer's screen can do this: open the address printed in the terminal.",
            "只有教师页面可以操作：请打开终端中显示的地址。",
        ),
        "rate_limited" => t(
            "Too many requests: wait a moment.",
            "请求过于频繁：请稍候。",
        ),
        "not_found" => t(
            "There is no such page. Students join at /, the trainer's screen is /trainer.",
            "没有这个页面。学员在 / 加入，教师页面在 /trainer 。",
        ),
        "method_not_allowed" => t(
            "The server does not answer this kind of request here.",
            "服务器在这里不接受这种请求。",
        ),
        _ => t(
            "The server could not read this request. Reload the page.",
            "服务器无法读取该请求。请刷新页面。",
        ),
    };
    match lang {
        Lang::En => text.en.to_string(),
        Lang::Zh => text.zh.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_text_has_both_languages_and_keys_are_unique() {
        let mut keys = std::collections::HashSet::new();
        for (key, text) in UI {
            assert!(keys.insert(*key), "{key} twice");
            assert!(!text.en.is_empty() && !text.zh.is_empty(), "{key}");
            // Placeholders are the same in both languages.
            let holes = |s: &str| {
                let mut v: Vec<String> = s
                    .split('{')
                    .skip(1)
                    .filter_map(|p| p.split_once('}').map(|(h, _)| h.to_string()))
                    .collect();
                v.sort();
                v
            };
            assert_eq!(holes(text.en), holes(text.zh), "{key}");
        }
    }
}
