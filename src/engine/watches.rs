// SPDX-License-Identifier: GPL-2.0

//! The watches the doorbell (and the watch timer) run: the kernel's state (oops, system
//! state), starvation of the printers, urgent records, and the backlog limit. Each raises
//! or clears an emergency reason; none prints.

use super::mode::{Ctx, Mode, DRAIN, URGENT_DELAY};
use super::Offload;
use crate::ffi::{cpus, kernel_state, kmsg};
use crate::logic::backpressure::{self, Step};
use crate::logic::emergency::Reason;
use crate::logic::record_text::syslog_class;
use crate::logic::starvation_watch::Sample;
use crate::stats::Stats;
use crate::tunables::Tunable;
use core::sync::atomic::Ordering;

/// How long emergency mode outlasts the last urgent record: a report (WARN, oops, RCU
/// stall) is a burst of records from one CPU.
const URGENT_HOLD_NS: u64 = 250_000_000;
/// Records one doorbell classifies at most (bounds the interrupt handler's work; the rest
/// wait for the next doorbell, which the watch timer rings if no record does).
const URGENT_SCAN_MAX: u64 = 256;
/// An urgent record that waits at least this long behind the records in front of it (at
/// the console's pace) is said in the log.
const URGENT_DELAY_NOTE_NS: u64 = 1_000_000_000;

impl Offload {
    /// Ends reasons whose condition is gone (oops over, system running again). Doorbell.
    pub(crate) fn settle_kernel_state(&self) {
        if self.mode.emergency.has(Reason::OOPS) && !kernel_state::oops_in_progress() {
            self.clear(Reason::OOPS, Ctx::Atomic);
        }
        if self.mode.emergency.has(Reason::SYSTEM_STATE) && kernel_state::system_running() {
            self.clear(Reason::SYSTEM_STATE, Ctx::Atomic);
        }
    }

    /// In the printk() caller, before the record is stored: enter emergency mode on an
    /// oops (handed back at once, so this very record is printed by the caller) or when
    /// the system stops running (handed back once the backlog is printed). Any context,
    /// NMI included.
    pub(crate) fn check_kernel_state(&self) {
        if kernel_state::oops_in_progress() && !self.mode.emergency.has(Reason::OOPS) {
            // An oops is printed by the CPU that has it, at once, as the kernel would, with
            // whatever is owed before it: the machine may not survive to a kthread.
            self.raise_handed_back(Reason::OOPS, Ctx::NoWake);
        }
        if !kernel_state::system_running() && !self.mode.emergency.has(Reason::SYSTEM_STATE) {
            self.raise(Reason::SYSTEM_STATE, Ctx::NoWake);
        }
    }

    /// The starvation fallback, checked at every doorbell and watch tick: if the printers
    /// do not get the CPU time to print what is owed (`logic/starvation_watch.rs`: a
    /// real-time task took the eligible CPUs, or throttling leaves the kthreads a few
    /// percent of them), the consoles go back to the kernel; after as long again a kthread
    /// is asked to try, and the consoles come back once one of them actually runs
    /// (`end_starvation`). A hand-back whose drainer does not get to print is given up
    /// (the kernel prints, as without the module) at the end of the next starved window.
    pub(crate) fn watch_starvation(&self, lowest_ours: Option<u64>) {
        let now = cpus::now_ns();
        let limit_ms = self.tunables.get(Tunable::StarvationMs);
        let handing_back = self.mode.emergency.handing_back();
        if self.mode.emergency.has(Reason::STARVED) {
            let since = self.mode.starved_at_ns.load(Ordering::Relaxed);
            if now.saturating_sub(since) >= limit_ms * 1_000_000 {
                self.kick_from(cpus::current_cpu(), Ctx::Atomic);
            }
            // The fallback's own hand-back is watched like any other: its drainer may be a
            // starved task too (one that began draining before its CPU was taken).
            if !handing_back {
                return;
            }
        } else if self.mode.emergency.active() && !handing_back {
            return;
        }
        let Some(oldest) = lowest_ours else {
            return;
        };
        let sample = Sample {
            busy_ms: self.printer.busy_ns.load(Ordering::Relaxed) / 1_000_000,
            oldest,
            pending: kmsg::has_record_from(oldest),
            next_seq: kmsg::next_seq(),
            now_ms: now / 1_000_000,
        };
        let stalled = self.mode.watch.sample(sample, limit_ms);
        if stalled && handing_back {
            // Nobody prints the hand-back's backlog (every CPU taken by real-time tasks,
            // say): the consoles go to the kernel as they are, as without the module, until
            // a kthread runs again: it takes the backlog back and prints it (`drain`), so
            // that it does not wait for the next printk() caller.
            Stats::add(&self.stats.starvations, 1);
            if self.mode.emergency.give_up() {
                self.sync_ownership(Ctx::Atomic);
                self.request(DRAIN, Ctx::Atomic);
            }
            return;
        }
        if stalled {
            self.mode.starved_at_ns.store(now, Ordering::Relaxed);
            Stats::add(&self.stats.starvations, 1);
            self.raise(Reason::STARVED, Ctx::Atomic);
        }
    }

    /// Keeps the watch timer running: it samples the printer every quarter of
    /// `starvation_ms` while records are owed (`watch_tick`). Doorbell.
    pub(crate) fn keep_watching(&self) {
        let period = (self.tunables.get(Tunable::StarvationMs) / 4).clamp(10, 1000);
        self.watch.kick(period as u32);
    }

    /// The watch timer fired (softirq context): the starvation watch samples the printer
    /// as at a doorbell, so a printer that stopped after the last record stored is noticed
    /// without another printk(). Returns whether to look again: records are still owed,
    /// or a hand-back is under way.
    pub(crate) fn watch_tick(&self) -> bool {
        let survey = self.survey_consoles(Ctx::Atomic);
        self.watch_starvation(survey.lowest_seq);
        // Records no doorbell has classified yet (a burst of more than `URGENT_SCAN_MAX`
        // in one tick, and nothing stored since to ring again): one more doorbell, unless
        // none may be queued now (suspend).
        if self.mode.urgent_scan.load(Ordering::Relaxed) < kmsg::next_seq()
            && self.mode.doorbell_allowed()
        {
            self.placement.note_timer_ring(cpus::current_cpu());
            self.doorbell.ring_here();
        }
        self.mode.emergency.handing_back() || survey.lowest_seq.is_some_and(kmsg::has_record_from)
    }

    /// `cpu`'s kthread runs: if the starvation fallback is on and has lasted its time, the
    /// kthreads take the consoles back. Not while another kthread holds the printer claim:
    /// that one is the starved one, and would be starved again. Process context.
    pub(crate) fn end_starvation(&self, cpu: u32) {
        if !self.mode.emergency.has(Reason::STARVED) {
            return;
        }
        if self.printer.claim.owner().is_some_and(|o| o != cpu) {
            return;
        }
        let since = self.mode.starved_at_ns.load(Ordering::Relaxed);
        let limit_ns = self.tunables.get(Tunable::StarvationMs) * 1_000_000;
        if cpus::now_ns().saturating_sub(since) >= limit_ns {
            self.clear(Reason::STARVED, Ctx::Sleepable);
        }
    }

    /// The urgent-record watch, at every doorbell on `cpu` (hard-irq context): kernel
    /// records below `urgent_loglevel` switch to synchronous printing. Nothing is printed
    /// here: a kthread prints the backlog up to them, then hands the consoles back, and
    /// the records that follow are printed by their callers. The records in front of an
    /// urgent record are printed first (order holds); when they take longer than
    /// `URGENT_DELAY_NOTE_NS` at the console's pace, a kthread says so in the log.
    pub(crate) fn watch_urgent(&self, cpu: u32, lowest_ours: Option<u64>) {
        let below = self.tunables.get(Tunable::UrgentLoglevel);
        let to = kmsg::next_seq();
        let from = self.mode.urgent_scan.load(Ordering::Relaxed);
        if from >= to {
            return;
        }
        let end = to.min(from + URGENT_SCAN_MAX);
        if self
            .mode
            .urgent_scan
            .compare_exchange(from, end, Ordering::Relaxed, Ordering::Relaxed)
            .is_err()
        {
            return; // another CPU scans these records
        }
        if below == 0 {
            return;
        }
        let Some((found, first)) = self.mode.count_urgent(cpu, from, end, below) else {
            return;
        };
        Stats::add(&self.stats.records_urgent, found);
        self.mode
            .urgent_until_ns
            .store(cpus::now_ns() + URGENT_HOLD_NS, Ordering::Relaxed);
        // A kthread prints the backlog up to the urgent record, at once and at the
        // console's pace, then hands the consoles back.
        let held = self.mode.emergency.has(Reason::URGENT);
        self.raise(Reason::URGENT, Ctx::Atomic);
        // Said once a burst (a report's records come over several doorbells).
        let in_front = lowest_ours.map_or(0, |low| first.saturating_sub(low));
        let wait_ns = in_front.saturating_mul(self.pacing.record_ns());
        if !held && wait_ns >= URGENT_DELAY_NOTE_NS {
            self.mode.urgent_behind.store(in_front, Ordering::Relaxed);
            self.mode
                .urgent_behind_ms
                .store(wait_ns / 1_000_000, Ordering::Relaxed);
            self.request(URGENT_DELAY, Ctx::Atomic);
        }
    }

    /// Ends the urgent-record mode once the held consoles printed the last urgent record
    /// and none came for a while. Doorbell.
    pub(crate) fn settle_urgent(&self, lowest_held: Option<u64>) {
        if !self.mode.emergency.has(Reason::URGENT) {
            return;
        }
        let until = self.mode.urgent_until_ns.load(Ordering::Relaxed);
        let last = self.mode.urgent_seq.load(Ordering::Relaxed);
        if cpus::now_ns() >= until && lowest_held.map_or(true, |s| s > last) {
            self.clear(Reason::URGENT, Ctx::Atomic);
        }
    }

    /// The backlog limit in force now (0: none): `backlog_limit`, or the automatic one
    /// from the ring's size as last estimated.
    pub(crate) fn backlog_limit_now(&self) -> u64 {
        backpressure::effective_limit(
            self.tunables.get(Tunable::BacklogLimit),
            self.mode.ring.records(),
        )
    }

    /// Backpressure (`logic/backpressure.rs`), checked at every doorbell: above the
    /// backlog limit (records waiting for the consoles the module prints), writers in
    /// task context wait for the console (`pace`) until the backlog is a little below it.
    /// Nobody prints for anybody else: the kthreads go on printing, the writers are held
    /// to their pace, and the ring keeps room for what the consoles have not printed.
    pub(crate) fn watch_backlog(&self, lowest_ours: Option<u64>) {
        let next = kmsg::next_seq();
        // What the ring holds once it has wrapped (`logic/ring_estimate.rs`: a `dmesg -c`
        // does not make it look small).
        let ring = self.mode.ring.observe(kmsg::first_seq(), next);
        let limit = backpressure::effective_limit(self.tunables.get(Tunable::BacklogLimit), ring);
        let active = self.pacing.backpressure();
        let waiting = lowest_ours.map_or(0, |s| next.saturating_sub(s));
        match backpressure::step(active, waiting, limit) {
            Step::Enter => {
                Stats::add(&self.stats.backpressure_entries, 1);
                self.pacing.set_backpressure(true);
            }
            Step::Leave => self.pacing.set_backpressure(false),
            Step::Stay => {}
        }
    }
}

impl Mode {
    /// Counts the kernel records in `from..end` with a level below `below`, and notes the
    /// last of them in `urgent_seq`: their number and the first one's sequence number, if
    /// any. Doorbell of `cpu` (its scan buffer).
    fn count_urgent(&self, cpu: u32, from: u64, end: u64, below: u64) -> Option<(u64, u64)> {
        let lock = self.scan_bufs.get(cpu as usize)?;
        let mut guard = lock.lock();
        let buf = &mut guard[..];
        let (mut seq, mut found, mut first) = (from, 0u64, None);
        while seq < end {
            let Some(rec) = kmsg::read_at(seq, true, buf) else {
                break;
            };
            if rec.seq >= end {
                break;
            }
            if let Some((0, level)) = syslog_class(&buf[..rec.len]) {
                if u64::from(level) < below {
                    found += 1;
                    first.get_or_insert(rec.seq);
                    self.urgent_seq.fetch_max(rec.seq, Ordering::Relaxed);
                }
            }
            seq = rec.seq + 1;
        }
        first.map(|f| (found, f))
    }
}
