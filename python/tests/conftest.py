"""Shared fixtures: the cadre-sim command line to compare with, and the repository root.

The CLI is the reference: every test that checks numbers runs it on the same scenario and
seed and reads its files back exactly (float_precision="round_trip": the CLI writes the
shortest text that reads back to the same float, and pandas' default parser may round)."""

import json
import os
import subprocess
from pathlib import Path

import pandas as pd
import pytest

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="session")
def cli():
    """Runs `cadre-sim ARGS`; returns the completed process (stdout, stderr as text)."""
    binary = Path(os.environ.get("CADRE_SIM", ROOT / "target" / "release" / "cadre-sim"))
    if not binary.is_file():
        pytest.fail(
            f"the command line is missing at {binary}: run `cargo build --release` in {ROOT} "
            "(or set CADRE_SIM to the binary) before these tests"
        )

    def call(*args, check=True):
        done = subprocess.run(
            [str(binary), *map(str, args)], capture_output=True, text=True, cwd=ROOT
        )
        if check and done.returncode != 0:
            raise AssertionError(f"cadre-sim {' '.join(map(str, args))} failed:\n{done.stderr}")
        return done

    return call


# pandas 3 reads floats exactly by default (and deprecates the option); before, ask for it.
EXACT = {} if int(pd.__version__.split(".")[0]) >= 3 else {"float_precision": "round_trip"}


def read_csv(path):
    """A CSV file of the CLI, every float exactly as written."""
    return pd.read_csv(path, keep_default_na=False, na_values=[""], **EXACT)


def read_json(path):
    with open(path) as f:
        return json.load(f)
