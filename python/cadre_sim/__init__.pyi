"""Type hints of cadre_sim (the docstrings, with examples, are in __init__.py)."""

import os
from typing import Any, Dict, Iterable, List, Mapping, Optional, Tuple, Union

import pandas as pd

__version__: str

Scenario = Union[str, os.PathLike[str], Mapping[str, Any]]
Overrides = Union[None, str, Iterable[str], Mapping[str, Union[int, float]]]

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

class SweepResult:
    name: str
    params: List[str]
    window: int
    replicates: int
    out: Optional[str]
    points: pd.DataFrame
    results: pd.DataFrame
    raw: Optional[pd.DataFrame]
    def wide(self, stat: str = "mean") -> pd.DataFrame: ...

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
) -> RunResult: ...
def compare(
    *scenarios: Scenario,
    set: Overrides = None,
    replicates: Optional[int] = None,
    steps: Optional[int] = None,
    seed: Optional[int] = None,
    threads: Optional[int] = None,
    window: Optional[int] = None,
) -> pd.DataFrame: ...
def sweep(
    sweep: Union[str, os.PathLike[str], Mapping[str, Any]],
    steps: Optional[int] = None,
    replicates: Optional[int] = None,
    threads: Optional[int] = None,
    raw: bool = False,
    out: Union[None, str, os.PathLike[str]] = None,
    force: bool = False,
) -> SweepResult: ...

class ExperimentResult:
    panel: pd.DataFrame
    truth: pd.DataFrame
    estimates: pd.DataFrame
    summary: pd.DataFrame

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
) -> ExperimentResult: ...
