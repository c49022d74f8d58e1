// SPDX-License-Identifier: GPL-2.0

//! What a printer does at a record boundary once its slice budget is spent: the hand-over
//! policy.
//!
//! With the budget spent, the printer asks the placement policy for a successor, once per
//! slice:
//! - [`Choice::Keep`]: nobody should take over (the printer's CPU is not wanted, or no
//!   other CPU may print): a new slice begins on the same CPU.
//! - [`Choice::Invited`]: the kthread of another CPU was invited and kicked. The printer
//!   keeps printing until that kthread arrives, or for `grace_ns` at most, so that the
//!   console never waits for a wake-up and an invitation nobody answers does not keep
//!   the printer forever.
//! - [`Choice::Nobody`]: the invitation could not be made (one is already pending): the
//!   printer stops, and whoever it hands the claim to goes on.

/// The placement policy's answer at a spent slice.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(crate) enum Choice {
    /// Go on here with a new slice.
    Keep,
    /// Another CPU's kthread was invited.
    Invited,
    /// The invitation could not be made.
    Nobody,
}

/// What the printer does next.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(crate) enum Next {
    /// Print the next record in the same slice.
    Print,
    /// Start a new slice here (after any housekeeping owed).
    Renew,
    /// Stop printing and hand the claim over.
    Stop,
}

/// The end of one slice, across the record boundaries after its budget is spent.
///
/// # Invariants
///
/// `invited_at` is set once per slice, when the policy invited a successor, and only then.
pub(crate) struct SliceEnd {
    invited_at: Option<u64>,
    grace_ns: u64,
}

impl SliceEnd {
    /// The end of a slice whose printer waits `grace_ns` at most for an invited successor.
    pub(crate) fn new(grace_ns: u64) -> Self {
        Self {
            invited_at: None,
            grace_ns,
        }
    }

    /// At a record boundary at `now_ns`: `spent` says whether the slice budget is used up;
    /// `choose` asks the placement policy (called at most once per slice, and only with
    /// the budget spent); `arrived` says whether the invited successor waits for the
    /// claim. After [`Next::Renew`] the caller starts a new budget, and this end starts
    /// over.
    pub(crate) fn next(
        &mut self,
        now_ns: u64,
        spent: bool,
        choose: impl FnOnce() -> Choice,
        arrived: impl FnOnce() -> bool,
    ) -> Next {
        if !spent {
            return Next::Print;
        }
        if let Some(t) = self.invited_at {
            return if arrived() || now_ns.saturating_sub(t) >= self.grace_ns {
                Next::Stop
            } else {
                Next::Print
            };
        }
        match choose() {
            Choice::Keep => Next::Renew,
            Choice::Invited => {
                self.invited_at = Some(now_ns);
                Next::Print
            }
            Choice::Nobody => Next::Stop,
        }
    }
}
