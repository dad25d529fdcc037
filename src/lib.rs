//! cadre-sim: agent-based simulation of cadre incentives under fault-tolerance and
//! error-correction regimes (容错纠错机制), after Cheng Weijie (2023), *Governance Studies* 39(4).
//!
//! The crate is a pipeline: a [`scenario`] (TOML plus overrides) is validated into a run plan,
//! the [`model`] core simulates replicates, [`run`] runs them in parallel and summarises them,
//! and [`output`] writes the results. The binary in `main.rs` only wires these together.

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
