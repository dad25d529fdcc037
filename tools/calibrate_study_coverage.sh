#!/usr/bin/env bash
# Recovery coverage of the calibration's experiment statistic (issue 20): 20 repetitions of
# "draw a known prior strength (the weight of the prior belief) from the prior, simulate a
# published DiD estimate there (CS,
# not-yet-treated, a design without spillover), calibrate, is the truth inside the 90%
# credible interval?". Slow (minutes): not a test; docs/calibrate.md reports its figures.
# Usage: tools/calibrate_study_coverage.sh [repetitions] [particles] [replicates]
set -euo pipefail
cd "$(dirname "$0")/.."
cargo run --release --quiet --example calibrate_study_recovery -- "${1:-20}" "${2:-100}" "${3:-4}"
