// SPDX-License-Identifier: GPL-2.0

//! Work a user task does on its way back to user space (`task_work_add(TWA_RESUME)`),
//! where it may sleep: the sleeping half of backpressure.
//!
//! The `console` tracepoint runs inside `vprintk_store()` with interrupts off, where a
//! writer may be held for one record at most (`engine/pacing.rs`). A user task that stores
//! records faster than the consoles print them is instead held where it may sleep: when its
//! system call returns. The tracepoint queues one of a fixed pool of callback heads on it
//! (no allocation in the printk() path; one head per task at a time); the callback runs the
//! engine's wait.
//!
//! Unload. A callback runs module code on the writer's own stack, and a head stays linked
//! in its task's list until the task leaves the kernel, which a task that printed and then
//! blocked in the same system call may not do for a long time; a module cannot unlink a
//! head (only `task_work_add()` is exported). So `quiesce()`, once no head can be queued
//! any more:
//! 1. waits (a little) for the queued heads to run, and for every running callback to end
//!    (a hold ends as soon as the engine stops holding);
//! 2. abandons each head still queued: its state says so, which a callback that starts
//!    anyway sees at once, and its function becomes `wakeme_after_rcu()`, a kernel
//!    function for which each head is laid out as a `struct rcu_synchronize` (the head,
//!    then a completion nobody waits for); the pool is then leaked, not freed, so that the
//!    heads stay valid for as long as they are linked, with the completions' lock class
//!    (registered with lockdep, not a static of the module) and its name;
//! 3. waits until no task can still be executing module code it entered through a head
//!    (a callback's last instructions, or one called through a function pointer read
//!    before step 2): `synchronize_rcu_tasks()`, under which a task preempted anywhere in
//!    the kernel is not quiescent until it switches voluntarily or reaches user space. A
//!    kernel without preemption has no Tasks RCU; there no task can be preempted inside
//!    the callback, and the unload then stops the per-CPU kthreads, a context
//!    switch on every CPU, before the module's code goes. A preemptible kernel without
//!    Tasks RCU has no such wait, and there the pool is not used: writers are held in the
//!    tracepoint only.

use crate::bindings as b;
use crate::ffi::{cpus, kernel_state};
use core::mem::ManuallyDrop;
use core::ptr::addr_of;
use core::sync::atomic::{AtomicBool, AtomicU32, AtomicUsize, Ordering};
use kernel::alloc::{flags::GFP_KERNEL, KBox, KVec};
use kernel::prelude::*;
use kernel::types::Opaque;

/// What the engine does on a writer's way back to user space.
pub(crate) trait ResumeEvents {
    /// The task that stored records is about to return to user space (or exits): process
    /// context, interrupts on, may sleep; must end soon once the engine stops holding.
    fn on_resume();
}

/// The outcome of `queue_for_current`.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(crate) enum Queueing {
    /// The task will run the callback on its way back to user space.
    Queued,
    /// It already would, for an earlier record it stored.
    AlreadyQueued,
    /// It will not.
    Refused,
}

/// Heads in the pool: this many tasks can be held at once; others are held in the
/// tracepoint only.
const SLOTS: usize = 64;
/// How long `quiesce()` waits for queued heads to run before it abandons them.
const QUIESCE_PATIENCE_MS: u32 = 2_000;

/// A head's states: free; taken by the tracepoint (being queued); queued on a task (from
/// just before `task_work_add()` until its callback starts); its callback running;
/// abandoned at unload while still queued.
const FREE: u32 = 0;
const CLAIMED: u32 = 1;
const QUEUED: u32 = 2;
const RUNNING: u32 = 3;
const ABANDONED: u32 = 4;

/// Whether this kernel lets `quiesce()` wait out the callbacks (see the module doc).
const USABLE: bool = cfg!(CONFIG_TASKS_RCU) || !cfg!(CONFIG_PREEMPTION);

/// The lock class of the heads' completions and its name, allocated with the pool (and
/// leaked with it): abandoned heads outlive the module.
struct Ghost {
    key: Opaque<b::lock_class_key>,
    name: [u8; 32],
}

/// One callback head and who it is queued on.
#[repr(C)]
struct Slot {
    /// The head, followed by a completion: what `wakeme_after_rcu()` expects.
    sync: Opaque<b::rcu_synchronize>,
    state: AtomicU32,
    /// The task it is queued on (`cpus::current_task()`), for identity only.
    task: AtomicUsize,
}

impl Slot {
    /// The callback head, with the provenance of the whole slot (the callback goes back
    /// from it to the slot).
    fn head(&self) -> *mut b::callback_head {
        let sync = Opaque::raw_get(addr_of!(self.sync));
        // SAFETY: `sync` points to the slot's `rcu_synchronize`; only its address is taken.
        unsafe { core::ptr::addr_of_mut!((*sync).head) }
    }
}

/// The pool of heads.
///
/// # Invariants
///
/// `slots` is never reallocated, and a head's completion is initialised before the head
/// is first queued. A slot in state `QUEUED` or `ABANDONED` may be linked in the task-work
/// list of the task in `task`, or taken from it by that task's `task_work_run()`; a slot
/// in state `FREE`, `CLAIMED` (by the context queueing it) or `RUNNING` is in no list. If
/// a slot was abandoned, `slots` is never freed.
pub(crate) struct ResumeWorks {
    slots: ManuallyDrop<KVec<Slot>>,
    /// Registered with lockdep (if configured) from `new` until dropped.
    ghost: ManuallyDrop<KBox<Ghost>>,
    /// Heads may be queued (cleared for good by `stop`).
    accepting: AtomicBool,
    /// A head was ever queued: `quiesce()` has something to wait for.
    used: AtomicBool,
    /// Heads were abandoned: the pool is leaked.
    abandoned: AtomicBool,
    /// The task unloading the module (`cpus::current_task()`, 0 before): never queued on,
    /// as it leaves the kernel only once the module is gone.
    unloader: AtomicUsize,
}

// SAFETY: a head is written by the context that claimed its slot (CLAIMED, so no other
// context writes it), by `quiesce()` once the slot is abandoned (no callback can use the
// head any more), and otherwise only by the kernel's task-work code under its own rules;
// every other field is an atomic.
unsafe impl Sync for ResumeWorks {}
// SAFETY: the pool is not tied to the thread that made it: heads are queued from any task.
unsafe impl Send for ResumeWorks {}

impl ResumeWorks {
    /// An empty pool, accepting heads on a kernel that allows it.
    pub(crate) fn new() -> Result<Self> {
        let mut slots = KVec::with_capacity(SLOTS, GFP_KERNEL)?;
        for _ in 0..SLOTS {
            slots.push(
                Slot {
                    sync: Opaque::uninit(),
                    state: AtomicU32::new(FREE),
                    task: AtomicUsize::new(0),
                },
                GFP_KERNEL,
            )?;
        }
        // Nothing fails after the key is registered.
        let ghost = Self::ghost()?;
        for slot in slots.iter() {
            let sync = slot.sync.get();
            // SAFETY: `sync` is valid for writes and stays in place (the vector is never
            // reallocated); `init_completion()` is inline: `done = 0`, then the wait queue,
            // with the registered key and a NUL-terminated name that live as long as it.
            unsafe {
                (*sync).completion.done = 0;
                b::__init_swait_queue_head(
                    core::ptr::addr_of_mut!((*sync).completion.wait),
                    ghost.name.as_ptr().cast(),
                    ghost.key.get(),
                )
            };
        }
        Ok(Self {
            slots: ManuallyDrop::new(slots),
            ghost,
            accepting: AtomicBool::new(USABLE),
            used: AtomicBool::new(false),
            abandoned: AtomicBool::new(false),
            unloader: AtomicUsize::new(0),
        })
    }

    /// The lock class of the heads' completions, registered with lockdep, and its name.
    fn ghost() -> Result<ManuallyDrop<KBox<Ghost>>> {
        let mut name = [0u8; 32];
        let text = b"rust_printk_offload_resume";
        name[..text.len()].copy_from_slice(text);
        let ghost = KBox::new(
            Ghost {
                key: Opaque::uninit(),
                name,
            },
            GFP_KERNEL,
        )?;
        // SAFETY: the key is valid for writes; lockdep wants it zeroed, and registered
        // before use; it is in allocated memory that outlives every lock of its class (it
        // is unregistered before it is freed, and leaked with abandoned heads).
        unsafe {
            core::ptr::write_bytes(ghost.key.get(), 0, 1);
            #[cfg(CONFIG_LOCKDEP)]
            b::lockdep_register_key(ghost.key.get());
        }
        Ok(ManuallyDrop::new(ghost))
    }

    /// From the `console` tracepoint, the caller's task current and in a section it could
    /// be preempted in (no lock held: the queueing takes KASAN's stack-depot lock): has the
    /// current task call `T::on_resume()` on its way back to user space. `Queued` if it
    /// will from now on; `AlreadyQueued` if it would already (an earlier record of the same
    /// system call); `Refused` for kernel threads, exiting tasks, real-time tasks, while
    /// the module is loading, once `stop()` was called, for the task unloading the module,
    /// or with every head in use. (Tasks are held during the unload's own drain: `stop()`
    /// comes after it.)
    pub(crate) fn queue_for_current<T: ResumeEvents>(&self) -> Queueing {
        if !self.accepting.load(Ordering::SeqCst)
            || kernel_state::module_loading()
            || cpus::current_task() == self.unloader.load(Ordering::Relaxed)
        {
            return Queueing::Refused;
        }
        if cpus::current_flags() & (b::PF_KTHREAD | b::PF_USER_WORKER | b::PF_EXITING) != 0
            || cpus::current_is_realtime()
        {
            return Queueing::Refused;
        }
        let task = cpus::current_task();
        let slot = match self.claim(task) {
            Ok(slot) => slot,
            Err(q) => return q,
        };
        slot.task.store(task, Ordering::Relaxed);
        self.used.store(true, Ordering::Relaxed);
        let head = slot.head();
        // SAFETY: the slot is CLAIMED by us, so its head is in no list (type invariant) and
        // nobody else writes it.
        unsafe { (*head).func = Some(trampoline::<T>) };
        slot.state.store(QUEUED, Ordering::Release);
        // SAFETY: `get_current()` is the running task, alive while it runs; the head stays
        // valid while linked (type invariant). TWAF_NO_ALLOC: no allocation under KASAN
        // either, as the scheduler queues its own from the tick.
        let ret = unsafe {
            b::task_work_add(
                kernel::bindings::get_current(),
                head,
                b::task_work_notify_mode_TWA_RESUME | b::task_work_notify_mode_TWAF_NO_ALLOC,
            )
        };
        if ret != 0 {
            // The task is exiting: the head was not queued.
            slot.task.store(0, Ordering::Relaxed);
            slot.state.store(FREE, Ordering::Release);
            return Queueing::Refused;
        }
        Queueing::Queued
    }

    /// A free slot, now CLAIMED, for `task`; `Err(AlreadyQueued)` if the task has a head
    /// queued, `Err(Refused)` if every slot is in use. One pass finds both the task's own
    /// queued head and the first free one. Its own head can only be started by its own
    /// callback, which does not run while the task is in here (or, if it is a callback
    /// that stores this record, has already taken the head): the check cannot go stale.
    fn claim(&self, task: usize) -> core::result::Result<&Slot, Queueing> {
        let mut first_free = SLOTS;
        for (i, s) in self.slots.iter().enumerate() {
            match s.state.load(Ordering::Acquire) {
                QUEUED if s.task.load(Ordering::Relaxed) == task => {
                    return Err(Queueing::AlreadyQueued)
                }
                FREE if first_free == SLOTS => first_free = i,
                _ => {}
            }
        }
        self.slots
            .iter()
            .skip(first_free)
            .find(|s| {
                s.state.load(Ordering::Relaxed) == FREE
                    && s.state
                        .compare_exchange(FREE, CLAIMED, Ordering::Acquire, Ordering::Relaxed)
                        .is_ok()
            })
            .ok_or(Queueing::Refused)
    }

    /// Whether heads may be queued (false once unloading began).
    pub(crate) fn accepting(&self) -> bool {
        self.accepting.load(Ordering::SeqCst)
    }

    /// The current task unloads the module: it is never queued on. Process context.
    pub(crate) fn unloading_by_current(&self) {
        self.unloader.store(cpus::current_task(), Ordering::Relaxed);
    }

    /// No head is queued from now on. Any context.
    pub(crate) fn stop(&self) {
        self.accepting.store(false, Ordering::SeqCst);
    }

    /// Process context, after `stop()`, once the tracepoint can no longer queue heads, and
    /// with the engine no longer holding writers: steps 1 to 3 of the module doc.
    pub(crate) fn quiesce(&self) {
        self.stop();
        if !self.used.load(Ordering::Relaxed) {
            return;
        }
        let count = |state: u32| {
            self.slots
                .iter()
                .filter(|s| s.state.load(Ordering::Acquire) == state)
                .count()
        };
        let mut waited_ms = 0u32;
        while count(QUEUED) + count(RUNNING) > 0 {
            if count(RUNNING) == 0 && waited_ms >= QUIESCE_PATIENCE_MS {
                break;
            }
            cpus::sleep_us(1_000, 2_000);
            waited_ms = waited_ms.saturating_add(1);
        }
        let mut abandoned = 0;
        for slot in self.slots.iter() {
            if slot
                .state
                .compare_exchange(QUEUED, ABANDONED, Ordering::AcqRel, Ordering::Relaxed)
                .is_ok()
            {
                // SAFETY: the head stays valid (the pool is leaked below); its task reads
                // `func` once, just before the call, and gets either function: the
                // trampoline returns at once for an abandoned slot.
                unsafe {
                    core::ptr::write_volatile(
                        core::ptr::addr_of_mut!((*slot.head()).func),
                        Some(b::wakeme_after_rcu),
                    )
                };
                abandoned += 1;
            }
        }
        if abandoned > 0 {
            self.abandoned.store(true, Ordering::Relaxed);
            pr_warn!(
                "{} writers that printed have not left the kernel since: their holds are \
                 abandoned and the pool of {} bytes is left allocated\n",
                abandoned,
                SLOTS * core::mem::size_of::<Slot>()
            );
        }
        wait_for_callbacks_to_return();
    }
}

impl Drop for ResumeWorks {
    fn drop(&mut self) {
        if self.abandoned.load(Ordering::Relaxed) {
            return;
        }
        // SAFETY: dropped once, here; no head is linked (type invariant: none was
        // abandoned, and the engine quiesced the pool before dropping it), so no lock of
        // the class is in use.
        unsafe {
            ManuallyDrop::drop(&mut self.slots);
            #[cfg(CONFIG_LOCKDEP)]
            b::lockdep_unregister_key(self.ghost.key.get());
            ManuallyDrop::drop(&mut self.ghost);
        }
    }
}

/// Step 3 of the module doc: no task can still be executing module code it entered through
/// a head.
fn wait_for_callbacks_to_return() {
    #[cfg(CONFIG_TASKS_RCU)]
    // SAFETY: process context; no lock held.
    unsafe {
        kernel::bindings::synchronize_rcu_tasks()
    };
    // Without preemption the unload stops the per-CPU kthreads next: a context
    // switch on every CPU, which no task can take inside the callback.
}

/// The task-work callback: the task returns to user space (or exits); process context.
///
/// # Safety
///
/// Called only by `task_work_run()` for a head that `queue_for_current::<T>` queued: `head`
/// is the head of a slot of a pool that `quiesce()` keeps valid for as long as it is
/// linked, with the provenance of the whole slot.
unsafe extern "C" fn trampoline<T: ResumeEvents>(head: *mut b::callback_head) {
    // SAFETY: by the function's safety contract `head` is at offset 0 of a `Slot`
    // (`repr(C)`, its first field an `rcu_synchronize` whose first field is the head).
    let slot = unsafe { &*head.cast::<Slot>() };
    if slot
        .state
        .compare_exchange(QUEUED, RUNNING, Ordering::AcqRel, Ordering::Relaxed)
        .is_err()
    {
        // Abandoned: the module is going.
        return;
    }
    T::on_resume();
    // `task_work_run()` read the head's `next` before calling this: the head is free to be
    // queued again. The last access to the pool.
    slot.task.store(0, Ordering::Relaxed);
    slot.state.store(FREE, Ordering::Release);
}
