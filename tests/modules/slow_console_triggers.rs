// SPDX-License-Identifier: GPL-2.0

//! slow_console's trigger files: the debugfs writes with which a test makes something
//! happen to the console or the log (`unregister`, `console_start`, `hold_lock_ms`,
//! `urgent_burst`, `nmi_burst`, `irqsoff_burst`; see the crate documentation).

use super::{b, unregister, Capture};
use core::ptr::{addr_of, read_volatile};
use core::sync::atomic::{AtomicU32, Ordering};
use kernel::ffi::{c_char, c_int, c_uint};
use kernel::prelude::*;

/// The `unregister` file's write().
///
/// # Safety
///
/// Called by the VFS for the debugfs file, whose `private_data` (`simple_open`) is the
/// module's `Capture`, alive until the file is removed.
unsafe extern "C" fn unregister_write(
    file: *mut b::file,
    _buf: *const c_char,
    count: usize,
    _pos: *mut b::loff_t,
) -> isize {
    // SAFETY: see the function's safety section.
    let cap = unsafe { &*((*file).private_data as *const Capture) };
    if !cap.registered.load(Ordering::SeqCst) {
        return -(b::EINVAL as isize);
    }
    unregister(cap);
    count as isize
}

/// The `console_start` file's write().
///
/// # Safety
///
/// Called by the VFS for the debugfs file, whose `private_data` (`simple_open`) is the
/// module's `Capture`, alive until the file is removed.
unsafe extern "C" fn console_start_write(
    file: *mut b::file,
    _buf: *const c_char,
    count: usize,
    _pos: *mut b::loff_t,
) -> isize {
    // SAFETY: see the function's safety section.
    let cap = unsafe { &*((*file).private_data as *const Capture) };
    if !cap.registered.load(Ordering::SeqCst) {
        return -(b::EINVAL as isize);
    }
    // SAFETY: the console is registered (the tests do not unregister it meanwhile), and
    // console_start() may sleep: a write() is process context.
    unsafe { b::console_start(cap.con.get()) };
    count as isize
}

/// A decimal number written to a debugfs file, from 1 to `max`: the value, or the
/// write()'s negative error (`-EINVAL` out of range).
///
/// # Safety
///
/// `buf` is a user pointer to `count` bytes.
unsafe fn user_uint(
    buf: *const c_char,
    count: usize,
    max: u32,
) -> core::result::Result<u32, isize> {
    let mut v: c_uint = 0;
    // SAFETY: `buf` is a user pointer to `count` bytes (the function's safety section);
    // `kstrtouint_from_user` copies at most that many.
    let err = unsafe { b::kstrtouint_from_user(buf, count, 10, &mut v) };
    if err != 0 {
        return Err(err as isize);
    }
    if v == 0 || v > max {
        return Err(-(b::EINVAL as isize));
    }
    Ok(v)
}

/// Longest hold `hold_lock_ms` accepts, in ms.
const HOLD_MAX_MS: u32 = 10_000;

/// The `hold_lock_ms` file's write(): holds `console_lock` for the number of ms written.
///
/// # Safety
///
/// Called by the VFS for the debugfs file, with `buf` a user pointer to `count` bytes.
unsafe extern "C" fn hold_lock_write(
    _file: *mut b::file,
    buf: *const c_char,
    count: usize,
    _pos: *mut b::loff_t,
) -> isize {
    // SAFETY: `buf` is a user pointer to `count` bytes (the function's safety section).
    let ms = match unsafe { user_uint(buf, count, HOLD_MAX_MS) } {
        Ok(v) => v,
        Err(e) => return e,
    };
    pr_info!("slowcon: holding console_lock for {} ms\n", ms);
    // SAFETY: process context (a write system call), where both may sleep; the lock is
    // released before returning.
    unsafe {
        b::console_lock();
        b::msleep(ms);
        b::console_unlock();
    }
    count as isize
}

/// The most records `urgent_burst` stores before its warning.
const BURST_MAX: u32 = 4096;

/// The lock class of `burst_lock`: lockdep needs a static key per class.
pub(super) static BURST_CLASS: kernel::sync::LockClassKey =
    // SAFETY: lockdep expects uninitialised memory for a statically allocated
    // `lock_class_key` (as `kernel::static_lock_class!()` does).
    unsafe { core::mem::MaybeUninit::uninit().assume_init() };

/// The `urgent_burst` file's write(): N records, then a warning, with interrupts off.
///
/// # Safety
///
/// Called by the VFS for the debugfs file, whose `private_data` (`simple_open`) is the
/// module's `Capture`, alive until the file is removed; `buf` is a user pointer to `count`
/// bytes.
unsafe extern "C" fn urgent_burst_write(
    file: *mut b::file,
    buf: *const c_char,
    count: usize,
    _pos: *mut b::loff_t,
) -> isize {
    // SAFETY: see the function's safety section.
    let cap = unsafe { &*((*file).private_data as *const Capture) };
    // SAFETY: `buf` is a user pointer to `count` bytes (the function's safety section).
    let n = match unsafe { user_uint(buf, count, BURST_MAX) } {
        Ok(v) => v,
        Err(e) => return e,
    };
    let lock = cap
        .burst_lock
        .get()
        .cast::<kernel::bindings::raw_spinlock_t>();
    // SAFETY: `burst_lock` was initialised in init and lives as long as the file; a
    // `spinlock_t` begins with its `raw_spinlock_t` (not PREEMPT_RT). printk() may be
    // called with interrupts off.
    unsafe {
        let flags = kernel::bindings::_raw_spin_lock_irqsave(lock);
        for i in 1..=n {
            pr_info!("rpo-urgent-burst {}\n", i);
        }
        pr_warn!("rpo-urgent-burst warning\n");
        kernel::bindings::_raw_spin_unlock_irqrestore(lock, flags);
    }
    count as isize
}

/// The most records one `nmi_burst` stores.
const NMI_BURST_MAX: u32 = 256;
/// The name the NMI handler is registered (and unregistered) under.
pub(super) const NMI_NAME: &core::ffi::CStr = c"slowcon_nmi";

/// Records the next NMI to reach the handler is to store (0: none asked).
static NMI_PENDING: AtomicU32 = AtomicU32::new(0);

extern "C" {
    /// The static call trampoline behind `__apic_send_IPI_mask()` (exported for modules;
    /// the `apic` structure is not): sends `vector` to the CPUs of `mask`, NMI_VECTOR as
    /// an NMI.
    fn __SCT__apic_call_send_IPI_mask(mask: *const b::cpumask, vector: c_int);
}

/// The NMI handler (`NMI_LOCAL`, called for every NMI on every CPU): stores the records an
/// `nmi_burst` asked for, if any. NMI context: nothing but atomics and printk().
pub(super) extern "C" fn nmi_burst_handler(_cmd: c_uint, _regs: *mut b::pt_regs) -> c_int {
    let n = NMI_PENDING.swap(0, Ordering::AcqRel);
    if n == 0 {
        return b::NMI_DONE as c_int;
    }
    for i in 1..=n {
        pr_info!("rpo-nmi-burst {}\n", i);
    }
    b::NMI_HANDLED as c_int
}

/// The highest-numbered online CPU.
fn last_online_cpu() -> Option<u32> {
    // SAFETY: `nr_cpu_ids` is set at boot and read-only after it.
    let ids = unsafe { read_volatile(addr_of!(b::nr_cpu_ids)) };
    (0..ids).rev().find(|&cpu| {
        let (word, bit) = ((cpu / 64) as usize, cpu % 64);
        // SAFETY: `word` is within the mask (`cpu < nr_cpu_ids`); a racing hotplug change
        // of a word is harmless here (the burst would go to a CPU going away).
        let w = unsafe { read_volatile(addr_of!(b::__cpu_online_mask.bits[word])) };
        w & (1 << bit) != 0
    })
}

/// The `nmi_burst` file's write(): an NMI to the last online CPU, which stores N records.
///
/// # Safety
///
/// Called by the VFS for the debugfs file, with `buf` a user pointer to `count` bytes.
unsafe extern "C" fn nmi_burst_write(
    _file: *mut b::file,
    buf: *const c_char,
    count: usize,
    _pos: *mut b::loff_t,
) -> isize {
    // SAFETY: `buf` is a user pointer to `count` bytes (the function's safety section).
    let n = match unsafe { user_uint(buf, count, NMI_BURST_MAX) } {
        Ok(v) => v,
        Err(e) => return e,
    };
    let Some(cpu) = last_online_cpu() else {
        return -(b::EINVAL as isize);
    };
    if NMI_PENDING
        .compare_exchange(0, n, Ordering::AcqRel, Ordering::Relaxed)
        .is_err()
    {
        return -(b::EBUSY as isize);
    }
    // SAFETY: all-zero is an empty cpumask.
    let mut mask: b::cpumask = unsafe { core::mem::zeroed() };
    mask.bits[(cpu / 64) as usize] |= 1 << (cpu % 64);
    // SAFETY: `mask` is a valid cpumask for the call; the trampoline may be called from
    // process context (as `nmi_raise_cpu_backtrace()` does).
    unsafe { __SCT__apic_call_send_IPI_mask(&mask, b::NMI_VECTOR as c_int) };
    count as isize
}

/// The most records one `irqsoff_burst` stores.
const IRQSOFF_BURST_MAX: u32 = 256;

/// The `irqsoff_burst` file's write(): N records "rpo-irqsoff-burst I" stored with
/// interrupts off but the preempt count untouched, as `local_irq_save()` (or
/// `printk_cpu_sync_get_irqsave()` around `dump_stack()`) leaves them: the kernel's
/// `local_irq_save()` is inline, so the same two instructions here.
///
/// # Safety
///
/// Called by the VFS for the debugfs file, with `buf` a user pointer to `count` bytes.
unsafe extern "C" fn irqsoff_burst_write(
    _file: *mut b::file,
    buf: *const c_char,
    count: usize,
    _pos: *mut b::loff_t,
) -> isize {
    // SAFETY: `buf` is a user pointer to `count` bytes (the function's safety section).
    let n = match unsafe { user_uint(buf, count, IRQSOFF_BURST_MAX) } {
        Ok(v) => v,
        Err(e) => return e,
    };
    let flags: u64;
    // SAFETY: saves the flags and turns interrupts off on this CPU (x86-64), restored
    // below; printk() may be called with interrupts off.
    unsafe { core::arch::asm!("pushfq", "pop {}", "cli", out(reg) flags) };
    for i in 1..=n {
        pr_info!("rpo-irqsoff-burst {}\n", i);
    }
    // SAFETY: restores the flags saved above (interrupts on again if they were).
    unsafe { core::arch::asm!("push {}", "popfq", in(reg) flags) };
    count as isize
}

/// The `unregister`, `console_start`, `hold_lock_ms`, `urgent_burst`, `nmi_burst` and
/// `irqsoff_burst` files' operations: shared read-only.
pub(super) struct Fops(pub(super) b::file_operations);
// SAFETY: never written after initialisation; its `owner` pointer is null.
unsafe impl Sync for Fops {}

pub(super) static UNREGISTER_FOPS: Fops = Fops(b::file_operations {
    open: Some(b::simple_open),
    write: Some(unregister_write),
    // SAFETY: all-zero is a valid `file_operations` (no other callbacks, no owner).
    ..unsafe { core::mem::zeroed() }
});

pub(super) static CONSOLE_START_FOPS: Fops = Fops(b::file_operations {
    open: Some(b::simple_open),
    write: Some(console_start_write),
    // SAFETY: all-zero is a valid `file_operations` (no other callbacks, no owner).
    ..unsafe { core::mem::zeroed() }
});

pub(super) static HOLD_LOCK_FOPS: Fops = Fops(b::file_operations {
    open: Some(b::simple_open),
    write: Some(hold_lock_write),
    // SAFETY: all-zero is a valid `file_operations` (no other callbacks, no owner).
    ..unsafe { core::mem::zeroed() }
});

pub(super) static URGENT_BURST_FOPS: Fops = Fops(b::file_operations {
    open: Some(b::simple_open),
    write: Some(urgent_burst_write),
    // SAFETY: all-zero is a valid `file_operations` (no other callbacks, no owner).
    ..unsafe { core::mem::zeroed() }
});

pub(super) static IRQSOFF_BURST_FOPS: Fops = Fops(b::file_operations {
    write: Some(irqsoff_burst_write),
    // SAFETY: all-zero is a valid `file_operations` (no other callbacks, no owner).
    ..unsafe { core::mem::zeroed() }
});

pub(super) static NMI_BURST_FOPS: Fops = Fops(b::file_operations {
    write: Some(nmi_burst_write),
    // SAFETY: all-zero is a valid `file_operations` (no other callbacks, no owner).
    ..unsafe { core::mem::zeroed() }
});
