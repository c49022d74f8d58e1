// SPDX-License-Identifier: GPL-2.0

//! The printer: one kthread at a time holds the printer claim (`logic/printer_claim.rs`)
//! and prints bounded slices, then hands over to the next CPU.
//!
//! Emitting each record: `emit.rs`.

use super::emit::Round;
use super::step_timers::Step;
use super::{Ctx, Offload};
use crate::ffi::console_list::ConsoleLocked;
use crate::ffi::{cpus, kernel_state, kmsg};
use crate::logic::level_history::LevelHistory;
use crate::logic::printer_claim::{HandOver, PrinterClaim};
use crate::logic::slice_budget::SliceBudget;
use crate::logic::slice_end::{Choice, Next, SliceEnd};
use crate::stats::Stats;
use crate::tunables::Tunable;
use core::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use kernel::alloc::{flags::GFP_KERNEL, KVec};
use kernel::prelude::*;

/// The console path's output buffer size (`PRINTK_MESSAGE_MAX` in kernel/printk/internal.h,
/// not exported): a record formatted in a buffer this size is truncated as the kernel
/// truncates it.
pub(super) const PRINTK_MESSAGE_MAX: usize = 2048;

/// How often `printk.ignore_loglevel` is read again.
const SETTINGS_REFRESH_NS: u64 = 1_000_000_000;

/// The printer's state.
pub(crate) struct Printer {
    pub(crate) claim: PrinterClaim,
    /// The record being written; the holder of `console_lock` uses it.
    pub(super) record: ConsoleLocked<KVec<u8>>,
    /// The console loglevel each record was stored under.
    pub(crate) levels: LevelHistory,
    /// Whether the kernel prints consoles in syslog format (fixed at boot).
    pub(super) syslog_format: AtomicBool,
    /// `printk.ignore_loglevel`, and when it was last read.
    pub(super) ignore_loglevel: AtomicBool,
    settings_read_ns: AtomicU64,
    /// The time the printers have spent in record sections, in ns: what the starvation
    /// watch measures their CPU time by.
    pub(crate) busy_ns: AtomicU64,
}

impl Printer {
    pub(crate) fn new() -> Result<Self> {
        Ok(Self {
            claim: PrinterClaim::new(),
            record: ConsoleLocked::new(KVec::from_elem(0u8, PRINTK_MESSAGE_MAX, GFP_KERNEL)?),
            levels: LevelHistory::new(kernel_state::console_loglevel()),
            syslog_format: AtomicBool::new(false),
            ignore_loglevel: AtomicBool::new(false),
            settings_read_ns: AtomicU64::new(0),
            busy_ns: AtomicU64::new(0),
        })
    }

    /// Reads the kernel's console settings (process context): the message format once,
    /// `ignore_loglevel` now and then.
    pub(crate) fn load_settings(&self) {
        match kernel_state::syslog_console_format() {
            Some(s) => self.syslog_format.store(s, Ordering::Relaxed),
            None => {
                pr_warn!("cannot read /proc/cmdline: assuming the default console message format\n")
            }
        }
        self.refresh_settings();
    }

    fn refresh_settings(&self) {
        let now = cpus::now_ns();
        let last = self.settings_read_ns.load(Ordering::Relaxed);
        if last != 0 && now.saturating_sub(last) < SETTINGS_REFRESH_NS {
            return;
        }
        self.settings_read_ns.store(now.max(1), Ordering::Relaxed);
        if let Some(v) = kernel_state::ignore_loglevel() {
            self.ignore_loglevel.store(v, Ordering::Relaxed);
        }
    }
}

impl Offload {
    /// `cpu`'s kthread, kicked or handed the claim. Process context.
    pub(crate) fn run_on(&self, cpu: u32) {
        self.placement.take_kick(cpu);
        if self.mode.housekeeping_owed() {
            self.housekeeping();
        }
        if self.placement.eligible(cpu) {
            self.end_starvation(cpu);
        }
        if self.mode.emergency.handing_back() {
            // Any kthread prints the backlog of a hand-back, whatever the mask says.
            self.drain(true);
        }
        if !self.printer.claim.owns(cpu) {
            if self.mode.emergency.active() {
                return;
            }
            if !self.placement.eligible(cpu) {
                // Left the mask (or the CPU is going): pass the work on.
                if self.backlog() {
                    self.kick_from(cpu, Ctx::Sleepable);
                }
                return;
            }
            if self.printer.claim.arrive(cpu) {
                // Invited by the printer: it hands the claim over at its next record
                // boundary (it must, once we arrived) and wakes us (`should_run`).
                return;
            }
            if !self.printer.claim.try_claim(cpu) {
                // Another printer is active; it looks for records after it releases.
                return;
            }
        }
        // We hold the claim: whatever happens, `finish_printing` passes it on, before any
        // drain (a successor waiting for it may be parking: its CPU is going offline).
        if !self.mode.emergency.active() && self.placement.eligible(cpu) {
            self.print_slice(cpu);
        }
        self.finish_printing(cpu);
        if self.mode.emergency.handing_back() {
            self.drain(true);
        }
    }

    /// The claim holder on `cpu` stops printing: hands the claim to an arrived successor
    /// and wakes it, or releases the claim and wakes a kthread for any backlog.
    pub(crate) fn finish_printing(&self, cpu: u32) {
        match self.printer.claim.hand_over() {
            HandOver::Transferred(next) => {
                Stats::add(&self.stats.handoffs, 1);
                Stats::add(&self.stats.handovers, 1);
                self.threads.wake(next);
            }
            HandOver::Released => {
                if !self.mode.emergency.active() && self.backlog() {
                    Stats::add(&self.stats.handoffs, 1);
                    self.kick_from(cpu, Ctx::Sleepable);
                }
            }
        }
    }

    /// Whether a console the module prints has a record left.
    pub(crate) fn backlog(&self) -> bool {
        self.consoles
            .survey(self.mode.emergency.kernel_prints())
            .lowest_seq
            .is_some_and(kmsg::has_record_from)
    }

    /// The number of records not yet printed on the consoles the module prints.
    pub(crate) fn backlog_records(&self) -> u64 {
        self.consoles
            .survey(self.mode.emergency.kernel_prints())
            .lowest_seq
            .map_or(0, |low| kmsg::next_seq().saturating_sub(low))
    }

    /// Prints records, console by console in turns, until caught up, emergency mode
    /// begins, `cpu` leaves the mask, or a slice is over and the next printer is ready.
    /// At the end of each slice the placement policy (`successor`) either keeps the
    /// printer here for another slice or invites the kthread of another CPU; this one
    /// keeps printing until it arrives (so the console never waits for a wake-up), or for
    /// one more slice at most.
    fn print_slice(&self, cpu: u32) {
        self.steps.lap(Step::Slice);
        self.printer.refresh_settings();
        Stats::max(&self.stats.max_backlog, self.backlog_records());
        let slice_ns = self.tunables.get(Tunable::SliceUs) * 1000;
        let bytes = self.tunables.get(Tunable::SliceBytes);
        let mut budget = SliceBudget::new(cpus::now_ns(), slice_ns, bytes);
        let mut end = SliceEnd::new(slice_ns);
        let mut busy_since = None;
        loop {
            match self.print_round() {
                Round::Idle => {
                    self.steps.drop_mark();
                    break;
                }
                Round::Busy => {
                    if self.lock_busy(&mut busy_since, slice_ns) {
                        continue;
                    }
                    break;
                }
                Round::Printed {
                    written,
                    bytes,
                    skipped,
                } => {
                    busy_since = None;
                    budget.charge(written + skipped, bytes);
                    self.count_offloaded(cpu, written, bytes);
                }
            }
            // A CPU going offline waits for its kthread: not for a backlog.
            if !self.placement.in_mask(cpu)
                || self.mode.emergency.active()
                || cpus::kthread_should_park()
            {
                break;
            }
            // Looked at once the CPU was offered: a task that needed it briefly is done.
            cpus::cond_resched();
            budget.note_wanted(cpus::cpu_wanted());
            if self.slice_over(cpu, &mut budget, &mut end, slice_ns) {
                break;
            }
        }
        Stats::add(&self.stats.slices, 1);
    }

    /// Someone holds console_lock (a tty operation, the kernel printing the consoles it
    /// owns): waits a little and returns true, within the slice (`busy_since`: when the
    /// lock was first found taken); false once the slice is over.
    fn lock_busy(&self, busy_since: &mut Option<u64>, slice_ns: u64) -> bool {
        Stats::add(&self.stats.lock_busy, 1);
        let now = cpus::now_ns();
        if now.saturating_sub(*busy_since.get_or_insert(now)) >= slice_ns {
            return false;
        }
        cpus::sleep_us(200, 500);
        true
    }

    /// Counts `written` records of `bytes` bytes, printed by the kthread of `cpu`.
    fn count_offloaded(&self, cpu: u32, written: u64, bytes: usize) {
        Stats::add(&self.stats.records_offloaded, written);
        Stats::add(&self.stats.bytes_offloaded, bytes as u64);
        if let Some(c) = self.stats.cpu_records.get(cpu as usize) {
            Stats::add(c, written);
        }
    }

    /// At a record boundary of `cpu`'s slice: whether the printer stops here (the policy:
    /// `SliceEnd`). A slice kept on this CPU starts after the housekeeping this CPU's
    /// kthread was asked for (it is us).
    fn slice_over(
        &self,
        cpu: u32,
        budget: &mut SliceBudget,
        end: &mut SliceEnd,
        slice_ns: u64,
    ) -> bool {
        let now = cpus::now_ns();
        let wanted = budget.cpu_wanted();
        let next = end.next(
            now,
            budget.exhausted(now),
            || self.invite_successor(cpu, wanted),
            || self.printer.claim.successor_arrived(),
        );
        match next {
            Next::Print => false,
            Next::Stop => true,
            Next::Renew => {
                Stats::add(&self.stats.slices_kept, 1);
                if self.mode.housekeeping_owed() {
                    self.housekeeping();
                }
                *budget = SliceBudget::new(now, slice_ns, self.tunables.get(Tunable::SliceBytes));
                false
            }
        }
    }

    /// Asks the placement policy whether another CPU should print next and, if so,
    /// invites and kicks its kthread.
    fn invite_successor(&self, cpu: u32, wanted: bool) -> Choice {
        let adaptive = self.tunables.get(Tunable::AdaptivePlacement) != 0;
        match self.placement.successor(cpu, wanted, adaptive) {
            Some(next) if self.printer.claim.invite(next) => {
                self.kick(next, Ctx::Sleepable);
                Choice::Invited
            }
            // The invitation raced with another printer's.
            Some(_) => Choice::Nobody,
            None => Choice::Keep,
        }
    }
}
