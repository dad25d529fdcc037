#!/usr/bin/env bash
# End-to-end browser tests of the classroom page (`cadre-sim serve`, e2e.mjs) and the class
# game (`cadre-sim serve --class`, class.mjs: a trainer and 32 phones): installs what a fresh
# Debian 12 machine lacks (Debian's chromium and Node.js; playwright-core from npm, which
# downloads no browser), builds the release binary and runs e2e.mjs. No Chinese system font
# is installed on purpose: the page brings its own (the embedded subset, as a web font). Screenshots go to tests/web/screenshots/ (or $SCREENSHOTS).
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"

missing=()
installed() { dpkg-query -W -f='${Status}' "$1" 2>/dev/null | grep -q "ok installed"; }
installed chromium || missing+=(chromium)
# No CJK font: the page serves its own (the embedded subset) and the test checks it is used.
command -v node >/dev/null && command -v npm >/dev/null || missing+=(nodejs npm)
if ((${#missing[@]})); then
  echo "installing: ${missing[*]}"
  sudo=""; [ "$(id -u)" -eq 0 ] || sudo="sudo"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi

if [ -z "${CADRE_SIM_BIN:-}" ]; then
  (cd "$root" && cargo build --release --quiet)
fi

cd "$here"
if [ ! -d node_modules/playwright-core ]; then
  npm ci --no-audit --no-fund
fi
node e2e.mjs
node class.mjs
exec node class-time.mjs
