//! One classroom run as a stream of server-sent events.
//!
//! The run is replicate 0 of the scenario, stepped one quarter at a time; after each step
//! the page receives the metrics and every cadre's status. Events, in order:
//!
//! - `start`: `{scenario, cadres, unit_size, units, steps, seed, metrics: [names]}`
//! - `step` (one per step): `{t, m: [values in the order of `metrics`, null = missing],
//!   s: "0152..."}` where `s` has one digit per cadre, the code of its status
//!   (see [`crate::worldview::STATUSES`]);
//! - `done`: `{steps, compute_ms}`.
//!
//! The work is synchronous and writes into a callback, so that it can be benchmarked and
//! tested without a network, and stops as soon as the callback says the page has gone.

use std::time::Instant;

use serde_json::json;

use crate::model::{Metric, World, rng};
use crate::scenario::Scenario;
use crate::worldview::status_string;

/// One server-sent event: `event: name\ndata: json\n\n`.
pub fn sse_event(name: &str, data: &serde_json::Value) -> String {
    format!("event: {name}\ndata: {data}\n\n")
}

/// Runs replicate 0 of `scenario` and hands each event's text to `send`; stops early when
/// `send` returns false (the page went away). Returns the number of steps simulated.
pub fn run_events(scenario: &Scenario, mut send: impl FnMut(String) -> bool) -> u32 {
    let started = Instant::now();
    let pop = &scenario.population;
    let start = json!({
        "scenario": scenario.name,
        "cadres": pop.cadres,
        "unit_size": pop.unit_size,
        "units": pop.cadres.div_ceil(pop.unit_size),
        "steps": scenario.run.steps,
        "seed": scenario.run.seed,
        "metrics": Metric::ALL.map(Metric::name),
    });
    if !send(sse_event("start", &start)) {
        return 0;
    }
    let mut world = World::new(
        &scenario.model_spec(),
        rng::replicate_rng(scenario.run.seed, 0),
    );
    for t in 0..scenario.run.steps {
        let metrics = world.step();
        // serde_json writes NaN (a missing ratio) as null.
        let step = json!({ "t": t, "m": metrics, "s": status_string(world.cadres()) });
        if !send(sse_event("step", &step)) {
            return t + 1;
        }
    }
    let done = json!({
        "steps": scenario.run.steps,
        "compute_ms": started.elapsed().as_secs_f64() * 1e3,
    });
    send(sse_event("done", &done));
    scenario.run.steps
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
