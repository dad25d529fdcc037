//! Replicates in parallel, handed on in replicate order as they finish, with a bounded number
//! in memory: how `cadre-sim experiment` writes `panel.csv` and `estimates.csv` as it goes.
//!
//! At most `window` replicates (a few per thread) are started and not yet handed on. The
//! replicates start in order (a FIFO scope); each finished one waits in a reorder buffer
//! until those before it are handed on, and the worker that finishes the next one in order
//! hands on it and every waiting one after it, starting a new replicate for each. A replicate
//! far ahead of the slowest therefore cannot make memory grow: nothing later than `window`
//! replicates past the oldest one not handed on is started. Nobody waits on a lock held
//! during work, so a pool of one thread works as well as a pool of many.
//!
//! Each replicate is computed by [`super::replicate`], a pure function of its index, so what
//! is handed on does not depend on the threads.

use std::collections::BTreeMap;
use std::sync::Mutex;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Instant;

use rayon::ScopeFifo;

use super::{ExperimentOptions, ReplicateEstimates, ReplicatePanel, Work, replicate};
use crate::model::ModelSpec;
use crate::model::params::RunParams;
use crate::scenario::Scenario;

/// Replicates started and not yet handed on, per thread of the pool.
const WINDOW_PER_THREAD: usize = 4;

/// Runs every replicate of `scenario` on the current rayon pool. `prepare` turns a finished
/// replicate into what is handed on (on the worker that ran it, in parallel: formatting rows,
/// reducing the panel); `sink` receives them in replicate order, one at a time.
///
/// Returns the work done (the time in `prepare` and `sink` is `writing_thread_seconds`), or
/// None once `stop` is set (replicates not yet started are skipped; nothing more is handed
/// on), or the sink's first error (nothing more is started or handed on).
pub fn stream<T, E, P, S>(
    scenario: &Scenario,
    options: &ExperimentOptions,
    on_replicate_done: Option<&(dyn Fn() + Sync)>,
    stop: Option<&AtomicBool>,
    prepare: P,
    mut sink: S,
) -> Result<Option<Work>, E>
where
    T: Send,
    E: Send,
    P: Fn(u64, ReplicatePanel, ReplicateEstimates) -> T + Sync,
    S: FnMut(u64, T) -> Result<(), E> + Send,
{
    let n = scenario.run.replicates as u64;
    let window = (WINDOW_PER_THREAD * rayon::current_num_threads()).max(2) as u64;
    let shared = Shared {
        spec: scenario.model_spec(),
        run: &scenario.run,
        options,
        on_replicate_done,
        stop,
        failed: AtomicBool::new(false),
        prepare: &prepare,
        window,
        n,
        state: Mutex::new(State {
            ready: BTreeMap::new(),
            next: 0,
            writing: false,
            error: None,
            work: Work::default(),
        }),
        sink: Mutex::new(&mut sink),
    };
    rayon::scope_fifo(|scope| {
        for r in 0..window.min(n) {
            shared.start(scope, r);
        }
    });
    let state = shared.state.into_inner().expect("no worker panicked");
    if let Some(e) = state.error {
        return Err(e);
    }
    Ok((state.next == n).then_some(state.work))
}

struct State<T, E> {
    /// Finished replicates waiting for those before them.
    ready: BTreeMap<u64, T>,
    /// The next replicate to hand on.
    next: u64,
    /// Whether a worker is handing on (it hands on every ready replicate in order).
    writing: bool,
    error: Option<E>,
    work: Work,
}

type Sink<'a, T, E> = Mutex<&'a mut (dyn FnMut(u64, T) -> Result<(), E> + Send)>;

struct Shared<'a, T, E> {
    spec: ModelSpec,
    run: &'a RunParams,
    options: &'a ExperimentOptions,
    on_replicate_done: Option<&'a (dyn Fn() + Sync)>,
    stop: Option<&'a AtomicBool>,
    /// Set when the sink failed: nothing more is started.
    failed: AtomicBool,
    prepare: &'a (dyn Fn(u64, ReplicatePanel, ReplicateEstimates) -> T + Sync),
    window: u64,
    n: u64,
    state: Mutex<State<T, E>>,
    /// Only the worker that set `writing` takes it, so it is never contended.
    sink: Sink<'a, T, E>,
}

impl<'a, T: Send, E: Send> Shared<'a, T, E> {
    fn start<'s>(&'s self, scope: &ScopeFifo<'s>, r: u64)
    where
        'a: 's,
    {
        scope.spawn_fifo(move |scope| self.replicate(scope, r));
    }

    fn replicate<'s>(&'s self, scope: &ScopeFifo<'s>, r: u64)
    where
        'a: 's,
    {
        if self.stop.is_some_and(|s| s.load(Ordering::Relaxed))
            || self.failed.load(Ordering::Relaxed)
        {
            return;
        }
        let (panel, estimates, mut work) = replicate(&self.spec, self.run, self.options, r);
        if let Some(done) = self.on_replicate_done {
            done();
        }
        let clock = Instant::now();
        let prepared = (self.prepare)(r, panel, estimates);
        work.writing_thread_seconds = clock.elapsed().as_secs_f64();
        let mut state = self.state.lock().expect("no worker panicked");
        state.work.add(&work);
        state.ready.insert(r, prepared);
        if state.writing {
            // The worker handing on will reach this one.
            return;
        }
        state.writing = true;
        loop {
            let next = state.next;
            let Some(prepared) = state.ready.remove(&next) else {
                state.writing = false;
                return;
            };
            drop(state);
            let clock = Instant::now();
            let result = (self.sink.lock().expect("no worker panicked"))(next, prepared);
            let took = clock.elapsed().as_secs_f64();
            state = self.state.lock().expect("no worker panicked");
            state.work.writing_thread_seconds += took;
            if let Err(e) = result {
                // `writing` stays set: nothing more is handed on.
                state.error = Some(e);
                state.ready.clear();
                self.failed.store(true, Ordering::Relaxed);
                return;
            }
            state.next = next + 1;
            if next + self.window < self.n {
                self.start(scope, next + self.window);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::AtomicUsize;

    fn scenario(replicates: u32) -> Scenario {
        let mut s = Scenario::load("scenarios/experiments/staggered_place.toml").unwrap();
        s.run.replicates = replicates;
        s.run.steps = 16;
        s
    }

    fn options() -> ExperimentOptions {
        ExperimentOptions::new("initiative", "nevertreated", 2, 4, 0).unwrap()
    }

    #[test]
    fn replicates_are_handed_on_in_order_with_few_in_memory() {
        let s = scenario(23);
        for threads in [1, 3] {
            let held = AtomicUsize::new(0);
            let most = AtomicUsize::new(0);
            let mut order = Vec::new();
            let work = crate::run::in_pool(Some(threads), || {
                stream(
                    &s,
                    &options(),
                    None,
                    None,
                    |r, _, _| {
                        let now = held.fetch_add(1, Ordering::SeqCst) + 1;
                        most.fetch_max(now, Ordering::SeqCst);
                        r
                    },
                    |r, prepared| {
                        assert_eq!(r, prepared);
                        held.fetch_sub(1, Ordering::SeqCst);
                        order.push(r);
                        Ok::<(), ()>(())
                    },
                )
            });
            assert!(work.unwrap().is_some());
            assert_eq!(order, (0..23).collect::<Vec<u64>>(), "{threads} threads");
            let bound = (WINDOW_PER_THREAD * threads).max(2);
            assert!(
                most.load(Ordering::SeqCst) <= bound,
                "{} replicates waited at once on {threads} threads (at most {bound})",
                most.load(Ordering::SeqCst)
            );
        }
    }

    #[test]
    fn a_failing_sink_stops_the_experiment_with_its_error() {
        let s = scenario(40);
        let started = AtomicUsize::new(0);
        let result = crate::run::in_pool(Some(2), || {
            stream(
                &s,
                &options(),
                Some(&|| {
                    started.fetch_add(1, Ordering::SeqCst);
                }),
                None,
                |r, _, _| r,
                |r, _| if r == 3 { Err("disk full") } else { Ok(()) },
            )
        });
        assert_eq!(result, Err("disk full"));
        assert!(
            started.load(Ordering::SeqCst) < 40,
            "replicates after the failure are not run"
        );
    }
}
