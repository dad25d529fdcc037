//! `run` and `compare`: one scenario's replicates, or several scenarios run with common
//! random numbers and compared by paired differences.

use super::{Control, Overrides, ScenarioSource};
use crate::compare::{Comparison, check_common_run};
use crate::error::InputError;
use crate::run::{RunOptions, RunResult, final_window, run_scenario_until};
use crate::scenario::Scenario;

/// The paper's three headline regimes, compared when no scenario is named.
pub const HEADLINE: [&str; 3] = [
    "strict_accountability",
    "nominal_tolerance",
    "optimized_path",
];

/// One scenario's replicates.
#[derive(Debug, Clone)]
pub struct RunRequest {
    pub scenario: ScenarioSource,
    pub overrides: Overrides,
    /// Final steps averaged (default 10, or all steps of a shorter run).
    pub window: Option<u32>,
}

impl RunRequest {
    /// The scenario with every override applied, and the final window; checked.
    pub fn resolve(&self) -> Result<(Scenario, u32), InputError> {
        let scenario = self.overrides.load(&self.scenario)?;
        let window = final_window(self.window, scenario.run.steps)?;
        Ok((scenario, window))
    }
}

/// Runs every replicate of `scenario` in parallel. None when `control.stop` was set before
/// every replicate finished.
pub fn run(scenario: &Scenario, control: &Control) -> Option<RunResult> {
    let tick = || control.tick();
    let options = RunOptions {
        threads: control.threads,
        on_replicate_done: Some(&tick),
    };
    run_scenario_until(scenario, &options, control.stop)
}

/// Several scenarios with the same overrides, compared with common random numbers.
#[derive(Debug, Clone, Default)]
pub struct CompareRequest {
    /// The scenarios, the first being the baseline; none means [`HEADLINE`].
    pub scenarios: Vec<ScenarioSource>,
    pub overrides: Overrides,
    pub window: Option<u32>,
}

impl CompareRequest {
    /// The scenarios named (or the headline three).
    pub fn sources(&self) -> Vec<ScenarioSource> {
        if self.scenarios.is_empty() {
            HEADLINE
                .iter()
                .map(|n| ScenarioSource::Reference(n.to_string()))
                .collect()
        } else {
            self.scenarios.clone()
        }
    }

    /// Loads every scenario with the overrides, checks that they have distinct names and
    /// share a run (common random numbers), and returns them with the final window.
    pub fn resolve(&self) -> Result<(Vec<Scenario>, u32), InputError> {
        let scenarios = self
            .sources()
            .iter()
            .map(|s| self.overrides.load(s))
            .collect::<Result<Vec<_>, _>>()?;
        check_comparable(scenarios, self.window)
    }
}

/// Checks scenarios already loaded with their overrides: distinct names, one shared run;
/// returns them with the final window (`window`, checked, or its default).
pub fn check_comparable(
    scenarios: Vec<Scenario>,
    window: Option<u32>,
) -> Result<(Vec<Scenario>, u32), InputError> {
    for (i, s) in scenarios.iter().enumerate() {
        if scenarios[..i].iter().any(|t| t.name == s.name) {
            return Err(InputError::new(
                format!("scenario '{}'", s.name),
                "is listed twice; name each scenario once",
            ));
        }
    }
    check_common_run(&scenarios)?;
    let window = final_window(window, scenarios[0].run.steps)?;
    Ok((scenarios, window))
}

/// Runs every scenario in order (replicates in parallel) and compares them. None when
/// stopped.
pub fn compare(
    scenarios: &[Scenario],
    window: u32,
    control: &Control,
) -> Option<(Vec<RunResult>, Comparison)> {
    let results = run_all(scenarios, control)?;
    let comparison = Comparison::of(&results, window);
    Some((results, comparison))
}

/// Runs every scenario in order, replicates in parallel. None when stopped.
pub fn run_all(scenarios: &[Scenario], control: &Control) -> Option<Vec<RunResult>> {
    scenarios.iter().map(|s| run(s, control)).collect()
}
