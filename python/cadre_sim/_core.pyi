"""The native module: plain columns (dicts of lists); cadre_sim wraps them in DataFrames."""

from typing import Any, Dict, List, Optional, Tuple

__version__: str

class InputError(ValueError):
    location: str
    problems: List[Tuple[str, str]]

class Run:
    """A finished run held in Rust; its tables are computed when asked for."""

    name: str
    window: int
    seconds: float
    threads: int
    def timeseries(self) -> Dict[str, List[Any]]: ...
    def final_window(self) -> Dict[str, List[Any]]: ...
    def summary_json(self) -> str: ...
    def replicates(self) -> Dict[str, List[Any]]: ...

def metrics() -> List[str]: ...
def scenarios() -> Dict[str, List[Any]]: ...
def params() -> Dict[str, List[Any]]: ...
def run(
    scenario: Any,
    set: List[str] = ...,
    replicates: Optional[int] = None,
    steps: Optional[int] = None,
    seed: Optional[int] = None,
    threads: Optional[int] = None,
    window: Optional[int] = None,
) -> Run: ...
def compare(
    scenarios: List[Any],
    set: List[str] = ...,
    replicates: Optional[int] = None,
    steps: Optional[int] = None,
    seed: Optional[int] = None,
    threads: Optional[int] = None,
    window: Optional[int] = None,
) -> Dict[str, Any]: ...
def sweep(
    sweep: Any,
    steps: Optional[int] = None,
    replicates: Optional[int] = None,
    threads: Optional[int] = None,
    raw: bool = False,
    out: Optional[str] = None,
    force: bool = False,
) -> Dict[str, Any]: ...

def experiment(
    scenario: Any,
    set: List[str],
    replicates: Optional[int],
    steps: Optional[int],
    seed: Optional[int],
    threads: Optional[int],
    outcome: str,
    control: str,
    leads: int,
    lags: int,
    bootstrap: int,
) -> Dict[str, str]: ...
