//! Running a scenario: replicates in parallel with rayon, and their summaries.
//!
//! Replicate r always uses the generator of `(seed, r)` and results are collected in
//! replicate order, so output does not depend on the thread count. Scenarios run with the
//! same seed share replicate seeds: common random numbers for comparisons.

pub mod stats;

use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Instant;

use rayon::prelude::*;
use serde::Serialize;

use crate::model::{self, Metric, N_METRICS, StepMetrics, rng};
use crate::scenario::Scenario;
pub use stats::Summary;

/// Final steps averaged by default: the last ten, or every step of a shorter run.
pub const DEFAULT_WINDOW: u32 = 10;

/// The final window of a run of `steps` steps: `window` if given (it must lie in
/// [1, steps]), else [`DEFAULT_WINDOW`] or all steps if fewer.
pub fn final_window(window: Option<u32>, steps: u32) -> Result<u32, crate::error::InputError> {
    match window {
        None => Ok(DEFAULT_WINDOW.min(steps)),
        Some(w) if w >= 1 && w <= steps => Ok(w),
        Some(w) => Err(crate::error::InputError::new(
            "--window",
            format!("--window {w} must be in [1, {steps}] (the run's steps)"),
        )),
    }
}

/// How to run: thread count (None = all cores) and a callback after each replicate.
#[derive(Default)]
pub struct RunOptions<'a> {
    pub threads: Option<usize>,
    pub on_replicate_done: Option<&'a (dyn Fn() + Sync)>,
}

/// Wall time and throughput of a run: the only fields that differ between equal runs.
#[derive(Debug, Clone, Serialize)]
pub struct Timing {
    pub seconds: f64,
    pub agent_steps: u64,
    pub agent_steps_per_second: f64,
    pub threads: usize,
}

impl Timing {
    /// The timing of `agent_steps` agent-steps on `threads` threads that began at `start`
    /// and end now. (Throughput of a run too fast to time is taken over a nanosecond.)
    pub fn since(start: Instant, agent_steps: u64, threads: usize) -> Timing {
        let seconds = start.elapsed().as_secs_f64();
        Timing {
            seconds,
            agent_steps,
            agent_steps_per_second: agent_steps as f64 / seconds.max(1e-9),
            threads,
        }
    }
}

/// The raw result of a run: every metric of every step of every replicate.
#[derive(Debug, Clone)]
pub struct RunResult {
    pub scenario: Scenario,
    pub replicate_seeds: Vec<u64>,
    /// `replicates[r][t]`: metrics of step t of replicate r.
    pub replicates: Vec<Vec<StepMetrics>>,
    pub timing: Timing,
}

/// Runs every replicate of `scenario`.
pub fn run_scenario(scenario: &Scenario, options: &RunOptions) -> RunResult {
    run_scenario_until(scenario, options, None).expect("without a stop flag every replicate runs")
}

/// [`run_scenario`] that can be stopped: once `stop` is set, replicates not yet started are
/// skipped and the run returns None (a caller that waits on another thread, such as the
/// Python package watching for Ctrl-C, sets it).
pub fn run_scenario_until(
    scenario: &Scenario,
    options: &RunOptions,
    stop: Option<&AtomicBool>,
) -> Option<RunResult> {
    let stopped = || stop.is_some_and(|s| s.load(Ordering::Relaxed));
    let spec = scenario.model_spec();
    let run = &scenario.run;
    let simulate = |r: u64| {
        if stopped() {
            return Vec::new();
        }
        let metrics = model::simulate(&spec, run.steps, run.seed, r);
        if let Some(done) = options.on_replicate_done {
            done();
        }
        metrics
    };
    let start = Instant::now();
    let (replicates, threads) = in_pool(options.threads, || {
        let reps: Vec<_> = (0..run.replicates as u64)
            .into_par_iter()
            .map(simulate)
            .collect();
        (reps, rayon::current_num_threads())
    });
    if stopped() {
        return None;
    }
    let agent_steps = scenario.population.cadres as u64 * run.steps as u64 * run.replicates as u64;
    let timing = Timing::since(start, agent_steps, threads);
    Some(RunResult {
        scenario: scenario.clone(),
        replicate_seeds: (0..run.replicates as u64)
            .map(|r| rng::replicate_seed(run.seed, r))
            .collect(),
        replicates,
        timing,
    })
}

/// Runs `work` on a pool of `threads` threads, or on this process's pool of all cores.
///
/// The all-cores pool is built on first use and kept, but never rayon's global pool: a
/// process forked after a run (Python's `multiprocessing` with the `fork` start method, the
/// default on Linux) inherits the parent's pool without its threads, and work sent to it
/// would wait forever. The pool remembers the process id it was built in; in a forked child
/// the id differs and a fresh pool is built (the parent's, whose threads do not exist here,
/// is leaked, never dropped).
pub fn in_pool<T: Send>(threads: Option<usize>, work: impl FnOnce() -> T + Send) -> T {
    match threads {
        Some(n) => rayon::ThreadPoolBuilder::new()
            .num_threads(n)
            .build()
            .expect("a thread pool can be built")
            .install(work),
        None => all_cores_pool().install(work),
    }
}

/// This process's pool over all cores (see [`in_pool`]).
fn all_cores_pool() -> std::sync::Arc<rayon::ThreadPool> {
    use std::sync::{Arc, Mutex};
    static POOL: Mutex<Option<(u32, Arc<rayon::ThreadPool>)>> = Mutex::new(None);
    let pid = std::process::id();
    // A poisoned lock only means a panic elsewhere while building: the value is still sound.
    let mut slot = POOL.lock().unwrap_or_else(|e| e.into_inner());
    if let Some((owner, pool)) = slot.as_ref()
        && *owner == pid
    {
        return Arc::clone(pool);
    }
    if let Some(inherited) = slot.take() {
        // Built in the parent: its threads were not forked with us; dropping it would wait
        // for them.
        std::mem::forget(inherited);
    }
    let pool = Arc::new(
        rayon::ThreadPoolBuilder::new()
            .build()
            .expect("a thread pool can be built"),
    );
    *slot = Some((pid, Arc::clone(&pool)));
    pool
}

impl RunResult {
    pub fn steps(&self) -> usize {
        self.replicates.first().map_or(0, Vec::len)
    }

    /// Per step and metric, the summary over replicates.
    pub fn timeseries(&self) -> Vec<[Summary; N_METRICS]> {
        (0..self.steps())
            .map(|t| {
                Metric::ALL.map(|m| Summary::of(self.replicates.iter().map(|r| r[t][m.index()])))
            })
            .collect()
    }

    /// Each replicate's mean of `metric` over the last `window` steps (NaN if none present).
    pub fn final_window_values(&self, metric: Metric, window: u32) -> Vec<f64> {
        self.replicates
            .iter()
            .map(|r| stats::final_window_mean(r, metric, window))
            .collect()
    }

    /// Per metric, the summary over replicates of their final-window means.
    pub fn final_window(&self, window: u32) -> [Summary; N_METRICS] {
        let per_replicate: Vec<[f64; N_METRICS]> = self
            .replicates
            .iter()
            .map(|r| stats::final_window_means(r, window))
            .collect();
        stats::summaries(&per_replicate)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn small() -> Scenario {
        let mut s = Scenario::load("optimized_path").unwrap();
        for o in ["cadres=100", "steps=5", "replicates=3"] {
            s.apply_override(o).unwrap();
        }
        s
    }

    #[test]
    fn a_stopped_run_returns_nothing_and_an_unstopped_one_the_full_run() {
        let s = small();
        let stop = AtomicBool::new(true);
        assert!(run_scenario_until(&s, &RunOptions::default(), Some(&stop)).is_none());
        stop.store(false, Ordering::Relaxed);
        let until = run_scenario_until(&s, &RunOptions::default(), Some(&stop)).unwrap();
        let plain = run_scenario(&s, &RunOptions::default());
        // Compared as text: missing metrics are NaN, which is not equal to itself.
        assert_eq!(
            format!("{:?}", until.replicates),
            format!("{:?}", plain.replicates)
        );
        assert_eq!(until.replicates.len(), 3);
    }
}
