// End-to-end test of the class game (`cadre-sim serve --class`) in headless Chromium: one
// trainer (a 1366x768 projector) and 32 students, each in a browser context of its own at
// phone size (390x844).
//
// It starts the release binary, opens the trainer's screen with the token from the
// terminal (and checks the token leaves the address bar), lets the students join (one
// tries script injection in its nickname), plays rounds (each student decides from what its
// card shows), switches the regime between rounds, reloads a phone (it must get its seat
// back), replays and forges requests (refused with 4xx JSON), switches one phone to
// Chinese, and opens the debrief. Screenshots: the join screen, a student's card, the live
// screen, a phone in Chinese, the debrief (English and Chinese). Exit code 0 when every check passed.
//
// Environment: CADRE_SIM_BIN, CHROMIUM, SCREENSHOTS as for e2e.mjs; STUDENTS (default 32).

import { spawn } from "node:child_process";
import { mkdirSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { chromium } from "playwright-core";

const here = dirname(fileURLToPath(import.meta.url));
const BIN = process.env.CADRE_SIM_BIN || resolve(here, "../../target/release/cadre-sim");
const BROWSER = process.env.CHROMIUM || "/usr/bin/chromium";
const SHOTS = resolve(process.env.SCREENSHOTS || join(here, "screenshots"));
const STUDENTS = Number(process.env.STUDENTS || 32);
const ARGS = [
  "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
  "--disable-background-networking", "--disable-component-update", "--disable-sync",
];
// Short enough for the 24-character cap: markup that would run script if put in as HTML.
const HOSTILE = "<img src=x onerror=X()>";

let failures = 0;
function check(ok, what) {
  console.log(`${ok ? "ok  " : "FAIL"} ${what}`);
  if (!ok) failures += 1;
}

/** Starts the class game on a free port; resolves to the students' and trainer's URLs. */
function startServer() {
  return new Promise((resolveUrls, reject) => {
    const server = spawn(BIN, ["serve", "--class", "--port", "0", "--timer", "30", "--seed", "7"], {
      stdio: ["ignore", "pipe", "inherit"],
    });
    let out = "";
    const timer = setTimeout(() => reject(new Error(`no URLs from ${BIN} in 10 s: ${out}`)), 10000);
    server.stdout.on("data", (chunk) => {
      out += chunk;
      const join = out.match(/Students join at: (http:\/\/\S+)/);
      const trainer = out.match(/Trainer's screen[^:]*: (http:\/\/\S+#[0-9a-f]+)/);
      if (join && trainer) {
        clearTimeout(timer);
        resolveUrls({ join: join[1], trainer: trainer[1], server });
      }
    });
    server.on("error", reject);
    server.on("exit", (code) => reject(new Error(`${BIN} exited with ${code}: ${out}`)));
  });
}

async function main() {
  mkdirSync(SHOTS, { recursive: true });
  const { join: joinUrl, trainer: trainerUrl, server } = await startServer();
  const base = new URL(joinUrl).origin;
  const browser = await chromium.launch({ executablePath: BROWSER, args: ARGS });
  let alerts = 0;
  try {
    // The trainer.
    const tctx = await browser.newContext({ viewport: { width: 1366, height: 768 }, locale: "en-US" });
    const trainer = await tctx.newPage();
    trainer.on("dialog", (d) => { alerts += 1; d.dismiss(); });
    await trainer.goto(trainerUrl);
    await trainer.waitForFunction(() => document.getElementById("join-url").textContent.startsWith("http"));
    check(!trainer.url().includes("#"), "the trainer token leaves the address bar");
    check(await trainer.$eval("#qr img", (img) => img.complete && img.naturalWidth > 100), "the join screen shows a QR code");
    check((await trainer.textContent("#join-url")) === joinUrl, "the join screen shows the students' address");
    check(!joinUrl.includes(trainerUrl.split("#")[1]), "the students' address has no trainer token");

    // Requests without the token are refused with JSON.
    const noToken = await fetch(base + "/api/trainer/control", { method: "POST", body: '{"action":"open"}' });
    check(noToken.status === 401 && (await noToken.json()).kind === "not_trainer", "the trainer's API refuses a request without the token (401 JSON)");

    // The students join, each on a phone of its own.
    const phones = [];
    for (let i = 0; i < STUDENTS; i++) {
      const ctx = await browser.newContext({
        viewport: { width: 390, height: 844 }, deviceScaleFactor: 1, isMobile: true, hasTouch: true, locale: "en-US",
      });
      const page = await ctx.newPage();
      page.on("dialog", (d) => { alerts += 1; d.dismiss(); });
      await page.goto(joinUrl);
      await page.fill("#nickname", i === 0 ? HOSTILE : `student ${i + 1}`);
      await page.click("#join");
      phones.push({ ctx, page, name: i === 0 ? HOSTILE : `student ${i + 1}` });
    }
    await Promise.all(phones.map((p) => p.page.waitForSelector("#who")));
    check(phones.every((p) => !p.page.url().includes("token")), "no seat token in a student's address");
    const tokens = await Promise.all(phones.map((p) => p.page.evaluate(() => localStorage.getItem("cadre-seat"))));
    check(new Set(tokens).size === STUDENTS && tokens.every((t) => /^[0-9a-f]{32}$/.test(t)), "every phone holds a seat token of its own");
    const dup = await phones[1].page.evaluate(async () => (await fetch("/api/join", { method: "POST", body: JSON.stringify({ nickname: "Student 2" }) })).status);
    check(dup === 409, "a taken nickname is refused (409)");

    await trainer.waitForFunction((n) => document.getElementById("names").children.length === n, STUDENTS);
    check((await trainer.textContent("#joined")).includes(`${STUDENTS} students joined`), "the join screen counts the students");
    const chip = await trainer.$eval("#names", (box) => ({ text: box.children[0].textContent, imgs: box.querySelectorAll("img").length }));
    check(chip.text === HOSTILE && chip.imgs === 0, "a nickname with markup shows as text on the trainer's screen");
    const who = await phones[0].page.$eval("#who", (e) => ({ text: e.textContent, imgs: e.querySelectorAll("img").length }));
    check(who.text.includes(HOSTILE) && who.imgs === 0, "a nickname with markup shows as text on the phone");
    await trainer.screenshot({ path: join(SHOTS, "class-join-1366x768.png") });

    // Rounds: 3 under strict accountability, then the optimized path for 3.
    await trainer.click("#tab-live");
    let cardShot = false;
    const rng = (() => { let s = 12345; return () => ((s = (s * 1103515245 + 12345) % 2147483648) / 2147483648); })();
    async function playRound(n) {
      await trainer.click("#open");
      await Promise.all(phones.map((p) => p.page.waitForSelector("#card", { timeout: 15000 })));
      const choices = await Promise.all(phones.map(async (p, i) => {
        if (!(await p.page.$("#take"))) return null;
        const text = await p.page.textContent("#p-success");
        const p_success = Number(text.replace("%", "")) / 100;
        if (!cardShot) {
          await p.page.screenshot({ path: join(SHOTS, "class-card-390x844.png") });
          cardShot = true;
        }
        // Students take good odds more often, with some noise (the fit needs both).
        const take = p_success + 0.3 * (rng() - 0.5) > 0.55;
        await p.page.click(take ? "#take" : "#hold");
        // The answer shows until the quarter closes, then the outcome.
        await p.page.waitForSelector("#answered, #outcome");
        return take;
      }));
      check(choices.some((c) => c !== null), `quarter ${n}: some students had an opportunity`);
      // Everyone with an opportunity answered: the round closes without waiting for the timer.
      await trainer.waitForFunction((k) => document.getElementById("phase").textContent.includes(`${k} quarters played`), n, { timeout: 15000 });
      await Promise.all(phones.map((p) => p.page.waitForSelector("#outcome", { timeout: 15000 })));
    }
    for (let n = 1; n <= 3; n++) await playRound(n);

    // A replayed answer for a closed quarter is refused.
    const replay = await phones[0].page.evaluate(async () => {
      const r = await fetch("/api/answer", { method: "POST", headers: { "X-Seat-Token": localStorage.getItem("cadre-seat") }, body: JSON.stringify({ round: 0, choice: "reform" }) });
      return { status: r.status, body: await r.json() };
    });
    check(replay.status === 409 && typeof replay.body.message === "string", `a replayed answer is refused with 409 JSON (${replay.status} ${replay.body.kind})`);
    const forged = await fetch(base + "/api/answer", { method: "POST", headers: { "X-Seat-Token": "0".repeat(32) }, body: '{"round":3,"choice":"reform"}' });
    check(forged.status === 401, "a forged seat token is refused (401)");
    const hostile = await Promise.all([
      fetch(base + "/api/join", { method: "POST", body: "{not json" }),
      fetch(base + "/api/join", { method: "POST", body: JSON.stringify({ nickname: "x".repeat(10000) }) }),
      fetch(base + "/api/answer", { method: "PUT" }),
      fetch(base + "/api/../../etc/passwd"),
      fetch(base + "/api/trainer/export.csv?names=1"),
    ]);
    check(hostile.every((r) => r.status >= 400 && r.status < 500), `hostile requests get 4xx (${hostile.map((r) => r.status).join(", ")})`);

    // Switch the regime between rounds.
    const before = await trainer.textContent("#regime-now");
    await trainer.selectOption("#regime", "optimized_path");
    await trainer.click("#switch");
    await trainer.waitForFunction((b) => document.getElementById("regime-now").textContent !== b, before);
    check(true, `the regime is switched: ${before} -> ${await trainer.textContent("#regime-now")}`);

    // A phone reloads: it gets its seat back.
    await phones[5].page.reload();
    await phones[5].page.waitForSelector("#who");
    check((await phones[5].page.textContent("#who")).includes("student 6"), "a reloaded phone gets its seat back");

    // One phone in Chinese, the others stay in English.
    await phones[2].page.click("#lang");
    for (let n = 4; n <= 6; n++) await playRound(n);
    const zh = await phones[2].page.textContent("#outcome");
    const en = await phones[3].page.textContent("#outcome");
    check(/[\u4e00-\u9fff]/.test(zh) && !/[\u4e00-\u9fff]/.test(en), "language is per device");
    const regimes = await trainer.evaluate(async () => {
      const r = await fetch("/api/trainer/state", { headers: { Authorization: "Bearer " + sessionStorage.getItem("cadre-trainer") } });
      return (await r.json()).rounds.map((x) => x.regime);
    });
    check(regimes.join(",") === "strict_accountability,strict_accountability,strict_accountability,optimized_path,optimized_path,optimized_path", `rounds ran under the regimes set: ${regimes.join(",")}`);
    check(alerts === 0, "no script ran from a nickname (no dialog opened)");

    await trainer.screenshot({ path: join(SHOTS, "class-live-1366x768.png") });
    await phones[2].page.screenshot({ path: join(SHOTS, "class-outcome-390x844-zh.png") });

    // The debrief.
    await trainer.click("#tab-debrief");
    await trainer.waitForFunction(() => document.getElementById("rule").textContent.length > 10);
    const rule = await trainer.textContent("#rule");
    check(/loss aversion [\d.]+ \(model default 2\.0\)/.test(rule) || /choices|same way|odds/.test(rule), `the debrief states the class's rule: ${rule}`);
    // The class's three lines (the projection adds its own after them: class-time.mjs).
    const paths = await trainer.$$eval("#d-initiative path", (ps) => ps.filter((p) => ["#2f6fb0", "#5b6573", "#d9822b"].includes(p.getAttribute("stroke")) && p.getAttribute("d").length > 10).length);
    check(paths === 3, `the debrief draws the class, the model in its seats and the model cadres (${paths} lines)`);
    await trainer.screenshot({ path: join(SHOTS, "class-debrief-1366x768.png") });
    await trainer.click("#lang");
    await trainer.waitForFunction(() => /[\u4e00-\u9fff]/.test(document.getElementById("rule").textContent));
    await trainer.screenshot({ path: join(SHOTS, "class-debrief-1366x768-zh.png") });
    const csv = await trainer.evaluate(async () => {
      const r = await fetch("/api/trainer/export.csv", { headers: { Authorization: "Bearer " + sessionStorage.getItem("cadre-trainer") } });
      return r.text();
    });
    check(csv.startsWith("round,seat,regime,") && !csv.includes("student"), "the CSV export is anonymous unless asked");
    const small = await phones[3].page.evaluate(() => {
      let min = 99;
      for (const e of document.querySelectorAll("body *")) {
        if (e.childNodes.length && [...e.childNodes].some((n) => n.nodeType === 3 && n.textContent.trim())) {
          min = Math.min(min, parseFloat(getComputedStyle(e).fontSize));
        }
      }
      return min;
    });
    check(small >= 16, `no text on a phone is under 16 px (smallest ${small})`);
  } finally {
    await browser.close();
    server.kill();
  }
  console.log(failures ? `${failures} check(s) failed` : "all checks passed");
  process.exit(failures ? 1 : 0);
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
