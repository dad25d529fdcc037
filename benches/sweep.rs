//! Sweep throughput: points per second of a small grid (16 points × 4 replicates of 500
//! cadres over 40 steps), end to end (plan, per-point files, results.csv), at 1 and 2 threads.
//!
//! `cargo bench --bench sweep`. The scaling table in docs/sweep.md comes from the release
//! binary on a larger sweep (see there); this bench guards against regressions.

use criterion::{Criterion, Throughput, criterion_group, criterion_main};

use cadre_sim::model::params::ParamId;
use cadre_sim::scenario::Scenario;
use cadre_sim::sweep::{self, Design, SweepOptions, SweepPlan};

fn throughput(c: &mut Criterion) {
    // Built through the generic API, as a sensitivity analysis would.
    let mut base = Scenario::load("nominal_tolerance").expect("built-in");
    base.population.cadres = 500;
    base.run.replicates = 4;
    let design = Design::grid(vec![
        (ParamId::Severity.into(), vec![0.0, 2.0, 4.0, 6.0]),
        (ParamId::Sensitivity.into(), vec![0.0, 0.3, 0.6, 0.9]),
    ])
    .expect("valid design");
    let plan = SweepPlan::new("bench", "", base, design, 10).expect("valid plan");
    let points = plan.design().len() as u64;
    let dir = tempfile::tempdir().expect("temporary folder");
    let mut group = c.benchmark_group("sweep");
    group.throughput(Throughput::Elements(points));
    group.sample_size(20);
    for threads in [1usize, 2] {
        group.bench_function(format!("16_points_{threads}_threads"), |b| {
            b.iter(|| {
                sweep::run(
                    &plan,
                    &dir.path().join("out"),
                    &SweepOptions {
                        threads: Some(threads),
                        force: true,
                        quiet: true,
                        ..SweepOptions::default()
                    },
                )
                .expect("sweep runs")
            })
        });
    }
    group.finish();
}

criterion_group!(benches, throughput);
criterion_main!(benches);
