// cadre-sim classroom page. Plain JS, no build step, no network beyond this server.
//
// Flow: GET /api/meta describes scenarios, levers, labels and colours; "Run" POSTs one run
// per regime (A, and B when side by side) to /api/run and reads each server-sent-event
// stream as it arrives; an animation loop shows the steps at the chosen speed, drawing the
// world view (one cell per cadre, grouped by unit) and the charts of both regimes together.
// Each regime's run is the average of N runs (the lines; the band spans the lowest to the
// highest run; the world view is run 1); when both finish, the headline strip compares A
// and B over the last quarters. A refused run clears the charts and shows the server's
// plain-words message in the page's language.
"use strict";

const state = {
  meta: null,
  lang: localStorage.getItem("cadre-sim-lang") === "zh" ? "zh" : "en",
  // The two regimes: the scenario they start from and the lever values sent with the run.
  sides: [
    { scenario: "nominal_tolerance", values: {} },
    { scenario: "optimized_path", values: {} },
  ],
  editing: 0,
  compare: true,
  // The current run: per side the streamed steps; `shown` is the step on screen.
  run: null,
  paused: false,
};

const $ = (sel) => document.querySelector(sel);
const SIDE_COLORS = ["#1f5fbf", "#d9730d"];

/** The page label `key` in the current language. */
function tr(key) {
  const text = state.meta.ui[key];
  return text ? text[state.lang] : key;
}
/** A {en, zh} text from the meta data in the current language. */
const L = (text) => text[state.lang];

async function main() {
  const response = await fetch("/api/meta");
  state.meta = await response.json();
  for (const side of state.sides) side.values = presetValues(side.scenario);
  const nominal = scenarioMeta("nominal_tolerance");
  $("#cadres").value = nominal.cadres;
  $("#steps").value = nominal.steps;
  $("#seed").value = nominal.seed;
  $("#average").value = state.meta.average_default;
  $("#average").max = state.meta.caps.replicates;
  buildPresets();
  buildLevers();
  buildCharts();
  wireControls();
  applyLanguage();
  showWhy(null);
  new ResizeObserver(() => draw()).observe($("#stage"));
  // Canvas text uses the embedded Chinese web font once it has loaded.
  document.fonts.ready.then(() => draw());
  requestAnimationFrame(tick);
}

const scenarioMeta = (name) => state.meta.scenarios.find((s) => s.name === name);
const presetValues = (name) => ({ ...scenarioMeta(name).values });

// ---------- building the page ----------

function buildPresets() {
  const box = $("#presets");
  box.innerHTML = "";
  for (const s of state.meta.scenarios) {
    const button = document.createElement("button");
    button.className = "preset";
    button.dataset.scenario = s.name;
    button.addEventListener("click", () => choosePreset(s.name));
    button.addEventListener("mouseenter", () => showWhy({ scenario: s }));
    box.appendChild(button);
  }
}

function buildLevers() {
  const box = $("#levers");
  box.innerHTML = "";
  for (const lever of state.meta.levers) {
    const row = document.createElement("div");
    row.className = "lever";
    row.dataset.name = lever.name;
    row.innerHTML =
      `<div class="lever-head"><label for="lever-${lever.name}"></label><output></output></div>` +
      `<input type="range" id="lever-${lever.name}" min="${lever.min}" max="${lever.max}" step="${lever.step}">` +
      `<p class="meaning"></p>`;
    const input = row.querySelector("input");
    input.addEventListener("input", () => {
      state.sides[state.editing].values[lever.name] = Number(input.value);
      refreshLevers();
      showWhy({ lever });
    });
    input.addEventListener("focus", () => showWhy({ lever }));
    row.addEventListener("mouseenter", () => showWhy({ lever }));
    box.appendChild(row);
  }
}

function buildCharts() {
  const box = $("#charts");
  box.innerHTML = "";
  for (const chart of state.meta.charts) {
    const div = document.createElement("div");
    div.className = "chart";
    div.dataset.metric = chart.metric;
    div.appendChild(document.createElement("canvas"));
    div.addEventListener("mouseenter", () => showWhy({ chart }));
    box.appendChild(div);
  }
}

function wireControls() {
  $("#lang").addEventListener("click", () => {
    state.lang = state.lang === "en" ? "zh" : "en";
    localStorage.setItem("cadre-sim-lang", state.lang);
    applyLanguage();
  });
  for (const button of document.querySelectorAll(".seg")) {
    button.addEventListener("click", () => {
      state.editing = Number(button.dataset.side);
      refreshAll();
    });
  }
  $("#reset").addEventListener("click", () => {
    const side = state.sides[state.editing];
    side.values = presetValues(side.scenario);
    refreshAll();
  });
  $("#compare").addEventListener("change", (e) => {
    state.compare = e.target.checked;
    if (!state.compare) state.editing = 0;
    refreshAll();
  });
  $("#cadres").addEventListener("input", () => state.run || draw());
  $("#speed").addEventListener("input", () => ($("#speed-out").textContent = $("#speed").value));
  $("#run").addEventListener("click", startRun);
  // The space bar pauses and resumes, as in a video player (unless typing in a field).
  document.addEventListener("keydown", (e) => {
    if (e.key !== " " || !state.run || e.target.closest("input, button")) return;
    e.preventDefault();
    state.paused = !state.paused;
    refreshProgress();
  });
  $("#pause").addEventListener("click", () => {
    state.paused = !state.paused;
    refreshProgress();
  });
}

function choosePreset(name) {
  const side = state.sides[state.editing];
  side.scenario = name;
  side.values = presetValues(name);
  // A timeline needs room: make sure the run is long enough for the scenario's events.
  const last = Math.max(-1, ...scenarioMeta(name).events);
  if (Number($("#steps").value) <= last) $("#steps").value = scenarioMeta(name).steps;
  showWhy({ scenario: scenarioMeta(name) });
  refreshAll();
}

// ---------- refreshing what is shown ----------

function applyLanguage() {
  document.documentElement.lang = state.lang === "zh" ? "zh-CN" : "en";
  for (const el of document.querySelectorAll("[data-i18n]")) el.textContent = tr(el.dataset.i18n);
  refreshAll();
  refreshError();
  refreshHeadline();
  // Redraw the charts once the Chinese web font is there (it loads on first use).
  document.fonts.load(`16px "CadreSim CJK"`, "中").then(() => draw(), () => {});
  showWhy(state.lastWhy || null);
}

function refreshAll() {
  $("#worlds").classList.toggle("single", !state.compare);
  $("#edit-b").disabled = !state.compare;
  for (const button of document.querySelectorAll(".seg")) {
    button.classList.toggle("on", Number(button.dataset.side) === state.editing);
  }
  document.documentElement.style.setProperty("--edit", SIDE_COLORS[state.editing]);
  for (const button of document.querySelectorAll(".preset")) {
    const s = scenarioMeta(button.dataset.scenario);
    const marks = state.sides
      .map((side, i) => (side.scenario === s.name && (i === 0 || state.compare) ? i : -1))
      .filter((i) => i >= 0);
    button.classList.toggle("has-mark", marks.length > 0);
    // The friendly name, and beneath it the id that `cadre-sim run` takes.
    button.innerHTML =
      `<span class="label">${escapeHtml(L(s.label))}</span>` +
      `<code class="id">${escapeHtml(s.name).replaceAll("_", "_<wbr>")}</code>` +
      (marks.length
        ? `<span class="marks">${marks.map((i) => `<b class="mark ${"ab"[i]}">${"AB"[i]}</b>`).join("")}</span>`
        : "");
    button.title = L(s.description);
  }
  refreshLevers();
  refreshLegend();
  refreshCaptions();
  refreshProgress();
  draw();
}

function refreshLevers() {
  const side = state.sides[state.editing];
  const preset = scenarioMeta(side.scenario).values;
  for (const lever of state.meta.levers) {
    const row = document.querySelector(`.lever[data-name="${lever.name}"]`);
    const value = side.values[lever.name];
    row.querySelector("label").textContent = L(lever.label);
    row.querySelector(".meaning").textContent = L(lever.meaning);
    row.querySelector("output").textContent = formatValue(value, lever);
    const input = row.querySelector("input");
    if (Number(input.value) !== value) input.value = value;
    row.classList.toggle("changed", value !== preset[lever.name]);
    row.title = `${lever.key}: ${lever.allowed}`;
  }
  refreshCaptions();
}

function refreshLegend() {
  $("#legend").innerHTML = state.meta.statuses
    .map((s) => `<span title="${escapeHtml(L(s.explain))}"><i style="background:${s.color}"></i>${escapeHtml(L(s.label))}</span>`)
    .join("");
}

function refreshCaptions() {
  state.sides.forEach((side, i) => {
    const fig = $(`#world-${i}`);
    const preset = scenarioMeta(side.scenario);
    const changed = state.meta.levers.filter((l) => side.values[l.name] !== preset.values[l.name]);
    fig.querySelector(".name").textContent = L(preset.label);
    fig.querySelector(".id").textContent = preset.name;
    fig.querySelector(".mod").textContent = changed.length
      ? ` · ${tr("modified")}: ${changed.map((l) => L(l.label)).join(", ")}`
      : "";
  });
}

function refreshProgress() {
  const run = state.run;
  const pause = $("#pause");
  pause.disabled = !run;
  pause.textContent = state.paused ? tr("resume") : tr("pause");
  let text = tr("ready");
  let phase = "ready";
  if (run) {
    const failed = run.sides.some((s) => s.failed);
    const finished = run.sides.every((s) => s.done) && run.shown >= run.steps - 1;
    phase = failed ? "error" : finished ? "done" : state.paused ? "paused" : "running";
    text = `${tr("step")} ${Math.max(0, run.shown + 1)} ${tr("of")} ${run.steps}` +
      (failed ? "" : ` · ${tr(phase)}`);
  }
  const progress = $("#progress");
  progress.textContent = text;
  // For the browser test and anyone scripting the page: what the run is doing.
  progress.dataset.phase = phase;
  progress.dataset.shown = run ? run.shown + 1 : 0;
  $("#progress-bar").style.width = run ? `${(100 * (run.shown + 1)) / run.steps}%` : "0";
}

/** The "why" panel: what the lever, scenario or chart under the pointer does in the model. */
function showWhy(what) {
  state.lastWhy = what;
  const p = $("#why-text");
  if (!what) {
    p.textContent = tr("why_hint");
  } else if (what.lever) {
    const l = what.lever;
    p.innerHTML = `<b>${escapeHtml(L(l.label))}</b>: ${escapeHtml(L(l.why))} ` +
      `<span class="meta">(${escapeHtml(l.key)}, ${escapeHtml(l.allowed)}; ${tr("concept")} ${l.concept})</span>`;
  } else if (what.scenario) {
    p.innerHTML = `<b>${escapeHtml(L(what.scenario.label))}</b>: ${escapeHtml(L(what.scenario.description))}`;
  } else if (what.chart) {
    p.innerHTML = `<b>${escapeHtml(L(what.chart.label))}</b> = ${escapeHtml(L(what.chart.definition))}. ` +
      `<span class="meta">${tr("band")} ${tr("same_seed")}</span>`;
  }
}

function formatValue(value, lever) {
  return lever.integer ? String(Math.round(value)) : Number(value).toFixed(2);
}

function escapeHtml(text) {
  return String(text).replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c]);
}

// ---------- running ----------

function startRun() {
  if (state.run) state.run.abort.abort();
  $("#error").hidden = true;
  const sides = state.compare ? [0, 1] : [0];
  const run = {
    abort: new AbortController(),
    steps: Number($("#steps").value),
    shown: -1,
    lastAdvance: performance.now(),
    sides: sides.map((i) => ({ index: i, info: null, steps: [], done: false, failed: false })),
  };
  state.run = run;
  state.paused = false;
  state.error = null;
  for (const side of run.sides) streamSide(run, side);
  refreshProgress();
  refreshHeadline();
  // The last run's charts and world views go at once: nothing stale stays on screen.
  draw();
}

/** The request of regime `i`: its scenario and every lever, plus the shared size and seed. */
function requestBody(i) {
  const side = state.sides[i];
  return {
    scenario: side.scenario,
    set: {
      ...side.values,
      "population.cadres": Number($("#cadres").value),
      "run.steps": Number($("#steps").value),
      "run.seed": Number($("#seed").value),
      "run.replicates": Number($("#average").value),
    },
    lang: state.lang,
  };
}

async function streamSide(run, side) {
  try {
    const response = await fetch("/api/run", {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify(requestBody(side.index)),
      signal: run.abort.signal,
    });
    if (!response.ok) {
      const body = await response.json().catch(() => null);
      return fail(run, side, body && body.messages ? body : { error: `HTTP ${response.status}`, key: "network" });
    }
    const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
    let buffer = "";
    for (;;) {
      const { value, done } = await reader.read();
      if (done) break;
      buffer += value;
      let end;
      while ((end = buffer.indexOf("\n\n")) >= 0) {
        handleEvent(run, side, buffer.slice(0, end));
        buffer = buffer.slice(end + 2);
      }
    }
    if (!side.done) fail(run, side, { key: "stream_ended", error: "the stream ended early" });
  } catch (error) {
    if (error.name !== "AbortError") fail(run, side, { key: "network", error: String(error) });
  }
}

function handleEvent(run, side, text) {
  let name = "message";
  let data = "";
  for (const line of text.split("\n")) {
    if (line.startsWith("event: ")) name = line.slice(7);
    else if (line.startsWith("data: ")) data += line.slice(6);
  }
  const payload = JSON.parse(data);
  if (name === "start") {
    side.info = payload;
    side.metricIndex = Object.fromEntries(payload.metrics.map((m, i) => [m, i]));
  } else if (name === "step") {
    side.steps.push({ m: payload.m, lo: payload.lo, hi: payload.hi, s: payload.s });
  } else if (name === "done") {
    side.final = payload.final;
    side.window = payload.window;
    side.done = true;
    refreshHeadline();
  }
}

/** A refused or broken run: `problem` is the server's error body ({messages, error, kind})
 *  or a page-side problem ({key, error}). */
function fail(run, side, problem) {
  side.failed = true;
  side.done = true;
  // Only the first refusal is shown: the other regime's stream is then stopped on purpose.
  if (state.run !== run || run.refused) return;
  run.refused = true;
  // One regime refused: stop the other too, so the class never compares half a run.
  run.abort.abort();
  state.error = { side: side.index, ...problem };
  refreshError();
  refreshProgress();
  refreshHeadline();
  draw();
}

/** The error box in the current language; the exact English error is its tooltip. */
function refreshError() {
  const box = $("#error");
  const e = state.error;
  box.hidden = !e;
  if (!e) return;
  const message = e.messages ? L(e.messages) : tr(e.key);
  box.textContent = `${state.compare ? `${"AB"[e.side]}: ` : ""}${tr("error")}${state.lang === "zh" ? "" : " "}${message}`;
  box.title = e.error || "";
  box.dataset.kind = e.kind || e.key || "";
}

/** A metric's value for the headline: two decimals, or two significant digits if small. */
function formatMetric(v) {
  if (v === null || v === undefined) return "–";
  return Math.abs(v) >= 0.1 || v === 0 ? v.toFixed(2) : Number(v.toPrecision(2)).toString();
}

/** The headline strip, once every regime has finished: per charted metric, A's value over
 *  the last quarters, B's, and B's change relative to A. */
function refreshHeadline() {
  const box = $("#headline");
  const run = state.run;
  const ready = run && !run.refused && run.sides.every((s) => s.done && s.final) &&
    run.shown >= run.steps - 1;
  box.hidden = !ready;
  box.dataset.ready = ready ? "1" : "0";
  if (!ready) {
    box.innerHTML = "";
    return;
  }
  const w = run.sides[0].window;
  const cells = state.meta.charts.map((chart) => {
    const values = run.sides.map((side) => side.final[side.metricIndex[chart.metric]]);
    const parts = run.sides.map((side, k) =>
      `<b class="tag ${"ab"[side.index]}">${"AB"[side.index]}</b>&nbsp;${formatMetric(values[k])}`);
    let change = "";
    if (values.length === 2) {
      const [a, b] = values;
      change = a !== null && b !== null && a !== 0
        ? ` <span class="change">(${b >= a ? "+" : "−"}${Math.abs(Math.round((100 * (b - a)) / a))}%)</span>`
        : "";
    }
    return `<span class="item" data-metric="${chart.metric}"><span class="what">${escapeHtml(L(chart.label))}</span> ` +
      `${parts.join(" → ")}${change}</span>`;
  });
  box.innerHTML = `<span class="head">${escapeHtml(tr("headline").replace("{w}", w))}</span>${cells.join("")}`;
  box.title = tr("headline_hint").replaceAll("{w}", w);
}

/** The animation loop: advance one step when its time has come and every regime has it. */
function tick(now) {
  const run = state.run;
  if (run && !state.paused) {
    const interval = 1000 / Number($("#speed").value);
    const available = Math.min(...run.sides.map((s) => s.steps.length));
    const failed = run.sides.some((s) => s.failed);
    if (!failed && run.shown + 1 < available && now - run.lastAdvance >= interval) {
      run.shown += 1;
      run.lastAdvance = now;
      draw();
      refreshProgress();
      if (run.shown >= run.steps - 1) refreshHeadline();
    }
  }
  requestAnimationFrame(tick);
}

// ---------- drawing ----------

function draw() {
  if (!state.meta) return;
  [0, 1].forEach((i) => drawWorld(i));
  state.meta.charts.forEach((chart) => drawChart(chart));
}

/** A canvas sized to its box in device pixels; returns its 2D context and CSS size. */
function fitCanvas(canvas) {
  const dpr = window.devicePixelRatio || 1;
  const w = canvas.clientWidth;
  const h = canvas.clientHeight;
  if (canvas.width !== Math.round(w * dpr) || canvas.height !== Math.round(h * dpr)) {
    canvas.width = Math.round(w * dpr);
    canvas.height = Math.round(h * dpr);
  }
  const ctx = canvas.getContext("2d");
  ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
  ctx.clearRect(0, 0, w, h);
  return { ctx, w, h };
}

/** Units as blocks of cells, laid out to give the largest cells: the same rule as
 *  `Layout::fit` in src/worldview/mod.rs (used by `run --gif`). */
function layoutWorld(cadres, unitSize, width, height) {
  const unit = Math.min(Math.max(unitSize, 1), Math.max(cadres, 1));
  const units = Math.max(1, Math.ceil(cadres / unit));
  const cols = Math.ceil(Math.sqrt(unit));
  const rows = Math.ceil(unit / cols);
  let best = null;
  for (let perRow = 1; perRow <= units; perRow++) {
    const lines = Math.ceil(units / perRow);
    const wc = perRow * (cols + 1) - 1;
    const hc = lines * (rows + 1) - 1;
    const cell = Math.min(width / wc, height / hc);
    if (!best || cell > best.cell) best = { unit, cols, rows, perRow, wc, hc, cell };
  }
  return best;
}

function drawWorld(i) {
  const canvas = document.querySelector(`#world-${i} canvas`);
  const { ctx, w, h } = fitCanvas(canvas);
  const run = state.run;
  const side = run && run.sides.find((s) => s.index === i);
  // Before a run: the empty world of the chosen size, so the class sees what will fill.
  const info = side && side.info
    ? side.info
    : { cadres: Math.min(Math.max(1, Number($("#cadres").value) || 1), state.meta.caps.cadres),
        unit_size: scenarioMeta(state.sides[i].scenario).unit_size };
  const pad = 6;
  const layout = layoutWorld(info.cadres, info.unit_size, w - 2 * pad, h - 2 * pad);
  const cell = layout.cell >= 3 ? Math.floor(layout.cell) : layout.cell;
  const x0 = (w - layout.wc * cell) / 2;
  const y0 = (h - layout.hc * cell) / 2;
  const gap = cell >= 6 ? 1 : 0;
  const step = side && side.info ? side.steps[Math.min(run.shown, side.steps.length - 1)] : null;
  const colors = state.meta.statuses.map((s) => s.color);
  const codes = step ? step.s : null;
  for (let k = 0; k < info.cadres; k++) {
    const unit = Math.floor(k / layout.unit);
    const j = k % layout.unit;
    const x = (unit % layout.perRow) * (layout.cols + 1) + (j % layout.cols);
    const y = Math.floor(unit / layout.perRow) * (layout.rows + 1) + Math.floor(j / layout.cols);
    ctx.fillStyle = codes ? colors[codes.charCodeAt(k) - 48] : "#eef0f3";
    ctx.fillRect(x0 + x * cell, y0 + y * cell, cell - gap, cell - gap);
  }
}

function drawChart(chart) {
  const canvas = document.querySelector(`.chart[data-metric="${chart.metric}"] canvas`);
  const { ctx, w, h } = fitCanvas(canvas);
  const run = state.run;
  const steps = run ? run.steps : Number($("#steps").value) || 40;
  // The tolerance rate is 0 by construction until the first reviewed case can be decided
  // (start's tolerance_from): left out, as in the PNG plots, so it shows no false jump.
  const hidden = (side, t) =>
    chart.metric === "tolerance_rate" && side.info && t < (side.info.tolerance_from || 0);
  const pick = (side, st, field, t) => {
    const values = st[field];
    if (hidden(side, t)) return null;
    return values && side.metricIndex ? values[side.metricIndex[chart.metric]] : null;
  };
  const series = run
    ? run.sides.map((side) => {
        const shown = side.steps.slice(0, run.shown + 1);
        return {
          index: side.index,
          color: SIDE_COLORS[side.index],
          dashed: side.index === 1,
          values: shown.map((st, t) => pick(side, st, "m", t)),
          lo: shown.map((st, t) => pick(side, st, "lo", t)),
          hi: shown.map((st, t) => pick(side, st, "hi", t)),
        };
      })
    : [];
  const all = series.flatMap((s) => [...s.values, ...s.hi]).filter((v) => v !== null);
  const top = niceMax(Math.max(0, ...all));

  // Text as large as the page's (16 px at 1366x768), a little smaller only in tiny charts.
  const fontSize = Math.max(13, Math.min(17, h / 12));
  const family = getComputedStyle(document.documentElement).fontFamily;
  const font = (weight) => `${weight} ${fontSize}px ${family}`;
  const line = fontSize * 1.3;
  ctx.font = font(400);
  const ticks = [0, 0.5, 1].map((f) => formatTick(top * f));
  const left = Math.max(...ticks.map((t) => ctx.measureText(t).width)) + 12;
  // Rows: title and A/B key; the value axis's title; the plot; quarter ticks and title.
  const box = { x: left, y: 4 + 2 * line + 4, w: w - left - 12, h: 0 };
  box.h = h - box.y - line - 6;

  ctx.fillStyle = "#1d2430";
  ctx.font = font(600);
  ctx.textBaseline = "top";
  ctx.textAlign = "left";
  ctx.fillText(L(chart.label), 8, 4);
  const titleEnd = 8 + ctx.measureText(L(chart.label)).width;
  ctx.font = font(400);
  // The A/B key, when there are lines to explain and room beside the title.
  const keyWidth = series.length * (ctx.measureText("A").width + 32);
  if (run && !run.refused && w - 8 - keyWidth > titleEnd + 8) {
    let kx = w - 8;
    ctx.textAlign = "right";
    for (const s of [...series].reverse()) {
      const label = "AB"[s.index];
      ctx.fillStyle = s.color;
      ctx.fillText(label, kx, 4);
      kx -= ctx.measureText(label).width + 4;
      ctx.strokeStyle = s.color;
      ctx.lineWidth = 2.5;
      ctx.setLineDash(s.dashed ? [5, 3] : []);
      ctx.beginPath();
      ctx.moveTo(kx - 18, 4 + fontSize / 2);
      ctx.lineTo(kx, 4 + fontSize / 2);
      ctx.stroke();
      kx -= 28;
    }
    ctx.setLineDash([]);
  }
  // The value axis's title, above the axis: smaller if it must, never cut.
  ctx.fillStyle = "#5b6573";
  ctx.textAlign = "left";
  const axis = `↑ ${L(chart.axis)}`;
  const room = w - 16;
  const natural = ctx.measureText(axis).width;
  if (natural > room) ctx.font = `400 ${Math.max(11, (fontSize * room) / natural)}px ${family}`;
  ctx.fillText(axis, 8, 4 + line, room);
  ctx.font = font(400);

  const xOf = (t) => box.x + (steps > 1 ? (t / (steps - 1)) * box.w : 0);
  const yOf = (v) => box.y + box.h * (1 - v / top);

  // Axes: three horizontal grid lines, step ticks at the ends, the time axis's title between.
  ctx.strokeStyle = "#e3e7ec";
  ctx.lineWidth = 1;
  ctx.textAlign = "right";
  ctx.textBaseline = "middle";
  [0, 0.5, 1].forEach((f, k) => {
    const y = box.y + box.h * (1 - f);
    ctx.beginPath();
    ctx.moveTo(box.x, y);
    ctx.lineTo(box.x + box.w, y);
    ctx.stroke();
    ctx.fillText(ticks[k], box.x - 5, y);
  });
  ctx.textBaseline = "top";
  const below = box.y + box.h + 3;
  ctx.textAlign = "left";
  // Quarters count from 1 on the page, as in the progress line.
  ctx.fillText("1", box.x, below);
  ctx.textAlign = "right";
  ctx.fillText(String(steps), box.x + box.w, below);
  ctx.textAlign = "center";
  ctx.fillText(`${tr("step")} →`, box.x + box.w / 2, below);

  // Policy events (e.g. the mechanism introduced at step 20): a dotted line in the side's
  // colour, labelled at its top (one label per step, naming the regimes that change).
  if (run) {
    const changes = new Map();
    for (const side of run.sides) {
      for (const at of scenarioMeta(state.sides[side.index].scenario).events) {
        if (at >= steps) continue;
        ctx.strokeStyle = SIDE_COLORS[side.index];
        ctx.globalAlpha = 0.7;
        ctx.lineWidth = 1.5;
        ctx.setLineDash([2, 3]);
        ctx.beginPath();
        ctx.moveTo(xOf(at), box.y);
        ctx.lineTo(xOf(at), box.y + box.h);
        ctx.stroke();
        ctx.globalAlpha = 1;
        changes.set(at, [...(changes.get(at) || []), side.index]);
      }
    }
    ctx.setLineDash([]);
    for (const [at, sides] of changes) {
      const x = xOf(at);
      const who = run.sides.length > 1 ? `${sides.map((i) => "AB"[i]).join(", ")}: ` : "";
      const text = `${who}${tr("policy_change")}`;
      const width = ctx.measureText(text).width;
      // To the right of the line, else to its left, and always inside the plot.
      let at0 = x + 4 + width <= box.x + box.w ? x + 4 : x - 4 - width;
      at0 = Math.max(box.x + 2, Math.min(at0, box.x + box.w - width));
      ctx.textAlign = "left";
      ctx.fillStyle = "rgba(255,255,255,0.85)";
      ctx.fillRect(at0 - 2, box.y + 1, width + 4, fontSize + 2);
      ctx.fillStyle = sides.length > 1 ? "#1d2430" : SIDE_COLORS[sides[0]];
      ctx.fillText(text, at0, box.y + 2);
    }
  }

  // The band of an average: from the lowest to the highest run, where every run has a value.
  for (const s of series) {
    ctx.fillStyle = s.color;
    ctx.globalAlpha = 0.16;
    let open = false;
    const flush = (from, to) => {
      if (to - from < 1) return;
      ctx.beginPath();
      for (let t = from; t <= to; t++) ctx.lineTo(xOf(t), yOf(s.hi[t]));
      for (let t = to; t >= from; t--) ctx.lineTo(xOf(t), yOf(s.lo[t]));
      ctx.closePath();
      ctx.fill();
    };
    let from = 0;
    s.hi.forEach((v, t) => {
      const ok = v !== null && s.lo[t] !== null && v !== undefined;
      if (ok && !open) { from = t; open = true; }
      if (!ok && open) { flush(from, t - 1); open = false; }
    });
    if (open) flush(from, s.hi.length - 1);
    ctx.globalAlpha = 1;
  }

  // The series: lines broken where a value is missing (no case decided that quarter).
  for (const s of series) {
    ctx.strokeStyle = s.color;
    ctx.lineWidth = 2.5;
    ctx.setLineDash(s.dashed ? [6, 4] : []);
    ctx.beginPath();
    let open = false;
    s.values.forEach((v, t) => {
      if (v === null) {
        open = false;
        return;
      }
      if (open) ctx.lineTo(xOf(t), yOf(v));
      else ctx.moveTo(xOf(t), yOf(v));
      open = true;
    });
    ctx.stroke();
    // A dot on the latest value, so a lone point shows too.
    const last = s.values.length - 1;
    if (last >= 0 && s.values[last] !== null) {
      ctx.fillStyle = s.color;
      ctx.beginPath();
      ctx.arc(xOf(last), yOf(s.values[last]), 3, 0, 2 * Math.PI);
      ctx.fill();
    }
  }
  ctx.setLineDash([]);
}

/** A round upper end for an axis: 0.05, 0.1, 0.2, 0.25, 0.5, 1 and so on. */
function niceMax(x) {
  if (!(x > 0)) return 1;
  const p = Math.pow(10, Math.floor(Math.log10(x)));
  for (const m of [1, 2, 2.5, 5, 10]) if (x <= m * p * 1.0001) return m * p;
  return 10 * p;
}

function formatTick(v) {
  return v === 0 ? "0" : Number(v.toPrecision(2)).toString();
}

main().catch((error) => {
  document.body.textContent = `cadre-sim: the page could not start: ${error}`;
});
