// SPDX-License-Identifier: GPL-2.0

//! The doorbell printk() callers ring: a probe on the `console` tracepoint, which
//! `vprintk_store()` hits for every record in every context (NMI included), queues the
//! calling CPU's own lazy irq_work; that irq_work runs on the same CPU once the record is
//! committed (at the next tick, or at once if the tick is stopped), and tells the engine.
//!
//! One irq_work per CPU, as printk's own `wake_up_klogd_work`: the probe runs with
//! interrupts off on the storing CPU, before the record is committed, so that CPU's work
//! cannot run before the commit. (With one shared irq_work, a ring from CPU B while the
//! work was pending on CPU A would be lost, and A's work could run before B committed.)
//!
//! The caller thus pays a tracepoint call and one atomic operation (nothing if its work is
//! already pending), and no wakeup ever happens under the caller's locks.
//!
//! A second irq_work per CPU, not lazy, tells the engine when interrupts are back on
//! after a record (`after_irqs_on`): queued from the probe, it raises the CPU's own
//! irq_work interrupt, which runs as soon as the caller of printk() has interrupts on
//! again; while it is pending, the caller is still in a section with interrupts off.

use crate::bindings as b;
use crate::ffi::cpus;
use core::ffi::c_void;
use core::marker::PhantomPinned;
use core::pin::Pin;
use core::sync::atomic::{AtomicBool, Ordering};
use kernel::alloc::{flags::GFP_KERNEL, KVec};
use kernel::ffi::c_char;
use kernel::prelude::*;
use kernel::types::Opaque;

/// What the doorbell tells the engine.
pub(crate) trait DoorbellEvents {
    /// In the printk() caller on `cpu`, for every record, before it is committed, with the
    /// record's text (no level prefix, no trailing newline). Any context, NMI included:
    /// must not sleep, take locks or print. Returns whether to ring the doorbell (queue
    /// this CPU's irq_work).
    fn on_printk(cpu: u32, text: &[u8]) -> bool;
    /// The doorbell rang on `cpu`: hard-irq context on that CPU, after the records it was
    /// rung for were committed. Must not sleep.
    fn on_ring(cpu: u32);
    /// Interrupts were on again on `cpu` after `Doorbell::after_irqs_on` was asked there:
    /// hard-irq context on that CPU. Must not sleep.
    fn on_irqs_on(cpu: u32);
}

/// The per-CPU irq_works and the tracepoint registration.
///
/// # Invariants
///
/// `works` holds one initialised lazy irq_work per CPU id, running `ring::<T>` for the
/// `T` given to `new`, and `irqs_on` one initialised irq_work that is not lazy per CPU id,
/// running `irqs_on::<T>`; their buffers are never reallocated. While `armed`, the tracepoint
/// probe holds a pointer to `self`, which is pinned (the only constructor is a
/// pin-initialiser).
#[pin_data(PinnedDrop)]
pub(crate) struct Doorbell {
    works: KVec<Opaque<b::irq_work>>,
    irqs_on: KVec<Opaque<b::irq_work>>,
    probe: unsafe extern "C" fn(*mut c_void, *const c_char, usize),
    armed: AtomicBool,
    #[pin]
    _pin: PhantomPinned,
}

// SAFETY: the irq_works are used through the kernel's own synchronisation.
unsafe impl Sync for Doorbell {}
// SAFETY: the irq_works and the probe registration are not tied to the thread that made
// them (`disarm()` may run on any CPU).
unsafe impl Send for Doorbell {}

impl Doorbell {
    /// A doorbell for `T`, not armed yet.
    pub(crate) fn new<T: DoorbellEvents>() -> impl PinInit<Self, Error> {
        // INVARIANT: one initialised work of each kind per CPU id; neither vector is pushed
        // to again.
        try_pin_init!(Self {
            // IRQ_WORK_INIT_LAZY(ring): no IPI, run from the next tick (as printk's own
            // wake_up_klogd work), so the printk caller never pays for an interrupt.
            works: Self::works(b::IRQ_WORK_LAZY, ring::<T>)?,
            // IRQ_WORK_INIT_HARD(irqs_on): not lazy, and in hard-irq context under
            // PREEMPT_RT too (not the irq_work thread), so the mark is cleared as soon as
            // interrupts are on; the function only stores a flag.
            irqs_on: Self::works(b::IRQ_WORK_HARD_IRQ, irqs_on::<T>)?,
            probe: console_probe::<T>,
            armed: AtomicBool::new(false),
            _pin: PhantomPinned,
        }? Error)
    }

    /// One irq_work per CPU id, each with `flags` and running `func`.
    fn works(
        flags: u32,
        func: unsafe extern "C" fn(*mut b::irq_work),
    ) -> Result<KVec<Opaque<b::irq_work>>> {
        let nr = cpus::nr_cpu_ids() as usize;
        let mut works = KVec::with_capacity(nr, GFP_KERNEL)?;
        for _ in 0..nr {
            let mut work = b::irq_work::default();
            // SAFETY: `u_flags` is the plain view of the flags union, nothing else is live.
            unsafe { *work.node.__bindgen_anon_1.u_flags.as_mut() = flags };
            work.func = Some(func);
            works.push(Opaque::new(work), GFP_KERNEL)?;
        }
        Ok(works)
    }

    /// From the probe (`DoorbellEvents::on_printk`), with interrupts off, on an online
    /// CPU: `T::on_irqs_on` runs on this CPU as soon as interrupts are on again there.
    /// Nothing while not armed.
    pub(crate) fn after_irqs_on(&self) {
        if !self.armed.load(Ordering::Relaxed) {
            return;
        }
        if let Some(work) = self.irqs_on.get(cpus::current_cpu() as usize) {
            // SAFETY: initialised (type invariant). Queued while armed, from the probe:
            // `disarm()` clears `armed`, unregisters the probe and waits for the probes
            // under way, then for this work, so none is queued or pending once it returns.
            unsafe { b::irq_work_queue(work.get()) };
        }
    }

    /// Starts ringing on every printk.
    pub(crate) fn arm(&self) -> Result {
        if self.armed.swap(true, Ordering::SeqCst) {
            return Ok(());
        }
        // SAFETY: the probe's signature matches the `console` tracepoint's
        // (`void (void *data, const char *text, size_t len)`); `data` is `self`, pinned
        // (type invariant), and stays valid until `disarm()` unregisters the probe and waits
        // for running probes (`disarm` runs before `self` is dropped: `PinnedDrop`).
        let ret = unsafe {
            b::tracepoint_probe_register(
                core::ptr::addr_of_mut!(b::__tracepoint_console),
                self.probe as *mut c_void,
                (self as *const Self).cast_mut().cast(),
            )
        };
        if let Err(e) = kernel::error::to_result(ret) {
            self.armed.store(false, Ordering::SeqCst);
            return Err(e);
        }
        Ok(())
    }

    /// Rings once more on the current CPU (its doorbell runs at the next tick), if armed.
    /// From a timer or an irq_work only: an RCU read-side section (softirqs or interrupts
    /// off; under PREEMPT_RT, `local_bh_disable()` holds `rcu_read_lock()`), which
    /// `disarm()` waits for (`synchronize_rcu()`) before it waits for the works, so a work
    /// queued here after `disarm()` began is still waited for.
    pub(crate) fn ring_here(&self) {
        if !self.armed.load(Ordering::SeqCst) {
            return;
        }
        if let Some(work) = self.works.get(cpus::current_cpu() as usize) {
            // SAFETY: initialised (type invariant), and waited for by `disarm()` (see
            // above); irq_work_queue() queues on the current CPU, which cannot change in a
            // timer or irq_work, and does nothing if the work is already pending.
            unsafe { b::irq_work_queue(work.get()) };
        }
    }

    /// Stops ringing and waits until no probe and no irq_work runs any more.
    pub(crate) fn disarm(&self) {
        if self.armed.swap(false, Ordering::SeqCst) {
            // SAFETY: the registration made in `arm()`.
            unsafe {
                b::tracepoint_probe_unregister(
                    core::ptr::addr_of_mut!(b::__tracepoint_console),
                    self.probe as *mut c_void,
                    (self as *const Self).cast_mut().cast(),
                );
                // tracepoint_synchronize_unregister() is inline: its two calls.
                b::synchronize_srcu(core::ptr::addr_of_mut!(b::tracepoint_srcu));
                b::synchronize_rcu();
            }
        }
        for work in Iterator::chain(self.works.iter(), self.irqs_on.iter()) {
            // SAFETY: initialised (type invariant); with the probe gone nothing queues it.
            unsafe { b::irq_work_sync(work.get()) };
        }
    }
}

#[pinned_drop]
impl PinnedDrop for Doorbell {
    fn drop(self: Pin<&mut Self>) {
        self.disarm();
    }
}

/// The `console` tracepoint probe: runs inside `vprintk_store()`, in any context, with
/// interrupts off (`printk_enter_irqsave()`), so the current CPU is exact.
///
/// # Safety
///
/// Called only by the tracepoint while `Doorbell::arm` has it registered: `data` is the
/// armed, pinned `Doorbell`, alive until `disarm()` has waited for running probes; `text`
/// is null or the record's text of `len` bytes, unchanged until the probe returns
/// (`trace_console(text, text_len)` in `printk_sprint()`).
unsafe extern "C" fn console_probe<T: DoorbellEvents>(
    data: *mut c_void,
    text: *const c_char,
    len: usize,
) {
    // SAFETY: `data` is the armed doorbell, alive for the call (the safety contract).
    let this = unsafe { &*data.cast::<Doorbell>() };
    let text = if text.is_null() {
        &[][..]
    } else {
        // SAFETY: not null, so the record's text of `len` bytes (the safety contract).
        unsafe { core::slice::from_raw_parts(text.cast::<u8>(), len) }
    };
    let cpu = cpus::current_cpu();
    if !T::on_printk(cpu, text) {
        return;
    }
    if let Some(work) = this.works.get(cpu as usize) {
        // SAFETY: initialised (type invariant); irq_work_queue() is safe in every context
        // printk runs in, NMI included, and does nothing if the work is already pending.
        // It queues on the current CPU: `work` is this CPU's own.
        unsafe { b::irq_work_queue(work.get()) };
    }
}

/// The irq_work function: hard-irq context on the CPU that queued it. Dereferences no
/// argument.
extern "C" fn ring<T: DoorbellEvents>(_work: *mut b::irq_work) {
    T::on_ring(cpus::current_cpu());
}

/// The interrupts-on irq_work's function: hard-irq context on the CPU that queued it, once
/// interrupts are on there (or, on a CPU going offline, from its dying callbacks, with
/// interrupts still off: the section has ended for good). Dereferences no argument.
extern "C" fn irqs_on<T: DoorbellEvents>(_work: *mut b::irq_work) {
    T::on_irqs_on(cpus::current_cpu());
}
