// SPDX-License-Identifier: GPL-2.0

//! The starvation watch: do the kthreads get the CPU time to print what is owed?
//!
//! Sampled at every doorbell (any CPU, hard-irq context, concurrently) and by the watch
//! timer. The caller passes how long the printers have spent in their record sections so
//! far (`busy_ms`, a running total: the time they actually ran printing), the consoles'
//! oldest owed record and the next sequence number the ring will give.
//!
//! While records are owed, the watch measures windows of half the limit. A window is
//! starved when a record that was owed when it began is still owed when it ends, and the
//! printers ran for less than a quarter of it. That finds a printer stopped outright (a
//! real-time task took its CPU: found within the limit) and one that only trickles
//! (real-time throttling leaves it a few percent of its CPU: each record still moves, but
//! ten or a hundred times slower than the console could take them). A healthy printer
//! behind a slow console spends nearly all its time writing; one that printed everything
//! owed at the window's start was not starved, however little it ran (records that come
//! one by one, far apart).
//!
//! A sample with nothing owed ends the window, so an idle period never counts.
//!
//! Samplers exclude each other with a flag they only try: one that finds it taken skips
//! its sample (another is taking one at that moment), so no sampler ever waits and a
//! window is judged, and reported, once.

use super::super::atomic::{AtomicU32, AtomicU64, Ordering};

/// A window is starved when the printers ran for less than `1 / STARVED_SHARE` of it.
const STARVED_SHARE: u64 = 4;

/// The current window.
///
/// # Invariants
///
/// `start_ms`, `busy_ms` and `target` are written only by the holder of `sampling` (which
/// also sets `armed`; `disarm` may clear it at any time), and describe the current window
/// when `armed` is 1: when it began, the busy total then, and the next sequence number
/// then (every record below it was owed or printed by then).
pub(crate) struct StarvationWatch {
    sampling: AtomicU32,
    armed: AtomicU32,
    start_ms: AtomicU64,
    busy_ms: AtomicU64,
    target: AtomicU64,
}

/// What one sample saw.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Sample {
    /// The printers' time in record sections so far, in ms.
    pub(crate) busy_ms: u64,
    /// The consoles' oldest owed record (the lowest next sequence number).
    pub(crate) oldest: u64,
    /// Whether that record exists: something is owed.
    pub(crate) pending: bool,
    /// The next sequence number the ring will give.
    pub(crate) next_seq: u64,
    /// The time, in ms.
    pub(crate) now_ms: u64,
}

impl StarvationWatch {
    /// A disarmed watch.
    pub(crate) fn new() -> Self {
        Self {
            sampling: AtomicU32::new(0),
            armed: AtomicU32::new(0),
            start_ms: AtomicU64::new(0),
            busy_ms: AtomicU64::new(0),
            target: AtomicU64::new(0),
        }
    }

    /// One sample. Returns true if the window that just ended (at least `limit_ms / 2`
    /// long, records owed throughout) was a starved one. Any context.
    pub(crate) fn sample(&self, s: Sample, limit_ms: u64) -> bool {
        if self
            .sampling
            .compare_exchange(0, 1, Ordering::Acquire, Ordering::Relaxed)
            .is_err()
        {
            return false;
        }
        let starved = self.judge(s, limit_ms);
        self.sampling.store(0, Ordering::Release);
        starved
    }

    fn judge(&self, s: Sample, limit_ms: u64) -> bool {
        if !s.pending {
            self.armed.store(0, Ordering::Relaxed);
            return false;
        }
        if self.armed.load(Ordering::Relaxed) == 0 {
            self.start(s);
            return false;
        }
        let start = self.start_ms.load(Ordering::Relaxed);
        // A sample whose clock reads before the window began (another CPU's clock runs a
        // little ahead) has not waited.
        let Some(elapsed) = s.now_ms.checked_sub(start) else {
            return false;
        };
        if elapsed < window_ms(limit_ms) {
            return false;
        }
        let caught_up = s.oldest >= self.target.load(Ordering::Relaxed);
        let ran = s
            .busy_ms
            .saturating_sub(self.busy_ms.load(Ordering::Relaxed));
        self.start(s);
        !caught_up && ran * STARVED_SHARE < elapsed
    }

    fn start(&self, s: Sample) {
        self.start_ms.store(s.now_ms, Ordering::Relaxed);
        self.busy_ms.store(s.busy_ms, Ordering::Relaxed);
        self.target.store(s.next_seq, Ordering::Relaxed);
        self.armed.store(1, Ordering::Relaxed);
    }

    /// Ends the current window (e.g. when the kthreads take the consoles back). A
    /// sampler at this moment may start it again: that one saw records owed.
    pub(crate) fn disarm(&self) {
        self.armed.store(0, Ordering::Relaxed);
    }
}

/// A window: half the limit, so a printer stopped just after one window began is found at
/// the end of the next, within the limit.
fn window_ms(limit_ms: u64) -> u64 {
    (limit_ms / 2).max(1)
}
