// SPDX-License-Identifier: GPL-2.0

//! Where the printer's time goes between two console writes, step by step: compiled in
//! only by a build with step timers (`make RPO_STEP_TIMERS=1`, as `make bench` builds its
//! second offload module), which adds `step_*_ns` lines to the `stats` file. In the normal
//! build every call is empty and reads no clock.
//!
//! One mark, moved by each lap: the printer claim lets one kthread print at a time, and a
//! kthread laps only while it holds the claim, so the laps of two CPUs never interleave.
//! The mark is dropped when the printer finds nothing to print, so idle time between two
//! bursts is counted nowhere.

#[cfg(rpo_step_timers)]
use crate::{ffi::cpus, stats::StatsWriter};
#[cfg(rpo_step_timers)]
use core::sync::atomic::{AtomicU64, Ordering::Relaxed};

/// A step of the printing path, in the order a record goes through them.
#[derive(Clone, Copy)]
pub(crate) enum Step {
    /// From the end of a record section to the start of the next slice: the hand-off to
    /// another CPU (or the same one), its wake-up, and the kthread's work before printing.
    Slice = 0,
    /// From a section's end (or a slice's start) to the next section's start: the
    /// printer's loop (placement checks, `cond_resched()`, statistics, the console list).
    Loop,
    /// Preemption and interrupts off, `console_trylock()`.
    Lock,
    /// Reading and formatting the record, the loglevel check.
    Read,
    /// The console's `write()`.
    Write,
    /// After the write, still in the section: sequence, statistics, the delay stamp.
    After,
    /// Interrupts back on, `console_unlock()`, preemption back on.
    Unlock,
}

#[cfg(rpo_step_timers)]
const STEPS: usize = 7;
#[cfg(rpo_step_timers)]
const NAMES: [&str; STEPS] = [
    "step_slice_ns",
    "step_loop_ns",
    "step_lock_ns",
    "step_read_ns",
    "step_write_ns",
    "step_after_ns",
    "step_unlock_ns",
];

/// The time spent in each step, and the mark the next lap counts from.
#[cfg(rpo_step_timers)]
pub(crate) struct StepTimers {
    ns: [AtomicU64; STEPS],
    laps: [AtomicU64; STEPS],
    /// The end of the last lap (0: none, the next lap only sets it).
    mark: AtomicU64,
}

#[cfg(rpo_step_timers)]
impl StepTimers {
    pub(crate) const fn new() -> Self {
        // An array repeat operand of a non-`Copy` type must be a `const` item (see
        // `OwnedConsoles::new`): each element is a fresh copy, which is the point.
        #[allow(clippy::declare_interior_mutable_const)]
        const ZERO: AtomicU64 = AtomicU64::new(0);
        Self {
            ns: [ZERO; STEPS],
            laps: [ZERO; STEPS],
            mark: ZERO,
        }
    }

    /// Charges the time since the mark to `step` and moves the mark to now.
    pub(crate) fn lap(&self, step: Step) {
        let now = cpus::now_ns();
        let mark = self.mark.swap(now, Relaxed);
        if mark != 0 && now >= mark {
            self.ns[step as usize].fetch_add(now - mark, Relaxed);
            self.laps[step as usize].fetch_add(1, Relaxed);
        }
    }

    /// Nothing to print: the time until the next lap is idle, not a step's.
    pub(crate) fn drop_mark(&self) {
        self.mark.store(0, Relaxed);
    }

    /// The `step_*_ns` lines, and `step_records` (the writes timed).
    pub(crate) fn write(&self, w: &mut StatsWriter<'_>) {
        for (name, ns) in NAMES.iter().zip(self.ns.iter()) {
            w.line(name, ns.load(Relaxed));
        }
        w.line(
            "step_records",
            self.laps[Step::Write as usize].load(Relaxed),
        );
        w.line("step_slices", self.laps[Step::Slice as usize].load(Relaxed));
    }
}

/// No step timers in this build: every call is empty.
#[cfg(not(rpo_step_timers))]
pub(crate) struct StepTimers;

#[cfg(not(rpo_step_timers))]
impl StepTimers {
    pub(crate) const fn new() -> Self {
        Self
    }

    #[inline(always)]
    pub(crate) fn lap(&self, _step: Step) {}

    #[inline(always)]
    pub(crate) fn drop_mark(&self) {}

    #[inline(always)]
    pub(crate) fn write(&self, _w: &mut crate::stats::StatsWriter<'_>) {}
}
