// SPDX-License-Identifier: GPL-2.0

//! Why the module prints synchronously right now, if it does.
//!
//! Emergency mode is the stock behaviour: the consoles are handed back to the kernel,
//! which prints in the printk() caller, starting with the backlog (so order holds). It is
//! on while at least one reason holds; each reason is set and cleared on its own (the user
//! switch, an oops in progress, the system not running, no eligible CPU online, ...), and
//! only the first reason set and the last one cleared switch the mode.
//!
//! Entering the mode is not handing the consoles back. A hand-back happens at a record
//! boundary once the backlog the module owes is printed (`hand_back`), so that no
//! `printk()` caller, interrupt handler or interrupts-off section inherits it; only panic
//! (and the paths that run with one CPU and interrupts off) hand back at once
//! (`raise_handed_back`). So the bits say three things: which reasons hold, whether the
//! consoles were handed back, and, from both, who prints ([`Emergency::kernel_prints`]).

use super::super::atomic::{AtomicU32, Ordering};

/// One reason to print synchronously (a bit in [`Emergency`]).
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(crate) struct Reason(u32);

impl Reason {
    /// `kernel.printk_offload.emergency` is 1.
    pub(crate) const USER: Reason = Reason(1 << 0);
    /// `oops_in_progress` is set (oops, panic, sysrq crash).
    pub(crate) const OOPS: Reason = Reason(1 << 1);
    /// `system_state` is not `SYSTEM_RUNNING` (shutdown, reboot, suspend).
    pub(crate) const SYSTEM_STATE: Reason = Reason(1 << 2);
    /// No CPU in `printk_cpumask` is online.
    pub(crate) const NO_CPU: Reason = Reason(1 << 3);
    /// Suspend or hibernation in progress (PM notifier, syscore).
    pub(crate) const PM: Reason = Reason(1 << 4);
    /// Reboot, halt or power-off in progress (reboot notifier, syscore shutdown).
    pub(crate) const SHUTDOWN: Reason = Reason(1 << 5);
    /// panic() is running.
    pub(crate) const PANIC: Reason = Reason(1 << 6);
    /// The kthreads did not get the CPU time to print what is owed (the starvation
    /// watch).
    pub(crate) const STARVED: Reason = Reason(1 << 7);
    /// A kernel record below `urgent_loglevel` (a warning or worse) is being printed.
    pub(crate) const URGENT: Reason = Reason(1 << 8);
    /// The module is unloading: the consoles go back to the kernel for good.
    pub(crate) const UNLOAD: Reason = Reason(1 << 9);

    /// Every reason set: the mode is on.
    const ANY: u32 = (1 << 10) - 1;

    /// Every reason, in the order log lines name them.
    pub(crate) const ALL: [Reason; 10] = [
        Reason::PANIC,
        Reason::UNLOAD,
        Reason::OOPS,
        Reason::URGENT,
        Reason::SHUTDOWN,
        Reason::PM,
        Reason::SYSTEM_STATE,
        Reason::STARVED,
        Reason::NO_CPU,
        Reason::USER,
    ];

    /// The reason's name, for log lines.
    pub(crate) fn name(self) -> &'static str {
        match self {
            Reason::USER => "user request",
            Reason::OOPS => "oops in progress",
            Reason::SYSTEM_STATE => "system not running",
            Reason::NO_CPU => "no eligible CPU online",
            Reason::PM => "suspend or hibernation",
            Reason::SHUTDOWN => "reboot or shutdown",
            Reason::PANIC => "panic",
            Reason::STARVED => "kthreads starved",
            Reason::URGENT => "urgent record",
            Reason::UNLOAD => "module unloading",
            _ => "unknown",
        }
    }

    /// The reason's identifier, for the `stats` file.
    pub(crate) fn ident(self) -> &'static str {
        match self {
            Reason::USER => "USER",
            Reason::OOPS => "OOPS",
            Reason::SYSTEM_STATE => "SYSTEM_STATE",
            Reason::NO_CPU => "NO_CPU",
            Reason::PM => "PM",
            Reason::SHUTDOWN => "SHUTDOWN",
            Reason::PANIC => "PANIC",
            Reason::STARVED => "STARVED",
            Reason::URGENT => "URGENT",
            Reason::UNLOAD => "UNLOAD",
            _ => "UNKNOWN",
        }
    }
}

/// The reasons that held at one moment, shown as their identifiers separated by commas
/// (`USER,STARVED`), in the order log lines name them, or `none`.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(crate) struct ReasonList(u32);

impl core::fmt::Display for ReasonList {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        let mut first = true;
        for r in Reason::ALL.into_iter().filter(|r| self.0 & r.0 != 0) {
            if !first {
                f.write_str(",")?;
            }
            f.write_str(r.ident())?;
            first = false;
        }
        if first {
            f.write_str("none")?;
        }
        Ok(())
    }
}

/// What a change of reasons did to the mode.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(crate) enum Switch {
    /// The mode did not change (the reason was already so, or others still hold).
    None,
    /// The first reason was set: print synchronously from now on.
    Entered,
    /// The last reason was cleared: offload again.
    Left,
}

/// Not a reason: the backlog was printed and the consoles handed back to the kernel.
const HANDED_BACK: u32 = 1 << 16;
/// Not a reason: with `HANDED_BACK`, the consoles went to the kernel as they were, their
/// backlog unprinted, because nobody could print it (`give_up`); the first kthread that
/// runs again takes them back to print it (`resume_hand_back`).
const GAVE_UP: u32 = 1 << 17;

/// Who prints the consoles, from the bits: the kernel, once they were handed back while
/// a reason holds.
pub(crate) fn kernel_prints(bits: u32) -> bool {
    bits & Reason::ANY != 0 && bits & HANDED_BACK != 0
}

/// The set of reasons that currently hold, and whether the consoles were handed back.
pub(crate) struct Emergency {
    reasons: AtomicU32,
}

impl Emergency {
    /// No reason holds.
    pub(crate) fn new() -> Self {
        Self {
            reasons: AtomicU32::new(0),
        }
    }

    /// Sets `r`; safe in any context. The consoles stay the module's until the backlog
    /// is printed (`hand_back`).
    pub(crate) fn raise(&self, r: Reason) -> Switch {
        Self::entered(self.reasons.fetch_or(r.0, Ordering::SeqCst))
    }

    /// Sets `r` and hands the consoles back at once, whatever the module still owes them
    /// (panic; one CPU left with interrupts off). Safe in any context.
    pub(crate) fn raise_handed_back(&self, r: Reason) -> Switch {
        let old = self
            .reasons
            .fetch_update(Ordering::SeqCst, Ordering::SeqCst, |b| {
                // Such a hand-back is final: no kthread may take the consoles back.
                Some((b | r.0 | HANDED_BACK) & !GAVE_UP)
            })
            .unwrap_or(0);
        Self::entered(old)
    }

    fn entered(old: u32) -> Switch {
        if old & Reason::ANY == 0 {
            Switch::Entered
        } else {
            Switch::None
        }
    }

    /// Marks the consoles handed back, if a reason still holds (none may have, since the
    /// caller looked). Returns whether they are now the kernel's.
    pub(crate) fn hand_back(&self) -> bool {
        let r = self
            .reasons
            .fetch_update(Ordering::SeqCst, Ordering::SeqCst, |b| {
                (b & Reason::ANY != 0).then_some(b | HANDED_BACK)
            });
        r.is_ok()
    }

    /// Hands the consoles back as they are, their backlog unprinted, if a reason still
    /// holds and they were not handed back yet: nobody could print the backlog (every CPU
    /// taken by real-time tasks). Returns whether they are now the kernel's.
    pub(crate) fn give_up(&self) -> bool {
        self.reasons
            .fetch_update(Ordering::SeqCst, Ordering::SeqCst, |b| {
                (b & Reason::ANY != 0 && b & HANDED_BACK == 0).then_some(b | HANDED_BACK | GAVE_UP)
            })
            .is_ok()
    }

    /// Takes back the consoles `give_up` gave the kernel, unless something handed them
    /// back for good since (`raise_handed_back`) or the last reason was cleared: a kthread
    /// runs again and prints the backlog before it hands them back. Returns whether the
    /// consoles are being handed back again.
    pub(crate) fn resume_hand_back(&self) -> bool {
        self.reasons
            .fetch_update(Ordering::SeqCst, Ordering::SeqCst, |b| {
                (b & Reason::ANY != 0 && b & GAVE_UP != 0).then_some(b & !(HANDED_BACK | GAVE_UP))
            })
            .is_ok()
    }

    /// Whether the consoles went to the kernel as they were (`give_up`) and a drainer that
    /// runs may take them back (`resume_hand_back`).
    pub(crate) fn given_up(&self) -> bool {
        let b = self.reasons.load(Ordering::SeqCst);
        b & Reason::ANY != 0 && b & GAVE_UP != 0
    }

    /// Clears `r`; safe in any context. With the last reason, the hand-back ends too.
    pub(crate) fn clear(&self, r: Reason) -> Switch {
        let old = self
            .reasons
            .fetch_update(Ordering::SeqCst, Ordering::SeqCst, |b| {
                let left = b & !r.0;
                Some(if left & Reason::ANY == 0 { 0 } else { left })
            })
            .unwrap_or(0);
        if old & Reason::ANY == r.0 {
            Switch::Left
        } else {
            Switch::None
        }
    }

    /// Whether `r` holds.
    pub(crate) fn has(&self, r: Reason) -> bool {
        self.reasons.load(Ordering::SeqCst) & r.0 != 0
    }

    /// Whether any reason holds (the consoles are the kernel's, or are being handed back).
    pub(crate) fn active(&self) -> bool {
        self.reasons.load(Ordering::SeqCst) & Reason::ANY != 0
    }

    /// Whether the kernel prints the held consoles now.
    pub(crate) fn kernel_prints(&self) -> bool {
        kernel_prints(self.reasons.load(Ordering::SeqCst))
    }

    /// Whether a reason holds and the consoles are not handed back yet: the module prints
    /// its backlog first.
    pub(crate) fn handing_back(&self) -> bool {
        let b = self.reasons.load(Ordering::SeqCst);
        b & Reason::ANY != 0 && b & HANDED_BACK == 0
    }

    /// Whether the kernel prints the held consoles, read with a read-modify-write: it
    /// returns the latest value, and it is ordered after every write whose effect the
    /// caller has seen (see `ownership.rs`).
    pub(crate) fn kernel_prints_latest(&self) -> bool {
        kernel_prints(self.reasons.fetch_or(0, Ordering::SeqCst))
    }

    /// The reasons that hold now.
    pub(crate) fn list(&self) -> ReasonList {
        ReasonList(self.reasons.load(Ordering::Relaxed) & Reason::ANY)
    }

    /// The reason log lines name first among those that hold, leaving out `quiet`.
    pub(crate) fn first_except(&self, quiet: &[Reason]) -> Option<Reason> {
        let bits = self.reasons.load(Ordering::Acquire);
        Reason::ALL
            .into_iter()
            .find(|r| bits & r.0 != 0 && !quiet.contains(r))
    }
}
