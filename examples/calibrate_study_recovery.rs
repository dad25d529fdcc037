//! Recovery coverage of the calibration's experiment statistic (issue 20): a study design
//! whose estimator is unbiased (published cases stay in their place, so nothing spills onto
//! the comparison places; adoption at random; Callaway–Sant'Anna against not-yet-treated
//! places), one free parameter drawn from its prior as the known truth, the study's estimate
//! simulated there on seeds no particle uses as the "published" value, a calibration to it,
//! and whether the known value lies in the 90% credible interval. Drawing the truth from
//! the prior makes 90% the expected coverage of an exact posterior; ABC's ε > 0 widens the
//! posterior, so coverage at or somewhat above 90% is what a correct implementation gives.
//!
//! The free parameter is the weight of the prior belief (`population.prior_strength`,
//! log-uniform 1–64): how firmly cadres hold to what they believed before the reform decides
//! how much of the adopted regime's tolerance they learn, so the study's estimate responds
//! strongly to it (about +0.085 at 1, +0.009 at 64, against a replicate noise of about 0.01
//! over 4 replicates: `-- probe` prints the response). Loss aversion, tried first, moves the
//! estimate too little at any affordable size for its posterior to leave the prior.
//!
//! cargo run --release --example calibrate_study_recovery -- [repetitions] [particles] [replicates]
//! cargo run --release --example calibrate_study_recovery -- probe [replicates]
//! (tools/calibrate_study_coverage.sh runs it.)

use cadre_sim::calibrate::smc::{Simulator, derive_rng};
use cadre_sim::calibrate::{self, file};

/// 30 places of 5 units of 20 cadres; a quarter adopt the optimized path at step 12, a
/// quarter at step 24, 48 steps (12 years); cases published within the place only.
const DESIGN: &str = r#"
name = "place_rollout"
base = "nominal_tolerance"

[run]
steps = 48

[population]
cadres = 3000
unit_size = 20

[places]
count = 30
publish_scope = "place"
strength_spread = 0.3

[rollout]
adopt = "optimized_path"
assign = "random"

[[rollout.cohorts]]
at = 12
share = 0.25

[[rollout.cohorts]]
at = 24
share = 0.25
"#;

const FILE: &str = r#"
name = "study_recovery"
base = "nominal_tolerance"
steps = 48
replicates = REPLICATES
seed = 11
window = 5
particles = PARTICLES
max_generations = 6
min_acceptance = 0.05
target_tolerance = 0.5           # ε in standard errors: closer only costs simulations
predictive = 1

[[parameter]]
param = "population.prior_strength"
prior = "log-uniform"
from = 1.0
to = 64.0

[[target]]
name = "did"
statistic = "experiment"
experiment = "design.toml"
estimator = "cs"
control = "notyettreated"
outcome = "initiative"
observed = 0.0
se = SE
source = "simulated at a known value"
"#;

fn main() {
    let mut args: Vec<String> = std::env::args().skip(1).collect();
    let probing = args.first().is_some_and(|a| a == "probe");
    if probing {
        args.remove(0);
    }
    let args: Vec<usize> = args.iter().map(|a| a.parse().expect("a number")).collect();
    let repetitions = args.first().copied().unwrap_or(20);
    let particles = args.get(1).copied().unwrap_or(200);
    let replicates = args.get(if probing { 0 } else { 2 }).copied().unwrap_or(4);
    let dir = tempfile::tempdir().expect("a temporary folder");
    std::fs::write(dir.path().join("design.toml"), DESIGN).unwrap();
    let parse = |se: f64| {
        let text = FILE
            .replace("PARTICLES", &particles.to_string())
            .replace("REPLICATES", &replicates.to_string())
            .replace("SE", &se.to_string());
        file::parse(
            &dir.path().join("recovery.toml"),
            &text,
            &file::Overrides::default(),
        )
        .unwrap_or_else(|e| panic!("{e}"))
    };
    // The study's estimate (the mean over the particle's replicates) at `value`: its mean
    // and spread over 40 draws on seeds no calibration uses.
    let probe = parse(1.0);
    let spread = |value: f64| {
        let values: Vec<f64> = (0..40u32)
            .map(|i| probe.simulator().statistics(&[value], 2_000_000 + i, 0)[0])
            .collect();
        let m = values.iter().sum::<f64>() / values.len() as f64;
        let sd = (values.iter().map(|v| (v - m).powi(2)).sum::<f64>() / (values.len() - 1) as f64)
            .sqrt();
        (m, sd)
    };
    if probing {
        for value in [1.0, 2.0, 4.0, 8.0, 16.0, 32.0, 64.0] {
            let (m, sd) = spread(value);
            println!("prior strength {value}: the study's estimate {m:.4}, sd over draws {sd:.4}");
        }
        return;
    }
    // The scale of the distance: the spread at the prior's centre (its geometric mean, 8).
    let (m, se) = spread(8.0);
    println!("the study's estimate at prior strength 8: mean {m:.4}, sd over draws {se:.4}");
    let plan = parse(se);
    let mut inside = 0usize;
    let start = std::time::Instant::now();
    for rep in 0..repetitions as u64 {
        let mut rng = derive_rng(991, &[rep]);
        let truth = vec![plan.free[0].prior.sample(&mut rng)];
        // The "published" estimate: the same study at the truth, on seeds no run reaches.
        let observed = plan
            .simulator()
            .statistics(&truth, 1_000_000 + rep as u32, 0);
        let mut this = plan.clone();
        this.settings.seed = 100 + rep;
        this.targets[0].observed.value = observed[0];
        let mut history = Vec::new();
        let stop =
            calibrate::calibrate(&this, &mut history, &|_| {}, |_, _| Ok::<(), ()>(())).unwrap();
        let posterior = history.last().unwrap();
        let s = &calibrate::summarize(&this, posterior)[0];
        let hit = s.low <= truth[0] && truth[0] <= s.high;
        inside += hit as usize;
        println!(
            "rep {rep}: truth {:.3}, published {:.4}, 90% interval [{:.3}, {:.3}] {}, ε {:.2}, \
             stop {}, generations {}",
            truth[0],
            observed[0],
            s.low,
            s.high,
            if hit { "covers" } else { "MISSES" },
            posterior.epsilon,
            stop.name(),
            history.len()
        );
    }
    println!(
        "coverage population.prior_strength: {inside}/{repetitions} = {:.0}%; {:.0} s",
        100.0 * inside as f64 / repetitions as f64,
        start.elapsed().as_secs_f64()
    );
}
