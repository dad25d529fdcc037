//! The ABC-SMC toy (a normal mean with known variance under a uniform prior, see
//! `calibrate::smc::toy`) over several seeds: one JSON line per seed with the posterior mean
//! and sd, the final ε and the simulations used. `tools/pyabc_toy.py` runs the same problem
//! with pyabc and compares.
//!
//! cargo run --release --example abc_toy -- [particles] [seeds]
use cadre_sim::calibrate::smc::{toy, weighted_moments};

fn main() {
    let args: Vec<usize> = std::env::args()
        .skip(1)
        .map(|a| a.parse().expect("a number"))
        .collect();
    let particles = args.first().copied().unwrap_or(2000);
    let seeds = args.get(1).copied().unwrap_or(10);
    for seed in 0..seeds as u64 {
        let (history, _) = toy::run_toy(particles, seed);
        let last = history.last().expect("a posterior");
        let (mean, cov) = weighted_moments(last);
        let simulations: u64 = history.iter().map(|g| g.simulated).sum();
        println!(
            "{{\"seed\": {seed}, \"mean\": {}, \"sd\": {}, \"epsilon\": {}, \"simulations\": {simulations}}}",
            mean[0],
            cov[0][0].sqrt(),
            last.epsilon
        );
    }
}
