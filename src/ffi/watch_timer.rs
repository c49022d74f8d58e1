// SPDX-License-Identifier: GPL-2.0

//! A timer that looks at the printer now and then while records wait for it.
//!
//! The doorbell runs only when printk() is called: a printer that stops making progress
//! after the last record of a burst (a real-time task took its CPU) would never be noticed
//! by it, and the backlog would wait for the next printk(). While records are owed, the
//! engine keeps this timer running (`kick`), and its callback (softirq context, on the CPU
//! that armed it) samples the printer as the doorbell does.

use crate::bindings as b;
use core::sync::atomic::{AtomicBool, Ordering};
use kernel::prelude::*;
use kernel::sync::LockClassKey;
use kernel::types::Opaque;

/// What the timer tells the engine.
pub(crate) trait WatchEvents {
    /// The timer fired: softirq context, must not sleep. Returns whether to look again.
    fn on_watch() -> bool;
}

/// The lock class lockdep gives the timer (`timer_setup()` passes a static key).
static CLASS: LockClassKey =
    // SAFETY: lockdep expects uninitialised memory for a statically allocated
    // `lock_class_key` (as `kernel::static_lock_class!()` does).
    unsafe { core::mem::MaybeUninit::uninit().assume_init() };

/// The timer and whether it may run.
///
/// # Invariants
///
/// `timer` is an initialised `timer_list` running `fire::<T>` for the `T` given to `new`,
/// and does not move (the type is pinned). It is queued only while `armed`; `disarm()`
/// waits until it is neither queued nor running.
#[pin_data(PinnedDrop)]
pub(crate) struct WatchTimer {
    #[pin]
    timer: Opaque<b::timer_list>,
    armed: AtomicBool,
    /// Queued (or about to be): `kick` queues it once.
    queued: AtomicBool,
    period_ms: core::sync::atomic::AtomicU32,
}

// SAFETY: the timer is used through the kernel's own synchronisation (timer base locks);
// the other fields are atomics.
unsafe impl Sync for WatchTimer {}
// SAFETY: the timer is not tied to the thread that armed it (`timer_delete_sync()` may
// run on any CPU).
unsafe impl Send for WatchTimer {}

impl WatchTimer {
    /// A timer for `T`, not armed yet.
    pub(crate) fn new<T: WatchEvents>() -> impl PinInit<Self> {
        pin_init!(Self {
            timer <- Opaque::ffi_init(|slot: *mut b::timer_list| {
                // SAFETY: `slot` is valid for writes and stays in place (pinned); the name
                // is a static C string; `LockClassKey` is a transparent wrapper of
                // `lock_class_key`, and `CLASS` is static.
                unsafe {
                    b::init_timer_key(
                        slot,
                        Some(fire::<T>),
                        0,
                        c"rust_printk_offload_watch".as_ptr().cast(),
                        (&CLASS as *const LockClassKey)
                            .cast_mut()
                            .cast::<b::lock_class_key>(),
                    )
                }
            }),
            armed: AtomicBool::new(false),
            queued: AtomicBool::new(false),
            period_ms: core::sync::atomic::AtomicU32::new(100),
        })
    }

    /// Lets `kick` queue the timer.
    pub(crate) fn arm(&self) {
        self.armed.store(true, Ordering::SeqCst);
    }

    /// Has the timer fire in about `period_ms` unless it is queued already. Any context
    /// but NMI; not once `disarm()` began (the engine kicks it from the doorbell only,
    /// which is disarmed first).
    pub(crate) fn kick(&self, period_ms: u32) {
        self.period_ms.store(period_ms.max(1), Ordering::Relaxed);
        if !self.armed.load(Ordering::SeqCst) || self.queued.swap(true, Ordering::SeqCst) {
            return;
        }
        self.queue();
    }

    fn queue(&self) {
        let period = self.period_ms.load(Ordering::Relaxed);
        // SAFETY: the timer is initialised and pinned (type invariant); `jiffies` is an
        // exported kernel variable; mod_timer() may be called in any context but NMI.
        unsafe {
            let now = core::ptr::read_volatile(core::ptr::addr_of!(b::jiffies));
            b::mod_timer(self.timer.get(), now + b::__msecs_to_jiffies(period));
        }
    }

    /// Stops the timer for good and waits until its callback is not running. Process
    /// context.
    pub(crate) fn disarm(&self) {
        if self.armed.swap(false, Ordering::SeqCst) {
            // SAFETY: initialised (type invariant); the callback re-queues only while
            // `armed`, which is now false, so once deleted it stays so.
            unsafe { b::timer_delete_sync(self.timer.get()) };
        }
    }
}

#[pinned_drop]
impl PinnedDrop for WatchTimer {
    fn drop(self: Pin<&mut Self>) {
        self.disarm();
    }
}

/// The timer callback: softirq context.
///
/// # Safety
///
/// Called only by the timer core for a timer that `WatchTimer::new` set up with this
/// callback: `t` is the `timer` field of a pinned `WatchTimer`, alive until `disarm()` has
/// waited for this callback.
unsafe extern "C" fn fire<T: WatchEvents>(t: *mut b::timer_list) {
    // SAFETY: by the function's safety contract `t` is the `timer` field of a live, pinned
    // `WatchTimer`, and `Opaque` has the layout of the `timer_list` it wraps.
    let this = unsafe {
        &*t.cast::<u8>()
            .sub(core::mem::offset_of!(WatchTimer, timer))
            .cast::<WatchTimer>()
    };
    this.queued.store(false, Ordering::SeqCst);
    if T::on_watch()
        && this.armed.load(Ordering::SeqCst)
        && !this.queued.swap(true, Ordering::SeqCst)
    {
        this.queue();
    }
}
