// SPDX-License-Identifier: GPL-2.0

//! Counters of what the module did since load, readable from any context, and their text
//! form for `/proc/sys/kernel/printk_offload/stats` (one `name value` pair per line).

use core::sync::atomic::{AtomicU64, Ordering::Relaxed};
use kernel::alloc::{flags::GFP_KERNEL, KVec};
use kernel::prelude::*;

/// Counters; per-CPU ones indexed by CPU id.
pub(crate) struct Stats {
    /// Records written to consoles by the kthreads (per console).
    pub(crate) records: AtomicU64,
    /// Bytes written to consoles by the kthreads.
    pub(crate) bytes: AtomicU64,
    /// Records stored while the kernel printed the consoles itself (emergency mode).
    pub(crate) sync_records: AtomicU64,
    /// Records skipped because of `console_loglevel`.
    pub(crate) suppressed: AtomicU64,
    /// Records overwritten before they could be printed (announced on the console).
    pub(crate) dropped: AtomicU64,
    /// Printing slices.
    pub(crate) slices: AtomicU64,
    /// Slices that ended with a backlog and woke the next printer.
    pub(crate) handoffs: AtomicU64,
    /// Of those, hand-offs where the invited successor was already running and got the
    /// claim directly (the overlapping hand-over).
    pub(crate) handovers: AtomicU64,
    /// Times emergency mode was entered.
    pub(crate) emergency_entries: AtomicU64,
    /// Largest backlog (records) a printer found when it started a slice.
    pub(crate) max_backlog: AtomicU64,
    /// Longest time from a record's timestamp to its write on a console, in ns.
    pub(crate) max_wait_ns: AtomicU64,
    /// Times the starvation fallback was entered.
    pub(crate) starvations: AtomicU64,
    /// PM notifier calls (prepare and post).
    pub(crate) pm_events: AtomicU64,
    /// syscore calls (suspend, resume, shutdown).
    pub(crate) syscore_events: AtomicU64,
    /// Reboot notifier calls.
    pub(crate) reboot_events: AtomicU64,
    /// Panic notifier calls.
    pub(crate) panic_events: AtomicU64,
    /// Records written by each CPU's kthread.
    pub(crate) per_cpu_records: KVec<AtomicU64>,
}

impl Stats {
    /// Zeroed counters for `nr_cpus` CPU ids.
    pub(crate) fn new(nr_cpus: usize) -> Result<Self> {
        let mut per_cpu_records = KVec::with_capacity(nr_cpus, GFP_KERNEL)?;
        for _ in 0..nr_cpus {
            per_cpu_records.push(AtomicU64::new(0), GFP_KERNEL)?;
        }
        Ok(Self {
            records: AtomicU64::new(0),
            bytes: AtomicU64::new(0),
            sync_records: AtomicU64::new(0),
            suppressed: AtomicU64::new(0),
            dropped: AtomicU64::new(0),
            slices: AtomicU64::new(0),
            handoffs: AtomicU64::new(0),
            handovers: AtomicU64::new(0),
            emergency_entries: AtomicU64::new(0),
            max_backlog: AtomicU64::new(0),
            max_wait_ns: AtomicU64::new(0),
            starvations: AtomicU64::new(0),
            pm_events: AtomicU64::new(0),
            syscore_events: AtomicU64::new(0),
            reboot_events: AtomicU64::new(0),
            panic_events: AtomicU64::new(0),
            per_cpu_records,
        })
    }

    /// Adds `n` to `counter`.
    pub(crate) fn add(counter: &AtomicU64, n: u64) {
        counter.fetch_add(n, Relaxed);
    }

    /// Raises `counter` to `v` if `v` is larger.
    pub(crate) fn max(counter: &AtomicU64, v: u64) {
        counter.fetch_max(v, Relaxed);
    }

    /// Reads `counter`.
    pub(crate) fn get(counter: &AtomicU64) -> u64 {
        counter.load(Relaxed)
    }
}

/// Writes `name value\n` lines into a byte buffer, dropping what does not fit.
pub(crate) struct StatsWriter<'a> {
    out: &'a mut [u8],
    len: usize,
}

impl<'a> StatsWriter<'a> {
    /// Writes into `out`.
    pub(crate) fn new(out: &'a mut [u8]) -> Self {
        Self { out, len: 0 }
    }

    /// Appends one line.
    pub(crate) fn line(&mut self, name: core::fmt::Arguments<'_>, value: u64) {
        let _ = core::fmt::Write::write_fmt(self, format_args!("{} {}\n", name, value));
    }

    /// Bytes written.
    pub(crate) fn len(&self) -> usize {
        self.len
    }
}

impl core::fmt::Write for StatsWriter<'_> {
    fn write_str(&mut self, s: &str) -> core::fmt::Result {
        let room = self.out.len() - self.len;
        let n = s.len().min(room);
        self.out[self.len..self.len + n].copy_from_slice(&s.as_bytes()[..n]);
        self.len += n;
        if n < s.len() {
            Err(core::fmt::Error)
        } else {
            Ok(())
        }
    }
}
