#!/usr/bin/env bash
# Sweep scaling: points/s of the release binary on a fixed sweep at several thread counts,
# and the parallel efficiency (speed-up / threads) relative to the first thread count.
#
#   benches/sweep_scaling.sh [THREADS...]          # default: 1 2
#   CADRE_SIM=path/to/cadre-sim SWEEP=file.toml ROUNDS=9 benches/sweep_scaling.sh 1 2 4 8 16
#
# Thread counts are interleaved round by round (1, 2, 1, 2, ...), so a change in background
# load hits all of them alike; the table gives the median and the best (min) wall time.
# Needs only python3. Measure on an otherwise idle machine when you can.
set -euo pipefail
REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
BIN=${CADRE_SIM:-$REPO/target/release/cadre-sim}
SWEEP=${SWEEP:-$REPO/scenarios/sweeps/strictness_x_tolerance.toml}
ROUNDS=${ROUNDS:-7}
[[ $# -gt 0 ]] || set -- 1 2
OUT=$(mktemp -d)
trap 'rm -rf "$OUT"' EXIT
python3 - "$BIN" "$SWEEP" "$OUT" "$ROUNDS" "$@" <<'PY'
import statistics, subprocess, sys, time
bin, sweep, out, rounds, threads = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4]), [int(t) for t in sys.argv[5:]]
def run(t):
    start = time.perf_counter()
    subprocess.run([bin, "sweep", sweep, "--out", f"{out}/t{t}", "--force", "--quiet", "--no-plots", "--threads", str(t)],
                   check=True, stdout=subprocess.DEVNULL)
    return time.perf_counter() - start
for t in threads:
    run(t)  # warm-up (page cache, CPU frequency)
times = {t: [] for t in threads}
for _ in range(rounds):
    for t in threads:
        times[t].append(run(t))
points = sum(1 for _ in open(f"{out}/t{threads[0]}/points.csv")) - 1
t0 = threads[0]
med0, min0 = statistics.median(times[t0]), min(times[t0])
print(f"{points} points, {rounds} interleaved rounds\n")
print("| threads | wall s (median) | wall s (min) | points/s (median) | speed-up (median) | efficiency (median) | efficiency (min) |")
print("|---:|---:|---:|---:|---:|---:|---:|")
for t in threads:
    med, mn = statistics.median(times[t]), min(times[t])
    scale = t / t0
    print(f"| {t} | {med:.3f} | {mn:.3f} | {points / med:.1f} | {med0 / med:.2f} | {100 * med0 / med / scale:.0f}% | {100 * min0 / mn / scale:.0f}% |")
PY
