// End-to-end test of the classroom page in a real headless browser (Debian's Chromium,
// driven by playwright-core; no browser is downloaded).
//
// It starts the release binary on a free port, then for a projector (1366x768) and a large
// screen (1920x1080): loads the page, checks it fits the screen, clicks a preset, moves a
// lever, runs both regimes side by side, waits until the world views and the charts have
// filled and the headline strip compares A and B, checks that no text is under 16 px,
// switches to Chinese (drawn in the embedded web font), and saves screenshots. Finally it
// checks that a refused run shows a plain-words message in the page's language and clears
// the last run's charts. Exit code 0 when every check passed.
//
// Environment: CADRE_SIM_BIN (default ../../target/release/cadre-sim), CHROMIUM (default
// /usr/bin/chromium), SCREENSHOTS (default ./screenshots).

import { spawn } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { chromium } from "playwright-core";

const here = dirname(fileURLToPath(import.meta.url));
const BIN = process.env.CADRE_SIM_BIN || resolve(here, "../../target/release/cadre-sim");
const BROWSER = process.env.CHROMIUM || "/usr/bin/chromium";
const SHOTS = resolve(process.env.SCREENSHOTS || join(here, "screenshots"));
// Flags for a closed network: no background connections, no updates, no sync.
const ARGS = [
  "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
  "--disable-background-networking", "--disable-component-update", "--disable-sync",
];
const SIZES = [
  { name: "1366x768", width: 1366, height: 768 },
  { name: "1920x1080", width: 1920, height: 1080 },
];

let failures = 0;
function check(ok, what) {
  console.log(`${ok ? "ok  " : "FAIL"} ${what}`);
  if (!ok) failures += 1;
}

/** Starts `cadre-sim serve --port 0` and resolves to its URL once it prints it. */
function startServer() {
  return new Promise((resolveUrl, reject) => {
    const server = spawn(BIN, ["serve", "--port", "0"], { stdio: ["ignore", "pipe", "inherit"] });
    let out = "";
    const timer = setTimeout(() => reject(new Error(`no URL from ${BIN} in 10 s: ${out}`)), 10000);
    server.stdout.on("data", (chunk) => {
      out += chunk;
      const m = out.match(/http:\/\/[\d.]+:\d+\//);
      if (m) {
        clearTimeout(timer);
        resolveUrl({ url: m[0], server });
      }
    });
    server.on("error", reject);
    server.on("exit", (code) => reject(new Error(`${BIN} exited with ${code}: ${out}`)));
  });
}

/** Pixels of a canvas whose colour is within `tolerance` of one of `colors` (#rrggbb). */
async function countColored(page, selector, colors, tolerance = 24) {
  return page.$eval(
    selector,
    (canvas, [colors, tolerance]) => {
      const rgb = colors.map((c) => [1, 3, 5].map((i) => parseInt(c.slice(i, i + 2), 16)));
      const data = canvas.getContext("2d").getImageData(0, 0, canvas.width, canvas.height).data;
      let n = 0;
      for (let i = 0; i < data.length; i += 4) {
        if (data[i + 3] < 200) continue;
        if (rgb.some(([r, g, b]) => Math.abs(data[i] - r) + Math.abs(data[i + 1] - g) + Math.abs(data[i + 2] - b) <= tolerance)) n++;
      }
      return n;
    },
    [colors, tolerance],
  );
}

/** Pixels of a canvas in `color` (#rrggbb) at low opacity: a translucent band. */
async function countBand(page, selector, color) {
  return page.$eval(selector, (canvas, color) => {
    const [r, g, b] = [1, 3, 5].map((i) => parseInt(color.slice(i, i + 2), 16));
    const data = canvas.getContext("2d").getImageData(0, 0, canvas.width, canvas.height).data;
    let n = 0;
    for (let i = 0; i < data.length; i += 4) {
      const a = data[i + 3];
      if (a > 15 && a < 90 && Math.abs(data[i] - r) + Math.abs(data[i + 1] - g) + Math.abs(data[i + 2] - b) <= 30) n++;
    }
    return n;
  }, color);
}

/** Visible text smaller than `min` px: "tag.class: text (size)" for each element whose own
 *  text is shown (not hidden, not clipped away by a scrolling panel). */
async function smallText(page, min) {
  return page.evaluate((min) => {
    const small = [];
    for (const el of document.querySelectorAll("body *")) {
      const own = [...el.childNodes].filter((n) => n.nodeType === 3 && n.textContent.trim()).map((n) => n.textContent.trim()).join(" ");
      if (!own) continue;
      const r = el.getBoundingClientRect();
      if (r.width === 0 || r.height === 0 || el.closest("[hidden]")) continue;
      const size = parseFloat(getComputedStyle(el).fontSize);
      if (size < min) small.push(`${el.tagName.toLowerCase()}.${el.className}: ${own.slice(0, 30)} (${size}px)`);
    }
    return small;
  }, min);
}

/** Sets a range input the way a user's drag does: value, then an input event. */
async function moveLever(page, name, value) {
  await page.$eval(`#lever-${name}`, (el, v) => {
    el.value = v;
    el.dispatchEvent(new Event("input", { bubbles: true }));
  }, String(value));
}

async function testSize(context, url, size) {
  const page = await context.newPage();
  const errors = [];
  page.on("pageerror", (e) => errors.push(String(e)));
  page.on("console", (m) => m.type() === "error" && errors.push(m.text()));
  await page.setViewportSize({ width: size.width, height: size.height });
  await page.goto(url);
  await page.evaluate(() => localStorage.clear());
  await page.reload();

  // 1. The page loads: every scenario has a button, every lever a slider.
  await page.waitForSelector(".preset");
  const meta = await page.evaluate(() => fetch("/api/meta").then((r) => r.json()));
  check((await page.$$(".preset")).length === meta.scenarios.length, `${size.name}: one button per scenario (${meta.scenarios.length})`);
  check((await page.$$(".lever input[type=range]")).length === 11, `${size.name}: 11 lever sliders`);
  const fits = await page.evaluate(() => ({
    h: document.documentElement.scrollHeight <= window.innerHeight + 1,
    w: document.documentElement.scrollWidth <= window.innerWidth + 1,
  }));
  check(fits.h && fits.w, `${size.name}: the page fits the screen without scrolling`);
  const box = async (sel) => page.$eval(sel, (el) => el.getBoundingClientRect().toJSON());
  for (const sel of ["#world-0 canvas", "#world-1 canvas", ".chart canvas"]) {
    const b = await box(sel);
    check(b.width >= 150 && b.height >= 100, `${size.name}: ${sel} is ${Math.round(b.width)}x${Math.round(b.height)} px`);
  }

  const small = await smallText(page, 16);
  check(small.length === 0, `${size.name}: no text under 16 px ${small.slice(0, 5).join("; ")}`);
  const preset = await page.textContent('.preset[data-scenario="nominal_tolerance"]');
  check(preset.includes("Tolerance on paper") && preset.replace(/\s/g, "").includes("nominal_tolerance"),
    `${size.name}: a preset shows its friendly name with the id beneath (${preset.trim()})`);

  await page.screenshot({ path: join(SHOTS, `classroom-${size.name}-start.png`) });

  // 2. Click a preset (regime A), move a lever, run at full speed.
  await page.click('.preset[data-scenario="o2_top_leader"]');
  await moveLever(page, "publish", 0.6);
  const why = await page.textContent("#why-text");
  check(/publish|Publication/i.test(why), `${size.name}: the why panel explains the lever moved`);
  await page.$eval("#speed", (el) => { el.value = "30"; el.dispatchEvent(new Event("input")); });
  await page.click("#run");

  // 3. Wait for both runs to stream every step, the charts and world views to fill.
  await page.waitForSelector('#progress[data-phase="done"]', { timeout: 30000 });
  const shown = await page.$eval("#progress", (el) => Number(el.dataset.shown));
  check(shown === 40, `${size.name}: all 40 quarters shown (${shown})`);
  const statusColors = meta.statuses.map((s) => s.color);
  const cadres = meta.scenarios.find((s) => s.name === "o2_top_leader").cadres;
  for (const i of [0, 1]) {
    const px = await countColored(page, `#world-${i} canvas`, statusColors, 6);
    check(px >= cadres * 4, `${size.name}: world view ${"AB"[i]} is filled (${px} px in status colours)`);
  }
  for (const metric of meta.charts.map((c) => c.metric)) {
    const sel = `.chart[data-metric="${metric}"] canvas`;
    const a = await countColored(page, sel, ["#1f5fbf"]);
    const b = await countColored(page, sel, ["#d9730d"]);
    check(a > 40 && b > 40, `${size.name}: chart ${metric} has lines A (${a} px) and B (${b} px)`);
  }
  // The default is an average of 5 runs: each line has its band (A's colour, translucent).
  const band = await countBand(page, '.chart[data-metric="initiative"] canvas', "#1f5fbf");
  check(band > 100, `${size.name}: the initiative chart shows A's band of ${meta.average_default} runs (${band} px)`);

  // The headline strip: per charted metric, A's value, B's, and the change.
  await page.waitForSelector('#headline[data-ready="1"]', { timeout: 10000 });
  const items = await page.$$eval("#headline .item", (els) => els.map((e) => e.textContent));
  check(items.length === meta.charts.length && items.every((t) => /A\s*[\d.]+ → B\s*[\d.]+/.test(t)),
    `${size.name}: the headline strip compares A and B for ${items.length} metrics (${items[0]})`);
  check(items.some((t) => /\([+−]\d+%\)/.test(t)), `${size.name}: the headline strip gives the change in % (${items.join(" | ")})`);
  await page.mouse.move(size.width - 5, 5);
  await moveLever(page, "publish", 0.6);
  await page.screenshot({ path: join(SHOTS, `classroom-${size.name}-en.png`) });

  // 4. Switch the language: labels, levers, legend and the why panel in Chinese.
  await page.click("#lang");
  const title = await page.textContent("h1");
  check(title.includes("容错纠错"), `${size.name}: title in Chinese (${title})`);
  const label = await page.textContent('.lever[data-name="leader_duty"] label');
  check(/[\u4e00-\u9fff]/.test(label), `${size.name}: lever label in Chinese (${label})`);
  const legend = await page.textContent("#legend");
  check(legend.includes("躺平"), `${size.name}: legend in Chinese`);
  await moveLever(page, "leader_duty", 0.9);
  const whyZh = await page.textContent("#why-text");
  check(/[\u4e00-\u9fff]/.test(whyZh), `${size.name}: why panel in Chinese`);
  // Chinese comes from the embedded font the server serves, not from the system's fonts.
  const webFont = await page.evaluate(async () => {
    await document.fonts.load('16px "CadreSim CJK"', "中");
    return [...document.fonts].some((f) => f.family.replace(/"/g, "") === "CadreSim CJK" && f.status === "loaded");
  });
  check(webFont, `${size.name}: the embedded Chinese web font is loaded`);
  const headZh = await page.textContent("#headline");
  check(/最后\d+个季度/.test(headZh) && headZh.includes("改革积极性"), `${size.name}: the headline strip in Chinese`);
  const fitsZh = await page.evaluate(() => document.documentElement.scrollHeight <= window.innerHeight + 1);
  check(fitsZh, `${size.name}: the Chinese page fits the screen too`);
  await page.screenshot({ path: join(SHOTS, `classroom-${size.name}-zh.png`) });

  check(errors.length === 0, `${size.name}: no errors in the page's console ${errors.join("; ")}`);
  await page.close();
}

/** A run the server refuses shows a plain-words message (in the page's language), and the
 *  last run's charts and headline go: nothing stale stays on screen. */
async function testRefusal(context, url) {
  const page = await context.newPage();
  await page.setViewportSize({ width: 1366, height: 768 });
  await page.goto(url);
  await page.evaluate(() => localStorage.clear());
  await page.reload();
  await page.waitForSelector(".preset");
  await page.$eval("#speed", (el) => { el.value = "30"; el.dispatchEvent(new Event("input")); });
  await page.fill("#steps", "12");
  await page.click("#run");
  await page.waitForSelector('#headline[data-ready="1"]', { timeout: 30000 });
  const sel = '.chart[data-metric="initiative"] canvas';
  const before = await countColored(page, sel, ["#1f5fbf", "#d9730d"]);
  check(before > 40, `refusal: a first run drew its charts (${before} px)`);

  await page.fill("#cadres", "200000");
  await page.click("#run");
  await page.waitForSelector('#progress[data-phase="error"]', { timeout: 10000 });
  const text = (await page.textContent("#error")).trim();
  check(text.includes("100000") && !text.includes("population.cadres") && !text.includes("cadre-sim run"),
    `refusal: a plain-words message (${text})`);
  const after = await countColored(page, sel, ["#1f5fbf", "#d9730d"]);
  check(after === 0, `refusal: the last run's chart lines are cleared (${after} px left)`);
  check(await page.$eval("#headline", (el) => el.hidden), "refusal: the headline strip is hidden");
  await page.screenshot({ path: join(SHOTS, "classroom-refused.png") });

  await page.click("#lang");
  const zh = (await page.textContent("#error")).trim();
  check(zh.includes("干部数") && zh.includes("100000"), `refusal: the message switches to Chinese (${zh})`);
  // A run refused in Chinese mode: the server words it in Chinese.
  await page.fill("#cadres", "10000");
  await page.fill("#average", "20");
  await page.fill("#steps", "1000");
  await page.click("#run");
  await page.waitForSelector('#error[data-kind="too_much_work"]', { timeout: 10000 });
  const work = (await page.textContent("#error")).trim();
  check(/[\u4e00-\u9fff]/.test(work) && work.includes("运行次数"), `refusal: a refusal in Chinese mode is in Chinese (${work})`);
  await page.screenshot({ path: join(SHOTS, "classroom-refused-zh.png") });
  await page.close();
}

async function main() {
  mkdirSync(SHOTS, { recursive: true });
  const { url, server } = await startServer();
  console.log(`server at ${url}`);
  const profile = mkdtempSync(join(tmpdir(), "cadre-sim-chromium-"));
  let context;
  try {
    context = await chromium.launchPersistentContext(profile, {
      executablePath: BROWSER,
      headless: true,
      args: ARGS,
      viewport: { width: 1366, height: 768 },
    });
    for (const size of SIZES) await testSize(context, url, size);
    await testRefusal(context, url);
  } finally {
    if (context) await context.close();
    server.removeAllListeners("exit");
    server.kill();
    rmSync(profile, { recursive: true, force: true });
  }
  console.log(`screenshots in ${SHOTS}`);
  if (failures) {
    console.log(`${failures} check(s) failed`);
    process.exit(1);
  }
  console.log("all checks passed");
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
