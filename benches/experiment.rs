//! Experiment speed: the target case, a 30-place, 3,000-cadre, 40-step staggered
//! rollout with 100 replicates, both worlds simulated and every estimator run on every
//! replicate (Callaway–Sant'Anna with the command's default 199 bootstrap draws), at 1 and
//! 2 threads; and the estimators alone on one replicate's panel.
//!
//! `cargo bench --bench experiment`; the figures are reported in docs/experiment.md.

use criterion::{Criterion, criterion_group, criterion_main};

use cadre_sim::did::{self, Options, Panel};
use cadre_sim::experiment::{self, ExperimentOptions, Outcome, ReplicatePanel};
use cadre_sim::run::in_pool;
use cadre_sim::scenario::Scenario;

fn scenario() -> Scenario {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/scenarios/experiments/staggered_national.toml"
    );
    let s = Scenario::load(path).expect("the example loads");
    assert_eq!(
        (
            s.places.count,
            s.population.cadres,
            s.run.steps,
            s.run.replicates
        ),
        (30, 3000, 40, 100)
    );
    s
}

fn options() -> ExperimentOptions {
    ExperimentOptions {
        outcome: Outcome::Initiative,
        did: Options {
            leads: 6,
            lags: 12,
            bootstrap: 199,
            ..Options::default()
        },
    }
}

fn whole_experiment(c: &mut Criterion) {
    let s = scenario();
    let mut group = c.benchmark_group("experiment");
    group.sample_size(10);
    for threads in [1usize, 2] {
        group.bench_function(format!("30_places_100_replicates_{threads}_threads"), |b| {
            b.iter(|| in_pool(Some(threads), || experiment::run(&s, &options(), None)))
        });
    }
    group.finish();
}

fn estimators_on_one_panel(c: &mut Criterion) {
    let s = scenario();
    let panel = ReplicatePanel::simulate(&s.model_spec(), s.run.steps, s.run.seed, 0);
    let panel = Panel::new(panel.to_did_rows(Outcome::Initiative).0).expect("balanced");
    let opts = options().did;
    c.bench_function("estimators/all_on_30x40_panel", |b| {
        b.iter(|| did::estimate_all(&panel, &opts).expect("estimates"))
    });
    c.bench_function("simulate/one_replicate_both_worlds", |b| {
        b.iter(|| ReplicatePanel::simulate(&s.model_spec(), s.run.steps, s.run.seed, 1))
    });
}

criterion_group!(benches, whole_experiment, estimators_on_one_panel);
criterion_main!(benches);
