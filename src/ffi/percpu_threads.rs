// SPDX-License-Identifier: GPL-2.0

//! Adapter over the kernel's per-CPU "smpboot" threads: one kthread per online CPU, parked
//! and unparked with its CPU by the hotplug core, named `printk_offload/N`.
//!
//! The C callbacks carry only a CPU number, so they reach the module through a vtable of
//! plain functions given at registration (see [`PercpuCallbacks`]).
//!
//! Waking a thread must never touch a freed task: smpboot drops its own reference to each
//! thread while unregistering, one thread after the other. So each thread's task is kept
//! here with a reference of our own, taken when the thread first runs and dropped only
//! after unregistration, when the caller guarantees that nothing wakes threads any more.

use crate::bindings as b;
use crate::ffi::cpus;
use core::pin::Pin;
use core::sync::atomic::{AtomicBool, AtomicPtr, Ordering};
use kernel::alloc::{flags::GFP_KERNEL, KVec};
use kernel::prelude::*;
use kernel::types::Opaque;

type Task = kernel::bindings::task_struct;

/// The per-CPU behaviour of the threads.
pub(crate) trait PercpuCallbacks {
    /// Nice value each thread sets for itself when it first runs.
    const NICE: i32;
    /// Whether `cpu`'s thread has work (called with preemption disabled: must not sleep).
    fn should_run(cpu: u32) -> bool;
    /// Does the work on `cpu` (process context, may sleep).
    fn run(cpu: u32);
    /// `cpu` goes offline: its thread is about to park (process context, may sleep).
    fn park(cpu: u32);
    /// `cpu`'s thread starts on a CPU that came online, for the first time (smpboot's
    /// `setup`) or again (`unpark`). Process context, may sleep.
    fn online(cpu: u32);
}

/// The registered per-CPU threads.
///
/// # Invariants
///
/// `desc.store` is a per-CPU array of task pointers from `__alloc_percpu`, smpboot's own,
/// freed on drop. Each non-null `tasks[cpu]` holds a task reference taken by that CPU's
/// thread. While `registered`, `desc` is on the smpboot list; `self` is pinned (the only
/// constructor is a pin-initialiser).
#[pin_data(PinnedDrop)]
pub(crate) struct PercpuThreads {
    #[pin]
    desc: Opaque<b::smp_hotplug_thread>,
    tasks: KVec<AtomicPtr<Task>>,
    registered: AtomicBool,
}

// SAFETY: the raw pointers refer to per-CPU kernel memory and task references owned by
// this object; the task slots are atomics.
unsafe impl Send for PercpuThreads {}
// SAFETY: shared access reads the kernel's per-CPU data or the atomic task slots only.
unsafe impl Sync for PercpuThreads {}

/// The instance the callbacks record tasks in (there is one at most).
static INSTANCE: AtomicPtr<PercpuThreads> = AtomicPtr::new(core::ptr::null_mut());

/// smpboot `setup`: the CPU's thread, the first time it runs on its CPU.
extern "C" fn setup_cb<T: PercpuCallbacks>(cpu: u32) {
    // SAFETY: `get_current()` has no precondition; it returns the running task.
    let task = unsafe { kernel::bindings::get_current() };
    // SAFETY: `task` is the running task, alive while it runs this.
    unsafe { b::sched_set_normal(task, T::NICE) };
    let this = INSTANCE.load(Ordering::Acquire);
    // SAFETY: `INSTANCE` points to the registered threads while any thread runs
    // (`register` sets it before, `unregister` clears it after the threads stopped).
    if let Some(slot) = unsafe { this.as_ref() }.and_then(|t| t.tasks.get(cpu as usize)) {
        if slot.load(Ordering::Acquire).is_null() {
            // SAFETY: `task` is alive; the reference is dropped in `release_tasks()`.
            unsafe { kernel::bindings::get_task_struct(task) };
            slot.store(task, Ordering::Release);
        }
    }
    T::online(cpu);
}
/// smpboot `thread_should_run`: the CPU's thread, preemption off, before each run.
extern "C" fn should_run_cb<T: PercpuCallbacks>(cpu: u32) -> i32 {
    T::should_run(cpu) as i32
}
/// smpboot `thread_fn`: the CPU's thread, whenever `should_run_cb` said so.
extern "C" fn run_cb<T: PercpuCallbacks>(cpu: u32) {
    T::run(cpu)
}
/// smpboot `park`: the CPU's thread, before it parks (CPU going offline, unregistration).
extern "C" fn park_cb<T: PercpuCallbacks>(cpu: u32) {
    T::park(cpu)
}
/// smpboot `unpark`: the CPU's thread, when its CPU is back online.
extern "C" fn unpark_cb<T: PercpuCallbacks>(cpu: u32) {
    T::online(cpu)
}

impl PercpuThreads {
    /// Allocates the per-CPU task store; threads start with `register()`.
    pub(crate) fn new<T: PercpuCallbacks>() -> impl PinInit<Self, Error> {
        // The descriptor last: its per-CPU store is the one allocation `drop` must free.
        try_pin_init!(Self {
            tasks: Self::task_slots()?,
            desc: Opaque::new(Self::descriptor::<T>()?),
            registered: AtomicBool::new(false),
        }? Error)
    }

    /// One empty task slot per CPU id.
    fn task_slots() -> Result<KVec<AtomicPtr<Task>>> {
        let nr = cpus::nr_cpu_ids() as usize;
        let mut tasks = KVec::with_capacity(nr, GFP_KERNEL)?;
        for _ in 0..nr {
            tasks.push(AtomicPtr::new(core::ptr::null_mut()), GFP_KERNEL)?;
        }
        Ok(tasks)
    }

    /// smpboot's descriptor for `T`'s callbacks, with a new per-CPU store.
    fn descriptor<T: PercpuCallbacks>() -> Result<b::smp_hotplug_thread> {
        let size = core::mem::size_of::<*mut Task>();
        // SAFETY: plain allocation (`__alloc_percpu()` is a macro over this), zeroed.
        let store =
            unsafe { b::pcpu_alloc_noprof(size, size, false, kernel::bindings::GFP_KERNEL) }
                .cast::<*mut Task>();
        if store.is_null() {
            return Err(ENOMEM);
        }
        Ok(b::smp_hotplug_thread {
            store: store.cast(),
            setup: Some(setup_cb::<T>),
            thread_should_run: Some(should_run_cb::<T>),
            thread_fn: Some(run_cb::<T>),
            park: Some(park_cb::<T>),
            unpark: Some(unpark_cb::<T>),
            thread_comm: c"printk_offload/%u".as_ptr().cast(),
            ..Default::default()
        })
    }

    /// Creates and starts one thread per online CPU (and later per CPU coming online).
    pub(crate) fn register(&self) -> Result {
        if self.registered.swap(true, Ordering::SeqCst) {
            return Ok(());
        }
        if INSTANCE
            .compare_exchange(
                core::ptr::null_mut(),
                (self as *const Self).cast_mut(),
                Ordering::AcqRel,
                Ordering::Relaxed,
            )
            .is_err()
        {
            self.registered.store(false, Ordering::SeqCst);
            return Err(EBUSY);
        }
        // SAFETY: `desc` is fully initialised and pinned (type invariant); `unregister`
        // undoes this before `self` is dropped (`PinnedDrop`).
        let ret = unsafe { b::smpboot_register_percpu_thread(self.desc.get()) };
        if let Err(e) = kernel::error::to_result(ret) {
            INSTANCE.store(core::ptr::null_mut(), Ordering::Release);
            self.registered.store(false, Ordering::SeqCst);
            self.release_tasks();
            return Err(e);
        }
        Ok(())
    }

    /// Stops all threads (each finishes its current `run`) and waits for them, then drops
    /// the task references. The caller guarantees that nothing calls `wake` any more.
    pub(crate) fn unregister(&self) {
        if self.registered.swap(false, Ordering::SeqCst) {
            // SAFETY: `desc` was registered by `register()`.
            unsafe { b::smpboot_unregister_percpu_thread(self.desc.get()) };
            INSTANCE.store(core::ptr::null_mut(), Ordering::Release);
        }
        self.release_tasks();
    }

    fn release_tasks(&self) {
        for slot in self.tasks.iter() {
            let task = slot.swap(core::ptr::null_mut(), Ordering::AcqRel);
            if !task.is_null() {
                // SAFETY: the reference taken in `setup_cb`; the thread has exited.
                unsafe { kernel::bindings::put_task_struct(task) };
            }
        }
    }

    /// Whether the calling task is one of the threads.
    pub(crate) fn runs_current(&self) -> bool {
        let me = crate::ffi::cpus::current_task();
        self.tasks
            .iter()
            .any(|slot| slot.load(Ordering::Relaxed) as usize == me)
    }

    /// Wakes `cpu`'s thread if it exists and sleeps (a parked thread stays parked). Any
    /// context.
    pub(crate) fn wake(&self, cpu: u32) -> bool {
        let Some(slot) = self.tasks.get(cpu as usize) else {
            return false;
        };
        let task = slot.load(Ordering::Acquire);
        if task.is_null() {
            return false;
        }
        // SAFETY: we hold a reference to the task (type invariant) until `unregister`,
        // which the caller calls only once nothing wakes threads any more.
        unsafe { kernel::bindings::wake_up_process(task) };
        true
    }
}

#[pinned_drop]
impl PinnedDrop for PercpuThreads {
    fn drop(self: Pin<&mut Self>) {
        self.unregister();
        // SAFETY: `desc` is initialised and not registered any more; its store was
        // allocated by `__alloc_percpu` in `new()` (type invariant) and no thread uses it.
        unsafe { b::free_percpu((*self.desc.get()).store.cast()) };
    }
}
