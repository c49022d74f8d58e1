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

use super::printer::Round;
use super::Offload;
use crate::ffi::console_list::{ConsoleListLock, ConsoleListReader, ConsoleName};
use crate::ffi::{cpus, kernel_state, kmsg};
use crate::logic::backpressure::{self, Step};
use crate::logic::console_notice;
use crate::logic::drain_epoch::DrainEpoch;
use crate::logic::emergency::{Emergency, Reason, ReasonList, Switch};
use crate::logic::ownership;
use crate::logic::record_text::syslog_class;
use crate::logic::ring_estimate::RingEstimate;
use crate::logic::starvation_watch::{Sample, StarvationWatch};
use crate::stats::Stats;
use crate::tunables::Tunable;
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
const RESYNC: u32 = 1 << 1;
const ADOPT: u32 = 1 << 2;
const DEPARTED: u32 = 1 << 3;
const DRAIN: u32 = 1 << 4;

/// Reasons that are not announced in the log: urgent records last a moment and are being
/// printed (an announcement would land in the middle of them); the unload line says the
/// other.
const QUIET: [Reason; 2] = [Reason::URGENT, Reason::UNLOAD];

/// How long emergency mode outlasts the last urgent record: a report (WARN, oops, RCU
/// stall) is a burst of records from one CPU.
const URGENT_HOLD_NS: u64 = 250_000_000;
/// A drain whose writers outrun the console hands back with at most this many records
/// owed (see `Offload::drain`).
const OUTRUN_HAND_BACK: u64 = 16;
/// Records one doorbell classifies at most (bounds the interrupt handler's work; the rest
/// wait for the next doorbell).
const URGENT_SCAN_MAX: u64 = 256;
/// Room for a record's first line with its prefixes, to read its level.
const SCAN_BUF: usize = 1280;

/// The mode's state.
pub(crate) struct Mode {
    pub(crate) emergency: Emergency,
    /// The mode last announced in the log.
    announced: AtomicBool,
    /// Housekeeping owed (`ANNOUNCE` ...).
    pending: AtomicU32,
    watch: StarvationWatch,
    starved_at_ns: AtomicU64,
    /// The next record the urgent-record scan looks at.
    urgent_scan: AtomicU64,
    /// The last urgent record seen.
    urgent_seq: AtomicU64,
    /// Emergency mode for urgent records lasts at least until then.
    urgent_until_ns: AtomicU64,
    /// A buffer per CPU for the urgent-record scan. Its lock is never contended: only the
    /// doorbell of that CPU takes it, in hard-irq context, which does not nest.
    scan_bufs: KVec<Pin<KBox<SpinLock<[u8; SCAN_BUF]>>>>,
    /// What the ring buffer holds, for the automatic backlog limit.
    ring: RingEstimate,
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
            scan_bufs: bufs,
            ring: RingEstimate::new(),
        })
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
            self.announce();
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
    /// (the kernel prints those in its next caller); otherwise printing goes on.
    pub(crate) fn drain(&self, kthread: bool) {
        while !self.pacing.start_drain() {
            if kthread || !self.handing_back() {
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

    /// Whether emergency mode is on (the consoles are the kernel's, or are being handed
    /// back to it).
    pub(crate) fn emergency(&self) -> bool {
        self.mode.emergency.active()
    }

    /// The emergency reasons that hold now.
    pub(crate) fn emergency_reasons(&self) -> ReasonList {
        self.mode.emergency.list()
    }

    /// Whether the kernel prints the held consoles now.
    pub(crate) fn kernel_prints(&self) -> bool {
        self.mode.emergency.kernel_prints()
    }

    /// Whether the consoles are being handed back: their backlog is printed first.
    pub(crate) fn handing_back(&self) -> bool {
        self.mode.emergency.handing_back()
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
    }

    pub(crate) fn apply_ownership(&self) {
        let reader = ConsoleListReader::enter();
        ownership::sync(&self.mode.emergency, |kernel_prints| {
            self.consoles
                .for_each_held(&reader, |c| c.set_enabled(kernel_prints))
        });
    }

    /// Notes housekeeping for a kthread and, where allowed, wakes one for it.
    fn request(&self, what: u32, ctx: Ctx) {
        self.mode.pending.fetch_or(what, Ordering::SeqCst);
        if ctx == Ctx::Atomic {
            if what & DRAIN != 0 {
                self.poke_drainer();
            } else {
                self.poke(cpus::current_cpu());
            }
        }
    }

    /// Whether housekeeping is owed.
    pub(crate) fn housekeeping_owed(&self) -> bool {
        self.mode.pending.load(Ordering::Relaxed) != 0
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
            self.announce();
        }
        if what & DRAIN != 0 {
            self.drain(true);
        }
    }

    /// Announces a change of the mode's lasting reasons once. Process context.
    fn announce(&self) {
        let first = self.mode.emergency.first_except(&QUIET);
        let active = first.is_some();
        if self.mode.announced.swap(active, Ordering::SeqCst) == active {
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

    /// Takes over every enabled, servable console not held yet, and applies the mode to
    /// all held consoles, under `console_list_lock` (so that a console found registered
    /// stays registered meanwhile). At load, also names the consoles left to the kernel.
    /// Process context.
    pub(crate) fn take_over_consoles(&self, at_load: bool) {
        let mut taken = [ConsoleName::empty(); super::consoles::MAX_CONSOLES];
        let mut left = [ConsoleName::empty(); super::consoles::MAX_CONSOLES];
        let (mut nt, mut nl) = (0, 0);
        {
            let _list = ConsoleListLock::acquire();
            let reader = ConsoleListReader::enter();
            reader.for_each(|c| {
                if self.consoles.wants_holding(&c) {
                    if self.consoles.hold(&c) && nt < taken.len() {
                        taken[nt] = c.name();
                        nt += 1;
                    }
                } else if at_load && c.enabled() && !c.servable() && nl < left.len() {
                    left[nl] = c.name();
                    nl += 1;
                }
            });
            drop(reader);
            self.apply_ownership();
        }
        Stats::add(&self.stats.consoles_taken_over, nt as u64);
        for name in &left[..nl] {
            pr_info!(
                "leaving console {} to the kernel (boot, nbcon or extended)\n",
                name.as_str()
            );
        }
        for name in &taken[..nt] {
            pr_info!("took over console {}\n", name.as_str());
        }
    }

    /// A record's text, in its printk() caller (any context): if it is the kernel's notice
    /// that a held console is being unregistered (`logic/console_notice.rs`), the printer
    /// prints that console's backlog before `unregister_console()` can finish removing it
    /// (`flush_departing`), as the kernel flushes a console it prints.
    pub(crate) fn watch_unregistration(&self, text: &[u8]) {
        if let Some(name) = console_notice::unregistered_console(text) {
            self.consoles.mark_departing(name);
        }
    }

    /// Forgets held consoles that were unregistered, announcing what they missed.
    fn forget_departed(&self) {
        let mut gone = [(ConsoleName::empty(), 0u64); super::consoles::MAX_CONSOLES];
        let (mut n, mut departed) = (0, 0);
        {
            let _list = ConsoleListLock::acquire();
            self.consoles.forget_departed(|d| {
                departed += 1;
                // A console flushed at its notice missed nothing it was owed then.
                if !d.flushed && n < gone.len() {
                    gone[n] = (d.name, d.missed);
                    n += 1;
                }
            });
        }
        Stats::add(&self.stats.consoles_departed, departed);
        for (name, missed) in &gone[..n] {
            pr_warn!(
                "console {} was unregistered with up to {} records not printed on it\n",
                name.as_str(),
                missed
            );
        }
    }

    /// The doorbell's view of the console list: takes note of consoles to take over or
    /// forget. Returns the lowest next record of the consoles the module prints now, and
    /// of all the consoles held.
    pub(crate) fn survey_consoles(&self, ctx: Ctx) -> super::consoles::Survey {
        let survey = self.consoles.survey(self.mode.emergency.kernel_prints());
        if survey.unheld {
            self.request(ADOPT, ctx);
        }
        if survey.mismatch {
            self.request(RESYNC, ctx);
        }
        if survey.gone {
            self.request(DEPARTED, ctx);
        }
        survey
    }

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
    /// percent of them), the consoles go back to the kernel; after as long again a kthread is asked to try, and the
    /// consoles come back once one of them actually runs (`end_starvation`).
    pub(crate) fn watch_starvation(&self, lowest_ours: Option<u64>) {
        let now = cpus::now_ns();
        let limit_ms = self.tunables.get(Tunable::StarvationMs);
        if self.mode.emergency.has(Reason::STARVED) {
            let since = self.mode.starved_at_ns.load(Ordering::Relaxed);
            if now.saturating_sub(since) >= limit_ms * 1_000_000 {
                self.kick_from(cpus::current_cpu(), Ctx::Atomic);
            }
            return;
        }
        let handing_back = self.mode.emergency.handing_back();
        if self.mode.emergency.active() && !handing_back {
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
        self.handing_back() || survey.lowest_seq.is_some_and(kmsg::has_record_from)
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
    /// the records that follow are printed by their callers.
    pub(crate) fn watch_urgent(&self, cpu: u32) {
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
        let Some(lock) = self.mode.scan_bufs.get(cpu as usize) else {
            return;
        };
        let mut guard = lock.lock();
        let buf = &mut guard[..];
        let (mut seq, mut found) = (from, 0u64);
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
                    self.mode.urgent_seq.fetch_max(rec.seq, Ordering::Relaxed);
                }
            }
            seq = rec.seq + 1;
        }
        drop(guard);
        if found == 0 {
            return;
        }
        Stats::add(&self.stats.records_urgent, found);
        self.mode
            .urgent_until_ns
            .store(cpus::now_ns() + URGENT_HOLD_NS, Ordering::Relaxed);
        // A kthread prints the backlog up to the urgent record, at once and at the
        // console's pace, then hands the consoles back.
        self.raise(Reason::URGENT, Ctx::Atomic);
    }

    /// Ends the urgent-record mode once the held consoles printed the last urgent record
    /// and none came for a while. Doorbell.
    pub(crate) fn settle_urgent(&self, lowest_held: Option<u64>) {
        if !self.mode.emergency.has(Reason::URGENT) {
            return;
        }
        let until = self.mode.urgent_until_ns.load(Ordering::Relaxed);
        let last = self.mode.urgent_seq.load(Ordering::Relaxed);
        if cpus::now_ns() >= until && lowest_held.is_none_or(|s| s > last) {
            self.clear(Reason::URGENT, Ctx::Atomic);
        }
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
