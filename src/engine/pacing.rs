// SPDX-License-Identifier: GPL-2.0

//! Pacing: writers wait for the console while the consoles are being handed back, and
//! while the backlog is over `backlog_limit` (backpressure).
//!
//! A hand-back prints the backlog first (`Offload::drain`); writers that store faster
//! than the console prints would keep that backlog from ever shrinking. So while a drainer
//! runs, a writer waits in its `printk()` until the drainer is within a record of what was
//! stored before it, for at most one record's write time (the wait runs with interrupts
//! off, inside `vprintk_store()`, like the kernel's own write of one record): writers are
//! held to the console's pace, and no writer ever prints anybody else's backlog.
//! Backpressure holds writers the same way while the printer kthread prints, one record's
//! progress per record stored: writers that outrun the console cannot overwrite what it
//! has not printed.
//!
//! Only where the caller of printk() is preemptible task context as the preempt count
//! tells it (no interrupt, softirq or NMI, no spinlock, no section that disables
//! preemption); never during an oops. Under backpressure never on the printer kthread's
//! CPU (it could not make progress meanwhile). A drain's writers wait on the drainer's CPU
//! too: there the drainer normally cannot print during the wait, which is then a pause of
//! one record's write time per record, about what printing its own record would cost the
//! writer without the module; a writer sharing that CPU with the drainer (a kernel
//! thread: never held on the way back to user space) would otherwise outrun it. The wait
//! is bounded by the last record's write time, itself capped (`PACE_CAP_NS`).
//!
//! A caller that turned interrupts off without raising the preempt count
//! (`local_irq_save()`, `printk_cpu_sync_get_irqsave()` around `dump_stack()`) looks
//! preemptible here. So a CPU waits once per section with interrupts off: a wait leaves
//! the CPU marked until the doorbell's interrupts-on work runs there
//! (`Doorbell::after_irqs_on`), which for a preemptible caller is as soon as its printk()
//! returns, and a marked CPU does not wait again.
//!
//! Under backpressure, and while a hand-back prints the backlog, a user task's first record
//! in a system call holds the task where it may sleep instead: on its way back to user
//! space (`ffi/resume_work.rs`), until the backlog is below the limit, or printed. That
//! wait holds any number of writers, on any CPU (the printer's too), with interrupts on;
//! the one-record wait above stays for kernel threads, for a task's further records in
//! the same call, and for a task whose head could not be queued.

use super::callbacks::Callbacks;
use super::Offload;
use crate::ffi::hold_queue::HoldQueue;
use crate::ffi::resume_work::{Queueing, ResumeWorks};
use crate::ffi::{cpus, kernel_state, kmsg};
use crate::stats::Stats;
use core::sync::atomic::{AtomicBool, AtomicU32, AtomicU64, AtomicUsize, Ordering};
use kernel::alloc::{flags::GFP_KERNEL, KVec};
use kernel::prelude::*;

/// While a drainer runs, how many records may still wait in front of a writer's own.
const DRAIN_AHEAD: u64 = 1;
/// Longest wait of one writer for one record, whatever the last write took.
const PACE_CAP_NS: u64 = 250_000_000;
/// How often a waiting writer looks at the consoles.
const PACE_LOOK_NS: u64 = 20_000;
/// Longest hold of a user task on its way back to user space.
const HOLD_MAX_NS: u64 = 1_000_000_000;
/// Longest sleep of a held task between two looks, in jiffies: it is woken when the
/// backlog goes below the limit, when backpressure or a hand-back ends, and at unload;
/// the timeout only bounds a wake-up that a change nobody signals would have needed.
const HOLD_STEP_JIFFIES: i64 = 1;
/// No drainer's CPU.
const NO_CPU: u32 = u32::MAX;

/// The pacing state, and who drains.
pub(crate) struct Pacing {
    /// A context prints a hand-back's backlog (one at a time).
    draining: AtomicBool,
    /// The task that does (`current_task()`), or 0; and the CPU it last printed on.
    drainer: AtomicUsize,
    drainer_cpu: AtomicU32,
    /// Per CPU: a printer is inside its record section there (preemption off, so the
    /// flag belongs to whatever runs on that CPU until it is cleared).
    in_section: KVec<AtomicBool>,
    /// Per CPU: a writer waited there, and interrupts have not been on since (cleared by
    /// the doorbell's interrupts-on work, which a CPU going offline runs in its dying
    /// callbacks; no writer waits on a CPU that is not online).
    waited: KVec<AtomicBool>,
    /// How long the slowest console took for its record in the last round, in ns.
    write_ns: AtomicU64,
    /// Backpressure on.
    backpressure: AtomicBool,
    /// Where user tasks are held under backpressure.
    pub(crate) resume: ResumeWorks,
    /// Where held user tasks sleep.
    pub(crate) held: HoldQueue,
}

impl Pacing {
    pub(crate) fn new(nr_cpus: usize) -> Result<Self> {
        let mut in_section = KVec::with_capacity(nr_cpus, GFP_KERNEL)?;
        let mut waited = KVec::with_capacity(nr_cpus, GFP_KERNEL)?;
        for _ in 0..nr_cpus {
            in_section.push(AtomicBool::new(false), GFP_KERNEL)?;
            waited.push(AtomicBool::new(false), GFP_KERNEL)?;
        }
        Ok(Self {
            draining: AtomicBool::new(false),
            drainer: AtomicUsize::new(0),
            drainer_cpu: AtomicU32::new(NO_CPU),
            in_section,
            waited,
            write_ns: AtomicU64::new(0),
            backpressure: AtomicBool::new(false),
            resume: ResumeWorks::new()?,
            held: HoldQueue::new()?,
        })
    }

    /// Becomes the drainer, unless another context is one.
    pub(crate) fn start_drain(&self) -> bool {
        if self.draining.swap(true, Ordering::SeqCst) {
            return false;
        }
        self.drainer.store(cpus::current_task(), Ordering::SeqCst);
        true
    }

    /// The drainer is about to print on `cpu`.
    pub(crate) fn drainer_on(&self, cpu: u32) {
        self.drainer_cpu.store(cpu, Ordering::SeqCst);
    }

    /// The drain is over.
    pub(crate) fn end_drain(&self) {
        self.drainer_cpu.store(NO_CPU, Ordering::SeqCst);
        self.drainer.store(0, Ordering::SeqCst);
        self.draining.store(false, Ordering::SeqCst);
        self.held.wake_all();
    }

    /// A printer enters (`true`) or leaves its record section on `cpu`, with preemption
    /// off.
    pub(crate) fn set_in_section(&self, cpu: u32, on: bool) {
        if let Some(f) = self.in_section.get(cpu as usize) {
            f.store(on, Ordering::Relaxed);
        }
    }

    /// Interrupts are on again on `cpu` (hard-irq context there): its writers may wait.
    pub(crate) fn irqs_on(&self, cpu: u32) {
        if let Some(f) = self.waited.get(cpu as usize) {
            f.store(false, Ordering::Relaxed);
        }
    }

    /// The slowest console took `ns` for its record in the last round.
    pub(crate) fn note_record(&self, ns: u64) {
        self.write_ns.store(ns, Ordering::Relaxed);
    }

    /// How long the slowest console took for its record in the last round, in ns.
    pub(crate) fn record_ns(&self) -> u64 {
        self.write_ns.load(Ordering::Relaxed)
    }

    /// Backpressure on or off.
    pub(crate) fn set_backpressure(&self, on: bool) {
        self.backpressure.store(on, Ordering::Relaxed);
        if !on {
            self.held.wake_all();
        }
    }

    /// Whether backpressure is on.
    pub(crate) fn backpressure(&self) -> bool {
        self.backpressure.load(Ordering::Relaxed)
    }

    /// Whether a writer on `cpu` (which it cannot leave) may wait at all. Not on a CPU
    /// going offline (its dying callbacks run with interrupts off, in the stopper thread,
    /// which looks preemptible): there the interrupts-on work could be raised after the
    /// last run of the CPU's irq_work list, and stay queued for good.
    fn may_wait(&self, cpu: u32) -> bool {
        cpus::cpu_online(cpu)
            && cpus::tracepoint_caller_preemptible(cpu)
            && self.drainer.load(Ordering::SeqCst) != cpus::current_task()
            && !self
                .in_section
                .get(cpu as usize)
                .is_some_and(|f| f.load(Ordering::Relaxed))
            && !self
                .waited
                .get(cpu as usize)
                .is_some_and(|f| f.load(Ordering::Relaxed))
            && !kernel_state::oops_in_progress()
    }

    /// The longest wait for `records` records.
    fn limit_ns(&self, records: u64) -> u64 {
        (records * self.write_ns.load(Ordering::Relaxed)).clamp(PACE_LOOK_NS, PACE_CAP_NS)
    }
}

/// What a writer waits for.
#[derive(Clone, Copy)]
enum Wait {
    /// The drainer within `DRAIN_AHEAD` records of the records stored before the writer's.
    Drainer,
    /// One record of progress of the printer, under backpressure.
    Progress,
}

impl Offload {
    /// What a writer on `cpu` would wait for now, if anything. A drain's writer waits on
    /// the drainer's CPU too (see the module doc).
    fn pace_wait(&self, cpu: u32) -> Option<Wait> {
        if self.mode.emergency.handing_back() {
            let d = self.pacing.drainer_cpu.load(Ordering::SeqCst);
            return (d != NO_CPU).then_some(Wait::Drainer);
        }
        if !self.pacing.backpressure() || self.mode.emergency.kernel_prints() {
            return None;
        }
        let printer = self.printer.claim.owner()?;
        (printer != cpu).then_some(Wait::Progress)
    }

    /// Whether a user task that stores a record now is to be held on its way back to user
    /// space: under backpressure, or while a hand-back prints the backlog.
    fn holding_writers(&self) -> bool {
        self.mode.emergency.handing_back() || self.backpressure_holds()
    }

    /// Whether backpressure is on and the module prints the consoles (when the kernel
    /// prints them, its callers are paced by their own printing).
    fn backpressure_holds(&self) -> bool {
        self.pacing.backpressure() && !self.mode.emergency.kernel_prints()
    }

    /// Whether a held task is still to wait: the hand-back has not printed the backlog
    /// yet, or backpressure holds and the backlog is at or above its limit.
    fn hold_wanted(&self) -> bool {
        if self.mode.emergency.handing_back() {
            return true;
        }
        if !self.backpressure_holds() {
            return false;
        }
        let limit = self.backlog_limit_now();
        limit != 0 && self.backlog_records() >= limit
    }

    /// In the printk() caller, with interrupts off (`vprintk_store()`), before its record
    /// is committed: waits while the console is far behind (see the module doc).
    pub(crate) fn pace(&self, cpu: u32) {
        // A user task's first record under backpressure: held on its way back to user
        // space, where it may sleep. Its further records in the same system call (one
        // call can store thousands: sysrq-t) wait here, as a kernel thread's do.
        if self.holding_writers()
            && cpus::tracepoint_caller_preemptible(cpu)
            && !kernel_state::oops_in_progress()
            && self.pacing.resume.queue_for_current::<Callbacks>() == Queueing::Queued
        {
            return;
        }
        let Some(wait) = self.pace_wait(cpu) else {
            return;
        };
        if !self.pacing.may_wait(cpu) {
            return;
        }
        let Some(low0) = self.consoles.survey(false).lowest_seq else {
            return;
        };
        // Records stored before this one (the one being stored is not committed yet: the
        // printer is never asked to reach it).
        let target = match wait {
            Wait::Drainer => kmsg::next_seq().saturating_sub(DRAIN_AHEAD),
            Wait::Progress => low0 + 1,
        };
        Stats::add(&self.stats.writers_paced, 1);
        self.wait_for_consoles(cpu, target);
    }

    /// `pace`'s wait, in the printk() caller with interrupts off (as `after_irqs_on()`
    /// needs): spins until the consoles reach `target`, pacing ends, or one record's
    /// console time has passed.
    fn wait_for_consoles(&self, cpu: u32, target: u64) {
        let limit = self.pacing.limit_ns(1);
        let start = cpus::now_ns();
        let mut marked = false;
        loop {
            if self.pace_wait(cpu).is_none()
                || self
                    .consoles
                    .survey(false)
                    .lowest_seq
                    .map_or(true, |low| low >= target)
            {
                return;
            }
            let now = cpus::now_ns();
            if now.saturating_sub(start) >= limit {
                Stats::add(&self.stats.pacing_timeouts, 1);
                return;
            }
            // Once per section with interrupts off, and only a wait that takes time: the
            // CPU is marked until they are on again.
            if !marked {
                if let Some(f) = self.pacing.waited.get(cpu as usize) {
                    f.store(true, Ordering::Relaxed);
                }
                self.doorbell.after_irqs_on();
                marked = true;
            }
            while cpus::now_ns().saturating_sub(now) < PACE_LOOK_NS {
                core::hint::spin_loop();
            }
        }
    }

    /// A held user task returns to user space (process context): sleeps while a hand-back
    /// prints the backlog, or while backpressure holds and the backlog is at or above its
    /// limit; for at most `HOLD_MAX_NS`, or until a signal is pending.
    pub(crate) fn hold_writer(&self) {
        self.hold_while_over_limit();
        if !kernel_state::module_live() {
            // A writer on its way out while the module unloads (the test build can keep
            // it here: the unload must wait for it).
            crate::test_hooks::pause("resume:unloading");
        }
    }

    fn hold_while_over_limit(&self) {
        if cpus::current_exiting() {
            return;
        }
        let start = cpus::now_ns();
        let mut held = false;
        // `accepting()` first: once the unload stopped the pool, no task starts a sleep in
        // module code. A sleep is a quiescent state for the Tasks RCU grace period the
        // unload waits for: a task asleep in here would let it end while still in here.
        let wanted = || self.pacing.resume.accepting() && self.hold_wanted();
        while wanted() {
            if !held {
                Stats::add(&self.stats.writers_held, 1);
                held = true;
            }
            if cpus::signal_pending() {
                return;
            }
            if cpus::now_ns().saturating_sub(start) >= HOLD_MAX_NS {
                Stats::add(&self.stats.pacing_timeouts, 1);
                return;
            }
            // Until the printer says the backlog is below the limit (`wake_held`): a held
            // writer goes on at the console's pace, and does not take the printer's CPU.
            self.pacing.held.sleep(wanted, HOLD_STEP_JIFFIES);
        }
    }

    /// After the printer wrote a record: wakes the held tasks if they no longer need to
    /// wait. Process context.
    pub(crate) fn wake_held(&self) {
        self.pacing.held.wake_all_if(|| !self.hold_wanted());
    }
}
