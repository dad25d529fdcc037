"""Every way the input can be wrong raises cadre_sim.InputError (a ValueError) carrying the
message the command line prints after `error: ` (and exits 2 with), before any work."""

import os

import pytest

import cadre_sim
from conftest import ROOT

SWEEPS = ROOT / "scenarios" / "sweeps"


def bad_scenario_file(tmp_path):
    path = tmp_path / "bad.toml"
    path.write_text('base = "nominal_tolerance"\n[regime]\ndetect = 1.5\nfoo = 1\n')
    return path


def other_seed_file(tmp_path):
    path = tmp_path / "seeded.toml"
    path.write_text('base = "optimized_path"\n[run]\nseed = 99\n')
    return path


def bad_sweep_file(tmp_path):
    path = tmp_path / "bad_sweep.toml"
    path.write_text('base = "nominal_tolerance"\n[[axis]]\nparam = "regime.detekt"\nvalues = [0.1]\n')
    return path


# (id, the Python call, the same input on the command line); `t` is a temporary folder.
CASES = [
    ("unknown scenario", lambda t: cadre_sim.run("optimzed_path"), lambda t: ["run", "optimzed_path"]),
    ("missing file", lambda t: cadre_sim.run("no/such.toml"), lambda t: ["run", "no/such.toml"]),
    ("bad file, all problems", lambda t: cadre_sim.run(bad_scenario_file(t)), lambda t: ["run", bad_scenario_file(t)]),
    ("unknown --set key", lambda t: cadre_sim.run("optimized_path", set={"regime.detekt": 0.5}),
     lambda t: ["run", "optimized_path", "--set", "regime.detekt=0.5"]),
    ("--set out of range", lambda t: cadre_sim.run("optimized_path", set="regime.detect=2"),
     lambda t: ["run", "optimized_path", "--set", "regime.detect=2"]),
    ("--set not a number", lambda t: cadre_sim.run("optimized_path", set=["regime.detect=high"]),
     lambda t: ["run", "optimized_path", "--set", "regime.detect=high"]),
    ("--set without =", lambda t: cadre_sim.run("optimized_path", set=["regime.detect"]),
     lambda t: ["run", "optimized_path", "--set", "regime.detect"]),
    ("steps 0", lambda t: cadre_sim.run("optimized_path", steps=0), lambda t: ["run", "optimized_path", "--steps", 0]),
    ("replicates too many", lambda t: cadre_sim.run("optimized_path", replicates=10**9),
     lambda t: ["run", "optimized_path", "--replicates", 10**9]),
    ("seed too large", lambda t: cadre_sim.run("optimized_path", seed=2**60),
     lambda t: ["run", "optimized_path", "--seed", 2**60]),
    ("window beyond the run", lambda t: cadre_sim.run("optimized_path", steps=20, window=50),
     lambda t: ["run", "optimized_path", "--steps", 20, "--window", 50]),
    ("window 0", lambda t: cadre_sim.run("optimized_path", window=0), lambda t: ["run", "optimized_path", "--window", 0]),
    ("event beyond the run", lambda t: cadre_sim.run("mechanism_introduced", steps=3),
     lambda t: ["run", "mechanism_introduced", "--steps", 3]),
    ("scenario listed twice", lambda t: cadre_sim.compare("optimized_path", "optimized_path"),
     lambda t: ["compare", "optimized_path", "optimized_path"]),
    ("seeds differ", lambda t: cadre_sim.compare("optimized_path", other_seed_file(t)),
     lambda t: ["compare", "optimized_path", other_seed_file(t)]),
    ("compare window", lambda t: cadre_sim.compare(steps=5, window=6), lambda t: ["compare", "--steps", 5, "--window", 6]),
    ("missing sweep file", lambda t: cadre_sim.sweep("no/such_sweep.toml"), lambda t: ["sweep", "no/such_sweep.toml"]),
    ("bad sweep file", lambda t: cadre_sim.sweep(bad_sweep_file(t)), lambda t: ["sweep", bad_sweep_file(t)]),
    ("a scenario given as a sweep", lambda t: cadre_sim.sweep(ROOT / "scenarios" / "optimized_path.toml"),
     lambda t: ["sweep", ROOT / "scenarios" / "optimized_path.toml"]),
    ("sweep steps below its window", lambda t: cadre_sim.sweep(SWEEPS / "strictness_x_tolerance.toml", steps=5),
     lambda t: ["sweep", SWEEPS / "strictness_x_tolerance.toml", "--steps", 5]),
]


@pytest.mark.parametrize("call, cli_args", [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_bad_input_raises_input_error_with_the_cli_message(cli, tmp_path, call, cli_args):
    with pytest.raises(cadre_sim.InputError) as caught:
        call(tmp_path)
    e = caught.value
    assert isinstance(e, ValueError)
    done = cli(*cli_args(tmp_path), "--out", tmp_path / "cli_out", check=False)
    assert done.returncode == 2, done.stderr
    assert f"error: {e}" in done.stderr
    assert e.problems and e.problems[0][0] == e.location
    assert not (tmp_path / "cli_out").exists()


def test_every_problem_of_a_file_is_listed(tmp_path):
    with pytest.raises(cadre_sim.InputError) as caught:
        cadre_sim.run(bad_scenario_file(tmp_path))
    assert len(caught.value.problems) == 2
    assert "detect" in caught.value.problems[0][1] and "foo" in caught.value.problems[1][1]


# Inputs the command line cannot receive in this form: still InputError, naming the value.
OWN = [
    ("threads 0", lambda t: cadre_sim.run("optimized_path", threads=0), "--threads 0"),
    ("negative steps", lambda t: cadre_sim.run("optimized_path", steps=-1), "--steps"),
    ("negative window", lambda t: cadre_sim.run("optimized_path", window=-2), "--window -2"),
    ("negative sweep replicates", lambda t: cadre_sim.sweep(SWEEPS / "leader_duty.toml", replicates=-1), "--replicates -1"),
    ("set value not a number", lambda t: cadre_sim.run("optimized_path", set={"regime.detect": "x"}), "regime.detect"),
    ("dict with an unknown key", lambda t: cadre_sim.run({"base": "optimized_path", "regime": {"detekt": 0.5}}), "detekt"),
    ("dict with a value TOML lacks", lambda t: cadre_sim.run({"regime": {"detect": None}}), "regime.detect"),
    ("dict with a non-string key", lambda t: cadre_sim.run({"regime": {1: 0.5}}), "keys must be strings"),
    ("dict base unknown", lambda t: cadre_sim.run({"base": "optimzed_path"}), "did you mean `optimized_path`"),
    ("sweep dict without axes", lambda t: cadre_sim.sweep({"base": "nominal_tolerance"}), "<dict>"),
    ("out is another command's folder", lambda t: run_folder_then_sweep(t), "run"),
]


def run_folder_then_sweep(tmp_path):
    folder = tmp_path / "a_run"
    folder.mkdir()
    (folder / "summary.json").write_text("{}")
    (folder / "timeseries.csv").write_text("x\n")
    cadre_sim.sweep(SWEEPS / "leader_duty.toml", steps=10, replicates=1, out=folder)


@pytest.mark.parametrize("call, needle", [c[1:] for c in OWN], ids=[c[0] for c in OWN])
def test_python_only_input_errors(tmp_path, call, needle):
    with pytest.raises(cadre_sim.InputError) as caught:
        call(tmp_path)
    assert needle in str(caught.value)


def test_wrong_types_are_type_errors():
    with pytest.raises(TypeError):
        cadre_sim.run(42)
    with pytest.raises(TypeError):
        cadre_sim.run("optimized_path", steps="10")
    with pytest.raises(TypeError):
        cadre_sim.sweep(3.5)
