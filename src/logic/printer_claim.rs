// SPDX-License-Identifier: GPL-2.0

//! The claim that makes one kthread at a time the printer, and the handshake that keeps a
//! record from being left behind when the printer stops.
//!
//! Protocol (model-checked with loom in `tests/host`):
//! - A kthread prints only while it holds the claim (`try_claim`).
//! - The doorbell, which runs after a record was committed, looks at the claim with a
//!   read-modify-write: if it is held, it does nothing, because the holder will look for
//!   records after releasing; otherwise it wakes a kthread.
//! - The printer releases the claim with a read-modify-write, then looks for records; if
//!   there are any, it wakes a kthread (usually on another CPU) to go on.
//!
//! Why nothing is left behind: both sides read-modify-write the same atomic, so they are
//! ordered. If the doorbell comes first, it saw the claim held, and the release (acquire)
//! reads from the doorbell's (release) operation, so the printer sees the record that was
//! committed before the doorbell ran. If the release comes first, the doorbell sees the
//! claim free and wakes a kthread itself.

use super::super::atomic::{AtomicU32, Ordering};

/// Value of the claim when no kthread holds it.
const NOBODY: u32 = u32::MAX;

/// Which CPU's kthread is the printer, if any.
///
/// # Invariants
///
/// `owner` is `NOBODY` or the id of the CPU whose kthread holds the claim.
pub(crate) struct PrinterClaim {
    owner: AtomicU32,
}

impl PrinterClaim {
    /// Creates an unclaimed claim.
    pub(crate) fn new() -> Self {
        Self {
            owner: AtomicU32::new(NOBODY),
        }
    }

    /// Makes `cpu`'s kthread the printer; returns false if another kthread holds the claim.
    pub(crate) fn try_claim(&self, cpu: u32) -> bool {
        self.owner
            .compare_exchange(NOBODY, cpu, Ordering::Acquire, Ordering::Relaxed)
            .is_ok()
    }

    /// Gives up the claim; the caller must then check for records (`after_release`).
    pub(crate) fn release(&self) {
        self.owner.swap(NOBODY, Ordering::AcqRel);
    }

    /// The doorbell's side: after a record was committed, tells whether a printer will see
    /// it (true) or a kthread must be woken (false).
    pub(crate) fn printer_will_see_new_records(&self) -> bool {
        // An RMW that changes nothing: it orders us against `release()` (see above).
        self.owner.fetch_add(0, Ordering::AcqRel) != NOBODY
    }
}
