//! Prints the values `tests/model_checks.rs::golden_values` pins (a world of one chunk, the
//! 1.1/1.2 layout), then those `tests/chunked_world.rs::golden_values_of_a_chunked_world`
//! pins (the same world in chunks of 250 cadres, the 1.3 layout), for a knowing update.
use cadre_sim::model::rng::replicate_rng;
use cadre_sim::model::{Metric, World, simulate};
use cadre_sim::scenario::Scenario;
fn main() {
    let s = Scenario::load("nominal_tolerance").unwrap();
    let m = simulate(&s.model_spec(), 12, 42, 0);
    let chunked = World::with_chunk_cadres(&s.model_spec(), replicate_rng(42, 0), 250).run(12);
    for (label, m) in [("model_checks.rs", m), ("chunked_world.rs", chunked)] {
        println!("{label}:");
        for (t, metric) in [
            (0, Metric::Initiative),
            (11, Metric::Initiative),
            (11, Metric::MeanBelief),
            (11, Metric::SocialValue),
        ] {
            println!(
                "    {:?}, // step {t} {}",
                m[t][metric.index()],
                metric.name()
            );
        }
    }
}
