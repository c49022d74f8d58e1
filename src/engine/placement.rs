// SPDX-License-Identifier: GPL-2.0

//! Where printing happens: `printk_cpumask`, which CPUs' kthreads may print now, waking
//! them (kicks), and choosing the next printer (`logic/cpu_choice.rs`).
//!
//! A CPU is eligible while it is in the mask, online, and its kthread is *ready*: set
//! when the kthread starts on the CPU (smpboot's `setup` the first time, `unpark` after),
//! cleared at the start of `park`, before the CPU goes. So no kick or invitation goes to a
//! CPU that is going away, and a kick that races with `park` is passed on by one side or
//! the other: the kicker sets the kick then reads `ready`, `park` clears `ready` then takes
//! the kick (both sequentially consistent, so at least one sees the other).

use super::{Ctx, Offload};
use crate::ffi::cpus;
use crate::logic::cpu_choice::{choose_cpu, mostly_idle, successor, IdleSample};
use crate::logic::cpulist::{self, ParseError};
use crate::logic::emergency::Reason;
use core::sync::atomic::{AtomicBool, AtomicU32, AtomicU64, AtomicUsize, Ordering};
use kernel::alloc::{flags::GFP_KERNEL, KVec};
use kernel::prelude::*;

/// A CPU whose doorbell rang within this window is busy printing messages: the printer
/// avoids it (see `logic/cpu_choice.rs`). The lazy doorbell runs about once per tick while
/// a CPU keeps printing, so a few ticks.
const BUSY_WINDOW_NS: u64 = 20_000_000;

const WORD_BITS: u32 = usize::BITS;

/// How long a kthread whose CPU goes offline waits for a claim owed to it.
const PARK_WAIT_NS: u64 = 100_000_000;

/// The last reading of a CPU's idle time, and what it showed.
struct IdleSeen {
    /// Idle time since boot (µs) and when it was read (µs; 0: never).
    idle_us: AtomicU64,
    at_us: AtomicU64,
    /// Whether the CPU was mostly idle between the last two readings.
    idle: AtomicBool,
}

/// Per-CPU placement state, indexed by CPU id.
pub(crate) struct Placement {
    /// `printk_cpumask`, one bit per CPU id.
    mask: KVec<AtomicUsize>,
    ready: KVec<AtomicBool>,
    kicks: KVec<AtomicBool>,
    /// When each CPU's doorbell last rang (ns), i.e. when it last produced messages.
    last_doorbell: KVec<AtomicU64>,
    /// The watch timer rang the CPU's doorbell (no record of its own): not a sign that it
    /// produces messages.
    timer_rang: KVec<AtomicBool>,
    /// What the printer last saw of each CPU's idle time (`look_at_idle_cpus`).
    idle_seen: KVec<IdleSeen>,
    rotor: AtomicU32,
}

impl Placement {
    pub(crate) fn new(nr: usize) -> Result<Self> {
        let mut ready = KVec::with_capacity(nr, GFP_KERNEL)?;
        let mut kicks = KVec::with_capacity(nr, GFP_KERNEL)?;
        let mut last_doorbell = KVec::with_capacity(nr, GFP_KERNEL)?;
        let mut timer_rang = KVec::with_capacity(nr, GFP_KERNEL)?;
        let mut idle_seen = KVec::with_capacity(nr, GFP_KERNEL)?;
        for _ in 0..nr {
            idle_seen.push(
                IdleSeen {
                    idle_us: AtomicU64::new(0),
                    at_us: AtomicU64::new(0),
                    idle: AtomicBool::new(false),
                },
                GFP_KERNEL,
            )?;
            ready.push(AtomicBool::new(false), GFP_KERNEL)?;
            kicks.push(AtomicBool::new(false), GFP_KERNEL)?;
            last_doorbell.push(AtomicU64::new(0), GFP_KERNEL)?;
            timer_rang.push(AtomicBool::new(false), GFP_KERNEL)?;
        }
        // Default mask: every possible CPU.
        let words = (nr as u32).div_ceil(WORD_BITS) as usize;
        let mut mask = KVec::with_capacity(words, GFP_KERNEL)?;
        for w in 0..words as u32 {
            let mut bits = 0usize;
            for b in 0..WORD_BITS {
                if cpus::cpu_possible(w * WORD_BITS + b) {
                    bits |= 1 << b;
                }
            }
            mask.push(AtomicUsize::new(bits), GFP_KERNEL)?;
        }
        Ok(Self {
            mask,
            ready,
            kicks,
            last_doorbell,
            timer_rang,
            idle_seen,
            rotor: AtomicU32::new(0),
        })
    }

    /// Whether `cpu`'s kthread runs on its CPU (not parked).
    pub(crate) fn is_ready(&self, cpu: u32) -> bool {
        self.ready
            .get(cpu as usize)
            .is_some_and(|r| r.load(Ordering::SeqCst))
    }

    /// Waits (at most two seconds) until the kthread of every online CPU runs. Process
    /// context.
    pub(super) fn wait_for_kthreads(&self) {
        for _ in 0..400 {
            if (0..cpus::nr_cpu_ids()).all(|c| !cpus::cpu_online(c) || self.is_ready(c)) {
                return;
            }
            cpus::sleep_us(5_000, 6_000);
        }
    }

    /// The watch timer is about to ring `cpu`'s doorbell (`note_doorbell`).
    pub(crate) fn note_timer_ring(&self, cpu: u32) {
        if let Some(f) = self.timer_rang.get(cpu as usize) {
            f.store(true, Ordering::Relaxed);
        }
    }

    /// Whether `cpu` is in `printk_cpumask`.
    pub(crate) fn in_mask(&self, cpu: u32) -> bool {
        self.mask
            .get((cpu / WORD_BITS) as usize)
            .is_some_and(|w| w.load(Ordering::Relaxed) & (1 << (cpu % WORD_BITS)) != 0)
    }

    /// Whether `cpu`'s kthread may print now.
    pub(crate) fn eligible(&self, cpu: u32) -> bool {
        self.in_mask(cpu) && self.is_ready(cpu) && cpus::cpu_online(cpu)
    }

    /// Whether `cpu` produced messages recently.
    fn busy(&self, cpu: u32) -> bool {
        self.last_doorbell.get(cpu as usize).is_some_and(|t| {
            let t = t.load(Ordering::Relaxed);
            t != 0 && cpus::now_ns().saturating_sub(t) < BUSY_WINDOW_NS
        })
    }

    /// Reads the idle time of every eligible CPU but `from` and notes whether each was
    /// mostly idle since the previous reading (`logic/cpu_choice.rs`). The printer calls
    /// this at the end of each slice, so the share covers about the last slice.
    fn look_at_idle_cpus(&self, from: u32) {
        for cpu in 0..cpus::nr_cpu_ids() {
            let Some(seen) = self.idle_seen.get(cpu as usize) else {
                break;
            };
            if cpu == from || !self.eligible(cpu) {
                continue;
            }
            let Some(idle_us) = cpus::idle_time_us(cpu) else {
                // No idle-time accounting (`nohz=off`): placement goes by `busy` alone.
                seen.idle.store(true, Ordering::Relaxed);
                continue;
            };
            let now = IdleSample {
                idle_us,
                at_us: cpus::now_ns() / 1000,
            };
            let before = IdleSample {
                idle_us: seen.idle_us.load(Ordering::Relaxed),
                at_us: seen.at_us.load(Ordering::Relaxed),
            };
            // No reading yet: not known to be idle until the next look.
            let share = if before.at_us == 0 {
                Some(false)
            } else {
                mostly_idle(before, now)
            };
            // Readings too close together keep the older one for the next look.
            if let Some(idle) = share {
                seen.idle.store(idle, Ordering::Relaxed);
                seen.idle_us.store(now.idle_us, Ordering::Relaxed);
                seen.at_us.store(now.at_us, Ordering::Relaxed);
            }
        }
    }

    /// Whether `cpu` was mostly idle at the last look.
    fn was_idle(&self, cpu: u32) -> bool {
        self.idle_seen
            .get(cpu as usize)
            .is_some_and(|s| s.idle.load(Ordering::Relaxed))
    }

    /// Notes that `cpu` produced messages now, unless its doorbell was rung by the watch
    /// timer (`note_timer_ring`).
    pub(crate) fn note_doorbell(&self, cpu: u32) {
        let timer = self
            .timer_rang
            .get(cpu as usize)
            .is_some_and(|f| f.swap(false, Ordering::Relaxed));
        if timer {
            return;
        }
        if let Some(t) = self.last_doorbell.get(cpu as usize) {
            t.store(cpus::now_ns(), Ordering::Relaxed);
        }
    }

    /// Whether `cpu`'s kthread was kicked.
    pub(crate) fn kicked(&self, cpu: u32) -> bool {
        self.kicks
            .get(cpu as usize)
            .is_some_and(|k| k.load(Ordering::Relaxed))
    }

    /// Takes `cpu`'s kick (its kthread is about to do what it was kicked for).
    pub(crate) fn take_kick(&self, cpu: u32) -> bool {
        self.kicks
            .get(cpu as usize)
            .is_some_and(|k| k.swap(false, Ordering::SeqCst))
    }

    /// The CPU whose kthread should print next (`logic/cpu_choice.rs`).
    pub(crate) fn next_printer(&self, from: u32) -> Option<u32> {
        let start = self.rotor.fetch_add(1, Ordering::Relaxed);
        let eligible = |cpu: u32| self.eligible(cpu);
        let busy = |cpu: u32| self.busy(cpu);
        choose_cpu(from, start, cpus::nr_cpu_ids(), eligible, busy)
    }

    /// At the end of a slice on `cpu` (its kthread calls), during which another task was
    /// mostly waiting for `cpu` or not (`wanted`): the CPU to hand over to, or `None` to
    /// keep printing here (`logic/cpu_choice.rs`; `adaptive`: `adaptive_placement`).
    pub(crate) fn successor(&self, cpu: u32, wanted: bool, adaptive: bool) -> Option<u32> {
        if adaptive {
            self.look_at_idle_cpus(cpu);
        }
        let start = self.rotor.fetch_add(1, Ordering::Relaxed);
        successor(
            adaptive,
            wanted,
            cpu,
            start,
            cpus::nr_cpu_ids(),
            |c| self.eligible(c),
            |c| self.busy(c),
            |c| self.was_idle(c),
        )
    }

    /// `printk_cpumask` as a CPU list, into `out`; its length (0 if `out` is too small).
    pub(crate) fn show_mask(&self, out: &mut [u8]) -> usize {
        let mut words = KVec::new();
        for w in self.mask.iter() {
            if words.push(w.load(Ordering::Relaxed), GFP_KERNEL).is_err() {
                return 0;
            }
        }
        cpulist::format(&words, cpus::nr_cpu_ids(), out).unwrap_or(0)
    }

    /// Sets the mask to `words` (`parse_mask`). One writer at a time.
    fn set_mask(&self, words: &[usize]) {
        for (w, v) in self.mask.iter().zip(words) {
            w.store(*v, Ordering::SeqCst);
        }
    }
}

impl Offload {
    /// Wakes the kthread of the next printer, preferring a CPU other than `from`; with no
    /// eligible CPU at all, enters emergency mode.
    pub(crate) fn kick_from(&self, from: u32, ctx: Ctx) {
        match self.placement.next_printer(from) {
            Some(cpu) => self.kick(cpu, ctx),
            None => self.raise(Reason::NO_CPU, ctx),
        }
    }

    /// Wakes `cpu`'s kthread; if it is going away, passes the kick on.
    pub(crate) fn kick(&self, cpu: u32, ctx: Ctx) {
        let Some(k) = self.placement.kicks.get(cpu as usize) else {
            return;
        };
        k.store(true, Ordering::SeqCst);
        if self.placement.is_ready(cpu) {
            self.threads.wake(cpu);
        } else if k.swap(false, Ordering::SeqCst) {
            // `park` did not take it: pass it on ourselves.
            if let Some(next) = self.placement.next_printer(cpu).filter(|&n| n != cpu) {
                self.kick(next, ctx);
            } else {
                self.raise(Reason::NO_CPU, ctx);
            }
        }
    }

    /// Wakes a kthread for housekeeping: `cpu`'s own if it runs, another one otherwise.
    pub(crate) fn poke(&self, cpu: u32) {
        let nr = cpus::nr_cpu_ids();
        if let Some(c) = (0..nr)
            // No division: objtool in 6.12 does not know that the panic path of a
            // remainder by zero does not return.
            .map(|i| {
                let c = cpu.wrapping_add(i);
                if c >= nr {
                    c.wrapping_sub(nr)
                } else {
                    c
                }
            })
            .find(|&c| self.placement.is_ready(c))
        {
            if let Some(k) = self.placement.kicks.get(c as usize) {
                k.store(true, Ordering::SeqCst);
            }
            self.threads.wake(c);
        }
    }

    /// Wakes the kthreads to print a hand-back's backlog (`DRAIN`): every ready one,
    /// whatever the mask says, since any of them may be starved by real-time tasks; the
    /// first that runs drains (`Pacing::start_drain`), the others go back to sleep.
    pub(crate) fn poke_drainer(&self) {
        for c in (0..cpus::nr_cpu_ids()).filter(|&c| self.placement.is_ready(c)) {
            if let Some(k) = self.placement.kicks.get(c as usize) {
                k.store(true, Ordering::SeqCst);
            }
            self.threads.wake(c);
        }
    }

    /// `cpu`'s kthread starts on its CPU (first time, or after the CPU came back): it may
    /// be the eligible CPU that was missing, and it may print what is pending.
    pub(crate) fn kthread_online(&self, cpu: u32) {
        if let Some(r) = self.placement.ready.get(cpu as usize) {
            r.store(true, Ordering::SeqCst);
        }
        self.reevaluate_cpus(Ctx::Sleepable);
        self.ring_now();
    }

    /// `cpu` goes offline: its kthread is no longer eligible, and passes on a kick it got
    /// and the claim if the printer handed it over. The printer hands over within a record
    /// once the kthread arrived, so wait for that, but not for ever (the printer may be
    /// held up itself): then take the arrival back.
    pub(crate) fn kthread_offline(&self, cpu: u32) {
        if let Some(r) = self.placement.ready.get(cpu as usize) {
            r.store(false, Ordering::SeqCst);
        }
        let deadline = cpus::now_ns() + PARK_WAIT_NS;
        while self.printer.claim.awaits(cpu) {
            if cpus::now_ns() >= deadline && self.printer.claim.withdraw(cpu) {
                break;
            }
            cpus::sleep_us(50, 100);
        }
        if self.printer.claim.owns(cpu) {
            self.finish_printing(cpu);
        }
        if self.placement.take_kick(cpu) {
            self.kick_from(cpu, Ctx::Sleepable);
        }
        // Not here: a CPU going down must not wait for a backlog; another kthread prints it.
        self.reevaluate_cpus(Ctx::Atomic);
    }

    /// Whether some CPU may print now; raises or clears `NO_CPU` accordingly.
    pub(crate) fn reevaluate_cpus(&self, ctx: Ctx) {
        if (0..cpus::nr_cpu_ids()).any(|c| self.placement.eligible(c)) {
            if self.clear(Reason::NO_CPU, ctx) {
                self.ring_now();
            }
        } else {
            self.raise(Reason::NO_CPU, ctx);
        }
    }

    /// Starts printing what is pending, from process context (the doorbell's work without
    /// a doorbell): after load, a CPU coming online, the end of emergency mode.
    pub(crate) fn ring_now(&self) {
        if !self.mode.emergency.active()
            && !self.printer.claim.printer_will_see_new_records()
            && self.backlog()
        {
            self.kick_from(cpus::current_cpu(), Ctx::Atomic);
        }
    }

    /// `printk_cpumask` as a CPU list (`Placement::show_mask`), for the sysctl and the
    /// module parameter.
    pub(crate) fn show_mask(&self, out: &mut [u8]) -> usize {
        self.placement.show_mask(out)
    }

    /// Sets `printk_cpumask` from a CPU list (the kernel's syntax and errors); on error
    /// nothing changes. Process context.
    pub(crate) fn store_mask(&self, input: &[u8]) -> Result {
        let words = parse_mask(input)?;
        {
            // One writer at a time, so that a mask is never a mix of two writes.
            let _writer = self.mask_writer.lock();
            self.placement.set_mask(&words);
        }
        // No CPU left: the backlog is printed here, then the consoles are the kernel's.
        self.reevaluate_cpus(Ctx::Sleepable);
        self.ring_now();
        Ok(())
    }
}

/// A CPU list for `printk_cpumask`, as mask words for `nr_cpu_ids` CPUs, with the errors of
/// the kernel's own parser (`-EINVAL`, `-ERANGE`, `-EOVERFLOW`).
pub(crate) fn parse_mask(input: &[u8]) -> Result<KVec<usize>> {
    let nr = cpus::nr_cpu_ids();
    let mut words = KVec::from_elem(0usize, nr.div_ceil(WORD_BITS) as usize, GFP_KERNEL)?;
    cpulist::parse(input, nr, &mut words).map_err(|e| match e {
        ParseError::Invalid => EINVAL,
        ParseError::Range => ERANGE,
        ParseError::Overflow => crate::ffi::eoverflow(),
    })?;
    Ok(words)
}
