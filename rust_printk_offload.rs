// SPDX-License-Identifier: GPL-2.0

//! rust_printk_offload: console printing from per-CPU kernel threads.
//!
//! Once loaded, printk() callers only store their record and ring a doorbell; per-CPU
//! kthreads `printk_offload/N`, woken on a CPU other than the one that printed, write the
//! records to the taken-over legacy consoles, in order and each exactly once. Unloading
//! hands the consoles back to the kernel at the exact next record. See README.md and
//! docs/design.md.
//!
//! Layout: `src/ffi/` is the thin layer over the kernel's C interfaces (the only users of
//! `bindings`); `src/engine/` decides who prints what and when; `src/logic/` is the pure
//! logic, unit-tested and model-checked on the host; `src/control.rs`, `src/tunables.rs`
//! and `src/stats.rs` are the control surface.

// `try_pin_init!` over the engine's state (`engine::Offload`) nests deeper than the default.
#![recursion_limit = "256"]

use kernel::prelude::*;

/// Raw bindings for the C APIs this module needs beyond `kernel::bindings`, generated at
/// build time by bindgen from `src/ffi/bindings.h` (see `scripts/gen-bindings.sh`, which
/// also gives the generated file its lint exemptions). Only `src/ffi/` uses them.
#[rustfmt::skip]
#[path = "offload_bindings_generated.rs"]
mod bindings;
#[deny(unsafe_code)]
#[path = "src/control.rs"]
mod control;
#[path = "src/engine/mod.rs"]
mod engine;
#[path = "src/ffi/mod.rs"]
mod ffi;
#[deny(unsafe_code)]
#[path = "src/logic/mod.rs"]
mod logic;
#[deny(unsafe_code)]
#[path = "src/stats.rs"]
mod stats;
// Not `deny(unsafe_code)`: the parameter table it declares is placed with `link_section`
// (by `ffi::module_params`), which that lint counts; it has no unsafe block.
#[path = "src/params.rs"]
mod params;
#[path = "src/test_hooks.rs"]
mod test_hooks;
#[deny(unsafe_code)]
#[path = "src/tunables.rs"]
mod tunables;

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
    /// The sysctl files; gone before the engine stops (see `Drop`).
    control: Option<control::Control>,
    engine: Pin<KBox<engine::Offload>>,
}

impl kernel::Module for PrintkOffload {
    fn init(_module: &'static ThisModule) -> Result<Self> {
        let engine = KBox::pin_init(engine::Offload::new(), GFP_KERNEL)?;
        params::apply_tunables(&engine);
        engine.as_ref().start()?;
        let rest = params::apply_rest(&engine);
        if let Err(e) = rest.and_then(|()| test_hooks::fail("load:params")) {
            engine.shutdown();
            return Err(e);
        }
        let registered = control::Control::register();
        let control = match registered.and_then(|c| test_hooks::fail("load:sysctl").map(|()| c)) {
            Ok(c) => c,
            Err(e) => {
                engine.shutdown();
                return Err(e);
            }
        };
        pr_info!(
            "loaded: printing {} console(s) from per-CPU kthreads printk_offload/N\n",
            engine.consoles()
        );
        Ok(Self {
            control: Some(control),
            engine,
        })
    }
}

impl Drop for PrintkOffload {
    fn drop(&mut self) {
        // The module is going: nothing this task stores from here on holds it.
        self.engine.unloading_by_current();
        // No sysctl handler may run once the engine stops.
        drop(self.control.take());
        self.engine.shutdown();
        let s = &self.engine.stats;
        let get = stats::Stats::get;
        pr_info!(
            "unloaded: kthreads printed {} records ({} bytes) in {} slices, {} hand-offs, {} dropped; writers held {}, paced {}\n",
            get(&s.records_offloaded),
            get(&s.bytes_offloaded),
            get(&s.slices),
            get(&s.handoffs),
            get(&s.records_dropped),
            get(&s.writers_held),
            get(&s.writers_paced)
        );
    }
}
