#!/usr/bin/env bash
# Recovery coverage of `cadre-sim calibrate` (issue 11): 20 repetitions of "draw known values
# from the prior, simulate targets there, calibrate, is the truth inside the 90% credible
# interval?" on cadre-sim itself (400 cadres, 20 steps, 2 replicates, 300 particles).
# Usage: tools/calibrate_coverage.sh [repetitions] [particles]
set -euo pipefail
cd "$(dirname "$0")/.."
cargo run --release --quiet --example calibrate_recovery -- "${1:-20}" "${2:-300}"
