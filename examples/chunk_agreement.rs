//! The chunked draw layout (model 1.3) against the unsplit one (1.2): the same model, other
//! random numbers. For each scenario, `R` replicates of the world as 1.2 draws it (one chunk
//! per place) and `R` of the same world split into chunks (each chunk its own generator,
//! `World::with_chunk_cadres`); for every metric, each replicate's mean over the final 10
//! steps (the summary `run` and `sweep` report), and the difference of the two engines' means in standard
//! errors (independent samples: z = (mean₂ − mean₁) / √(s₁²/n₁ + s₂²/n₂)).
//!
//!     cargo run --release --example chunk_agreement -- [REPLICATES]   (default 1000)
//!
//! or `benches/chunk_agreement.sh`. Prints a Markdown table per scenario and exits 1 if a
//! metric differs by 3 standard errors or more.

use cadre_sim::model::rng::replicate_rng;
use cadre_sim::model::{Metric, StepMetrics, World};
use cadre_sim::run::Summary;
use cadre_sim::run::stats::final_window_mean;
use cadre_sim::scenario::Scenario;
use rayon::prelude::*;

/// Scenarios and the chunk size that splits them: 1,000 cadres in one place in chunks of 250
/// (5 chunks), the experiments' 30 places of 100 cadres in chunks of 40 (3 per place).
const SCENARIOS: [(&str, u32); 6] = [
    ("nominal_tolerance", 250),
    ("strict_accountability", 250),
    ("optimized_path", 250),
    ("mechanism_introduced", 250),
    ("scenarios/experiments/staggered_national.toml", 40),
    ("scenarios/experiments/staggered_place.toml", 40),
];

fn main() {
    let replicates: u64 = std::env::args()
        .nth(1)
        .map(|a| a.parse().expect("REPLICATES is a whole number"))
        .unwrap_or(1000);
    let seed = 20_261_204;
    let mut worst: f64 = 0.0;
    let mut compared = 0;
    for (name, chunk) in SCENARIOS {
        let scenario = Scenario::load(name).expect("a shipped scenario");
        let spec = scenario.model_spec();
        let steps = scenario.run.steps;
        let run = |chunked: bool| -> Vec<Vec<StepMetrics>> {
            (0..replicates)
                .into_par_iter()
                .map(|r| {
                    let rng = replicate_rng(seed, r);
                    let mut world = if chunked {
                        World::with_chunk_cadres(&spec, rng, chunk)
                    } else {
                        World::new(&spec, rng)
                    };
                    world.run(steps)
                })
                .collect()
        };
        let chunks = World::with_chunk_cadres(&spec, replicate_rng(seed, 0), chunk).chunk_count();
        let places = spec.places.count;
        assert!(
            chunks > places as usize,
            "{name}: chunks of {chunk} split no place"
        );
        let (unsplit, split) = (run(false), run(true));
        println!(
            "\n### {} ({} cadres, {places} place(s); split: {chunks} chunks of ≤ {chunk} cadres; {replicates} replicates each, {steps} steps)\n",
            scenario.name, spec.population.cadres
        );
        println!("| metric | window | 1.2 layout | chunked | difference | SE | z |");
        println!("|---|---|---:|---:|---:|---:|---:|");
        for metric in Metric::ALL {
            for (window, label) in [(10, "final 10")] {
                let of = |series: &[Vec<StepMetrics>]| {
                    Summary::of(series.iter().map(|s| final_window_mean(s, metric, window)))
                };
                let (a, b) = (of(&unsplit), of(&split));
                if a.n < 2 || b.n < 2 {
                    continue;
                }
                let se = (a.sd * a.sd / a.n as f64 + b.sd * b.sd / b.n as f64).sqrt();
                let diff = b.mean - a.mean;
                let z = if se > 0.0 {
                    diff / se
                } else if diff == 0.0 {
                    0.0
                } else {
                    f64::INFINITY
                };
                worst = worst.max(z.abs());
                compared += 1;
                println!(
                    "| {} | {label} | {:.6} | {:.6} | {:+.6} | {:.6} | {:+.2} |",
                    metric.name(),
                    a.mean,
                    b.mean,
                    diff,
                    se,
                    z
                );
            }
        }
    }
    println!("\n{compared} comparisons; largest |z| = {worst:.2} (bound: 3)");
    if worst >= 3.0 {
        std::process::exit(1);
    }
}
