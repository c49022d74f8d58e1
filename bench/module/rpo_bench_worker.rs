// SPDX-License-Identifier: GPL-2.0

//! rpo_bench's kthreads: what one of them is given, and the loop it runs (see the crate
//! documentation for the knobs).

use super::b;
use core::sync::atomic::{AtomicBool, AtomicU32, AtomicU64, Ordering};
use kernel::ffi::{c_int, c_void};
use kernel::prelude::*;
use kernel::types::Opaque;

/// What one kthread does and what it reports back.
pub(super) struct Worker {
    pub(super) cpu: u32,
    pub(super) count: u32,
    /// A flood (print until `end_ns`) rather than `count` timed calls.
    pub(super) flood: bool,
    /// End of a flood, set before the start line is released.
    pub(super) end_ns: AtomicU64,
    pub(super) gap_us: u32,
    /// Spaces at the end of every line.
    pub(super) pad: u32,
    /// 0, 1 (preemption off) or 2 (interrupts off): see `atomic` in the module doc.
    pub(super) atomic: u32,
    /// Held around the calls in the atomic modes (its own: never contended). A raw
    /// spinlock: it disables preemption on every kernel, PREEMPT_RT included. Taken with
    /// the `_bh` and `_irqsave` calls, which no x86 kernel inlines (plain
    /// `_raw_spin_unlock` is inline on kernels without preemption: no symbol to call).
    pub(super) lock: Opaque<b::raw_spinlock_t>,
    /// This kthread's `count` sample slots.
    pub(super) samples: *mut u32,
    pub(super) calls: AtomicU64,
    pub(super) done: AtomicBool,
    /// Start line: every kthread waits for it, so they all print at once.
    pub(super) go: *const AtomicBool,
    pub(super) ready: *const AtomicU32,
    /// `Bench::stop`, which debugfs writes at any time.
    pub(super) stop: *const u32,
}

pub(super) fn now_ns() -> u64 {
    // SAFETY: callable from any context.
    unsafe { b::ktime_get() as u64 }
}

/// The kthread body.
pub(super) unsafe extern "C" fn worker_fn(data: *mut c_void) -> c_int {
    // SAFETY: `data` is a `Worker` the runner keeps alive until after `kthread_stop()`.
    let w = unsafe { &*(data as *const Worker) };
    // SAFETY: `go` and `ready` point into the runner's frame, which outlives the kthreads.
    let (go, ready) = unsafe { (&*w.go, &*w.ready) };
    ready.fetch_add(1, Ordering::SeqCst);
    // Sleep, not spin: without preemption (PREEMPT_VOLUNTARY) spinning kthreads on every
    // CPU would keep the runner from ever releasing the start line.
    while !go.load(Ordering::SeqCst) {
        // SAFETY: process context.
        unsafe { b::usleep_range_state(50, 100, b::TASK_UNINTERRUPTIBLE) };
    }
    let end_ns = w.end_ns.load(Ordering::SeqCst);
    let mut i: u64 = 0;
    // SAFETY: `lock` was initialised by the runner and lives as long as `w`.
    let raw = w.lock.get();
    let mut flags = 0;
    match w.atomic {
        // SAFETY: see above; released after the loop.
        1 => unsafe { b::_raw_spin_lock_bh(raw) },
        // SAFETY: see above; released after the loop.
        2 => flags = unsafe { b::_raw_spin_lock_irqsave(raw) },
        _ => {}
    }
    loop {
        if !w.flood && i >= u64::from(w.count) {
            break;
        }
        // SAFETY: `stop` points into the module's `Bench`, which outlives every run; a
        // volatile read of a u32 that debugfs may write concurrently.
        if w.flood && (now_ns() >= end_ns || unsafe { core::ptr::read_volatile(w.stop) } != 0) {
            break;
        }
        i += 1;
        let t0 = now_ns();
        pr_info!("c{} {}{:>pad$}\n", w.cpu, i, "", pad = w.pad as usize);
        let dt = now_ns().saturating_sub(t0);
        if i <= u64::from(w.count) {
            // SAFETY: `samples` has `count` slots and `i - 1 < count`; only we write them.
            unsafe { *w.samples.add((i - 1) as usize) = dt.min(u64::from(u32::MAX)) as u32 };
        }
        if w.atomic > 0 {
            // No rescheduling, no sleeping: the point of the atomic modes.
        } else if w.gap_us > 0 {
            let gap = w.gap_us as _;
            // SAFETY: process context.
            unsafe { b::usleep_range_state(gap, gap + gap / 8 + 1, b::TASK_UNINTERRUPTIBLE) };
        } else if i % 16 == 0 {
            // A well-behaved kernel loop reschedules now and then (outside the timing).
            // SAFETY: process context, no locks held, TASK_RUNNING.
            unsafe { b::schedule() };
        }
    }
    match w.atomic {
        // SAFETY: taken above.
        1 => unsafe { b::_raw_spin_unlock_bh(raw) },
        // SAFETY: taken above with these flags.
        2 => unsafe { b::_raw_spin_unlock_irqrestore(raw, flags) },
        _ => {}
    }
    w.calls.store(i, Ordering::SeqCst);
    w.done.store(true, Ordering::SeqCst);
    // Stay until kthread_stop(), so the runner never stops an exited task.
    // SAFETY: plain kthread calls.
    while !unsafe { b::kthread_should_stop() } {
        // SAFETY: process context.
        unsafe { b::msleep(5) };
    }
    0
}
