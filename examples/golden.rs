//! Prints the values `tests/model_checks.rs::golden_values` pins, for a knowing update.
use cadre_sim::model::{Metric, simulate};
use cadre_sim::scenario::Scenario;
fn main() {
    let s = Scenario::load("nominal_tolerance").unwrap();
    let m = simulate(&s.model_spec(), 12, 42, 0);
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
