// SPDX-License-Identifier: GPL-2.0

//! The offload engine: who prints, when, and what. Safe Rust over the FFI adapters in
//! `src/ffi`; the decisions themselves are pure logic in `src/logic`.
//!
//! - `mod.rs` (here): the state, load (`start`) and unload (`shutdown`).
//! - `consoles.rs`: the consoles held, and the rule of which are the module's to print.
//! - `mode.rs`: emergency reasons and who prints the consoles; announcements; the
//!   starvation fallback and the urgent-record watch.
//! - `placement.rs`: `printk_cpumask`, which kthreads may print, kicks, the next printer.
//! - `printer.rs`: the printer claim, slices, and emitting a record as the kernel would.
//! - `pacing.rs`: writers wait for the console while a hand-back prints its backlog.
//! - `callbacks.rs`: the kthreads', doorbell's and lifecycle notifiers' entry points.
//!
//! In short: printk() callers only ring the doorbell (`mode.rs` `on_printk`, then
//! `on_ring` on the same CPU after the commit), which wakes a kthread on another CPU
//! (`placement.rs`); the kthread claims the printer role and prints slices
//! (`printer.rs`). In emergency mode the consoles are the kernel's, which prints them in
//! the caller as it does without the module.

// The engine's one unsafe block is the instance accessor in this file; the compiler keeps
// the rest free of unsafe code.
#[deny(unsafe_code)]
mod callbacks;
#[deny(unsafe_code)]
pub(crate) mod consoles;
#[deny(unsafe_code)]
mod emit;
#[deny(unsafe_code)]
mod mode;
#[deny(unsafe_code)]
mod pacing;
#[deny(unsafe_code)]
mod placement;
#[deny(unsafe_code)]
mod printer;
mod step_timers;
#[deny(unsafe_code)]
mod takeover;
#[deny(unsafe_code)]
mod watches;

use crate::ffi::console_list::{ConsoleListReader, ConsoleRef};
use crate::ffi::cpus;
use crate::ffi::doorbell::Doorbell;
use crate::ffi::irqs::IrqLock;
use crate::ffi::lifecycle::Lifecycle;
use crate::ffi::percpu_threads::PercpuThreads;
use crate::ffi::watch_timer::WatchTimer;
use crate::logic::console_report::{verdict, Why};
use crate::logic::emergency::{Reason, ReasonList};
use crate::stats::{Stats, StatsWriter};
use crate::tunables::Tunables;
use callbacks::Callbacks;
use consoles::OwnedConsoles;
use core::pin::Pin;
use core::sync::atomic::{AtomicPtr, Ordering};
use kernel::prelude::*;
use kernel::sync::{new_mutex, Mutex};
pub(crate) use mode::Ctx;
use mode::Mode;
use pacing::Pacing;
pub(crate) use placement::parse_mask;
use placement::Placement;
use printer::Printer;
use step_timers::StepTimers;

/// The module's state. Pinned: the kernel holds pointers into it while it is registered.
/// `shutdown()` is the orderly teardown; each registration also undoes itself when dropped,
/// and the registrations are declared in the order `shutdown()` undoes them, which is the
/// order they drop in.
#[pin_data]
pub(crate) struct Offload {
    #[pin]
    doorbell: Doorbell,
    /// Samples the printer while records wait, between doorbells.
    #[pin]
    watch: WatchTimer,
    #[pin]
    lifecycle: Lifecycle,
    #[pin]
    threads: PercpuThreads,
    /// The printer's interrupts-off section (see `ffi/irqs.rs`).
    irq_lock: IrqLock,
    /// Serialises writers of `printk_cpumask` (a mask is several words).
    #[pin]
    mask_writer: Mutex<()>,
    consoles: OwnedConsoles,
    mode: Mode,
    pacing: Pacing,
    placement: Placement,
    printer: Printer,
    /// Per-step timers of the printing path (empty unless built with them).
    steps: StepTimers,
    pub(crate) tunables: Tunables,
    pub(crate) stats: Stats,
}

/// The longest line of the `consoles` file: a name of at most 31 bytes, two words, four
/// numbers of at most 20 digits, and every emergency reason's name.
pub(crate) const CONSOLE_LINE_MAX: usize = 256;
/// Room kept for the `consoles` file's last line when some consoles do not fit.
const CONSOLES_MORE_MAX: usize = 48;

/// The running instance, for callbacks that carry no context pointer.
///
/// # Invariants
///
/// Null, or the started instance: set by `start` before the first registration, cleared
/// by `shutdown` after the last unregistration, so every callback finds it alive.
static OFFLOAD: AtomicPtr<Offload> = AtomicPtr::new(core::ptr::null_mut());

/// Runs `f` on the running instance, if any.
pub(crate) fn with_offload<R>(f: impl FnOnce(&Offload) -> R) -> Option<R> {
    let p = OFFLOAD.load(Ordering::Acquire);
    if p.is_null() {
        return None;
    }
    // SAFETY: non-null only while the instance is alive and pinned (invariant of
    // `OFFLOAD`); only shared references are ever made to it.
    Some(f(unsafe { &*p }))
}

impl Offload {
    /// The state, not started yet.
    pub(crate) fn new() -> impl PinInit<Self, Error> {
        let nr = cpus::nr_cpu_ids() as usize;
        try_pin_init!(Self {
            threads <- PercpuThreads::new::<Callbacks>(),
            lifecycle <- Lifecycle::new::<Callbacks>(),
            doorbell <- Doorbell::new::<Callbacks>(),
            watch <- WatchTimer::new::<Callbacks>(),
            irq_lock: IrqLock::new(nr)?,
            mask_writer <- new_mutex!(()),
            consoles: OwnedConsoles::new(),
            mode: Mode::new(nr)?,
            pacing: Pacing::new(nr)?,
            placement: Placement::new(nr)?,
            printer: Printer::new()?,
            steps: StepTimers::new(),
            tunables: Tunables::new(),
            stats: Stats::new(nr)?,
        }? Error)
    }

    /// Starts offloading: notifiers first (so that an oops or panic during the rest is
    /// covered), then the kthreads and the doorbell, then the consoles are taken over.
    pub(crate) fn start(self: Pin<&Self>) -> Result {
        let this = self.get_ref();
        // INVARIANT: set before any registration; `shutdown` clears it after the last.
        OFFLOAD.store((this as *const Self).cast_mut(), Ordering::Release);
        let started = (|| -> Result {
            this.lifecycle.register()?;
            crate::test_hooks::pause("load:notifiers");
            crate::test_hooks::fail("load:notifiers")?;
            this.threads.register()?;
            this.wait_for_kthreads();
            crate::test_hooks::fail("load:kthreads")?;
            this.watch.arm();
            this.doorbell.arm()?;
            crate::test_hooks::fail("load:doorbell")?;
            Ok(())
        })();
        if let Err(e) = started {
            this.shutdown();
            return Err(e);
        }
        this.printer.load_settings();
        this.take_over_consoles(true);
        crate::test_hooks::pause("load:taken_over");
        this.reevaluate_cpus(Ctx::Sleepable);
        this.ring_now();
        Ok(())
    }

    /// Waits (at most two seconds) until the kthread of every online CPU runs, so the
    /// first doorbell finds eligible CPUs.
    fn wait_for_kthreads(&self) {
        for _ in 0..400 {
            if (0..cpus::nr_cpu_ids()).all(|c| !cpus::cpu_online(c) || self.placement.is_ready(c)) {
                return;
            }
            cpus::sleep_us(5_000, 6_000);
        }
    }

    /// Stops offloading for good and hands the consoles back to the kernel, which
    /// resumes printing them at their next record. The backlog is printed here first and
    /// the consoles go back, while the panic and reboot notifiers still run, so that no
    /// oops or panic finds them disabled; then no more doorbells, notifiers and kthreads.
    pub(crate) fn shutdown(&self) {
        // Writers are held while the backlog is printed (not the unloading task, which
        // leaves the kernel only once the module is gone); then no more.
        self.unloading_by_current();
        self.raise(Reason::UNLOAD, Ctx::Sleepable);
        self.pacing.resume.stop();
        self.pacing.held.wake_all();
        crate::test_hooks::pause("unload:handed_back");
        self.doorbell.disarm();
        // No head is queued any more: wait until every held writer has returned.
        self.pacing.resume.quiesce();
        // After the doorbell, its only kicker.
        self.watch.disarm();
        self.lifecycle.unregister();
        crate::test_hooks::pause("unload:notifiers_gone");
        // Nothing else wakes kthreads now (doorbell, notifiers and, before this, the
        // sysctl files are gone): the threads may go, with their task references.
        self.threads.unregister();
        OFFLOAD.store(core::ptr::null_mut(), Ordering::Release);
    }

    /// The current task unloads the module (or undoes a failed load): from now on no
    /// writer's hold is queued on it. First thing at unload, before the sysctl files go.
    pub(crate) fn unloading_by_current(&self) {
        self.pacing.resume.unloading_by_current();
    }

    /// Number of consoles held.
    pub(crate) fn consoles(&self) -> usize {
        self.consoles.count()
    }

    /// The statistics as `name value` lines (the `stats` file); returns the length.
    pub(crate) fn show_stats(&self, out: &mut [u8]) -> usize {
        let mut w = StatsWriter::new(out);
        w.line("consoles", self.consoles.count());
        w.line("emergency", u8::from(self.emergency()));
        w.line("handed_back", u8::from(self.kernel_prints()));
        w.line("emergency_reasons", self.emergency_reasons());
        w.line("backlog", self.backlog_records());
        w.line("backlog_limit_now", self.backlog_limit_now());
        match self.printer.claim.owner() {
            Some(cpu) => w.line("printer", cpu),
            None => w.line("printer", "none"),
        }
        self.stats.write_counters(&mut w);
        for (cpu, c) in self.stats.cpu_records.iter().enumerate() {
            if cpus::cpu_possible(cpu as u32) {
                w.line(format_args!("cpu{}_records", cpu), Stats::get(c));
            }
        }
        self.steps.write(&mut w);
        w.len()
    }

    /// The store-to-write histogram (the `wait_histogram` file); returns the length.
    pub(crate) fn show_wait_histogram(&self, out: &mut [u8]) -> usize {
        let mut w = StatsWriter::new(out);
        self.stats.write_wait_histogram(&mut w);
        w.len()
    }

    /// One line per console in the kernel's list (the `consoles` file): its name, who
    /// prints it (`logic/console_report.rs`), its next record, the records it is owed,
    /// and for a held console the records the module wrote to it and those it missed
    /// since it was taken over, then why. Returns the length.
    pub(crate) fn show_consoles(&self, out: &mut [u8]) -> usize {
        use core::fmt::Write;
        let mut w = StatsWriter::new(out);
        let _ = writeln!(w, "name printed_by seq waiting written dropped why");
        let next = crate::ffi::kmsg::next_seq();
        let reasons = self.emergency_reasons();
        let full = self.consoles.full();
        let kernel_prints = self.kernel_prints();
        let mut hidden = 0usize;
        let reader = ConsoleListReader::enter();
        reader.for_each(|c| {
            let mut line = [0u8; CONSOLE_LINE_MAX];
            let mut lw = StatsWriter::new(&mut line);
            self.console_line(&c, (next, reasons, full, kernel_prints), &mut lw);
            // Whole lines only, with room left to say how many did not fit.
            let n = lw.len();
            if hidden == 0 && n + CONSOLES_MORE_MAX <= w.room() {
                w.bytes(&line[..n]);
            } else {
                hidden += 1;
            }
        });
        if hidden > 0 {
            let _ = writeln!(w, "... {} more consoles not shown", hidden);
        }
        w.len()
    }

    /// One line of the `consoles` file for `c`; `now` is the ring's next record, the
    /// emergency reasons, whether every slot is taken, and whether the kernel prints the
    /// held consoles.
    fn console_line(
        &self,
        c: &ConsoleRef<'_>,
        now: (u64, ReasonList, bool, bool),
        lw: &mut StatsWriter<'_>,
    ) {
        use core::fmt::Write;
        let (next, reasons, full, kernel_prints) = now;
        let mut facts = c.facts();
        facts.held = self.consoles.holds(c.addr());
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
        match self.consoles.counts(c.addr()) {
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
