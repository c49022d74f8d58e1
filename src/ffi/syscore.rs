// SPDX-License-Identifier: GPL-2.0

//! The syscore hooks (`include/linux/syscore_ops.h`), whose shape changed within 6.12.y:
//! newer releases register a `struct syscore` that points to the `struct syscore_ops` and
//! hands its `data` to each callback (`register_syscore()`); older ones register the
//! `struct syscore_ops` itself, whose callbacks take no argument
//! (`register_syscore_ops()`). `scripts/probe-api.sh` reads the tree's header and sets
//! `--cfg rpo_syscore_data` for the newer shape; everything else is the same.

use super::lifecycle::LifecycleEvents;
use crate::bindings as b;
use core::ffi::c_int;
use kernel::prelude::*;
use kernel::types::Opaque;

#[cfg(rpo_api_unknown)]
compile_error!("this kernel's syscore interface has an unknown shape (see scripts/probe-api.sh)");

/// The callbacks: one CPU online, interrupts off, must not sleep. They dereference no
/// argument.
#[cfg(rpo_syscore_data)]
mod callbacks {
    use super::*;
    use core::ffi::c_void;

    pub(super) extern "C" fn suspend<T: LifecycleEvents>(_data: *mut c_void) -> c_int {
        T::syscore_suspend();
        0
    }

    pub(super) extern "C" fn resume<T: LifecycleEvents>(_data: *mut c_void) {
        T::syscore_resume();
    }

    pub(super) extern "C" fn shutdown<T: LifecycleEvents>(_data: *mut c_void) {
        T::syscore_shutdown();
    }
}

/// The callbacks (see above), in the shape without an argument.
#[cfg(not(rpo_syscore_data))]
mod callbacks {
    use super::*;

    pub(super) extern "C" fn suspend<T: LifecycleEvents>() -> c_int {
        T::syscore_suspend();
        0
    }

    pub(super) extern "C" fn resume<T: LifecycleEvents>() {
        T::syscore_resume();
    }

    pub(super) extern "C" fn shutdown<T: LifecycleEvents>() {
        T::syscore_shutdown();
    }
}

/// What is registered: the `struct syscore` (newer shape) or nothing more.
#[cfg(rpo_syscore_data)]
type Node = b::syscore;
#[cfg(not(rpo_syscore_data))]
type Node = ();

/// The syscore registration's C structures.
#[pin_data]
pub(crate) struct Syscore {
    #[pin]
    ops: Opaque<b::syscore_ops>,
    #[pin]
    node: Opaque<Node>,
}

impl Syscore {
    /// The callbacks for `T`, not yet registered.
    // The older `syscore_ops` also has the list node, which the struct update fills in.
    #[allow(clippy::needless_update)]
    pub(crate) fn new<T: LifecycleEvents>() -> impl PinInit<Self> {
        pin_init!(Self {
            ops: Opaque::new(b::syscore_ops {
                suspend: Some(callbacks::suspend::<T>),
                resume: Some(callbacks::resume::<T>),
                shutdown: Some(callbacks::shutdown::<T>),
                ..Default::default()
            }),
            node: Opaque::new(Node::default()),
        })
    }

    /// Adds the callbacks to the kernel's syscore list.
    ///
    /// # Safety
    ///
    /// `self` is pinned, not registered, and [`Syscore::unregister`] is called before it
    /// is dropped.
    pub(crate) unsafe fn register(&self) {
        // SAFETY: the structures are initialised and pinned (the caller's guarantee); the
        // kernel keeps pointers into them until `unregister`.
        unsafe {
            #[cfg(rpo_syscore_data)]
            {
                (*self.node.get()).ops = self.ops.get();
                b::register_syscore(self.node.get());
            }
            #[cfg(not(rpo_syscore_data))]
            b::register_syscore_ops(self.ops.get());
        }
    }

    /// Removes the callbacks; none runs after this returns (the list is changed under
    /// the kernel's syscore lock).
    ///
    /// # Safety
    ///
    /// [`Syscore::register`] was called on `self` and this was not called since.
    pub(crate) unsafe fn unregister(&self) {
        // SAFETY: registered (the caller's guarantee).
        unsafe {
            #[cfg(rpo_syscore_data)]
            b::unregister_syscore(self.node.get());
            #[cfg(not(rpo_syscore_data))]
            b::unregister_syscore_ops(self.ops.get());
        }
    }
}
