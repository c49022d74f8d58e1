// SPDX-License-Identifier: GPL-2.0

//! The consoles the module prints for.
//!
//! Ownership rule: a console is the module's to print while it is *held* (in one of the
//! slots here) *and* the kernel does not print it (`CON_ENABLED` clear) *and* it is not
//! suspended. The kernel prints legacy consoles only when `CON_ENABLED` is set, and both
//! sides print only under `console_lock`, advancing the console's own `seq` and `dropped`:
//! whoever prints next starts at the exact next record, so ownership can change hands
//! between any two records with no duplicate and no gap.
//!
//! Every enabled, servable legacy console is held: those present at load, and any console
//! registered or enabled later (a survey of the console list notices it and a kthread
//! takes it over). A held console that is unregistered is forgotten, and the records it
//! had not printed yet are announced in the log.
//!
//! Which side prints the held consoles is decided in one place, `Offload::sync_ownership`
//! (`mode.rs`), from the emergency reasons.

use crate::ffi::console_list::{ConsoleListReader, ConsoleName, ConsoleRef};
use crate::ffi::kmsg;
use crate::logic::console_notice;
use crate::logic::console_report::{verdict, Why};
use crate::logic::emergency::ReasonList;
use crate::logic::irq_safe_write::writes_with_irqs_on;
use crate::stats::StatsWriter;
use core::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering};
use kernel::prelude::*;

/// How many consoles the module can hold at once.
pub(crate) const MAX_CONSOLES: usize = 16;

/// One held console.
///
/// # Invariants
///
/// `addr` is 0 (free) or the address of a console that was registered when it was taken
/// over; it is only dereferenced after being found in the console list. `name` and
/// `printed` describe it and are written before `addr` is published.
struct Slot {
    addr: AtomicUsize,
    /// Its name, NUL-padded, for log lines after it is gone.
    name: [AtomicU64; 3],
    /// Its `seq` as last seen (to tell what was lost if it is unregistered).
    printed: AtomicU64,
    /// Its unregistration notice was seen: print its backlog while a list reader still
    /// sees it (`Offload::flush_departing`).
    departing: AtomicBool,
    /// Its backlog was printed after its unregistration notice.
    flushed: AtomicBool,
    /// Records the module wrote to it, and records it missed (ring overwritten), since it
    /// was taken over.
    written: AtomicU64,
    dropped: AtomicU64,
    /// Its driver may be written with interrupts on (`logic/irq_safe_write.rs`).
    irqs_on: AtomicBool,
}

impl Slot {
    const fn new() -> Self {
        Self {
            addr: AtomicUsize::new(0),
            name: [AtomicU64::new(0), AtomicU64::new(0), AtomicU64::new(0)],
            printed: AtomicU64::new(0),
            departing: AtomicBool::new(false),
            flushed: AtomicBool::new(false),
            written: AtomicU64::new(0),
            dropped: AtomicU64::new(0),
            irqs_on: AtomicBool::new(false),
        }
    }
}

/// What a survey of the console list found.
pub(crate) struct Survey {
    /// The lowest next record of the consoles the module prints now, if any.
    pub(crate) lowest_seq: Option<u64>,
    /// The lowest next record of all held consoles, whoever prints them.
    pub(crate) lowest_held: Option<u64>,
    /// An enabled, servable console is not held yet (take it over).
    pub(crate) unheld: bool,
    /// A held console is no longer registered (forget it and announce the loss).
    pub(crate) gone: bool,
    /// A held console's `CON_ENABLED` says otherwise than `kernel_prints` (someone else
    /// enabled or disabled it): apply the mode again.
    pub(crate) mismatch: bool,
}

/// A held console that was unregistered: its name and how many records it missed.
pub(crate) struct Departed {
    pub(crate) name: ConsoleName,
    pub(crate) missed: u64,
    /// Its backlog was printed after its unregistration notice: nothing was missed.
    pub(crate) flushed: bool,
}

/// The held consoles.
pub(crate) struct OwnedConsoles {
    slots: [Slot; MAX_CONSOLES],
    /// Set when a console could not be held for lack of a slot (logged once).
    full_logged: AtomicBool,
}

impl OwnedConsoles {
    /// No console held.
    pub(crate) const fn new() -> Self {
        // A `const` item is what an array repeat expression of a non-`Copy` type needs
        // (inline `const` blocks need Rust 1.79; the kernel's minimum is 1.78): each slot
        // is a fresh copy, which is the point here.
        #[allow(clippy::declare_interior_mutable_const)]
        const FREE: Slot = Slot::new();
        Self {
            slots: [FREE; MAX_CONSOLES],
            full_logged: AtomicBool::new(false),
        }
    }

    /// Whether the held console at `addr` may be written with interrupts on.
    pub(crate) fn writes_with_irqs_on(&self, addr: usize) -> bool {
        self.slot_of(addr)
            .is_some_and(|s| s.irqs_on.load(Ordering::Relaxed))
    }

    /// Whether the console at `addr` is held.
    pub(crate) fn holds(&self, addr: usize) -> bool {
        addr != 0
            && self
                .slots
                .iter()
                .any(|s| s.addr.load(Ordering::Acquire) == addr)
    }

    /// Number of consoles held.
    pub(crate) fn count(&self) -> usize {
        self.slots
            .iter()
            .filter(|s| s.addr.load(Ordering::Acquire) != 0)
            .count()
    }

    /// Whether `con` is the module's to print now (see the module documentation).
    pub(crate) fn is_ours(&self, con: &ConsoleRef<'_>) -> bool {
        self.holds(con.addr()) && !con.enabled() && !con.suspended()
    }

    /// Whether `con` should be held but is not: enabled, servable, not held.
    pub(crate) fn wants_holding(&self, con: &ConsoleRef<'_>) -> bool {
        con.enabled() && con.servable() && !self.holds(con.addr())
    }

    /// Holds `con`. The caller holds `console_list_lock` (no registration changes) and has
    /// just found `con` in the list. Returns false if every slot is taken.
    pub(crate) fn hold(&self, con: &ConsoleRef<'_>) -> bool {
        let name = con.name();
        let irqs_on = writes_with_irqs_on(&con.write_symbol());
        let mut words = [0u64; 3];
        for (i, &c) in name.as_str().as_bytes().iter().take(23).enumerate() {
            words[i / 8] |= u64::from(c) << (8 * (i % 8));
        }
        for slot in &self.slots {
            if slot.addr.load(Ordering::Acquire) != 0 {
                continue;
            }
            for (w, v) in slot.name.iter().zip(words) {
                w.store(v, Ordering::Relaxed);
            }
            slot.printed.store(con.seq(), Ordering::Relaxed);
            slot.departing.store(false, Ordering::Relaxed);
            slot.flushed.store(false, Ordering::Relaxed);
            slot.written.store(0, Ordering::Relaxed);
            slot.dropped.store(0, Ordering::Relaxed);
            slot.irqs_on.store(irqs_on, Ordering::Relaxed);
            // Only takers under console_list_lock fill slots, so a free slot stays free
            // until this store publishes it.
            slot.addr.store(con.addr(), Ordering::Release);
            return true;
        }
        if !self.full_logged.swap(true, Ordering::Relaxed) {
            pr_warn!(
                "cannot take over console {}: already printing {} consoles\n",
                name.as_str(),
                MAX_CONSOLES
            );
        }
        false
    }

    /// A record's text, in its printk() caller (any context): if it is the kernel's notice
    /// that a held console is being unregistered (`logic/console_notice.rs`), marks it
    /// departing, so that the printer prints its backlog before `unregister_console()`
    /// can finish removing it (`Offload::flush_departing`), as the kernel flushes a
    /// console it prints.
    pub(crate) fn watch_unregistration(&self, text: &[u8]) {
        if let Some(name) = console_notice::unregistered_console(text) {
            self.mark_departing(name);
        }
    }

    /// Marks the held console named `name` (name and index) as being unregistered (its
    /// notice was seen), for the printer to flush (`Offload::flush_departing`). Returns
    /// whether one was held. Any context.
    ///
    /// The console stays held and disabled: enabling it here would make the notice's own
    /// `printk()` print its whole backlog with preemption off.
    pub(crate) fn mark_departing(&self, name: &[u8]) -> bool {
        let reader = ConsoleListReader::enter();
        let mut marked = false;
        reader.for_each(|c| {
            if marked || c.name().as_str().as_bytes() != name {
                return;
            }
            if let Some(slot) = self.slot_of(c.addr()) {
                // Caught up (the notice itself is not stored yet), or printed by the kernel
                // (emergency mode: its own flush in unregister_console() runs): nothing
                // for the module to flush.
                let done = c.enabled() || c.seq() >= kmsg::next_seq();
                slot.flushed.store(done, Ordering::Relaxed);
                slot.departing.store(!done, Ordering::Release);
                marked = true;
            }
        });
        marked
    }

    /// Whether the held console at `addr` is marked as being unregistered.
    pub(crate) fn departing(&self, addr: usize) -> bool {
        self.slot_of(addr)
            .is_some_and(|s| s.departing.load(Ordering::Acquire))
    }

    /// Ends the flush of the departing console at `addr`, which printed its backlog
    /// (`complete`) or gave up. Returns whether this call ended a flush that completed
    /// (two printers may flush the same console; one counts it).
    pub(crate) fn end_flush(&self, addr: usize, complete: bool) -> bool {
        let Some(s) = self.slot_of(addr) else {
            return false;
        };
        if complete {
            s.flushed.store(true, Ordering::Relaxed);
        }
        s.departing.swap(false, Ordering::AcqRel) && complete
    }

    fn slot_of(&self, addr: usize) -> Option<&Slot> {
        (addr != 0)
            .then(|| {
                self.slots
                    .iter()
                    .find(|s| s.addr.load(Ordering::Acquire) == addr)
            })
            .flatten()
    }

    /// Calls `f` for each console that is the module's to print now.
    pub(crate) fn for_each_ours<'a>(
        &self,
        reader: &'a ConsoleListReader,
        mut f: impl FnMut(ConsoleRef<'a>),
    ) {
        reader.for_each(|c| {
            if self.is_ours(&c) {
                f(c);
            }
        });
    }

    /// Calls `f` for each held console that is registered.
    pub(crate) fn for_each_held<'a>(
        &self,
        reader: &'a ConsoleListReader,
        mut f: impl FnMut(ConsoleRef<'a>),
    ) {
        reader.for_each(|c| {
            if self.holds(c.addr()) {
                f(c);
            }
        });
    }

    /// Counts `n` records the held console at `addr` missed (the ring wrapped).
    pub(crate) fn note_dropped(&self, addr: usize, n: u64) {
        if let Some(s) = self.slot_of(addr) {
            s.dropped.fetch_add(n, Ordering::Relaxed);
        }
    }

    /// Records written to, and dropped for, the held console at `addr`; `None` if it is
    /// not held.
    pub(crate) fn counts(&self, addr: usize) -> Option<(u64, u64)> {
        self.slot_of(addr).map(|s| {
            (
                s.written.load(Ordering::Relaxed),
                s.dropped.load(Ordering::Relaxed),
            )
        })
    }

    /// Whether every slot is taken.
    pub(crate) fn full(&self) -> bool {
        self.count() >= MAX_CONSOLES
    }

    /// Notes that the held console at `addr` will print record `seq` next, and counts the
    /// record it just got if the module `written` it (rather than skipped it).
    pub(crate) fn note_record(&self, addr: usize, seq: u64, written: bool) {
        if let Some(s) = self.slot_of(addr) {
            s.printed.store(seq, Ordering::Relaxed);
            if written {
                s.written.fetch_add(1, Ordering::Relaxed);
            }
        }
    }

    /// One walk of the console list: the lowest next record of the consoles the module
    /// prints, and whether a console should be taken over (and can be), was unregistered,
    /// or has the wrong `CON_ENABLED` for the mode (`kernel_prints`). Any context.
    pub(crate) fn survey(&self, kernel_prints: bool) -> Survey {
        let reader = ConsoleListReader::enter();
        let mut found = 0u32;
        let mut lowest: Option<u64> = None;
        let mut lowest_held: Option<u64> = None;
        let (mut unheld, mut mismatch) = (false, false);
        reader.for_each(|c| {
            if let Some(i) = self
                .slots
                .iter()
                .position(|s| s.addr.load(Ordering::Acquire) == c.addr())
            {
                found |= 1 << i;
                let s = c.seq();
                lowest_held = Some(lowest_held.map_or(s, |l| l.min(s)));
                mismatch |= !c.suspended() && c.enabled() != kernel_prints;
                if self.is_ours(&c) {
                    lowest = Some(lowest.map_or(s, |l| l.min(s)));
                }
            } else if self.wants_holding(&c) {
                unheld = true;
            }
        });
        let gone = self
            .slots
            .iter()
            .enumerate()
            .any(|(i, s)| found & (1 << i) == 0 && s.addr.load(Ordering::Acquire) != 0);
        Survey {
            lowest_seq: lowest,
            lowest_held,
            unheld: unheld && self.count() < MAX_CONSOLES,
            gone,
            mismatch,
        }
    }

    /// Forgets the held consoles that are no longer registered; calls `f` for each with
    /// what it missed. Process context (the caller holds `console_list_lock`, so no
    /// console registers or unregisters meanwhile).
    pub(crate) fn forget_departed(&self, mut f: impl FnMut(Departed)) {
        let reader = ConsoleListReader::enter();
        for slot in &self.slots {
            let addr = slot.addr.load(Ordering::Acquire);
            if addr == 0 || reader.find(addr).is_some() {
                continue;
            }
            let mut name = [0u8; 24];
            for (i, w) in slot.name.iter().enumerate() {
                name[i * 8..i * 8 + 8].copy_from_slice(&w.load(Ordering::Relaxed).to_le_bytes());
            }
            let missed = kmsg::next_seq().saturating_sub(slot.printed.load(Ordering::Relaxed));
            let flushed = slot.flushed.load(Ordering::Relaxed);
            slot.addr.store(0, Ordering::Release);
            f(Departed {
                name: ConsoleName::from_padded(&name),
                missed,
                flushed,
            });
        }
    }

    /// One line of the `consoles` file for `c`; `now` is the ring's next record, the
    /// emergency reasons, whether every slot is taken, and whether the kernel prints the
    /// held consoles.
    pub(super) fn report_line(
        &self,
        c: &ConsoleRef<'_>,
        now: (u64, ReasonList, bool, bool),
        lw: &mut StatsWriter<'_>,
    ) {
        use core::fmt::Write;
        let (next, reasons, full, kernel_prints) = now;
        let mut facts = c.facts();
        facts.held = self.holds(c.addr());
        facts.slots_full = full;
        facts.kernel_prints = kernel_prints;
        let (by, why) = verdict(facts);
        let _ = write!(lw, "{} {} ", c.name().as_str(), by.as_str());
        if facts.nbcon {
            // An nbcon console's position is not `seq`: not the module's to show.
            let _ = write!(lw, "- - ");
        } else {
            let seq = c.seq();
            let _ = write!(lw, "{} {} ", seq, next.saturating_sub(seq));
        }
        match self.counts(c.addr()) {
            Some((written, dropped)) => {
                let _ = write!(lw, "{} {} ", written, dropped);
            }
            None => {
                let _ = write!(lw, "- - ");
            }
        }
        if why == Why::Emergency {
            let _ = writeln!(lw, "{}:{}", why.as_str(), reasons);
        } else {
            let _ = writeln!(lw, "{}", why.as_str());
        }
    }
}
