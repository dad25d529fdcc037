"""cadre-sim from Python: the agent-based model of cadre incentives under fault-tolerance and
error-correction regimes (容错纠错机制), as a library.

Every function resolves its input exactly as the ``cadre-sim`` command line does (the same
validation, the same messages), simulates in Rust with the GIL released, and returns pandas
DataFrames holding the numbers the command line writes to its CSV and JSON files, to the last
digit. Nothing is written to disk unless ``sweep(..., out=...)`` asks for a folder.

>>> import cadre_sim
>>> r = cadre_sim.run("optimized_path", replicates=4, steps=20, seed=1)
>>> r.final.loc["initiative", "mean"]  # doctest: +SKIP
0.41...
>>> cadre_sim.compare("strict_accountability", "optimized_path", steps=20)  # doctest: +SKIP

Bad input raises :class:`InputError` (a ``ValueError``); Ctrl-C stops a long call promptly
(``KeyboardInterrupt``). See docs/python.md for the columns and dtypes of every DataFrame;
"text" there is pandas' default string dtype, as ``pd.read_csv`` gives it (``str`` in pandas 3,
``object`` before).
"""

from __future__ import annotations

import json
import os
from typing import Any, Dict, Iterable, List, Mapping, Optional, Union

import numpy as np
import pandas as pd

from . import _core
from ._core import InputError

__version__: str = _core.__version__

__all__ = [
    "ExperimentResult",
    "InputError",
    "experiment",
    "RunResult",
    "SweepResult",
    "compare",
    "metrics",
    "params",
    "run",
    "scenarios",
    "sweep",
]


Scenario = Union[str, "os.PathLike[str]", Mapping[str, Any]]
Overrides = Union[None, str, Iterable[str], Mapping[str, Union[int, float]]]

# Reading raw.csv back: pandas 3 reads floats exactly by default (and deprecates the
# option); earlier versions need it asked for.
_EXACT = {} if int(pd.__version__.split(".")[0]) >= 3 else {"float_precision": "round_trip"}

_SUMMARY_DTYPES = {
    "mean": "float64",
    "sd": "float64",
    "ci_low": "float64",
    "ci_high": "float64",
    "n": "int64",
}


def _frame(columns: Dict[str, list], dtypes: Dict[str, str], index: Any = None) -> pd.DataFrame:
    """A DataFrame of `columns` (in their order) with fixed dtypes, also when empty."""
    data = {}
    for name, values in columns.items():
        dtype = dtypes.get(name, "object")
        if dtype == "object":
            # Element by element: a column of lists (event steps) must stay one-dimensional.
            column = np.empty(len(values), dtype="object")
            for i, v in enumerate(values):
                column[i] = v
            data[name] = column
        elif dtype == "Int64":
            data[name] = pd.array(values, dtype="Int64")
        else:
            data[name] = np.asarray(values, dtype=dtype)
    return pd.DataFrame(data, index=index, copy=False)


def _scenario_arg(scenario: Scenario) -> Any:
    if isinstance(scenario, Mapping):
        return dict(scenario)
    if isinstance(scenario, (str, os.PathLike)):
        return os.fspath(scenario)
    raise TypeError(
        "scenario must be a built-in name, a path to a .toml file or a dict in the "
        f"scenario-file shape, not {type(scenario).__name__}"
    )


def _set_arg(set: Overrides) -> List[str]:
    """`set` as the command line's `--set key=value` strings."""
    if set is None:
        return []
    if isinstance(set, str):
        return [set]
    if isinstance(set, Mapping):
        out = []
        for key, value in set.items():
            if isinstance(value, bool) or not isinstance(value, (int, float, np.integer, np.floating)):
                raise InputError(
                    f"--set: `{key}` = {value!r} is not a number; give numbers as values"
                )
            # repr: the shortest text that reads back to the same float, as Rust reads it.
            out.append(f"{key}={float(value)!r}" if isinstance(value, (float, np.floating)) else f"{key}={int(value)}")
        return out
    return [str(s) for s in set]


def _int_arg(name: str, value: Any) -> Optional[int]:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)):
        raise TypeError(f"{name} must be an int or None, not {type(value).__name__}")
    return int(value)


def metrics() -> List[str]:
    """The metric names, in output order (the rows of ``RunResult.final``).

    >>> cadre_sim.metrics()[:3]
    ['initiative', 'error_rate', 'correction_rate']
    """
    return list(_core.metrics())


def scenarios() -> pd.DataFrame:
    """The built-in scenarios, as ``cadre-sim scenarios`` lists them.

    Columns: ``name``, ``description`` (text), ``differs_from_nominal`` (dict of
    parameter key to value), ``event_steps`` (list of int: steps of the policy events).

    >>> cadre_sim.scenarios()["name"].tolist()[:2]
    ['strict_accountability', 'nominal_tolerance']
    """
    return _frame(_core.scenarios(), {})


def params() -> pd.DataFrame:
    """Every parameter, as ``cadre-sim params`` lists them.

    Columns: ``key`` (``section.name``, as ``set=`` takes it), ``section``, ``name``,
    ``default`` (float64), ``allowed`` (the range in words), ``integer`` (bool), ``concept``
    (the paper's D1–D5 / O1–O5), ``meaning``.

    >>> p = cadre_sim.params().set_index("key")
    >>> p.loc["regime.detect", "default"]  # doctest: +SKIP
    """
    return _frame(_core.params(), {"default": "float64", "integer": "bool"})


class RunResult:
    """The result of :func:`run`. DataFrames are built on first access.

    Attributes:
        name: the scenario's name.
        window: the final steps averaged for ``final``.
        seconds: wall time of the simulation (the only number that differs between equal runs).
        threads: threads used.
    """

    def __init__(self, run: Any, raw: bool):
        self._run = run
        self._raw = raw
        self.name: str = run.name
        self.window: int = run.window
        self.seconds: float = run.seconds
        self.threads: int = run.threads
        self._cache: Dict[str, Any] = {}

    @property
    def timeseries(self) -> pd.DataFrame:
        """``timeseries.csv``: one row per metric and step (metric by metric).

        Columns: ``scenario`` (text), ``step`` (int64), ``metric`` (text), ``mean``, ``sd``,
        ``ci_low``, ``ci_high`` (float64; NaN where the file has an empty field), ``n`` (int64).
        """
        if "timeseries" not in self._cache:
            cols = self._run.timeseries()
            columns = {"scenario": [self.name] * len(cols["step"])}
            columns.update(cols)
            self._cache["timeseries"] = _frame(columns, dict(_SUMMARY_DTYPES, step="int64"))
        return self._cache["timeseries"]

    @property
    def final(self) -> pd.DataFrame:
        """The final-window table: per metric (the index, named ``metric``), the summary over
        replicates of each replicate's mean over the last ``window`` steps; the same numbers
        as ``summary.json``'s ``final_window``.

        Columns: ``mean``, ``sd``, ``ci_low``, ``ci_high`` (float64), ``n`` (int64).

        >>> r.final.loc["initiative", "mean"]  # doctest: +SKIP
        """
        if "final" not in self._cache:
            cols = self._run.final_window()
            index = pd.Index(cols.pop("metric"), name="metric")
            self._cache["final"] = _frame(cols, _SUMMARY_DTYPES, index)
        return self._cache["final"]

    @property
    def replicates(self) -> Optional[pd.DataFrame]:
        """``replicates.csv`` (only with ``run(..., raw=True)``, else None): every metric of
        every step of every replicate.

        Columns: ``scenario`` (text), ``replicate``, ``step`` (int64), then one float64 column
        per metric (see :func:`metrics`).
        """
        if not self._raw:
            return None
        if "replicates" not in self._cache:
            cols = self._run.replicates()
            columns = {"scenario": [self.name] * len(cols["step"])}
            columns.update(cols)
            dtypes = {m: "float64" for m in _core.metrics()}
            dtypes.update(replicate="int64", step="int64")
            self._cache["replicates"] = _frame(columns, dtypes)
        return self._cache["replicates"]

    @property
    def summary(self) -> Dict[str, Any]:
        """The dict ``summary.json`` holds: tool, versions, the resolved scenario, seeds, the
        window, ``final_window`` per metric and ``timing``. (Missing numbers are None, as
        JSON's null.)"""
        if "summary" not in self._cache:
            self._cache["summary"] = json.loads(self._run.summary_json())
        return self._cache["summary"]

    def __repr__(self) -> str:
        return f"<cadre_sim.RunResult {self.name!r}: window {self.window}, {self.seconds:.3f} s>"


def run(
    scenario: Scenario,
    set: Overrides = None,
    replicates: Optional[int] = None,
    steps: Optional[int] = None,
    seed: Optional[int] = None,
    threads: Optional[int] = None,
    window: Optional[int] = None,
    raw: bool = False,
) -> RunResult:
    """Run one scenario's replicates: ``cadre-sim run``, without writing files.

    Args:
        scenario: a built-in name (see :func:`scenarios`), a path to a scenario .toml file,
            or a dict in the scenario-file shape (``{"base": "nominal_tolerance",
            "regime": {"detect": 0.8}}``).
        set: parameter overrides, as ``--set``: a dict ``{"regime.detect": 0.8}``, a
            string ``"regime.detect=0.8"`` or a list of such strings.
        replicates, steps, seed: override the scenario's ``[run]`` values.
        threads: worker threads (default: all cores); results do not depend on it.
        window: final steps averaged (default 10, or all steps of a shorter run).
        raw: also keep every step of every replicate (``RunResult.replicates``).

    Returns:
        A :class:`RunResult` with ``.timeseries``, ``.final``, ``.replicates`` and ``.summary``.

    Raises:
        InputError: bad input, with the command line's message.
        KeyboardInterrupt: Ctrl-C (replicates in flight finish first).

    >>> r = cadre_sim.run("optimized_path", set={"regime.detect": 0.8}, steps=20, seed=1)
    >>> r.timeseries.query("metric == 'initiative'")[["step", "mean"]].head()  # doctest: +SKIP
    """
    handle = _core.run(
        _scenario_arg(scenario),
        _set_arg(set),
        _int_arg("replicates", replicates),
        _int_arg("steps", steps),
        _int_arg("seed", seed),
        _int_arg("threads", threads),
        _int_arg("window", window),
    )
    return RunResult(handle, bool(raw))


def compare(
    *scenarios: Scenario,
    set: Overrides = None,
    replicates: Optional[int] = None,
    steps: Optional[int] = None,
    seed: Optional[int] = None,
    threads: Optional[int] = None,
    window: Optional[int] = None,
) -> pd.DataFrame:
    """Compare regimes with common random numbers: ``cadre-sim compare``, without files.

    The first scenario is the baseline; with none, the paper's three headline regimes
    (strict_accountability, nominal_tolerance, optimized_path). Every scenario gets the same
    overrides and must share steps, replicates and seed.

    Returns:
        ``comparison.csv`` as a DataFrame, one row per scenario and metric. Columns:
        ``scenario``, ``metric``, ``baseline`` (text); ``mean``, ``ci_low``, ``ci_high``,
        ``difference``, ``difference_ci_low``, ``difference_ci_high``, ``ratio`` (float64; the
        baseline's difference and ratio are NaN); ``n`` (int64); ``pairs`` (Int64, <NA> for
        the baseline). ``attrs`` holds ``window`` and ``replicates``.

    >>> t = cadre_sim.compare("strict_accountability", "optimized_path", steps=20, seed=1)
    >>> t.query("metric == 'initiative'")[["scenario", "mean", "difference"]]  # doctest: +SKIP
    """
    data = _core.compare(
        [_scenario_arg(s) for s in scenarios],
        _set_arg(set),
        _int_arg("replicates", replicates),
        _int_arg("steps", steps),
        _int_arg("seed", seed),
        _int_arg("threads", threads),
        _int_arg("window", window),
    )
    floats = [
        "mean",
        "ci_low",
        "ci_high",
        "difference",
        "difference_ci_low",
        "difference_ci_high",
        "ratio",
    ]
    dtypes = {c: "float64" for c in floats}
    dtypes.update(n="int64", pairs="Int64")
    table = _frame(data["table"], dtypes)
    table.attrs["window"] = data["window"]
    table.attrs["replicates"] = data["replicates"]
    return table


class ExperimentResult:
    """The result of :func:`experiment`: the four tables ``cadre-sim experiment`` writes.

    Attributes:
        panel: ``panel.csv``: one row per replicate × place × step; ``cohort`` is <NA> for a
            place that never adopts; each outcome beside ``<outcome>_no_adoption``.
        truth: ``truth.csv``: the true effects over replicates (target, group, time,
            event_time, mean, sd, ci_low, ci_high, n).
        estimates: ``estimates.csv``: every estimate of every replicate with its ``truth``.
        summary: ``estimates_summary.csv``: per estimator and target, mean estimate, bias,
            RMSE and the coverage of the estimator's own 95% interval.
    """

    def __init__(self, tables: Dict[str, str]):
        import io

        def read(name: str) -> pd.DataFrame:
            frame = pd.read_csv(
                io.StringIO(tables[name]), keep_default_na=False, na_values=[""], **_EXACT
            )
            for column in ("cohort", "group", "time", "event_time", "replicate"):
                if column in frame.columns:
                    frame[column] = frame[column].astype("Int64")
            return frame

        self.panel = read("panel")
        self.truth = read("truth")
        self.estimates = read("estimates")
        self.summary = read("summary")

    def __repr__(self) -> str:
        return f"ExperimentResult({len(self.panel)} panel rows, {len(self.summary)} estimated quantities)"


def experiment(
    scenario: Scenario,
    set: Overrides = None,
    replicates: Optional[int] = None,
    steps: Optional[int] = None,
    seed: Optional[int] = None,
    threads: Optional[int] = None,
    outcome: str = "initiative",
    control: str = "nevertreated",
    leads: int = 6,
    lags: int = 12,
    bootstrap: int = 199,
) -> "ExperimentResult":
    """A staggered rollout across places: ``cadre-sim experiment``, without files.

    Each replicate is simulated with the rollout and without it on the same random numbers;
    every DiD estimator (TWFE, TWFE event study, Callaway–Sant'Anna, Sun–Abraham) runs on the
    observed panel and is set against the true effect. ``scenario`` needs ``[places]`` and a
    ``[rollout]`` (see ``scenarios/experiments/`` and docs/experiment.md).

    >>> e = cadre_sim.experiment("scenarios/experiments/staggered_place.toml", replicates=10)
    >>> e.summary.query("target == 'overall'")[["estimator", "mean_estimate", "mean_truth", "coverage"]]  # doctest: +SKIP
    """
    tables = _core.experiment(
        _scenario_arg(scenario),
        _set_arg(set),
        _int_arg("replicates", replicates),
        _int_arg("steps", steps),
        _int_arg("seed", seed),
        _int_arg("threads", threads),
        outcome,
        control,
        leads,
        lags,
        bootstrap,
    )
    return ExperimentResult(tables)


class SweepResult:
    """The result of :func:`sweep`.

    Attributes:
        name: the sweep's name.
        params: the varied parameters' keys.
        points: ``points.csv``: ``point`` (int64) and one float64 column per varied parameter.
        results: ``results.csv``: ``point`` (int64), ``metric`` (text), ``mean``, ``sd``,
            ``ci_low``, ``ci_high`` (float64), ``n`` (int64).
        raw: with ``raw=True``, ``raw.csv``: ``point``, ``replicate``, ``step`` (int64) and one
            float64 column per metric; else None.
        window, replicates: what every point shares.
        out: the folder written (with ``out=``), else None.
    """

    def __init__(self, data: Dict[str, Any]):
        self.name: str = data["name"]
        self.params: List[str] = list(data["params"])
        self.window: int = data["window"]
        self.replicates: int = data["replicates"]
        self.out: Optional[str] = None if data.get("out") is None else os.fspath(data["out"])
        points = {"point": list(range(len(next(iter(data["points"].values()), []))))}
        points.update(data["points"])
        self.points: pd.DataFrame = _frame(points, {c: "float64" for c in self.params} | {"point": "int64"})
        self.results: pd.DataFrame = _frame(data["results"], dict(_SUMMARY_DTYPES, point="int64"))
        dtypes = {m: "float64" for m in _core.metrics()}
        dtypes.update(point="int64", replicate="int64", step="int64")
        self.raw: Optional[pd.DataFrame] = None
        if "raw" in data:
            self.raw = _frame(data["raw"], dtypes)
        elif "raw_csv" in data:
            self.raw = pd.read_csv(data["raw_csv"], **_EXACT).astype(dtypes)

    def wide(self, stat: str = "mean") -> pd.DataFrame:
        """``points`` joined with one column per metric holding ``stat`` (e.g. ``mean``).

        >>> s.wide()[["regime.leader_duty", "initiative"]]  # doctest: +SKIP
        """
        table = self.results.pivot(index="point", columns="metric", values=stat)
        table = table[[m for m in _core.metrics() if m in table.columns]]
        table.columns.name = None
        return self.points.join(table, on="point")

    def __repr__(self) -> str:
        return f"<cadre_sim.SweepResult {self.name!r}: {len(self.points)} points x {self.replicates} replicates>"


def sweep(
    sweep: Union[str, "os.PathLike[str]", Mapping[str, Any]],
    steps: Optional[int] = None,
    replicates: Optional[int] = None,
    threads: Optional[int] = None,
    raw: bool = False,
    out: Union[None, str, "os.PathLike[str]"] = None,
    force: bool = False,
) -> SweepResult:
    """Run a sweep file (or a dict in its shape): ``cadre-sim sweep``, in memory.

    Args:
        sweep: a path to a sweep .toml file (see docs/sweep.md), or a dict in that shape.
        steps, replicates: override the file's values, as ``--steps`` and ``--replicates``.
        threads: worker threads (default: all cores); results do not depend on it.
        raw: also keep every step of every replicate of every point (``SweepResult.raw``).
        out: also write the usual sweep folder there, exactly as ``cadre-sim sweep --out``
            (resumable, plots included); without it nothing is written.
        force: with ``out``, discard what the folder holds instead of resuming or refusing.

    >>> s = cadre_sim.sweep("scenarios/sweeps/leader_duty.toml", steps=20, replicates=2)
    >>> s.wide()  # doctest: +SKIP
    """
    if isinstance(sweep, Mapping):
        arg: Any = dict(sweep)
    elif isinstance(sweep, (str, os.PathLike)):
        arg = os.fspath(sweep)
    else:
        raise TypeError(f"sweep must be a path or a dict, not {type(sweep).__name__}")
    data = _core.sweep(
        arg,
        _int_arg("steps", steps),
        _int_arg("replicates", replicates),
        _int_arg("threads", threads),
        bool(raw),
        None if out is None else os.fspath(out),
        bool(force),
    )
    return SweepResult(data)
