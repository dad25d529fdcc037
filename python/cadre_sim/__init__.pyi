"""Type hints of cadre_sim (the docstrings, with examples, are in __init__.py)."""

import os
from typing import Any, Callable, Dict, Iterable, List, Mapping, Optional, Sequence, Tuple, Union

import pandas as pd

__version__: str

Scenario = Union[str, os.PathLike[str], Mapping[str, Any]]
Overrides = Union[None, str, Iterable[str], Mapping[str, Union[int, float]]]
Progress = Union[None, bool, Callable[[int, int], Any]]
Path = Union[str, os.PathLike[str]]

class InputError(ValueError):
    """Bad input, with the command line's message (file, line, key, value, range)."""

    location: str
    problems: List[Tuple[str, str]]

class RunResult:
    name: str
    window: int
    seconds: float
    threads: int
    @property
    def timeseries(self) -> pd.DataFrame: ...
    @property
    def final(self) -> pd.DataFrame: ...
    @property
    def replicates(self) -> Optional[pd.DataFrame]: ...
    @property
    def summary(self) -> Dict[str, Any]: ...
    def _repr_html_(self) -> str: ...

class Comparison(pd.DataFrame):
    @property
    def timeseries(self) -> pd.DataFrame: ...

class SweepResult:
    name: str
    params: List[str]
    window: int
    replicates: int
    out: Optional[str]
    points: pd.DataFrame
    results: pd.DataFrame
    runs: pd.DataFrame
    raw: Optional[pd.DataFrame]
    def wide(self, stat: str = "mean") -> pd.DataFrame: ...
    def _repr_html_(self) -> str: ...

class ExperimentResult:
    panel: pd.DataFrame
    truth: pd.DataFrame
    estimates: pd.DataFrame
    summary: pd.DataFrame
    def _repr_html_(self) -> str: ...

class CalibrationResult:
    name: str
    summary: pd.DataFrame
    posterior: pd.DataFrame
    generations: pd.DataFrame
    targets: pd.DataFrame
    correlations: pd.DataFrame
    predictive: pd.DataFrame
    stop: str
    reading: List[str]
    simulations: int
    out: Optional[str]
    def _repr_html_(self) -> str: ...

class SensitivityResult:
    name: str
    method: str
    params: List[str]
    indices: pd.DataFrame
    points: pd.DataFrame
    results: pd.DataFrame
    out: Optional[str]
    def _repr_html_(self) -> str: ...

def metrics() -> List[str]: ...
def scenarios() -> pd.DataFrame: ...
def params() -> pd.DataFrame: ...
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
) -> RunResult: ...
def compare(
    *scenarios: Union[Scenario, Sequence[Scenario]],
    set: Overrides = None,
    replicates: Optional[int] = None,
    steps: Optional[int] = None,
    seed: Optional[int] = None,
    threads: Optional[int] = None,
    window: Optional[int] = None,
    progress: Progress = None,
) -> Comparison: ...
def experiment(
    scenario: Scenario,
    set: Overrides = ...,
    replicates: Optional[int] = ...,
    steps: Optional[int] = ...,
    seed: Optional[int] = ...,
    threads: Optional[int] = ...,
    outcome: str = ...,
    control: str = ...,
    leads: int = ...,
    lags: int = ...,
    bootstrap: int = ...,
    progress: Progress = ...,
) -> ExperimentResult: ...
def sweep(
    sweep: Union[Path, Mapping[str, Any]],
    steps: Optional[int] = None,
    replicates: Optional[int] = None,
    threads: Optional[int] = None,
    raw: bool = False,
    out: Optional[Path] = None,
    force: bool = False,
    *,
    points: Union[None, pd.DataFrame, Sequence[Mapping[str, float]]] = None,
    set: Overrides = None,
    seed: Optional[int] = None,
    window: Optional[int] = None,
    name: Optional[str] = None,
    plots: Union[bool, str] = True,
    lang: str = "en",
    progress: Progress = None,
) -> SweepResult: ...
def batch(
    base: Scenario,
    parameters: Mapping[str, Union[float, Sequence[float]]],
    replicates: Optional[int] = None,
    steps: Optional[int] = None,
    seed: Optional[int] = None,
    *,
    set: Overrides = None,
    window: Optional[int] = None,
    threads: Optional[int] = None,
    raw: bool = False,
    out: Optional[Path] = None,
    force: bool = False,
    name: str = "batch",
    plots: Union[bool, str] = True,
    lang: str = "en",
    progress: Progress = None,
) -> SweepResult: ...
def did(
    data: Union[pd.DataFrame, Path],
    place: str,
    time: str,
    cohort: str,
    outcome: str,
    **options: Any,
) -> pd.DataFrame: ...
def calibrate(
    calibration: Union[Path, Mapping[str, Any]],
    steps: Optional[int] = None,
    replicates: Optional[int] = None,
    particles: Optional[int] = None,
    generations: Optional[int] = None,
    threads: Optional[int] = None,
    out: Optional[Path] = None,
    force: bool = False,
    plots: Union[bool, str] = True,
    lang: str = "en",
    progress: Progress = None,
) -> CalibrationResult: ...
def sensitivity(
    analysis: Union[Path, Mapping[str, Any]],
    steps: Optional[int] = None,
    replicates: Optional[int] = None,
    threads: Optional[int] = None,
    out: Optional[Path] = None,
    force: bool = False,
    plots: Union[bool, str] = True,
    lang: str = "en",
    progress: Progress = None,
) -> SensitivityResult: ...
