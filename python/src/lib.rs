//! `cadre_sim._core`: the native half of the Python package. Each function resolves its input
//! with the library's own code (the CLI's validation, hence its messages), simulates with the
//! GIL released, and returns plain Python data (lists by column, strings); the Python half
//! (`cadre_sim/__init__.py`) turns them into pandas DataFrames. Numbers are the library's f64
//! values, unrounded: they equal what the CLI writes to its CSV and JSON files, since those
//! write every number as the shortest text that reads back to the same f64.
//!
//! Ctrl-C: the work runs on a helper thread while the calling thread waits, checking Python's
//! signals every 20 ms; a KeyboardInterrupt sets the library's stop flag, which skips the
//! replicates not yet started, and is raised as soon as those in flight finish. (Runs of a
//! few tens of milliseconds skip the hand-off: see [`SMALL_WORK`].)

use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use pyo3::create_exception;
use pyo3::exceptions::{PyKeyboardInterrupt, PyOSError, PyRuntimeError, PyValueError};
use pyo3::prelude::*;
use pyo3::types::{PyBool, PyDict, PyFloat, PyInt, PyList, PyString, PyTuple};

use cadre_sim::api::calibrate::{CalibrateRequest, CalibrationSource, Hooks};
use cadre_sim::api::did::{DidRequest, PanelSource};
use cadre_sim::api::experiment::ExperimentRequest;
use cadre_sim::api::run::{CompareRequest, RunRequest};
use cadre_sim::api::sensitivity::{SensitivityRequest, SensitivitySource};
use cadre_sim::api::sweep::{PointsRequest, SweepRequest, SweepSource};
use cadre_sim::api::{self, Control, IN_MEMORY, Overrides, PlotRequest, ScenarioSource};
use cadre_sim::error::{self, Error};
use cadre_sim::model::Metric;
use cadre_sim::model::params::{ParamId, all_specs};
use cadre_sim::output::{Producer, data};
use cadre_sim::run::{RunResult, Summary, stats};
use cadre_sim::scenario::{Factor, Scenario, builtin};
use cadre_sim::sweep::store::{PointValues, RAW_CSV, RESULTS_CSV, RUNS_CSV};
use cadre_sim::sweep::{Design, SweepOptions, SweepPlan, SweepResults, file};

create_exception!(
    cadre_sim,
    InputError,
    PyValueError,
    "Bad input (a scenario, a key, a value out of range, a file): the message is the one the \
     cadre-sim command line prints, naming the file, line, key, value and allowed range. \
     Attributes: `location` (where the first problem is) and `problems` (every problem as a \
     (location, message) pair)."
);

/// The library's input error as `cadre_sim.InputError`, with its problems as attributes.
fn input_error(py: Python<'_>, e: &error::InputError) -> PyErr {
    let err = InputError::new_err(e.to_string());
    let value = err.value(py);
    let problems: Vec<(String, String)> = e
        .problems()
        .map(|(l, m)| (l.to_string(), m.to_string()))
        .collect();
    // Setting attributes on a fresh exception instance cannot fail.
    let _ = value.setattr("location", e.location.clone());
    let _ = value.setattr("problems", problems);
    err
}

/// Any library error as a Python exception: bad input as `InputError`, a stopped sweep as
/// `KeyboardInterrupt`, a failure while working as `OSError` (I/O) or `RuntimeError`.
fn library_error(py: Python<'_>, e: Error) -> PyErr {
    match e {
        Error::Input(e) => input_error(py, &e),
        Error::Interrupted(e) => PyKeyboardInterrupt::new_err(e.to_string()),
        Error::Io { .. } => PyOSError::new_err(e.to_string()),
        Error::Draw { .. } => PyRuntimeError::new_err(e.to_string()),
    }
}

/// Work below this many agent-steps (a few tens of milliseconds) runs on the calling thread:
/// Ctrl-C waits for it no longer than for a replicate in flight, and a loop of small runs (a
/// calibration) does not pay for a thread hand-off each time.
const SMALL_WORK: u64 = 500_000;

/// How often a `progress=` callback is called at most, while the work runs.
const PROGRESS_EVERY: Duration = Duration::from_millis(100);

/// The agent-steps of running `scenarios`.
fn agent_steps(scenarios: &[&Scenario]) -> u64 {
    scenarios
        .iter()
        .map(|s| s.population.cadres as u64 * s.run.steps as u64 * s.run.replicates as u64)
        .sum()
}

/// A `progress=` callback, `callback(done, total)`, and the counter of units done that the
/// workers increment.
struct Progress<'a> {
    callback: Option<Py<PyAny>>,
    counter: &'a AtomicU64,
    total: u64,
}

impl Progress<'_> {
    /// Calls the callback with the count now (if there is one).
    fn report(&self, py: Python<'_>) -> PyResult<()> {
        match &self.callback {
            Some(f) => f
                .call1(py, (self.counter.load(Ordering::Relaxed), self.total))
                .map(drop),
            None => Ok(()),
        }
    }
}

/// Runs `work` with the GIL released, on a helper thread, while this thread checks for
/// Ctrl-C (every 20 ms) and calls the progress callback (every 100 ms while the count moves,
/// and once at the end). On a signal's exception (or one raised by the callback), sets
/// `stop`, waits for `work` to return (it skips what has not started), and raises that
/// exception. Work of at most [`SMALL_WORK`] agent-steps without a callback runs on this
/// thread (with the GIL released too).
fn interruptible<T: Send>(
    py: Python<'_>,
    stop: &AtomicBool,
    agent_steps: u64,
    progress: Option<&Progress>,
    work: impl FnOnce() -> T + Send,
) -> PyResult<T> {
    let with_callback = progress.is_some_and(|p| p.callback.is_some());
    if agent_steps <= SMALL_WORK && !with_callback {
        return Ok(py.detach(work));
    }
    let (result, interrupted) = py.detach(|| {
        std::thread::scope(|scope| {
            let (done_tx, done_rx) = mpsc::channel::<()>();
            let worker = scope.spawn(move || {
                let result = work();
                let _ = done_tx.send(());
                result
            });
            let mut interrupted: Option<PyErr> = None;
            let mut last_report = Instant::now();
            let mut reported = u64::MAX;
            loop {
                match done_rx.recv_timeout(Duration::from_millis(20)) {
                    Ok(()) | Err(mpsc::RecvTimeoutError::Disconnected) => break,
                    Err(mpsc::RecvTimeoutError::Timeout) if interrupted.is_none() => {
                        let due = progress.filter(|p| {
                            p.callback.is_some()
                                && last_report.elapsed() >= PROGRESS_EVERY
                                && p.counter.load(Ordering::Relaxed) != reported
                        });
                        let checked = Python::attach(|py| {
                            py.check_signals()?;
                            if let Some(p) = due {
                                reported = p.counter.load(Ordering::Relaxed);
                                last_report = Instant::now();
                                p.report(py)?;
                            }
                            Ok::<(), PyErr>(())
                        });
                        if let Err(e) = checked {
                            stop.store(true, Ordering::Relaxed);
                            interrupted = Some(e);
                        }
                    }
                    Err(mpsc::RecvTimeoutError::Timeout) => {}
                }
            }
            match worker.join() {
                Ok(result) => (result, interrupted),
                Err(panic) => std::panic::resume_unwind(panic),
            }
        })
    });
    match interrupted {
        Some(e) => Err(e),
        None => {
            if let Some(p) = progress {
                p.report(py)?;
            }
            Ok(result)
        }
    }
}

/// A Python value as TOML, for a scenario or sweep given as a dict.
fn to_toml(key: &str, value: &Bound<'_, PyAny>) -> Result<toml::Value, String> {
    // bool before int: Python's True is an int too.
    if let Ok(b) = value.cast::<PyBool>() {
        return Ok(toml::Value::Boolean(b.is_true()));
    }
    if value.is_instance_of::<PyInt>() {
        return value
            .extract::<i64>()
            .map(toml::Value::Integer)
            .map_err(|_| format!("`{key}` = {value} is too large an integer"));
    }
    if let Ok(f) = value.cast::<PyFloat>() {
        return Ok(toml::Value::Float(f.value()));
    }
    if let Ok(s) = value.cast::<PyString>() {
        return Ok(toml::Value::String(s.to_string()));
    }
    if let Ok(d) = value.cast::<PyDict>() {
        return dict_to_toml(key, d).map(toml::Value::Table);
    }
    if value.is_instance_of::<PyList>() || value.is_instance_of::<PyTuple>() {
        let items: Vec<Bound<'_, PyAny>> = value
            .try_iter()
            .map_err(|e| e.to_string())?
            .collect::<PyResult<_>>()
            .map_err(|e| e.to_string())?;
        return items
            .iter()
            .map(|v| to_toml(key, v))
            .collect::<Result<Vec<_>, _>>()
            .map(toml::Value::Array);
    }
    let type_name = value
        .get_type()
        .name()
        .map_or_else(|_| "?".to_string(), |n| n.to_string());
    Err(format!(
        "`{key}` is a {type_name}; a value must be a number, string, bool, list or dict"
    ))
}

fn dict_to_toml(prefix: &str, dict: &Bound<'_, PyDict>) -> Result<toml::Table, String> {
    let mut table = toml::Table::new();
    for (k, v) in dict.iter() {
        let Ok(k) = k.extract::<String>() else {
            return Err(format!("a key of `{prefix}` is {k}; keys must be strings"));
        };
        let key = if prefix.is_empty() {
            k.clone()
        } else {
            format!("{prefix}.{k}")
        };
        table.insert(k, to_toml(&key, &v)?);
    }
    Ok(table)
}

/// A dict's TOML text, or the problem with it as an input error.
fn dict_text(dict: &Bound<'_, PyDict>) -> Result<String, error::InputError> {
    let table = dict_to_toml("", dict).map_err(|m| error::InputError::new(IN_MEMORY, m))?;
    toml::to_string(&table).map_err(|e| error::InputError::new(IN_MEMORY, e.to_string()))
}

/// A file argument: a path (str or os.PathLike), or a dict in the file's shape (its TOML
/// text). Returns the path, or the text.
fn file_or_dict(py: Python<'_>, value: &Bound<'_, PyAny>) -> PyResult<Result<PathBuf, String>> {
    if let Ok(d) = value.cast::<PyDict>() {
        return dict_text(d).map(Err).map_err(|e| input_error(py, &e));
    }
    Ok(Ok(value.extract()?))
}

/// A scenario argument: a built-in name or path (str), or a dict in the scenario-file shape.
fn scenario_source(py: Python<'_>, scenario: &Bound<'_, PyAny>) -> PyResult<ScenarioSource> {
    if let Ok(d) = scenario.cast::<PyDict>() {
        let text = dict_text(d).map_err(|e| input_error(py, &e))?;
        return Ok(ScenarioSource::Text {
            origin: IN_MEMORY.into(),
            text,
        });
    }
    Ok(ScenarioSource::Reference(scenario.extract()?))
}

/// `--threads`: at least 1 and at most 65535, as the command line accepts.
fn threads(py: Python<'_>, threads: Option<i64>) -> PyResult<Option<usize>> {
    match threads {
        None => Ok(None),
        Some(n) if (1..=i64::from(u16::MAX)).contains(&n) => Ok(Some(n as usize)),
        Some(n) => Err(input_error(
            py,
            &error::InputError::new(
                "--threads",
                format!("--threads {n} must be an integer in [1, {}]", u16::MAX),
            ),
        )),
    }
}

/// The run flags; a negative value is refused with the parameter's range, as `--set` would
/// refuse it.
fn overrides(
    py: Python<'_>,
    set: Vec<String>,
    replicates: Option<i64>,
    steps: Option<i64>,
    seed: Option<i64>,
) -> PyResult<Overrides> {
    let unsigned = |flag: &str, id: ParamId, v: Option<i64>| -> PyResult<Option<u64>> {
        match v {
            None => Ok(None),
            Some(v) => u64::try_from(v).map(Some).map_err(|_| {
                let message = cadre_sim::scenario::edit::check_value(id, v as f64)
                    .err()
                    .unwrap_or_else(|| format!("{v} is negative"));
                input_error(py, &error::InputError::new(flag, message))
            }),
        }
    };
    Ok(Overrides {
        set,
        replicates: unsigned("--replicates", ParamId::Replicates, replicates)?,
        steps: unsigned("--steps", ParamId::Steps, steps)?,
        seed: unsigned("--seed", ParamId::Seed, seed)?,
    })
}

/// `--window`: a count of final steps, checked against the run's `steps`.
fn window(py: Python<'_>, window: Option<i64>, steps: u32) -> PyResult<u32> {
    let w = match window {
        None => None,
        Some(w) => Some(u32::try_from(w).map_err(|_| {
            input_error(
                py,
                &error::InputError::new(
                    "--window",
                    format!("--window {w} must be in [1, {steps}] (the run's steps)"),
                ),
            )
        })?),
    };
    cadre_sim::run::final_window(w, steps).map_err(|e| input_error(py, &e))
}

/// `--steps` / `--replicates` of a file's run: not negative.
fn count(py: Python<'_>, flag: &str, v: Option<i64>) -> PyResult<Option<u64>> {
    v.map(|v| {
        u64::try_from(v).map_err(|_| {
            input_error(
                py,
                &error::InputError::new(flag, format!("{flag} {v} must not be negative")),
            )
        })
    })
    .transpose()
}

/// `format=` and `lang=` of the plots written with `out=` (`format=None`: no plots).
fn plot_options(
    py: Python<'_>,
    format: Option<String>,
    lang: String,
) -> PyResult<cadre_sim::plot::PlotOptions> {
    PlotRequest {
        no_plots: format.is_none(),
        format: format.unwrap_or_else(|| "png".into()),
        lang,
    }
    .resolve()
    .map_err(|e| input_error(py, &e))
}

/// A stop flag that lives for the whole program (the sweep machinery's wants one): one
/// small flag per call is leaked, so that a second call (in another thread) never sees this
/// one's stop.
fn static_flag() -> &'static AtomicBool {
    Box::leak(Box::new(AtomicBool::new(false)))
}

/// A counter that lives for the whole program, as [`static_flag`].
fn static_counter() -> &'static AtomicU64 {
    Box::leak(Box::new(AtomicU64::new(0)))
}

/// Summary columns (mean, sd, ci_low, ci_high, n) into `dict`.
fn set_summaries(dict: &Bound<'_, PyDict>, summaries: &[Summary]) -> PyResult<()> {
    let col = |f: fn(&Summary) -> f64| summaries.iter().map(f).collect::<Vec<f64>>();
    dict.set_item("mean", col(|s| s.mean))?;
    dict.set_item("sd", col(|s| s.sd))?;
    dict.set_item("ci_low", col(|s| s.ci_low))?;
    dict.set_item("ci_high", col(|s| s.ci_high))?;
    dict.set_item("n", summaries.iter().map(|s| s.n).collect::<Vec<u64>>())?;
    Ok(())
}

/// The columns of `timeseries.csv` for one run (without the constant `scenario` column), in
/// its row order: metric by metric, step by step.
fn timeseries_columns<'py>(py: Python<'py>, result: &RunResult) -> PyResult<Bound<'py, PyDict>> {
    let series = result.timeseries();
    let mut steps = Vec::new();
    let mut metrics = Vec::new();
    let mut summaries = Vec::new();
    for metric in Metric::ALL {
        for (step, row) in series.iter().enumerate() {
            steps.push(step as u64);
            metrics.push(metric.name());
            summaries.push(row[metric.index()]);
        }
    }
    let dict = PyDict::new(py);
    dict.set_item("step", steps)?;
    dict.set_item("metric", metrics)?;
    set_summaries(&dict, &summaries)?;
    Ok(dict)
}

/// The columns of `replicates.csv` for one run (without `scenario`): replicate, step and
/// one column per metric.
fn replicate_columns<'py>(py: Python<'py>, result: &RunResult) -> PyResult<Bound<'py, PyDict>> {
    let dict = PyDict::new(py);
    let rows = || {
        result
            .replicates
            .iter()
            .enumerate()
            .flat_map(|(r, steps)| steps.iter().enumerate().map(move |(t, m)| (r, t, m)))
    };
    dict.set_item(
        "replicate",
        rows().map(|(r, _, _)| r as u64).collect::<Vec<_>>(),
    )?;
    dict.set_item("step", rows().map(|(_, t, _)| t as u64).collect::<Vec<_>>())?;
    for metric in Metric::ALL {
        let values: Vec<f64> = rows().map(|(_, _, m)| m[metric.index()]).collect();
        dict.set_item(metric.name(), values)?;
    }
    Ok(dict)
}

/// `cadre-sim scenarios` as columns: name, description, the parameters that differ from the
/// nominal regime, and the steps of the policy events.
#[pyfunction]
fn scenarios(py: Python<'_>) -> PyResult<Bound<'_, PyDict>> {
    let mut names = Vec::new();
    let mut descriptions = Vec::new();
    let differs = PyList::empty(py);
    let mut events = Vec::new();
    for name in builtin::names() {
        let s = Scenario::load(name).map_err(|e| input_error(py, &e))?;
        names.push(name);
        descriptions.push(s.description.clone());
        let d = PyDict::new(py);
        for (spec, value) in s.differences_from_nominal() {
            d.set_item(spec.key(), value)?;
        }
        differs.append(d)?;
        events.push(s.events.iter().map(|e| e.at).collect::<Vec<u32>>());
    }
    let dict = PyDict::new(py);
    dict.set_item("name", names)?;
    dict.set_item("description", descriptions)?;
    dict.set_item("differs_from_nominal", differs)?;
    dict.set_item("event_steps", events)?;
    Ok(dict)
}

/// `cadre-sim params` as columns: key, section, name, default, allowed, integer, concept,
/// meaning.
#[pyfunction]
fn params(py: Python<'_>) -> PyResult<Bound<'_, PyDict>> {
    let specs: Vec<_> = all_specs().collect();
    let dict = PyDict::new(py);
    dict.set_item("key", specs.iter().map(|s| s.key()).collect::<Vec<_>>())?;
    dict.set_item(
        "section",
        specs.iter().map(|s| s.section.name()).collect::<Vec<_>>(),
    )?;
    dict.set_item("name", specs.iter().map(|s| s.name).collect::<Vec<_>>())?;
    dict.set_item(
        "default",
        specs.iter().map(|s| s.default).collect::<Vec<_>>(),
    )?;
    dict.set_item(
        "allowed",
        specs
            .iter()
            .map(|s| s.range.to_string())
            .collect::<Vec<_>>(),
    )?;
    dict.set_item(
        "integer",
        specs
            .iter()
            .map(|s| s.range.is_integer())
            .collect::<Vec<_>>(),
    )?;
    dict.set_item(
        "concept",
        specs.iter().map(|s| s.concept).collect::<Vec<_>>(),
    )?;
    dict.set_item(
        "meaning",
        specs.iter().map(|s| s.meaning).collect::<Vec<_>>(),
    )?;
    Ok(dict)
}

/// A finished run, held in Rust: its tables are computed when asked for (the statistics
/// of every step cost more than a small simulation, and a calibration loop reads one row).
#[pyclass(frozen, module = "cadre_sim._core")]
struct Run {
    result: RunResult,
    window: u32,
}

#[pymethods]
impl Run {
    #[getter]
    fn name(&self) -> &str {
        &self.result.scenario.name
    }

    #[getter]
    fn window(&self) -> u32 {
        self.window
    }

    #[getter]
    fn seconds(&self) -> f64 {
        self.result.timing.seconds
    }

    #[getter]
    fn threads(&self) -> usize {
        self.result.timing.threads
    }

    /// The columns of `timeseries.csv` (without `scenario`).
    fn timeseries<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyDict>> {
        timeseries_columns(py, &self.result)
    }

    /// The final-window table: metric and its summary columns (summary.json's final_window).
    fn final_window<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyDict>> {
        let finals = self.result.final_window(self.window);
        let dict = PyDict::new(py);
        dict.set_item(
            "metric",
            Metric::ALL.iter().map(|m| m.name()).collect::<Vec<_>>(),
        )?;
        set_summaries(&dict, &finals)?;
        Ok(dict)
    }

    /// The text of `summary.json`.
    fn summary_json(&self) -> String {
        String::from_utf8(data::summary_json(&self.result, self.window)).expect("JSON is UTF-8")
    }

    /// The columns of `replicates.csv` (without `scenario`).
    fn replicates<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyDict>> {
        replicate_columns(py, &self.result)
    }
}

/// One run: `cadre-sim run` without writing files.
#[pyfunction]
#[pyo3(signature = (scenario, set=Vec::new(), replicates=None, steps=None, seed=None, threads=None, window=None, progress=None))]
#[allow(clippy::too_many_arguments)]
fn run<'py>(
    py: Python<'py>,
    scenario: &Bound<'py, PyAny>,
    set: Vec<String>,
    replicates: Option<i64>,
    steps: Option<i64>,
    seed: Option<i64>,
    threads: Option<i64>,
    window: Option<i64>,
    progress: Option<Py<PyAny>>,
) -> PyResult<Run> {
    let request = RunRequest {
        scenario: scenario_source(py, scenario)?,
        overrides: overrides(py, set, replicates, steps, seed)?,
        window: None,
    };
    let (scenario, _) = request.resolve().map_err(|e| input_error(py, &e))?;
    let window = self::window(py, window, scenario.run.steps)?;
    let threads = self::threads(py, threads)?;
    let stop = AtomicBool::new(false);
    let counter = AtomicU64::new(0);
    let tick = || {
        counter.fetch_add(1, Ordering::Relaxed);
    };
    let control = Control {
        threads,
        progress: Some(&tick),
        stop: Some(&stop),
    };
    let progress = Progress {
        callback: progress,
        counter: &counter,
        total: scenario.run.replicates as u64,
    };
    let result = interruptible(
        py,
        &stop,
        agent_steps(&[&scenario]),
        Some(&progress),
        || api::run::run(&scenario, &control),
    )?
    .ok_or_else(|| PyKeyboardInterrupt::new_err("interrupted"))?;
    Ok(Run { result, window })
}

/// A staggered rollout: `cadre-sim experiment` without files. Returns the texts of
/// `panel.csv`, `truth.csv`, `estimates.csv` and `estimates_summary.csv`, the very bytes the
/// command writes.
#[pyfunction]
#[pyo3(signature = (scenario, set=Vec::new(), replicates=None, steps=None, seed=None, threads=None, outcome=String::from("initiative"), control=String::from("nevertreated"), leads=6, lags=12, bootstrap=199, progress=None))]
#[allow(clippy::too_many_arguments)]
fn experiment<'py>(
    py: Python<'py>,
    scenario: &Bound<'py, PyAny>,
    set: Vec<String>,
    replicates: Option<i64>,
    steps: Option<i64>,
    seed: Option<i64>,
    threads: Option<i64>,
    outcome: String,
    control: String,
    leads: u32,
    lags: u32,
    bootstrap: u32,
    progress: Option<Py<PyAny>>,
) -> PyResult<Bound<'py, PyDict>> {
    use cadre_sim::output::experiment as files;
    let request = ExperimentRequest {
        scenario: scenario_source(py, scenario)?,
        overrides: overrides(py, set, replicates, steps, seed)?,
        outcome,
        control,
        leads,
        lags,
        bootstrap,
    };
    let (scenario, options) = request.resolve().map_err(|e| input_error(py, &e))?;
    let threads = self::threads(py, threads)?;
    let stop = AtomicBool::new(false);
    let counter = AtomicU64::new(0);
    let tick = || {
        counter.fetch_add(1, Ordering::Relaxed);
    };
    let control = Control {
        threads,
        progress: Some(&tick),
        stop: Some(&stop),
    };
    let progress = Progress {
        callback: progress,
        counter: &counter,
        total: scenario.run.replicates as u64,
    };
    // Both worlds are simulated.
    let work = 2 * agent_steps(&[&scenario]);
    let (done, _) = interruptible(py, &stop, work, Some(&progress), || {
        api::experiment::experiment(&scenario, &options, &control)
    })?
    .ok_or_else(|| PyKeyboardInterrupt::new_err("interrupted"))?;
    let assessment = done.assess();
    let text = |bytes: Vec<u8>| String::from_utf8(bytes).expect("CSV is UTF-8");
    let dict = PyDict::new(py);
    dict.set_item("panel", text(files::panel_csv(&done)))?;
    dict.set_item(
        "truth",
        text(files::truth_csv(options.outcome, &assessment)),
    )?;
    dict.set_item("estimates", text(files::estimates_csv(&done)))?;
    dict.set_item(
        "summary",
        text(files::estimates_summary_csv(options.outcome, &assessment)),
    )?;
    Ok(dict)
}

/// Several scenarios with common random numbers: `cadre-sim compare` without files. Returns
/// the columns of `comparison.csv` and of `timeseries.csv`, the window and the replicates.
#[pyfunction]
#[pyo3(signature = (scenarios, set=Vec::new(), replicates=None, steps=None, seed=None, threads=None, window=None, progress=None))]
#[allow(clippy::too_many_arguments)]
fn compare<'py>(
    py: Python<'py>,
    scenarios: Vec<Bound<'py, PyAny>>,
    set: Vec<String>,
    replicates: Option<i64>,
    steps: Option<i64>,
    seed: Option<i64>,
    threads: Option<i64>,
    window: Option<i64>,
    progress: Option<Py<PyAny>>,
) -> PyResult<Bound<'py, PyDict>> {
    let mut request = CompareRequest {
        scenarios: scenarios
            .iter()
            .map(|s| scenario_source(py, s))
            .collect::<PyResult<_>>()?,
        overrides: overrides(py, set, replicates, steps, seed)?,
        window: None,
    };
    // A window that does not fit a u32 is refused with the run's steps, after the
    // scenarios' own problems, as the command line orders them.
    let fits = window.map(u32::try_from).transpose();
    if let Ok(w) = fits {
        request.window = w;
    }
    let (loaded, default_window) = request.resolve().map_err(|e| input_error(py, &e))?;
    let window = match fits {
        Ok(_) => request.window.unwrap_or(default_window),
        Err(_) => self::window(py, window, loaded[0].run.steps)?,
    };
    let threads = self::threads(py, threads)?;
    let stop = AtomicBool::new(false);
    let counter = AtomicU64::new(0);
    let tick = || {
        counter.fetch_add(1, Ordering::Relaxed);
    };
    let control = Control {
        threads,
        progress: Some(&tick),
        stop: Some(&stop),
    };
    let all: Vec<&Scenario> = loaded.iter().collect();
    let progress = Progress {
        callback: progress,
        counter: &counter,
        total: loaded.iter().map(|s| s.run.replicates as u64).sum(),
    };
    let (results, comparison) =
        interruptible(py, &stop, agent_steps(&all), Some(&progress), || {
            api::run::compare(&loaded, window, &control)
        })?
        .ok_or_else(|| PyKeyboardInterrupt::new_err("interrupted"))?;
    let rows = comparison.rows();
    let dict = PyDict::new(py);
    let text = |f: fn(&cadre_sim::compare::ComparisonRow) -> String| {
        rows.iter().map(f).collect::<Vec<_>>()
    };
    let num =
        |f: fn(&cadre_sim::compare::ComparisonRow) -> f64| rows.iter().map(f).collect::<Vec<_>>();
    dict.set_item("scenario", text(|r| r.scenario.clone()))?;
    dict.set_item("metric", text(|r| r.metric.name().to_string()))?;
    dict.set_item("mean", num(|r| r.mean))?;
    dict.set_item("ci_low", num(|r| r.ci_low))?;
    dict.set_item("ci_high", num(|r| r.ci_high))?;
    dict.set_item("n", rows.iter().map(|r| r.n).collect::<Vec<_>>())?;
    dict.set_item("baseline", text(|r| r.baseline.clone()))?;
    dict.set_item("difference", num(|r| r.difference))?;
    dict.set_item("difference_ci_low", num(|r| r.difference_ci_low))?;
    dict.set_item("difference_ci_high", num(|r| r.difference_ci_high))?;
    dict.set_item("pairs", rows.iter().map(|r| r.pairs).collect::<Vec<_>>())?;
    dict.set_item("ratio", num(|r| r.ratio))?;
    let out = PyDict::new(py);
    out.set_item("table", dict)?;
    // timeseries.csv: every scenario's, one after the other.
    let series = PyDict::new(py);
    let mut names = Vec::new();
    let mut parts = Vec::new();
    for result in &results {
        let cols = timeseries_columns(py, result)?;
        let len = cols.get_item("step")?.map_or(0, |c| c.len().unwrap_or(0));
        names.extend(std::iter::repeat_n(result.scenario.name.clone(), len));
        parts.push(cols);
    }
    series.set_item("scenario", names)?;
    for key in ["step", "metric", "mean", "sd", "ci_low", "ci_high", "n"] {
        let joined = PyList::empty(py);
        for part in &parts {
            if let Some(col) = part.get_item(key)? {
                for item in col.try_iter()? {
                    joined.append(item?)?;
                }
            }
        }
        series.set_item(key, joined)?;
    }
    out.set_item("timeseries", series)?;
    out.set_item("window", comparison.window)?;
    out.set_item("replicates", comparison.replicates)?;
    Ok(out)
}

/// The summary columns of `results.csv`, from every point's summaries.
fn results_columns<'py>(
    py: Python<'py>,
    summaries: &[[Summary; cadre_sim::model::N_METRICS]],
) -> PyResult<Bound<'py, PyDict>> {
    let mut points = Vec::new();
    let mut metrics = Vec::new();
    let mut flat = Vec::new();
    for (point, per_metric) in summaries.iter().enumerate() {
        for (metric, s) in Metric::ALL.iter().zip(per_metric) {
            points.push(point as u64);
            metrics.push(metric.name());
            flat.push(*s);
        }
    }
    let dict = PyDict::new(py);
    dict.set_item("point", points)?;
    dict.set_item("metric", metrics)?;
    set_summaries(&dict, &flat)?;
    Ok(dict)
}

/// The columns of `runs.csv`: point, replicate, every varied parameter, every metric's
/// final-window mean (NaN where the file has an empty field).
fn runs_columns<'py>(
    py: Python<'py>,
    design: &Design,
    finals: &[PointValues],
) -> PyResult<Bound<'py, PyDict>> {
    let rows = || {
        finals
            .iter()
            .enumerate()
            .flat_map(|(p, reps)| reps.iter().enumerate().map(move |(r, m)| (p, r, m)))
    };
    let dict = PyDict::new(py);
    dict.set_item("point", rows().map(|x| x.0 as u64).collect::<Vec<_>>())?;
    dict.set_item("replicate", rows().map(|x| x.1 as u64).collect::<Vec<_>>())?;
    for (j, &factor) in design.params.iter().enumerate() {
        let values = rows().map(|x| design.points[x.0][j]);
        dict.set_item(factor.key(), design_column(py, factor, values)?)?;
    }
    for metric in Metric::ALL {
        let values: Vec<f64> = rows().map(|x| x.2[metric.index()]).collect();
        dict.set_item(metric.name(), values)?;
    }
    Ok(dict)
}

/// One design column: numbers, or for a choice (`places.publish_scope`) its names, as
/// points.csv writes them.
fn design_column<'py>(
    py: Python<'py>,
    factor: Factor,
    values: impl Iterator<Item = f64>,
) -> PyResult<Bound<'py, PyAny>> {
    Ok(match factor.choices() {
        Some(_) => values
            .map(|v| factor.format(v))
            .collect::<Vec<_>>()
            .into_pyobject(py)?
            .into_any(),
        None => values.collect::<Vec<_>>().into_pyobject(py)?.into_any(),
    })
}

/// A design's points by factor key.
fn design_points<'py>(py: Python<'py>, design: &Design) -> PyResult<Bound<'py, PyDict>> {
    let points = PyDict::new(py);
    for (i, &factor) in design.params.iter().enumerate() {
        let values = design.points.iter().map(|p| p[i]);
        points.set_item(factor.key(), design_column(py, factor, values)?)?;
    }
    Ok(points)
}

/// How a sweep's plan runs, from the keyword arguments.
struct SweepRun {
    threads: Option<usize>,
    raw: bool,
    out: Option<PathBuf>,
    force: bool,
    plots: cadre_sim::plot::PlotOptions,
    progress: Option<Py<PyAny>>,
}

/// Runs a plan: in memory, or (with `out`) into its folder exactly as `cadre-sim sweep
/// --quiet --out OUT` does. Returns name, params, points (design values by parameter),
/// results columns, runs columns (or runs_csv, the folder's runs.csv), raw columns (in
/// memory with raw) or raw_csv (the folder's raw.csv), window, replicates and out.
fn run_plan<'py>(py: Python<'py>, plan: &SweepPlan, how: SweepRun) -> PyResult<Bound<'py, PyDict>> {
    let design = plan.design().clone();
    let dict = PyDict::new(py);
    dict.set_item("name", &plan.name)?;
    dict.set_item("window", plan.resolved().window)?;
    dict.set_item("replicates", plan.resolved().replicates)?;
    dict.set_item(
        "params",
        design.params.iter().map(|p| p.key()).collect::<Vec<_>>(),
    )?;
    dict.set_item("points", design_points(py, &design)?)?;
    let stop = static_flag();
    let counter = static_counter();
    let progress = Progress {
        callback: how.progress,
        counter,
        total: design.len() as u64 * plan.resolved().replicates as u64,
    };

    let summaries: Vec<_> = match &how.out {
        None => {
            let control = Control {
                threads: how.threads,
                progress: None,
                stop: Some(stop),
            };
            // A sweep always runs on the helper thread: it is rarely small.
            let computed = interruptible(py, stop, u64::MAX, Some(&progress), || {
                api::sweep::in_memory(plan, how.raw, &control, Some(counter))
            })?
            .map_err(|e| library_error(py, e))?
            .ok_or_else(|| PyKeyboardInterrupt::new_err("interrupted"))?;
            if how.raw {
                let cols = PyDict::new(py);
                let rows = || {
                    computed.raw.iter().enumerate().flat_map(|(p, reps)| {
                        reps.iter().enumerate().flat_map(move |(r, steps)| {
                            steps.iter().enumerate().map(move |(t, m)| (p, r, t, m))
                        })
                    })
                };
                cols.set_item("point", rows().map(|x| x.0 as u64).collect::<Vec<_>>())?;
                cols.set_item("replicate", rows().map(|x| x.1 as u64).collect::<Vec<_>>())?;
                cols.set_item("step", rows().map(|x| x.2 as u64).collect::<Vec<_>>())?;
                for metric in Metric::ALL {
                    let values: Vec<f64> = rows().map(|x| x.3[metric.index()]).collect();
                    cols.set_item(metric.name(), values)?;
                }
                dict.set_item("raw", cols)?;
            }
            dict.set_item("runs", runs_columns(py, &design, &computed.finals)?)?;
            computed
                .finals
                .iter()
                .map(|v| stats::summaries(v))
                .collect()
        }
        Some(out) => {
            let options = SweepOptions {
                threads: how.threads,
                raw: how.raw,
                force: how.force,
                quiet: true,
                shard: None,
                producer: Producer::Sweep,
                stop: Some(stop),
                counter: Some(counter),
            };
            let folder = interruptible(py, stop, u64::MAX, Some(&progress), || {
                api::sweep::into_folder(plan, out, &options, &how.plots)
            })?
            .map_err(|e| library_error(py, e))?;
            let store = &folder.outcome.store;
            dict.set_item("out", store.path())?;
            if plan.experiment().is_some() {
                // Each point's result is its experiment's summary: results.csv is the table.
                dict.set_item("experiment_results_csv", store.path().join(RESULTS_CSV))?;
                return Ok(dict);
            }
            if folder.outcome.assembled.is_some_and(|a| a.raw) {
                dict.set_item("raw_csv", store.path().join(RAW_CSV))?;
            }
            dict.set_item("runs_csv", store.path().join(RUNS_CSV))?;
            SweepResults::of(store)
                .map_err(|e| library_error(py, e))?
                .summaries
        }
    };
    dict.set_item("results", results_columns(py, &summaries)?)?;
    Ok(dict)
}

/// A sweep file (path) or dict: `cadre-sim sweep`, in memory or into `out`.
#[pyfunction]
#[pyo3(signature = (sweep, steps=None, replicates=None, threads=None, raw=false, out=None, force=false, format=Some(String::from("png")), lang=String::from("en"), progress=None))]
#[allow(clippy::too_many_arguments)]
fn sweep<'py>(
    py: Python<'py>,
    sweep: &Bound<'py, PyAny>,
    steps: Option<i64>,
    replicates: Option<i64>,
    threads: Option<i64>,
    raw: bool,
    out: Option<PathBuf>,
    force: bool,
    format: Option<String>,
    lang: String,
    progress: Option<Py<PyAny>>,
) -> PyResult<Bound<'py, PyDict>> {
    let overrides = file::RunOverrides {
        steps: count(py, "--steps", steps)?,
        replicates: count(py, "--replicates", replicates)?,
    };
    let source = match file_or_dict(py, sweep)? {
        Ok(path) => SweepSource::File(path),
        Err(text) => SweepSource::Text {
            origin: IN_MEMORY.into(),
            text,
        },
    };
    let plan = SweepRequest { source, overrides }
        .resolve()
        .map_err(|e| input_error(py, &e))?;
    let how = SweepRun {
        threads: self::threads(py, threads)?,
        raw,
        out,
        force,
        plots: plot_options(py, format, lang)?,
        progress,
    };
    run_plan(py, &plan, how)
}

/// The number a design gives `key` for `value`: a choice's index for its name
/// (`places.publish_scope` = "place" is 1), checked as a sweep file's value is.
#[pyfunction]
fn design_value(key: &str, value: &str) -> PyResult<f64> {
    Factor::of(key)
        .and_then(|f| f.parse(value))
        .map_err(PyValueError::new_err)
}

/// Any design given as its points (or a grid of axes): the base scenario with its
/// overrides, the columns' keys and the rows of values; run as a sweep.
#[pyfunction]
#[pyo3(signature = (base, params, points, grid=false, name=String::from("points"), set=Vec::new(), replicates=None, steps=None, seed=None, window=None, threads=None, raw=false, out=None, force=false, format=Some(String::from("png")), lang=String::from("en"), progress=None))]
#[allow(clippy::too_many_arguments)]
fn sweep_points<'py>(
    py: Python<'py>,
    base: &Bound<'py, PyAny>,
    params: Vec<String>,
    points: Vec<Vec<f64>>,
    grid: bool,
    name: String,
    set: Vec<String>,
    replicates: Option<i64>,
    steps: Option<i64>,
    seed: Option<i64>,
    window: Option<i64>,
    threads: Option<i64>,
    raw: bool,
    out: Option<PathBuf>,
    force: bool,
    format: Option<String>,
    lang: String,
    progress: Option<Py<PyAny>>,
) -> PyResult<Bound<'py, PyDict>> {
    let request = PointsRequest {
        name,
        base: scenario_source(py, base)?,
        overrides: overrides(py, set, replicates, steps, seed)?,
        window: None,
        params,
        points,
        grid,
    };
    // The window is checked against the base's steps.
    let base_steps = request
        .overrides
        .load(&request.base)
        .map_err(|e| input_error(py, &e))?
        .run
        .steps;
    let request = PointsRequest {
        window: Some(self::window(py, window, base_steps)?),
        ..request
    };
    let plan = request.resolve().map_err(|e| input_error(py, &e))?;
    let how = SweepRun {
        threads: self::threads(py, threads)?,
        raw,
        out,
        force,
        plots: plot_options(py, format, lang)?,
        progress,
    };
    run_plan(py, &plan, how)
}

/// `cadre-sim did` without files: the panel (a CSV file's path, or CSV text) and the
/// columns; `options` are (name, value) pairs of the command's flags. Returns the text of
/// `estimates.csv`, and the panel's places, periods and cohorts.
#[pyfunction]
#[pyo3(signature = (panel, is_text, place, time, cohort, outcome, options=Vec::new()))]
#[allow(clippy::too_many_arguments)]
fn did<'py>(
    py: Python<'py>,
    panel: String,
    is_text: bool,
    place: String,
    time: String,
    cohort: String,
    outcome: String,
    options: Vec<(String, String)>,
) -> PyResult<Bound<'py, PyDict>> {
    let mut opts = cadre_sim::did::Options::default();
    let mut panel_request = cadre_sim::did::file::PanelRequest::default();
    for (key, value) in &options {
        api::did::set_option(&mut opts, &mut panel_request, key, value)
            .map_err(|e| input_error(py, &e))?;
    }
    let request = DidRequest {
        panel: if is_text {
            PanelSource::Text {
                origin: "<DataFrame>".into(),
                text: panel,
            }
        } else {
            PanelSource::File(PathBuf::from(panel))
        },
        columns: cadre_sim::did::file::Columns {
            place,
            time,
            cohort,
            outcome,
        },
        options: opts,
        panel_request: panel_request,
    };
    let done = py
        .detach(|| api::did::estimate(&request))
        .map_err(|e| input_error(py, &e))?;
    let panel = &done.panel.panel;
    let times = panel.times();
    let dict = PyDict::new(py);
    dict.set_item(
        "estimates",
        String::from_utf8(cadre_sim::did::file::estimates_csv(&done.estimates))
            .expect("CSV is UTF-8"),
    )?;
    dict.set_item("places", panel.n_places())?;
    dict.set_item("periods", (times[0], times[times.len() - 1]))?;
    dict.set_item("cohorts", panel.cohort_sizes().len())?;
    let notes: Vec<String> = done
        .notes
        .iter()
        .cloned()
        .chain(done.skipped.iter().map(|e| e.to_string()))
        .collect();
    dict.set_item("notes", notes)?;
    Ok(dict)
}

/// `cadre-sim calibrate`: in memory, or into `out` exactly as the command. Returns the
/// tables' texts by file name, why it stopped, the reading, the generations and out.
#[pyfunction]
#[pyo3(signature = (calibration, steps=None, replicates=None, particles=None, generations=None, threads=None, out=None, force=false, format=Some(String::from("png")), lang=String::from("en"), progress=None))]
#[allow(clippy::too_many_arguments)]
fn calibrate<'py>(
    py: Python<'py>,
    calibration: &Bound<'py, PyAny>,
    steps: Option<i64>,
    replicates: Option<i64>,
    particles: Option<i64>,
    generations: Option<i64>,
    threads: Option<i64>,
    out: Option<PathBuf>,
    force: bool,
    format: Option<String>,
    lang: String,
    progress: Option<Py<PyAny>>,
) -> PyResult<Bound<'py, PyDict>> {
    let source = match file_or_dict(py, calibration)? {
        Ok(path) => CalibrationSource::File(path),
        Err(text) => CalibrationSource::Text {
            origin: IN_MEMORY.into(),
            text,
        },
    };
    let request = CalibrateRequest {
        source,
        overrides: cadre_sim::calibrate::file::Overrides {
            run: file::RunOverrides {
                steps: count(py, "--steps", steps)?,
                replicates: count(py, "--replicates", replicates)?,
            },
            particles: count(py, "--particles", particles)?,
            generations: count(py, "--generations", generations)?,
        },
    };
    let plan = request.resolve().map_err(|e| input_error(py, &e))?;
    let plots = plot_options(py, format, lang)?;
    let stop = AtomicBool::new(false);
    let counter = AtomicU64::new(0);
    let control = Control {
        threads: self::threads(py, threads)?,
        progress: None,
        stop: Some(&stop),
    };
    let generation = |_: &cadre_sim::calibrate::smc::Generation| {
        counter.fetch_add(1, Ordering::Relaxed);
    };
    let hooks = Hooks {
        generation: &generation,
        ..Hooks::QUIET
    };
    let folder = out.as_deref().map(|out| api::calibrate::Folder {
        out,
        force,
        plots: &plots,
    });
    let progress = Progress {
        callback: progress,
        counter: &counter,
        total: plan.settings.max_generations as u64,
    };
    let done = interruptible(py, &stop, u64::MAX, Some(&progress), || {
        api::calibrate::calibrate(&plan, folder.as_ref(), &control, &hooks)
    })?
    .map_err(|e| library_error(py, e))?
    .ok_or_else(|| PyRuntimeError::new_err(api::calibrate::NO_POSTERIOR))?;
    let dict = PyDict::new(py);
    let tables = PyDict::new(py);
    for (name, bytes) in &done.tables {
        tables.set_item(
            name.trim_end_matches(".csv"),
            String::from_utf8_lossy(bytes).into_owned(),
        )?;
    }
    dict.set_item("tables", tables)?;
    dict.set_item("name", &plan.name)?;
    dict.set_item("stop", done.stop.name())?;
    dict.set_item("reading", done.reading.clone())?;
    dict.set_item("generations", done.generations.len())?;
    dict.set_item("simulations", done.simulations)?;
    dict.set_item("out", done.dir.clone())?;
    Ok(dict)
}

/// `cadre-sim sensitivity`: in memory, or into `out` exactly as the command. Returns the
/// text of `indices.csv`, the sweep's points and results columns, and out.
#[pyfunction]
#[pyo3(signature = (analysis, steps=None, replicates=None, threads=None, out=None, force=false, format=Some(String::from("png")), lang=String::from("en"), progress=None))]
#[allow(clippy::too_many_arguments)]
fn sensitivity<'py>(
    py: Python<'py>,
    analysis: &Bound<'py, PyAny>,
    steps: Option<i64>,
    replicates: Option<i64>,
    threads: Option<i64>,
    out: Option<PathBuf>,
    force: bool,
    format: Option<String>,
    lang: String,
    progress: Option<Py<PyAny>>,
) -> PyResult<Bound<'py, PyDict>> {
    let source = match file_or_dict(py, analysis)? {
        Ok(path) => SensitivitySource::File(path),
        Err(text) => SensitivitySource::Text {
            origin: IN_MEMORY.into(),
            text,
        },
    };
    let overrides = file::RunOverrides {
        steps: count(py, "--steps", steps)?,
        replicates: count(py, "--replicates", replicates)?,
    };
    let resolved = SensitivityRequest { source, overrides }
        .resolve()
        .map_err(|e| input_error(py, &e))?;
    let plots = plot_options(py, format, lang)?;
    let threads = self::threads(py, threads)?;
    let stop = static_flag();
    let counter = static_counter();
    let design = resolved.sweep.design();
    let progress = Progress {
        callback: progress,
        counter,
        total: design.len() as u64 * resolved.sweep.resolved().replicates as u64,
    };
    let dict = PyDict::new(py);
    let analysis = match &out {
        None => {
            let control = Control {
                threads,
                progress: None,
                stop: Some(stop),
            };
            interruptible(py, stop, u64::MAX, Some(&progress), || {
                api::sensitivity::analyse(&resolved, &control, Some(counter))
            })?
            .map_err(|e| library_error(py, e))?
            .ok_or_else(|| PyKeyboardInterrupt::new_err("interrupted"))?
        }
        Some(out) => {
            let options = SweepOptions {
                threads,
                raw: false,
                force,
                quiet: true,
                shard: None,
                producer: Producer::Sensitivity,
                stop: Some(stop),
                counter: Some(counter),
            };
            let done = interruptible(py, stop, u64::MAX, Some(&progress), || {
                api::sensitivity::into_folder(&resolved, out, &options, &plots)
            })?
            .map_err(|e| library_error(py, e))?;
            dict.set_item("out", done.outcome.store.path())?;
            done.analysis
                .expect("a sweep that is not sharded is assembled")
        }
    };
    dict.set_item("name", &resolved.plan.name)?;
    dict.set_item("method", resolved.plan.method.name())?;
    dict.set_item(
        "indices",
        String::from_utf8(analysis.indices_csv.clone()).expect("CSV is UTF-8"),
    )?;
    dict.set_item(
        "params",
        design.params.iter().map(|p| p.key()).collect::<Vec<_>>(),
    )?;
    dict.set_item("points", design_points(py, &design)?)?;
    dict.set_item("results", results_columns(py, &analysis.results.summaries)?)?;
    Ok(dict)
}

/// The metric names in output order (the columns of replicates.csv after the ids).
#[pyfunction]
fn metrics() -> Vec<&'static str> {
    Metric::ALL.iter().map(|m| m.name()).collect()
}

#[pymodule]
fn _core(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add("InputError", m.py().get_type::<InputError>())?;
    m.add("__version__", env!("CARGO_PKG_VERSION"))?;
    m.add_function(wrap_pyfunction!(scenarios, m)?)?;
    m.add_function(wrap_pyfunction!(params, m)?)?;
    m.add_class::<Run>()?;
    m.add_function(wrap_pyfunction!(run, m)?)?;
    m.add_function(wrap_pyfunction!(compare, m)?)?;
    m.add_function(wrap_pyfunction!(experiment, m)?)?;
    m.add_function(wrap_pyfunction!(sweep, m)?)?;
    m.add_function(wrap_pyfunction!(sweep_points, m)?)?;
    m.add_function(wrap_pyfunction!(design_value, m)?)?;
    m.add_function(wrap_pyfunction!(did, m)?)?;
    m.add_function(wrap_pyfunction!(calibrate, m)?)?;
    m.add_function(wrap_pyfunction!(sensitivity, m)?)?;
    m.add_function(wrap_pyfunction!(metrics, m)?)?;
    Ok(())
}
