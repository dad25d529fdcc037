//! A sweep plan: the base scenario, the design, and what every point shares (steps,
//! replicates, seed, window), plus the hash that identifies it.
//!
//! The hash covers exactly what determines the results: [`ResolvedSweep`], serialised to
//! compact JSON and hashed with SHA-256. Names, descriptions, thread counts and shard splits
//! are outside it, so they can change without invalidating a half-finished folder.

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use super::design::Design;
use crate::error::InputError;
use crate::experiment::ExperimentOptions;
use crate::model::params::ParamId;
use crate::model::{MODEL_VERSION, ModelSpec};
use crate::scenario::{Factor, Scenario};

/// The version of the sweep folder format; part of the hash.
pub const SWEEP_FORMAT: u32 = 1;

/// Everything that determines a sweep's results, in a form that survives a JSON round trip
/// exactly (so `merge` can re-check the hash from the manifest alone).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ResolvedSweep {
    pub format: u32,
    pub model_version: String,
    /// The base scenario, fully resolved, as `cadre-sim show` prints it.
    pub base: String,
    pub steps: u32,
    pub replicates: u32,
    pub seed: u64,
    /// Final steps whose mean is each replicate's value in `results.csv`.
    pub window: u32,
    pub design: Design,
    /// Set when every point is an experiment (a base with a `[rollout]`): how the points'
    /// studies estimate. Absent from plain sweeps, whose hashes it therefore leaves alone.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub experiment: Option<ExperimentSettings>,
}

/// How each point of an experiment sweep studies its rollout: the options of `cadre-sim
/// experiment`, by the names a user gives them (so they survive the manifest's JSON).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ExperimentSettings {
    pub outcome: String,
    pub control: String,
    pub leads: u32,
    pub lags: u32,
    pub bootstrap: u32,
}

impl Default for ExperimentSettings {
    /// `cadre-sim experiment`'s defaults.
    fn default() -> Self {
        ExperimentSettings {
            outcome: "initiative".into(),
            control: "nevertreated".into(),
            leads: 6,
            lags: 12,
            bootstrap: 199,
        }
    }
}

impl ExperimentSettings {
    /// The experiment's options; the message names what is wrong.
    pub fn options(&self) -> Result<ExperimentOptions, InputError> {
        ExperimentOptions::new(
            &self.outcome,
            &self.control,
            self.leads,
            self.lags,
            self.bootstrap,
        )
    }
}

impl ResolvedSweep {
    /// `sha256:<hex>` of the compact JSON form.
    pub fn hash(&self) -> String {
        let bytes = serde_json::to_vec(self).expect("plain data serialises");
        let digest = Sha256::digest(&bytes);
        let hex: String = digest.iter().map(|b| format!("{b:02x}")).collect();
        format!("sha256:{hex}")
    }
}

/// A validated sweep, ready to run.
#[derive(Debug, Clone)]
pub struct SweepPlan {
    /// Names the default output folder (`output/<name>`).
    pub name: String,
    pub description: String,
    /// The base scenario with the sweep's steps, replicates and seed applied (private: it
    /// must stay the one `resolved` was made from).
    base: Scenario,
    resolved: ResolvedSweep,
}

impl SweepPlan {
    /// A plan over any design: the entry point for sweep files and for other generators of
    /// points (e.g. sensitivity analysis). `base` already carries steps, replicates and seed.
    pub fn new(
        name: impl Into<String>,
        description: impl Into<String>,
        base: Scenario,
        design: Design,
        window: u32,
    ) -> Result<SweepPlan, InputError> {
        let name = name.into();
        let at = || format!("sweep '{name}'");
        if window == 0 || window > base.run.steps {
            return Err(InputError::new(
                at(),
                format!(
                    "`window` = {window} must be in [1, {}] (the sweep's steps)",
                    base.run.steps
                ),
            ));
        }
        base.validate()?;
        check_points(&base, &design)?;
        let resolved = ResolvedSweep {
            format: SWEEP_FORMAT,
            model_version: MODEL_VERSION.to_string(),
            base: base.to_toml(),
            steps: base.run.steps,
            replicates: base.run.replicates,
            seed: base.run.seed,
            window,
            design,
            experiment: None,
        };
        Ok(SweepPlan {
            name,
            description: description.into(),
            base,
            resolved,
        })
    }

    /// Makes every point an experiment studied with `settings` (`cadre-sim experiment` on
    /// the point's scenario, with the sweep's replicates and seed). The base must have a
    /// `[rollout]` in which some estimator can estimate something.
    pub fn into_experiments(
        mut self,
        settings: ExperimentSettings,
    ) -> Result<SweepPlan, InputError> {
        settings.options()?;
        crate::experiment::check_scenario(&self.base)?;
        // A point that moves the places or the rollout is a different study: each must have
        // something to estimate.
        if self.design().moves_the_study() {
            for point in 0..self.design().len() {
                crate::experiment::check_scenario(&self.scenario(point))
                    .map_err(|e| at_point(&self.resolved.design, point, e))?;
            }
        }
        self.resolved.experiment = Some(settings);
        Ok(self)
    }

    /// The options of every point's experiment, for an experiment sweep.
    pub fn experiment(&self) -> Option<ExperimentOptions> {
        let settings = self.resolved.experiment.as_ref()?;
        Some(settings.options().expect("checked when the plan was made"))
    }

    /// The base scenario every point starts from.
    pub fn base(&self) -> &Scenario {
        &self.base
    }

    /// What determines the results (and the hash).
    pub fn resolved(&self) -> &ResolvedSweep {
        &self.resolved
    }

    pub fn design(&self) -> &Design {
        &self.resolved.design
    }

    pub fn hash(&self) -> String {
        self.resolved.hash()
    }

    /// The scenario of point `point`: the base with the point's values set.
    pub fn scenario(&self, point: usize) -> Scenario {
        let mut scenario = self.base.clone();
        let design = &self.resolved.design;
        for (&factor, &v) in design.params.iter().zip(&design.points[point]) {
            factor
                .apply(&mut scenario, v)
                .expect("checked when the plan was made");
        }
        scenario
    }

    /// The model of point `point`.
    pub fn model_spec(&self, point: usize) -> ModelSpec {
        self.scenario(point).model_spec()
    }

    /// Agent-steps of one replicate of `point` (cadres may be one of the varied parameters).
    pub fn agent_steps(&self, point: usize) -> u64 {
        let design = &self.resolved.design;
        let cadres = design
            .params
            .iter()
            .position(|&f| f == Factor::Param(ParamId::Cadres))
            .map_or(self.base.population.cadres as f64, |j| {
                design.points[point][j]
            });
        // An experiment simulates two worlds per replicate: with and without the rollout.
        let worlds = if self.resolved.experiment.is_some() {
            2
        } else {
            1
        };
        worlds * cadres as u64 * self.base.run.steps as u64
    }
}

/// Checks that every point of a design that moves the places or the rollout is a valid
/// scenario (places dividing the units, cohorts of at least one place within the run); a
/// design of model parameters only needs its values' ranges, checked by [`Design::new`].
fn check_points(base: &Scenario, design: &Design) -> Result<(), InputError> {
    if !design.moves_the_study() {
        return Ok(());
    }
    for (point, values) in design.points.iter().enumerate() {
        let mut scenario = base.clone();
        for (&factor, &v) in design.params.iter().zip(values) {
            factor
                .apply(&mut scenario, v)
                .map_err(|m| InputError::new(format!("sweep axis `{factor}`"), m))?;
        }
        scenario
            .validate()
            .map_err(|e| at_point(design, point, e))?;
    }
    Ok(())
}

/// `e`, said of point `point` ("point 3 (places.count = 7, rollout.start = 2): ...").
fn at_point(design: &Design, point: usize, e: InputError) -> InputError {
    let values: Vec<String> = design
        .params
        .iter()
        .zip(&design.points[point])
        .map(|(f, &v)| format!("{f} = {}", f.format(v)))
        .collect();
    InputError::new(format!("point {point} ({})", values.join(", ")), e.message)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hash_survives_a_json_round_trip_and_sees_every_value() {
        let design = Design::grid(vec![(
            ParamId::Detect.into(),
            vec![0.1, 0.30000000000000004],
        )])
        .unwrap();
        let plan = SweepPlan::new("t", "", Scenario::default(), design, 10).unwrap();
        let text = serde_json::to_string_pretty(&plan.resolved).unwrap();
        let back: ResolvedSweep = serde_json::from_str(&text).unwrap();
        assert_eq!(back.hash(), plan.hash());
        let mut changed = back.clone();
        changed.design.points[1][0] = 0.3;
        assert_ne!(changed.hash(), plan.hash());
        let mut changed = back;
        changed.window = 9;
        assert_ne!(changed.hash(), plan.hash());
    }
}
