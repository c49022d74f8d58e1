// SPDX-License-Identifier: GPL-2.0

//! Emergency mode: why the kernel prints the consoles right now, and the one place where
//! that becomes console ownership.
//!
//! Emergency mode is the stock behaviour: the held consoles are the kernel's
//! (`CON_ENABLED`), which prints them in the printk() caller, starting with the backlog
//! (so order holds). It holds while any reason does (`logic/emergency.rs`): the user
//! switch, an oops, the system not running, no eligible CPU, suspend, shutdown, panic,
//! starved kthreads, an urgent record, unloading. Every change of reasons is followed by
//! [`Offload::sync_ownership`] (`logic/ownership.rs`).
//!
//! What cannot be done in the context that changed the mode is left to a kthread
//! ("housekeeping"): announcing the change in the log (a printk there could make an
//! interrupt handler print the whole backlog), setting the flags again under
//! `console_list_lock`, taking over new consoles, forgetting unregistered ones.

use super::emit::Round;
use super::Offload;
use crate::ffi::console_list::{ConsoleListLock, ConsoleListReader};
use crate::ffi::{cpus, kmsg};
use crate::logic::drain_epoch::DrainEpoch;
use crate::logic::emergency::{Emergency, Reason, Switch};
use crate::logic::ownership;
use crate::logic::ring_estimate::RingEstimate;
use crate::logic::starvation_watch::StarvationWatch;
use crate::stats::Stats;
use core::sync::atomic::{AtomicBool, AtomicU32, AtomicU64, Ordering};
use kernel::alloc::{flags::GFP_KERNEL, KBox, KVec};
use kernel::new_spinlock;
use kernel::prelude::*;
use kernel::sync::SpinLock;

/// Where a mode change happens, which says what may be done there.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(crate) enum Ctx {
    /// Process context without spinning locks: may sleep and take mutexes.
    Sleepable,
    /// Interrupt or atomic context: may wake a kthread, must not sleep.
    Atomic,
    /// Inside printk() or panic(): must not even wake a task (the caller may hold the
    /// scheduler's locks, or other CPUs are stopped).
    NoWake,
}

/// Housekeeping a kthread owes (bits of `Mode::pending`).
const ANNOUNCE: u32 = 1 << 0;
pub(super) const RESYNC: u32 = 1 << 1;
pub(super) const ADOPT: u32 = 1 << 2;
pub(super) const DEPARTED: u32 = 1 << 3;
pub(super) const DRAIN: u32 = 1 << 4;
pub(super) const URGENT_DELAY: u32 = 1 << 5;

/// Reasons that are not announced in the log: urgent records last a moment and are being
/// printed (an announcement would land in the middle of them); the unload line says the
/// other.
const QUIET: [Reason; 2] = [Reason::URGENT, Reason::UNLOAD];

/// A drain whose writers outrun the console hands back with at most this many records
/// owed (see `Offload::drain`).
const OUTRUN_HAND_BACK: u64 = 16;
/// Room for a record's first line with its prefixes, to read its level.
const SCAN_BUF: usize = 1280;

/// The mode's state.
pub(crate) struct Mode {
    pub(crate) emergency: Emergency,
    /// The mode last announced in the log.
    announced: AtomicBool,
    /// Housekeeping owed (`ANNOUNCE` ...).
    pending: AtomicU32,
    /// The starvation watch's windows (`watches.rs`).
    pub(super) watch: StarvationWatch,
    /// When `STARVED` was raised.
    pub(super) starved_at_ns: AtomicU64,
    /// The next record the urgent-record scan looks at.
    pub(super) urgent_scan: AtomicU64,
    /// The last urgent record seen.
    pub(super) urgent_seq: AtomicU64,
    /// Emergency mode for urgent records lasts at least until then.
    pub(super) urgent_until_ns: AtomicU64,
    /// The records in front of the last urgent record that waits long, and how long that
    /// is at the console's pace, in ms (said in the log by a kthread).
    pub(super) urgent_behind: AtomicU64,
    pub(super) urgent_behind_ms: AtomicU64,
    /// A buffer per CPU for the urgent-record scan. Its lock is never contended: only the
    /// doorbell of that CPU takes it, in hard-irq context, which does not nest.
    pub(super) scan_bufs: KVec<Pin<KBox<SpinLock<[u8; SCAN_BUF]>>>>,
    /// What the ring buffer holds, for the automatic backlog limit.
    pub(super) ring: RingEstimate,
}

impl Mode {
    pub(crate) fn new(nr_cpus: usize) -> Result<Self> {
        let mut bufs = KVec::with_capacity(nr_cpus, GFP_KERNEL)?;
        for _ in 0..nr_cpus {
            bufs.push(
                KBox::pin_init(new_spinlock!([0u8; SCAN_BUF]), GFP_KERNEL)?,
                GFP_KERNEL,
            )?;
        }
        Ok(Self {
            emergency: Emergency::new(),
            announced: AtomicBool::new(false),
            pending: AtomicU32::new(0),
            watch: StarvationWatch::new(),
            starved_at_ns: AtomicU64::new(0),
            urgent_scan: AtomicU64::new(kmsg::next_seq()),
            urgent_seq: AtomicU64::new(0),
            urgent_until_ns: AtomicU64::new(0),
            urgent_behind: AtomicU64::new(0),
            urgent_behind_ms: AtomicU64::new(0),
            scan_bufs: bufs,
            ring: RingEstimate::new(),
        })
    }

    /// Whether the doorbell's irq_work may be queued now (see `doorbell_wanted`), by a
    /// record or by the watch timer.
    pub(crate) fn doorbell_allowed(&self) -> bool {
        let e = &self.emergency;
        !e.has(Reason::PM) || e.handing_back()
    }

    /// Whether housekeeping is owed.
    pub(crate) fn housekeeping_owed(&self) -> bool {
        self.pending.load(Ordering::Relaxed) != 0
    }

    /// Announces a change of the mode's lasting reasons once. Process context.
    fn announce(&self) {
        let first = self.emergency.first_except(&QUIET);
        let active = first.is_some();
        if self.announced.swap(active, Ordering::SeqCst) == active {
            return;
        }
        if let Some(why) = first {
            let why = why.name();
            pr_info!(
                "emergency mode on ({}): printk() callers print synchronously\n",
                why
            );
        } else {
            pr_info!("emergency mode off: printing from the kthreads again\n");
        }
    }
}

impl Offload {
    /// Sets `reason`. Entering emergency mode does not hand the consoles back yet: their
    /// backlog is printed first, record by record where the printer can be preempted
    /// between records (`drain`): here if the context may sleep, else by a kthread.
    pub(crate) fn raise(&self, reason: Reason, ctx: Ctx) {
        if self.mode.emergency.raise(reason) == Switch::Entered {
            Stats::add(&self.stats.emergency_entries, 1);
        }
        if self.mode.emergency.handing_back() || self.mode.emergency.given_up() {
            // The module's own kthreads never drain inline: one going offline must not
            // wait for a backlog, nor for another drainer.
            if ctx == Ctx::Sleepable && !self.threads.runs_current() {
                self.drain(false);
            } else {
                self.request(DRAIN, if ctx == Ctx::NoWake { ctx } else { Ctx::Atomic });
            }
        }
        self.mode_noted(ctx);
    }

    /// Sets `reason` and hands the consoles back at once, with whatever they are owed:
    /// for panic, and for the paths that run on one CPU with interrupts off (syscore),
    /// where no kthread runs any more. Any context.
    pub(crate) fn raise_handed_back(&self, reason: Reason, ctx: Ctx) {
        if self.mode.emergency.raise_handed_back(reason) == Switch::Entered {
            Stats::add(&self.stats.emergency_entries, 1);
        }
        self.sync_ownership(ctx);
        self.mode_noted(ctx);
    }

    /// Clears `reason`; on leaving emergency mode, the consoles become the module's.
    /// Returns whether emergency mode ended.
    pub(crate) fn clear(&self, reason: Reason, ctx: Ctx) -> bool {
        let left = self.mode.emergency.clear(reason) == Switch::Left;
        if left {
            self.mode.watch.disarm();
            self.sync_ownership(ctx);
        }
        self.mode_noted(ctx);
        left
    }

    /// Announces the mode if what the log says of it changed (now, or by a kthread).
    fn mode_noted(&self, ctx: Ctx) {
        let visible = self.mode.emergency.first_except(&QUIET).is_some();
        if visible == self.mode.announced.load(Ordering::Relaxed) {
            return;
        }
        if ctx == Ctx::Sleepable {
            self.mode.announce();
        } else {
            self.request(ANNOUNCE, ctx);
        }
    }

    /// Prints the backlog the consoles are owed, record by record, and hands them back to
    /// the kernel at the record boundary where none is left (`try_hand_back`). Process
    /// context. One drainer at a time, on any CPU, whatever `printk_cpumask` says (the
    /// kernel, once it has the consoles, prints in whichever CPU calls printk()).
    ///
    /// A kthread (`kthread`) drains only if nobody else does, and stops when it must park
    /// (another kthread goes on). Any other caller waits until the consoles are handed
    /// back, draining itself if nobody else does.
    ///
    /// Writers that still outrun the console (pacing holds only those in preemptible task
    /// context) keep the backlog from shrinking: the drain works in epochs, each up to the
    /// records stored when it began, and an epoch that ends owing no fewer records than
    /// it began with hands back, but only with at most `OUTRUN_HAND_BACK` records owed
    /// (printed here, preemptible between records, as the drainer releases a sleeping
    /// `console_lock()`: `try_hand_back`); otherwise printing goes on.
    pub(crate) fn drain(&self, kthread: bool) {
        while !self.pacing.start_drain() {
            if kthread || !self.mode.emergency.handing_back() {
                return;
            }
            cpus::sleep_us(1000, 2000);
        }
        let mut epoch = DrainEpoch::new(self.backlog_records());
        loop {
            if !self.mode.emergency.handing_back() {
                // Given up (`give_up`) while no drainer could run, the consoles went to the
                // kernel with their backlog; this drainer runs now, so it takes them back
                // and prints the backlog after all.
                if !self.mode.emergency.resume_hand_back() {
                    break;
                }
                self.sync_ownership(Ctx::Sleepable);
            }
            if kthread && cpus::kthread_should_park() {
                self.pacing.end_drain();
                self.request(DRAIN, Ctx::Atomic);
                return;
            }
            self.pacing.drainer_on(cpus::current_cpu());
            let round = self.print_round();
            if let Round::Printed { written, bytes, .. } = round {
                Stats::add(&self.stats.records_offloaded, written);
                Stats::add(&self.stats.records_drained, written);
                Stats::add(&self.stats.bytes_offloaded, bytes as u64);
            }
            let lowest = self.consoles.survey(false).lowest_seq;
            let outrun = !epoch.progressed(lowest, || self.backlog_records())
                && self.backlog_records() <= OUTRUN_HAND_BACK;
            if matches!(round, Round::Idle) || outrun {
                match self.try_hand_back(outrun) {
                    Some(true) => {
                        self.sync_ownership(Ctx::Sleepable);
                        break;
                    }
                    Some(false) => {}
                    None => cpus::sleep_us(200, 500),
                }
            } else if matches!(round, Round::Busy) {
                cpus::sleep_us(200, 500);
            }
            cpus::cond_resched();
        }
        self.pacing.end_drain();
        self.mode_noted(Ctx::Sleepable);
    }

    /// Whether a record just stored should ring the doorbell. Not once suspend or
    /// hibernation has handed the consoles back (the PM notifier printed the backlog; the
    /// kernel prints from there on): pending irq_work can hold off or abort the last steps
    /// of suspend on some architectures, so none is queued until `pm_post` rings again.
    pub(crate) fn doorbell_wanted(&self) -> bool {
        if !self.mode.doorbell_allowed() {
            Stats::add(&self.stats.doorbells_withheld, 1);
            return false;
        }
        true
    }

    /// Makes the consoles' flags say what the reasons say. Where it may sleep it holds
    /// `console_list_lock`, the lock of the kernel's own flag writers; elsewhere the flags
    /// are set atomically now and again under the lock by a kthread.
    pub(crate) fn sync_ownership(&self, ctx: Ctx) {
        if ctx == Ctx::Sleepable {
            let _list = ConsoleListLock::acquire();
            self.apply_ownership();
        } else {
            self.apply_ownership();
            self.request(RESYNC, ctx);
        }
        // The consoles changed hands (a hand-back ended, or was given up): writers held
        // for it may go.
        if ctx != Ctx::NoWake {
            self.wake_held();
        }
    }

    pub(crate) fn apply_ownership(&self) {
        let reader = ConsoleListReader::enter();
        ownership::sync(&self.mode.emergency, |kernel_prints| {
            self.consoles
                .for_each_held(&reader, |c| c.set_enabled(kernel_prints))
        });
    }

    /// Notes housekeeping for a kthread and, where allowed, wakes one for it.
    pub(super) fn request(&self, what: u32, ctx: Ctx) {
        self.mode.pending.fetch_or(what, Ordering::SeqCst);
        if ctx == Ctx::Atomic {
            if what & DRAIN != 0 {
                self.poke_drainer();
            } else {
                self.poke(cpus::current_cpu());
            }
        }
    }

    /// Wakes a kthread for the housekeeping owed (doorbell on `cpu`): for a drain, one on
    /// another CPU (`poke_drainer`).
    pub(crate) fn poke_for_housekeeping(&self, cpu: u32) {
        if self.mode.pending.load(Ordering::Relaxed) & DRAIN != 0 {
            self.poke_drainer();
        } else {
            self.poke(cpu);
        }
    }

    /// Does the housekeeping owed (a kthread, process context).
    pub(crate) fn housekeeping(&self) {
        let what = self.mode.pending.swap(0, Ordering::SeqCst);
        if what & (RESYNC | ADOPT) != 0 {
            self.take_over_consoles(false);
        }
        if what & DEPARTED != 0 {
            self.forget_departed();
        }
        if what & ANNOUNCE != 0 {
            self.mode.announce();
        }
        if what & URGENT_DELAY != 0 {
            pr_info!(
                "an urgent record waits for the {} records in front of it (about {} ms at the console's pace)\n",
                self.mode.urgent_behind.load(Ordering::Relaxed),
                self.mode.urgent_behind_ms.load(Ordering::Relaxed)
            );
        }
        if what & DRAIN != 0 {
            self.drain(true);
        }
    }

    /// The user switch of emergency mode (`kernel.printk_offload.emergency`).
    pub(crate) fn user_emergency(&self) -> bool {
        self.mode.emergency.has(Reason::USER)
    }

    /// Sets the user switch. On, the backlog is printed here and now, then the consoles
    /// are the kernel's (so order holds); off, the kthreads take over again.
    pub(crate) fn set_user_emergency(&self, on: bool) {
        if on {
            self.raise(Reason::USER, Ctx::Sleepable);
        } else if self.clear(Reason::USER, Ctx::Sleepable) {
            self.ring_now();
        }
    }
}
