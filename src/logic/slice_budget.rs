// SPDX-License-Identifier: GPL-2.0

//! How long one printer may keep printing before it hands off to another CPU.
//!
//! A slice is bounded by time (default 20 ms) and by bytes (default 16 KiB), whichever ends
//! first, but holds at least `MIN_RECORDS` records: on a slow console, where one record
//! outlasts the time bound, every slice end would otherwise invite another CPU, and each
//! hand-off leaves the console idle while the successor gets going. The printer is
//! preemptible between records, so a longer slice keeps no task off the CPU.
//!
//! The slice also records whether another task wanted the printer's CPU: the printer looks
//! after every record, once it has offered the CPU (`cond_resched()`), and the CPU counts
//! as wanted if it was at least half the looks. A single look would mistake a kworker or
//! an RCU kthread that runs for a few microseconds for a task kept off the CPU.

/// The fewest records (written or skipped) a slice holds.
pub(crate) const MIN_RECORDS: u64 = 4;

/// The budget of one printing slice.
pub(crate) struct SliceBudget {
    start_ns: u64,
    limit_ns: u64,
    bytes: u64,
    limit_bytes: u64,
    records: u64,
    looks: u32,
    wanted: u32,
}

impl SliceBudget {
    /// Starts a slice at `now_ns` that may last `limit_ns` and write `limit_bytes`.
    pub(crate) fn new(now_ns: u64, limit_ns: u64, limit_bytes: u64) -> Self {
        Self {
            start_ns: now_ns,
            limit_ns,
            bytes: 0,
            limit_bytes,
            records: 0,
            looks: 0,
            wanted: 0,
        }
    }

    /// Accounts `records` records (written or skipped) of `bytes` bytes in all.
    pub(crate) fn charge(&mut self, records: u64, bytes: usize) {
        self.bytes = self.bytes.saturating_add(bytes as u64);
        self.records += records;
    }

    /// Whether the slice is used up at `now_ns` (never before its `MIN_RECORDS`th record).
    pub(crate) fn exhausted(&self, now_ns: u64) -> bool {
        self.records >= MIN_RECORDS
            && (self.bytes >= self.limit_bytes
                || now_ns.saturating_sub(self.start_ns) >= self.limit_ns)
    }

    /// Notes whether another task was waiting for the printer's CPU at a record boundary.
    pub(crate) fn note_wanted(&mut self, wanted: bool) {
        self.looks = self.looks.saturating_add(1);
        self.wanted = self.wanted.saturating_add(u32::from(wanted));
    }

    /// Whether another task was waiting for the printer's CPU at least half the time.
    pub(crate) fn cpu_wanted(&self) -> bool {
        self.looks > 0 && self.wanted >= self.looks.div_ceil(2)
    }
}
