//! Sweeps: many scenarios that differ in a few parameters, run as one resumable, shardable
//! job.
//!
//! The pieces, in the order a sweep uses them:
//! - [`file`] reads a sweep file into a [`SweepPlan`]: a base scenario and a [`Design`];
//! - [`design`] builds designs (grid, zip, Latin hypercube) and splits them into [`Shard`]s;
//! - [`plan`] fixes what all points share and hashes it;
//! - [`store`] owns the folder: manifest, one file per finished point, resume, merge;
//! - [`exec`] runs (point, replicate) units on every core and streams points to disk;
//! - [`progress`] reports; [`slurm`] writes job-array scripts; [`results`] feeds plots.
//!
//! Anything that can produce a [`Design`] (a sensitivity analysis, say) gets all of this by
//! building a [`SweepPlan`] with [`SweepPlan::new`] and calling [`run`].

pub mod design;
pub mod exec;
pub mod file;
pub mod plan;
pub mod progress;
pub mod results;
pub mod slurm;
pub mod store;

use std::path::Path;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};

pub use design::{Design, Interval, Shard};
pub use plan::{ResolvedSweep, SweepPlan};
pub use results::{BaseInfo, HeatmapGrid, LineSeries, SweepResults};
pub use store::{Assembled, Opened, SweepStore};

use crate::error::InputError;
use crate::output::Producer;
use crate::run::Timing;
use progress::Progress;

/// How to run a sweep.
#[derive(Debug, Clone, Default)]
pub struct SweepOptions {
    /// Worker threads; None = all cores. Results do not depend on it.
    pub threads: Option<usize>,
    /// Also keep every step of every replicate (`raw.csv`).
    pub raw: bool,
    /// Discard what the folder holds instead of refusing or resuming.
    pub force: bool,
    /// No progress output.
    pub quiet: bool,
    /// Compute only this share of the points and leave assembling to `merge`.
    pub shard: Option<Shard>,
    /// The command whose folder this is: a sweep, or a sensitivity analysis's design.
    pub producer: Producer,
    /// Set (by a Ctrl-C handler) to stop: work in flight is dropped, finished points stay,
    /// and the run returns [`Interrupted`].
    pub stop: Option<&'static AtomicBool>,
    /// Counts finished (point, replicate) units, for a caller that reports progress itself.
    pub counter: Option<&'static AtomicU64>,
}

pub use crate::error::Interrupted;

/// The flag a Ctrl-C handler sets, for [`SweepOptions::stop`]; installing the handler is the
/// caller's (the command line's) business.
pub fn interrupt_flag() -> &'static AtomicBool {
    static FLAG: AtomicBool = AtomicBool::new(false);
    &FLAG
}

/// What a call to [`run`] did.
#[derive(Debug)]
pub struct SweepOutcome {
    pub store: SweepStore,
    pub opened: Opened,
    /// Points of this run's share (all points without a shard).
    pub share: usize,
    /// Points computed now; the rest of the share was finished before.
    pub computed: usize,
    pub timing: Timing,
    /// Set when the results were assembled (always, unless sharded).
    pub assembled: Option<Assembled>,
}

/// What the caller derives from a finished sweep (its plots): written by [`run_with`] and
/// [`merge_with`] after every point is checked and before `results.csv` marks the folder
/// finished. Sharded runs never call it.
pub type Products<'a> = &'a dyn Fn(&SweepStore) -> crate::error::Result<()>;

/// Runs `plan` into the folder `out`: opens or resumes it, computes the unfinished points of
/// the share, and (unless sharded) assembles `results.csv`. Writes no plots.
pub fn run(
    plan: &SweepPlan,
    out: &Path,
    options: &SweepOptions,
) -> crate::error::Result<SweepOutcome> {
    run_with(plan, out, options, &|_| Ok(()))
}

/// [`run`], writing `products` (plots) when it assembles the results.
pub fn run_with(
    plan: &SweepPlan,
    out: &Path,
    options: &SweepOptions,
    products: Products<'_>,
) -> crate::error::Result<SweepOutcome> {
    if options.force && options.shard.is_some() {
        return Err(InputError::new(
            "--force",
            "--force cannot be combined with --shard: one shard would delete the points of the \
             others. Remove the folder (or choose a new --out) before starting the shards",
        )
        .into());
    }
    if options.raw && plan.experiment().is_some() {
        return Err(InputError::new(
            "--raw",
            "an experiment sweep keeps each point's estimates against the truth, not every \
             step: drop --raw (run `cadre-sim experiment` on one point's scenario for its \
             panel)",
        )
        .into());
    }
    let (store, opened) = SweepStore::prepare(out, plan, options.force, options.producer)?;
    let shard = options.shard.unwrap_or(Shard::ALL);
    let finished = store.finished(options.raw, |p| shard.contains(p))?;
    let share: Vec<usize> = (0..plan.design().len())
        .filter(|&p| shard.contains(p))
        .collect();
    let todo: Vec<usize> = share.iter().copied().filter(|&p| !finished[p]).collect();

    let label = match options.shard {
        Some(s) => format!("sweep {} shard {s}", plan.name),
        None => format!("sweep {}", plan.name),
    };
    let progress = Progress::new(
        &label,
        share.len() as u64,
        (share.len() - todo.len()) as u64,
        options.quiet,
    );
    let timing = exec::compute(
        plan,
        &store,
        &todo,
        &exec::ExecOptions {
            threads: options.threads,
            raw: options.raw,
            progress: &progress,
            stop: options.stop,
            counter: options.counter,
        },
    );
    progress.finish();
    let timing = timing?;
    if options.stop.is_some_and(|s| s.load(Ordering::Relaxed)) {
        let finished = store.finished(options.raw, |p| shard.contains(p))?;
        return Err(Interrupted {
            saved: share.iter().filter(|&&p| finished[p]).count(),
            total: share.len(),
            folder: store.path().display().to_string(),
        }
        .into());
    }

    let assembled = match options.shard {
        Some(s) => {
            store.mark_shard_done(s, todo.len())?;
            None
        }
        None => Some(store.assemble(options.raw, products)?),
    };
    Ok(SweepOutcome {
        store,
        opened,
        share: share.len(),
        computed: todo.len(),
        timing,
        assembled,
    })
}

/// A sweep computed in memory by [`run_in_memory`].
#[derive(Debug)]
pub struct Computed {
    /// `finals[point]`: each replicate's final-window means, the numbers a point file holds
    /// (their summaries, by `crate::run::stats::summaries`, are the rows of `results.csv`).
    pub finals: Vec<store::PointValues>,
    /// `raw[point][replicate][step]` with `raw` (the rows of `raw.csv`); else empty lists.
    pub raw: Vec<Vec<Vec<crate::model::StepMetrics>>>,
    pub timing: Timing,
}

/// Computes every point of `plan` in memory, writing nothing (the Python package's `sweep`
/// without `out=`): the same units and numbers as [`run`]. None when `stop` was set before
/// every point finished.
pub fn run_in_memory(
    plan: &SweepPlan,
    threads: Option<usize>,
    raw: bool,
    stop: Option<&AtomicBool>,
    counter: Option<&AtomicU64>,
) -> crate::error::Result<Option<Computed>> {
    if plan.experiment().is_some() {
        return Err(InputError::new(plan.name.clone(), exec::EXPERIMENTS_NEED_A_FOLDER).into());
    }
    let points = plan.design().len();
    let sink = exec::InMemory::new(points);
    let progress = Progress::new(&plan.name, points as u64, 0, true);
    let todo: Vec<usize> = (0..points).collect();
    let timing = exec::compute(
        plan,
        &sink,
        &todo,
        &exec::ExecOptions {
            threads,
            raw,
            progress: &progress,
            stop,
            counter,
        },
    )?;
    if stop.is_some_and(|s| s.load(Ordering::Relaxed)) {
        return Ok(None);
    }
    Ok(Some(Computed {
        finals: sink.finals.into_inner().expect("no worker panicked"),
        raw: sink.raw.into_inner().expect("no worker panicked"),
        timing,
    }))
}

/// Assembles the results of a sharded sweep folder (`cadre-sim merge`). Writes no plots.
pub fn merge(dir: &Path) -> crate::error::Result<(SweepStore, Assembled)> {
    merge_with(dir, &|_| Ok(()))
}

/// [`merge`], writing `products` (plots) exactly as a one-machine [`run_with`] does.
pub fn merge_with(
    dir: &Path,
    products: Products<'_>,
) -> crate::error::Result<(SweepStore, Assembled)> {
    let store = SweepStore::open(dir)?;
    let assembled = store.assemble(false, products)?;
    Ok((store, assembled))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_sweep_in_memory_holds_what_the_point_files_hold() {
        let text = "base = \"nominal_tolerance\"\nreplicates = 3\nsteps = 6\n\
                    [[axis]]\nparam = \"regime.detect\"\nvalues = [0.2, 0.6]\n";
        let plan = file::parse(Path::new("mem.toml"), text, &Default::default()).unwrap();
        let computed = run_in_memory(&plan, Some(2), true, None, None)
            .unwrap()
            .unwrap();
        let dir = tempfile::tempdir().unwrap();
        let options = SweepOptions {
            quiet: true,
            raw: true,
            ..Default::default()
        };
        let outcome = run(&plan, &dir.path().join("s"), &options).unwrap();
        for point in 0..plan.design().len() {
            // As text: a metric missing throughout a replicate is NaN, unequal to itself.
            assert_eq!(
                format!("{:?}", outcome.store.read_point(point).unwrap()),
                format!("{:?}", computed.finals[point])
            );
            assert_eq!(computed.raw[point].len(), 3);
            assert_eq!(computed.raw[point][0].len(), 6);
        }
        // runs.csv: a row per point x replicate holding the point file's values.
        let runs = std::fs::read_to_string(outcome.store.path().join(store::RUNS_CSV)).unwrap();
        let lines: Vec<&str> = runs.lines().collect();
        assert!(lines[0].starts_with("point,replicate,regime.detect,initiative,"));
        assert_eq!(lines.len(), 1 + 2 * 3);
        let first: Vec<&str> = lines[1].split(',').collect();
        assert_eq!(&first[..3], &["0", "0", "0.2"]);
        assert_eq!(
            first[3],
            crate::output::number(computed.finals[0][0][crate::model::Metric::ALL[0].index()])
        );
        let stop = AtomicBool::new(true);
        assert!(
            run_in_memory(&plan, None, false, Some(&stop), None)
                .unwrap()
                .is_none()
        );
    }
}
