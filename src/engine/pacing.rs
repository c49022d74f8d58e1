// SPDX-License-Identifier: GPL-2.0

//! Pacing: writers wait for the console while the consoles are being handed back, and
//! while the backlog is over `backlog_limit` (backpressure).
//!
//! A hand-back prints the backlog first (`Offload::drain`); writers that store faster
//! than the console prints would keep that backlog from ever shrinking, and whatever is
//! left when the consoles go back is printed by whichever `printk()` comes next. So, while
//! a hand-back is under way, a writer in task context waits in its `printk()` until the
//! printer is within `PACE_AHEAD` records of what was stored before it: each writer pays
//! about one record's console time per record, as it would printing it itself without the
//! module, and nobody prints more than their own share. Backpressure holds writers the
//! same way, while the printer kthread prints, until the backlog is back a little below
//! the limit: writers that outrun the console cannot overwrite what it has not printed,
//! and nobody prints anybody else's backlog.
//!
//! Only while a drainer runs (a writer must not wait for one that is yet to be woken);
//! never in NMI, hard or soft interrupt context, nor during an oops; never the drainer
//! itself or a printer inside its record section (it would wait for itself); never longer than a few records'
//! console time (`PACE_RECORDS` times the last write's duration), so a writer that holds
//! something the console driver needs delays the printer at most that long.

use super::Offload;
use crate::ffi::{cpus, kernel_state, kmsg};
use crate::stats::Stats;
use core::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering};
use kernel::alloc::{flags::GFP_KERNEL, KVec};
use kernel::prelude::*;

/// How many records may still wait in front of a paced writer's own.
const PACE_AHEAD: u64 = 2;
/// A writer waits at most this many times the last record's write.
const PACE_RECORDS: u64 = 3;
/// ... and at least this long (a console whose last write was quick).
const PACE_MIN_NS: u64 = 2_000_000;
/// How often a waiting writer looks at the consoles.
const PACE_LOOK_NS: u64 = 20_000;

/// The pacing state.
pub(crate) struct Pacing {
    /// The task printing a hand-back's backlog (`current_task()`), or 0.
    drainer: AtomicUsize,
    /// Per CPU: a printer is inside its record section there (preemption off, so the
    /// flag belongs to whatever runs on that CPU until it is cleared).
    in_section: KVec<AtomicBool>,
    /// How long the last record took to write, in nanoseconds.
    write_ns: AtomicU64,
    /// Backpressure: how many records may wait when it ends, plus one; 0 when off.
    backpressure: AtomicU64,
}

impl Pacing {
    pub(crate) fn new(nr_cpus: usize) -> Result<Self> {
        let mut in_section = KVec::with_capacity(nr_cpus, GFP_KERNEL)?;
        for _ in 0..nr_cpus {
            in_section.push(AtomicBool::new(false), GFP_KERNEL)?;
        }
        Ok(Self {
            drainer: AtomicUsize::new(0),
            in_section,
            write_ns: AtomicU64::new(0),
            backpressure: AtomicU64::new(0),
        })
    }

    /// The calling task prints a hand-back's backlog until `drained()`.
    pub(crate) fn draining(&self) {
        self.drainer.store(cpus::current_task(), Ordering::SeqCst);
    }

    /// The drain is over.
    pub(crate) fn drained(&self) {
        self.drainer.store(0, Ordering::SeqCst);
    }

    /// A printer enters (`true`) or leaves its record section on `cpu`, with preemption
    /// off.
    pub(crate) fn set_in_section(&self, cpu: u32, on: bool) {
        if let Some(f) = self.in_section.get(cpu as usize) {
            f.store(on, Ordering::Relaxed);
        }
    }

    /// Backpressure on (`Some(records that may wait when it ends)`) or off.
    pub(crate) fn set_backpressure(&self, resume_at: Option<u64>) {
        self.backpressure
            .store(resume_at.map_or(0, |r| r + 1), Ordering::Relaxed);
    }

    /// Whether backpressure is on, and how many records may wait when it ends.
    pub(crate) fn backpressure(&self) -> Option<u64> {
        self.backpressure.load(Ordering::Relaxed).checked_sub(1)
    }

    /// A record took `ns` to write.
    pub(crate) fn note_write(&self, ns: u64) {
        self.write_ns.store(ns, Ordering::Relaxed);
    }

    /// Whether a writer on `cpu` (which it cannot leave) may wait: in task context, not
    /// a printer (it would wait for itself), not during an oops.
    fn may_wait(&self, cpu: u32) -> bool {
        self.drainer.load(Ordering::SeqCst) != cpus::current_task()
            && cpus::in_task(cpu)
            && !self
                .in_section
                .get(cpu as usize)
                .is_some_and(|f| f.load(Ordering::Relaxed))
            && !kernel_state::oops_in_progress()
    }
}

impl Offload {
    /// How many records may wait in front of a writer now: `PACE_AHEAD` while a drainer
    /// prints a hand-back's backlog, the backpressure's resume point while the printer
    /// prints under backpressure; `None`: the writer goes on (nobody is printing who would
    /// end its wait).
    fn pace_allowance(&self) -> Option<u64> {
        if self.handing_back() {
            return (self.pacing.drainer.load(Ordering::SeqCst) != 0).then_some(PACE_AHEAD);
        }
        if self.kernel_prints() || self.printer.claim.owner().is_none() {
            return None;
        }
        self.pacing.backpressure()
    }

    /// In the printk() caller, with interrupts off (`vprintk_store()`), before its record
    /// is committed: waits while the console is far behind (see the module doc).
    pub(crate) fn pace(&self, cpu: u32) {
        if self.pace_allowance().is_none() || !self.pacing.may_wait(cpu) {
            return;
        }
        // Records stored before this one (the one being stored is not committed yet).
        let next = kmsg::next_seq();
        let start = cpus::now_ns();
        let limit = (PACE_RECORDS * self.pacing.write_ns.load(Ordering::Relaxed)).max(PACE_MIN_NS);
        Stats::add(&self.stats.writers_paced, 1);
        loop {
            let Some(allowed) = self.pace_allowance() else {
                return;
            };
            let target = next.saturating_sub(allowed);
            if self
                .consoles
                .survey(false)
                .lowest_seq
                .is_none_or(|low| low >= target)
            {
                return;
            }
            let now = cpus::now_ns();
            if now.saturating_sub(start) >= limit {
                Stats::add(&self.stats.pacing_timeouts, 1);
                return;
            }
            while cpus::now_ns().saturating_sub(now) < PACE_LOOK_NS {
                core::hint::spin_loop();
            }
        }
    }
}
