// SPDX-License-Identifier: GPL-2.0

//! The offload engine: who prints, when, and what. Safe Rust over the thin FFI files.
//!
//! - printk() callers ring the doorbell (`doorbell.rs`); its irq_work calls
//!   [`Offload::on_doorbell`] on the CPU that printed, which wakes a kthread on another CPU
//!   unless a printer is already active.
//! - A kthread that is kicked claims the printer role (`logic/printer_claim.rs`), prints one
//!   bounded slice under console_lock (`print_slice`), releases the claim and, if records
//!   remain, kicks the next CPU: the printing moves between CPUs and no CPU is stuck in it.

use crate::consoles::{ConsoleLock, OwnedConsole, OwnedConsoles};
use crate::cpus;
use crate::doorbell::Doorbell;
use crate::kmsg_reader;
use crate::logic::cpu_choice::choose_cpu;
use crate::logic::printer_claim::PrinterClaim;
use crate::logic::record_text::{dropped_notice, strip_syslog_prefixes, syslog_level};
use crate::logic::slice_budget::SliceBudget;
use crate::percpu_threads::{PercpuCallbacks, PercpuThreads};
use crate::stats::Stats;
use core::cell::UnsafeCell;
use core::sync::atomic::{AtomicBool, AtomicPtr, AtomicU32, AtomicU64, Ordering};
use kernel::alloc::{flags::GFP_KERNEL, KBox, KVec};
use kernel::prelude::*;

/// Room for one record as the console path formats it (PRINTK_MESSAGE_MAX is 2048), with
/// the syslog prefixes that are cut afterwards.
const RECORD_BUF: usize = 4096;
/// A CPU whose doorbell rang within this window is busy printing messages: the printer
/// avoids it (see `logic/cpu_choice.rs`). The lazy doorbell runs about once per tick while
/// a CPU keeps printing, so a few ticks.
const BUSY_WINDOW_NS: u64 = 20_000_000;
/// Default slice: 5 ms or 16 KiB, whichever ends first.
const DEFAULT_SLICE_NS: u64 = 5_000_000;
const DEFAULT_SLICE_BYTES: u64 = 16 * 1024;

/// The module's state, reachable from the C callbacks through [`OFFLOAD`].
///
/// # Invariants
///
/// Lives in a `KBox` that is not moved after `start()`; `OFFLOAD` points to it exactly
/// while the threads and the doorbell may run.
pub(crate) struct Offload {
    doorbell: Doorbell,
    threads: PercpuThreads,
    consoles: OwnedConsoles,
    claim: PrinterClaim,
    kicks: KVec<AtomicBool>,
    /// Per CPU: when its doorbell last rang (ns), i.e. when it last produced messages.
    last_doorbell: KVec<AtomicU64>,
    rotor: AtomicU32,
    /// Record buffer, used only by the holder of `claim`.
    buf: UnsafeCell<KVec<u8>>,
    slice_ns: AtomicU64,
    slice_bytes: AtomicU64,
    pub(crate) stats: Stats,
}

// SAFETY: shared state is atomics; `buf` is only touched by the claim holder.
unsafe impl Sync for Offload {}
// SAFETY: as above.
unsafe impl Send for Offload {}

/// The running instance, for callbacks that carry no context pointer.
static OFFLOAD: AtomicPtr<Offload> = AtomicPtr::new(core::ptr::null_mut());

/// Runs `f` on the running instance, if any.
fn with_offload(f: impl FnOnce(&Offload)) {
    let p = OFFLOAD.load(Ordering::Acquire);
    if !p.is_null() {
        // SAFETY: `OFFLOAD` is only non-null while the instance is alive and in place
        // (invariant); it is cleared after every caller of this function has stopped.
        f(unsafe { &*p });
    }
}

/// The kthreads' per-CPU behaviour.
struct Kthreads;

impl PercpuCallbacks for Kthreads {
    fn should_run(cpu: u32) -> bool {
        let mut run = false;
        with_offload(|o| run = o.kicked(cpu));
        run
    }

    fn run(cpu: u32) {
        with_offload(|o| o.run_on(cpu));
    }

    fn park(cpu: u32) {
        // The CPU goes offline: pass a pending kick on so no backlog waits for it.
        with_offload(|o| {
            if o.kicks[cpu as usize].swap(false, Ordering::SeqCst) {
                o.kick_from(cpu);
            }
        });
    }
}

/// The doorbell's irq_work function.
unsafe extern "C" fn ring(_work: *mut crate::bindings::irq_work) {
    with_offload(|o| o.on_doorbell());
}

impl Offload {
    /// Takes over the consoles and starts the kthreads and the doorbell.
    pub(crate) fn start() -> Result<KBox<Self>> {
        let nr = cpus::nr_cpu_ids() as usize;
        let mut kicks = KVec::with_capacity(nr, GFP_KERNEL)?;
        let mut last_doorbell = KVec::with_capacity(nr, GFP_KERNEL)?;
        for _ in 0..nr {
            kicks.push(AtomicBool::new(false), GFP_KERNEL)?;
            last_doorbell.push(AtomicU64::new(0), GFP_KERNEL)?;
        }
        let mut this = KBox::new(
            Self {
                doorbell: Doorbell::new(ring),
                threads: PercpuThreads::new::<Kthreads>()?,
                consoles: OwnedConsoles::take_over()?,
                claim: PrinterClaim::new(),
                kicks,
                last_doorbell,
                rotor: AtomicU32::new(0),
                buf: UnsafeCell::new(KVec::from_elem(0u8, RECORD_BUF, GFP_KERNEL)?),
                slice_ns: AtomicU64::new(DEFAULT_SLICE_NS),
                slice_bytes: AtomicU64::new(DEFAULT_SLICE_BYTES),
                stats: Stats::default(),
            },
            GFP_KERNEL,
        )?;
        OFFLOAD.store(&mut *this, Ordering::Release);
        // SAFETY: `this` is boxed and never moved until dropped; dropping it unregisters
        // both (see `Drop`), also on the error paths below.
        unsafe {
            this.threads.register()?;
            this.doorbell.arm()?;
        }
        // Print what came in while we were taking over.
        this.doorbell.ring_now();
        Ok(this)
    }

    /// Number of consoles taken over.
    pub(crate) fn consoles(&self) -> usize {
        self.consoles.count()
    }

    fn kicked(&self, cpu: u32) -> bool {
        self.kicks.get(cpu as usize).is_some_and(|k| k.load(Ordering::Relaxed))
    }

    /// The doorbell, on the CPU that printed, after its records were committed.
    fn on_doorbell(&self) {
        let cpu = cpus::current_cpu();
        if let Some(t) = self.last_doorbell.get(cpu as usize) {
            t.store(cpus::now_ns(), Ordering::Relaxed);
        }
        if self.claim.printer_will_see_new_records() {
            return;
        }
        self.kick_from(cpu);
    }

    /// Whether `cpu` produced messages recently.
    fn busy(&self, cpu: u32) -> bool {
        self.last_doorbell.get(cpu as usize).is_some_and(|t| {
            let t = t.load(Ordering::Relaxed);
            t != 0 && cpus::now_ns().saturating_sub(t) < BUSY_WINDOW_NS
        })
    }

    /// Wakes the kthread of the next printer, preferring a CPU other than `from`.
    fn kick_from(&self, from: u32) {
        let start = self.rotor.fetch_add(1, Ordering::Relaxed);
        let eligible = |cpu: u32| cpus::cpu_online(cpu) && self.threads.exists(cpu);
        let busy = |cpu: u32| self.busy(cpu);
        if let Some(cpu) = choose_cpu(from, start, cpus::nr_cpu_ids(), eligible, busy) {
            self.kicks[cpu as usize].store(true, Ordering::SeqCst);
            self.threads.wake(cpu);
        }
    }

    /// A kicked kthread on `cpu`.
    fn run_on(&self, cpu: u32) {
        self.kicks[cpu as usize].store(false, Ordering::SeqCst);
        if !self.claim.try_claim(cpu) {
            // Another printer is active; it looks for records after it releases.
            return;
        }
        self.print_slice();
        self.claim.release();
        if self.backlog() {
            Stats::add(&self.stats.handoffs, 1);
            self.kick_from(cpu);
        }
    }

    /// Whether some console we print for has a record left.
    fn backlog(&self) -> bool {
        self.consoles.lowest_seq().is_some_and(kmsg_reader::has_record_from)
    }

    /// Prints records, console by console in turns, until caught up or the slice is over.
    fn print_slice(&self) {
        let lock = ConsoleLock::acquire();
        // SAFETY: only the holder of `claim` gets here, so the buffer is ours.
        let buf = unsafe { &mut *self.buf.get() };
        let mut budget = SliceBudget::new(
            cpus::now_ns(),
            self.slice_ns.load(Ordering::Relaxed),
            self.slice_bytes.load(Ordering::Relaxed),
        );
        loop {
            let mut progress = false;
            self.consoles.for_each_ours(&lock, |con| {
                if let Some(bytes) = self.emit_next(con, buf) {
                    progress = true;
                    budget.charge(bytes);
                }
            });
            if !progress || budget.exhausted(cpus::now_ns()) {
                break;
            }
            lock.cond_resched();
        }
        Stats::add(&self.stats.slices, 1);
        Stats::add(&self.stats.records, budget.records());
        Stats::add(&self.stats.bytes, budget.bytes());
    }

    /// Prints `con`'s next record as `console_emit_next_record()` would; returns the bytes
    /// written (0 for a record below the console loglevel), or `None` if caught up.
    fn emit_next(&self, con: &OwnedConsole<'_>, buf: &mut [u8]) -> Option<usize> {
        let seq = con.seq();
        let rec = kmsg_reader::read_at(seq, buf)?;
        if rec.seq > seq {
            con.add_dropped(rec.seq - seq);
            Stats::add(&self.stats.dropped, rec.seq - seq);
        }
        let level = syslog_level(&buf[..rec.len]).unwrap_or(0);
        if i32::from(level) >= console_loglevel() {
            con.set_seq(rec.seq + 1);
            Stats::add(&self.stats.suppressed, 1);
            return Some(0);
        }
        let len = strip_syslog_prefixes(buf, rec.len);
        let dropped = con.take_dropped();
        if dropped > 0 {
            let mut notice = [0u8; 64];
            let n = dropped_notice(dropped, &mut notice);
            con.write(&notice[..n]);
        }
        con.write(&buf[..len]);
        con.set_seq(rec.seq + 1);
        Some(len)
    }
}

/// `console_loglevel`: records at this level or above are not printed on consoles.
fn console_loglevel() -> i32 {
    // SAFETY: `console_printk` is an exported array of four ints; element 0 is the level.
    unsafe { core::ptr::read_volatile(core::ptr::addr_of!(crate::bindings::console_printk).cast::<i32>()) }
}

impl Drop for Offload {
    fn drop(&mut self) {
        // No new wakeups, then no printer, then nobody who could reach us through OFFLOAD;
        // the consoles are handed back when the `consoles` field drops.
        self.doorbell.disarm();
        self.threads.unregister();
        OFFLOAD.store(core::ptr::null_mut(), Ordering::Release);
    }
}
