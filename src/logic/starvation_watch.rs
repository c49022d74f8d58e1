// SPDX-License-Identifier: GPL-2.0

//! The starvation watch: has the oldest unprinted record been stuck for too long?
//!
//! Sampled at every doorbell (any CPU, hard-irq context, concurrently): the caller passes
//! the consoles' lowest next sequence number and whether that record exists yet (is
//! pending). The watch arms on a pending record and fires if the same record is still the
//! oldest pending one `limit` later: no record was printed in that time although one was
//! waiting. It re-arms whenever the oldest pending record changes (progress), and is
//! disarmed by a sample with nothing pending, so an idle period never counts as waiting
//! (timing from a "caught up" flag instead would let a doorbell consume the flag in the
//! printer's last instant, and a burst after a quiet second would then look starved).
//!
//! Sequence number (low 32 bits) and arming time (ms, 32 bits) share one atomic, so
//! concurrent samplers never pair one's record with the other's time. 32 bits suffice:
//! equal low bits for different records would need 2^32 records printed between two
//! samples, and times are compared with wrapping arithmetic over at most a minute.

use super::super::atomic::{AtomicU64, Ordering};

/// Armed on nothing.
const DISARMED: u64 = u64::MAX;

/// The record being watched and since when.
///
/// # Invariants
///
/// `state` is `DISARMED` or `(seq as u32) << 32 | (armed_ms as u32)`.
pub(crate) struct StarvationWatch {
    state: AtomicU64,
}

impl StarvationWatch {
    /// A disarmed watch.
    pub(crate) fn new() -> Self {
        Self {
            state: AtomicU64::new(DISARMED),
        }
    }

    /// One sample: `oldest` is the lowest next record of the consoles, `pending` whether
    /// it exists. Returns true if it has been the oldest pending record for `limit_ms` or
    /// more (the watch then re-arms, so a later sample fires only after another
    /// `limit_ms`).
    pub(crate) fn sample(&self, oldest: u64, pending: bool, now_ms: u64, limit_ms: u64) -> bool {
        let cur = self.state.load(Ordering::Relaxed);
        if !pending {
            if cur != DISARMED {
                let _ = self.state.compare_exchange(
                    cur,
                    DISARMED,
                    Ordering::Relaxed,
                    Ordering::Relaxed,
                );
            }
            return false;
        }
        let fresh = pack(oldest, now_ms);
        if cur == DISARMED || (cur >> 32) as u32 != oldest as u32 {
            // A new oldest record: start timing it. Losing the race to another sampler
            // is fine, it armed on the same or a newer state.
            let _ = self
                .state
                .compare_exchange(cur, fresh, Ordering::Relaxed, Ordering::Relaxed);
            return false;
        }
        // A signed difference: a sample taken before the arming (its clock was read before
        // another CPU armed, or that CPU's clock reads slightly ahead) has not waited.
        // Limits are far below 2^31 ms.
        let waited = (now_ms as u32).wrapping_sub(cur as u32) as i32;
        if waited < 0 || (waited as u64) < limit_ms {
            return false;
        }
        // Only the sampler that re-arms reports, so one stall fires once per `limit_ms`.
        self.state
            .compare_exchange(cur, fresh, Ordering::Relaxed, Ordering::Relaxed)
            .is_ok()
    }

    /// Forgets the watched record (e.g. when the kthreads take the consoles back).
    pub(crate) fn disarm(&self) {
        self.state.store(DISARMED, Ordering::Relaxed);
    }
}

fn pack(seq: u64, ms: u64) -> u64 {
    let v = (u64::from(seq as u32) << 32) | u64::from(ms as u32);
    // `DISARMED` is all ones: nudge the one colliding value by a millisecond.
    if v == DISARMED {
        v - 1
    } else {
        v
    }
}
