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
//!
//! Overlapping hand-over (so the console does not idle while the next printer wakes up):
//! - A printer whose slice is over *invites* the kthread of another CPU (`invite`) and
//!   keeps printing.
//! - The invited kthread, once it runs, *arrives* (`arrive`); from then on it is owed the
//!   claim, and goes back to sleep until the printer hands it over and wakes it (`owns`).
//! - The printer looks for an arrival between records; whenever it stops printing, for
//!   any reason, it calls `hand_over`: an arrived successor gets the claim directly (it is
//!   never free in between, so the doorbell's reasoning above still holds, the new owner
//!   being the one that looks for records); an invitation nobody answered is withdrawn,
//!   and the claim is released as above.

use super::super::atomic::{AtomicU32, Ordering};

/// Value of the claim when no kthread holds it.
const NOBODY: u32 = u32::MAX;

/// Set in `successor` once the invited kthread runs and waits for the claim.
const ARRIVED: u32 = 1 << 31;

/// Set in `successor` (instead of `ARRIVED`) while the owner hands the claim over to it:
/// the successor can no longer withdraw.
const HANDING: u32 = 1 << 30;

/// What `hand_over` did.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(crate) enum HandOver {
    /// The claim is free; the caller must look for records (and wake a kthread for them).
    Released,
    /// The claim went straight to the kthread of this CPU, which prints next.
    Transferred(u32),
}

/// Which CPU's kthread is the printer, if any, and which one it invited to go next.
///
/// # Invariants
///
/// `owner` is `NOBODY` or the id of the CPU whose kthread holds the claim. `successor` is
/// `NOBODY`, a CPU id (invited by the owner), a CPU id with `ARRIVED` (that kthread waits
/// for the claim and is given it by the owner's next `hand_over`, unless it withdraws
/// first), or a CPU id with `HANDING` (the owner is giving it the claim now). CPU ids are
/// below `HANDING`.
pub(crate) struct PrinterClaim {
    owner: AtomicU32,
    successor: AtomicU32,
}

impl PrinterClaim {
    /// Creates an unclaimed claim.
    pub(crate) fn new() -> Self {
        Self {
            owner: AtomicU32::new(NOBODY),
            successor: AtomicU32::new(NOBODY),
        }
    }

    /// The owner's side: invites `next` to take over; false if an invitation is pending.
    pub(crate) fn invite(&self, next: u32) -> bool {
        self.successor
            .compare_exchange(NOBODY, next, Ordering::AcqRel, Ordering::Relaxed)
            .is_ok()
    }

    /// The owner's side: whether the invited kthread is waiting for the claim.
    pub(crate) fn successor_arrived(&self) -> bool {
        let s = self.successor.load(Ordering::Acquire);
        s != NOBODY && s & ARRIVED != 0
    }

    /// A kthread's side: if `cpu` was invited, answers and returns true; the claim is then
    /// owed to it (wait with `owns`).
    pub(crate) fn arrive(&self, cpu: u32) -> bool {
        self.successor
            .compare_exchange(cpu, cpu | ARRIVED, Ordering::AcqRel, Ordering::Relaxed)
            .is_ok()
    }

    /// A kthread's side, when its CPU goes away before the claim came: takes back its
    /// arrival. Fails (returns false) if the owner is handing the claim over right now:
    /// then wait until `awaits` is false, and pass the claim on (`owns`).
    pub(crate) fn withdraw(&self, cpu: u32) -> bool {
        self.successor
            .compare_exchange(cpu | ARRIVED, NOBODY, Ordering::AcqRel, Ordering::Relaxed)
            .is_ok()
    }

    /// Whether `cpu`'s kthread arrived and the claim is owed to it (not handed over yet).
    pub(crate) fn awaits(&self, cpu: u32) -> bool {
        let s = self.successor.load(Ordering::Acquire);
        s == cpu | ARRIVED || s == cpu | HANDING
    }

    /// Whether `cpu`'s kthread holds the claim (acquire: it then sees what the previous
    /// owner and every doorbell before the hand-over saw). A hand-over makes the successor
    /// the owner, then clears its arrival: it owns once both are done.
    pub(crate) fn owns(&self, cpu: u32) -> bool {
        self.owner.load(Ordering::Acquire) == cpu && !self.awaits(cpu)
    }

    /// The owner's side, whenever it stops printing: gives the claim to an arrived
    /// successor, or withdraws a pending invitation and releases the claim.
    pub(crate) fn hand_over(&self) -> HandOver {
        loop {
            let s = self.successor.load(Ordering::Acquire);
            if s == NOBODY {
                self.release();
                return HandOver::Released;
            }
            if s & ARRIVED != 0 {
                let next = s & !ARRIVED;
                // Take the arrival first (it may have been withdrawn meanwhile: look again).
                if self
                    .successor
                    .compare_exchange(s, next | HANDING, Ordering::AcqRel, Ordering::Relaxed)
                    .is_err()
                {
                    continue;
                }
                // Then the new owner, then the arrival cleared: at every moment the
                // successor either still awaits the claim or owns it, so a successor
                // whose CPU goes offline (`park`) cannot miss it. A read-modify-write,
                // like `release()`, so doorbells stay ordered with it.
                self.owner.swap(next, Ordering::AcqRel);
                self.successor.store(NOBODY, Ordering::Release);
                return HandOver::Transferred(next);
            }
            if self
                .successor
                .compare_exchange(s, NOBODY, Ordering::AcqRel, Ordering::Relaxed)
                .is_ok()
            {
                self.release();
                return HandOver::Released;
            }
            // The invited kthread arrived meanwhile: hand over to it.
        }
    }

    /// The CPU whose kthread holds the claim, if any (for statistics).
    pub(crate) fn owner(&self) -> Option<u32> {
        let o = self.owner.load(Ordering::Relaxed);
        (o != NOBODY).then_some(o)
    }

    /// Makes `cpu`'s kthread the printer; returns false if another kthread holds the claim.
    pub(crate) fn try_claim(&self, cpu: u32) -> bool {
        self.owner
            .compare_exchange(NOBODY, cpu, Ordering::Acquire, Ordering::Relaxed)
            .is_ok()
    }

    /// Gives up the claim; the caller must then look for records (and wake a kthread for any).
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
