//! cadre-sim: agent-based simulation of cadre incentives under fault-tolerance and
//! error-correction regimes (容错纠错机制), after Cheng Weijie (2023), *Governance Studies* 39(4).
//!
//! The crate is a pipeline: a [`scenario`] (TOML plus overrides) is validated into a run plan,
//! the [`model`] core simulates replicates, [`run`] runs them in parallel and summarises them,
//! and [`output`] writes the results. The binary in `main.rs` only wires these together.
//!
//! Both front ends, the command line ([`cli`], clap) and the Python package (`python/`,
//! PyO3), stand on [`api`]: one request type per command (`run`, `compare`, `experiment`,
//! `sweep`, `did`, `calibrate`, `sensitivity`), checked by the library's own validation,
//! and one function that does the work. Nothing outside `cli/` and `main.rs` uses `cli`.
//!
//! ```
//! use cadre_sim::api::{Control, Overrides, ScenarioSource};
//! use cadre_sim::api::run::{CompareRequest, compare};
//!
//! // `cadre-sim compare strict_accountability optimized_path --steps 12 --replicates 3`,
//! // without files.
//! let request = CompareRequest {
//!     scenarios: vec![
//!         ScenarioSource::Reference("strict_accountability".into()),
//!         ScenarioSource::Reference("optimized_path".into()),
//!     ],
//!     overrides: Overrides { steps: Some(12), replicates: Some(3), ..Overrides::default() },
//!     window: None,
//! };
//! let (scenarios, window) = request.resolve().expect("valid input");
//! let (_, comparison) = compare(&scenarios, window, &Control::default()).expect("not stopped");
//! assert_eq!(comparison.replicates, 3);
//! ```

pub mod api;
pub mod calibrate;
pub mod cli;
pub mod compare;
pub mod did;
pub mod error;
pub mod experiment;
pub mod i18n;
pub mod model;
pub mod output;
pub mod plot;
pub mod report;
pub mod run;
pub mod scenario;
pub mod sensitivity;
pub mod serve;
pub mod sweep;
pub mod worldview;
