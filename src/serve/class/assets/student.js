// The student's phone: join with a nickname, then one card per quarter. The seat token is
// kept in this browser's storage (a reloaded or reconnecting phone gets its seat back) and
// sent in a header, never in the address.
"use strict";

const { el, t } = Class;
const app = document.getElementById("app");
let token = localStorage.getItem("cadre-seat");
let view = null;
let error = "";
let sending = false;
let timer = null;
// Requests are numbered: an answer of a newer request is never replaced by an older poll
// that happened to come back later (it would show the buttons again for a moment).
let sent = 0;
let shown = 0;
function fresh(n) {
  if (n < shown) return false;
  shown = n;
  return true;
}

function setLangButton() {
  document.getElementById("lang").textContent = t("lang");
  document.title = t("title");
}

function renderJoin() {
  const input = el("input", { id: "nickname", maxlength: "24", autocomplete: "off", "aria-label": t("nickname"), placeholder: t("nickname") });
  const form = el("form", {
    onsubmit: async (ev) => {
      ev.preventDefault();
      try {
        const r = await Class.api("/api/join", { method: "POST", body: { nickname: input.value, lang: Class.lang } });
        token = r.token;
        localStorage.setItem("cadre-seat", token);
        view = r.me;
        error = "";
        render();
        poll();
      } catch (e) {
        error = e.message;
        errorLine.textContent = error;
      }
    },
  }, input, el("button", { class: "primary", type: "submit", id: "join" }, t("join")));
  const errorLine = el("p", { class: "error", id: "error" }, error);
  app.replaceChildren(el("h1", {}, t("title")), el("p", { class: "muted" }, t("join_note")), form, errorLine);
}

function fmt(x) { return Class.pct(x) + "%"; }

function cardView(v) {
  const c = v.card;
  const n = c.round + 1;
  if (c.kind === "quiet") return el("div", { class: "card", id: "card" }, el("p", {}, t("quiet")));
  if (c.kind === "sidelined") return el("div", { class: "card", id: "card" }, el("p", {}, t("sidelined", { q: c.until + 1 })));
  if (c.kind === "under_review") return el("div", { class: "card", id: "card" }, el("p", {}, t("under_review", { q: c.until + 1 })));
  const s = c.stakes;
  const odds = el("div", { class: "odds" },
    el("div", {}, el("b", {}, fmt(c.difficulty)), el("span", {}, t("difficulty"))),
    el("div", {}, el("b", {}, fmt(c.skill)), el("span", {}, t("skill"))),
    el("div", { class: "p" }, el("b", { id: "p-success" }, fmt(c.p_success)), el("span", {}, t("p_success"))));
  const rules = [
    el("p", {}, el("b", {}, t("regime", { name: Class.regimeLabel(c.regime) }))),
    el("p", {}, t("rules", {
      d: Class.tenths(s.detect), rc: Class.tenths(s.review_chance), rt: Class.tenths(s.review_tolerates),
      delay: s.review_delay, sev: Class.num(s.severity), steps: s.sanction_steps, reward: Class.num(s.reward),
    })),
  ];
  if (s.inaction_detect > 0 && s.inaction_penalty > 0)
    rules.push(el("p", {}, t("inaction", { d: Class.tenths(s.inaction_detect), p: Class.num(s.inaction_penalty) })));
  const news = [
    el("p", {}, t("unit_news", { tol: c.unit_tolerated, pun: c.unit_punished })),
    el("p", {}, t("all_news", { tol: c.all_tolerated, pun: c.all_punished, pub: Class.tenths(s.publish) })),
    el("p", { class: "muted" }, t("belief", { b: Class.pct(c.belief) })),
  ];
  let action;
  if (v.answer) {
    action = el("p", { class: "banner", id: "answered" }, t(v.answer === "reform" ? "chose_take" : "chose_hold"), " ", t("waiting_others"));
  } else {
    const take = el("button", { class: "take", id: "take", onclick: () => choose(n - 1, "reform") }, t("take"));
    const hold = el("button", { class: "hold", id: "hold", onclick: () => choose(n - 1, "hold") }, t("hold"));
    take.disabled = hold.disabled = sending;
    action = el("div", {}, el("div", { class: "choices" }, take, hold), el("p", { class: "muted" }, t("no_answer")));
  }
  return el("div", { class: "card", id: "card" }, el("h2", {}, t("opportunity")), odds, action, ...rules, ...news);
}

const GOOD = ["success", "tolerated", "failure_hidden"];
const BAD = ["punished", "failure_no_review", "choice_void"];

function outcomeView(o) {
  const lines = o.events.map((code) => {
    const vars = { q: (o.decided_at ?? o.until ?? 0) + 1, reward: Class.num(o.career - o.career_before) };
    if (code === "sidelined" || code === "under_review") vars.q = (o.until ?? 0) + 1;
    if (code === "time_passed") vars.reward = (o.career > o.career_before ? "+" : "") + Class.num(o.career - o.career_before);
    return el("p", {}, t(code, vars));
  });
  const tone = o.events.some((e) => BAD.includes(e)) ? "bad" : o.events.some((e) => e === "failure_review") ? "wait" : o.events.some((e) => GOOD.includes(e)) ? "good" : "";
  return el("div", { class: "card outcome " + tone, id: "outcome" }, el("h2", {}, t("last_quarter", { n: o.round + 1 })), ...lines);
}

function render() {
  setLangButton();
  if (!view) return renderJoin();
  const v = view;
  const parts = [
    el("div", { class: "who" },
      el("b", { id: "who" }, t("you_are", { name: v.nickname, unit: v.unit })),
      el("span", { class: "career", id: "career" }, t("career") + " " + Class.num(v.career))),
  ];
  if (v.phase === "open") {
    const secs = v.remaining_ms == null ? "" : Math.ceil(v.remaining_ms / 1000);
    parts.push(el("div", { class: "banner" + (v.paused ? " paused" : ""), id: "clock" },
      el("b", {}, t("quarter", { n: v.round + 1 })), " · ", v.paused ? t("paused") : t("seconds_left", { s: secs })));
    if (v.card) parts.push(cardView(v));
  } else if (v.phase === "over") {
    parts.push(el("div", { class: "banner" }, t("over")));
  } else {
    parts.push(el("div", { class: "banner", id: "clock" }, t("wait_start")));
  }
  if (v.outcome && v.phase !== "open") parts.push(outcomeView(v.outcome));
  parts.push(el("p", { class: "error", id: "error" }, error));
  app.replaceChildren(...parts);
}

async function choose(round, choice) {
  if (sending) return;
  sending = true;
  const n = ++sent;
  try {
    const v = await Class.api("/api/answer", { method: "POST", body: { round, choice }, headers: { "X-Seat-Token": token } });
    if (fresh(n)) view = v;
    error = "";
  } catch (e) {
    error = e.message;
  }
  sending = false;
  render();
}

async function poll() {
  clearTimeout(timer);
  if (!token) return render();
  const n = ++sent;
  try {
    const v = await Class.api("/api/me", { headers: { "X-Seat-Token": token } });
    if (fresh(n)) view = v;
    if (error === t("connection_lost")) error = "";
  } catch (e) {
    if (e.kind === "unknown_seat") {
      // The server does not know this seat (a new game): join again.
      localStorage.removeItem("cadre-seat");
      token = null;
      view = null;
    } else {
      error = e.status ? e.message : t("connection_lost");
    }
  }
  render();
  timer = setTimeout(poll, 1000);
}

document.getElementById("lang").addEventListener("click", () => { Class.toggleLang(); render(); });
Class.load().then(poll);
