// SPDX-License-Identifier: GPL-2.0

//! rust_printk_offload: console printing from per-CPU kernel threads.
//!
//! Once loaded, printk() callers only store their record and ring a doorbell; per-CPU
//! kthreads `printk_offload/N`, woken on a CPU other than the one that printed, write the
//! records to the taken-over legacy consoles, in order and each exactly once. Unloading
//! hands the consoles back to the kernel at the exact next record. See README.md.

use kernel::alloc::KBox;
use kernel::prelude::*;

/// Raw bindings for the C APIs this module needs beyond `kernel::bindings`, generated at
/// build time by bindgen from `src/offload_bindings.h` (see `scripts/gen-bindings.sh`,
/// which also gives the generated file its lint exemptions). Only the thin FFI files of
/// this crate use them.
#[rustfmt::skip]
#[path = "offload_bindings_generated.rs"]
mod bindings;
#[path = "src/consoles.rs"]
mod consoles;
#[path = "src/control.rs"]
mod control;
#[path = "src/cpus.rs"]
mod cpus;
#[path = "src/doorbell.rs"]
mod doorbell;
#[path = "src/kmsg_reader.rs"]
mod kmsg_reader;
#[path = "src/lifecycle.rs"]
mod lifecycle;
#[path = "src/logic/mod.rs"]
mod logic;
#[path = "src/offload.rs"]
mod offload;
#[path = "src/percpu_threads.rs"]
mod percpu_threads;
#[path = "src/stats.rs"]
mod stats;
#[path = "src/sysctl.rs"]
mod sysctl;

/// The atomics the pure logic uses (loom's in the host model checks).
mod atomic {
    pub(crate) use core::sync::atomic::{AtomicU32, AtomicU64, Ordering};
}

module! {
    type: PrintkOffload,
    name: "rust_printk_offload",
    author: "rust_printk_offload developers",
    description: "Offload console printing to per-CPU kernel threads",
    license: "GPL",
}

struct PrintkOffload {
    // Dropped first: no sysctl handler may run once the engine goes away.
    _control: control::Control,
    state: KBox<offload::Offload>,
}

impl kernel::Module for PrintkOffload {
    fn init(_module: &'static ThisModule) -> Result<Self> {
        let state = offload::Offload::start()?;
        let control = control::Control::register()?;
        pr_info!(
            "loaded: printing {} console(s) from per-CPU kthreads printk_offload/N\n",
            state.consoles()
        );
        Ok(Self {
            _control: control,
            state,
        })
    }
}

impl Drop for PrintkOffload {
    fn drop(&mut self) {
        let s = &self.state.stats;
        let get = stats::Stats::get;
        pr_info!(
            "unloading: kthreads printed {} records ({} bytes) in {} slices, {} hand-offs, {} dropped\n",
            get(&s.records),
            get(&s.bytes),
            get(&s.slices),
            get(&s.handoffs),
            get(&s.dropped)
        );
    }
}
