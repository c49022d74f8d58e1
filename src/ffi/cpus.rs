// SPDX-License-Identifier: GPL-2.0

//! CPU and time facts the module needs: the number of CPU ids, which CPUs are online, the
//! current CPU, clocks, sleeping and rescheduling. `smp_processor_id()` and `cpu_online()`
//! are macros or inline functions, so they are done here from the exported data they read.

use crate::bindings as b;
use core::ptr::{addr_of, read_volatile};

const BITS_PER_LONG: u32 = usize::BITS;

/// The number of CPU ids (`nr_cpu_ids`): CPUs are numbered `0..nr_cpu_ids()`.
pub(crate) fn nr_cpu_ids() -> u32 {
    // SAFETY: `nr_cpu_ids` is an exported kernel variable, set before modules load.
    unsafe { read_volatile(addr_of!(b::nr_cpu_ids)) }
}

/// Reads bit `cpu` of a kernel cpumask.
///
/// # Safety
///
/// `mask` must point to a live `struct cpumask`.
unsafe fn mask_test(mask: *const b::cpumask, cpu: u32) -> bool {
    if cpu >= nr_cpu_ids() {
        return false;
    }
    // SAFETY: `cpu < nr_cpu_ids <= NR_CPUS`, so the word is inside the mask; the kernel
    // updates these words with atomic bit operations, so a volatile word read is sound.
    let word = unsafe {
        read_volatile(
            addr_of!((*mask).bits)
                .cast::<usize>()
                .add((cpu / BITS_PER_LONG) as usize),
        )
    };
    word & (1usize << (cpu % BITS_PER_LONG)) != 0
}

/// Whether `cpu` is online (`cpu_online()`).
pub(crate) fn cpu_online(cpu: u32) -> bool {
    // SAFETY: `__cpu_online_mask` is an exported, always-live kernel cpumask.
    unsafe { mask_test(addr_of!(b::__cpu_online_mask), cpu) }
}

/// Whether `cpu` can ever be online (`cpu_possible()`).
pub(crate) fn cpu_possible(cpu: u32) -> bool {
    // SAFETY: `__cpu_possible_mask` is an exported, always-live kernel cpumask.
    unsafe { mask_test(addr_of!(b::__cpu_possible_mask), cpu) }
}

/// `local_clock()`: the clock printk timestamps records with, in nanoseconds.
pub(crate) fn local_clock_ns() -> u64 {
    // SAFETY: no preconditions.
    unsafe { b::local_clock() }
}

/// The CPU this code runs on. Exact where the caller cannot migrate (hard or soft irq
/// context, interrupts or preemption disabled, a CPU-bound kthread); a hint elsewhere.
pub(crate) fn current_cpu() -> u32 {
    // SAFETY: `get_current()` always returns the running task, which stays alive while it
    // runs; `thread_info.cpu` is the CPU it runs on (x86 has THREAD_INFO_IN_TASK).
    unsafe { read_volatile(addr_of!((*kernel::bindings::get_current()).thread_info.cpu)) }
}

/// Sleeps between `min_us` and `max_us` microseconds (`usleep_range()`). Process context.
pub(crate) fn sleep_us(min_us: u64, max_us: u64) {
    // SAFETY: no memory-safety precondition. Sleeping where it is not allowed is a bug that
    // `CONFIG_DEBUG_ATOMIC_SLEEP` reports, not undefined behaviour; the callers are
    // kthreads, sysctl writers, notifiers and the unload, which may sleep.
    unsafe {
        b::usleep_range_state(
            min_us as _,
            max_us as _,
            kernel::bindings::TASK_UNINTERRUPTIBLE,
        )
    };
}

/// Gives the CPU to another task if one should run, as the kernel's `cond_resched()`.
/// Process context, no spinning lock held: with `CONFIG_DEBUG_ATOMIC_SLEEP` a caller in
/// atomic context is reported (`__might_resched()`, with the caller's line), where
/// `__cond_resched()` alone would silently do nothing. Under static full preemption the
/// kernel has no `__cond_resched()`: there `preempt_enable()` reschedules, and this only
/// checks.
#[track_caller]
pub(crate) fn cond_resched() {
    #[cfg(CONFIG_DEBUG_ATOMIC_SLEEP)]
    {
        let line = core::panic::Location::caller().line();
        // SAFETY: the file name is a NUL-terminated static string; the function only
        // reads the context's state and reports.
        unsafe {
            b::__might_resched(
                c"rust_printk_offload".as_ptr().cast(),
                line.try_into().unwrap_or(0),
                0,
            )
        };
    }
    #[cfg(any(not(CONFIG_PREEMPTION), CONFIG_PREEMPT_DYNAMIC))]
    // SAFETY: no memory-safety precondition (see `sleep_us`); the callers may sleep.
    unsafe {
        b::__cond_resched()
    };
}

/// `preempt_count()` of the running context on `cpu`, which must be the current CPU
/// with the caller unable to migrate (x86 keeps it in the per-CPU `pcpu_hot`).
fn preempt_count(cpu: u32) -> u32 {
    if cpu >= nr_cpu_ids() {
        return 0;
    }
    // SAFETY: `cpu < nr_cpu_ids`, so `__per_cpu_offset[cpu]` is that CPU's per-CPU area,
    // and `pcpu_hot` is an exported per-CPU variable in it; the field is an `int` that
    // only the CPU itself changes, and the caller runs on that CPU.
    unsafe {
        let offset = read_volatile(
            addr_of!(b::__per_cpu_offset)
                .cast::<usize>()
                .add(cpu as usize),
        );
        let hot = (addr_of!(kernel::bindings::pcpu_hot) as usize + offset)
            as *const kernel::bindings::pcpu_hot;
        read_volatile(addr_of!(
            (*hot).__bindgen_anon_1.__bindgen_anon_1.preempt_count
        )) as u32
    }
}

/// For a tracepoint probe running on `cpu`: whether the code that hit the tracepoint runs
/// in preemptible task context. `preempt_count()` then holds only the tracepoint's own
/// `preempt_disable_notrace()`: no interrupt, softirq or NMI, no spinlock and no other
/// preemption-disabled section of the caller. (Without `CONFIG_PREEMPT_COUNT` neither the
/// tracepoint nor a spinlock counts, and only the interrupt contexts are told apart.) x86
/// keeps `PREEMPT_NEED_RESCHED`, inverted, in bit 31.
pub(crate) fn tracepoint_caller_preemptible(cpu: u32) -> bool {
    preempt_count(cpu) & 0x7fff_ffff <= 1
}

/// The running task's `flags` (`PF_*`).
pub(crate) fn current_flags() -> u32 {
    // SAFETY: `get_current()` is the running task, alive while it runs; only the task
    // itself changes most of its flags, and a racing change of another is harmless here.
    unsafe { read_volatile(addr_of!((*kernel::bindings::get_current()).flags)) }
}

/// Whether the running task is exiting (`PF_EXITING`).
pub(crate) fn current_exiting() -> bool {
    current_flags() & b::PF_EXITING != 0
}

/// Whether the running task has a real-time or deadline priority (`rt_or_dl_prio()`).
pub(crate) fn current_is_realtime() -> bool {
    // SAFETY: as in `current_flags`; `prio` is an int the scheduler updates.
    unsafe { read_volatile(addr_of!((*kernel::bindings::get_current()).prio)) < 100 }
}

/// Whether a signal is pending for the running task. Process context.
pub(crate) fn signal_pending() -> bool {
    kernel::current!().signal_pending()
}

/// An identity of the running task (its address), to recognise it later.
pub(crate) fn current_task() -> usize {
    // SAFETY: `get_current()` has no preconditions; the address is only compared.
    unsafe { kernel::bindings::get_current() as usize }
}

/// Whether the calling kthread should park (its CPU is going offline). Kthreads only.
pub(crate) fn kthread_should_park() -> bool {
    // SAFETY: the callers are the module's per-CPU kthreads (`kthread` arguments say so),
    // which `kthread_should_park()` requires.
    unsafe { b::kthread_should_park() }
}

/// Whether another task than the caller is runnable on the caller's CPU (the CPU is
/// wanted). A CPU-bound kthread, or any caller that cannot migrate.
pub(crate) fn cpu_wanted() -> bool {
    // SAFETY: reads the current CPU's runqueue length; callable from any context.
    !unsafe { b::single_task_running() }
}

/// How long `cpu` has been idle since boot, in microseconds, the current idle period
/// included (`get_cpu_idle_time_us()`); `None` without NO_HZ accounting (`nohz=off`).
/// Any context but NMI.
pub(crate) fn idle_time_us(cpu: u32) -> Option<u64> {
    if !cpu_possible(cpu) {
        return None;
    }
    // SAFETY: `cpu` is a possible CPU, whose per-CPU tick_sched exists; a NULL
    // `last_update_time` asks for no update.
    let t = unsafe { b::get_cpu_idle_time_us(cpu as _, core::ptr::null_mut()) };
    // -1: no NO_HZ accounting.
    (t != u64::MAX).then_some(t)
}

/// Monotonic time in nanoseconds, callable from any context (`ktime_get_mono_fast_ns()`).
pub(crate) fn now_ns() -> u64 {
    // SAFETY: an NMI-safe clock read with no preconditions.
    unsafe { b::ktime_get_mono_fast_ns() }
}
