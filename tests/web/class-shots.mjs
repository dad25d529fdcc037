// Screenshots of the class game with a full class (not a test: it checks only that the
// pages drew): 300 students join over HTTP (from addresses 127.0.1.x–127.0.2.x, as phones
// on a network would), a quarter opens and about half of those with an opportunity answer;
// then the trainer's Join and Live tabs at 1366x768 and 1920x1080 (and 3840x2160), in
// English and Chinese, and a phone at 390x844. Run on a machine without Chinese system
// fonts: every Chinese glyph must come from the page's own web font.
//
//   cargo build --release && node tests/web/class-shots.mjs
//
// Environment: CADRE_SIM_BIN, CHROMIUM, SCREENSHOTS as for class.mjs; STUDENTS (300).

import { spawn } from "node:child_process";
import { mkdirSync, mkdtempSync } from "node:fs";
import http from "node:http";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { chromium } from "playwright-core";

const here = dirname(fileURLToPath(import.meta.url));
const BIN = process.env.CADRE_SIM_BIN || resolve(here, "../../target/release/cadre-sim");
const BROWSER = process.env.CHROMIUM || "/usr/bin/chromium";
const SHOTS = resolve(process.env.SCREENSHOTS || join(here, "screenshots"));
const STUDENTS = Number(process.env.STUDENTS || 300);
const ARGS = ["--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking"];

function start() {
  return new Promise((ok, fail) => {
    const server = spawn(BIN, ["serve", "--class", "--port", "0", "--timer", "600", "--out", mkdtempSync(join(tmpdir(), "cadre-shots-"))], { stdio: ["ignore", "pipe", "inherit"] });
    let out = "";
    server.stdout.on("data", (c) => {
      out += c;
      const t = out.match(/Trainer's screen[^:]*: (http:\/\/\S+#[0-9a-f]+)/);
      if (t) ok({ server, trainer: t[1], base: new URL(t[1]).origin });
    });
    server.on("exit", (code) => fail(new Error(`server exited ${code}: ${out}`)));
  });
}

// One request from a given local address (a phone of its own).
function request(base, from, method, path, headers, body) {
  const url = new URL(path, base);
  return new Promise((ok, fail) => {
    const req = http.request({ host: url.hostname, port: url.port, path: url.pathname + url.search, method, localAddress: from, headers: Object.assign({ "Content-Type": "application/json" }, headers) }, (res) => {
      let data = "";
      res.on("data", (c) => (data += c));
      res.on("end", () => ok({ status: res.statusCode, json: data ? JSON.parse(data) : null }));
    });
    req.on("error", fail);
    if (body) req.write(JSON.stringify(body));
    req.end();
  });
}

// Chinese names from characters the embedded font subset has: on a machine without
// Chinese system fonts, other characters (most surnames) show as boxes (see the report).
const NAMES = ["高小明", "文安", "方平", "Alice", "Bob", "Chen Jie", "新一", "Maria", "小明", "Zhou", "安文", "Sam"];

async function main() {
  mkdirSync(SHOTS, { recursive: true });
  const { server, trainer, base } = await start();
  const auth = { Authorization: "Bearer " + trainer.split("#")[1] };
  try {
    const seats = [];
    for (let i = 0; i < STUDENTS; i++) {
      const from = `127.0.${1 + Math.floor(i / 200)}.${1 + (i % 200)}`;
      const nickname = `${NAMES[i % NAMES.length]} ${Math.floor(i / NAMES.length) + 1}`;
      const r = await request(base, from, "POST", "/api/join", {}, { nickname });
      if (r.status !== 201) throw new Error(`join ${i}: ${r.status} ${JSON.stringify(r.json)}`);
      seats.push({ from, token: r.json.token });
    }
    const poll = () => Promise.all(seats.map((s) => request(base, s.from, "GET", "/api/me", { "X-Seat-Token": s.token })));
    await poll();
    const browser = await chromium.launch({ executablePath: BROWSER, args: ARGS });
    const shots = [];
    for (const [w, h] of [[1366, 768], [1920, 1080], [3840, 2160]]) {
      for (const lang of ["en", "zh"]) {
        const ctx = await browser.newContext({ viewport: { width: w, height: h } });
        await ctx.addInitScript((l) => localStorage.setItem("cadre-lang", l), lang);
        const page = await ctx.newPage();
        await page.goto(trainer);
        await page.waitForFunction(() => document.getElementById("names").children.length > 0);
        await page.evaluate(() => document.fonts.ready);
        const name = `class-join-${w}x${h}-${lang}.png`;
        await page.screenshot({ path: join(SHOTS, name) });
        shots.push(name);
        await ctx.close();
      }
    }
    // A quarter: about half of those with an opportunity answer.
    await request(base, "127.0.0.1", "POST", "/api/trainer/control", auth, { action: "open" });
    const views = await poll();
    let phone = null;
    for (let i = 0; i < seats.length; i++) {
      const v = views[i].json;
      if (v.card && v.card.kind === "opportunity") {
        if (!phone) phone = seats[i];
        else if (i % 2) await request(base, seats[i].from, "POST", "/api/answer", { "X-Seat-Token": seats[i].token }, { round: v.round, choice: v.card.p_success > 0.5 ? "reform" : "hold" });
      }
    }
    await poll();
    for (const [w, h] of [[1366, 768], [1920, 1080], [3840, 2160]]) {
      for (const lang of ["en", "zh"]) {
        const ctx = await browser.newContext({ viewport: { width: w, height: h } });
        await ctx.addInitScript((l) => { localStorage.setItem("cadre-lang", l); sessionStorage.setItem("cadre-tab", "live"); }, lang);
        const page = await ctx.newPage();
        await page.goto(trainer);
        await page.waitForFunction(() => document.getElementById("live-names").children.length > 0);
        await page.evaluate(() => document.fonts.ready);
        const name = `class-live-${w}x${h}-${lang}.png`;
        await page.screenshot({ path: join(SHOTS, name) });
        shots.push(name);
        await ctx.close();
      }
    }
    // The phone of a student with an opportunity, in English and Chinese.
    for (const lang of ["en", "zh"]) {
      const ctx = await browser.newContext({ viewport: { width: 390, height: 844 }, deviceScaleFactor: 2 });
      await ctx.addInitScript(([l, t]) => { localStorage.setItem("cadre-lang", l); localStorage.setItem("cadre-seat", t); }, [lang, phone.token]);
      const page = await ctx.newPage();
      await page.goto(base + "/");
      await page.waitForSelector("#card");
      await page.evaluate(() => document.fonts.ready);
      const name = `class-card-390x844-${lang}.png`;
      await page.screenshot({ path: join(SHOTS, name) });
      shots.push(name);
      await ctx.close();
    }
    await browser.close();
    console.log(`screenshots in ${SHOTS}: ${shots.join(", ")}`);
  } finally {
    server.kill();
  }
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
