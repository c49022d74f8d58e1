// SPDX-License-Identifier: GPL-2.0

//! The doorbell printk() callers ring: a probe on the `console` tracepoint, which
//! `vprintk_store()` hits for every record in every context (NMI included), queues a lazy
//! irq_work; the irq_work, which runs on the same CPU once the record is committed (at the
//! next tick, or at once if the tick is stopped), wakes a printer kthread on another CPU.
//!
//! The caller thus pays a tracepoint call and one atomic operation (nothing if the work is
//! already pending), not the formatting and copying a proxy console would cost it; and no
//! wakeup ever happens under the caller's locks.

use crate::bindings as b;
use core::ffi::c_void;
use kernel::ffi::c_char;
use kernel::prelude::*;
use kernel::types::Opaque;

/// The irq_work plus the tracepoint registration.
///
/// # Invariants
///
/// `work` is an initialised lazy irq_work whose function is the one given to `new`; while
/// `armed` is true the tracepoint probe holds a pointer to `self`, so `self` must not move
/// (it lives in the module's boxed state).
pub(crate) struct Doorbell {
    work: Opaque<b::irq_work>,
    /// Called in the printk() caller's context, for every record, before it is stored.
    on_printk: fn(),
    armed: bool,
}

impl Doorbell {
    /// Creates a doorbell whose irq_work runs `ring`, and which calls `on_printk` in the
    /// printk() caller's context (any context: it must not sleep, lock or print).
    pub(crate) fn new(ring: unsafe extern "C" fn(*mut b::irq_work), on_printk: fn()) -> Self {
        let mut work = b::irq_work::default();
        // IRQ_WORK_INIT_LAZY(ring): no IPI, run from the next tick (as printk's own
        // wake_up_klogd work), so the printk caller never pays for an interrupt.
        // SAFETY: `u_flags` is the plain view of the flags union, nothing else is live yet.
        unsafe { *work.node.__bindgen_anon_1.u_flags.as_mut() = b::IRQ_WORK_LAZY };
        work.func = Some(ring);
        Self {
            work: Opaque::new(work),
            on_printk,
            armed: false,
        }
    }

    /// Starts ringing on every printk.
    ///
    /// # Safety
    ///
    /// `self` must not move or be dropped before `disarm()` has returned.
    pub(crate) unsafe fn arm(&mut self) -> Result {
        // SAFETY: the probe's signature matches the `console` tracepoint's
        // (`void (void *data, const char *text, size_t len)`); `data` stays valid until
        // `disarm()` unregisters it and waits for running probes (caller's guarantee).
        let ret = unsafe {
            b::tracepoint_probe_register(
                core::ptr::addr_of_mut!(b::__tracepoint_console),
                console_probe as *mut c_void,
                (self as *const Self).cast_mut().cast(),
            )
        };
        kernel::error::to_result(ret)?;
        self.armed = true;
        Ok(())
    }

    /// Rings once by hand (for example after taking over, to print what is pending).
    pub(crate) fn ring_now(&self) {
        // SAFETY: `work` is initialised (type invariant) and lives as long as `self`.
        unsafe { b::irq_work_queue(self.work.get()) };
    }

    /// Stops ringing and waits until no probe and no irq_work run any more.
    pub(crate) fn disarm(&mut self) {
        if self.armed {
            // SAFETY: same registration as in `arm()`.
            unsafe {
                b::tracepoint_probe_unregister(
                    core::ptr::addr_of_mut!(b::__tracepoint_console),
                    console_probe as *mut c_void,
                    (self as *const Self).cast_mut().cast(),
                );
                // tracepoint_synchronize_unregister() is inline: its two calls.
                b::synchronize_srcu(core::ptr::addr_of_mut!(b::tracepoint_srcu));
                b::synchronize_rcu();
            }
            self.armed = false;
        }
        // SAFETY: `work` is initialised; after the probe is gone nothing queues it again.
        unsafe { b::irq_work_sync(self.work.get()) };
    }
}

impl Drop for Doorbell {
    fn drop(&mut self) {
        self.disarm();
    }
}

/// The `console` tracepoint probe: runs inside `vprintk_store()`, in any context.
unsafe extern "C" fn console_probe(data: *mut c_void, _text: *const c_char, _len: usize) {
    // SAFETY: `data` is the armed doorbell, alive until `disarm()` has waited for us.
    let this = unsafe { &*data.cast::<Doorbell>() };
    (this.on_printk)();
    // SAFETY: `work` is initialised; irq_work_queue() is safe in every context printk runs
    // in, NMI included, and does nothing if the work is already pending.
    unsafe { b::irq_work_queue(this.work.get()) };
}
