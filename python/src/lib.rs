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

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc;
use std::time::Duration;

use pyo3::create_exception;
use pyo3::exceptions::{PyKeyboardInterrupt, PyOSError, PyRuntimeError, PyValueError};
use pyo3::prelude::*;
use pyo3::types::{PyBool, PyDict, PyFloat, PyInt, PyList, PyString, PyTuple};

use cadre_sim::cli::OverrideArgs;
use cadre_sim::cli::compare::{HEADLINE, SharedRunArgs};
use cadre_sim::cli::sweep::JobPlotArgs;
use cadre_sim::compare::Comparison;
use cadre_sim::error::{self, Error};
use cadre_sim::model::Metric;
use cadre_sim::model::params::{ParamId, all_specs};
use cadre_sim::output::{Producer, data};
use cadre_sim::run::{RunOptions, RunResult, Summary, final_window, run_scenario_until, stats};
use cadre_sim::scenario::{Scenario, builtin};
use cadre_sim::sweep as sweeps;
use cadre_sim::sweep::store::{RAW_CSV, is_plot_file};
use cadre_sim::sweep::{SweepOptions, SweepPlan, SweepResults, file};

create_exception!(
    cadre_sim,
    InputError,
    PyValueError,
    "Bad input (a scenario, a key, a value out of range, a file): the message is the one the \
     cadre-sim command line prints, naming the file, line, key, value and allowed range. \
     Attributes: `location` (where the first problem is) and `problems` (every problem as a \
     (location, message) pair)."
);

/// Where an in-memory scenario or sweep (a dict) is said to come from in messages.
const DICT_ORIGIN: &str = "<dict>";

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

/// The agent-steps of running `scenarios`.
fn agent_steps(scenarios: &[&Scenario]) -> u64 {
    scenarios
        .iter()
        .map(|s| s.population.cadres as u64 * s.run.steps as u64 * s.run.replicates as u64)
        .sum()
}

/// Runs `work` with the GIL released, on a helper thread, while this thread checks for
/// Ctrl-C. On a signal's exception, sets `stop`, waits for `work` to return (it skips what
/// has not started), and raises that exception. Work of at most [`SMALL_WORK`] agent-steps
/// runs on this thread (with the GIL released too).
fn interruptible<T: Send>(
    py: Python<'_>,
    stop: &AtomicBool,
    agent_steps: u64,
    work: impl FnOnce() -> T + Send,
) -> PyResult<T> {
    if agent_steps <= SMALL_WORK {
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
            loop {
                match done_rx.recv_timeout(Duration::from_millis(20)) {
                    Ok(()) | Err(mpsc::RecvTimeoutError::Disconnected) => break,
                    Err(mpsc::RecvTimeoutError::Timeout) if interrupted.is_none() => {
                        if let Err(e) = Python::attach(|py| py.check_signals()) {
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
        None => Ok(result),
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
    let table = dict_to_toml("", dict).map_err(|m| error::InputError::new(DICT_ORIGIN, m))?;
    toml::to_string(&table).map_err(|e| error::InputError::new(DICT_ORIGIN, e.to_string()))
}

/// A scenario argument: a built-in name or path (str), or a dict in the scenario-file shape.
fn load_scenario(
    py: Python<'_>,
    scenario: &Bound<'_, PyAny>,
    overrides: &OverrideArgs,
) -> PyResult<Scenario> {
    let loaded = if let Ok(d) = scenario.cast::<PyDict>() {
        dict_text(d).and_then(|text| Scenario::parse(DICT_ORIGIN, "scenario", &text))
    } else {
        let reference: String = scenario.extract()?;
        Scenario::load(&reference)
    };
    loaded
        .and_then(|s| overrides.apply(s))
        .map_err(|e| input_error(py, &e))
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

/// The run flags as the command line holds them; a negative value is refused with the
/// parameter's range, as `--set` would refuse it.
fn overrides(
    py: Python<'_>,
    set: Vec<String>,
    replicates: Option<i64>,
    steps: Option<i64>,
    seed: Option<i64>,
) -> PyResult<OverrideArgs> {
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
    Ok(OverrideArgs {
        set,
        replicates: unsigned("--replicates", ParamId::Replicates, replicates)?,
        steps: unsigned("--steps", ParamId::Steps, steps)?,
        seed: unsigned("--seed", ParamId::Seed, seed)?,
    })
}

/// `--window`: a count of final steps (checked against the run by `final_window`).
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
    final_window(w, steps).map_err(|e| input_error(py, &e))
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
#[pyo3(signature = (scenario, set=Vec::new(), replicates=None, steps=None, seed=None, threads=None, window=None))]
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
) -> PyResult<Run> {
    let overrides = overrides(py, set, replicates, steps, seed)?;
    let scenario = load_scenario(py, scenario, &overrides)?;
    let window = self::window(py, window, scenario.run.steps)?;
    let threads = self::threads(py, threads)?;
    let stop = AtomicBool::new(false);
    let options = RunOptions {
        threads,
        on_replicate_done: None,
    };
    let result = interruptible(py, &stop, agent_steps(&[&scenario]), || {
        run_scenario_until(&scenario, &options, Some(&stop))
    })?
    .ok_or_else(|| PyKeyboardInterrupt::new_err("interrupted"))?;
    Ok(Run { result, window })
}

/// A staggered rollout: `cadre-sim experiment` without files. Returns the texts of
/// `panel.csv`, `truth.csv`, `estimates.csv` and `estimates_summary.csv`, the very bytes the
/// command writes.
#[pyfunction]
#[pyo3(signature = (scenario, set=Vec::new(), replicates=None, steps=None, seed=None, threads=None, outcome=String::from("initiative"), control=String::from("nevertreated"), leads=6, lags=12, bootstrap=199))]
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
) -> PyResult<Bound<'py, PyDict>> {
    use cadre_sim::experiment::{self as experiments, ExperimentOptions};
    use cadre_sim::output::experiment as files;
    let overrides = overrides(py, set, replicates, steps, seed)?;
    let scenario = load_scenario(py, scenario, &overrides)?;
    experiments::check_scenario(&scenario).map_err(|e| input_error(py, &e))?;
    let options = ExperimentOptions::new(&outcome, &control, leads, lags, bootstrap)
        .map_err(|e| input_error(py, &e))?;
    let threads = self::threads(py, threads)?;
    let stop = AtomicBool::new(false);
    // Both worlds are simulated.
    let work = 2 * agent_steps(&[&scenario]);
    let done = interruptible(py, &stop, work, || {
        cadre_sim::run::in_pool(threads, || {
            experiments::run_until(&scenario, &options, None, Some(&stop))
        })
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
/// the columns of `comparison.csv`, the window and the replicates.
#[pyfunction]
#[pyo3(signature = (scenarios, set=Vec::new(), replicates=None, steps=None, seed=None, threads=None, window=None))]
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
) -> PyResult<Bound<'py, PyDict>> {
    let overrides = overrides(py, set, replicates, steps, seed)?;
    let loaded = if scenarios.is_empty() {
        HEADLINE
            .iter()
            .map(|n| load_scenario(py, &PyString::new(py, n).into_any(), &overrides))
            .collect::<PyResult<Vec<_>>>()?
    } else {
        scenarios
            .iter()
            .map(|s| load_scenario(py, s, &overrides))
            .collect::<PyResult<Vec<_>>>()?
    };
    // The window is checked against the first scenario's steps, as the command line does;
    // a window beyond the run is reported after the scenarios' own problems.
    let steps_for_window = loaded.first().map_or(0, |s| s.run.steps);
    let shared = SharedRunArgs {
        overrides,
        exec: cadre_sim::cli::ExecArgs {
            threads: None,
            window: None,
            force: false,
            quiet: true,
        },
    };
    let (loaded, _) = shared.check(loaded).map_err(|e| input_error(py, &e))?;
    let window = self::window(py, window, steps_for_window)?;
    let threads = self::threads(py, threads)?;
    let stop = AtomicBool::new(false);
    let options = RunOptions {
        threads,
        on_replicate_done: None,
    };
    let all: Vec<&Scenario> = loaded.iter().collect();
    let results: Option<Vec<RunResult>> = interruptible(py, &stop, agent_steps(&all), || {
        loaded
            .iter()
            .map(|s| run_scenario_until(s, &options, Some(&stop)))
            .collect()
    })?;
    let results = results.ok_or_else(|| PyKeyboardInterrupt::new_err("interrupted"))?;
    let comparison = Comparison::of(&results, window);
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
    out.set_item("window", comparison.window)?;
    out.set_item("replicates", comparison.replicates)?;
    Ok(out)
}

/// A sweep file (path) or dict as a plan, with `--steps` / `--replicates`.
fn load_sweep(
    py: Python<'_>,
    sweep: &Bound<'_, PyAny>,
    steps: Option<i64>,
    replicates: Option<i64>,
) -> PyResult<SweepPlan> {
    let count = |flag: &str, v: Option<i64>| -> PyResult<Option<u64>> {
        v.map(|v| {
            u64::try_from(v).map_err(|_| {
                input_error(
                    py,
                    &error::InputError::new(flag, format!("{flag} {v} must not be negative")),
                )
            })
        })
        .transpose()
    };
    let overrides = file::RunOverrides {
        steps: count("--steps", steps)?,
        replicates: count("--replicates", replicates)?,
    };
    let plan = if let Ok(d) = sweep.cast::<PyDict>() {
        dict_text(d).and_then(|text| file::parse(Path::new(DICT_ORIGIN), &text, &overrides))
    } else {
        let path: PathBuf = sweep.extract()?;
        file::load(&path, &overrides)
    };
    plan.map_err(|e| input_error(py, &e))
}

/// The summary columns of `results.csv`, from every point's replicate values.
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

/// A sweep: in memory, or (with `out`) into its folder exactly as `cadre-sim sweep --quiet
/// --out OUT` does, plots included. Returns name, params, points (design values by
/// parameter), results columns, raw columns (in memory with raw) or raw_csv (the folder's
/// raw.csv), window, replicates and out.
#[pyfunction]
#[pyo3(signature = (sweep, steps=None, replicates=None, threads=None, raw=false, out=None, force=false))]
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
) -> PyResult<Bound<'py, PyDict>> {
    let plan = load_sweep(py, sweep, steps, replicates)?;
    let threads = self::threads(py, threads)?;
    let design = plan.design().clone();
    let dict = PyDict::new(py);
    dict.set_item("name", &plan.name)?;
    dict.set_item("window", plan.resolved().window)?;
    dict.set_item("replicates", plan.resolved().replicates)?;
    dict.set_item(
        "params",
        design.params.iter().map(|p| p.key()).collect::<Vec<_>>(),
    )?;
    let points = PyDict::new(py);
    for (i, id) in design.params.iter().enumerate() {
        points.set_item(
            id.key(),
            design.points.iter().map(|p| p[i]).collect::<Vec<f64>>(),
        )?;
    }
    dict.set_item("points", points)?;

    let summaries: Vec<_> = match &out {
        None => {
            let stop = AtomicBool::new(false);
            // A sweep always runs on the helper thread: it is rarely small.
            let computed = interruptible(py, &stop, u64::MAX, || {
                sweeps::run_in_memory(&plan, threads, raw, Some(&stop))
            })?
            .map_err(|e| library_error(py, e))?
            .ok_or_else(|| PyKeyboardInterrupt::new_err("interrupted"))?;
            if raw {
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
            computed
                .finals
                .iter()
                .map(|v| stats::summaries(v))
                .collect()
        }
        Some(out) => {
            // The sweep machinery wants a flag that lives for the whole program; one small
            // flag per call with `out` is leaked, so that a second sweep (in another thread)
            // never sees this one's stop.
            let stop: &'static AtomicBool = Box::leak(Box::new(AtomicBool::new(false)));
            let plots = JobPlotArgs {
                format: "png".into(),
                lang: "en".into(),
                no_plots: false,
            }
            .resolve()
            .map_err(|e| input_error(py, &e))?;
            let options = SweepOptions {
                threads,
                raw,
                force,
                quiet: true,
                shard: None,
                producer: Producer::Sweep,
                stop: Some(stop),
            };
            let outcome = interruptible(py, stop, u64::MAX, || {
                sweeps::run_with(&plan, out, &options, &|store| {
                    cadre_sim::plot::sweep_plots::write(store, &plots).map(drop)
                })
            })?
            .map_err(|e| library_error(py, e))?;
            // As the command line: plots of an earlier run in another format, and a raw.csv
            // this run did not assemble, no longer match the folder's results.
            outcome
                .store
                .dir()
                .finish(|name| !is_plot_file(name) && name != RAW_CSV)
                .map_err(|e| PyOSError::new_err(format!("cleaning {}: {e}", out.display())))?;
            if outcome.assembled.is_some_and(|a| a.raw) {
                dict.set_item("raw_csv", outcome.store.path().join(RAW_CSV))?;
            }
            dict.set_item("out", outcome.store.path())?;
            SweepResults::of(&outcome.store)
                .map_err(|e| library_error(py, e))?
                .summaries
        }
    };
    dict.set_item("results", results_columns(py, &summaries)?)?;
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
    m.add_function(wrap_pyfunction!(metrics, m)?)?;
    Ok(())
}
