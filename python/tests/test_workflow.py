"""A researcher's whole workflow from Python: any design in one call, the per-run table,
did on a DataFrame, calibrate and sensitivity, each equal to the command line on the same
input; fork safety; and the smaller conveniences (pickling, progress, HTML, hints)."""

import multiprocessing
import pickle
import sys

import numpy as np
import pandas as pd
import pytest
from pandas.testing import assert_frame_equal

import cadre_sim
from conftest import ROOT, read_csv
from test_equal_to_cli import same

SWEEPS = ROOT / "scenarios" / "sweeps"


# --- fork safety ------------------------------------------------------------------------


def _final_initiative(seed):
    return cadre_sim.run("optimized_path", steps=6, replicates=2, seed=seed).final.loc["initiative", "mean"]


def test_a_fork_after_a_call_does_not_hang():
    # The parent has run on all cores (the pool's threads exist here only); forked workers
    # must build their own pool instead of waiting forever on the parent's.
    here = [_final_initiative(s) for s in range(4)]
    with multiprocessing.get_context("fork").Pool(2) as pool:
        there = pool.map_async(_final_initiative, range(4)).get(timeout=120)
    assert there == here
    # And the parent still runs after its children did.
    assert _final_initiative(0) == here[0]


def test_a_result_returns_from_a_process_pool():
    with multiprocessing.get_context("fork").Pool(2) as pool:
        results = pool.map_async(_run_small, [1, 2]).get(timeout=120)
    assert_frame_equal(results[0].final, _run_small(1).final, check_exact=True)


def _run_small(seed):
    return cadre_sim.run("nominal_tolerance", steps=6, replicates=2, seed=seed)


# --- designs ------------------------------------------------------------------------------

DESIGN = pd.DataFrame(
    {
        "regime.detect": [0.2, 0.2, 0.8, 0.2],
        "regime.severity": [1.0, 3.0, 1.0, 1.0],  # point 3 repeats point 0
    }
)


def zip_file(tmp_path, design=DESIGN):
    lines = ['name = "z"', 'base = "nominal_tolerance"', "steps = 10", "replicates = 3", 'mode = "zip"']
    for key in design.columns:
        values = ", ".join(repr(float(v)) for v in design[key])
        lines += ["[[axis]]", f'param = "{key}"', f"values = [{values}]"]
    path = tmp_path / "z.toml"
    path.write_text("\n".join(lines) + "\n")
    return path


def test_zip_accepts_repeated_values_in_the_cli_and_python(cli, tmp_path):
    path = zip_file(tmp_path)
    cli("sweep", path, "--no-plots", "-q", "--out", tmp_path / "cli")
    s = cadre_sim.sweep(path)
    same(s.points, read_csv(tmp_path / "cli" / "points.csv"))
    same(s.results, read_csv(tmp_path / "cli" / "results.csv"))
    # A repeated point is the same simulation: the same numbers.
    w = s.wide()
    assert_frame_equal(
        w.loc[w.point == 0].drop(columns="point").reset_index(drop=True),
        w.loc[w.point == 3].drop(columns="point").reset_index(drop=True),
        check_exact=True,
    )


def test_a_dataframe_design_equals_the_same_points_as_a_cli_sweep_file(cli, tmp_path):
    cli("sweep", zip_file(tmp_path), "--no-plots", "-q", "--out", tmp_path / "cli")
    s = cadre_sim.sweep("nominal_tolerance", points=DESIGN, steps=10, replicates=3)
    same(s.points, read_csv(tmp_path / "cli" / "points.csv"))
    same(s.results, read_csv(tmp_path / "cli" / "results.csv"))
    same(s.runs, read_csv(tmp_path / "cli" / "runs.csv"))
    # A list of dicts is the same design.
    rows = DESIGN.to_dict("records")
    t = cadre_sim.sweep("nominal_tolerance", points=rows, steps=10, replicates=3)
    same(t.results, s.results)


def test_a_design_into_a_folder_resumes_and_equals_in_memory(tmp_path):
    kw = dict(points=DESIGN, steps=10, replicates=3)
    mem = cadre_sim.sweep("nominal_tolerance", **kw)
    disk = cadre_sim.sweep("nominal_tolerance", out=tmp_path / "d", plots=False, **kw)
    same(disk.runs, mem.runs)
    same(disk.results, mem.results)
    assert not list((tmp_path / "d").glob("*.png"))
    again = cadre_sim.sweep("nominal_tolerance", out=tmp_path / "d", plots=False, **kw)
    same(again.results, mem.results)


def test_batch_is_a_grid_equal_to_the_cli_sweep(cli, tmp_path):
    text = (
        'name = "g"\nbase = "nominal_tolerance"\nsteps = 10\nreplicates = 2\n'
        '[[axis]]\nparam = "regime.detect"\nvalues = [0.2, 0.5]\n'
        '[[axis]]\nparam = "regime.severity"\nvalues = [1, 2, 4]\n'
    )
    (tmp_path / "g.toml").write_text(text)
    cli("sweep", tmp_path / "g.toml", "--no-plots", "-q", "--out", tmp_path / "cli")
    b = cadre_sim.batch(
        "nominal_tolerance",
        {"regime.detect": [0.2, 0.5], "regime.severity": [1, 2, 4]},
        replicates=2,
        steps=10,
    )
    same(b.points, read_csv(tmp_path / "cli" / "points.csv"))
    same(b.results, read_csv(tmp_path / "cli" / "results.csv"))
    same(b.runs, read_csv(tmp_path / "cli" / "runs.csv"))
    assert len(b.runs) == 6 * 2


def test_the_per_run_table_holds_each_replicates_final_window_means():
    s = cadre_sim.sweep(SWEEPS / "leader_duty.toml", steps=12, replicates=3)
    assert list(s.runs.columns) == ["point", "replicate", "regime.leader_duty", *cadre_sim.metrics()]
    assert len(s.runs) == len(s.points) * 3
    # results.csv's mean is the mean over the per-run rows of each point.
    means = s.runs.groupby("point")["initiative"].mean().to_numpy()
    results = s.results[s.results.metric == "initiative"]["mean"].to_numpy()
    np.testing.assert_allclose(means, results, rtol=1e-12)
    # A run is a run: the same scenario through run() gives the same replicate means.
    duty = s.points["regime.leader_duty"].iloc[1]
    r = cadre_sim.run("nominal_tolerance", set={"regime.leader_duty": duty}, steps=12, replicates=3, raw=True)
    reps = r.replicates[r.replicates.step >= 2].groupby("replicate")["initiative"].mean().to_numpy()
    np.testing.assert_allclose(s.runs[s.runs.point == 1]["initiative"].to_numpy(), reps, rtol=1e-12)


def test_bad_designs_are_input_errors():
    with pytest.raises(cadre_sim.InputError, match="regime.detekt"):
        cadre_sim.sweep("nominal_tolerance", points=pd.DataFrame({"regime.detekt": [0.1]}))
    with pytest.raises(cadre_sim.InputError, match=r"\[0, 1\]"):
        cadre_sim.sweep("nominal_tolerance", points=pd.DataFrame({"regime.detect": [1.5]}))
    with pytest.raises(cadre_sim.InputError, match="cannot be varied"):
        cadre_sim.sweep("nominal_tolerance", points=[{"run.steps": 5}])
    with pytest.raises(cadre_sim.InputError, match=r"points\[1\]"):
        cadre_sim.sweep("nominal_tolerance", points=[{"regime.detect": 0.1}, {"regime.severity": 1}])
    with pytest.raises(cadre_sim.InputError, match='must be one of "national", "place"'):
        cadre_sim.sweep("nominal_tolerance", points=[{"places.publish_scope": "global"}])


def test_a_design_of_choices_and_rollout_keys_runs_experiments(tmp_path):
    design = pd.DataFrame({"places.publish_scope": ["place", "national"], "rollout.share": [1.0, 0.5]})
    base = ROOT / "scenarios" / "experiments" / "staggered_national.toml"
    s = cadre_sim.sweep(base, points=design, replicates=2, out=tmp_path / "p", plots=False)
    assert s.experiment
    assert list(s.points["places.publish_scope"]) == ["place", "national"]
    # Every place adopts at point 0: no never-treated controls, so CS turns to the not yet treated.
    cs = s.results.query("estimator == 'cs' and target == 'overall'")
    assert list(cs["control"]) == ["notyettreated", "nevertreated"]


# --- did, calibrate, sensitivity ----------------------------------------------------------

PANEL = ROOT / "tests" / "fixtures" / "did_crosscheck_panel.csv"


def test_did_on_a_dataframe_equals_the_cli_on_the_same_csv(cli, tmp_path):
    flags = ["--place", "place", "--time", "time", "--cohort", "cohort", "--outcome", "y"]
    cli("did", PANEL, *flags, "--bootstrap", 99, "--seed", 3, "--no-plots", "--out", tmp_path / "cli")
    expected = read_csv(tmp_path / "cli" / "estimates.csv")
    df = pd.read_csv(PANEL)
    got = cadre_sim.did(df, place="place", time="time", cohort="cohort", outcome="y", bootstrap=99, seed=3)
    same(got, expected)
    # The path, and never-treated cohorts as NaN in a float column, give the same numbers.
    same(cadre_sim.did(PANEL, "place", "time", "cohort", "y", bootstrap=99, seed=3), expected)
    df2 = df.assign(cohort=df["cohort"].replace(0, np.nan).astype("float64"))
    same(cadre_sim.did(df2, "place", "time", "cohort", "y", bootstrap=99, seed=3), expected)
    assert got.attrs["places"] == df["place"].nunique()


def test_did_options_and_errors():
    df = pd.read_csv(PANEL)
    cli_like = cadre_sim.did(df, "place", "time", "cohort", "y", control="notyettreated", bootstrap=0, level=0.9)
    assert set(cli_like["estimator"]) >= {"twfe", "cs"}
    with pytest.raises(cadre_sim.InputError, match="no column `yy`"):
        cadre_sim.did(df, "place", "time", "cohort", "yy")
    with pytest.raises(cadre_sim.InputError, match="--level"):
        cadre_sim.did(df, "place", "time", "cohort", "y", level=2)
    with pytest.raises(cadre_sim.InputError, match="is not an option of did"):
        cadre_sim.did(df, "place", "time", "cohort", "y", bootstrapp=9)


TINY_CALIBRATION = {
    "name": "tiny",
    "base": "nominal_tolerance",
    "steps": 12,
    "replicates": 2,
    "seed": 7,
    "window": 4,
    "particles": 24,
    "max_generations": 2,
    "predictive": 20,
    "parameter": [{"param": "population.loss_aversion", "prior": "log-uniform", "from": 0.5, "to": 4.0}],
    "target": [{"name": "deterred", "metric": "deterred_share", "observed": 0.4, "tolerance": 0.05, "source": "a survey"}],
}


def calibration_file(tmp_path):
    """TINY_CALIBRATION as a file."""
    text = (
        'name = "tiny"\nbase = "nominal_tolerance"\nsteps = 12\nreplicates = 2\nseed = 7\n'
        "window = 4\nparticles = 24\nmax_generations = 2\npredictive = 20\n"
        '[[parameter]]\nparam = "population.loss_aversion"\nprior = "log-uniform"\nfrom = 0.5\nto = 4.0\n'
        '[[target]]\nname = "deterred"\nmetric = "deterred_share"\nobserved = 0.4\n'
        'tolerance = 0.05\nsource = "a survey"\n'
    )
    path = tmp_path / "tiny.toml"
    path.write_text(text)
    return path


def test_calibrate_equals_the_cli_files(cli, tmp_path):
    path = calibration_file(tmp_path)
    cli("calibrate", path, "--no-plots", "--quiet", "--out", tmp_path / "cli")
    seen = []
    got = cadre_sim.calibrate(TINY_CALIBRATION, progress=lambda done, total: seen.append((done, total)))
    for name in ["summary", "posterior", "generations", "targets", "correlations", "predictive"]:
        same(getattr(got, name), read_csv(tmp_path / "cli" / f"{name}.csv"))
    assert seen[-1] == (2, 2) and got.out is None
    into = cadre_sim.calibrate(path, out=tmp_path / "py", plots=False)
    for name in ["summary.csv", "posterior.csv", "targets.csv"]:
        assert (tmp_path / "py" / name).read_bytes() == (tmp_path / "cli" / name).read_bytes()
    assert into.out == str(tmp_path / "py")


def test_sensitivity_equals_the_cli_indices(cli, tmp_path):
    text = (
        'name = "m"\nbase = "nominal_tolerance"\nmethod = "morris"\nmetrics = ["initiative"]\n'
        "samples = 3\nlevels = 4\nreplicates = 2\nsteps = 10\nwindow = 5\nseed = 1\nbootstrap = 50\n"
        '[[parameter]]\nparam = "regime.detect"\nfrom = 0.2\nto = 0.8\n'
        '[[parameter]]\nparam = "regime.severity"\nfrom = 1\nto = 4\n'
    )
    (tmp_path / "m.toml").write_text(text)
    cli("sensitivity", tmp_path / "m.toml", "--no-plots", "-q", "--out", tmp_path / "cli")
    got = cadre_sim.sensitivity(tmp_path / "m.toml")
    same(got.indices, read_csv(tmp_path / "cli" / "indices.csv"))
    same(got.results, read_csv(tmp_path / "cli" / "results.csv"))
    assert got.method == "morris" and len(got.points) == 3 * 3


# --- the smaller conveniences -------------------------------------------------------------


def test_a_sweep_dict_needs_no_name():
    s = cadre_sim.sweep(
        {"base": "nominal_tolerance", "steps": 5, "replicates": 1, "axis": [{"param": "regime.detect", "values": [0.2, 0.4]}]}
    )
    assert s.name == "sweep"


def python_side_errors():
    return {
        "seed too large for 64 bits": (lambda: cadre_sim.run("optimized_path", seed=2**64), "--seed"),
        "negative leads": (lambda: cadre_sim.experiment("scenarios/experiments/staggered_place.toml", leads=-1), "--leads"),
        "set value not a number": (lambda: cadre_sim.run("optimized_path", set={"regime.detect": "x"}), "--set"),
    }


@pytest.mark.parametrize("case", python_side_errors().keys())
def test_python_side_input_errors_name_the_argument_and_carry_location(case, monkeypatch):
    monkeypatch.chdir(ROOT)
    call, location = python_side_errors()[case]
    with pytest.raises(cadre_sim.InputError) as caught:
        call()
    e = caught.value
    assert e.location == location and e.problems == [(location, str(e).split(": ", 1)[1])]


def test_a_run_result_pickles():
    r = cadre_sim.run("optimized_path", steps=8, replicates=2, seed=4, raw=True)
    back = pickle.loads(pickle.dumps(r))
    assert_frame_equal(back.final, r.final, check_exact=True)
    assert_frame_equal(back.timeseries, r.timeseries, check_exact=True)
    assert_frame_equal(back.replicates, r.replicates, check_exact=True)
    assert back.summary == r.summary and back.name == r.name and back.window == r.window


def test_compare_has_the_time_series_of_the_cli(cli, tmp_path):
    names = ["strict_accountability", "optimized_path"]
    cli("compare", *names, "--steps", 12, "--replicates", 3, "--no-plots", "-q", "--out", tmp_path / "cli")
    t = cadre_sim.compare(names, steps=12, replicates=3)  # a list is taken as the scenarios
    same(t, read_csv(tmp_path / "cli" / "comparison.csv"))
    same(t.timeseries, read_csv(tmp_path / "cli" / "timeseries.csv"))
    assert isinstance(t, pd.DataFrame) and type(t.head()) is pd.DataFrame


def test_results_show_as_html_in_a_notebook():
    r = cadre_sim.run("optimized_path", steps=5, replicates=2)
    assert "initiative" in r._repr_html_() and "<table" in r._repr_html_()
    s = cadre_sim.sweep(SWEEPS / "leader_duty.toml", steps=4, replicates=1)
    assert "regime.leader_duty" in s._repr_html_()


def test_wide_names_the_statistics_it_knows():
    s = cadre_sim.sweep(SWEEPS / "leader_duty.toml", steps=4, replicates=2)
    with pytest.raises(ValueError, match="mean, sd, ci_low, ci_high, n"):
        s.wide("median")
    assert "initiative" in s.wide("sd").columns


def test_sweep_into_a_folder_without_plots(tmp_path):
    s = cadre_sim.sweep(SWEEPS / "leader_duty.toml", steps=4, replicates=1, out=tmp_path / "s", plots=False)
    names = {p.name for p in (tmp_path / "s").iterdir()}
    assert {"points.csv", "results.csv", "runs.csv"} <= names
    assert not any(n.endswith(".png") for n in names)
    assert s.out == str(tmp_path / "s")


def test_progress_reports_every_unit_ending_with_the_total():
    seen = []
    cadre_sim.run("nominal_tolerance", steps=5, replicates=4, progress=lambda d, t: seen.append((d, t)))
    assert seen[-1] == (4, 4) and all(t == 4 for _, t in seen)
    assert [d for d, _ in seen] == sorted(d for d, _ in seen)
    seen.clear()
    cadre_sim.sweep(SWEEPS / "leader_duty.toml", steps=4, replicates=2, progress=lambda d, t: seen.append((d, t)))
    points = len(cadre_sim.sweep(SWEEPS / "leader_duty.toml", steps=4, replicates=1).points)
    assert seen[-1] == (2 * points, 2 * points)


def test_an_exception_in_the_progress_callback_stops_the_call():
    def stop(done, total):
        raise RuntimeError("enough")

    with pytest.raises(RuntimeError, match="enough"):
        cadre_sim.run("nominal_tolerance", steps=200, replicates=2000, threads=1, progress=stop)


def test_progress_true_draws_a_bar(capsys):
    cadre_sim.run("nominal_tolerance", steps=5, replicates=3, progress=True)
    err = capsys.readouterr().err
    assert "3/3" in err
