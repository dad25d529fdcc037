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

Beyond the command line's ``run``, ``compare``, ``experiment`` and ``sweep``: any design in one
call (``sweep(base, points=df)``, ``batch(base, {"regime.detect": [...]})``) with a per-run
table, and ``did``, ``calibrate`` and ``sensitivity`` on DataFrames and dicts. Long calls take
``progress=`` (a callable ``f(done, total)``, or True for a bar) and are safe to call again in
a process forked after a call (``multiprocessing``'s ``fork`` start method).

Bad input raises :class:`InputError` (a ``ValueError``); Ctrl-C stops a long call promptly
(``KeyboardInterrupt``). See docs/python.md for the columns and dtypes of every DataFrame;
"text" there is pandas' default string dtype, as ``pd.read_csv`` gives it (``str`` in pandas 3,
``object`` before).
"""

from __future__ import annotations

import io
import itertools
import json
import os
import sys
from typing import Any, Callable, Dict, Iterable, List, Mapping, Optional, Sequence, Union

import numpy as np
import pandas as pd

from . import _core
from ._core import InputError

__version__: str = _core.__version__

__all__ = [
    "CalibrationResult",
    "Comparison",
    "ExperimentResult",
    "InputError",
    "RunResult",
    "SensitivityResult",
    "SweepResult",
    "batch",
    "calibrate",
    "compare",
    "did",
    "experiment",
    "metrics",
    "params",
    "run",
    "scenarios",
    "sensitivity",
    "sweep",
]


Scenario = Union[str, "os.PathLike[str]", Mapping[str, Any]]
Overrides = Union[None, str, Iterable[str], Mapping[str, Union[int, float]]]
Progress = Union[None, bool, Callable[[int, int], Any]]

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


def _input_error(location: str, message: str) -> InputError:
    """An InputError raised on the Python side, shaped as the library's: ``location``,
    ``problems`` and the message ``location: message``."""
    error = InputError(f"{location}: {message}")
    error.location = location
    error.problems = [(location, message)]
    return error


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
                raise _input_error(
                    "--set", f"`{key}` = {value!r} is not a number; give numbers as values"
                )
            # repr: the shortest text that reads back to the same float, as Rust reads it.
            out.append(f"{key}={float(value)!r}" if isinstance(value, (float, np.floating)) else f"{key}={int(value)}")
        return out
    return [str(s) for s in set]


_I64 = 2**63


def _int_arg(name: str, value: Any) -> Optional[int]:
    """An optional integer argument, within what the library can receive (64 bits); the
    library checks it against the parameter's own range."""
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)):
        raise TypeError(f"{name} must be an int or None, not {type(value).__name__}")
    value = int(value)
    if not -_I64 <= value < _I64:
        raise _input_error(f"--{name}", f"--{name} {value} is out of range (at most {_I64 - 1})")
    return value


def _count_arg(name: str, value: Any) -> int:
    """A count (``leads``, ``bootstrap``, ...): an int in [0, 2^32 - 1]."""
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)):
        raise TypeError(f"{name} must be an int, not {type(value).__name__}")
    value = int(value)
    if not 0 <= value < 2**32:
        raise _input_error(f"--{name}", f"--{name} {value} must be an integer in [0, {2**32 - 1}]")
    return value


def _plots_arg(plots: Union[bool, str, None]) -> Optional[str]:
    """``plots=``: True (PNG), False/None (no plot files), or formats as ``"png,svg"``."""
    if plots is True:
        return "png"
    if plots is False or plots is None:
        return None
    if isinstance(plots, str):
        return plots
    raise TypeError(f"plots must be True, False or formats such as 'png,svg', not {type(plots).__name__}")


class _Bar:
    """``progress=True``: a bar over the units of a call (tqdm's, which shows in Jupyter,
    when tqdm is installed; else a line on stderr, redrawn in place)."""

    def __init__(self, what: str):
        self._what = what
        self._bar = None
        self._shown = -1

    def __call__(self, done: int, total: int) -> None:
        try:
            from tqdm.auto import tqdm
        except ImportError:
            tqdm = None
        if tqdm is not None:
            if self._bar is None:
                self._bar = tqdm(total=total, unit=self._what)
            self._bar.update(done - self._bar.n)
            if done >= total:
                self._bar.close()
            return
        if done != self._shown:
            self._shown = done
            width = 30
            filled = width * done // max(total, 1)
            end = "\n" if done >= total else ""
            sys.stderr.write(f"\r[{'#' * filled}{'.' * (width - filled)}] {done}/{total} {self._what}{end}")
            sys.stderr.flush()


def _progress_arg(progress: Progress, what: str) -> Optional[Callable[[int, int], Any]]:
    """``progress=``: None/False (silent), True (a bar), or a callable ``f(done, total)``
    called on the calling thread while the work runs (an exception it raises stops the
    call and is raised)."""
    if progress is None or progress is False:
        return None
    if progress is True:
        return _Bar(what)
    if callable(progress):
        return progress
    raise TypeError(f"progress must be True, False, None or a callable f(done, total), not {type(progress).__name__}")


def _html(title: str, body: str) -> str:
    return f"<div><p><b>{title}</b></p>{body}</div>"


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

    A RunResult pickles (to cache it, or to return it from a process pool): its tables are
    built and stored as DataFrames.
    """

    def __init__(self, run: Any, raw: bool):
        self._run = run
        self._raw = raw
        self.name: str = run.name
        self.window: int = run.window
        self.seconds: float = run.seconds
        self.threads: int = run.threads
        self._cache: Dict[str, Any] = {}

    def __getstate__(self) -> Dict[str, Any]:
        # The native handle does not pickle: every table is built, and travels instead.
        tables = {"timeseries": self.timeseries, "final": self.final, "summary": self.summary}
        if self._raw:
            tables["replicates"] = self.replicates
        return {
            "name": self.name,
            "window": self.window,
            "seconds": self.seconds,
            "threads": self.threads,
            "_raw": self._raw,
            "_cache": tables,
        }

    def __setstate__(self, state: Dict[str, Any]) -> None:
        self.__dict__.update(state)
        self._run = None

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

    def _repr_html_(self) -> str:
        n = int(self.final["n"].iloc[0]) if len(self.final) else 0
        return _html(
            f"cadre_sim.RunResult {self.name}: {n} replicates, final window of {self.window} steps",
            self.final.to_html(),
        )


def run(
    scenario: Scenario,
    set: Overrides = None,
    replicates: Optional[int] = None,
    steps: Optional[int] = None,
    seed: Optional[int] = None,
    threads: Optional[int] = None,
    window: Optional[int] = None,
    raw: bool = False,
    progress: Progress = None,
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
        progress: a callable ``f(done, total)`` over replicates, or True for a bar.

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
        _progress_arg(progress, "replicates"),
    )
    return RunResult(handle, bool(raw))


class Comparison(pd.DataFrame):
    """The result of :func:`compare`: ``comparison.csv`` as a DataFrame (one row per scenario
    and metric), with ``.timeseries``: ``timeseries.csv``, every scenario's time series (the
    columns of :attr:`RunResult.timeseries`). Operations on it give plain DataFrames."""

    _metadata = ["_timeseries"]

    @property
    def _constructor(self):
        return pd.DataFrame

    @property
    def timeseries(self) -> pd.DataFrame:
        """``timeseries.csv``: per scenario, metric and step, the summary over replicates."""
        return self._timeseries


def compare(
    *scenarios: Scenario,
    set: Overrides = None,
    replicates: Optional[int] = None,
    steps: Optional[int] = None,
    seed: Optional[int] = None,
    threads: Optional[int] = None,
    window: Optional[int] = None,
    progress: Progress = None,
) -> Comparison:
    """Compare regimes with common random numbers: ``cadre-sim compare``, without files.

    The first scenario is the baseline; with none, the paper's three headline regimes
    (strict_accountability, nominal_tolerance, optimized_path). Every scenario gets the same
    overrides and must share steps, replicates and seed. The scenarios are separate
    arguments; one list or tuple of them is taken as the same.

    Returns:
        ``comparison.csv`` as a :class:`Comparison` (a DataFrame), one row per scenario and
        metric. Columns: ``scenario``, ``metric``, ``baseline`` (text); ``mean``, ``ci_low``,
        ``ci_high``, ``difference``, ``difference_ci_low``, ``difference_ci_high``, ``ratio``
        (float64; the baseline's difference and ratio are NaN); ``n`` (int64); ``pairs``
        (Int64, <NA> for the baseline). ``attrs`` holds ``window`` and ``replicates``;
        ``.timeseries`` is ``timeseries.csv``.

    >>> t = cadre_sim.compare("strict_accountability", "optimized_path", steps=20, seed=1)
    >>> t.query("metric == 'initiative'")[["scenario", "mean", "difference"]]  # doctest: +SKIP
    >>> t.timeseries.query("metric == 'initiative'")  # doctest: +SKIP
    """
    if len(scenarios) == 1 and isinstance(scenarios[0], (list, tuple)):
        scenarios = tuple(scenarios[0])
    data = _core.compare(
        [_scenario_arg(s) for s in scenarios],
        _set_arg(set),
        _int_arg("replicates", replicates),
        _int_arg("steps", steps),
        _int_arg("seed", seed),
        _int_arg("threads", threads),
        _int_arg("window", window),
        _progress_arg(progress, "replicates"),
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
    table = Comparison(_frame(data["table"], dtypes))
    table.attrs["window"] = data["window"]
    table.attrs["replicates"] = data["replicates"]
    table._timeseries = _frame(data["timeseries"], dict(_SUMMARY_DTYPES, step="int64"))
    return table


def _read_table(text: str) -> pd.DataFrame:
    """A CSV text the command writes, every float exactly; id columns as nullable Int64."""
    frame = pd.read_csv(io.StringIO(text), keep_default_na=False, na_values=[""], **_EXACT)
    for column in ("cohort", "group", "time", "event_time", "replicate"):
        if column in frame.columns:
            frame[column] = frame[column].astype("Int64")
    return frame


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
        self.panel = _read_table(tables["panel"])
        self.truth = _read_table(tables["truth"])
        self.estimates = _read_table(tables["estimates"])
        self.summary = _read_table(tables["summary"])

    def __repr__(self) -> str:
        return f"ExperimentResult({len(self.panel)} panel rows, {len(self.summary)} estimated quantities)"

    def _repr_html_(self) -> str:
        overall = self.summary[self.summary["target"] == "overall"] if "target" in self.summary else self.summary
        return _html(f"cadre_sim.ExperimentResult: {len(self.panel)} panel rows", overall.to_html(index=False))


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
    progress: Progress = None,
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
        str(outcome),
        str(control),
        _count_arg("leads", leads),
        _count_arg("lags", lags),
        _count_arg("bootstrap", bootstrap),
        _progress_arg(progress, "replicates"),
    )
    return ExperimentResult(tables)


_STATS = ("mean", "sd", "ci_low", "ci_high", "n")


class SweepResult:
    """The result of :func:`sweep` and :func:`batch`.

    Attributes:
        name: the sweep's name.
        params: the varied parameters' keys.
        points: ``points.csv``: ``point`` (int64) and one column per varied parameter:
            float64, or text for a choice (``places.publish_scope``, ``rollout.assign``).
        results: ``results.csv``: ``point`` (int64), ``metric`` (text), ``mean``, ``sd``,
            ``ci_low``, ``ci_high`` (float64), ``n`` (int64). For an experiment sweep (a base
            with a ``[rollout]``, run with ``out=``): ``point`` followed by the columns of
            ``estimates_summary.csv``, each point's estimates against the truth.
        experiment: whether every point is an experiment.
        runs: ``runs.csv``: one row per point × replicate: ``point``, ``replicate`` (int64),
            the point's parameters and the replicate's final-window mean of every metric
            (float64): Mesa's ``batch_run`` table. None for an experiment sweep.
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
        # A choice's values come as their names.
        param_dtypes = {c: "object" if any(isinstance(v, str) for v in vs) else "float64" for c, vs in data["points"].items()}
        self.points: pd.DataFrame = _frame(points, {**param_dtypes, "point": "int64"})
        self.experiment: bool = "experiment_results_csv" in data
        self.raw: Optional[pd.DataFrame] = None
        if self.experiment:
            with open(data["experiment_results_csv"], encoding="utf-8") as f:
                self.results: pd.DataFrame = _read_table(f.read())
            self.runs: Optional[pd.DataFrame] = None
            return
        self.results = _frame(data["results"], dict(_SUMMARY_DTYPES, point="int64"))
        metric_dtypes = {m: "float64" for m in _core.metrics()}
        runs_dtypes = {**metric_dtypes, **param_dtypes, "point": "int64", "replicate": "int64"}
        if "runs" in data:
            self.runs: pd.DataFrame = _frame(data["runs"], runs_dtypes)
        else:
            self.runs = pd.read_csv(data["runs_csv"], keep_default_na=False, na_values=[""], **_EXACT).astype(runs_dtypes)
        dtypes = dict(metric_dtypes, point="int64", replicate="int64", step="int64")
        if "raw" in data:
            self.raw = _frame(data["raw"], dtypes)
        elif "raw_csv" in data:
            self.raw = pd.read_csv(data["raw_csv"], **_EXACT).astype(dtypes)

    def wide(self, stat: str = "mean") -> pd.DataFrame:
        """``points`` joined with one column per metric holding ``stat``: one of ``mean``,
        ``sd``, ``ci_low``, ``ci_high``, ``n``.

        >>> s.wide()[["regime.leader_duty", "initiative"]]  # doctest: +SKIP
        """
        if stat not in _STATS:
            raise ValueError(f"stat must be one of {', '.join(_STATS)}, not {stat!r}")
        if self.experiment:
            raise ValueError("an experiment sweep's results are per estimator and target, not per metric: read .results")
        table = self.results.pivot(index="point", columns="metric", values=stat)
        table = table[[m for m in _core.metrics() if m in table.columns]]
        table.columns.name = None
        return self.points.join(table, on="point")

    def __repr__(self) -> str:
        return f"<cadre_sim.SweepResult {self.name!r}: {len(self.points)} points x {self.replicates} replicates>"

    def _repr_html_(self) -> str:
        if self.experiment:
            overall = self.results[self.results["target"] == "overall"]
            table = self.points.merge(overall, on="point")[[*self.points.columns, "estimator", "bias", "coverage"]]
            what = "overall estimates: bias and coverage"
        else:
            table, what = self.wide(), "final-window means"
        return _html(
            f"cadre_sim.SweepResult {self.name}: {len(self.points)} points × {self.replicates} replicates ({what})",
            table.head(20).to_html(index=False),
        )


def _points_arg(points: Any) -> "tuple[List[str], List[List[float]]]":
    """A design as (keys, rows): a DataFrame (one column per parameter, one row per point)
    or a list of dicts (the same keys in each)."""
    if isinstance(points, pd.DataFrame):
        points = points.to_dict("records")
    if isinstance(points, (list, tuple)):
        if not points:
            raise _input_error("points", "a design needs at least one point")
        keys: List[str] = []
        rows = []
        for i, point in enumerate(points):
            if not isinstance(point, Mapping):
                raise TypeError(f"points[{i}] must be a dict of parameter values, not {type(point).__name__}")
            if i == 0:
                keys = [str(k) for k in point]
            elif _keyset(point) != _keyset(keys):
                raise _input_error(
                    f"points[{i}]",
                    f"has the parameters {sorted(map(str, point))}; points[0] has {sorted(keys)}",
                )
            row = []
            for key in keys:
                value = point[key]
                if isinstance(value, str):
                    # A choice by its name (places.publish_scope = "place"), as in a sweep file.
                    try:
                        row.append(_core.design_value(key, value))
                    except ValueError as e:
                        raise _input_error(f"points[{i}]", str(e)) from None
                    continue
                if isinstance(value, bool) or not isinstance(value, (int, float, np.integer, np.floating)):
                    raise _input_error(f"points[{i}]", f"`{key}` = {value!r} is not a number")
                row.append(float(value))
            rows.append(row)
        return keys, rows
    raise TypeError(f"points must be a DataFrame or a list of dicts, not {type(points).__name__}")


def _keyset(items: Iterable[Any]) -> "frozenset[str]":
    return frozenset(str(k) for k in items)


def sweep(
    sweep: Union[str, "os.PathLike[str]", Mapping[str, Any]],
    steps: Optional[int] = None,
    replicates: Optional[int] = None,
    threads: Optional[int] = None,
    raw: bool = False,
    out: Union[None, str, "os.PathLike[str]"] = None,
    force: bool = False,
    *,
    points: Any = None,
    set: Overrides = None,
    seed: Optional[int] = None,
    window: Optional[int] = None,
    name: Optional[str] = None,
    plots: Union[bool, str] = True,
    lang: str = "en",
    progress: Progress = None,
) -> SweepResult:
    """Run a sweep: ``cadre-sim sweep``, in memory or into a folder.

    Two forms:

    - ``sweep(file_or_dict)``: a sweep file (see docs/sweep.md) or a dict in its shape (its
      ``name`` is optional: "sweep" by default).
    - ``sweep(base, points=design)``: any design in one parallel call: ``base`` is a scenario
      (built-in name, path or dict) and ``design`` a DataFrame with one column per parameter
      (``section.name`` keys) and one row per point, or a list of dicts. Points may repeat (a
      Saltelli or Morris matrix, calibration draws). Every point runs with the sweep's
      replicate seeds, exactly as a sweep file with ``mode = "zip"`` and the same columns as
      axes; ``set``, ``seed`` and ``window`` apply to the base; ``name`` names it ("points").

    Args:
        steps, replicates: override the run, as ``--steps`` and ``--replicates``.
        threads: worker threads (default: all cores); results do not depend on it.
        raw: also keep every step of every replicate of every point (``SweepResult.raw``).
        out: also write the usual sweep folder there, exactly as ``cadre-sim sweep --out``
            (resumable: call again to finish an interrupted sweep); without it nothing is
            written.
        force: with ``out``, discard what the folder holds instead of resuming or refusing.
        plots: with ``out``: True (PNG), False (none), or formats as ``"png,svg"``.
        lang: language of the plots' labels, ``en`` or ``zh``.
        progress: a callable ``f(done, total)`` over (point, replicate) runs, or True for a bar.

    >>> s = cadre_sim.sweep("scenarios/sweeps/leader_duty.toml", steps=20, replicates=2)
    >>> s.wide()  # doctest: +SKIP
    >>> design = pd.DataFrame({"regime.detect": [0.2, 0.2, 0.8], "regime.severity": [1, 3, 1]})
    >>> cadre_sim.sweep("nominal_tolerance", points=design, replicates=4).runs  # doctest: +SKIP
    """
    common = dict(
        threads=_int_arg("threads", threads),
        raw=bool(raw),
        out=None if out is None else os.fspath(out),
        force=bool(force),
        format=_plots_arg(plots),
        lang=str(lang),
        progress=_progress_arg(progress, "runs"),
    )
    if points is not None:
        keys, rows = _points_arg(points)
        return SweepResult(
            _core.sweep_points(
                _scenario_arg(sweep),
                keys,
                rows,
                grid=False,
                name="points" if name is None else str(name),
                set=_set_arg(set),
                replicates=_int_arg("replicates", replicates),
                steps=_int_arg("steps", steps),
                seed=_int_arg("seed", seed),
                window=_int_arg("window", window),
                **common,
            )
        )
    for key, value in (("set", set), ("seed", seed), ("window", window), ("name", name)):
        if value is not None:
            raise TypeError(
                f"{key}= goes with points= (a sweep file sets its own {key}); "
                "for a sweep file, write it into the file"
            )
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
        **common,
    )
    return SweepResult(data)


def batch(
    base: Scenario,
    parameters: Mapping[str, Sequence[float]],
    replicates: Optional[int] = None,
    steps: Optional[int] = None,
    seed: Optional[int] = None,
    *,
    set: Overrides = None,
    window: Optional[int] = None,
    threads: Optional[int] = None,
    raw: bool = False,
    out: Union[None, str, "os.PathLike[str]"] = None,
    force: bool = False,
    name: str = "batch",
    plots: Union[bool, str] = True,
    lang: str = "en",
    progress: Progress = None,
) -> SweepResult:
    """Every combination of parameter values, Mesa's ``batch_run`` style: ``parameters`` maps
    each key to its values (a single number is one value), the first key varying slowest.
    The per-run table is ``.runs`` (one row per combination × replicate); ``.wide()`` has one
    row per combination. The same grid as a sweep file's ``[[axis]]`` tables (its heatmaps
    too, with ``out=``).

    >>> b = cadre_sim.batch("nominal_tolerance", {"regime.detect": [0.2, 0.5, 0.8]}, replicates=5)
    >>> b.runs.groupby("regime.detect")["initiative"].mean()  # doctest: +SKIP
    """
    if not isinstance(parameters, Mapping) or not parameters:
        raise TypeError("parameters must be a dict of parameter key to its values, e.g. {'regime.detect': [0.2, 0.8]}")
    keys = [str(k) for k in parameters]
    axes = []
    for key, values in parameters.items():
        if isinstance(values, (int, float, np.integer, np.floating)) and not isinstance(values, bool):
            values = [values]
        axis = []
        for v in values:
            if isinstance(v, bool) or not isinstance(v, (int, float, np.integer, np.floating)):
                raise _input_error(f"parameters[{key!r}]", f"{v!r} is not a number")
            axis.append(float(v))
        axes.append(axis)
    return SweepResult(
        _core.sweep_points(
            _scenario_arg(base),
            keys,
            axes,
            grid=True,
            name=str(name),
            set=_set_arg(set),
            replicates=_int_arg("replicates", replicates),
            steps=_int_arg("steps", steps),
            seed=_int_arg("seed", seed),
            window=_int_arg("window", window),
            threads=_int_arg("threads", threads),
            raw=bool(raw),
            out=None if out is None else os.fspath(out),
            force=bool(force),
            format=_plots_arg(plots),
            lang=str(lang),
            progress=_progress_arg(progress, "runs"),
        )
    )


def _option_text(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (float, np.floating)):
        return repr(float(value))
    return str(value)


def did(
    data: Union[pd.DataFrame, str, "os.PathLike[str]"],
    place: str,
    time: str,
    cohort: str,
    outcome: str,
    **options: Any,
) -> pd.DataFrame:
    """Difference-in-differences on a panel: ``cadre-sim did``, without files.

    Args:
        data: a DataFrame with one row per place and period, or the path of a CSV file.
        place, time, cohort, outcome: the columns, as ``--place``, ``--time``, ``--cohort``,
            ``--outcome``. The cohort is the first treated period; NaN/None, empty, ``never``
            or ``NA`` for a place never treated (0 too when every period is after 0).
        **options: the command's flags by name: ``control`` ("nevertreated" or
            "notyettreated"), ``leads``, ``lags``, ``bootstrap``, ``seed``, ``level``.

    Returns:
        ``estimates.csv`` as a DataFrame, with the command's numbers to the last digit (the
        DataFrame is handed over as CSV text, floats written exactly); ``attrs`` holds
        ``places``, ``periods`` (first, last), ``cohorts`` and ``notes`` (what the command
        prints as ``note:``: a choice made for you, an estimator skipped and why).

    >>> est = cadre_sim.did(panel, place="county", time="year", cohort="first_treated", outcome="y", bootstrap=0)
    >>> est[est.target == "overall"]  # doctest: +SKIP
    """
    pairs = [(str(k), _option_text(v)) for k, v in options.items()]
    columns = [str(place), str(time), str(cohort), str(outcome)]
    if isinstance(data, pd.DataFrame):
        if all(c in data.columns for c in columns):
            frame = data.loc[:, columns].copy()
            frame.columns = columns
            # Integer periods and cohorts held as floats (a NaN cohort makes the column
            # float) are written as integers, as the file they came from had them.
            for c in (columns[1], columns[2]):
                col = frame[c]
                if col.dtype.kind == "f":
                    whole = col.dropna()
                    if (whole == np.floor(whole)).all():
                        frame[c] = col.astype("Int64")
        else:
            # The library names the missing columns and lists those there are.
            frame = data.iloc[:0]
        text = frame.to_csv(index=False, na_rep="")
        result = _core.did(text, True, *columns, pairs)
    elif isinstance(data, (str, os.PathLike)):
        result = _core.did(os.fspath(data), False, *columns, pairs)
    else:
        raise TypeError(f"data must be a DataFrame or the path of a CSV file, not {type(data).__name__}")
    table = _read_table(result["estimates"])
    table.attrs["places"] = result["places"]
    table.attrs["periods"] = tuple(result["periods"])
    table.attrs["cohorts"] = result["cohorts"]
    table.attrs["notes"] = list(result["notes"])
    return table


class CalibrationResult:
    """The result of :func:`calibrate`: the tables ``cadre-sim calibrate`` writes.

    Attributes:
        summary: ``summary.csv``: per parameter, the posterior's mean, sd and intervals.
        posterior: ``posterior.csv``: every generation's particles and weights.
        generations: ``generations.csv``: per generation, ε, proposals and acceptance.
        targets: ``targets.csv``: each target's observed value against the posterior
            predictive.
        correlations: ``correlations.csv``; predictive: ``predictive.csv``.
        stop: why it stopped; reading: the findings in words; out: the folder, or None.
    """

    def __init__(self, data: Dict[str, Any]):
        tables = data["tables"]
        self.name: str = data["name"]
        self.summary = _read_table(tables["summary"])
        self.posterior = _read_table(tables["posterior"])
        self.generations = _read_table(tables["generations"])
        self.targets = _read_table(tables["targets"])
        self.correlations = _read_table(tables["correlations"])
        self.predictive = _read_table(tables["predictive"])
        self.stop: str = data["stop"]
        self.reading: List[str] = list(data["reading"])
        self.simulations: int = data["simulations"]
        self.out: Optional[str] = None if data.get("out") is None else os.fspath(data["out"])

    def __repr__(self) -> str:
        return f"<cadre_sim.CalibrationResult {self.name!r}: {len(self.generations)} generations, stopped: {self.stop}>"

    def _repr_html_(self) -> str:
        reading = "".join(f"<li>{line}</li>" for line in self.reading)
        return _html(repr(self)[1:-1], self.summary.to_html(index=False) + f"<ul>{reading}</ul>")


def calibrate(
    calibration: Union[str, "os.PathLike[str]", Mapping[str, Any]],
    steps: Optional[int] = None,
    replicates: Optional[int] = None,
    particles: Optional[int] = None,
    generations: Optional[int] = None,
    threads: Optional[int] = None,
    out: Union[None, str, "os.PathLike[str]"] = None,
    force: bool = False,
    plots: Union[bool, str] = True,
    lang: str = "en",
    progress: Progress = None,
) -> CalibrationResult:
    """Fit parameters to observed targets with ABC-SMC: ``cadre-sim calibrate``.

    Args:
        calibration: a calibration file (see docs/calibrate.md) or a dict in its shape.
        steps, replicates, particles, generations: as the command's flags.
        out: also write the command's folder there (checkpointed every generation: call
            again to resume; report.html and plots included); without it nothing is written.
        force: with ``out``, start over. plots, lang: with ``out``, as for :func:`sweep`.
        progress: a callable ``f(generations done, most generations)``, or True for a bar.

    Returns a :class:`CalibrationResult` whose tables equal the command's files.
    Ctrl-C stops after the generation in progress (with ``out``, it is checkpointed).
    """
    if isinstance(calibration, Mapping):
        arg: Any = dict(calibration)
    elif isinstance(calibration, (str, os.PathLike)):
        arg = os.fspath(calibration)
    else:
        raise TypeError(f"calibration must be a path or a dict, not {type(calibration).__name__}")
    data = _core.calibrate(
        arg,
        _int_arg("steps", steps),
        _int_arg("replicates", replicates),
        _int_arg("particles", particles),
        _int_arg("generations", generations),
        _int_arg("threads", threads),
        None if out is None else os.fspath(out),
        bool(force),
        _plots_arg(plots),
        str(lang),
        _progress_arg(progress, "generations"),
    )
    return CalibrationResult(data)


class SensitivityResult:
    """The result of :func:`sensitivity`.

    Attributes:
        indices: ``indices.csv``: per metric and parameter, the method's indices with their
            confidence intervals.
        points: the design (``point`` and one column per parameter), as ``points.csv``.
        results: ``results.csv``: every point's summaries.
        method: ``morris`` or ``sobol``; out: the folder, or None.
    """

    def __init__(self, data: Dict[str, Any]):
        self.name: str = data["name"]
        self.method: str = data["method"]
        self.params: List[str] = list(data["params"])
        self.indices = _read_table(data["indices"])
        points = {"point": list(range(len(next(iter(data["points"].values()), []))))}
        points.update(data["points"])
        self.points = _frame(points, {**{c: "float64" for c in self.params}, "point": "int64"})
        self.results = _frame(data["results"], dict(_SUMMARY_DTYPES, point="int64"))
        self.out: Optional[str] = None if data.get("out") is None else os.fspath(data["out"])

    def __repr__(self) -> str:
        return f"<cadre_sim.SensitivityResult {self.name!r} ({self.method}): {len(self.points)} points>"

    def _repr_html_(self) -> str:
        return _html(repr(self)[1:-1], self.indices.to_html(index=False))


def sensitivity(
    analysis: Union[str, "os.PathLike[str]", Mapping[str, Any]],
    steps: Optional[int] = None,
    replicates: Optional[int] = None,
    threads: Optional[int] = None,
    out: Union[None, str, "os.PathLike[str]"] = None,
    force: bool = False,
    plots: Union[bool, str] = True,
    lang: str = "en",
    progress: Progress = None,
) -> SensitivityResult:
    """Global sensitivity analysis (Morris or Sobol): ``cadre-sim sensitivity``.

    Args:
        analysis: a sensitivity file (see docs/sensitivity.md) or a dict in its shape.
        steps, replicates: as ``--steps`` and ``--replicates``.
        out: also write the command's folder there (resumable, with ``salib/`` and charts);
            without it nothing is written. force, plots, lang: as for :func:`sweep`.
        progress: a callable ``f(done, total)`` over (point, replicate) runs, or True.

    Returns a :class:`SensitivityResult` whose ``indices`` equal the command's indices.csv.
    """
    if isinstance(analysis, Mapping):
        arg: Any = dict(analysis)
    elif isinstance(analysis, (str, os.PathLike)):
        arg = os.fspath(analysis)
    else:
        raise TypeError(f"analysis must be a path or a dict, not {type(analysis).__name__}")
    data = _core.sensitivity(
        arg,
        _int_arg("steps", steps),
        _int_arg("replicates", replicates),
        _int_arg("threads", threads),
        None if out is None else os.fspath(out),
        bool(force),
        _plots_arg(plots),
        str(lang),
        _progress_arg(progress, "runs"),
    )
    return SensitivityResult(data)
