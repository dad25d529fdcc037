#!/usr/bin/env bash
# Regenerates assets/fonts/DejaVuSans-svg-subset.ttf: DejaVu Sans (Bitstream Vera licence)
# cut down to printable ASCII plus every non-CJK character in the sources under src/, the
# font English SVG files embed (about 30 KB instead of 740 KB; PNGs use the full font).
# Run it after adding a new symbol to an English text; the unit test
# `plot::fonts::tests::english_text_has_glyphs_in_the_svg_subset` fails until you do.
#
# Needs fontTools (pip install fonttools); building and testing use the committed subset.
set -euo pipefail
cd "$(dirname "$0")/.."

out=assets/fonts/DejaVuSans-svg-subset.ttf
chars=$(mktemp)
trap 'rm -f "$chars"' EXIT
python3 - "$chars" $(find src -name "*.rs" | sort) <<'PY'
import sys
out, files = sys.argv[1], sys.argv[2:]
used = {chr(c) for c in range(0x20, 0x7F)}
for f in files:
    for line in open(f, encoding="utf-8"):
        # Code, not comments: the same rule as the unit tests' `shown_text`.
        if line.lstrip().startswith("//"):
            continue
        line = line.split(" // ")[0]
        used |= {c for c in line if 0x7F < ord(c) < 0x2E80}
open(out, "w", encoding="utf-8").write("".join(sorted(used)))
print(f"{len(used)} characters", file=sys.stderr)
PY

pyftsubset assets/fonts/DejaVuSans.ttf --text-file="$chars" --layout-features='*' \
  --no-hinting --name-IDs='*' --output-file="$out"
ls -l "$out"
