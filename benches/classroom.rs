//! Classroom mode's speed target: a classroom run (1,000 cadres, 40 steps) computes in well
//! under a second, including what the server does per step for the page (the status string
//! and the JSON of each event). The network is left out: it is the same for any model.

use criterion::{Criterion, criterion_group, criterion_main};

use cadre_sim::scenario::Scenario;
use cadre_sim::serve::stream::run_events;

fn classroom_run(c: &mut Criterion) {
    for name in ["nominal_tolerance", "optimized_path"] {
        let scenario = Scenario::load(name).expect("built-in scenario");
        assert_eq!(
            (scenario.population.cadres, scenario.run.steps),
            (1000, 40),
            "the classroom size"
        );
        c.bench_function(&format!("classroom run {name} 1000x40"), |b| {
            b.iter(|| {
                let mut bytes = 0;
                run_events(&scenario, |event| {
                    bytes += event.len();
                    true
                });
                bytes
            })
        });
    }
}

criterion_group!(benches, classroom_run);
criterion_main!(benches);
