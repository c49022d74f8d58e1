// SPDX-License-Identifier: GPL-2.0

//! The offload engine: who prints, when, and what. Safe Rust over the FFI adapters in
//! `src/ffi`; the decisions themselves are pure logic in `src/logic`.
//!
//! - `mod.rs` (here): the state, and the steps of load and unload.
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

mod callbacks;
pub(crate) mod consoles;
mod emit;
mod mode;
mod pacing;
mod placement;
mod printer;
mod step_timers;
mod takeover;
mod watches;

use crate::ffi::console_list::ConsoleListReader;
use crate::ffi::cpus;
use crate::ffi::doorbell::Doorbell;
use crate::ffi::instance::Instance;
use crate::ffi::irqs::IrqLock;
use crate::ffi::lifecycle::Lifecycle;
use crate::ffi::percpu_threads::PercpuThreads;
use crate::ffi::registration::Registration;
use crate::ffi::watch_timer::WatchTimer;
use crate::logic::emergency::Reason;
use crate::stats::{Stats, StatsWriter};
use crate::tunables::Tunables;
use callbacks::Callbacks;
use consoles::OwnedConsoles;
use kernel::prelude::*;
use kernel::sync::{new_mutex, Arc, Mutex};
pub(crate) use mode::Ctx;
use mode::Mode;
use pacing::Pacing;
pub(crate) use placement::parse_mask;
use placement::Placement;
use printer::Printer;
use step_timers::StepTimers;

/// The module's state. Pinned: the kernel holds pointers into it while it is registered.
/// Made whole before any registration; each step of loading is then a [`Registration`]
/// made by one of the step constructors below, which holds a reference to it.
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

/// The running instance, for the callbacks that carry no context pointer.
pub(crate) static OFFLOAD: Instance<Offload> = Instance::new();

/// Runs `f` on the running instance, if any.
pub(crate) fn with_offload<R>(f: impl FnOnce(&Offload) -> R) -> Option<R> {
    OFFLOAD.with(f)
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

    /// Load step: the per-CPU kthreads, each running (at most two seconds are waited for)
    /// so the first doorbell finds eligible CPUs. Dropped: they stop, each after its
    /// current run, and their task references go; nothing wakes a kthread by then (the
    /// doorbell, the notifiers and the sysctl files went before).
    pub(crate) fn threads(this: &Arc<Self>) -> Result<Registration<Self>> {
        Registration::new(
            this,
            |o| {
                o.threads.register()?;
                o.placement.wait_for_kthreads();
                Ok(())
            },
            |o| o.threads.unregister(),
        )
    }

    /// Load step: the PM, syscore, reboot and panic notifiers. They come before the
    /// doorbell and the consoles, so that an oops, panic or reboot during the rest of the
    /// load, or during the unload until the consoles are back, is covered; they go before
    /// the kthreads, which they may wake.
    pub(crate) fn notifiers(this: &Arc<Self>) -> Result<Registration<Self>> {
        Registration::new(
            this,
            |o| {
                o.lifecycle.register()?;
                crate::test_hooks::pause("load:notifiers");
                Ok(())
            },
            |o| {
                o.lifecycle.unregister();
                crate::test_hooks::pause("unload:notifiers_gone");
            },
        )
    }

    /// Load step: the watch timer may be kicked (by the doorbell only).
    pub(crate) fn watch(this: &Arc<Self>) -> Result<Registration<Self>> {
        Registration::new(
            this,
            |o| {
                o.watch.arm();
                Ok(())
            },
            |o| o.watch.disarm(),
        )
    }

    /// Load step: the doorbell rings on every printk(), and the consoles are taken over
    /// (section 3.3 of docs/design.md); a kthread is kicked if anything is pending. One
    /// step, because a ringing doorbell may adopt a console already. Dropped: offloading
    /// stops for good and the consoles go back to the kernel, which resumes printing them
    /// at their next record; the backlog is printed here first (writers meanwhile held, not
    /// the unloading task), while the notifiers still run, so that no oops or panic finds
    /// them disabled. Then the doorbell is disarmed (no probe or irq_work runs any more)
    /// and no writer held on its way back to user space is still in the module's code.
    pub(crate) fn take_over(this: &Arc<Self>) -> Result<Registration<Self>> {
        Registration::new(
            this,
            |o| {
                o.doorbell.arm()?;
                o.printer.load_settings();
                o.take_over_consoles(true);
                crate::test_hooks::pause("load:taken_over");
                o.reevaluate_cpus(Ctx::Sleepable);
                o.ring_now();
                Ok(())
            },
            |o| {
                o.unloading_by_current();
                o.raise(Reason::UNLOAD, Ctx::Sleepable);
                o.pacing.resume.stop();
                o.pacing.held.wake_all();
                crate::test_hooks::pause("unload:handed_back");
                o.doorbell.disarm();
                o.pacing.resume.quiesce();
            },
        )
    }

    /// Last load step: says so. Dropped, once every other step is undone: reports what
    /// the kthreads printed.
    pub(crate) fn announcement(this: &Arc<Self>) -> Result<Registration<Self>> {
        Registration::new(
            this,
            |o| {
                pr_info!(
                    "loaded: printing {} console(s) from per-CPU kthreads printk_offload/N\n",
                    o.consoles.count()
                );
                Ok(())
            },
            |o| {
                let s = &o.stats;
                let get = Stats::get;
                pr_info!(
                    "unloaded: kthreads printed {} records ({} bytes) in {} slices, {} hand-offs, {} dropped; writers held {}, paced {}\n",
                    get(&s.records_offloaded),
                    get(&s.bytes_offloaded),
                    get(&s.slices),
                    get(&s.handoffs),
                    get(&s.records_dropped),
                    get(&s.writers_held),
                    get(&s.writers_paced)
                );
            },
        )
    }

    /// Load step, after all others: nothing. Dropped, first thing at unload: the current
    /// task unloads the module, and from now on no writer's hold is queued on it (it
    /// leaves the kernel only once the module is gone).
    pub(crate) fn unloading(this: &Arc<Self>) -> Result<Registration<Self>> {
        Registration::new(this, |_| Ok(()), Self::unloading_by_current)
    }

    /// The current task unloads the module (or undoes a failed load): from now on no
    /// writer's hold is queued on it.
    fn unloading_by_current(&self) {
        self.pacing.resume.unloading_by_current();
    }

    /// The statistics as `name value` lines (the `stats` file); returns the length.
    pub(crate) fn show_stats(&self, out: &mut [u8]) -> usize {
        let mut w = StatsWriter::new(out);
        w.line("consoles", self.consoles.count());
        w.line("emergency", u8::from(self.mode.emergency.active()));
        w.line("handed_back", u8::from(self.mode.emergency.kernel_prints()));
        w.line("emergency_reasons", self.mode.emergency.list());
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
        let reasons = self.mode.emergency.list();
        let full = self.consoles.full();
        let kernel_prints = self.mode.emergency.kernel_prints();
        let mut hidden = 0usize;
        let reader = ConsoleListReader::enter();
        reader.for_each(|c| {
            let mut line = [0u8; CONSOLE_LINE_MAX];
            let mut lw = StatsWriter::new(&mut line);
            self.consoles
                .report_line(&c, (next, reasons, full, kernel_prints), &mut lw);
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
}
