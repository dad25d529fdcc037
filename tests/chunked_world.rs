//! Worlds split into chunks (model 1.3, docs/model.md "Chunks"): a place of more than
//! `CHUNK_CADRES` cadres is stepped in chunks with their own generators, in parallel, and
//! must give the same numbers on any number of threads, alone or nested in the replicates'
//! parallelism.

use cadre_sim::model::rng::replicate_rng;
use cadre_sim::model::{CHUNK_CADRES, Flow, ModelSpec, PublishScope, StepMetrics, World, drive};
use cadre_sim::run::{RunOptions, run_scenario};
use cadre_sim::scenario::Scenario;

/// Everything a world shows after each step, as bits: the world's metrics, every place's,
/// and at the end every cadre's state and the case ledger.
fn fingerprint(spec: &ModelSpec, steps: u32, threads: usize) -> (usize, Vec<u64>) {
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(threads)
        .build()
        .unwrap();
    pool.install(|| {
        let mut world = World::new(spec, replicate_rng(11, 3));
        let mut bits = Vec::new();
        let mut observe = |_t: u32, worlds: &[World], metrics: &[StepMetrics]| {
            bits.extend(metrics[0].iter().map(|x| x.to_bits()));
            for p in 0..worlds[0].places().len() {
                bits.extend(worlds[0].place_metrics(p).iter().map(|x| x.to_bits()));
            }
            Flow::Continue
        };
        drive(std::slice::from_mut(&mut world), steps, &mut observe);
        for c in world.cadres() {
            bits.extend([
                c.alpha.to_bits(),
                c.beta.to_bits(),
                c.career.to_bits(),
                c.blocked_until as u64,
                c.passive_streak as u64,
                c.hidden_abuses as u64,
            ]);
        }
        let ledger = world.ledger();
        assert_eq!(
            ledger.created,
            ledger.decided + world.pending_cases(),
            "every case is decided once or still pending"
        );
        bits.extend([ledger.created, ledger.decided]);
        (world.chunk_count(), bits)
    })
}

fn one_place(cadres: u32) -> ModelSpec {
    let mut s = Scenario::load("nominal_tolerance").unwrap();
    s.population.cadres = cadres;
    s.model_spec()
}

/// Two places of 70,000 cadres, each split in two chunks; one adopts at step 2 with a
/// spread of strength; published cases reach their own place only.
fn two_split_places() -> ModelSpec {
    let mut s = Scenario::load("scenarios/experiments/staggered_place.toml").unwrap();
    s.population.cadres = 140_000;
    s.places.count = 2;
    let rollout = s.rollout.as_mut().unwrap();
    rollout.cohorts.truncate(1);
    rollout.cohorts[0].at = 2;
    rollout.cohorts[0].share = 0.5;
    s.validate().unwrap();
    let spec = s.model_spec();
    assert_eq!(spec.places.publish_scope, PublishScope::Place);
    spec
}

#[test]
fn a_split_world_gives_the_same_numbers_on_1_2_3_and_8_threads() {
    for (spec, chunks) in [(one_place(150_000), 3), (two_split_places(), 4)] {
        assert!(spec.population.cadres > CHUNK_CADRES);
        let (count, one) = fingerprint(&spec, 6, 1);
        assert_eq!(count, chunks, "chunks of {} cadres", spec.population.cadres);
        for threads in [2, 3, 8] {
            let (_, many) = fingerprint(&spec, 6, threads);
            assert!(one == many, "{threads} threads differ from 1");
        }
    }
}

#[test]
fn split_worlds_nested_in_replicates_give_the_same_run_on_any_thread_count() {
    let mut s = Scenario::load("nominal_tolerance").unwrap();
    s.population.cadres = 140_000;
    s.run.replicates = 3;
    s.run.steps = 4;
    let bits = |threads: usize| -> Vec<u64> {
        let options = RunOptions {
            threads: Some(threads),
            ..RunOptions::default()
        };
        run_scenario(&s, &options)
            .replicates
            .iter()
            .flatten()
            .flat_map(|m| m.iter().map(|x| x.to_bits()))
            .collect()
    };
    let one = bits(1);
    for threads in [2, 3, 8] {
        assert!(one == bits(threads), "{threads} threads differ from 1");
    }
}

/// Pinned outputs of the chunked draw layout (nominal_tolerance's 1,000 cadres in chunks of
/// 250: 5 chunks): a change
/// of how chunks draw fails here, as `model_checks::golden_values` pins the unsplit layout.
/// `cargo run --example golden` prints both.
#[test]
fn golden_values_of_a_chunked_world() {
    let spec = Scenario::load("nominal_tolerance").unwrap().model_spec();
    let mut world = World::with_chunk_cadres(&spec, replicate_rng(42, 0), 250);
    assert_eq!(world.chunk_count(), 5);
    let m = world.run(12);
    let got = [
        m[0][0],
        m[11][0],
        m[11][cadre_sim::model::Metric::MeanBelief.index()],
        m[11][cadre_sim::model::Metric::SocialValue.index()],
    ];
    assert_eq!(got, CHUNKED_GOLDEN);
}

const CHUNKED_GOLDEN: [f64; 4] = [
    0.26804123711340205, // step 0 initiative
    0.24947145877378435, // step 11 initiative
    0.2802690392030221,  // step 11 mean_belief
    80.2,                // step 11 social_value
];
