"""The package's numbers are the command line's, to the last digit, for the same input."""

import pandas as pd
import pytest
from pandas.testing import assert_frame_equal

import cadre_sim
from conftest import ROOT, read_csv, read_json

RUN = ["--steps", 30, "--replicates", 5, "--seed", 7]
RUN_KW = dict(steps=30, replicates=5, seed=7)


def same(frame, reference):
    """Equal values and columns; dtypes may differ only where the CSV cannot say (an
    all-empty column reads as float, an integer column with gaps as float)."""
    assert list(frame.columns) == list(reference.columns)
    assert_frame_equal(
        frame.reset_index(drop=True),
        reference.reset_index(drop=True),
        check_exact=True,
        check_dtype=False,
    )


def without_timing(summary):
    return {k: v for k, v in summary.items() if k != "timing"}


@pytest.mark.parametrize(
    "scenario, extra",
    [
        ("optimized_path", {}),
        # Policy events, an override and a window: the whole resolution path.
        ("mechanism_introduced", {"set": {"regime.detect": 0.8}, "window": 7}),
        ("scenarios/o3_openness.toml", {"set": ["population.cadres=150"]}),
    ],
)
def test_run_equals_cli_files(cli, tmp_path, monkeypatch, scenario, extra):
    flags = []
    for item in ([extra["set"]] if isinstance(extra.get("set"), dict) else []):
        flags += [a for k, v in item.items() for a in ("--set", f"{k}={v}")]
    for item in extra.get("set", []) if isinstance(extra.get("set"), list) else []:
        flags += ["--set", item]
    if "window" in extra:
        flags += ["--window", extra["window"]]
    cli("run", scenario, *RUN, *flags, "--raw", "--no-plots", "-q", "--out", tmp_path / "cli")

    monkeypatch.chdir(ROOT)  # the file reference is relative to the repository
    r = cadre_sim.run(scenario, raw=True, **RUN_KW, **extra)

    same(r.timeseries, read_csv(tmp_path / "cli" / "timeseries.csv"))
    same(r.replicates, read_csv(tmp_path / "cli" / "replicates.csv"))
    summary = read_json(tmp_path / "cli" / "summary.json")
    assert without_timing(r.summary) == without_timing(summary)
    # The final table is summary.json's final_window, metric by metric.
    for metric, s in summary["final_window"].items():
        row = r.final.loc[metric]
        assert row["n"] == s["n"]
        for stat in ["mean", "sd", "ci_low", "ci_high"]:
            assert (row[stat] == s[stat]) or (pd.isna(row[stat]) and s[stat] is None)
    assert r.window == summary["window"]


def test_a_scenario_dict_equals_the_same_file(cli, tmp_path):
    text = (
        'name = "mine"\nbase = "nominal_tolerance"\n[regime]\ndetect = 0.7\n'
        "[[events]]\nat = 10\nleader_duty = 0.9\n"
    )
    (tmp_path / "mine.toml").write_text(text)
    cli("run", tmp_path / "mine.toml", *RUN, "--no-plots", "-q", "--out", tmp_path / "cli")
    r = cadre_sim.run(
        {
            "name": "mine",
            "base": "nominal_tolerance",
            "regime": {"detect": 0.7},
            "events": [{"at": 10, "leader_duty": 0.9}],
        },
        **RUN_KW,
    )
    same(r.timeseries, read_csv(tmp_path / "cli" / "timeseries.csv"))
    assert r.summary["scenario"] == read_json(tmp_path / "cli" / "summary.json")["scenario"]


def test_compare_equals_cli_files(cli, tmp_path):
    names = ["strict_accountability", "nominal_tolerance", "optimized_path"]
    cli("compare", *names, *RUN, "--no-plots", "-q", "--out", tmp_path / "cli")
    table = cadre_sim.compare(*names, **RUN_KW)
    same(table, read_csv(tmp_path / "cli" / "comparison.csv"))
    assert table.attrs == {"window": 10, "replicates": 5}
    # With no scenario: the headline three, as `cadre-sim compare` without names.
    same(cadre_sim.compare(**RUN_KW), table)


def test_sweep_equals_cli_files(cli, tmp_path):
    sweep = ROOT / "scenarios" / "sweeps" / "leader_duty.toml"
    flags = ["--steps", 12, "--replicates", 3]
    cli("sweep", sweep, *flags, "--raw", "--no-plots", "-q", "--out", tmp_path / "cli")
    s = cadre_sim.sweep(sweep, steps=12, replicates=3, raw=True)
    same(s.points, read_csv(tmp_path / "cli" / "points.csv"))
    same(s.results, read_csv(tmp_path / "cli" / "results.csv"))
    same(s.raw, read_csv(tmp_path / "cli" / "raw.csv"))
    assert s.params == ["regime.leader_duty"] and s.out is None


def test_sweep_with_out_writes_the_cli_folder(cli, tmp_path):
    sweep = ROOT / "scenarios" / "sweeps" / "strictness_x_tolerance.toml"
    cli("sweep", sweep, "--steps", 12, "--replicates", 2, "-q", "--out", tmp_path / "cli")
    s = cadre_sim.sweep(sweep, steps=12, replicates=2, out=tmp_path / "py")
    for name in ["points.csv", "results.csv"]:
        assert (tmp_path / "py" / name).read_bytes() == (tmp_path / "cli" / name).read_bytes()
    cli_files = {p.name for p in (tmp_path / "cli").iterdir()}
    assert {p.name for p in (tmp_path / "py").iterdir()} == cli_files
    same(s.results, read_csv(tmp_path / "cli" / "results.csv"))
    assert s.out == str(tmp_path / "py")
    # A second call resumes: every point is finished, nothing changes.
    again = cadre_sim.sweep(sweep, steps=12, replicates=2, out=tmp_path / "py")
    same(again.results, s.results)


def test_an_experiment_sweep_over_design_keys_writes_the_cli_folder(cli, tmp_path):
    sweep = ROOT / "scenarios" / "sweeps" / "did_design.toml"
    cli("sweep", sweep, "--replicates", 2, "--no-plots", "-q", "--out", tmp_path / "cli")
    with pytest.raises(cadre_sim.InputError, match="out="):
        cadre_sim.sweep(sweep, replicates=2)
    s = cadre_sim.sweep(sweep, replicates=2, out=tmp_path / "py", plots=False)
    for name in ["points.csv", "results.csv"]:
        assert (tmp_path / "py" / name).read_bytes() == (tmp_path / "cli" / name).read_bytes()
    assert s.experiment and s.runs is None
    # The choice reads as its names, as points.csv writes them.
    assert list(s.points["places.publish_scope"].unique()) == ["national", "place"]
    same(s.points, read_csv(tmp_path / "cli" / "points.csv"))
    same(s.results, read_csv(tmp_path / "cli" / "results.csv"))
    overall = s.results.query("estimator == 'twfe' and target == 'overall'")
    assert len(overall) == len(s.points)


def test_sweep_dict_equals_the_same_file(tmp_path):
    text = (
        'name = "d"\nbase = "nominal_tolerance"\nreplicates = 2\nsteps = 10\n'
        '[[axis]]\nparam = "regime.detect"\nvalues = [0.2, 0.5]\n'
    )
    (tmp_path / "d.toml").write_text(text)
    from_file = cadre_sim.sweep(tmp_path / "d.toml")
    from_dict = cadre_sim.sweep(
        {
            "name": "d",
            "base": "nominal_tolerance",
            "replicates": 2,
            "steps": 10,
            "axis": [{"param": "regime.detect", "values": [0.2, 0.5]}],
        }
    )
    same(from_dict.results, from_file.results)
    same(from_dict.points, from_file.points)


def test_experiment_equals_cli_files(cli, tmp_path):
    path = "scenarios/experiments/staggered_place.toml"
    flags = ["--replicates", 3, "--bootstrap", 19, "--no-plots", "--quiet"]
    cli("experiment", path, *flags, "--out", tmp_path / "e")
    got = cadre_sim.experiment(path, replicates=3, bootstrap=19, threads=1)
    for name, frame in [
        ("panel", got.panel),
        ("truth", got.truth),
        ("estimates", got.estimates),
        ("estimates_summary", got.summary),
    ]:
        same(frame, read_csv(tmp_path / "e" / f"{name}.csv"))
    assert got.panel["cohort"].dtype == "Int64"
    with pytest.raises(cadre_sim.InputError, match="has no \\[rollout\\]"):
        cadre_sim.experiment("nominal_tolerance")
    with pytest.raises(cadre_sim.InputError, match="unknown outcome"):
        cadre_sim.experiment(path, outcome="initiatve")
