//! Engine throughput: agent-steps per second of one replicate of nominal_tolerance on one
//! thread, at 1,000, 10,000 and 100,000 cadres (target: 25 million/s at 10,000); and one
//! world of 1,048,576 cadres (16 chunks, model 1.3) on 1 thread and on every core, the
//! parallel stepping of a single world.
//!
//! Run with `cargo bench --bench engine`; criterion reports time per iteration and, through
//! `Throughput::Elements`, agent-steps per second.

use criterion::{BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};

use cadre_sim::model::World;
use cadre_sim::model::rng::replicate_rng;
use cadre_sim::scenario::Scenario;

fn engine(c: &mut Criterion) {
    let mut group = c.benchmark_group("nominal_tolerance");
    group.sample_size(10);
    let steps = 40;
    for cadres in [1_000u32, 10_000, 100_000] {
        let mut scenario = Scenario::load("nominal_tolerance").unwrap();
        scenario.population.cadres = cadres;
        let spec = scenario.model_spec();
        group.throughput(Throughput::Elements(cadres as u64 * steps as u64));
        group.bench_with_input(BenchmarkId::new("agent_steps", cadres), &spec, |b, spec| {
            // World set-up included: it is part of every replicate's cost.
            b.iter(|| World::new(spec, replicate_rng(1, 0)).run(steps))
        });
    }
    group.finish();
}

fn one_world(c: &mut Criterion) {
    let mut group = c.benchmark_group("one_world");
    group.sample_size(10);
    let (cadres, steps) = (1u32 << 20, 10);
    let mut scenario = Scenario::load("nominal_tolerance").unwrap();
    scenario.population.cadres = cadres;
    let spec = scenario.model_spec();
    group.throughput(Throughput::Elements(cadres as u64 * steps as u64));
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    let mut counts = vec![1, cores];
    counts.dedup();
    for threads in counts {
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(threads)
            .build()
            .unwrap();
        group.bench_with_input(BenchmarkId::new("threads", threads), &spec, |b, spec| {
            b.iter(|| pool.install(|| World::new(spec, replicate_rng(1, 0)).run(steps)))
        });
    }
    group.finish();
}

criterion_group!(benches, engine, one_world);
criterion_main!(benches);
