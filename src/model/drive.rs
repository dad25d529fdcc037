//! The one loop that steps worlds, and the observers that watch it.
//!
//! Every caller that advances a [`World`] — `run` and `sweep` (through [`super::simulate`]),
//! the classroom page's stream, the `run --gif` world view — goes through [`drive`]. What a
//! caller wants from the run (the metrics, a frame per step, an event to the page, later a
//! per-place panel) is an [`Observer`], in the spirit of ripgrep's `Sink`: the driver calls
//! it once after every step, never inside a step, so the per-cadre hot loop knows nothing of
//! it, and the observer can end the run early ([`Flow::Stop`], e.g. the page went away).
//!
//! The driver steps a slice of worlds in lockstep: step t of every world, in slice order,
//! before the observer sees step t, then step t + 1. One world is a slice of one; the page's
//! average of N replicates is N worlds. Each world draws only from its own generator, so
//! stepping them together gives each exactly the numbers it would give alone.

use super::metrics::StepMetrics;
use super::world::World;

/// What an observer wants after a step: go on, or end the run here.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Flow {
    Continue,
    Stop,
}

/// Watches worlds driven by [`drive`].
pub trait Observer {
    /// Called after step `t` of every world: `worlds[r]` has just produced `metrics[r]`.
    fn step(&mut self, t: u32, worlds: &[World], metrics: &[StepMetrics]) -> Flow;

    /// Called once after the last step when no observer call stopped the run; `steps` is
    /// the number of steps simulated.
    fn finish(&mut self, _worlds: &[World], _steps: u32) {}
}

/// Steps `worlds` in lockstep for `steps` steps, calling `observer` after each. Returns the
/// number of steps simulated: `steps`, or fewer when the observer stopped the run.
pub fn drive(worlds: &mut [World], steps: u32, observer: &mut impl Observer) -> u32 {
    let mut metrics: Vec<StepMetrics> = Vec::with_capacity(worlds.len());
    for t in 0..steps {
        metrics.clear();
        metrics.extend(worlds.iter_mut().map(World::step));
        if observer.step(t, worlds, &metrics) == Flow::Stop {
            return t + 1;
        }
    }
    observer.finish(worlds, steps);
    steps
}

/// The observer that keeps every step's metrics of every world: `series()[r][t]`.
#[derive(Debug, Clone, Default)]
pub struct Record {
    series: Vec<Vec<StepMetrics>>,
}

impl Record {
    /// Each world's metrics so far, step by step.
    pub fn series(&self) -> &[Vec<StepMetrics>] {
        &self.series
    }

    pub fn into_series(self) -> Vec<Vec<StepMetrics>> {
        self.series
    }
}

impl Observer for Record {
    fn step(&mut self, _t: u32, _worlds: &[World], metrics: &[StepMetrics]) -> Flow {
        if self.series.is_empty() {
            self.series = vec![Vec::new(); metrics.len()];
        }
        for (past, m) in self.series.iter_mut().zip(metrics) {
            past.push(*m);
        }
        Flow::Continue
    }
}

/// Observers that are closures: `|t, worlds, metrics| Flow::Continue`.
impl<F: FnMut(u32, &[World], &[StepMetrics]) -> Flow> Observer for F {
    fn step(&mut self, t: u32, worlds: &[World], metrics: &[StepMetrics]) -> Flow {
        self(t, worlds, metrics)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::rng::replicate_rng;
    use crate::model::{ModelSpec, Population};

    fn spec() -> ModelSpec {
        ModelSpec {
            population: Population {
                cadres: 120,
                unit_size: 10,
                ..Population::default()
            },
            ..ModelSpec::default()
        }
    }

    #[test]
    fn lockstep_worlds_give_what_each_gives_alone() {
        let spec = spec();
        let mut worlds: Vec<World> = (0..3)
            .map(|r| World::new(&spec, replicate_rng(7, r)))
            .collect();
        let mut record = Record::default();
        assert_eq!(drive(&mut worlds, 12, &mut record), 12);
        for (r, series) in record.series().iter().enumerate() {
            let alone = World::new(&spec, replicate_rng(7, r as u64)).run(12);
            // Bitwise: NaN (a missing ratio) compares equal to itself this way.
            let bits = |s: &[StepMetrics]| -> Vec<u64> {
                s.iter()
                    .flat_map(|m| m.iter().map(|x| x.to_bits()))
                    .collect()
            };
            assert_eq!(bits(series), bits(&alone), "replicate {r}");
        }
        assert!(worlds.iter().all(|w| w.t() == 12));
    }

    #[test]
    fn an_observer_that_stops_ends_the_run_after_that_step() {
        let mut world = World::new(&spec(), replicate_rng(1, 0));
        let mut seen = Vec::new();
        let mut stop_at_3 = |t: u32, worlds: &[World], metrics: &[StepMetrics]| {
            assert_eq!((worlds.len(), metrics.len()), (1, 1));
            seen.push(t);
            if t == 3 { Flow::Stop } else { Flow::Continue }
        };
        assert_eq!(
            drive(std::slice::from_mut(&mut world), 10, &mut stop_at_3),
            4
        );
        assert_eq!(seen, [0, 1, 2, 3]);
        assert_eq!(world.t(), 4, "no step after the stop");
    }

    #[test]
    fn finish_is_called_once_after_a_complete_run_only() {
        struct Count {
            steps: u32,
            finished: Option<u32>,
            stop_at: u32,
        }
        impl Observer for Count {
            fn step(&mut self, t: u32, _: &[World], _: &[StepMetrics]) -> Flow {
                self.steps += 1;
                if t == self.stop_at {
                    Flow::Stop
                } else {
                    Flow::Continue
                }
            }
            fn finish(&mut self, _: &[World], steps: u32) {
                assert!(self.finished.is_none());
                self.finished = Some(steps);
            }
        }
        let mut world = World::new(&spec(), replicate_rng(1, 0));
        let mut all = Count {
            steps: 0,
            finished: None,
            stop_at: u32::MAX,
        };
        drive(std::slice::from_mut(&mut world), 5, &mut all);
        assert_eq!((all.steps, all.finished), (5, Some(5)));
        let mut stopped = Count {
            steps: 0,
            finished: None,
            stop_at: 1,
        };
        drive(std::slice::from_mut(&mut world), 5, &mut stopped);
        assert_eq!((stopped.steps, stopped.finished), (2, None));
    }
}
