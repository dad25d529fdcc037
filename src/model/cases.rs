//! Cases: detected honest failures and violations awaiting their decision (model.md phase 6
//! opens them, phase 1 decides them).
//!
//! The [`CaseBook`] holds the pending cases bucketed by the step of their decision, each
//! bucket in creation order (the order phase 1 draws for them), and counts what was opened
//! and decided. Opening a case is the one place a review is drawn, so the draws of a case
//! (review, then decision noise if reviewed) cannot drift apart between failures and
//! violations.

use rand::Rng;
use rand_distr::{Distribution, StandardNormal};

use super::params::Regime;
use super::rng::SimRng;
use super::world::Cadre;

/// An honest failure or a violation that was detected and awaits its decision.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Case {
    pub cadre: u32,
    pub violation: bool,
    pub reviewed: bool,
    /// Chance of being tolerated (0 when no review was started).
    pub tolerance: f64,
}

/// Counts of cases over a whole replicate, for the bookkeeping property "each detected case is
/// decided exactly once or still pending at the end".
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct CaseLedger {
    pub created: u64,
    pub decided: u64,
}

/// A detected failure or violation, as the cadre's pass hands it to [`CaseBook::open`].
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Detected {
    /// The cadre's index.
    pub cadre: u32,
    pub violation: bool,
    /// The chance that a review starts: 1 − (1 − e)(1 − self_application·b).
    pub review_chance: f64,
    /// A reviewed case's chance of being tolerated before decision noise.
    pub tolerance: f64,
}

/// The pending cases of a world and the ledger of all cases.
#[derive(Debug, Clone, Default)]
pub struct CaseBook {
    /// Pending cases, bucketed by decision step, each bucket in creation order.
    due: Vec<Vec<Case>>,
    ledger: CaseLedger,
}

impl CaseBook {
    /// Opens a case at step `t`: a review starts with probability `review_chance`; a reviewed
    /// case's tolerance is `tolerance` plus decision noise, clamped to [0, 1], and it is
    /// decided `review_delay` steps later than an unreviewed one (decided at t + 1). The
    /// cadre is blocked until the decision. Returns whether a review was started.
    #[inline]
    pub fn open(
        &mut self,
        detected: Detected,
        cadre: &mut Cadre,
        r: &Regime,
        t: u32,
        rng: &mut SimRng,
    ) -> bool {
        let reviewed = rng.random::<f64>() < detected.review_chance;
        let (tolerance, decided_at) = if reviewed {
            let eps: f64 = StandardNormal.sample(rng);
            (
                (detected.tolerance + r.decision_noise * eps).clamp(0.0, 1.0),
                t + 1 + r.review_delay,
            )
        } else {
            (0.0, t + 1)
        };
        cadre.blocked_until = cadre.blocked_until.max(decided_at);
        cadre.pending_case = true;
        self.file(
            decided_at,
            Case {
                cadre: detected.cadre,
                violation: detected.violation,
                reviewed,
                tolerance,
            },
        );
        reviewed
    }

    /// Files `case` for its decision at step `at`.
    #[inline]
    pub(crate) fn file(&mut self, at: u32, case: Case) {
        let at = at as usize;
        if self.due.len() <= at {
            self.due.resize_with(at + 1, Vec::new);
        }
        self.ledger.created += 1;
        self.due[at].push(case);
    }

    /// Takes the cases due at step `t`, in creation order, and counts them decided.
    pub fn take_due(&mut self, t: u32) -> Vec<Case> {
        let due = self
            .due
            .get_mut(t as usize)
            .map(std::mem::take)
            .unwrap_or_default();
        self.ledger.decided += due.len() as u64;
        due
    }

    /// The cases to be decided at step `t`, in creation order.
    pub fn due_at(&self, t: u32) -> &[Case] {
        self.due.get(t as usize).map_or(&[], Vec::as_slice)
    }

    /// Cases opened but not yet decided.
    pub fn pending(&self) -> u64 {
        self.due.iter().map(|b| b.len() as u64).sum()
    }

    pub fn ledger(&self) -> CaseLedger {
        self.ledger
    }
}
