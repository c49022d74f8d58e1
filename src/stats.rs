// SPDX-License-Identifier: GPL-2.0

//! Counters of what the module did since load, readable from any context, and their text
//! form for `/proc/sys/kernel/printk_offload/stats` (one `name value` pair per line).
//!
//! Each counter is declared once, in [`counters!`], under the name the file shows.

use crate::logic::wait_histogram::{self, WaitHistogram};
use core::sync::atomic::{AtomicU64, Ordering::Relaxed};
use kernel::alloc::{flags::GFP_KERNEL, KVec};
use kernel::prelude::*;

/// Declares the counters: the struct, its zero value and its lines in the file, from one
/// list, so that the three cannot drift apart.
macro_rules! counters {
    ($($(#[doc = $doc:literal])+ $name:ident,)*) => {
        /// The module's counters (see each field); `cpu_records` is per CPU id.
        pub(crate) struct Stats {
            $($(#[doc = $doc])+ pub(crate) $name: AtomicU64,)*
            /// Records written by each CPU's kthread (`cpuN_records`).
            pub(crate) cpu_records: KVec<AtomicU64>,
            /// The store-to-write delay of each record written (the `wait_histogram` file).
            pub(crate) wait_histogram: WaitHistogram,
        }

        impl Stats {
            /// Zeroed counters for `nr_cpus` CPU ids.
            pub(crate) fn new(nr_cpus: usize) -> Result<Self> {
                let mut cpu_records = KVec::with_capacity(nr_cpus, GFP_KERNEL)?;
                for _ in 0..nr_cpus {
                    cpu_records.push(AtomicU64::new(0), GFP_KERNEL)?;
                }
                Ok(Self {
                    $($name: AtomicU64::new(0),)*
                    cpu_records,
                    wait_histogram: WaitHistogram::new(),
                })
            }

            /// Writes every counter as a `name value` line.
            pub(crate) fn write_counters(&self, w: &mut StatsWriter<'_>) {
                $(w.line(stringify!($name), self.$name.load(Relaxed));)*
            }
        }
    };
}

counters! {
    /// Records written to consoles by the kthreads (per console).
    records_offloaded,
    /// Bytes written to consoles by the kthreads.
    bytes_offloaded,
    /// Of `records_offloaded`, records printed before a hand-back to the kernel (the
    /// backlog the module owed when emergency mode began).
    records_drained,
    /// Records stored while the kernel printed the consoles itself (emergency mode).
    records_sync,
    /// Records not shown because of the console loglevel they were stored under.
    records_suppressed,
    /// Records overwritten (or cleared) before they could be printed; announced on the
    /// console as the kernel does.
    records_dropped,
    /// Kernel records below `urgent_loglevel` seen by the doorbell.
    records_urgent,
    /// Printing slices.
    slices,
    /// Slice ends where the printer kept its CPU (`adaptive_placement`).
    slices_kept,
    /// Slices that ended with a backlog and passed printing on.
    handoffs,
    /// Of those, hand-offs where the invited successor was already running and got the
    /// claim directly (the overlapping hand-over).
    handovers,
    /// Records whose writer waited for the console while a hand-back printed its backlog.
    writers_paced,
    /// User tasks held on their way back to user space, by backpressure until the backlog
    /// was below the limit, or by a hand-back until it was printed (one per system call).
    writers_held,
    /// Of the waits of `writers_paced` and `writers_held`, those that ended at their time
    /// limit rather than with the printer near.
    pacing_timeouts,
    /// Times the printer found `console_lock` taken and waited.
    lock_busy,
    /// Times emergency mode was entered.
    emergency_entries,
    /// Hand-backs made with records still owed, because writers outran the console
    /// during the drain; those records are printed as the drainer releases a sleeping
    /// `console_lock()`, preemptible between records.
    handbacks_outrun,
    /// Largest backlog (records) a printer found when it started a slice.
    max_backlog,
    /// Longest time from a record's timestamp to its write on a console, in µs.
    max_wait_us,
    /// Times the starvation fallback was entered.
    starvations,
    /// Times the backlog passed `backlog_limit` (backpressure).
    backpressure_entries,
    /// Consoles taken over (at load and later).
    consoles_taken_over,
    /// Consoles that were unregistered while the module held them.
    consoles_departed,
    /// Consoles whose backlog the module printed between their unregistration notice and
    /// their removal (up to the records stored when the notice was seen).
    consoles_flushed,
    /// PM notifier calls (prepare and post).
    pm_events,
    /// syscore calls (suspend, resume, shutdown).
    syscore_events,
    /// Records stored while suspend or hibernation was under way, for which the doorbell
    /// was not rung (no irq_work is queued once suspend has started).
    doorbells_withheld,
}

impl Stats {
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

    /// Writes the store-to-write histogram: a header, then `from_us to_us records` per
    /// bucket (`to_us` excluded; `-` for the last bucket, which has no upper bound).
    pub(crate) fn write_wait_histogram(&self, w: &mut StatsWriter<'_>) {
        use core::fmt::Write;
        let _ = writeln!(w, "from_us to_us records");
        for i in 0..wait_histogram::BUCKETS {
            let (from, to) = wait_histogram::bounds(i);
            let count = self.wait_histogram.count(i);
            let _ = match to {
                Some(to) => writeln!(w, "{} {} {}", from, to, count),
                None => writeln!(w, "{} - {}", from, count),
            };
        }
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
    pub(crate) fn line(&mut self, name: impl core::fmt::Display, value: impl core::fmt::Display) {
        let _ = core::fmt::Write::write_fmt(self, format_args!("{} {}\n", name, value));
    }

    /// Bytes written.
    pub(crate) fn len(&self) -> usize {
        self.len
    }

    /// Appends `bytes` (as much as fits).
    pub(crate) fn bytes(&mut self, bytes: &[u8]) {
        let n = bytes.len().min(self.room());
        self.out[self.len..self.len + n].copy_from_slice(&bytes[..n]);
        self.len += n;
    }

    /// Bytes still free.
    pub(crate) fn room(&self) -> usize {
        self.out.len() - self.len
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
