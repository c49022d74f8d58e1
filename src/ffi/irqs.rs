// SPDX-License-Identifier: GPL-2.0

//! Interrupts off on the local CPU while a guard lives, as the kernel's own console path
//! keeps them for each record it writes to a legacy console (`printk_safe_enter_irqsave()`
//! in `console_emit_next_record()`).
//!
//! 6.12 exports no function that only disables interrupts or preemption
//! (`local_irq_save()` and `preempt_disable()` are inlines), so private spinlocks provide
//! those states: one taken with `spin_lock_bh()` (preemption off, interrupts on), one
//! taken inside it with `spin_lock_irqsave()`. A printer takes them for one record at a time,
//! so another waits at most that long; lockdep tracks both states as for any lock.

use crate::bindings as b;
use core::marker::PhantomData;
use kernel::ffi::c_ulong;
use kernel::prelude::*;
use kernel::sync::LockClassKey;
use kernel::types::Opaque;

/// The lock classes of [`IrqLock`]'s two locks: lockdep needs a static key per class.
static IRQS_CLASS: LockClassKey =
    // SAFETY: lockdep expects uninitialised memory for a statically allocated
    // `lock_class_key` (as `kernel::static_lock_class!()` does).
    unsafe { core::mem::MaybeUninit::uninit().assume_init() };
static PREEMPT_CLASS: LockClassKey =
    // SAFETY: as above.
    unsafe { core::mem::MaybeUninit::uninit().assume_init() };

/// Two private spinlocks: one taken with `spin_lock_bh()` turns preemption off, the other,
/// taken inside it with `spin_lock_irqsave()`, interrupts.
///
/// # Invariants
///
/// `irqs` and `preempt` are initialised `spinlock_t`s that do not move (the type is
/// pinned).
#[pin_data]
pub(crate) struct IrqLock {
    #[pin]
    irqs: Opaque<b::spinlock_t>,
    #[pin]
    preempt: Opaque<b::spinlock_t>,
}

// SAFETY: a spinlock is made to be used from any thread.
unsafe impl Sync for IrqLock {}
// SAFETY: as above.
unsafe impl Send for IrqLock {}

/// Initialises the spinlock at `slot` in lock class `class`.
fn init_lock(
    name: &'static core::ffi::CStr,
    class: &'static LockClassKey,
) -> impl PinInit<Opaque<b::spinlock_t>> {
    Opaque::ffi_init(move |slot: *mut b::spinlock_t| {
        // SAFETY: `slot` is valid for writes and stays in place (pinned); the name is a
        // static C string; `LockClassKey` is a transparent wrapper of `lock_class_key`,
        // and `class` is static.
        unsafe {
            b::__spin_lock_init(
                slot,
                name.as_ptr().cast(),
                (class as *const LockClassKey)
                    .cast_mut()
                    .cast::<b::lock_class_key>(),
            )
        }
    })
}

impl IrqLock {
    /// Initialises the locks in place.
    pub(crate) fn new() -> impl PinInit<Self> {
        pin_init!(Self {
            irqs <- init_lock(c"rust_printk_offload_irqs_off", &IRQS_CLASS),
            preempt <- init_lock(c"rust_printk_offload_preempt_off", &PREEMPT_CLASS),
        })
    }

    /// Turns preemption (and softirqs) off on this CPU until the guard is dropped;
    /// interrupts stay on.
    pub(crate) fn preempt_off(&self) -> PreemptOff<'_> {
        // SAFETY: the lock is initialised (type invariant). Without PREEMPT_RT (a Kconfig
        // dependency of the module) a `spinlock_t` begins with its `raw_spinlock_t`.
        unsafe { b::_raw_spin_lock_bh(self.preempt.get().cast()) };
        PreemptOff {
            lock: self,
            _not_send: PhantomData,
        }
    }
}

/// Preemption is off on this CPU while this lives.
#[must_use]
pub(crate) struct PreemptOff<'a> {
    lock: &'a IrqLock,
    /// Released on the CPU that took it.
    _not_send: PhantomData<*mut ()>,
}

impl<'a> PreemptOff<'a> {
    /// Turns interrupts off too, until the returned guard is dropped.
    pub(crate) fn irqs_off(&self) -> IrqsOff<'a> {
        // SAFETY: as in `preempt_off`.
        let flags = unsafe { b::_raw_spin_lock_irqsave(self.lock.irqs.get().cast()) };
        IrqsOff {
            lock: self.lock,
            flags,
            _not_send: PhantomData,
        }
    }
}

impl Drop for PreemptOff<'_> {
    fn drop(&mut self) {
        // SAFETY: taken in `IrqLock::preempt_off()`, on this CPU.
        unsafe { b::_raw_spin_unlock_bh(self.lock.preempt.get().cast()) };
    }
}

/// Interrupts are off on this CPU while this lives (and the task cannot be preempted).
#[must_use]
pub(crate) struct IrqsOff<'a> {
    lock: &'a IrqLock,
    flags: c_ulong,
    /// Released on the CPU that took it.
    _not_send: PhantomData<*mut ()>,
}

impl Drop for IrqsOff<'_> {
    fn drop(&mut self) {
        // SAFETY: taken in `PreemptOff::irqs_off()` with these flags, on this CPU.
        unsafe { b::_raw_spin_unlock_irqrestore(self.lock.irqs.get().cast(), self.flags) };
    }
}
