// SPDX-License-Identifier: GPL-2.0

//! Interrupts off on the local CPU while a guard lives, as the kernel's own console path
//! keeps them for each record it writes to a legacy console (`printk_safe_enter_irqsave()`
//! in `console_emit_next_record()`).
//!
//! 6.12 exports no function that only disables interrupts or preemption
//! (`local_irq_save()` and `preempt_disable()` are inlines), so private spinlocks provide
//! those states: one taken with `spin_lock_bh()` (preemption off, interrupts on), one
//! taken inside it with `spin_lock_irqsave()`. Each CPU has its own pair, so printers on
//! two CPUs never wait for each other; lockdep tracks both states as for any lock.

use crate::bindings as b;
use crate::ffi::cpus;
use core::marker::PhantomData;
use kernel::alloc::{flags::GFP_KERNEL, KVec};
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

/// Two private spinlocks per CPU: one taken with `spin_lock_bh()` turns preemption off,
/// the other, taken inside it with `spin_lock_irqsave()`, interrupts.
///
/// # Invariants
///
/// `irqs` and `preempt` hold one initialised `spinlock_t` per CPU id each; their buffers
/// are never reallocated, so the locks do not move.
pub(crate) struct IrqLock {
    irqs: KVec<Opaque<b::spinlock_t>>,
    preempt: KVec<Opaque<b::spinlock_t>>,
}

// SAFETY: a spinlock is made to be used from any thread.
unsafe impl Sync for IrqLock {}
// SAFETY: the spinlocks are not tied to the thread that made them.
unsafe impl Send for IrqLock {}

/// `nr` spinlocks of lock class `class`, initialised where they stay.
fn locks(
    nr: usize,
    name: &'static core::ffi::CStr,
    class: &'static LockClassKey,
) -> Result<KVec<Opaque<b::spinlock_t>>> {
    let mut v = KVec::with_capacity(nr, GFP_KERNEL)?;
    for _ in 0..nr {
        v.push(Opaque::uninit(), GFP_KERNEL)?;
    }
    for slot in v.iter() {
        // SAFETY: `slot` is valid for writes and does not move (the vector is full and
        // never grows); the name is a static C string; `LockClassKey` is a transparent
        // wrapper of `lock_class_key`, and `class` is static.
        unsafe {
            b::__spin_lock_init(
                slot.get(),
                name.as_ptr().cast(),
                (class as *const LockClassKey)
                    .cast_mut()
                    .cast::<b::lock_class_key>(),
            )
        };
    }
    Ok(v)
}

impl IrqLock {
    /// The locks of `nr` CPUs.
    pub(crate) fn new(nr: usize) -> Result<Self> {
        // INVARIANT: one initialised lock per CPU id in each, never reallocated.
        Ok(Self {
            irqs: locks(nr, c"rust_printk_offload_irqs_off", &IRQS_CLASS)?,
            preempt: locks(nr, c"rust_printk_offload_preempt_off", &PREEMPT_CLASS)?,
        })
    }

    /// Turns preemption and softirqs off on this CPU until the guard is dropped;
    /// interrupts stay on.
    pub(crate) fn preempt_off(&self) -> PreemptOff<'_> {
        self.take(true)
    }

    /// Turns preemption off on this CPU until the guard is dropped; interrupts and
    /// softirqs stay on (softirqs raised meanwhile run on the way out of an interrupt, as
    /// anywhere else, instead of when the guard is dropped).
    pub(crate) fn preempt_only(&self) -> PreemptOff<'_> {
        self.take(false)
    }

    fn take(&self, bh: bool) -> PreemptOff<'_> {
        // This CPU's lock; after a migration before it is taken, another CPU's, which
        // costs at most a short wait for that CPU's printer.
        let i = (cpus::current_cpu() as usize).min(self.preempt.len() - 1);
        let lock = self.preempt[i].get();
        // SAFETY: the lock is initialised (type invariant). Without PREEMPT_RT (a Kconfig
        // dependency of the module) a `spinlock_t` begins with its `raw_spinlock_t`. The
        // lock is never taken in softirq context, so taking it with softirqs on is sound.
        // `_raw_spin_lock()` and its unlock are inlined, not exported, in some
        // configurations: the plain lock goes through the Rust helper `spin_lock()`.
        unsafe {
            if bh {
                b::_raw_spin_lock_bh(lock.cast())
            } else {
                b::spin_lock(lock.cast())
            }
        };
        PreemptOff {
            lock: self,
            i,
            bh,
            _not_send: PhantomData,
        }
    }
}

/// Preemption is off on this CPU while this lives.
#[must_use]
pub(crate) struct PreemptOff<'a> {
    lock: &'a IrqLock,
    /// Which CPU's locks.
    i: usize,
    /// Softirqs are off too.
    bh: bool,
    /// Released on the CPU that took it.
    _not_send: PhantomData<*mut ()>,
}

impl<'a> PreemptOff<'a> {
    /// Turns interrupts off too, until the returned guard is dropped.
    pub(crate) fn irqs_off(&self) -> IrqsOff<'a> {
        let lock = self.lock.irqs[self.i].get();
        // SAFETY: as in `preempt_off`.
        let flags = unsafe { b::_raw_spin_lock_irqsave(lock.cast()) };
        IrqsOff {
            lock,
            flags,
            _not_send: PhantomData,
            _guard: PhantomData,
        }
    }
}

impl Drop for PreemptOff<'_> {
    fn drop(&mut self) {
        let lock = self.lock.preempt[self.i].get();
        // SAFETY: taken in `IrqLock::take()` the same way (`bh`), on this CPU.
        unsafe {
            if self.bh {
                b::_raw_spin_unlock_bh(lock.cast())
            } else {
                b::spin_unlock(lock.cast())
            }
        };
    }
}

/// Interrupts are off on this CPU while this lives (and the task cannot be preempted).
#[must_use]
pub(crate) struct IrqsOff<'a> {
    lock: *mut b::spinlock_t,
    flags: c_ulong,
    /// Released on the CPU that took it.
    _not_send: PhantomData<*mut ()>,
    _guard: PhantomData<&'a IrqLock>,
}

impl Drop for IrqsOff<'_> {
    fn drop(&mut self) {
        // SAFETY: taken in `PreemptOff::irqs_off()` with these flags, on this CPU; the
        // lock outlives the guard (`'a`).
        unsafe { b::_raw_spin_unlock_irqrestore(self.lock.cast(), self.flags) };
    }
}

/// Whether interrupts are off on this CPU: the flags register's IF bit, as the kernel's
/// `native_save_fl()` reads it (`arch_irqs_disabled()` is an inline). Only the test build's
/// checks use it: under Xen PV (`CONFIG_PARAVIRT_XXL`) the flag lives elsewhere.
#[cfg(rpo_test_hooks)]
pub(crate) fn irqs_disabled() -> bool {
    const X86_EFLAGS_IF: u64 = 1 << 9;
    let flags: u64;
    // SAFETY: pushes the flags register and pops it into a register: it touches only the
    // stack slot it pushes and changes no flag.
    unsafe { core::arch::asm!("pushfq", "pop {}", out(reg) flags, options(preserves_flags)) };
    flags & X86_EFLAGS_IF == 0
}
