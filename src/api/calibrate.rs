//! `calibrate`: fit free parameters to observed targets with ABC-SMC, into a folder that
//! checkpoints every generation (and resumes from it), or in memory. The loop itself is
//! [`crate::calibrate::folder::execute`], the command's own: the same numbers and files.

use std::path::{Path, PathBuf};

use super::Control;
use crate::calibrate::folder;
use crate::calibrate::{CalibrationPlan, file};
use crate::error::InputError;

pub use crate::calibrate::folder::{Folder, Hooks, NO_POSTERIOR, Opened, Outcome as Calibration};

/// The file whose presence marks a finished calibration.
pub const SUMMARY_CSV: &str = folder::SUMMARY_CSV;

/// Where a calibration file comes from.
#[derive(Debug, Clone)]
pub enum CalibrationSource {
    File(PathBuf),
    /// The text of a calibration file; `origin` names it in messages.
    Text {
        origin: String,
        text: String,
    },
}

/// A calibration file with the command's overrides (`--steps`, `--replicates`,
/// `--particles`, `--generations`).
#[derive(Debug, Clone)]
pub struct CalibrateRequest {
    pub source: CalibrationSource,
    pub overrides: file::Overrides,
}

impl CalibrateRequest {
    /// The file read and checked into a plan.
    pub fn resolve(&self) -> Result<CalibrationPlan, InputError> {
        match &self.source {
            CalibrationSource::File(path) => file::load(path, &self.overrides),
            CalibrationSource::Text { origin, text } => {
                file::parse(Path::new(origin), text, &self.overrides)
            }
        }
    }
}

/// Runs the calibration: with `folder`, as `cadre-sim calibrate` does (resuming from the
/// folder's checkpoint or continuing a finished run allowed more generations, writing every
/// table, the plots and report.html); without, in memory. Returns None when no parameter
/// set gave every target a value ([`NO_POSTERIOR`]). With `control.stop` set, the run ends
/// after the generation in progress (checkpointed) with [`crate::error::Interrupted`].
/// `control.progress` is not called: `hooks` say what happens.
pub fn calibrate(
    plan: &CalibrationPlan,
    folder: Option<&Folder>,
    control: &Control,
    hooks: &Hooks,
) -> crate::error::Result<Option<Calibration>> {
    folder::execute(plan, folder, control.threads, control.stop, hooks)
}
