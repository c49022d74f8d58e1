// SPDX-License-Identifier: GPL-2.0

//! The engine's entry points from the kernel: the kthreads (smpboot), the doorbell (the
//! printk() caller and its irq_work), and the lifecycle notifiers (PM, syscore, reboot,
//! panic). Each reaches the running instance through `with_offload`.

use super::{with_offload, Ctx};
use crate::ffi::doorbell::DoorbellEvents;
use crate::ffi::lifecycle::LifecycleEvents;
use crate::ffi::percpu_threads::PercpuCallbacks;
use crate::ffi::resume_work::ResumeEvents;
use crate::ffi::watch_timer::WatchEvents;
use crate::ffi::{kernel_state, kmsg};
use crate::logic::emergency::Reason;
use crate::stats::Stats;

/// The engine's callbacks.
pub(crate) struct Callbacks;

impl PercpuCallbacks for Callbacks {
    /// Printing must be scheduled soon after printk() and get a generous share of the CPU
    /// (nine tenths beside a task at nice 0), or a flood from every CPU leaves the console
    /// half idle. Not -20, as upstream's printer threads: beside a kthread at nice -20 that
    /// prints a backlog, a task at nice 0 that wakes on its CPU (the RCU grace-period
    /// kthread, the kworker that takes a CPU down) waits about a quarter of a second to
    /// run, and everything that waits for a grace period waits as long as the backlog.
    const NICE: i32 = -10;

    fn should_run(cpu: u32) -> bool {
        // Kicked, or handed the claim by the previous printer.
        with_offload(|o| o.placement.kicked(cpu) || o.printer.claim.owns(cpu)).unwrap_or(false)
    }

    fn run(cpu: u32) {
        with_offload(|o| o.run_on(cpu));
    }

    fn park(cpu: u32) {
        with_offload(|o| o.kthread_offline(cpu));
    }

    fn online(cpu: u32) {
        with_offload(|o| o.kthread_online(cpu));
    }
}

impl DoorbellEvents for Callbacks {
    fn on_printk(cpu: u32, text: &[u8]) -> bool {
        with_offload(|o| {
            o.check_kernel_state();
            o.consoles.watch_unregistration(text);
            // The console loglevel this record is stored under; the boundary is read only
            // when the loglevel changed.
            o.printer
                .levels
                .observe(kernel_state::console_loglevel(), kmsg::next_seq);
            if o.mode.emergency.kernel_prints() {
                Stats::add(&o.stats.records_sync, 1);
            }
            o.pace(cpu);
            o.doorbell_wanted()
        })
        .unwrap_or(false)
    }

    fn on_ring(cpu: u32) {
        with_offload(|o| {
            o.placement.note_doorbell(cpu);
            o.settle_kernel_state();
            let survey = o.survey_consoles(Ctx::Atomic);
            o.watch_urgent(cpu, survey.lowest_seq);
            o.settle_urgent(survey.lowest_held);
            o.watch_starvation(survey.lowest_seq);
            o.watch_backlog(survey.lowest_seq);
            // Until nothing is owed, the watch timer samples the printer between doorbells
            // (not while suspending: the kernel prints, and nothing is to be queued).
            if o.mode.doorbell_allowed() {
                o.keep_watching();
            }
            if o.mode.housekeeping_owed() {
                o.poke_for_housekeeping(cpu);
            }
            if o.mode.emergency.active() || o.printer.claim.printer_will_see_new_records() {
                return;
            }
            o.kick_from(cpu, Ctx::Atomic);
        });
    }

    fn on_irqs_on(cpu: u32) {
        with_offload(|o| o.pacing.irqs_on(cpu));
    }
}

impl ResumeEvents for Callbacks {
    fn on_resume() {
        with_offload(|o| o.hold_writer());
    }
}

impl WatchEvents for Callbacks {
    fn on_watch() -> bool {
        with_offload(|o| o.watch_tick()).unwrap_or(false)
    }
}

impl LifecycleEvents for Callbacks {
    fn pm_prepare() {
        with_offload(|o| {
            Stats::add(&o.stats.pm_events, 1);
            // Before tasks freeze (the consoles' drivers suspend after): print
            // synchronously from here on, the backlog first, here.
            o.raise(Reason::PM, Ctx::Sleepable);
        });
    }

    fn pm_post() {
        with_offload(|o| {
            Stats::add(&o.stats.pm_events, 1);
            // The serial core re-enabled its console on resume; taking back covers it.
            o.clear(Reason::PM, Ctx::Sleepable);
            o.ring_now();
        });
    }

    fn syscore_suspend() {
        with_offload(|o| {
            Stats::add(&o.stats.syscore_events, 1);
            // One CPU, interrupts off: no kthread runs any more.
            o.raise_handed_back(Reason::PM, Ctx::NoWake);
        });
    }

    fn syscore_resume() {
        with_offload(|o| Stats::add(&o.stats.syscore_events, 1));
    }

    fn syscore_shutdown() {
        with_offload(|o| {
            Stats::add(&o.stats.syscore_events, 1);
            o.raise_handed_back(Reason::SHUTDOWN, Ctx::NoWake);
        });
    }

    fn reboot() {
        with_offload(|o| {
            o.raise(Reason::SHUTDOWN, Ctx::Sleepable);
        });
    }

    fn panic() {
        // Other CPUs are stopped (a kthread may have been stopped in the middle of a
        // record: that record is printed again by the panic flush, as the kernel's own
        // threaded printing would). Hand the consoles back so console_flush_on_panic(),
        // which skips disabled consoles, prints everything from each con->seq on.
        with_offload(|o| {
            o.raise_handed_back(Reason::PANIC, Ctx::NoWake);
        });
    }
}
