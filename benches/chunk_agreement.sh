#!/usr/bin/env bash
# The chunked draw layout of model 1.3 against 1.2's unsplit one, at REPLICATES replicates per
# scenario (default 1000): every metric's final-window mean must agree within 3 standard errors
# of the difference. Prints Markdown tables (docs/model.md quotes them); exits 1 otherwise.
#
#   benches/chunk_agreement.sh [REPLICATES]
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
exec cargo run --release --quiet --example chunk_agreement -- "${1:-1000}"
