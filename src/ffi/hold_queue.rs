// SPDX-License-Identifier: GPL-2.0

//! Where held writers sleep (`ffi/resume_work.rs`, `engine/pacing.rs`): a wait queue that
//! the printer wakes as soon as the backlog is below its limit, so that a held writer
//! goes on at the console's pace instead of a timer's. `wait_event_interruptible_timeout()`
//! is a macro, so its one step is done here from the exported functions it is made of.

use crate::bindings as b;
use core::sync::atomic::{fence, AtomicUsize, Ordering};
use kernel::alloc::{flags::GFP_KERNEL, KBox};
use kernel::c_str;
use kernel::prelude::*;
use kernel::sync::LockClassKey;
use kernel::types::Opaque;

/// The lock class of the queue's spinlock: lockdep needs a static key per class.
static HOLD_QUEUE_CLASS: LockClassKey =
    // SAFETY: lockdep expects uninitialised memory for a statically allocated
    // `lock_class_key` (as `kernel::static_lock_class!()` does).
    unsafe { core::mem::MaybeUninit::uninit().assume_init() };

/// A wait queue, and how many tasks are inside `sleep()`.
///
/// # Invariants
///
/// `head` is an initialised `wait_queue_head` that does not move (it is boxed, and the
/// box is never replaced). No task is inside `sleep()` when the queue is dropped: `sleep`
/// borrows the queue, and its only callers are held writers, which the unload waits for
/// (`ResumeWorks::quiesce`) before the engine, and this queue with it, goes.
pub(crate) struct HoldQueue {
    head: KBox<Opaque<b::wait_queue_head>>,
    sleepers: AtomicUsize,
}

// SAFETY: a wait queue is made to be used from any thread; its list is guarded by its own
// spinlock.
unsafe impl Sync for HoldQueue {}
// SAFETY: the queue is not tied to the thread that made it.
unsafe impl Send for HoldQueue {}

impl HoldQueue {
    /// An empty queue.
    pub(crate) fn new() -> Result<Self> {
        let head = KBox::new(Opaque::<b::wait_queue_head>::uninit(), GFP_KERNEL)?;
        // SAFETY: `head` is valid for writes and does not move (boxed); the name is a
        // static C string; `LockClassKey` is a `repr(transparent)` wrapper of
        // `lock_class_key` (its own pointer accessor is not public in 6.12), and the class
        // is static.
        unsafe {
            b::__init_waitqueue_head(
                head.get(),
                c_str!("rpo_hold_queue").as_char_ptr(),
                (&HOLD_QUEUE_CLASS as *const LockClassKey)
                    .cast_mut()
                    .cast::<b::lock_class_key>(),
            )
        };
        // INVARIANT: initialised above, boxed.
        Ok(Self {
            head,
            sleepers: AtomicUsize::new(0),
        })
    }

    /// Sleeps (interruptibly, so a signal or the freezer ends it) for at most
    /// `timeout_jiffies`, unless `still()` is false, or becomes false and `wake_all()`
    /// is called. One step: the caller loops, and looks at the clock and at signals.
    /// Process context, where the caller may sleep.
    pub(crate) fn sleep(&self, still: impl Fn() -> bool, timeout_jiffies: i64) {
        let entry = Opaque::<b::wait_queue_entry>::uninit();
        // Counted before the condition is read: a waker that changes the condition and
        // then finds no sleeper (`wake_all`) ran entirely before this task looked.
        self.sleepers.fetch_add(1, Ordering::SeqCst);
        // SAFETY: `entry` is valid for writes and stays where it is until `finish_wait`
        // below.
        unsafe { b::init_wait_entry(entry.get(), 0) };
        // Queues the entry and sets the task state, with a full barrier before `still()` is
        // read: a `wake_all()` after that read finds the entry. With a signal pending it
        // does neither, and says so.
        // SAFETY: `head` is initialised (type invariant); `entry` is initialised above and
        // stays where it is until `finish_wait` has taken it off the queue.
        let queued = unsafe {
            b::prepare_to_wait_event(
                self.head.get(),
                entry.get(),
                kernel::bindings::TASK_INTERRUPTIBLE as i32,
            ) == 0
        };
        if queued && still() {
            // SAFETY: no memory-safety precondition; the caller may sleep.
            unsafe { b::schedule_timeout(timeout_jiffies as _) };
        }
        // SAFETY: as above; the entry is taken off the queue if it is still on it, and
        // the task is running again.
        unsafe { b::finish_wait(self.head.get(), entry.get()) };
        self.sleepers.fetch_sub(1, Ordering::SeqCst);
    }

    /// Wakes every sleeper, if there is one. The caller has made the sleepers' condition
    /// false before. Any context but NMI.
    pub(crate) fn wake_all(&self) {
        self.wake_all_if(|| true);
    }

    /// Wakes every sleeper, if there is one and `ready()` says their wait is over. The
    /// sleepers are counted first (`has_sleepers`), so `ready()` is not even read when
    /// nobody sleeps. Any context but NMI.
    pub(crate) fn wake_all_if(&self, ready: impl FnOnce() -> bool) {
        if self.has_sleepers() && ready() {
            // SAFETY: `head` is initialised (type invariant); `__wake_up` takes the
            // queue's lock with interrupts off.
            unsafe {
                b::__wake_up(
                    self.head.get(),
                    kernel::bindings::TASK_NORMAL,
                    0,
                    core::ptr::null_mut(),
                )
            };
        }
    }

    /// Whether a task is inside `sleep()`, with a full barrier before the look: what the
    /// caller changed before is seen by a sleeper that is not counted yet.
    fn has_sleepers(&self) -> bool {
        fence(Ordering::SeqCst);
        self.sleepers.load(Ordering::Relaxed) > 0
    }
}
