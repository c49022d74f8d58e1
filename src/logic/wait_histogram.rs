// SPDX-License-Identifier: GPL-2.0

//! The delay from a record's store to its write on a console, as a log2 histogram: one
//! relaxed add per record written, cheap enough to keep on, and a distribution where
//! `max_wait_us` shows only the worst record.
//!
//! Bucket 0 counts delays under 1 µs; bucket `i` (`1 <= i < BUCKETS - 1`) counts delays of
//! `2^(i-1)` µs up to (not including) `2^i` µs; the last bucket counts every delay from
//! `2^(BUCKETS-2)` µs (about 67 s) on.

use super::super::atomic::{AtomicU64, Ordering};

/// Number of buckets.
pub(crate) const BUCKETS: usize = 28;

/// The bucket of a delay of `us` microseconds.
pub(crate) fn bucket(us: u64) -> usize {
    let bits = (u64::BITS - us.leading_zeros()) as usize;
    bits.min(BUCKETS - 1)
}

/// The bounds of bucket `i` in µs: its first value, and the first value of the next
/// bucket (`None` for the last, which has no upper bound).
pub(crate) fn bounds(i: usize) -> (u64, Option<u64>) {
    let lower = if i == 0 { 0 } else { 1u64 << (i - 1) };
    let upper = if i + 1 < BUCKETS {
        Some(1u64 << i)
    } else {
        None
    };
    (lower, upper)
}

/// Counts of delays per bucket, updated from any context.
pub(crate) struct WaitHistogram {
    counts: [AtomicU64; BUCKETS],
}

impl WaitHistogram {
    /// Every bucket empty.
    pub(crate) fn new() -> Self {
        Self {
            counts: core::array::from_fn(|_| AtomicU64::new(0)),
        }
    }

    /// Counts one record written `us` microseconds after it was stored.
    pub(crate) fn record(&self, us: u64) {
        // Relaxed: each bucket is a counter on its own; a reader sums a moment's view.
        self.counts[bucket(us)].fetch_add(1, Ordering::Relaxed);
    }

    /// Records counted in bucket `i`.
    pub(crate) fn count(&self, i: usize) -> u64 {
        self.counts[i].load(Ordering::Relaxed)
    }
}
