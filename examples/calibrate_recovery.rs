//! Recovery coverage of `cadre-sim calibrate` on cadre-sim itself: draw known parameter
//! values from the prior, simulate the targets there (the same statistics, replicates and
//! code a particle uses, on seeds no particle uses), calibrate, and count how often the known
//! values fall inside the 90% credible intervals. Drawing the truth from the prior makes the
//! expected coverage 90% for an exact posterior; ABC's tolerance ε > 0 widens the posterior,
//! so coverage at or somewhat above 90% is what a correct implementation gives.
//!
//! cargo run --release --example calibrate_recovery -- [repetitions] [particles]
//! (tools/calibrate_coverage.sh runs it and prints the summary.)
use std::path::Path;

use cadre_sim::calibrate::smc::{Simulator, derive_rng};
use cadre_sim::calibrate::{self, file};

const FILE: &str = r#"
name = "recovery"
base = "small.toml"
steps = 20
replicates = 2
seed = 11
window = 5
particles = PARTICLES
max_generations = 6
min_acceptance = 0.05
predictive = 1

[[parameter]]
param = "population.loss_aversion"
prior = "log-uniform"
from = 0.5
to = 4.0

[[parameter]]
param = "population.prior_tolerance"
prior = "uniform"
from = 0.05
to = 0.8

[[target]]
name = "deterred"
metric = "deterred_share"
observed = 0.4
se = 0.03
source = "simulated at known values"

[[target]]
name = "initiative"
metric = "initiative"
observed = 0.4
se = 0.03
source = "simulated at known values"

[[target]]
name = "belief"
metric = "mean_belief"
observed = 0.3
se = 0.03
source = "simulated at known values"
"#;

fn main() {
    let args: Vec<usize> = std::env::args()
        .skip(1)
        .map(|a| a.parse().expect("a number"))
        .collect();
    let repetitions = args.first().copied().unwrap_or(20);
    let particles = args.get(1).copied().unwrap_or(300);
    let dir = tempfile::tempdir().expect("a temporary folder");
    std::fs::write(
        dir.path().join("small.toml"),
        "base = \"nominal_tolerance\"\n[population]\ncadres = 400\n",
    )
    .unwrap();
    let text = FILE.replace("PARTICLES", &particles.to_string());
    let plan = file::parse(
        &dir.path().join("recovery.toml"),
        &text,
        &file::Overrides::default(),
    )
    .unwrap_or_else(|e| panic!("{e}"));
    let _ = Path::new(".");
    let mut inside = vec![0usize; plan.free.len()];
    let mut both = 0usize;
    let start = std::time::Instant::now();
    for rep in 0..repetitions as u64 {
        // The truth, drawn from the prior on a stream of its own.
        let mut rng = derive_rng(991, &[rep]);
        let truth: Vec<f64> = plan.free.iter().map(|f| f.prior.sample(&mut rng)).collect();
        // Its targets: one particle's statistics, on seeds of a generation no run reaches.
        let observed = plan
            .simulator()
            .statistics(&truth, 1_000_000 + rep as u32, 0);
        let mut this = plan.clone();
        this.settings.seed = 100 + rep;
        for (t, &o) in this.targets.iter_mut().zip(&observed) {
            t.observed.value = o;
        }
        let mut history = Vec::new();
        let stop =
            calibrate::calibrate(&this, &mut history, &|_| {}, |_, _| Ok::<(), ()>(())).unwrap();
        let summary = calibrate::summarize(&this, history.last().unwrap());
        let mut all = true;
        for (k, s) in summary.iter().enumerate() {
            let hit = s.low <= truth[k] && truth[k] <= s.high;
            inside[k] += hit as usize;
            all &= hit;
        }
        both += all as usize;
        println!(
            "rep {rep}: truth {:?}, 90% intervals {:?}, stop {}, generations {}",
            truth.iter().map(|x| format!("{x:.3}")).collect::<Vec<_>>(),
            summary
                .iter()
                .map(|s| format!("[{:.3}, {:.3}]", s.low, s.high))
                .collect::<Vec<_>>(),
            stop.name(),
            history.len()
        );
    }
    for (k, f) in plan.free.iter().enumerate() {
        println!(
            "coverage {}: {}/{} = {:.0}%",
            f.param.key(),
            inside[k],
            repetitions,
            100.0 * inside[k] as f64 / repetitions as f64
        );
    }
    println!(
        "both inside: {both}/{repetitions}; {:.0} s",
        start.elapsed().as_secs_f64()
    );
}
