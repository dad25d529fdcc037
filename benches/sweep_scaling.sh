#!/usr/bin/env bash
# Sweep scaling: points/s of the release binary on a fixed sweep at several thread counts,
# and the parallel efficiency relative to one thread (speed-up / threads).
#
#   benches/sweep_scaling.sh [THREADS...]          # default: 1 2
#   CADRE_SIM=path/to/cadre-sim SWEEP=file.toml RUNS=5 benches/sweep_scaling.sh 1 2 4 8 16
#
# Needs hyperfine (Debian: apt-get install hyperfine). Prints a Markdown table for
# docs/sweep.md. Measure on an otherwise idle machine: other load skews every figure.
set -euo pipefail
REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
BIN=${CADRE_SIM:-$REPO/target/release/cadre-sim}
SWEEP=${SWEEP:-$REPO/scenarios/sweeps/strictness_x_tolerance.toml}
RUNS=${RUNS:-5}
THREADS=("${@:-1 2}")
[[ $# -gt 0 ]] || THREADS=(1 2)
OUT=$(mktemp -d)
trap 'rm -rf "$OUT"' EXIT
POINTS=$(( $(wc -l < <("$BIN" sweep "$SWEEP" --out "$OUT/probe" --quiet --force >/dev/null && cat "$OUT/probe/points.csv")) - 1 ))
LIST=$(IFS=,; echo "${THREADS[*]}")
hyperfine --style basic --warmup 1 --runs "$RUNS" --export-json "$OUT/h.json" -L t "$LIST" \
    "$BIN sweep $SWEEP --out $OUT/t{t} --force --quiet --threads {t}" >&2
python3 - "$OUT/h.json" "$POINTS" <<'PY'
import json, sys
runs = json.load(open(sys.argv[1]))["results"]
points = int(sys.argv[2])
base = None
print("| threads | wall time (s), mean ± sd | min (s) | points/s (mean) | speed-up | efficiency |")
print("|---:|---:|---:|---:|---:|---:|")
for r in runs:
    t = int(r["parameters"]["t"])
    mean, sd, mn = r["mean"], r["stddev"] or 0.0, r["min"]
    base = base or (mean, t)
    speed = base[0] / mean
    print(f"| {t} | {mean:.3f} ± {sd:.3f} | {mn:.3f} | {points / mean:.1f} | {speed:.2f} | {100 * speed / (t / base[1]):.0f}% |")
PY
