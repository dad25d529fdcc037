#!/usr/bin/env bash
# Builds the wheel of the Python package for clusters and other machines without Rust: one
# abi3 wheel (every CPython >= 3.9) tagged manylinux2014 (glibc 2.17 and newer: RHEL/CentOS 7,
# 8, 9, Ubuntu 18.04 and newer), linked with zig (maturin --zig, the `ziglang` package from
# PyPI) so that the build machine's newer glibc does not leak into it, and checked with
# auditwheel. Nothing is written into the checkout: tools and the build go under
# $CADRE_SIM_BUILD (default ~/.cache/cadre-sim-wheel), the wheel into OUT_DIR.
#
#   python/build-wheel.sh [OUT_DIR]          (default OUT_DIR: ~/cadre-sim-wheels)
#
# Then, on the cluster (no Rust needed): pip install cadre_sim-*.whl   (docs/python.md)
set -euo pipefail
repo="$(cd "$(dirname "$0")/.." && pwd)"
out="$(mkdir -p "${1:-$HOME/cadre-sim-wheels}" && cd "${1:-$HOME/cadre-sim-wheels}" && pwd)"
build="${CADRE_SIM_BUILD:-$HOME/.cache/cadre-sim-wheel}"
mkdir -p "$build"
case "$out/" in "$repo"/*) echo "OUT_DIR is inside the checkout ($repo); choose a folder outside it" >&2; exit 2;; esac

if [ ! -x "$build/venv/bin/maturin" ]; then
  echo "== tools: maturin, ziglang, auditwheel (into $build/venv)"
  python3 -m venv "$build/venv"
  "$build/venv/bin/pip" install --disable-pip-version-check "maturin[zig]>=1.5,<2" auditwheel
fi

echo "== build (cargo's progress below; the first build compiles every dependency: minutes)"
# The zig linker's `python -m ziglang` must find the venv's Python.
PATH="$build/venv/bin:$PATH" CARGO_TARGET_DIR="$build/target" \
  maturin build --release --locked --zig --compatibility manylinux2014 \
  --manifest-path "$repo/python/Cargo.toml" --out "$out"

wheel="$(ls -t "$out"/cadre_sim-*manylinux*.whl | head -n 1)"
echo "== auditwheel show $wheel"
"$build/venv/bin/auditwheel" show "$wheel"
echo "wheel: $wheel"
