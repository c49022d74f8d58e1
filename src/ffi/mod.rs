// SPDX-License-Identifier: GPL-2.0

//! The thin layer over the kernel's C interfaces: the only code that uses the raw
//! bindings. Each file adapts one interface and gives the engine safe functions or a
//! trait of callbacks (the kernel calls plain `extern "C"` trampolines that forward to the
//! trait, as `rust/kernel/net/phy.rs` does).

pub(crate) mod console_list;
pub(crate) mod cpus;
pub(crate) mod doorbell;
pub(crate) mod hold_queue;
pub(crate) mod instance;
pub(crate) mod irqs;
pub(crate) mod kernel_state;
pub(crate) mod kmsg;
pub(crate) mod lifecycle;
pub(crate) mod module_params;
pub(crate) mod percpu_threads;
pub(crate) mod registration;
pub(crate) mod resume_work;
pub(crate) mod syscore;
pub(crate) mod sysctl;
pub(crate) mod watch_timer;

/// `-EOVERFLOW`, which `kernel::error::code` of 6.12 does not declare.
pub(crate) fn eoverflow() -> kernel::error::Error {
    kernel::error::Error::from_errno(-(kernel::bindings::EOVERFLOW as i32))
}
