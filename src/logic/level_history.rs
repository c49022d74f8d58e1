// SPDX-License-Identifier: GPL-2.0

//! The console loglevel each record was stored under.
//!
//! The kernel decides whether a console shows a record by comparing the record's level
//! with `console_loglevel` when it prints it; printing synchronously, that is when the
//! record is stored. Printing later from a kthread must use the loglevel in force when the
//! record was stored, or output that depends on a brief change is lost: sysrq raises the
//! loglevel just for its own header (`sysrq: HELP : ...`, `Loglevel set to N`), so with a
//! quiet loglevel the console shows those lines without the module and would not with it.
//!
//! The printk() caller's side ([`LevelHistory::observe`], in the `console` tracepoint
//! probe, any context) compares the loglevel with the last one seen and, on a change,
//! notes from which sequence number on the new level holds (the caller supplies that
//! boundary: the next sequence number of the ring buffer, read only on a change, is at or
//! before the record being stored). The printer's side ([`LevelHistory::level_at`]) looks
//! up the level for a record's sequence number. Changes within the last [`SLOTS`] are
//! kept; a record older than all of them gets the current level.

use super::super::atomic::{AtomicU32, AtomicU64, Ordering};

/// How many loglevel changes are remembered.
pub(crate) const SLOTS: usize = 64;

/// An unused slot.
const EMPTY: u64 = u64::MAX;

/// Loglevels are clamped to this (every record level is below it: all are shown).
const LEVEL_CAP: u32 = 15;

/// Recent changes of the console loglevel, by sequence number.
///
/// # Invariants
///
/// Each slot is `EMPTY` or `boundary << 8 | level`: records from sequence number
/// `boundary` on were stored under `level` (until the next boundary). `last` is the level
/// the probe saw last.
pub(crate) struct LevelHistory {
    slots: [AtomicU64; SLOTS],
    next: AtomicU32,
    last: AtomicU32,
}

fn clamp(level: i32) -> u32 {
    level.clamp(0, LEVEL_CAP as i32) as u32
}

impl LevelHistory {
    /// A history that starts with `level` for every record.
    pub(crate) fn new(level: i32) -> Self {
        let h = Self {
            slots: core::array::from_fn(|_| AtomicU64::new(EMPTY)),
            next: AtomicU32::new(1),
            last: AtomicU32::new(clamp(level)),
        };
        h.slots[0].store(u64::from(clamp(level)), Ordering::Relaxed);
        h
    }

    /// The caller's side, for every record stored: `level` is the console loglevel now;
    /// `boundary` is called only if it changed since the last call, and gives a sequence
    /// number at or before the record being stored. Any context; no lock, no wait.
    pub(crate) fn observe(&self, level: i32, boundary: impl FnOnce() -> u64) {
        let level = clamp(level);
        let last = self.last.load(Ordering::Relaxed);
        if level == last {
            return;
        }
        // One recorder per change; another CPU seeing the same change at the same time
        // records nothing (its boundary would be the same or later).
        if self
            .last
            .compare_exchange(last, level, Ordering::AcqRel, Ordering::Relaxed)
            .is_err()
        {
            return;
        }
        let b = boundary().min(u64::MAX >> 9);
        let i = self.next.fetch_add(1, Ordering::Relaxed) as usize % SLOTS;
        self.slots[i].store(b << 8 | u64::from(level), Ordering::Release);
    }

    /// The console loglevel record `seq` was stored under, or `current` if the record is
    /// older than every remembered change.
    pub(crate) fn level_at(&self, seq: u64, current: i32) -> i32 {
        let mut best: Option<(u64, u32)> = None;
        for slot in &self.slots {
            let v = slot.load(Ordering::Acquire);
            if v == EMPTY {
                continue;
            }
            let (boundary, level) = (v >> 8, (v & 0xff) as u32);
            if boundary <= seq && best.map_or(true, |(b, _)| boundary >= b) {
                best = Some((boundary, level));
            }
        }
        best.map_or(current, |(_, level)| level as i32)
    }
}
