// SPDX-License-Identifier: GPL-2.0

//! How many records the ring buffer holds, from what the only exported reader shows.
//!
//! The kmsg_dump iterator reports the oldest record it can read, which is the ring's
//! oldest, except that `dmesg -c`/`-C` (`SYSLOG_ACTION_CLEAR`) makes it start at the
//! cleared point: right after a clear, the ring looks nearly empty. The two differ in how
//! that first record moves. A wrapped ring overwrites its oldest records as new ones come,
//! so its first record advances a little at a time (by about what was stored since, far
//! less than the ring); a clear makes it jump over everything seen stored, then stand
//! still. So a span counts only when the first record advanced by less than half the span
//! seen at the previous look, and the estimate is the largest such span (a clear never
//! lowers it). The doorbell looks about every tick while records are stored, so a ring
//! does not turn over by half between two looks.

use super::super::atomic::{AtomicU64, Ordering};

/// The estimate, updated by any CPU's doorbell (racing updates only lose a sample).
pub(crate) struct RingEstimate {
    /// The first and next sequence numbers at the last look.
    first: AtomicU64,
    next: AtomicU64,
    /// The largest span seen in a wrapped ring; 0: not wrapped yet, as far as seen.
    records: AtomicU64,
}

impl RingEstimate {
    /// Nothing seen yet.
    pub(crate) fn new() -> Self {
        Self {
            first: AtomicU64::new(0),
            next: AtomicU64::new(0),
            records: AtomicU64::new(0),
        }
    }

    /// A look: the iterator's first readable record (`None`: none) and the next sequence
    /// number. Returns the records the ring holds, `None` while it has not wrapped.
    pub(crate) fn observe(&self, first: Option<u64>, next: u64) -> Option<u64> {
        if let Some(first) = first {
            let (was_first, was_next) = (
                self.first.swap(first, Ordering::Relaxed),
                self.next.swap(next, Ordering::Relaxed),
            );
            // Overwritten records: the first advanced, by less than half the ring.
            let span_was = was_next.saturating_sub(was_first);
            if first > was_first && (first - was_first).saturating_mul(2) <= span_was {
                self.records
                    .fetch_max(next.saturating_sub(first), Ordering::Relaxed);
            }
        }
        self.records()
    }

    /// The records the ring holds as last estimated, `None` while it has not wrapped.
    pub(crate) fn records(&self) -> Option<u64> {
        match self.records.load(Ordering::Relaxed) {
            0 => None,
            n => Some(n),
        }
    }
}
