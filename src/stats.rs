// SPDX-License-Identifier: GPL-2.0

//! Counters of what the module did, readable from any context.

use core::sync::atomic::{AtomicU64, Ordering::Relaxed};

/// What the printer kthreads did since load.
#[derive(Default)]
pub(crate) struct Stats {
    /// Records written to consoles by the kthreads (per console).
    pub(crate) records: AtomicU64,
    /// Bytes written to consoles by the kthreads.
    pub(crate) bytes: AtomicU64,
    /// Records skipped because of `console_loglevel`.
    pub(crate) suppressed: AtomicU64,
    /// Records overwritten before they could be printed (announced on the console).
    pub(crate) dropped: AtomicU64,
    /// Printing slices.
    pub(crate) slices: AtomicU64,
    /// Slices that ended with a backlog and woke the next printer.
    pub(crate) handoffs: AtomicU64,
}

impl Stats {
    /// Adds `n` to `counter`.
    pub(crate) fn add(counter: &AtomicU64, n: u64) {
        counter.fetch_add(n, Relaxed);
    }

    /// Reads `counter`.
    pub(crate) fn get(counter: &AtomicU64) -> u64 {
        counter.load(Relaxed)
    }
}
