// Load bench of the class game (not a test: it asserts nothing about time). 300 simulated
// students join over HTTP and play 20 quarters like phones do: each polls its state once a
// second and answers an opportunity after 0.5–3 s of "thinking"; the trainer switches the
// regime after quarter 10. Prints, per quarter, the latency percentiles of the students'
// requests, and the server's memory (resident set, and its peak) from /proc.
//
//   cargo build --release && node tests/web/class-load.mjs
//
// Environment: CADRE_SIM_BIN (default target/release/cadre-sim), STUDENTS (300),
// ROUNDS (20).

import { spawn } from "node:child_process";
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const here = dirname(fileURLToPath(import.meta.url));
const BIN = process.env.CADRE_SIM_BIN || resolve(here, "../../target/release/cadre-sim");
const STUDENTS = Number(process.env.STUDENTS || 300);
const ROUNDS = Number(process.env.ROUNDS || 20);
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

function start() {
  return new Promise((ok, fail) => {
    const server = spawn(BIN, ["serve", "--class", "--port", "0", "--timer", "60", "--seats-per-address", "400", "--out", mkdtempSync(join(tmpdir(), "cadre-class-"))], { stdio: ["ignore", "pipe", "inherit"] });
    let out = "";
    server.stdout.on("data", (c) => {
      out += c;
      const j = out.match(/Students join at: (http:\/\/\S+)/);
      const t = out.match(/trainer#([0-9a-f]+)/);
      if (j && t) ok({ server, base: new URL(j[1]).origin, token: t[1] });
    });
    server.on("exit", (code) => fail(new Error(`server exited ${code}: ${out}`)));
  });
}

function memory(pid) {
  const status = readFileSync(`/proc/${pid}/status`, "utf8");
  const kb = (k) => Number(status.match(new RegExp(`${k}:\\s+(\\d+)`))[1]);
  return { rss: kb("VmRSS") / 1024, peak: kb("VmHWM") / 1024 };
}

function pct(xs, p) {
  if (!xs.length) return NaN;
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))];
}

async function main() {
  const { server, base, token } = await start();
  const auth = { Authorization: "Bearer " + token };
  const lat = []; // the current quarter's latencies (ms)
  let errors = 0;
  const statuses = {};
  async function timed(path, opts) {
    const t0 = performance.now();
    const r = await fetch(base + path, opts);
    const body = await r.json();
    lat.push(performance.now() - t0);
    statuses[r.status] = (statuses[r.status] || 0) + 1;
    if (r.status >= 500) errors++;
    return { status: r.status, body };
  }
  const control = (body) => fetch(base + "/api/trainer/control", { method: "POST", headers: auth, body: JSON.stringify(body) }).then((r) => r.json());

  const t0 = performance.now();
  const seats = await Promise.all(Array.from({ length: STUDENTS }, async (_, i) => {
    const r = await timed("/api/join", { method: "POST", body: JSON.stringify({ nickname: `load ${i}` }) });
    return r.body.token;
  }));
  console.log(`${STUDENTS} joined in ${((performance.now() - t0) / 1000).toFixed(2)} s; join latency p50 ${pct(lat, 50).toFixed(1)} ms, p99 ${pct(lat, 99).toFixed(1)} ms`);
  lat.length = 0;
  const m0 = memory(server.pid);
  console.log(`server memory after joins: RSS ${m0.rss.toFixed(1)} MiB`);

  let running = true;
  // Each phone: poll once a second; answer an opportunity after thinking.
  const phones = seats.map(async (tok, i) => {
    const headers = { "X-Seat-Token": tok };
    let answered = -1;
    await sleep(Math.random() * 1000);
    while (running) {
      const me = await timed("/api/me", { headers });
      const v = me.body;
      if (v.phase === "open" && v.card && v.card.kind === "opportunity" && !v.answer && answered !== v.round) {
        answered = v.round;
        const round = v.round;
        const choice = v.card.p_success + 0.3 * (Math.random() - 0.5) > 0.5 ? "reform" : "hold";
        setTimeout(() => {
          timed("/api/answer", { method: "POST", headers, body: JSON.stringify({ round, choice }) });
        }, 500 + Math.random() * 2500);
      }
      await sleep(1000);
    }
  });

  console.log("quarter  regime                  requests   p50 ms   p90 ms   p99 ms   max ms   RSS MiB   play s");
  for (let n = 0; n < ROUNDS; n++) {
    if (n === ROUNDS / 2) await control({ action: "regime", regime: "optimized_path" });
    lat.length = 0;
    const started = performance.now();
    await control({ action: "open" });
    for (;;) {
      await sleep(200);
      const s = await fetch(base + "/api/trainer/state", { headers: auth }).then((r) => r.json());
      if (s.phase !== "open") break;
    }
    const m = memory(server.pid);
    const s = await fetch(base + "/api/trainer/state", { headers: auth }).then((r) => r.json());
    const regime = s.rounds[s.rounds.length - 1].regime;
    console.log(
      `${String(n + 1).padStart(7)}  ${regime.padEnd(22)} ${String(lat.length).padStart(9)} ${pct(lat, 50).toFixed(1).padStart(8)} ${pct(lat, 90).toFixed(1).padStart(8)} ${pct(lat, 99).toFixed(1).padStart(8)} ${Math.max(...lat).toFixed(1).padStart(8)} ${m.rss.toFixed(1).padStart(9)} ${((performance.now() - started) / 1000).toFixed(1).padStart(8)}`,
    );
  }
  running = false;
  await Promise.all(phones);
  let t = performance.now();
  const d = await fetch(base + "/api/trainer/debrief", { headers: auth }).then((r) => r.json());
  const debriefMs = performance.now() - t;
  t = performance.now();
  const csv = await fetch(base + "/api/trainer/export.csv", { headers: auth }).then((r) => r.text());
  const csvMs = performance.now() - t;
  const m = memory(server.pid);
  console.log(`debrief: ${debriefMs.toFixed(1)} ms (${d.decisions} decisions; fit: ${d.fit.none ? d.fit.none : `λ ${d.fit.loss_aversion.toFixed(2)}, T ${d.fit.temperature.toFixed(3)}`}); CSV export ${csvMs.toFixed(1)} ms, ${csv.length} bytes`);
  console.log(`server memory at the end: RSS ${m.rss.toFixed(1)} MiB, peak ${m.peak.toFixed(1)} MiB`);
  console.log(`answers by status: ${JSON.stringify(statuses)}; 5xx: ${errors}`);
  server.kill();
  process.exit(errors ? 1 : 0);
}

main().catch((e) => { console.error(e); process.exit(1); });
