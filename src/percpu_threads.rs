// SPDX-License-Identifier: GPL-2.0

//! Adapter over the kernel's per-CPU "smpboot" threads: one kthread per online CPU, parked
//! and unparked with its CPU by the hotplug core, named `printk_offload/N`.
//!
//! The C callbacks carry only a CPU number, so they reach the module through a vtable of
//! plain functions given at registration (see `PercpuCallbacks`).

use crate::bindings as b;
use crate::cpus;
use kernel::prelude::*;
use kernel::types::Opaque;

/// The per-CPU behaviour of the threads.
pub(crate) trait PercpuCallbacks {
    /// Nice value each thread sets for itself when it first runs.
    const NICE: i32;
    /// Whether `cpu`'s thread has work (called with preemption disabled: must not sleep).
    fn should_run(cpu: u32) -> bool;
    /// Does the work on `cpu` (process context, may sleep).
    fn run(cpu: u32);
    /// `cpu` goes offline: its thread is about to park.
    fn park(cpu: u32);
    /// `cpu` came online: its thread was unparked (process context, may sleep).
    fn unpark(cpu: u32);
}

/// Registered per-CPU threads.
///
/// # Invariants
///
/// `store` is a per-CPU array of task pointers from `__alloc_percpu`; while `registered`,
/// `desc` is on the smpboot list and must not move (it lives in pinned module state).
pub(crate) struct PercpuThreads {
    desc: Opaque<b::smp_hotplug_thread>,
    store: *mut *mut kernel::bindings::task_struct,
    registered: bool,
}

// SAFETY: the raw pointers refer to per-CPU kernel memory owned by this object.
unsafe impl Send for PercpuThreads {}
// SAFETY: after registration the object is only read.
unsafe impl Sync for PercpuThreads {}

unsafe extern "C" fn setup_cb<T: PercpuCallbacks>(_cpu: u32) {
    let task = kernel::current!();
    // SAFETY: `Task` is a transparent wrapper of `struct task_struct`, so the reference
    // is a valid pointer to the current task, which is alive while it runs this.
    unsafe {
        b::sched_set_normal(
            task as *const _ as *mut kernel::bindings::task_struct,
            T::NICE,
        )
    };
}
unsafe extern "C" fn should_run_cb<T: PercpuCallbacks>(cpu: u32) -> i32 {
    T::should_run(cpu) as i32
}
unsafe extern "C" fn run_cb<T: PercpuCallbacks>(cpu: u32) {
    T::run(cpu)
}
unsafe extern "C" fn park_cb<T: PercpuCallbacks>(cpu: u32) {
    T::park(cpu)
}
unsafe extern "C" fn unpark_cb<T: PercpuCallbacks>(cpu: u32) {
    T::unpark(cpu)
}

impl PercpuThreads {
    /// Allocates the per-CPU task store; threads start with `register()`.
    pub(crate) fn new<T: PercpuCallbacks>() -> Result<Self> {
        let size = core::mem::size_of::<*mut kernel::bindings::task_struct>();
        // SAFETY: plain allocation (`__alloc_percpu()` is a macro over this), zeroed.
        let store =
            unsafe { b::pcpu_alloc_noprof(size, size, false, kernel::bindings::GFP_KERNEL) }
                .cast::<*mut kernel::bindings::task_struct>();
        if store.is_null() {
            return Err(ENOMEM);
        }
        let desc = b::smp_hotplug_thread {
            store: store.cast(),
            setup: Some(setup_cb::<T>),
            thread_should_run: Some(should_run_cb::<T>),
            thread_fn: Some(run_cb::<T>),
            park: Some(park_cb::<T>),
            unpark: Some(unpark_cb::<T>),
            thread_comm: c"printk_offload/%u".as_ptr().cast(),
            ..Default::default()
        };
        Ok(Self {
            desc: Opaque::new(desc),
            store,
            registered: false,
        })
    }

    /// Creates and starts one thread per online CPU (and later per CPU coming online).
    ///
    /// # Safety
    ///
    /// `self` must not move before `unregister()` (or drop) has returned.
    pub(crate) unsafe fn register(&mut self) -> Result {
        // SAFETY: `desc` is fully initialised and stays in place (caller's guarantee).
        kernel::error::to_result(unsafe { b::smpboot_register_percpu_thread(self.desc.get()) })?;
        self.registered = true;
        Ok(())
    }

    /// Stops all threads (each finishes its current `run`) and waits for them.
    pub(crate) fn unregister(&mut self) {
        if self.registered {
            // SAFETY: `desc` was registered by `register()`.
            unsafe { b::smpboot_unregister_percpu_thread(self.desc.get()) };
            self.registered = false;
        }
    }

    /// Wakes `cpu`'s thread if it exists and sleeps (a parked thread stays parked).
    pub(crate) fn wake(&self, cpu: u32) -> bool {
        if cpu >= cpus::nr_cpu_ids() {
            return false;
        }
        // SAFETY: `store` is a per-CPU allocation (invariant) and `cpu < nr_cpu_ids`.
        let task = unsafe { core::ptr::read_volatile(cpus::per_cpu_ptr(self.store, cpu)) };
        if task.is_null() {
            return false;
        }
        // SAFETY: smpboot threads live until unregistration, which first stops all callers
        // of `wake` (the doorbell is disarmed before, the threads themselves are joined).
        unsafe { b::wake_up_process(task.cast()) };
        true
    }

    /// Whether `cpu` has a thread (created when the CPU first came online).
    pub(crate) fn exists(&self, cpu: u32) -> bool {
        if cpu >= cpus::nr_cpu_ids() {
            return false;
        }
        // SAFETY: as in `wake()`.
        !unsafe { core::ptr::read_volatile(cpus::per_cpu_ptr(self.store, cpu)) }.is_null()
    }
}

impl Drop for PercpuThreads {
    fn drop(&mut self) {
        self.unregister();
        // SAFETY: allocated by `__alloc_percpu` in `new()`; no thread uses it any more.
        unsafe { b::free_percpu(self.store.cast()) };
    }
}
