// SPDX-License-Identifier: GPL-2.0

//! Backpressure: when more records wait for the consoles than a limit, printk() callers
//! print synchronously (as without the module) until the backlog is a little below the
//! limit again.
//!
//! Without it, writers faster than the console run ahead of it until the ring buffer
//! overwrites records the console never got: offloading would lose more than the kernel
//! does without the module. With it, writers are held to the console's pace once the
//! backlog reaches the limit, as they are without the module.
//!
//! The band between entering and leaving is narrow (a sixteenth of the limit): a caller
//! that prints synchronously prints until the backlog is back under the band, so a wide
//! band would stall one caller for many records, where the kernel without the module
//! spreads the printing over its callers a record or a few at a time.

/// The limit in force: `tunable` if set; else (0, automatic) three quarters of the records
/// the ring buffer holds once it has wrapped (`ring_records`, `None` before: then no record
/// a console still needs can be overwritten, and there is no limit).
pub(crate) fn effective_limit(tunable: u64, ring_records: Option<u64>) -> u64 {
    match tunable {
        0 => ring_records.map_or(0, |n| n / 4 * 3 + n % 4 * 3 / 4),
        n => n,
    }
}

/// The backlog at or below which backpressure ends, for `limit` (> 0).
pub(crate) fn resume_at(limit: u64) -> u64 {
    limit - (limit / 16).max(1)
}

/// What the watch does with the backlog it sees.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum Step {
    /// Backpressure begins: the backlog passed the limit.
    Enter,
    /// Backpressure ends: the backlog is down to `resume_at`, or there is no limit.
    Leave,
    /// Nothing changes.
    Stay,
}

/// The step for a backlog of `waiting` records, with backpressure `active` or not, under
/// `limit` (0: none).
pub(crate) fn step(active: bool, waiting: u64, limit: u64) -> Step {
    match (active, limit) {
        (true, 0) => Step::Leave,
        (true, _) if waiting <= resume_at(limit) => Step::Leave,
        (false, l) if l > 0 && waiting > l => Step::Enter,
        _ => Step::Stay,
    }
}
