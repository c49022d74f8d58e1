// SPDX-License-Identifier: GPL-2.0

//! Adapter over the kernel's lifecycle notifications that matter to console output:
//! PM (suspend, hibernation), syscore (the last steps of suspend and shutdown, on one CPU
//! with interrupts off), reboot and panic. The C callbacks reach the module through the
//! plain functions of [`LifecycleEvents`].

use super::syscore::Syscore;
use crate::bindings as b;
use core::ffi::{c_int, c_void};
use core::pin::Pin;
use core::sync::atomic::{AtomicBool, Ordering};
use kernel::ffi::c_ulong;
use kernel::prelude::*;
use kernel::types::Opaque;

/// What the module does at each lifecycle step.
pub(crate) trait LifecycleEvents {
    /// Suspend or hibernation is being prepared (process context, before tasks freeze).
    fn pm_prepare();
    /// Suspend or hibernation finished or failed (process context, tasks thawed).
    fn pm_post();
    /// syscore suspend: one CPU, interrupts off, must not sleep.
    fn syscore_suspend();
    /// syscore resume: one CPU, interrupts off, must not sleep.
    fn syscore_resume();
    /// syscore shutdown: the last step before reboot or power-off; must not sleep.
    fn syscore_shutdown();
    /// A reboot, halt or power-off is under way (process context).
    fn reboot();
    /// panic(): other CPUs are stopped; must not sleep or take sleeping locks.
    fn panic();
}

const NOTIFY_DONE: c_int = 0;

/// The PM notifier (`register_pm_notifier()`): process context, called by the PM core
/// around suspend, hibernation and restore. Dereferences no argument.
extern "C" fn pm_cb<T: LifecycleEvents>(
    _nb: *mut b::notifier_block,
    action: c_ulong,
    _d: *mut c_void,
) -> c_int {
    match action as u32 {
        b::PM_SUSPEND_PREPARE | b::PM_HIBERNATION_PREPARE | b::PM_RESTORE_PREPARE => {
            T::pm_prepare()
        }
        b::PM_POST_SUSPEND | b::PM_POST_HIBERNATION | b::PM_POST_RESTORE => T::pm_post(),
        _ => {}
    }
    NOTIFY_DONE
}

/// The reboot notifier (`register_reboot_notifier()`): process context, at the start of
/// a reboot, halt or power-off. Dereferences no argument.
extern "C" fn reboot_cb<T: LifecycleEvents>(
    _nb: *mut b::notifier_block,
    _a: c_ulong,
    _d: *mut c_void,
) -> c_int {
    T::reboot();
    NOTIFY_DONE
}

/// The panic notifier (`panic_notifier_list`): called by `panic()` after the other CPUs
/// were stopped. Dereferences no argument.
extern "C" fn panic_cb<T: LifecycleEvents>(
    _nb: *mut b::notifier_block,
    _a: c_ulong,
    _d: *mut c_void,
) -> c_int {
    T::panic();
    NOTIFY_DONE
}

/// The registered notifiers.
///
/// # Invariants
///
/// While `registered`, the kernel's notifier lists point into `self`, which is pinned (the
/// only constructor is a pin-initialiser).
#[pin_data(PinnedDrop)]
pub(crate) struct Lifecycle {
    #[pin]
    pm: Opaque<b::notifier_block>,
    #[pin]
    reboot: Opaque<b::notifier_block>,
    #[pin]
    panic: Opaque<b::notifier_block>,
    #[pin]
    syscore: Syscore,
    registered: AtomicBool,
}

// SAFETY: the C structures are only touched by registration, under the kernel's locks.
unsafe impl Send for Lifecycle {}
// SAFETY: through a shared reference only `register`/`unregister` touch the C structures,
// serialised by the `registered` flag and the kernel's notifier locks.
unsafe impl Sync for Lifecycle {}

impl Lifecycle {
    /// Prepares the notifier blocks for `T`.
    pub(crate) fn new<T: LifecycleEvents>() -> impl PinInit<Self> {
        let nb = |cb: extern "C" fn(*mut b::notifier_block, c_ulong, *mut c_void) -> c_int,
                  priority| {
            Opaque::new(b::notifier_block {
                notifier_call: Some(cb),
                priority,
                ..Default::default()
            })
        };
        pin_init!(Self {
            pm: nb(pm_cb::<T>, 0),
            // Early among reboot notifiers, so their messages already print synchronously.
            reboot: nb(reboot_cb::<T>, i32::MAX),
            panic: nb(panic_cb::<T>, i32::MAX),
            syscore <- Syscore::new::<T>(),
            registered: AtomicBool::new(false),
        })
    }

    /// Registers all notifiers.
    pub(crate) fn register(&self) -> Result {
        if self.registered.swap(true, Ordering::SeqCst) {
            return Ok(());
        }
        // SAFETY: the blocks are initialised and pinned (type invariant); each registration
        // is undone in `unregister()`, which runs before `self` is dropped (`PinnedDrop`).
        unsafe {
            if let Err(e) = kernel::error::to_result(b::register_pm_notifier(self.pm.get())) {
                self.registered.store(false, Ordering::SeqCst);
                return Err(e);
            }
            if let Err(e) = kernel::error::to_result(b::register_reboot_notifier(self.reboot.get()))
            {
                b::unregister_pm_notifier(self.pm.get());
                self.registered.store(false, Ordering::SeqCst);
                return Err(e);
            }
            b::atomic_notifier_chain_register(
                core::ptr::addr_of_mut!(b::panic_notifier_list),
                self.panic.get(),
            );
            self.syscore.register();
        }
        Ok(())
    }

    /// Unregisters all notifiers; no callback runs after this returns.
    pub(crate) fn unregister(&self) {
        if !self.registered.swap(false, Ordering::SeqCst) {
            return;
        }
        // SAFETY: all four were registered by `register()`. The notifier chains and the
        // syscore list synchronise with running callbacks on removal.
        unsafe {
            self.syscore.unregister();
            b::atomic_notifier_chain_unregister(
                core::ptr::addr_of_mut!(b::panic_notifier_list),
                self.panic.get(),
            );
            b::unregister_reboot_notifier(self.reboot.get());
            b::unregister_pm_notifier(self.pm.get());
        }
    }
}

#[pinned_drop]
impl PinnedDrop for Lifecycle {
    fn drop(self: Pin<&mut Self>) {
        self.unregister();
    }
}
