// SPDX-License-Identifier: GPL-2.0

//! Interrupts off on the local CPU while a guard lives, as the kernel's own console path
//! keeps them for each record it writes to a legacy console (`printk_safe_enter_irqsave()`
//! in `console_emit_next_record()`).
//!
//! 6.12 exports no function that only disables interrupts (`local_irq_save()` is an
//! architecture inline), so a private spinlock taken with `spin_lock_irqsave()` provides
//! that state: it is only ever taken by the one printer at a time, so it never spins; it
//! keeps preemption off too; and lockdep tracks the interrupt state as for any lock.

use crate::bindings as b;
use kernel::ffi::c_ulong;
use kernel::prelude::*;
use kernel::sync::LockClassKey;
use kernel::types::Opaque;

/// The lock class of [`IrqLock`]: lockdep needs a static key per lock class.
static CLASS: LockClassKey =
    // SAFETY: lockdep expects uninitialised memory for a statically allocated
    // `lock_class_key` (as `kernel::static_lock_class!()` does).
    unsafe { core::mem::MaybeUninit::uninit().assume_init() };

/// The private spinlock whose irqsave acquisition turns interrupts off.
///
/// # Invariants
///
/// `lock` is an initialised `spinlock_t` that does not move (the type is pinned).
#[pin_data]
pub(crate) struct IrqLock {
    #[pin]
    lock: Opaque<b::spinlock_t>,
}

// SAFETY: a spinlock is made to be used from any thread.
unsafe impl Sync for IrqLock {}
// SAFETY: as above.
unsafe impl Send for IrqLock {}

impl IrqLock {
    /// Initialises the lock in place.
    pub(crate) fn new() -> impl PinInit<Self> {
        pin_init!(Self {
            lock <- Opaque::ffi_init(|slot: *mut b::spinlock_t| {
                // SAFETY: `slot` is valid for writes and stays in place (pinned); the name
                // is a static C string; `LockClassKey` is a transparent wrapper of
                // `lock_class_key`, and `CLASS` is static.
                unsafe {
                    b::__spin_lock_init(
                        slot,
                        c"rust_printk_offload_irqs_off".as_ptr().cast(),
                        (&CLASS as *const LockClassKey)
                            .cast_mut()
                            .cast::<b::lock_class_key>(),
                    )
                }
            }),
        })
    }

    /// Turns interrupts off on this CPU until the guard is dropped.
    pub(crate) fn disable(&self) -> IrqsOff<'_> {
        // SAFETY: the lock is initialised (type invariant). Without PREEMPT_RT (a Kconfig
        // dependency of the module) a `spinlock_t` begins with its `raw_spinlock_t`, which
        // is what `spin_lock_irqsave()` passes on.
        let flags = unsafe { b::_raw_spin_lock_irqsave(self.lock.get().cast()) };
        IrqsOff { lock: self, flags }
    }
}

/// Interrupts are off on this CPU while this lives (and the task cannot be preempted).
pub(crate) struct IrqsOff<'a> {
    lock: &'a IrqLock,
    flags: c_ulong,
}

impl Drop for IrqsOff<'_> {
    fn drop(&mut self) {
        // SAFETY: taken in `IrqLock::disable()` with these flags.
        unsafe { b::_raw_spin_unlock_irqrestore(self.lock.lock.get().cast(), self.flags) };
    }
}
