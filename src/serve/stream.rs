//! One classroom run as a stream of server-sent events.
//!
//! The run is the average of `run.replicates` replicates of the scenario (1: replicate 0
//! alone), stepped one quarter at a time in lockstep. Replicate r draws from the generator
//! of `(seed, r)`, as `cadre-sim run` does, so the page's average equals the mean column of
//! `cadre-sim run --replicates N` with the same seed. After each step the page receives the
//! metrics and every cadre's status in replicate 0. Events, in order:
//!
//! - `start`: `{scenario, cadres, unit_size, units, steps, seed, replicates, metrics: [names],
//!   tolerance_from}` (the first step whose tolerance rate is drawn, as in the PNG plots)
//! - `step` (one per step): `{t, m: [values in the order of `metrics`, null = missing],
//!   s: "0152..."}` where `m` is the mean over the replicates that have a value, and `s` has
//!   one digit per cadre of replicate 0, the code of its status (see
//!   [`crate::worldview::STATUSES`]). With 2 or more replicates also `lo` and `hi`: the
//!   lowest and highest replicate's value (the band the page draws);
//! - `done`: `{steps, compute_ms, window, final: [per metric]}` where `final` is the
//!   summary `cadre-sim run --window W` prints: the mean over replicates of each
//!   replicate's mean over the last `window` steps ([`FINAL_WINDOW`], or all steps if
//!   fewer).
//!
//! The work is synchronous and writes into a callback, so that it can be benchmarked and
//! tested without a network, and stops as soon as the callback says the page has gone. The
//! replicates are driven by the model's one loop ([`crate::model::drive()`]); the page is an
//! observer of it (`Page`) that turns each step into an event.

use std::time::Instant;

use serde_json::json;

use crate::model::{
    Flow, Groups, Metric, N_METRICS, Observer, Record, StepMetrics, World, drive, rng,
};
use crate::run::stats::{Summary, final_window_means, summaries};
use crate::scenario::Scenario;
use crate::worldview::status_string;

/// One server-sent event: `event: name\ndata: json\n\n`.
pub fn sse_event(name: &str, data: &serde_json::Value) -> String {
    format!("event: {name}\ndata: {data}\n\n")
}

/// The final steps the headline numbers average: `cadre-sim run`'s default `--window`.
pub const FINAL_WINDOW: u32 = 10;

/// Runs the replicates of `scenario` and hands each event's text to `send`; stops early
/// when `send` returns false (the page went away). Returns the number of steps simulated.
pub fn run_events(scenario: &Scenario, mut send: impl FnMut(String) -> bool) -> u32 {
    let started = Instant::now();
    let pop = &scenario.population;
    let start = json!({
        "scenario": scenario.name,
        "cadres": pop.cadres,
        "unit_size": pop.unit_size,
        "units": Groups::new(pop.cadres, pop.unit_size).units(),
        "steps": scenario.run.steps,
        "seed": scenario.run.seed,
        "replicates": scenario.run.replicates,
        "metrics": Metric::ALL.map(Metric::name),
        // Before this step the tolerance rate is 0 by construction (the review pipeline is
        // filling): the page leaves it out, as the PNG plots do.
        "tolerance_from": crate::plot::run_plots::first_tolerance_step(scenario),
    });
    if !send(sse_event("start", &start)) {
        return 0;
    }
    let spec = scenario.model_spec();
    let replicates = scenario.run.replicates.max(1) as u64;
    let mut worlds: Vec<World> = (0..replicates)
        .map(|r| World::new(&spec, rng::replicate_rng(scenario.run.seed, r)))
        .collect();
    let mut page = Page {
        send,
        record: Record::default(),
        started,
    };
    drive(&mut worlds, scenario.run.steps, &mut page)
}

/// The page as an observer of the replicates: a `step` event after every step, the `done`
/// event after the last.
struct Page<F> {
    send: F,
    /// Every replicate's metrics so far, for the final-window summary.
    record: Record,
    started: Instant,
}

impl<F: FnMut(String) -> bool> Observer for Page<F> {
    fn step(&mut self, t: u32, worlds: &[World], metrics: &[StepMetrics]) -> Flow {
        self.record.step(t, worlds, metrics);
        let statuses = status_string(worlds[0].cadres());
        // serde_json writes NaN (a missing ratio) as null.
        let step = if metrics.len() == 1 {
            json!({ "t": t, "m": metrics[0], "s": statuses })
        } else {
            let at = |m: usize| metrics.iter().map(move |x| x[m]);
            let mean: [f64; N_METRICS] = std::array::from_fn(|m| Summary::of(at(m)).mean);
            let lo: [f64; N_METRICS] =
                std::array::from_fn(|m| at(m).filter(|x| !x.is_nan()).fold(f64::NAN, f64::min));
            let hi: [f64; N_METRICS] =
                std::array::from_fn(|m| at(m).filter(|x| !x.is_nan()).fold(f64::NAN, f64::max));
            json!({ "t": t, "m": mean, "lo": lo, "hi": hi, "s": statuses })
        };
        if (self.send)(sse_event("step", &step)) {
            Flow::Continue
        } else {
            Flow::Stop
        }
    }

    fn finish(&mut self, _worlds: &[World], steps: u32) {
        let window = FINAL_WINDOW.min(steps);
        let per_replicate: Vec<[f64; N_METRICS]> = self
            .record
            .series()
            .iter()
            .map(|series| final_window_means(series, window))
            .collect();
        let finals = summaries(&per_replicate).map(|s| s.mean);
        let done = json!({
            "steps": steps,
            "compute_ms": self.started.elapsed().as_secs_f64() * 1e3,
            "window": window,
            "final": finals,
        });
        (self.send)(sse_event("done", &done));
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::simulate;

    /// Splits an event text into its name and parsed data.
    fn parse(text: &str) -> (String, serde_json::Value) {
        let mut lines = text.lines();
        let name = lines
            .next()
            .unwrap()
            .strip_prefix("event: ")
            .unwrap()
            .to_string();
        let data = lines.next().unwrap().strip_prefix("data: ").unwrap();
        (name, serde_json::from_str(data).unwrap())
    }

    #[test]
    fn streams_the_same_metrics_as_the_engine() {
        let mut s = Scenario::load("optimized_path").unwrap();
        s.population.cadres = 300;
        s.run.steps = 6;
        s.run.replicates = 1;
        let mut events = Vec::new();
        assert_eq!(
            run_events(&s, |e| {
                events.push(parse(&e));
                true
            }),
            6
        );
        assert_eq!(events.len(), 8);
        assert_eq!(events[0].0, "start");
        // optimized_path decides reviewed cases after 1 + review_delay (1) quarters.
        assert_eq!(events[0].1["tolerance_from"], 2);
        assert_eq!(events[7].0, "done");
        let expected = simulate(&s.model_spec(), 6, s.run.seed, 0);
        for (t, (name, data)) in events[1..7].iter().enumerate() {
            assert_eq!(name, "step");
            assert_eq!(data["t"], t);
            let status = data["s"].as_str().unwrap();
            assert_eq!(status.len(), 300);
            assert!(status.bytes().all(|b| (b'0'..=b'5').contains(&b)));
            // Compared as JSON values (NaN, a missing ratio, is null), parsed the same way.
            let want: serde_json::Value =
                serde_json::from_str(&serde_json::to_string(&expected[t]).unwrap()).unwrap();
            assert_eq!(data["m"], want, "step {t}");
        }
    }

    /// The page's average of N runs is `cadre-sim run --replicates N`'s: the same replicate
    /// seeds, the same mean per step, the same final-window summary.
    #[test]
    fn an_average_equals_the_command_lines_replicates() {
        let mut s = Scenario::load("nominal_tolerance").unwrap();
        s.population.cadres = 200;
        s.run.steps = 14;
        s.run.replicates = 4;
        let mut events = Vec::new();
        run_events(&s, |e| {
            events.push(parse(&e));
            true
        });
        assert_eq!(events[0].1["replicates"], 4);
        let result = crate::run::run_scenario(&s, &Default::default());
        let series = result.timeseries();
        let json = |x: f64| -> serde_json::Value {
            serde_json::from_str(&serde_json::to_string(&x).unwrap()).unwrap()
        };
        for (t, (name, data)) in events[1..15].iter().enumerate() {
            assert_eq!(name, "step");
            for m in Metric::ALL {
                let i = m.index();
                assert_eq!(data["m"][i], json(series[t][i].mean), "{} at {t}", m.name());
                let present: Vec<f64> = result
                    .replicates
                    .iter()
                    .map(|r| r[t][i])
                    .filter(|x| !x.is_nan())
                    .collect();
                if present.is_empty() {
                    assert!(data["lo"][i].is_null() && data["hi"][i].is_null());
                } else {
                    let lo = present.iter().copied().fold(f64::INFINITY, f64::min);
                    let hi = present.iter().copied().fold(f64::NEG_INFINITY, f64::max);
                    assert_eq!(data["lo"][i], json(lo));
                    assert_eq!(data["hi"][i], json(hi));
                    assert!(lo <= series[t][i].mean && series[t][i].mean <= hi);
                }
            }
            // The world view is replicate 0's, whatever the average.
            assert_eq!(data["s"].as_str().unwrap().len(), 200);
        }
        let (name, done) = &events[15];
        assert_eq!(name, "done");
        assert_eq!(done["window"], 10);
        let finals = result.final_window(10);
        for m in Metric::ALL {
            assert_eq!(
                done["final"][m.index()],
                json(finals[m.index()].mean),
                "{}",
                m.name()
            );
        }
        // One run has no band, and its statuses are the same replicate 0's.
        s.run.replicates = 1;
        let mut single = Vec::new();
        run_events(&s, |e| {
            single.push(parse(&e));
            true
        });
        assert!(single[1].1.get("lo").is_none());
        assert_eq!(single[5].1["s"], events[5].1["s"]);
    }

    #[test]
    fn stops_when_the_page_goes_away() {
        let mut s = Scenario::default();
        s.population.cadres = 100;
        let mut sent = 0;
        let steps = run_events(&s, |_| {
            sent += 1;
            sent < 3
        });
        assert_eq!(steps, 2, "start, step 0, then step 1 failed to send");
    }
}
