//! Running a sweep's points: (point, replicate) work units on rayon, finished points
//! streamed to disk.
//!
//! Every unit runs replicate r of its point with the generator of `(seed, r)`, exactly as
//! `cadre-sim run` does (or, in an experiment sweep, as `cadre-sim experiment` does: both
//! worlds and every estimator, keeping only the estimates), so all points share replicate
//! seeds (common random numbers) and a point's numbers do not depend on the thread count, the
//! shard split or what ran before.
//! Only the replicates of points in flight are held in memory: when the last replicate of a
//! point finishes, the worker that finished it writes the point file (or hands the point to
//! another [`PointSink`]) and drops the data.

use std::collections::HashMap;
use std::sync::Mutex;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::Instant;

use rayon::prelude::*;

use super::plan::SweepPlan;
use super::progress::Progress;
use super::store::{PointValues, SweepStore};
use crate::error::InputError;
use crate::experiment::{Assessment, ReplicateEstimates};
use crate::model::{self, N_METRICS, StepMetrics};
use crate::run::stats::final_window_means;
use crate::run::{Timing, in_pool};

/// How to run the points.
pub struct ExecOptions<'a> {
    /// Worker threads; None = all cores.
    pub threads: Option<usize>,
    /// Also write every step of every replicate (`raw/`).
    pub raw: bool,
    pub progress: &'a Progress,
    /// When set, units not yet started are skipped (points in flight are dropped).
    pub stop: Option<&'a AtomicBool>,
    /// Counts finished (point, replicate) units, for a caller that reports progress itself
    /// (the Python package's `progress=`).
    pub counter: Option<&'a AtomicU64>,
}

/// The replicates of one point received so far.
struct InFlight {
    finals: Vec<[f64; N_METRICS]>,
    raw: Vec<Vec<StepMetrics>>,
    /// An experiment sweep's replicates: each one's estimates against its truths (the panels
    /// are dropped as soon as they are estimated).
    estimates: Vec<Option<ReplicateEstimates>>,
    received: usize,
}

/// Where finished points go: a sweep folder ([`SweepStore`]), or memory ([`InMemory`]).
pub trait PointSink: Sync {
    /// Every step of every replicate of a finished point (only with `raw`; before
    /// [`PointSink::point`]).
    fn raw(&self, point: usize, replicates: &[Vec<StepMetrics>]) -> crate::error::Result<()>;
    /// Each replicate's final-window means of a finished point.
    fn point(&self, point: usize, finals: &[[f64; N_METRICS]]) -> crate::error::Result<()>;
    /// A finished point of an experiment sweep: its experiment's `estimates_summary.csv`.
    fn experiment_point(&self, point: usize, summary: &[u8]) -> crate::error::Result<()>;
}

impl PointSink for SweepStore {
    fn experiment_point(&self, point: usize, summary: &[u8]) -> crate::error::Result<()> {
        Ok(self.write_experiment_point(point, summary)?)
    }

    fn raw(&self, point: usize, replicates: &[Vec<StepMetrics>]) -> crate::error::Result<()> {
        Ok(self.write_raw(point, replicates)?)
    }

    fn point(&self, point: usize, finals: &[[f64; N_METRICS]]) -> crate::error::Result<()> {
        Ok(self.write_point(point, finals)?)
    }
}

/// A sweep's points kept in memory instead of a folder (the Python package's `sweep`).
/// The values are those the point files would hold, so their summaries are `results.csv`'s.
#[derive(Debug, Default)]
pub struct InMemory {
    /// `finals[point]`: each replicate's final-window means (empty until computed).
    pub finals: Mutex<Vec<PointValues>>,
    /// `raw[point][replicate][step]`, when raw rows are kept.
    pub raw: Mutex<Vec<Vec<Vec<StepMetrics>>>>,
}

impl InMemory {
    /// Room for `points` points.
    pub fn new(points: usize) -> InMemory {
        InMemory {
            finals: Mutex::new(vec![Vec::new(); points]),
            raw: Mutex::new(vec![Vec::new(); points]),
        }
    }
}

impl PointSink for InMemory {
    fn experiment_point(&self, _: usize, _: &[u8]) -> crate::error::Result<()> {
        Err(InputError::new("sweep", EXPERIMENTS_NEED_A_FOLDER).into())
    }

    fn raw(&self, point: usize, replicates: &[Vec<StepMetrics>]) -> crate::error::Result<()> {
        self.raw.lock().expect("no worker panics while holding it")[point] = replicates.to_vec();
        Ok(())
    }

    fn point(&self, point: usize, finals: &[[f64; N_METRICS]]) -> crate::error::Result<()> {
        self.finals
            .lock()
            .expect("no worker panics while holding it")[point] = finals.to_vec();
        Ok(())
    }
}

/// Why an experiment sweep cannot be computed in memory.
pub const EXPERIMENTS_NEED_A_FOLDER: &str = "an experiment sweep (a base with a [rollout]) \
    writes its points into a folder: give it one (`out=` in Python)";

/// Computes the points `todo` of `plan` and records each in `store` as soon as it is
/// finished. Returns the timing of the work done.
pub fn compute(
    plan: &SweepPlan,
    store: &dyn PointSink,
    todo: &[usize],
    options: &ExecOptions,
) -> crate::error::Result<Timing> {
    let resolved = plan.resolved();
    let replicates = resolved.replicates as usize;
    let experiment = plan.experiment();
    let in_flight: Mutex<HashMap<usize, InFlight>> = Mutex::new(HashMap::new());
    let start = Instant::now();

    let unit = |u: usize| -> crate::error::Result<()> {
        if options.stop.is_some_and(|s| s.load(Ordering::Relaxed)) {
            return Ok(());
        }
        let (point, replicate) = (todo[u / replicates], u % replicates);
        let (finals, steps, estimates) = match &experiment {
            // Replicate r of `cadre-sim experiment` on the point's scenario, byte for byte.
            Some(options) => {
                let scenario = plan.scenario(point);
                let spec = scenario.model_spec();
                let (_, mut estimates, _) =
                    crate::experiment::replicate(&spec, &scenario.run, options, replicate as u64);
                // The summary a point keeps has no estimand cells: drop them while it waits.
                for (estimate, _) in &mut estimates.estimates {
                    estimate.estimand = Vec::new();
                }
                ([f64::NAN; N_METRICS], Vec::new(), Some(estimates))
            }
            None => {
                let steps = model::simulate(
                    &plan.model_spec(point),
                    resolved.steps,
                    resolved.seed,
                    replicate as u64,
                );
                (final_window_means(&steps, resolved.window), steps, None)
            }
        };
        options.progress.replicate_done(plan.agent_steps(point));
        if let Some(counter) = options.counter {
            counter.fetch_add(1, Ordering::Relaxed);
        }
        let finished = {
            let mut map = in_flight.lock().expect("no worker panics while holding it");
            let entry = map.entry(point).or_insert_with(|| InFlight {
                finals: vec![[f64::NAN; N_METRICS]; replicates],
                raw: if options.raw {
                    vec![Vec::new(); replicates]
                } else {
                    Vec::new()
                },
                estimates: match experiment {
                    Some(_) => (0..replicates).map(|_| None).collect(),
                    None => Vec::new(),
                },
                received: 0,
            });
            if let Some(estimates) = estimates {
                entry.estimates[replicate] = Some(estimates);
            }
            entry.finals[replicate] = finals;
            if options.raw {
                entry.raw[replicate] = steps;
            }
            entry.received += 1;
            if entry.received == replicates {
                map.remove(&point)
            } else {
                None
            }
        };
        if let Some(done) = finished {
            if let Some(experiment) = &experiment {
                let replicates: Vec<ReplicateEstimates> =
                    done.estimates.into_iter().flatten().collect();
                let summary = crate::output::experiment::estimates_summary_csv(
                    experiment.outcome,
                    &Assessment::of(&replicates),
                );
                store.experiment_point(point, &summary)?;
                options.progress.point_done();
                return Ok(());
            }
            // Raw rows first: the point file is what marks the point finished.
            if options.raw {
                store.raw(point, &done.raw)?;
            }
            store.point(point, &done.finals)?;
            options.progress.point_done();
        }
        Ok(())
    };

    let threads = in_pool(options.threads, || -> crate::error::Result<usize> {
        (0..todo.len() * replicates)
            .into_par_iter()
            .try_for_each(unit)?;
        Ok(rayon::current_num_threads())
    })?;
    let agent_steps: u64 = todo
        .iter()
        .map(|&p| plan.agent_steps(p) * replicates as u64)
        .sum();
    Ok(Timing::since(start, agent_steps, threads))
}
