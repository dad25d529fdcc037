"""What a notebook relies on: thread-count independence, dtypes, no files, Ctrl-C."""

import os
import signal
import subprocess
import sys
import textwrap
import time

import pandas as pd
import pytest
from pandas.testing import assert_frame_equal

import cadre_sim
from conftest import ROOT


def test_results_do_not_depend_on_the_thread_count():
    kw = dict(steps=20, replicates=6, seed=3, raw=True)
    one, two, all_ = (cadre_sim.run("optimized_path", threads=t, **kw) for t in (1, 2, None))
    for other in (two, all_):
        assert_frame_equal(one.timeseries, other.timeseries, check_exact=True)
        assert_frame_equal(one.replicates, other.replicates, check_exact=True)
        assert_frame_equal(one.final, other.final, check_exact=True)
    assert one.threads == 1 and two.threads == 2
    sweep = ROOT / "scenarios" / "sweeps" / "leader_duty.toml"
    a, b = (cadre_sim.sweep(sweep, steps=8, replicates=3, threads=t) for t in (1, 2))
    assert_frame_equal(a.results, b.results, check_exact=True)
    c1, c2 = (cadre_sim.compare(steps=10, replicates=3, threads=t) for t in (1, 2))
    assert_frame_equal(c1, c2, check_exact=True)


def test_replicates_are_the_seeds_not_the_call_order():
    a = cadre_sim.run("nominal_tolerance", steps=10, replicates=3, seed=5)
    cadre_sim.run("nominal_tolerance", steps=10, replicates=3, seed=6)
    b = cadre_sim.run("nominal_tolerance", steps=10, replicates=3, seed=5)
    c = cadre_sim.run("nominal_tolerance", steps=10, replicates=3, seed=6)
    assert_frame_equal(a.timeseries, b.timeseries, check_exact=True)
    assert not a.final["mean"].equals(c.final["mean"])


# Text columns have pandas' default string dtype, as read_csv gives them: `str` in pandas 3,
# `object` before.
TEXT = str(pd.Series(["x"]).dtype)
SUMMARY = {"mean": "float64", "sd": "float64", "ci_low": "float64", "ci_high": "float64", "n": "int64"}


def dtypes(frame):
    return {c: str(t) for c, t in frame.dtypes.items()}


def test_dtypes_are_as_documented():
    metric_cols = {m: "float64" for m in cadre_sim.metrics()}
    r = cadre_sim.run("optimized_path", steps=5, replicates=2, raw=True)
    assert dtypes(r.timeseries) == {"scenario": TEXT, "step": "int64", "metric": TEXT, **SUMMARY}
    assert dtypes(r.final) == SUMMARY and r.final.index.name == "metric"
    assert list(r.final.index) == cadre_sim.metrics()
    assert dtypes(r.replicates) == {"scenario": TEXT, "replicate": "int64", "step": "int64", **metric_cols}
    assert cadre_sim.run("optimized_path", steps=5, replicates=2).replicates is None

    t = cadre_sim.compare("strict_accountability", "optimized_path", steps=5, replicates=2)
    floats = ["mean", "ci_low", "ci_high", "difference", "difference_ci_low", "difference_ci_high", "ratio"]
    expected = {c: "float64" for c in floats}
    expected.update(scenario=TEXT, metric=TEXT, baseline=TEXT, n="int64", pairs="Int64")
    assert dtypes(t) == {c: expected[c] for c in t.columns}
    assert t["pairs"].isna().sum() == len(cadre_sim.metrics())  # the baseline's rows

    s = cadre_sim.sweep(ROOT / "scenarios" / "sweeps" / "leader_duty.toml", steps=4, replicates=2, raw=True)
    assert dtypes(s.points) == {"point": "int64", "regime.leader_duty": "float64"}
    assert dtypes(s.results) == {"point": "int64", "metric": TEXT, **SUMMARY}
    assert dtypes(s.raw) == {"point": "int64", "replicate": "int64", "step": "int64", **metric_cols}
    wide = s.wide()
    assert list(wide.columns) == ["point", "regime.leader_duty", *cadre_sim.metrics()]

    p = cadre_sim.params()
    assert str(p["default"].dtype) == "float64" and str(p["integer"].dtype) == "bool"
    assert "regime.detect" in set(p["key"])
    sc = cadre_sim.scenarios()
    assert dtypes(sc) == {"name": TEXT, "description": TEXT, "differs_from_nominal": "object", "event_steps": "object"}
    assert dtypes(p)["key"] == TEXT
    assert "optimized_path" in set(sc["name"])
    assert sc.set_index("name").loc["mechanism_introduced", "event_steps"] != []


def test_nothing_is_written_without_out(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    cadre_sim.run("optimized_path", steps=5, replicates=2, raw=True)
    cadre_sim.compare(steps=5, replicates=2)
    cadre_sim.sweep(ROOT / "scenarios" / "sweeps" / "leader_duty.toml", steps=4, replicates=2, raw=True)
    assert list(tmp_path.iterdir()) == []


def test_summary_is_the_json_dict():
    r = cadre_sim.run("optimized_path", steps=5, replicates=2, seed=9)
    assert r.summary["tool"] == "cadre-sim"
    assert r.summary["seed"] == 9 and len(r.summary["replicate_seeds"]) == 2
    assert r.summary["final_window"]["initiative"]["mean"] == r.final.loc["initiative", "mean"]


LONG_CALLS = {
    "run": 'cadre_sim.run("nominal_tolerance", replicates=100000, steps=200, threads=2)',
    "compare": "cadre_sim.compare(replicates=100000, steps=200, threads=2)",
    "sweep": 'cadre_sim.sweep(SWEEPS / "leader_duty.toml", replicates=100000, steps=200, threads=2)',
}


@pytest.mark.parametrize("call", LONG_CALLS.values(), ids=LONG_CALLS.keys())
def test_ctrl_c_interrupts_a_long_call_promptly(call):
    # A call of many minutes; Ctrl-C (SIGINT) one second after it started must end it with
    # KeyboardInterrupt once the replicates in flight finish (well under a second each here).
    child = textwrap.dedent(
        f"""
        import sys, time, pathlib, cadre_sim
        SWEEPS = pathlib.Path({str(ROOT / "scenarios" / "sweeps")!r})
        print("started", flush=True)
        try:
            {call}
        except KeyboardInterrupt:
            print("interrupted", flush=True)
            sys.exit(0)
        print("finished", flush=True)
        """
    )
    proc = subprocess.Popen([sys.executable, "-c", child], stdout=subprocess.PIPE, text=True)
    assert proc.stdout.readline().strip() == "started"
    time.sleep(1.0)
    proc.send_signal(signal.SIGINT)
    try:
        out, _ = proc.communicate(timeout=60)
    except subprocess.TimeoutExpired:
        proc.kill()
        pytest.fail("Ctrl-C did not stop the call within 60 s")
    assert proc.returncode == 0, out
    assert out.strip() == "interrupted", out
