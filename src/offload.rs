// SPDX-License-Identifier: GPL-2.0

//! The offload engine: who prints, when, and what. Safe Rust over the thin FFI files.
//!
//! - printk() callers ring the doorbell (`doorbell.rs`): [`Offload::on_printk`] runs in the
//!   caller's context (any context) and only checks for emergencies; the doorbell's
//!   irq_work then calls [`Offload::on_doorbell`] on the same CPU, which wakes a kthread on
//!   another CPU unless a printer is already active.
//! - A kicked kthread claims the printer role (`logic/printer_claim.rs`), prints one
//!   bounded slice under console_lock (`print_slice`), releases the claim and, if records
//!   remain, kicks the next CPU (`logic/cpu_choice.rs`).
//! - In emergency mode (`logic/emergency.rs`) the consoles belong to the kernel, which
//!   prints them in the caller; the kthreads stay idle.

use crate::consoles::{ConsoleLock, OwnedConsole, OwnedConsoles};
use crate::cpus;
use crate::doorbell::Doorbell;
use crate::kmsg_reader;
use crate::lifecycle::{Lifecycle, LifecycleEvents};
use crate::logic::cpu_choice::choose_cpu;
use crate::logic::cpulist;
use crate::logic::emergency::{Emergency, Reason, Switch};
use crate::logic::printer_claim::{HandOver, PrinterClaim};
use crate::logic::record_text::{
    dropped_notice, strip_syslog_prefixes, syslog_level, timestamp_ns,
};
use crate::logic::slice_budget::SliceBudget;
use crate::logic::starvation_watch::StarvationWatch;
use crate::percpu_threads::{PercpuCallbacks, PercpuThreads};
use crate::stats::{Stats, StatsWriter};
use core::cell::UnsafeCell;
use core::sync::atomic::{AtomicBool, AtomicPtr, AtomicU32, AtomicU64, AtomicUsize, Ordering};
use kernel::alloc::{flags::GFP_KERNEL, KBox, KVec};
use kernel::prelude::*;

/// Room for one record as the console path formats it (PRINTK_MESSAGE_MAX is 2048), with
/// the syslog prefixes that are cut afterwards.
const RECORD_BUF: usize = 4096;
/// A CPU whose doorbell rang within this window is busy printing messages: the printer
/// avoids it (see `logic/cpu_choice.rs`). The lazy doorbell runs about once per tick while
/// a CPU keeps printing, so a few ticks.
const BUSY_WINDOW_NS: u64 = 20_000_000;

/// `kernel.printk_offload.slice_us`: default and range. 20 ms rather than 5: with every CPU
/// flooding, 5 ms slices meant a hand-off every one or two records at 9600 baud; measured
/// side by side in one boot (`scripts/bench.sh --slices`), 20 ms gave 0.943 of the
/// console's capacity against 0.912 (four runs each) with no worse caller latency.
pub(crate) const SLICE_US: (u64, u64, u64) = (20_000, 100, 1_000_000);
/// `kernel.printk_offload.slice_bytes`: default and range.
pub(crate) const SLICE_BYTES: (u64, u64, u64) = (16_384, 256, 1_048_576);
/// `kernel.printk_offload.starvation_ms`: default and range. Well under the soft-lockup
/// (20 s) and RCU stall (21 s) thresholds.
pub(crate) const STARVATION_MS: (u64, u64, u64) = (1_000, 10, 60_000);

const WORD_BITS: u32 = usize::BITS;

/// The module's state, reachable from the C callbacks through [`OFFLOAD`].
///
/// # Invariants
///
/// Lives in a `KBox` that is not moved after `start()`; `OFFLOAD` points to it exactly
/// while the threads, the doorbell and the sysctl files may run.
pub(crate) struct Offload {
    doorbell: Doorbell,
    lifecycle: Lifecycle,
    threads: PercpuThreads,
    consoles: OwnedConsoles,
    claim: PrinterClaim,
    emergency: Emergency,
    /// The consoles are currently the kernel's (emergency mode, or on its way out).
    released: AtomicBool,
    /// The emergency mode last announced in the log.
    logged_emergency: AtomicBool,
    /// `printk_cpumask`, one bit per CPU id.
    mask: KVec<AtomicUsize>,
    kicks: KVec<AtomicBool>,
    /// Per CPU: when its doorbell last rang (ns), i.e. when it last produced messages.
    last_doorbell: KVec<AtomicU64>,
    rotor: AtomicU32,
    /// Record buffer, used only by the holder of `claim`.
    buf: UnsafeCell<KVec<u8>>,
    user_emergency: AtomicBool,
    slice_us: AtomicU64,
    slice_bytes: AtomicU64,
    starvation_ms: AtomicU64,
    /// Is the oldest unprinted record stuck? Sampled at every doorbell.
    watch: StarvationWatch,
    /// When the starvation fallback was entered, in ns.
    starved_at_ns: AtomicU64,
    pub(crate) stats: Stats,
}

// SAFETY: shared state is atomics; `buf` is only touched by the claim holder.
unsafe impl Sync for Offload {}
// SAFETY: as above.
unsafe impl Send for Offload {}

/// The running instance, for callbacks that carry no context pointer.
static OFFLOAD: AtomicPtr<Offload> = AtomicPtr::new(core::ptr::null_mut());

/// Runs `f` on the running instance, if any.
pub(crate) fn with_offload<R>(f: impl FnOnce(&Offload) -> R) -> Option<R> {
    let p = OFFLOAD.load(Ordering::Acquire);
    if p.is_null() {
        return None;
    }
    // SAFETY: `OFFLOAD` is only non-null while the instance is alive and in place
    // (invariant); it is cleared after every caller of this function has stopped.
    Some(f(unsafe { &*p }))
}

/// The kthreads' per-CPU behaviour.
struct Kthreads;

impl PercpuCallbacks for Kthreads {
    /// As upstream's own printer threads (`pr/legacy`, nbcon's `pr/<console>`): printing
    /// must be scheduled soon after printk() and get a generous share of the CPU, or a
    /// flood from every CPU leaves the console half idle (measured: 0.49 of its capacity
    /// at nice 0 with both CPUs flooding).
    const NICE: i32 = -20;

    fn should_run(cpu: u32) -> bool {
        // Kicked, or handed the claim by the previous printer.
        with_offload(|o| o.kicked(cpu) || o.claim.owns(cpu)).unwrap_or(false)
    }

    fn run(cpu: u32) {
        with_offload(|o| o.run_on(cpu));
    }

    fn park(cpu: u32) {
        // The CPU goes offline: pass a pending kick on so no backlog waits for it, and the
        // claim if the printer handed it to us (it does so within a record once we
        // arrived, so wait for that first).
        with_offload(|o| {
            while o.claim.awaits(cpu) {
                cpus::sleep_us(50, 100);
            }
            if o.claim.owns(cpu) {
                o.finish_printing(cpu);
            }
            if o.kicks[cpu as usize].swap(false, Ordering::SeqCst) {
                o.kick_from(cpu);
            }
        });
    }

    fn unpark(cpu: u32) {
        // A CPU came (back) online: it may be the eligible CPU that was missing.
        with_offload(|o| {
            o.reevaluate_cpus(true);
            o.kick_from(cpu);
        });
    }
}

impl LifecycleEvents for Kthreads {
    fn pm_prepare() {
        with_offload(|o| {
            Stats::add(&o.stats.pm_events, 1);
            // Before tasks freeze: the kthreads are freezable by nobody, but the consoles'
            // drivers suspend; print synchronously from here on, backlog first.
            o.raise(Reason::PM, true);
            drop(ConsoleLock::acquire());
            o.log_mode();
        });
    }

    fn pm_post() {
        with_offload(|o| {
            Stats::add(&o.stats.pm_events, 1);
            // The serial core re-enabled its console on resume; taking back covers it.
            if o.clear(Reason::PM) {
                o.retake();
            }
            o.log_mode();
            o.doorbell.ring_now();
        });
    }

    fn syscore_suspend() {
        with_offload(|o| {
            Stats::add(&o.stats.syscore_events, 1);
            o.raise(Reason::PM, false);
        });
    }

    fn syscore_resume() {
        with_offload(|o| Stats::add(&o.stats.syscore_events, 1));
    }

    fn syscore_shutdown() {
        with_offload(|o| {
            Stats::add(&o.stats.syscore_events, 1);
            o.raise(Reason::SHUTDOWN, false);
        });
    }

    fn reboot() {
        with_offload(|o| {
            Stats::add(&o.stats.reboot_events, 1);
            o.raise(Reason::SHUTDOWN, true);
            drop(ConsoleLock::acquire());
            o.log_mode();
        });
    }

    fn panic() {
        // Other CPUs are stopped (a kthread may have been stopped in the middle of a
        // record: that record is printed again by the panic flush, as the kernel's own
        // threaded printing would). Hand the consoles back so console_flush_on_panic(),
        // which skips disabled consoles, prints everything from each con->seq on.
        with_offload(|o| {
            Stats::add(&o.stats.panic_events, 1);
            o.raise(Reason::PANIC, false);
        });
    }
}

/// The doorbell's irq_work function.
unsafe extern "C" fn ring(_work: *mut crate::bindings::irq_work) {
    with_offload(|o| o.on_doorbell());
}

/// The doorbell's tracepoint side, in the printk() caller's context.
fn on_printk() {
    with_offload(|o| o.on_printk());
}

impl Offload {
    /// Takes over the consoles and starts the kthreads and the doorbell.
    pub(crate) fn start() -> Result<KBox<Self>> {
        let nr = cpus::nr_cpu_ids();
        let mut kicks = KVec::with_capacity(nr as usize, GFP_KERNEL)?;
        let mut last_doorbell = KVec::with_capacity(nr as usize, GFP_KERNEL)?;
        for _ in 0..nr {
            kicks.push(AtomicBool::new(false), GFP_KERNEL)?;
            last_doorbell.push(AtomicU64::new(0), GFP_KERNEL)?;
        }
        // Default mask: every possible CPU.
        let words = nr.div_ceil(WORD_BITS) as usize;
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
        let mut this = KBox::new(
            Self {
                doorbell: Doorbell::new(ring, on_printk),
                lifecycle: Lifecycle::new::<Kthreads>(),
                threads: PercpuThreads::new::<Kthreads>()?,
                consoles: OwnedConsoles::take_over()?,
                claim: PrinterClaim::new(),
                emergency: Emergency::new(),
                released: AtomicBool::new(false),
                logged_emergency: AtomicBool::new(false),
                mask,
                kicks,
                last_doorbell,
                rotor: AtomicU32::new(0),
                buf: UnsafeCell::new(KVec::from_elem(0u8, RECORD_BUF, GFP_KERNEL)?),
                user_emergency: AtomicBool::new(false),
                slice_us: AtomicU64::new(SLICE_US.0),
                slice_bytes: AtomicU64::new(SLICE_BYTES.0),
                starvation_ms: AtomicU64::new(STARVATION_MS.0),
                watch: StarvationWatch::new(),
                starved_at_ns: AtomicU64::new(0),
                stats: Stats::new(nr as usize)?,
            },
            GFP_KERNEL,
        )?;
        OFFLOAD.store(&mut *this, Ordering::Release);
        // SAFETY: `this` is boxed and never moved until dropped; dropping it unregisters
        // both (see `Drop`), also on the error paths below.
        unsafe {
            this.threads.register()?;
            this.lifecycle.register()?;
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
        self.kicks
            .get(cpu as usize)
            .is_some_and(|k| k.load(Ordering::Relaxed))
    }

    // ---- emergency mode ------------------------------------------------------------

    /// Sets `reason`; on entering emergency mode, hands the consoles to the kernel.
    fn raise(&self, reason: Reason, may_sleep: bool) {
        if self.emergency.raise(reason) == Switch::Entered {
            Stats::add(&self.stats.emergency_entries, 1);
            self.released.store(true, Ordering::SeqCst);
            self.consoles.set_kernel_printing(true, may_sleep);
        }
    }

    /// Clears `reason`; returns true if emergency mode ended (the consoles must be taken
    /// back by a sleepable context: `retake()`).
    fn clear(&self, reason: Reason) -> bool {
        self.emergency.clear(reason) == Switch::Left
    }

    /// Takes the consoles back from the kernel after emergency mode ended. Sleeps.
    fn retake(&self) {
        if !self.released.load(Ordering::SeqCst) || self.emergency.active() {
            return;
        }
        self.released.store(false, Ordering::SeqCst);
        self.watch.disarm();
        self.consoles.set_kernel_printing(false, true);
        // A reason raised meanwhile found `released` false or true: either way, make sure
        // the consoles are the kernel's if emergency mode is on again.
        if self.emergency.active() && !self.released.swap(true, Ordering::SeqCst) {
            self.consoles.set_kernel_printing(true, true);
        }
    }

    /// Announces a change of mode once (not from the printk caller's context).
    fn log_mode(&self) {
        let active = self.emergency.active();
        if self.logged_emergency.swap(active, Ordering::SeqCst) == active {
            return;
        }
        if active {
            let why = Reason::ALL
                .into_iter()
                .find(|&r| self.emergency.has(r))
                .map_or("unknown", Reason::name);
            pr_info!(
                "emergency mode on ({}): printk() callers print synchronously\n",
                why
            );
        } else {
            pr_info!("emergency mode off: printing from the kthreads again\n");
        }
    }

    /// Whether some CPU may print now; raises or clears `NO_CPU` accordingly.
    fn reevaluate_cpus(&self, may_sleep: bool) {
        let any = (0..cpus::nr_cpu_ids()).any(|c| self.eligible(c));
        if any {
            if self.clear(Reason::NO_CPU) && may_sleep {
                self.retake();
            }
        } else {
            self.raise(Reason::NO_CPU, may_sleep);
        }
    }

    // ---- the doorbell --------------------------------------------------------------

    /// In the printk() caller, for every record, before it is stored: enter emergency
    /// mode on an oops or when the system stops running, so that this very record is
    /// already printed by the caller. Any context, NMI included.
    fn on_printk(&self) {
        // SAFETY: exported ints, read-only here.
        let (oops, state) = unsafe {
            (
                core::ptr::read_volatile(core::ptr::addr_of!(crate::bindings::oops_in_progress)),
                core::ptr::read_volatile(core::ptr::addr_of!(crate::bindings::system_state)),
            )
        };
        if oops != 0 && !self.emergency.has(Reason::OOPS) {
            self.raise(Reason::OOPS, false);
        }
        if state != crate::bindings::system_states_SYSTEM_RUNNING
            && !self.emergency.has(Reason::SYSTEM_STATE)
        {
            self.raise(Reason::SYSTEM_STATE, false);
        }
        if self.released.load(Ordering::Relaxed) {
            Stats::add(&self.stats.sync_records, 1);
        }
    }

    /// The doorbell, on the CPU that printed, after its records were committed.
    fn on_doorbell(&self) {
        let cpu = cpus::current_cpu();
        if let Some(t) = self.last_doorbell.get(cpu as usize) {
            t.store(cpus::now_ns(), Ordering::Relaxed);
        }
        // Emergencies that are over end here; the consoles are taken back by a kthread.
        // SAFETY: exported ints, read-only here.
        let (oops, state) = unsafe {
            (
                core::ptr::read_volatile(core::ptr::addr_of!(crate::bindings::oops_in_progress)),
                core::ptr::read_volatile(core::ptr::addr_of!(crate::bindings::system_state)),
            )
        };
        let mut left = false;
        if oops == 0 && self.emergency.has(Reason::OOPS) {
            left |= self.clear(Reason::OOPS);
        }
        if state == crate::bindings::system_states_SYSTEM_RUNNING
            && self.emergency.has(Reason::SYSTEM_STATE)
        {
            left |= self.clear(Reason::SYSTEM_STATE);
        }
        left |= self.watch_starvation();
        self.log_mode();
        if self.emergency.active() {
            return;
        }
        if !left && self.claim.printer_will_see_new_records() {
            return;
        }
        self.kick_from(cpu);
    }

    /// The starvation fallback, checked at every doorbell: if the oldest unprinted record
    /// stayed unprinted for `starvation_ms` (e.g. every eligible CPU is hogged by real-time
    /// tasks), print synchronously; after as long again, let the kthreads try again (they
    /// take the consoles back only once one of them actually runs). Returns true if the
    /// fallback ended.
    fn watch_starvation(&self) -> bool {
        let now = cpus::now_ns();
        let limit_ms = self.starvation_ms.load(Ordering::Relaxed);
        if self.emergency.has(Reason::STARVED) {
            let since = self.starved_at_ns.load(Ordering::Relaxed);
            return now.saturating_sub(since) >= limit_ms * 1_000_000
                && self.clear(Reason::STARVED);
        }
        if self.released.load(Ordering::Relaxed) {
            return false;
        }
        let Some((oldest, pending)) = self.oldest_record() else {
            return false;
        };
        if self
            .watch
            .sample(oldest, pending, now / 1_000_000, limit_ms)
        {
            self.starved_at_ns.store(now, Ordering::Relaxed);
            Stats::add(&self.stats.starvations, 1);
            self.raise(Reason::STARVED, false);
        }
        false
    }

    // ---- choosing and waking printers ----------------------------------------------

    /// Whether `cpu` is in `printk_cpumask`.
    fn in_mask(&self, cpu: u32) -> bool {
        self.mask
            .get((cpu / WORD_BITS) as usize)
            .is_some_and(|w| w.load(Ordering::Relaxed) & (1 << (cpu % WORD_BITS)) != 0)
    }

    /// Whether `cpu`'s kthread may print now.
    fn eligible(&self, cpu: u32) -> bool {
        self.in_mask(cpu) && cpus::cpu_online(cpu) && self.threads.exists(cpu)
    }

    /// Whether `cpu` produced messages recently.
    fn busy(&self, cpu: u32) -> bool {
        self.last_doorbell.get(cpu as usize).is_some_and(|t| {
            let t = t.load(Ordering::Relaxed);
            t != 0 && cpus::now_ns().saturating_sub(t) < BUSY_WINDOW_NS
        })
    }

    /// Wakes the kthread of the next printer, preferring a CPU other than `from`; with no
    /// eligible CPU at all, enters emergency mode.
    fn kick_from(&self, from: u32) {
        match self.next_printer(from) {
            Some(cpu) => self.kick(cpu),
            None => self.raise(Reason::NO_CPU, false),
        }
    }

    /// The CPU whose kthread should print next (`logic/cpu_choice.rs`).
    fn next_printer(&self, from: u32) -> Option<u32> {
        let start = self.rotor.fetch_add(1, Ordering::Relaxed);
        let eligible = |cpu: u32| self.eligible(cpu);
        let busy = |cpu: u32| self.busy(cpu);
        choose_cpu(from, start, cpus::nr_cpu_ids(), eligible, busy)
    }

    /// Wakes `cpu`'s kthread to run.
    fn kick(&self, cpu: u32) {
        self.kicks[cpu as usize].store(true, Ordering::SeqCst);
        self.threads.wake(cpu);
    }

    // ---- printing --------------------------------------------------------------------

    /// `cpu`'s kthread, kicked or handed the claim.
    fn run_on(&self, cpu: u32) {
        self.kicks[cpu as usize].store(false, Ordering::SeqCst);
        self.log_mode();
        if !self.claim.owns(cpu) {
            if self.emergency.active() {
                return;
            }
            self.retake();
            if !self.eligible(cpu) {
                // Left the mask meanwhile: pass the work on.
                if self.backlog() {
                    self.kick_from(cpu);
                }
                return;
            }
            if self.claim.arrive(cpu) {
                // Invited by the printer: it hands the claim over at its next record
                // boundary (it must, once we arrived) and wakes us (`should_run`).
                return;
            }
            if !self.claim.try_claim(cpu) {
                // Another printer is active; it looks for records after it releases.
                return;
            }
        } else {
            self.retake();
        }
        // We hold the claim: whatever happens, `finish_printing` passes it on.
        if !self.emergency.active() && self.eligible(cpu) {
            self.print_slice(cpu);
        }
        self.finish_printing(cpu);
    }

    /// The claim holder on `cpu` stops printing: hands the claim to an arrived successor
    /// and wakes it, or releases the claim and wakes a kthread for any backlog.
    fn finish_printing(&self, cpu: u32) {
        match self.claim.hand_over() {
            HandOver::Transferred(next) => {
                Stats::add(&self.stats.handoffs, 1);
                Stats::add(&self.stats.handovers, 1);
                self.threads.wake(next);
            }
            HandOver::Released => {
                if !self.emergency.active() && self.backlog() {
                    Stats::add(&self.stats.handoffs, 1);
                    self.kick_from(cpu);
                }
            }
        }
    }

    /// Whether some console we print for has a record left.
    fn backlog(&self) -> bool {
        self.oldest_record().is_some_and(|(_, pending)| pending)
    }

    /// The oldest next record of the consoles we print for (their lowest `con->seq`), and
    /// whether it exists yet.
    fn oldest_record(&self) -> Option<(u64, bool)> {
        self.consoles
            .lowest_seq()
            .map(|seq| (seq, kmsg_reader::has_record_from(seq)))
    }

    /// Prints records, console by console in turns, until caught up, emergency mode
    /// begins, `cpu` leaves the mask, or the slice is over and the next printer is ready:
    /// at the end of the slice the kthread of the next CPU is invited and this one keeps
    /// printing until it arrives (so the console never waits for a wake-up), or for one
    /// more slice at most.
    fn print_slice(&self, cpu: u32) {
        let lock = ConsoleLock::acquire();
        if let Some(low) = self.consoles.lowest_seq() {
            Stats::max(
                &self.stats.max_backlog,
                kmsg_reader::next_seq().saturating_sub(low),
            );
        }
        // SAFETY: only the holder of `claim` gets here, so the buffer is ours.
        let buf = unsafe { &mut *self.buf.get() };
        let slice_ns = self.slice_us.load(Ordering::Relaxed) * 1000;
        let mut budget = SliceBudget::new(
            cpus::now_ns(),
            slice_ns,
            self.slice_bytes.load(Ordering::Relaxed),
        );
        let mut invited_at = None;
        loop {
            let mut progress = false;
            self.consoles.for_each_ours(&lock, |con| {
                if let Some(bytes) = self.emit_next(con, buf) {
                    progress = true;
                    budget.charge(bytes);
                }
            });
            if !progress || !self.in_mask(cpu) || self.emergency.active() {
                break;
            }
            let now = cpus::now_ns();
            if budget.exhausted(now) {
                match invited_at {
                    None => match self.next_printer(cpu) {
                        Some(next) if next != cpu && self.claim.invite(next) => {
                            self.kick(next);
                            invited_at = Some(now);
                        }
                        // Nobody else may print: stop here, the caller wakes us again.
                        _ => break,
                    },
                    Some(t) => {
                        if self.claim.successor_arrived() || now.saturating_sub(t) >= slice_ns {
                            break;
                        }
                    }
                }
            }
            lock.cond_resched();
        }
        Stats::add(&self.stats.slices, 1);
        Stats::add(&self.stats.records, budget.records());
        Stats::add(&self.stats.bytes, budget.bytes());
        Stats::add(&self.stats.per_cpu_records[cpu as usize], budget.records());
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
        let stamp = timestamp_ns(&buf[..rec.len]);
        let len = strip_syslog_prefixes(buf, rec.len);
        let dropped = con.take_dropped();
        if dropped > 0 {
            let mut notice = [0u8; 64];
            let n = dropped_notice(dropped, &mut notice);
            con.write(&notice[..n]);
        }
        con.write(&buf[..len]);
        con.set_seq(rec.seq + 1);
        if let Some(t) = stamp {
            Stats::max(
                &self.stats.max_wait_ns,
                cpus::local_clock_ns().saturating_sub(t),
            );
        }
        Some(len)
    }

    // ---- the control surface (sysctl files, process context) ------------------------

    /// `printk_cpumask` as a CPU list.
    pub(crate) fn show_mask(&self, out: &mut [u8]) -> usize {
        let mut words = KVec::new();
        for w in self.mask.iter() {
            if words.push(w.load(Ordering::Relaxed), GFP_KERNEL).is_err() {
                return 0;
            }
        }
        cpulist::format(&words, cpus::nr_cpu_ids(), out).unwrap_or(0)
    }

    /// Sets `printk_cpumask` from a CPU list; `EINVAL` and no change if it is malformed.
    pub(crate) fn store_mask(&self, input: &[u8]) -> Result {
        let mut words = KVec::from_elem(0usize, self.mask.len(), GFP_KERNEL)?;
        cpulist::parse(input, cpus::nr_cpu_ids(), &mut words).map_err(|e| match e {
            cpulist::ParseError::Invalid => EINVAL,
            cpulist::ParseError::Range => ERANGE,
            // `kernel::error::code` of 6.12 has no EOVERFLOW.
            cpulist::ParseError::Overflow => {
                Error::from_errno(-(kernel::bindings::EOVERFLOW as i32))
            }
        })?;
        for (w, v) in self.mask.iter().zip(words.iter()) {
            w.store(*v, Ordering::SeqCst);
        }
        self.reevaluate_cpus(true);
        if self.emergency.active() {
            // Print the backlog now, in this (sleepable) context.
            drop(ConsoleLock::acquire());
        } else {
            self.doorbell.ring_now();
        }
        self.log_mode();
        Ok(())
    }

    /// The user switch of emergency mode.
    pub(crate) fn user_emergency(&self) -> bool {
        self.user_emergency.load(Ordering::Relaxed)
    }

    /// Sets the user switch of emergency mode.
    pub(crate) fn set_user_emergency(&self, on: bool) {
        self.user_emergency.store(on, Ordering::SeqCst);
        if on {
            self.raise(Reason::USER, true);
            // The backlog first, so order holds: print it here and now.
            drop(ConsoleLock::acquire());
        } else if self.clear(Reason::USER) {
            self.retake();
            self.doorbell.ring_now();
        }
        self.log_mode();
    }

    /// The slice length in microseconds.
    pub(crate) fn slice_us(&self) -> &AtomicU64 {
        &self.slice_us
    }

    /// The slice size in bytes.
    pub(crate) fn slice_bytes(&self) -> &AtomicU64 {
        &self.slice_bytes
    }

    /// The starvation timeout in milliseconds.
    pub(crate) fn starvation_ms(&self) -> &AtomicU64 {
        &self.starvation_ms
    }

    /// The statistics as `name value` lines.
    pub(crate) fn show_stats(&self, out: &mut [u8]) -> usize {
        let s = &self.stats;
        let backlog = self
            .consoles
            .lowest_seq()
            .map_or(0, |low| kmsg_reader::next_seq().saturating_sub(low));
        let mut w = StatsWriter::new(out);
        w.line(format_args!("consoles"), self.consoles.count() as u64);
        w.line(format_args!("emergency"), self.emergency.active() as u64);
        w.line(
            format_args!("emergency_entries"),
            Stats::get(&s.emergency_entries),
        );
        w.line(format_args!("records_offloaded"), Stats::get(&s.records));
        w.line(format_args!("bytes_offloaded"), Stats::get(&s.bytes));
        w.line(format_args!("records_sync"), Stats::get(&s.sync_records));
        w.line(
            format_args!("records_suppressed"),
            Stats::get(&s.suppressed),
        );
        w.line(format_args!("records_dropped"), Stats::get(&s.dropped));
        w.line(format_args!("slices"), Stats::get(&s.slices));
        w.line(format_args!("handoffs"), Stats::get(&s.handoffs));
        w.line(format_args!("handovers"), Stats::get(&s.handovers));
        w.line(format_args!("backlog"), backlog);
        w.line(format_args!("max_backlog"), Stats::get(&s.max_backlog));
        w.line(
            format_args!("max_wait_us"),
            Stats::get(&s.max_wait_ns) / 1000,
        );
        w.line(format_args!("starvations"), Stats::get(&s.starvations));
        w.line(format_args!("pm_events"), Stats::get(&s.pm_events));
        w.line(
            format_args!("syscore_events"),
            Stats::get(&s.syscore_events),
        );
        w.line(format_args!("reboot_events"), Stats::get(&s.reboot_events));
        w.line(format_args!("panic_events"), Stats::get(&s.panic_events));
        for (cpu, c) in s.per_cpu_records.iter().enumerate() {
            if cpus::cpu_possible(cpu as u32) {
                w.line(format_args!("cpu{}_records", cpu), Stats::get(c));
            }
        }
        w.len()
    }
}

/// `console_loglevel`: records at this level or above are not printed on consoles.
fn console_loglevel() -> i32 {
    // SAFETY: `console_printk` is an exported array of four ints; element 0 is the level.
    unsafe {
        core::ptr::read_volatile(core::ptr::addr_of!(crate::bindings::console_printk).cast::<i32>())
    }
}

impl Drop for Offload {
    fn drop(&mut self) {
        // No new wakeups, then no printer, then nobody who could reach us through OFFLOAD;
        // the consoles are handed back when the `consoles` field drops.
        self.doorbell.disarm();
        self.lifecycle.unregister();
        self.threads.unregister();
        OFFLOAD.store(core::ptr::null_mut(), Ordering::Release);
    }
}
