use cadre_sim::model::{World, rng::replicate_rng};
use cadre_sim::scenario::Scenario;
fn main() {
    let mut s = Scenario::load("nominal_tolerance").unwrap();
    s.population.cadres = 10_000;
    let spec = s.model_spec();
    let mut best = f64::MAX;
    for r in 0..15 {
        let t0 = std::time::Instant::now();
        let m = World::new(&spec, replicate_rng(1, r)).run(40);
        std::hint::black_box(m);
        best = best.min(t0.elapsed().as_secs_f64());
    }
    println!("best {:.2} M agent-steps/s", 400_000.0 / best / 1e6);
}
