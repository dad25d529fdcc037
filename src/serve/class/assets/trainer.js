// The trainer's screen (on the projector): the join screen with its QR code, the live
// controls and charts, and the debrief. Its token comes in the address after '#' (never
// sent to the server in the address), is kept for this tab only, and goes in a header.
"use strict";

const { el, t } = Class;
const $ = (id) => document.getElementById(id);
if (location.hash.length > 1) {
  sessionStorage.setItem("cadre-trainer", location.hash.slice(1));
  history.replaceState(null, "", location.pathname);
}
const token = sessionStorage.getItem("cadre-trainer") || "";
const auth = { Authorization: "Bearer " + token };
let state = null;
let debrief = null;
let tab = "join";
let regimeChoice = null;
// The debrief's projection (fetched when the debrief opens and after each new quarter).
let projection = null;
// Quarters shown on the live charts: after time passes, the new quarters appear one by one.
let shown = null;
let revealTimer = null;

const COLORS = { students: "#2f6fb0", bots: "#d9822b", model: "#5b6573", detected: "#e0b400", tolerated: "#3c9a5f", punished: "#c0392b", ended: "#3c9a5f", started: "#8e44ad" };

function showError(e) { $("error").textContent = e ? e.message : ""; }

async function control(body) {
  try {
    state = await Class.api("/api/trainer/control", { method: "POST", body, headers: auth });
    showError(null);
  } catch (e) { showError(e); }
  render();
}

// A line chart of `series` ([{label, color, dash, values, lo, hi}]: `lo`/`hi` draw a band)
// over rounds, 0..ymax, with the regime switches marked, quarters that passed shaded, and
// `now` (an index) marked.
function chart(svg, series, rounds, { ymax = 1, legend, now } = {}) {
  const W = svg.clientWidth || 500, H = svg.clientHeight || 200;
  svg.setAttribute("viewBox", `0 0 ${W} ${H}`);
  // Room for "100%" left of the axis, and two rows below it: quarter numbers, then the
  // axis title at the right, so that neither covers the other.
  const L = 58, R = 12, T = 8, B = 44;
  const n = Math.max(rounds.length, 2);
  const x = (i) => L + (W - L - R) * (i / (n - 1));
  const top = ymax || 1;
  const y = (v) => T + (H - T - B) * (1 - v / top);
  const ns = "http://www.w3.org/2000/svg";
  const mk = (tag, attrs, text) => { const e = document.createElementNS(ns, tag); for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, v); if (text !== undefined) e.textContent = text; return e; };
  const parts = [];
  for (const f of [0, 0.5, 1]) {
    parts.push(mk("line", { x1: L, x2: W - R, y1: y(f * top), y2: y(f * top), stroke: "#d9dee5" }));
    parts.push(mk("text", { x: L - 6, y: y(f * top) + 5, "text-anchor": "end", "font-size": 16, fill: "#5b6573" }, top === 1 ? Math.round(f * 100) + "%" : Math.round(f * top)));
  }
  parts.push(mk("text", { x: W - R, y: H - 3, "text-anchor": "end", "font-size": 16, fill: "#5b6573" }, t("quarter_axis")));
  rounds.forEach((r, i) => {
    if (i % Math.ceil(rounds.length / 10) === 0) parts.push(mk("text", { x: x(i), y: H - B + 20, "text-anchor": "middle", "font-size": 16, fill: "#5b6573" }, r.round + 1));
  });
  const half = (W - L - R) / (2 * (n - 1));
  rounds.forEach((r, i) => { if (r.passed) parts.push(mk("rect", { x: x(i) - half, y: T, width: 2 * half, height: H - T - B, fill: "#e8ecf1" })); });
  if (now !== undefined) {
    parts.push(mk("line", { x1: x(now), x2: x(now), y1: T, y2: H - B, stroke: "#5b6573", "stroke-width": 2 }));
    parts.push(mk("text", { x: x(now) - 4, y: H - B - 6, "text-anchor": "end", "font-size": 16, fill: "#5b6573" }, t("now")));
  }
  for (const s of series) {
    if (!s.lo) continue;
    let up = "", down = "";
    s.lo.forEach((v, i) => { if (v === null || !Number.isFinite(v)) return; up += (up ? "L" : "M") + x(i).toFixed(1) + "," + y(Math.min(s.hi[i], top)).toFixed(1); down = "L" + x(i).toFixed(1) + "," + y(Math.min(v, top)).toFixed(1) + down; });
    if (up) parts.push(mk("path", { d: up + down + "Z", fill: s.color, "fill-opacity": 0.2, stroke: "none" }));
  }
  for (const [at, name] of (state ? state.switches : []).slice(1)) {
    const i = rounds.findIndex((r) => r.round === at);
    if (i < 0) continue;
    parts.push(mk("line", { x1: x(i), x2: x(i), y1: T, y2: H - B, stroke: "#1d2430", "stroke-dasharray": "3 4" }));
    parts.push(mk("text", { x: x(i) + 4, y: T + 14, "font-size": 16, fill: "#1d2430" }, Class.regimeLabel(name)));
  }
  for (const s of series) {
    let d = "";
    s.values.forEach((v, i) => { if (v === null || !Number.isFinite(v)) return; d += (d && s.values[i - 1] !== null && Number.isFinite(s.values[i - 1]) ? "L" : "M") + x(i).toFixed(1) + "," + y(Math.min(v, top)).toFixed(1); });
    parts.push(mk("path", { d, fill: "none", stroke: s.color, "stroke-width": 3, "stroke-dasharray": s.dash || "" }));
    if (!s.lo) s.values.forEach((v, i) => { if (v !== null && Number.isFinite(v)) parts.push(mk("circle", { cx: x(i), cy: y(Math.min(v, top)), r: 3.5, fill: s.color })); });
  }
  svg.replaceChildren(...parts);
  if (legend) legend.replaceChildren(...series.map((s) => el("span", {}, el("i", { style: `background:${s.color}` }), s.label)));
}

const ratio = (a, b) => (b > 0 ? a / b : null);

function initiativeSeries(rounds) {
  return [
    { label: t("students"), color: COLORS.students, values: rounds.map((r) => ratio(r.students.reforms, r.students.opportunities)) },
    { label: t("model_in_seats"), color: COLORS.model, dash: "6 5", values: rounds.map((r) => ratio(r.model_expected_reforms, r.students.opportunities)) },
    { label: t("bots"), color: COLORS.bots, values: rounds.map((r) => ratio(r.bots.reforms, r.bots.opportunities)) },
  ];
}
function beliefSeries(rounds) {
  return [
    { label: t("students"), color: COLORS.students, values: rounds.map((r) => r.student_belief) },
    { label: t("bots"), color: COLORS.bots, values: rounds.map((r) => r.bot_belief) },
  ];
}

function names(box, students, live) {
  box.replaceChildren(...students.map((s) => el("span", { class: (s.connected ? "" : "gone ") + (live && s.answered ? "done" : "") }, s.nickname)));
}

function renderJoin() {
  $("join-here").textContent = t("join_here");
  $("join-url").textContent = state.join_url;
  $("joined").textContent = t("joined", { n: state.students.length });
  names($("names"), state.students, false);
}

// After time passes, the live charts add the new quarters one at a time (about three a
// second), so the class sees the lines move; the server has already played them.
function reveal() {
  const n = state.rounds.length;
  if (shown === null || shown > n || n - shown <= 1) { shown = n; return; }
  if (revealTimer) return;
  revealTimer = setInterval(() => {
    shown += 1;
    if (shown >= state.rounds.length) { clearInterval(revealTimer); revealTimer = null; shown = state.rounds.length; }
    render();
  }, 350);
}

function renderLive() {
  reveal();
  const s = Object.assign({}, state, { rounds: state.rounds.slice(0, shown) });
  $("phase").textContent = t("phase_" + s.phase) + " · " + t("rounds_played", { n: s.rounds.length });
  $("clock").textContent = s.phase === "open" ? (s.paused ? t("paused") : Math.ceil((s.remaining_ms || 0) / 1000) + " s") : "";
  $("answered").textContent = s.phase === "open" ? t("answered", { a: s.answered, n: s.opportunities }) : t("joined", { n: s.students.length });
  $("open").textContent = t("open_round", { n: s.round + 1 });
  $("open").disabled = s.phase === "open" || s.phase === "over";
  $("close").textContent = t("close_round");
  $("close").disabled = s.phase !== "open";
  $("pause").textContent = s.paused ? t("resume") : t("pause");
  $("pause").disabled = s.phase !== "open";
  $("timer-label").textContent = t("timer");
  if (document.activeElement !== $("timer")) $("timer").value = s.timer_s;
  const select = $("regime");
  if (document.activeElement !== select) {
    select.replaceChildren(...s.regimes.map((r) => el("option", { value: r.name }, r.label[Class.lang])));
    select.value = regimeChoice || s.regime;
  }
  $("switch").textContent = t("switch");
  $("switch").disabled = s.phase === "open";
  $("regime-now").textContent = t("regime", { name: Class.regimeLabel(s.regime) });
  const quarters = Number($("pass-n").value) || 4;
  $("pass").textContent = quarters === 4 ? t("pass_year") : t("pass_n", { n: quarters });
  $("pass").disabled = s.phase === "open" || s.phase === "over";
  $("passed-note").textContent = s.rounds.some((r) => r.passed) ? t("passed_note") : "";
  $("h-initiative").textContent = t("initiative");
  chart($("c-initiative"), initiativeSeries(s.rounds), s.rounds, { legend: $("l-initiative") });
  $("h-beliefs").textContent = t("beliefs");
  chart($("c-beliefs"), beliefSeries(s.rounds), s.rounds, { legend: $("l-beliefs") });
  $("h-cases").textContent = t("cases");
  const ymax = Math.max(4, ...s.rounds.map((r) => Math.max(r.detected, r.tolerated, r.punished)));
  chart($("c-cases"), [
    { label: t("detected"), color: COLORS.detected, values: s.rounds.map((r) => r.detected) },
    { label: t("tolerated_n"), color: COLORS.tolerated, values: s.rounds.map((r) => r.tolerated) },
    { label: t("punished_n"), color: COLORS.punished, values: s.rounds.map((r) => r.punished) },
  ], s.rounds, { ymax, legend: $("l-cases") });
  $("h-names").textContent = s.phase === "open" ? t("answered", { a: s.answered, n: s.opportunities }) : t("joined", { n: s.students.length });
  names($("live-names"), s.students, s.phase === "open");
}

function renderDebrief() {
  if (!debrief) return;
  const f = debrief.fit;
  if (f.none) {
    $("rule").textContent = t("nofit_" + f.none);
    $("rule-detail").textContent = "";
  } else {
    $("rule").textContent = t("rule_fit", {
      l: f.loss_aversion.toFixed(1), l0: debrief.defaults.loss_aversion.toFixed(1),
      t: f.temperature.toFixed(2), t0: debrief.defaults.temperature.toFixed(2),
    });
    $("rule-detail").textContent = t("rule_fit_detail", {
      n: f.choices, r: f.reforms, lse: Class.num(f.loss_aversion_se, 2), tse: Class.num(f.temperature_se, 2),
    });
  }
  $("export").textContent = t("export");
  $("with-names-label").textContent = t("with_names");
  $("export-projection").textContent = t("export_projection");
  const p = projection && projection.from === debrief.rounds.length ? projection : null;
  $("projection").textContent = p ? p.sentence[Class.lang] : "";
  // The class's quarters, then the projection's: both continuations start after the
  // class's last quarter, with their 95% bands.
  const rounds = debrief.rounds.concat(p ? p.ended.initiative.map((_, k) => ({ round: p.from + k })) : []);
  const pad = (values) => values.concat(p ? p.ended.initiative.map(() => null) : []);
  const after = (summaries, key) => debrief.rounds.map(() => null).concat(summaries.map((x) => x[key]));
  const projected = (metric) => !p ? [] : ["ended", "started"].filter((w) => w === "ended" || p.started.regime !== p.ended.regime).map((w) => ({
    label: t("proj_line", { name: Class.regimeLabel(p[w].regime) }), color: COLORS[w],
    values: after(p[w][metric], "mean"), lo: after(p[w][metric], "ci_low"), hi: after(p[w][metric], "ci_high"),
  }));
  const now = p && debrief.rounds.length ? debrief.rounds.length - 1 : undefined;
  $("h-d-initiative").textContent = p ? t("proj_title") : t("initiative");
  const init = initiativeSeries(debrief.rounds).map((s) => Object.assign(s, { values: pad(s.values) }));
  chart($("d-initiative"), init.concat(projected("initiative")), rounds, { legend: $("l-d-initiative"), now });
  $("h-d-beliefs").textContent = t("beliefs");
  const bel = beliefSeries(debrief.rounds).map((s) => Object.assign(s, { values: pad(s.values) }));
  chart($("d-beliefs"), bel.concat(projected("belief")), rounds, { legend: $("l-d-beliefs"), now });
  $("proj-note").textContent = p ? t("proj_note", { runs: p.runs }) : "";
}

async function fetchProjection() {
  try {
    projection = await Class.api("/api/trainer/projection", { headers: auth });
  } catch (e) { showError(e); }
}

function render() {
  $("lang").textContent = t("lang");
  $("title").textContent = t("title") + " · " + t("trainer");
  document.title = t("title");
  for (const v of ["join", "live", "debrief"]) {
    $("tab-" + v).textContent = t("tab_" + v);
    $("tab-" + v).classList.toggle("on", tab === v);
    $("view-" + v).classList.toggle("on", tab === v);
  }
  if (!state) return;
  if (tab === "join") renderJoin();
  if (tab === "live") renderLive();
  if (tab === "debrief") renderDebrief();
}

async function poll() {
  try {
    state = await Class.api("/api/trainer/state", { headers: auth });
    if (tab === "debrief") {
      debrief = await Class.api("/api/trainer/debrief", { headers: auth });
      if (!projection || projection.from !== state.round) await fetchProjection();
    }
    showError(null);
  } catch (e) { showError(e); }
  render();
  setTimeout(poll, 1000);
}

for (const v of ["join", "live", "debrief"]) {
  $("tab-" + v).addEventListener("click", async () => {
    tab = v;
    if (v === "debrief") {
      try { debrief = await Class.api("/api/trainer/debrief", { headers: auth }); } catch (e) { showError(e); }
      render();
      if (!projection || !state || projection.from !== state.round) await fetchProjection();
    }
    render();
  });
}
$("lang").addEventListener("click", () => { Class.toggleLang(); render(); });
$("open").addEventListener("click", () => control({ action: "open" }));
$("close").addEventListener("click", () => control({ action: "close" }));
$("pause").addEventListener("click", () => control({ action: state && state.paused ? "resume" : "pause" }));
$("set-timer").addEventListener("click", () => control({ action: "timer", seconds: Number($("timer").value) }));
$("regime").addEventListener("change", () => { regimeChoice = $("regime").value; });
$("pass").addEventListener("click", () => control({ action: "pass", quarters: Number($("pass-n").value) || 4 }));
$("pass-n").addEventListener("input", render);
$("export-projection").addEventListener("click", async () => {
  const r = await fetch("/api/trainer/projection.csv", { headers: auth });
  if (!r.ok) return showError(new Error((await r.json()).message));
  const url = URL.createObjectURL(await r.blob());
  const a = el("a", { href: url, download: "class-projection.csv" });
  document.body.append(a);
  a.click();
  a.remove();
});
$("switch").addEventListener("click", () => control({ action: "regime", regime: $("regime").value }));
$("export").addEventListener("click", async () => {
  const q = $("with-names").checked ? "?names=1" : "";
  const r = await fetch("/api/trainer/export.csv" + q, { headers: auth });
  if (!r.ok) return showError(new Error((await r.json()).message));
  const url = URL.createObjectURL(await r.blob());
  const a = el("a", { href: url, download: "class-decisions.csv" });
  document.body.append(a);
  a.click();
  a.remove();
});
window.addEventListener("resize", render);
Class.load().then(() => { render(); poll(); });
