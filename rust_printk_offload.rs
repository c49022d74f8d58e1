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

use engine::Offload;
use ffi::instance::Published;
use ffi::registration::Registration;
use kernel::prelude::*;
use kernel::sync::Arc;
use test_hooks::fail;

/// Raw bindings for the C APIs this module needs beyond `kernel::bindings`, generated at
/// build time by bindgen from `src/ffi/bindings.h` (see `scripts/gen-bindings.sh`, which
/// also gives the generated file its lint exemptions). Only `src/ffi/` uses them.
#[rustfmt::skip]
#[path = "offload_bindings_generated.rs"]
mod bindings;
#[deny(unsafe_code)]
#[path = "src/control.rs"]
mod control;
#[deny(unsafe_code)]
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

/// The loaded module. Every field but `offload` is one step of loading, undone when it is
/// dropped. Fields drop in the order declared, the reverse of the order `init` makes them
/// in (but for `_announcement`, whose undo reports the totals once all else is undone):
/// unload undoes load step by step, and a load that fails undoes exactly the steps it
/// made, last first (docs/design.md, section 12).
struct PrintkOffload {
    /// Marks the unloading task first thing at unload.
    _unloading: Registration<Offload>,
    /// The sysctl files: gone before the engine stops, so no handler runs then.
    _control: control::Control,
    /// The doorbell, and the consoles taken over; dropping hands them back (the backlog
    /// printed first), then disarms the doorbell.
    _consoles: Registration<Offload>,
    _watch: Registration<Offload>,
    _notifiers: Registration<Offload>,
    _threads: Registration<Offload>,
    /// The engine as the callbacks find it, until every registration above is undone.
    _instance: Published<Offload>,
    /// "loaded" once all is done; "unloaded" with the totals once all is undone.
    _announcement: Registration<Offload>,
    /// The engine's state, freed with its last reference.
    offload: Arc<Offload>,
}

impl kernel::Module for PrintkOffload {
    fn init(_module: &'static ThisModule) -> Result<Self> {
        test_hooks::arm();
        let loaded = try_init!(Self {
            offload: {
                let o = Arc::pin_init(Offload::new(), GFP_KERNEL)?;
                params::apply_tunables(&o);
                o
            },
            // SAFETY: the callers of `with_offload` are the callbacks of the
            // registrations below, the sysctl handlers (`_control`) and the module
            // parameters' `get` (covered by the drop itself). The registrations are made
            // after `_instance` and declared before it, so each is undone (waiting for its
            // running callbacks) before it is dropped: on a failed load, the initialiser
            // drops what it made last first; on unload, fields drop in declaration order.
            _instance: unsafe { engine::OFFLOAD.publish(offload)? },
            _threads: Offload::threads(offload)?,
            _notifiers: {
                fail("load:kthreads")?;
                Offload::notifiers(offload)?
            },
            _watch: {
                fail("load:notifiers")?;
                Offload::watch(offload)?
            },
            _consoles: {
                fail("load:watch")?;
                Offload::take_over(offload)?
            },
            // The parameters that need the engine running (as their sysctls would), then
            // the files.
            _control: {
                fail("load:taken_over")?;
                params::apply_rest(offload)?;
                fail("load:params")?;
                control::Control::register()?
            },
            _announcement: {
                fail("load:sysctl")?;
                Offload::announcement(offload)?
            },
            _unloading: Offload::unloading(offload)?,
        }? Error);
        Ok(KBox::into_inner(KBox::init(loaded, GFP_KERNEL)?))
    }
}
