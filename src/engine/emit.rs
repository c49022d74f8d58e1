// SPDX-License-Identifier: GPL-2.0

//! Emitting records: a round over the consoles the module prints, one record each, then
//! more records of the faster consoles within the time the slowest one's record took.
//!
//! Each record is written as `console_emit_next_record()` writes it, to the byte: the text
//! is formatted by the kernel's own `record_print_text()` (through the kmsg_dump iterator)
//! in a buffer of `PRINTK_MESSAGE_MAX` bytes, in the console message format of the kernel
//! (with syslog prefixes under `console_msg_format=syslog`); records at or above the
//! console loglevel *they were stored under* are skipped (`logic/level_history.rs`)
//! unless `printk.ignore_loglevel`; overwritten records are announced with the kernel's
//! own notice, prepended as the kernel prepends it.
//!
//! Each record is written with interrupts off and `console_lock` held, as the kernel does
//! for legacy consoles: the lock is taken (`console_trylock()`) only once interrupts are
//! off and dropped before they come back on, so the printer never holds `console_lock`
//! while it could be preempted: a real-time task that takes its CPU takes it between two
//! records, and the starvation fallback can then hand the consoles to printk() callers,
//! who can take the lock.

use super::consoles::MAX_CONSOLES;
use super::printer::PRINTK_MESSAGE_MAX;
use super::step_timers::Step;
use super::Offload;
use crate::ffi::console_list::{ConsoleListReader, ConsoleLock, ConsoleRef, LockedConsole};
use crate::ffi::{cpus, kernel_state, kmsg};
use crate::logic::record_text::{
    dropped_notice, prepend, strip_syslog_prefixes, syslog_class, timestamp_ns, untruncated_max,
};
use crate::stats::Stats;
use crate::tunables::Tunable;
use core::sync::atomic::Ordering;
use kernel::alloc::KVec;

/// How long the flush of a console being unregistered waits for `console_lock` without
/// printing a record before it gives up: `__pr_flush()`'s timeout in
/// `unregister_console()`.
const FLUSH_PATIENCE_NS: u64 = 1_000_000_000;

/// The most records one console catches up in a round (a bound for records that take no
/// time: skipped, or written to a console that returns at once).
const CATCH_UP_MAX: u32 = 256;

/// What one round over the consoles did.
pub(crate) enum Round {
    /// Every console is caught up (or none is the module's to print).
    Idle,
    /// `console_lock` was taken by someone else.
    Busy,
    /// Records were handled: so many written (and bytes), so many skipped.
    Printed {
        written: u64,
        bytes: usize,
        skipped: u64,
    },
}

/// What emitting one record did.
enum Emitted {
    /// The record was written: so many bytes, in so many nanoseconds.
    Written(usize, u64),
    /// The record was skipped (below the console loglevel, or overwritten meanwhile).
    Skipped,
}

/// Records written, their bytes, and records skipped, over a round.
#[derive(Default)]
struct Tally {
    written: u64,
    bytes: usize,
    skipped: u64,
}

impl Tally {
    fn add(&mut self, (written, bytes, skipped): (u64, usize, u64)) {
        self.written += written;
        self.bytes += bytes;
        self.skipped += skipped;
    }
}

impl Offload {
    /// One record (at most) for each console the module prints, each in its own
    /// interrupts-off section under `console_lock` (`record_section`); then, within the
    /// time the slowest console's record took, more records of the faster ones
    /// (`catch_up`); for a console being unregistered, its whole backlog
    /// (`flush_departing`).
    pub(crate) fn print_round(&self) -> Round {
        let reader = ConsoleListReader::enter();
        let mut tally = Tally::default();
        // Each console seen, and what its record took (`None`: it had none, or the lock
        // was busy).
        let mut seen = [None; MAX_CONSOLES];
        let (slowest, busy) = self.first_records(&reader, &mut seen, &mut tally);
        // Not while writers wait for the consoles (backpressure, a hand-back's drain): they
        // wait for the slowest console, which catching up the others would slow down.
        if !busy && !self.pacing.backpressure() && !self.mode.emergency.handing_back() {
            for (c, took) in seen.iter().flatten() {
                if let Some(took) = *took {
                    tally.add(self.catch_up(c, slowest.saturating_sub(took), took));
                }
            }
        }
        // A console seen in this round stays valid until the reader ends, even if it was
        // unregistered meanwhile (and so skipped by a walk of the list from now on).
        for (c, _) in seen.iter().flatten() {
            if self.consoles.departing(c.addr()) {
                let (w, b) = self.flush_departing(c);
                tally.add((w, b, 0));
            }
        }
        if tally.written > 0 {
            // A round takes as long as its slowest console's record: what a paced writer
            // waits for.
            self.pacing.note_record(slowest);
        }
        if tally.written + tally.skipped > 0 {
            // Skipped records (below the loglevel, overwritten) shrink the backlog too.
            self.wake_held();
        }
        if tally.written + tally.skipped > 0 {
            Round::Printed {
                written: tally.written,
                bytes: tally.bytes,
                skipped: tally.skipped,
            }
        } else if busy {
            Round::Busy
        } else {
            Round::Idle
        }
    }

    /// The round's first record of each console the module prints, noted in `seen` with
    /// what it took, and counted in `tally`. Returns the slowest record's time, and whether
    /// the lock was busy for some console.
    fn first_records<'a>(
        &self,
        reader: &'a ConsoleListReader,
        seen: &mut [Option<(ConsoleRef<'a>, Option<u64>)>; MAX_CONSOLES],
        tally: &mut Tally,
    ) -> (u64, bool) {
        let (mut slowest, mut busy) = (0, false);
        self.consoles.for_each_ours(reader, |c| {
            let took = match self.print_one(&c) {
                None => {
                    busy = true;
                    None
                }
                Some(Some(Emitted::Written(n, ns))) => {
                    tally.add((1, n, 0));
                    slowest = slowest.max(ns);
                    Some(ns)
                }
                Some(Some(Emitted::Skipped)) => {
                    tally.add((0, 0, 1));
                    Some(0)
                }
                Some(None) => None,
            };
            if let Some(s) = seen.iter_mut().find(|s| s.is_none()) {
                *s = Some((c, took));
            }
        });
        (slowest, busy)
    }

    /// More records of `c`, each in its own section, while the next one, if it takes as
    /// long as `c`'s last (`last_ns`), fits in `left_ns`: a console faster than the round's
    /// slowest catches up between two of the slow one's records, instead of being held to
    /// its pace; the round takes at most twice the slowest record. Preemptible between
    /// records. Returns the records written, their bytes, and the records skipped.
    fn catch_up(
        &self,
        c: &ConsoleRef<'_>,
        mut left_ns: u64,
        mut last_ns: u64,
    ) -> (u64, usize, u64) {
        let (mut written, mut bytes, mut skipped) = (0, 0, 0);
        for _ in 0..CATCH_UP_MAX {
            if last_ns > left_ns {
                break;
            }
            match self.print_one(c) {
                Some(Some(Emitted::Written(n, ns))) => {
                    written += 1;
                    bytes += n;
                    left_ns = left_ns.saturating_sub(ns);
                    last_ns = ns;
                }
                Some(Some(Emitted::Skipped)) => skipped += 1,
                // Caught up, no longer the module's, or the lock is busy.
                _ => break,
            }
        }
        (written, bytes, skipped)
    }

    /// `c`'s next record, in its own section (`record_section`): `None` if the lock was
    /// busy, `Some(None)` if `c` is caught up or no longer the module's.
    fn print_one(&self, c: &ConsoleRef<'_>) -> Option<Option<Emitted>> {
        let irqs_on = self.tunables.get(Tunable::IrqsOnWrite) != 0
            && self.consoles.writes_with_irqs_on(c.addr());
        self.record_section(irqs_on, |lock, buf| {
            // The kernel might have taken the console back meanwhile: check under the lock.
            if !self.consoles.is_ours(c) {
                return None;
            }
            let con = c.locked(lock);
            let e = self.emit_next(c.addr(), &con, buf);
            if let Some(ref e) = e {
                let written = matches!(e, Emitted::Written(..));
                self.consoles.note_record(c.addr(), con.seq(), written);
            }
            e
        })
    }

    /// Prints the backlog of `c`, a held console whose unregistration notice was seen
    /// (`watch_unregistration`), up to the records stored now: what the kernel's
    /// `__pr_flush()` in `unregister_console()` does for a console it prints, and skips
    /// for one the module holds. `c` stays valid while the caller's list reader lasts:
    /// `unregister_console()` removes it from the list, then waits in `synchronize_srcu()`
    /// for every reader that saw it before calling its `exit()`. Record by record, each in
    /// its own section, preemptible between; gives up after a second without progress (as
    /// `__pr_flush()` does), and in a kthread that must park. Process context, with no
    /// `console_list_lock` taken (the unregistering task holds it). Returns the records
    /// and bytes written.
    fn flush_departing(&self, c: &ConsoleRef<'_>) -> (u64, usize) {
        let target = kmsg::next_seq();
        let kthread = self.threads.runs_current();
        let (mut written, mut bytes) = (0, 0);
        let mut idle_since = None;
        while c.seq() < target {
            match self.print_one(c) {
                Some(Some(e)) => {
                    if let Emitted::Written(n, _) = e {
                        written += 1;
                        bytes += n;
                    }
                    idle_since = None;
                }
                // No longer the module's to print.
                Some(None) => break,
                None => {
                    let now = cpus::now_ns();
                    if now.saturating_sub(*idle_since.get_or_insert(now)) >= FLUSH_PATIENCE_NS {
                        break;
                    }
                    cpus::sleep_us(200, 500);
                }
            }
            if kthread && cpus::kthread_should_park() {
                break;
            }
        }
        // One flush per notice, complete or not: a console that stays in the list (a
        // notice imitated through /dev/kmsg) is printed as usual afterwards.
        if self.consoles.end_flush(c.addr(), c.seq() >= target) {
            Stats::add(&self.stats.consoles_flushed, 1);
        }
        (written, bytes)
    }

    /// Runs `f` with `console_lock` held (`console_trylock()`) and interrupts off, as the
    /// kernel writes one record to a legacy console; `None` if the lock was busy. With
    /// `irqs_on` (a driver that allows it, `logic/irq_safe_write.rs`), interrupts and
    /// softirqs stay on: preemption is off all the same, so the lock is still never held
    /// where the printer could be preempted.
    ///
    /// The lock is taken only once interrupts are off, so the printer never holds it where
    /// it could be preempted, and released only once they are back on: `console_unlock()`
    /// also prints what the consoles the kernel owns are owed, and that must not happen
    /// with interrupts off. Preemption stays off across it, as for a printk() caller's
    /// `console_unlock()`. Process context: the CPU is offered first (`cond_resched()`).
    fn record_section<R>(
        &self,
        irqs_on: bool,
        f: impl FnOnce(&ConsoleLock, &mut KVec<u8>) -> R,
    ) -> Option<R> {
        // The CPU is offered before every section, so that at most one record is written
        // between two scheduling points: under voluntary preemption the `preempt_enable()`
        // that ends a section does not reschedule, and two sections in a row (a round's
        // records on two consoles, a round's record then a departing console's flush)
        // would keep a waiting task off the CPU for two records.
        cpus::cond_resched();
        self.steps.lap(Step::Loop);
        // Softirqs too stay on for a driver that allows interrupts: they run during the
        // write instead of piling up behind it.
        let preempt = if irqs_on {
            self.irq_lock.preempt_only()
        } else {
            self.irq_lock.preempt_off()
        };
        let cpu = cpus::current_cpu();
        let began = cpus::now_ns();
        self.pacing.set_in_section(cpu, true);
        let r = (|| {
            let irqs = (!irqs_on).then(|| preempt.irqs_off());
            let held = self.printer.record.attach(ConsoleLock::try_acquire()?);
            self.steps.lap(Step::Lock);
            let r = f(&held.lock, held.data);
            self.steps.lap(Step::After);
            drop(irqs);
            drop(held);
            Some(r)
        })();
        self.pacing.set_in_section(cpu, false);
        let took = cpus::now_ns().saturating_sub(began);
        self.printer.busy_ns.fetch_add(took, Ordering::Relaxed);
        drop(preempt);
        self.steps.lap(Step::Unlock);
        r
    }

    /// At a record boundary: if no console the module prints has a record left (or
    /// `anyway`), hands the consoles back to the kernel, under `console_lock`, so the
    /// kernel's next record on each is the one after the module's last. `Some(true)`:
    /// handed back (or no longer wanted); `Some(false)`: records came meanwhile; `None`:
    /// the lock was busy. Process context.
    pub(crate) fn try_hand_back(&self, anyway: bool) -> Option<bool> {
        if anyway {
            // Records are still owed (writers outran the drain): under a sleeping
            // `console_lock()`, whose release prints them here, preemptible between
            // records, not with preemption off as a trylock holder's release would (a
            // record section's). A printk() caller on another CPU that spins for the lock
            // meanwhile takes them over, as from any holder (docs/design.md 4.1).
            cpus::cond_resched();
            let lock = ConsoleLock::acquire();
            let before = self.mode.emergency.kernel_prints();
            if self.mode.emergency.hand_back() {
                self.apply_ownership();
                if !before {
                    Stats::add(&self.stats.handbacks_outrun, 1);
                }
            }
            // The consoles are the kernel's now: writers held for the hand-back go before
            // this drainer prints what is owed.
            self.wake_held();
            drop(lock);
            return Some(true);
        }
        self.record_section(false, |_lock, _buf| {
            let reader = ConsoleListReader::enter();
            let mut behind = false;
            self.consoles
                .for_each_ours(&reader, |c| behind |= kmsg::has_record_from(c.seq()));
            drop(reader);
            if behind {
                return false;
            }
            if self.mode.emergency.hand_back() {
                // Set the flags now, under the lock; `drain` sets them again under
                // `console_list_lock`.
                self.apply_ownership();
            }
            true
        })
    }

    /// Prints `con`'s next record as `console_emit_next_record()` would; `None` if the
    /// console is caught up.
    fn emit_next(
        &self,
        addr: usize,
        con: &LockedConsole<'_>,
        buf: &mut KVec<u8>,
    ) -> Option<Emitted> {
        let seq = con.seq();
        let buf = &mut buf[..PRINTK_MESSAGE_MAX];
        // First with syslog prefixes, for the record's facility and level.
        let rec = kmsg::read_at(seq, true, buf)?;
        if rec.seq > seq {
            // Counted once: a later read that fails starts from the record that is there.
            self.skip_gap(addr, con, seq, rec.seq);
        }
        let level = syslog_class(&buf[..rec.len]).map_or(0, |(_, l)| l);
        let loglevel = self
            .printer
            .levels
            .level_at(rec.seq, kernel_state::console_loglevel());
        if i32::from(level) >= loglevel && !self.printer.ignore_loglevel.load(Ordering::Relaxed) {
            con.set_seq(rec.seq + 1);
            Stats::add(&self.stats.records_suppressed, 1);
            return Some(Emitted::Skipped);
        }
        let Some(mut len) = self.console_text(addr, con, &rec, buf)? else {
            return Some(Emitted::Skipped);
        };
        let dropped = con.take_dropped();
        if dropped > 0 {
            let mut notice = [0u8; 64];
            let n = dropped_notice(dropped, &mut notice);
            len = prepend(buf, len, &notice[..n]);
        }
        self.steps.lap(Step::Read);
        let t = cpus::now_ns();
        con.write(&buf[..len]);
        let took = cpus::now_ns().saturating_sub(t);
        self.steps.lap(Step::Write);
        con.set_seq(rec.seq + 1);
        if let Some(t) = timestamp_ns(&buf[..len]) {
            let waited_us = cpus::local_clock_ns().saturating_sub(t) / 1000;
            Stats::max(&self.stats.max_wait_us, waited_us);
            self.stats.wait_histogram.record(waited_us);
        }
        Some(Emitted::Written(len, took))
    }

    /// The record `rec`, read into `buf` with its syslog prefixes, as the console shows
    /// it: its length in `buf`; `Some(None)` if it was overwritten meanwhile (the console
    /// goes on from the record that is there), `None` if it cannot be read. Without the
    /// prefixes (unless the console shows them), which takes a second read only if the
    /// first could have been cut.
    fn console_text(
        &self,
        addr: usize,
        con: &LockedConsole<'_>,
        rec: &kmsg::Record,
        buf: &mut [u8],
    ) -> Option<Option<usize>> {
        if self.printer.syslog_format.load(Ordering::Relaxed) {
            return Some(Some(rec.len));
        }
        if rec.len <= untruncated_max(buf.len()) {
            if let Some(n) = strip_syslog_prefixes(buf, rec.len) {
                return Some(Some(n));
            }
        }
        let text = kmsg::read_at(rec.seq, false, buf)?;
        if text.seq != rec.seq {
            self.skip_gap(addr, con, rec.seq, text.seq);
            return Some(None);
        }
        Some(Some(text.len))
    }

    /// Records `from..to` of the console at `addr` were overwritten before it got them:
    /// count them (the console announces them with its next record) and go on at `to`.
    fn skip_gap(&self, addr: usize, con: &LockedConsole<'_>, from: u64, to: u64) {
        con.add_dropped(to - from);
        Stats::add(&self.stats.records_dropped, to - from);
        self.consoles.note_dropped(addr, to - from);
        con.set_seq(to);
    }
}
