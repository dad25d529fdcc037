#!/usr/bin/env bash
# Regenerates assets/fonts/NotoSansSC-cadre-subset.otf: Noto Sans CJK SC (SIL OFL 1.1) cut
# down to printable ASCII plus every non-ASCII character in the sources under src/ (label
# and report text lives in src/i18n/; separators such as · and — are used elsewhere too). Run it after changing a Chinese text; the unit test
# `plot::fonts::tests::chinese_text_has_glyphs_in_the_subset` fails until you do.
#
# Needs: Debian fonts-noto-cjk (apt-get install fonts-noto-cjk) and fontTools
# (pip install fonttools). Only needed to regenerate; building and testing use the
# committed subset.
set -euo pipefail
cd "$(dirname "$0")/.."

source_font=${NOTO_CJK:-/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc}
font_number=2 # index of "Noto Sans CJK SC" in the collection
out=assets/fonts/NotoSansSC-cadre-subset.otf

chars=$(mktemp)
trap 'rm -f "$chars"' EXIT
python3 - "$chars" $(find src -name "*.rs" | sort) <<'PY'
import sys
out, files = sys.argv[1], sys.argv[2:]
used = {chr(c) for c in range(0x20, 0x7F)}
for f in files:
    for line in open(f, encoding="utf-8"):
        # Code, not comments: the same rule as the unit test's `shown_text`.
        if line.lstrip().startswith("//"):
            continue
        line = line.split(" // ")[0]
        used |= {c for c in line if ord(c) > 0x7F}
open(out, "w", encoding="utf-8").write("".join(sorted(used)))
print(f"{len(used)} characters", file=sys.stderr)
PY

pyftsubset "$source_font" --font-number="$font_number" --text-file="$chars" \
  --layout-features='*' --no-hinting --desubroutinize --name-IDs='*' \
  --output-file="$out"

# plotters sizes text two ways: its PNG renderer (ab_glyph) takes the font size as the
# height from descender to ascender (hhea), its SVG writer as 1.24 em. Noto's hhea spans
# 1.448 em, so Chinese SVG text came out 17% wider than laid out. Set the hhea ascender so
# the span is exactly 1.24 em; both outputs then agree (glyphs are unchanged).
python3 - "$out" <<'PY'
import sys
from fontTools.ttLib import TTFont
font = TTFont(sys.argv[1])
upm = font["head"].unitsPerEm
hhea = font["hhea"]
hhea.ascent = round(1.24 * upm) + hhea.descent  # descent is negative
font.save(sys.argv[1])
print(f"hhea ascent {hhea.ascent}, descent {hhea.descent} (units per em {upm})", file=sys.stderr)
PY
ls -l "$out"
