// SPDX-License-Identifier: GPL-2.0

//! Module parameters: every tunable, `printk_cpumask` and `emergency`, with the names,
//! ranges and errors of the sysctls (`control.rs`), for `modprobe` options,
//! `/etc/modprobe.d/` and `rust_printk_offload.NAME=` on the kernel command line. The
//! kernel hands them over while it loads the module, before init: each is checked then (a
//! bad value fails the load, naming the parameter, before anything is touched) and kept
//! here; init applies them (`apply_tunables` before the engine starts, `apply_rest` once
//! it runs). In sysfs (`/sys/module/rust_printk_offload/parameters/`) they show what the
//! module runs with now, the sysctls included.

use crate::engine::{parse_mask, with_offload, Offload};
use crate::ffi::module_params::{module_params, ModuleParam};
use crate::logic::static_text::StaticText;
use crate::logic::uint_param;
use crate::tunables::{self, COUNT, KNOBS};
use core::sync::atomic::{AtomicU64, Ordering};
use kernel::prelude::*;

/// No value given.
const UNSET: u64 = u64::MAX;
/// The longest `printk_cpumask` value kept.
const MASK_MAX: usize = 512;

/// Values given for the tunables, by index in `KNOBS`.
static TUNABLES: [AtomicU64; COUNT] = [const { AtomicU64::new(UNSET) }; COUNT];
/// The `emergency` value given.
static EMERGENCY: AtomicU64 = AtomicU64::new(UNSET);
/// The `printk_cpumask` text given.
static MASK: StaticText<MASK_MAX> = StaticText::new();

/// Tunable number `I`.
struct TunableParam<const I: usize>;

impl<const I: usize> ModuleParam for TunableParam<I> {
    fn set(value: &[u8]) -> Result {
        let v = KNOBS[I].parse(value)?;
        TUNABLES[I].store(v, Ordering::Relaxed);
        Ok(())
    }

    fn get(out: &mut [u8]) -> usize {
        let given = TUNABLES[I].load(Ordering::Relaxed);
        let v = with_offload(|o| o.tunables.get_index(I)).unwrap_or(if given == UNSET {
            KNOBS[I].default
        } else {
            given
        });
        uint_param::format(v, out)
    }
}

/// `emergency`: 1 loads the module with the user switch on.
struct EmergencyParam;

impl ModuleParam for EmergencyParam {
    fn set(value: &[u8]) -> Result {
        let on = tunables::parse_switch(value)?;
        EMERGENCY.store(u64::from(on), Ordering::Relaxed);
        Ok(())
    }

    fn get(out: &mut [u8]) -> usize {
        let on = with_offload(|o| o.user_emergency()).unwrap_or(false);
        uint_param::format(u64::from(on), out)
    }
}

/// `printk_cpumask`: a CPU list, as the sysctl takes it.
struct MaskParam;

impl ModuleParam for MaskParam {
    fn set(value: &[u8]) -> Result {
        if value.len() > MASK_MAX {
            return Err(EINVAL);
        }
        parse_mask(value)?;
        MASK.store(value).map_err(|_| EINVAL)
    }

    fn get(out: &mut [u8]) -> usize {
        let n = with_offload(|o| {
            // A test build may hold the instance here while the module unloads.
            crate::test_hooks::pause("param:get");
            o.show_mask(out)
        })
        .unwrap_or(0);
        if n > 0 && out[n - 1] != b'\n' && n < out.len() {
            out[n] = b'\n';
            return n + 1;
        }
        n
    }
}

module_params! {
    slice_us: TunableParam<0>, "ulong", "longest printing slice, us (100-1000000, default 20000)";
    slice_bytes: TunableParam<1>, "ulong", "largest printing slice, bytes (256-1048576, default 16384)";
    starvation_ms: TunableParam<2>, "ulong",
        "kthreads starved this long print synchronously, ms (10-60000, default 1000)";
    urgent_loglevel: TunableParam<3>, "ulong",
        "kernel records below this level print synchronously (0-8, default 5)";
    backlog_limit: TunableParam<4>, "ulong",
        "records waiting before writers wait for the console (0: automatic)";
    adaptive_placement: TunableParam<5>, "ulong", "1: the printer stays on its CPU unless it is wanted";
    irqs_on_write: TunableParam<6>, "ulong",
        "1: drivers that allow it are written with interrupts on";
    printk_cpumask: MaskParam, "charp", "CPUs whose kthreads may print (CPU list, default all)";
    emergency: EmergencyParam, "ulong", "1: load with printing synchronous (user switch)";
}

/// Gives the engine the tunables given as parameters. Before it starts.
pub(crate) fn apply_tunables(o: &Offload) {
    for (i, given) in TUNABLES.iter().enumerate() {
        let v = given.load(Ordering::Relaxed);
        if v != UNSET {
            o.tunables.set_index(i, v);
        }
    }
}

/// Applies `printk_cpumask` and `emergency` if given. Once the engine runs; process
/// context.
pub(crate) fn apply_rest(o: &Offload) -> Result {
    let mut text = [0u8; MASK_MAX];
    if let Some(n) = MASK.load(&mut text) {
        o.store_mask(&text[..n])?;
    }
    if EMERGENCY.load(Ordering::Relaxed) == 1 {
        o.set_user_emergency(true);
    }
    Ok(())
}
