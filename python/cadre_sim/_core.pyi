"""The native module: plain columns (dicts of lists) and CSV texts; cadre_sim wraps them in
DataFrames."""

from typing import Any, Callable, Dict, List, Optional, Tuple

__version__: str

Callback = Optional[Callable[[int, int], Any]]

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
    progress: Callback = None,
) -> Run: ...
def compare(
    scenarios: List[Any],
    set: List[str] = ...,
    replicates: Optional[int] = None,
    steps: Optional[int] = None,
    seed: Optional[int] = None,
    threads: Optional[int] = None,
    window: Optional[int] = None,
    progress: Callback = None,
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
    progress: Callback = None,
) -> Dict[str, str]: ...
def sweep(
    sweep: Any,
    steps: Optional[int] = None,
    replicates: Optional[int] = None,
    threads: Optional[int] = None,
    raw: bool = False,
    out: Optional[str] = None,
    force: bool = False,
    format: Optional[str] = "png",
    lang: str = "en",
    progress: Callback = None,
) -> Dict[str, Any]: ...
def sweep_points(
    base: Any,
    params: List[str],
    points: List[List[float]],
    grid: bool = False,
    name: str = "points",
    set: List[str] = ...,
    replicates: Optional[int] = None,
    steps: Optional[int] = None,
    seed: Optional[int] = None,
    window: Optional[int] = None,
    threads: Optional[int] = None,
    raw: bool = False,
    out: Optional[str] = None,
    force: bool = False,
    format: Optional[str] = "png",
    lang: str = "en",
    progress: Callback = None,
) -> Dict[str, Any]: ...
def did(
    panel: str,
    is_text: bool,
    place: str,
    time: str,
    cohort: str,
    outcome: str,
    options: List[Tuple[str, str]] = ...,
) -> Dict[str, Any]: ...
def calibrate(
    calibration: Any,
    steps: Optional[int] = None,
    replicates: Optional[int] = None,
    particles: Optional[int] = None,
    generations: Optional[int] = None,
    threads: Optional[int] = None,
    out: Optional[str] = None,
    force: bool = False,
    format: Optional[str] = "png",
    lang: str = "en",
    progress: Callback = None,
) -> Dict[str, Any]: ...
def sensitivity(
    analysis: Any,
    steps: Optional[int] = None,
    replicates: Optional[int] = None,
    threads: Optional[int] = None,
    out: Optional[str] = None,
    force: bool = False,
    format: Optional[str] = "png",
    lang: str = "en",
    progress: Callback = None,
) -> Dict[str, Any]: ...
