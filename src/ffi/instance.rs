// SPDX-License-Identifier: GPL-2.0

//! The running instance, for the C callbacks that carry no context pointer of ours (smpboot
//! threads, notifiers, sysctl and module-parameter handlers): published for as long as a
//! [`Published`] lives.

use super::module_params::this_module;
use core::sync::atomic::{AtomicPtr, Ordering};
use kernel::prelude::*;
use kernel::sync::Arc;

/// Where the running instance of `T` is found.
///
/// # Invariants
///
/// `ptr` is null, or points to the `T` of the one live [`Published`] made from this
/// instance, which holds a reference to it.
pub(crate) struct Instance<T> {
    ptr: AtomicPtr<T>,
}

impl<T: Send + Sync> Instance<T> {
    /// Nothing published.
    pub(crate) const fn new() -> Self {
        Self {
            ptr: AtomicPtr::new(core::ptr::null_mut()),
        }
    }

    /// Publishes `t` until the result is dropped (`EBUSY` if something is published).
    ///
    /// # Safety
    ///
    /// Every call of [`Instance::with`] that may find `t` returns before the result is
    /// dropped, apart from those inside a module parameter's `get` (the kernel runs those
    /// under the module's parameter lock, which the drop takes): the other callers must be
    /// callbacks of registrations undone, waiting for running callbacks, before that.
    pub(crate) unsafe fn publish(&'static self, t: &Arc<T>) -> Result<Published<T>> {
        let p = (&**t as *const T).cast_mut();
        self.ptr
            .compare_exchange(
                core::ptr::null_mut(),
                p,
                Ordering::AcqRel,
                Ordering::Relaxed,
            )
            .map_err(|_| EBUSY)?;
        // INVARIANT: `ptr` is `t`, kept alive by the reference the result holds.
        Ok(Published {
            instance: self,
            _owner: t.clone(),
        })
    }

    /// Runs `f` on the published instance, if any.
    pub(crate) fn with<R>(&self, f: impl FnOnce(&T) -> R) -> Option<R> {
        let p = self.ptr.load(Ordering::Acquire);
        // SAFETY: non-null only while its `Published` holds a reference (type invariant).
        // By `publish`'s contract this call returns before `ptr` is cleared, and the drop
        // clears it (under the parameter lock) before its reference goes. Only shared
        // references are made.
        unsafe { p.as_ref() }.map(f)
    }
}

/// `T` published in an [`Instance`]; withdrawn on drop.
#[must_use = "dropping the publication withdraws it at once"]
pub(crate) struct Published<T: Send + Sync + 'static> {
    instance: &'static Instance<T>,
    _owner: Arc<T>,
}

impl<T: Send + Sync + 'static> Drop for Published<T> {
    fn drop(&mut self) {
        // A module parameter's `get` runs under the module's parameter lock (sysfs's
        // `param_attr_show()`): once the pointer is cleared under it, none uses `T` any
        // more, and none finds it later.
        // SAFETY: `this_module()` is this module (or null when built in: the kernel's own
        // parameter lock); process context (unload or a failed load), no lock held.
        unsafe { kernel::bindings::kernel_param_lock(this_module()) };
        self.instance
            .ptr
            .store(core::ptr::null_mut(), Ordering::Release);
        // SAFETY: locked just above.
        unsafe { kernel::bindings::kernel_param_unlock(this_module()) };
    }
}
