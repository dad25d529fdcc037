//! The model core (model.md, version 1): parameters, the world of one replicate, one step,
//! the metrics it records, and the one loop that drives worlds under observers
//! ([`drive()`]). Pure: no files, flags or plotting in here.
//!
//! - `world`: the state of one replicate and its step, phase by phase;
//! - `groups`: which unit each cadre belongs to, which place each unit;
//! - `places`: places, their rollout and implementation strength (extension 1.2);
//! - `cases`: detected cases awaiting their decision;
//! - `drive`: the driver loop and its [`Observer`]s.

pub mod cases;
pub mod drive;
pub mod fastmath;
pub mod groups;
pub mod metrics;
pub mod params;
pub mod places;
pub mod rng;
pub mod world;

pub use drive::{Flow, Observer, Record, drive};
pub use groups::Groups;

pub use metrics::Tally;
pub use metrics::{Metric, N_METRICS, StepMetrics};
pub use params::{Population, Regime, RunParams};
pub use places::{Places, PublishScope, Rollout};
pub use world::{CHUNK_CADRES, CadreStatus, Event, ModelSpec, Place, SeatChoice, World};

/// The version of the model this engine implements: the contract's 1.1 with the places
/// extension (docs/model.md, "Extension 1.2"), as the contract writes versions: a string, so
/// that minor versions read as they are cited. One place is 1.1 exactly.
pub const MODEL_VERSION: &str = "1.3";

/// Simulates one replicate of `spec` for `steps` steps, with the generator of
/// `(seed, replicate)`.
pub fn simulate(spec: &ModelSpec, steps: u32, seed: u64, replicate: u64) -> Vec<StepMetrics> {
    World::new(spec, rng::replicate_rng(seed, replicate)).run(steps)
}
