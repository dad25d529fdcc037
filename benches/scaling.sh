#!/usr/bin/env bash
# The scaling table of issue 21: each row's wall time on 1 thread and on N threads, the speed-up
# and the parallel efficiency (speed-up / N), with the release binary. One prepared script, to
# rerun as is on a bigger machine:
#
#   cargo build --release && benches/scaling.sh            # N = all cores (nproc)
#   THREADS=16 ROUNDS=3 benches/scaling.sh                  # on a 16-core server
#   ROWS="run128 world7m" benches/scaling.sh                # some rows only
#   CALIBRATE=1 benches/scaling.sh                          # also the full calibration (minutes)
#
# Rows (names for ROWS): run128, run512 (runs of 20,000 cadres × 40 steps), sweep (28 points ×
# 64 replicates), world7m (one world of 7,000,000 cadres × 40 steps), world7m120 (7,020,000 ×
# 120 steps: the national-scale target), exp400 (staggered_national, 400 replicates), exp30k
# (the same with 30,000 cadres, 160 replicates), calibrate (behaviour.toml, N threads only).
# Each cell is the median of ROUNDS runs (default 3), 1 thread and N threads interleaved so
# background load hits both alike; agent-steps/s is the row's agent-steps over the median.
# Peak memory of the 7 M-cadre world (GNU time's maximum resident set) is printed at the end.
# Needs python3; /usr/bin/time for the memory line.
set -euo pipefail
REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
BIN=${CADRE_SIM:-$REPO/target/release/cadre-sim}
N=${THREADS:-$(nproc)}
ROUNDS=${ROUNDS:-3}
ROWS=${ROWS:-"run128 run512 sweep world7m world7m120 exp400 exp30k"}
[[ ${CALIBRATE:-0} == 1 ]] && ROWS="$ROWS calibrate"
OUT=$(mktemp -d)
trap 'rm -rf "$OUT"' EXIT
python3 - "$BIN" "$REPO" "$OUT" "$N" "$ROUNDS" $ROWS <<'PY'
import os, statistics, subprocess, sys, time
bin, repo, out, n, rounds, rows = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4]), int(sys.argv[5]), sys.argv[6:]
q = ["--force", "--quiet", "--no-plots"]
def run_row(cadres, replicates, steps=40):
    return (["run", "nominal_tolerance", "--set", f"cadres={cadres}", "--replicates", str(replicates),
             "--steps", str(steps)] + q, cadres * replicates * steps)
exp = f"{repo}/scenarios/experiments/staggered_national.toml"
ROWS = {
    "run128": ("run, 128 replicates × 20,000 cadres × 40 steps", *run_row(20_000, 128)),
    "run512": ("run, 512 replicates × 20,000 cadres × 40 steps", *run_row(20_000, 512)),
    "sweep": ("sweep, 28 points × 64 replicates (1,000 cadres × 40 steps)",
              ["sweep", f"{repo}/scenarios/sweeps/strictness_x_tolerance.toml", "--replicates", "64"] + q,
              28 * 64 * 1000 * 40),
    "world7m": ("one world, 7,000,000 cadres × 40 steps", *run_row(7_000_000, 1)),
    "world7m120": ("one world, 7,020,000 cadres × 120 steps", *run_row(7_020_000, 1, 120)),
    "exp400": ("experiment, staggered_national, 400 replicates",
               ["experiment", exp, "--replicates", "400", "--force", "--quiet", "--no-plots"],
               2 * 3000 * 40 * 400),
    "exp30k": ("the same with 30,000 cadres, 160 replicates",
               ["experiment", exp, "--set", "cadres=30000", "--replicates", "160", "--force", "--quiet", "--no-plots"],
               2 * 30_000 * 40 * 160),
    "calibrate": ("calibrate behaviour.toml (full example)",
                  ["calibrate", f"{repo}/scenarios/calibration/behaviour.toml", "--force", "--quiet"], None),
}
def timed(args, threads, tag):
    start = time.perf_counter()
    subprocess.run([bin] + args[:1] + [args[1]] + ["--out", f"{out}/{tag}-t{threads}", "--threads", str(threads)] + args[2:],
                   check=True, stdout=subprocess.DEVNULL)
    return time.perf_counter() - start
print(f"{os.cpu_count()} CPUs; 1 thread vs {n} threads; median of {rounds} interleaved rounds; {bin}\n")
print(f"| work | 1 thread | {n} threads | speed-up | efficiency | agent-steps/s, 1 thread | agent-steps/s, {n} threads |")
print("|---|---:|---:|---:|---:|---:|---:|")
for key in rows:
    label, args, agent_steps = ROWS[key]
    counts = [n] if key == "calibrate" else [1, n]
    times = {t: [] for t in counts}
    for _ in range(rounds):
        for t in counts:
            times[t].append(timed(args, t, key))
    med = {t: statistics.median(v) for t, v in times.items()}
    rate = lambda t: f"{agent_steps / med[t] / 1e6:.1f} M" if agent_steps else "—"
    if key == "calibrate":
        print(f"| {label} | — | {med[n]:.2f} s | — | — | — | — |", flush=True)
        continue
    s = med[1] / med[n]
    print(f"| {label} | {med[1]:.2f} s | {med[n]:.2f} s | {s:.2f}× | {100 * s / n:.0f}% | {rate(1)} | {rate(n)} |", flush=True)
if os.path.exists("/usr/bin/time") and ("world7m" in rows or "world7m120" in rows):
    label, args, _ = ROWS["world7m"]
    r = subprocess.run(["/usr/bin/time", "-v", bin] + args[:2] + ["--out", f"{out}/rss", "--threads", str(n)] + args[2:],
                       check=True, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    kb = next(int(l.split(":")[1]) for l in r.stderr.splitlines() if "Maximum resident set size" in l)
    print(f"\nPeak memory, one world of 7,000,000 cadres × 40 steps on {n} threads: {kb / 1024:.0f} MiB "
          f"({kb * 1024 / 7_000_000:.1f} B per cadre)")
PY
