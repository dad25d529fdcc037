// The class game's session plan in headless Chromium (docs/classroom.md, "The session"):
// 28 phones play over HTTP (as tests/class_plan.rs does), the trainer's screen (1366x768)
// lets time pass between rounds and opens the debrief with its projection. Checks that the
// passed quarters appear on the live charts one by one and shaded, and that the debrief
// shows the projection's sentence and both continuations; saves screenshots of the Live
// tab after time has passed and of the debrief, in English and Chinese.
//
// Environment: CADRE_SIM_BIN, CHROMIUM, SCREENSHOTS as for e2e.mjs.

import { spawn } from "node:child_process";
import { mkdirSync, mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { chromium } from "playwright-core";

const here = dirname(fileURLToPath(import.meta.url));
const BIN = process.env.CADRE_SIM_BIN || resolve(here, "../../target/release/cadre-sim");
const BROWSER = process.env.CHROMIUM || "/usr/bin/chromium";
const SHOTS = resolve(process.env.SCREENSHOTS || join(here, "screenshots"));
const ARGS = [
  "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
  "--disable-background-networking", "--disable-component-update", "--disable-sync",
];

let failures = 0;
function check(ok, what) {
  console.log(`${ok ? "ok  " : "FAIL"} ${what}`);
  if (!ok) failures += 1;
}

function startServer() {
  return new Promise((resolveUrls, reject) => {
    const server = spawn(BIN, ["serve", "--class", "--port", "0", "--seats-per-address", "400", "--out", mkdtempSync(join(tmpdir(), "cadre-class-time-"))], { stdio: ["ignore", "pipe", "inherit"] });
    let out = "";
    const timer = setTimeout(() => reject(new Error(`no URLs from ${BIN} in 10 s: ${out}`)), 10000);
    server.stdout.on("data", (chunk) => {
      out += chunk;
      const joinUrl = out.match(/Students join at: (http:\/\/\S+)/);
      const trainer = out.match(/Trainer's screen[^:]*: (http:\/\/\S+#[0-9a-f]+)/);
      if (joinUrl && trainer) {
        clearTimeout(timer);
        resolveUrls({ trainer: trainer[1], server });
      }
    });
    server.on("error", reject);
  });
}

// A seeded generator and the model's choice rule, as tests/class_plan.rs.
let seed = 7n;
function dice() {
  seed = (seed + 0x9e3779b97f4a7c15n) & 0xffffffffffffffffn;
  let z = seed;
  z = ((z ^ (z >> 30n)) * 0xbf58476d1ce4e5b9n) & 0xffffffffffffffffn;
  z = ((z ^ (z >> 27n)) * 0x94d049bb133111ebn) & 0xffffffffffffffffn;
  return Number((z ^ (z >> 31n)) >> 11n) / 2 ** 53;
}
function choose(card, lambda) {
  const s = card.stakes;
  const gain = card.p_success * s.reward;
  const loss = (1 - card.p_success) * s.detect * s.severity * (1 - card.belief) - s.inaction_detect * s.inaction_penalty;
  return dice() < 1 / (1 + Math.exp(-(gain - lambda * loss) / 0.25));
}

async function main() {
  mkdirSync(SHOTS, { recursive: true });
  const { trainer: trainerUrl, server } = await startServer();
  const base = new URL(trainerUrl).origin;
  const token = trainerUrl.split("#")[1];
  const api = async (path, body, headers = {}) => {
    const r = await fetch(base + path, {
      method: body ? "POST" : "GET",
      headers: Object.assign({ "Content-Type": "application/json" }, headers),
      body: body ? JSON.stringify(body) : undefined,
    });
    if (!r.ok) throw new Error(`${path}: ${r.status} ${await r.text()}`);
    return r.json();
  };
  const control = (body) => api("/api/trainer/control", body, { Authorization: "Bearer " + token });
  const browser = await chromium.launch({ executablePath: BROWSER, args: ARGS });
  try {
    const seats = [];
    for (let k = 0; k < 28; k++) {
      const me = await api("/api/join", { nickname: `s${k}` });
      seats.push({ token: me.token, lambda: 2 * Math.exp(0.5 * (dice() - 0.5)) });
    }
    const play = async () => {
      const state = await control({ action: "open" });
      for (const s of seats) {
        const me = await api("/api/me", null, { "X-Seat-Token": s.token });
        if (me.phase !== "open") break;
        if (me.card && me.card.kind === "opportunity") {
          await api("/api/answer", { round: state.round, choice: choose(me.card, s.lambda) ? "reform" : "hold" }, { "X-Seat-Token": s.token });
        }
      }
    };
    for (let i = 0; i < 6; i++) await play();
    await control({ action: "regime", regime: "optimized_path" });
    for (let i = 0; i < 2; i++) await play();

    const ctx = await browser.newContext({ viewport: { width: 1366, height: 768 }, locale: "en-US" });
    const page = await ctx.newPage();
    await page.goto(trainerUrl);
    await page.click("#tab-live");
    await page.waitForFunction(() => document.querySelectorAll("#c-initiative circle").length > 0);
    // "A year passes", twice, from the trainer's screen: the quarters appear one by one.
    for (let year = 0; year < 2; year++) {
      const before = await page.$$eval("#c-beliefs path", (ps) => ps.length);
      await page.click("#pass");
      await page.waitForTimeout(500);
      const rects = await page.$$eval("#c-initiative rect", (rs) => rs.length);
      check(rects >= 1 && rects < 4 * (year + 1), `year ${year + 1}: the passed quarters arrive one at a time (${rects} shaded so far)`);
      await page.waitForFunction((n) => document.querySelectorAll("#c-initiative rect").length === n, 4 * (year + 1), { timeout: 10000 });
      check(before > 0, "the belief chart has its lines");
    }
    for (let i = 0; i < 2; i++) await play();
    await control({ action: "pass" });
    await control({ action: "pass" });
    for (let i = 0; i < 2; i++) await play();
    await page.waitForFunction(() => document.querySelectorAll("#c-initiative rect").length === 16, null, { timeout: 15000 });
    await page.waitForTimeout(400);
    const fits = await page.evaluate(() => document.documentElement.scrollHeight <= innerHeight + 1 && document.documentElement.scrollWidth <= innerWidth + 1);
    check(fits, "the Live tab fits 1366x768");
    check((await page.textContent("#passed-note")).length > 0, "the Live tab says what the shading means");
    await page.screenshot({ path: join(SHOTS, "class-live-passed-1366x768.png") });

    await page.click("#tab-debrief");
    await page.waitForFunction(() => document.getElementById("projection").textContent.length > 0, null, { timeout: 30000 });
    await page.waitForTimeout(300);
    const sentence = await page.textContent("#projection");
    console.log("debrief: " + sentence);
    check(/O1–O5/.test(sentence) && /within ten years/.test(sentence), "the debrief's sentence names the regime and the horizon");
    const bands = await page.$$eval("#d-initiative path[fill-opacity]", (ps) => ps.length);
    check(bands === 2, `both continuations have their bands (${bands})`);
    const fitsD = await page.evaluate(() => document.documentElement.scrollHeight <= innerHeight + 1);
    check(fitsD, "the debrief fits 1366x768");
    await page.screenshot({ path: join(SHOTS, "class-projection-1366x768.png") });

    await page.click("#lang");
    await page.waitForTimeout(300);
    const zh = await page.textContent("#projection");
    check(/十年内/.test(zh), "the sentence in Chinese");
    await page.screenshot({ path: join(SHOTS, "class-projection-1366x768-zh.png") });
    await page.click("#tab-live");
    await page.waitForTimeout(300);
    await page.screenshot({ path: join(SHOTS, "class-live-passed-1366x768-zh.png") });
    await page.click("#lang");
  } finally {
    await browser.close();
    server.kill();
  }
  console.log(failures ? `${failures} check(s) failed` : "all checks passed");
  process.exit(failures ? 1 : 0);
}

main().catch((e) => { console.error(e); process.exit(1); });
