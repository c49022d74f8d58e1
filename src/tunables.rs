// SPDX-License-Identifier: GPL-2.0

//! The numeric tunables under `/proc/sys/kernel/printk_offload/`, each declared once here:
//! its file name, default, accepted range and meaning. The sysctl files are generated from
//! this table (`control.rs`); the engine reads the values through [`Tunables`].

use crate::logic::uint_param;
use core::sync::atomic::{AtomicU64, Ordering};
use kernel::c_str;
use kernel::error::{code::EINVAL, Result};
use kernel::str::CStr;

/// A tunable's declaration.
pub(crate) struct Knob {
    /// File name under `/proc/sys/kernel/printk_offload/`.
    pub(crate) name: &'static CStr,
    /// Value at load.
    pub(crate) default: u64,
    /// Smallest accepted value.
    pub(crate) min: u64,
    /// Largest accepted value.
    pub(crate) max: u64,
}

impl Knob {
    /// Parses a value written for this tunable (a sysctl write or a module parameter):
    /// a decimal number in range, or `EINVAL`.
    pub(crate) fn parse(&self, text: &[u8]) -> Result<u64> {
        uint_param::parse_in_range(text, self.min, self.max).ok_or(EINVAL)
    }
}

/// Parses an on/off switch (`emergency`): `0` or `1`, or `EINVAL`.
pub(crate) fn parse_switch(text: &[u8]) -> Result<bool> {
    Ok(uint_param::parse_in_range(text, 0, 1).ok_or(EINVAL)? == 1)
}

/// Declares the tunables from one list: the [`Tunable`] index, [`COUNT`] and [`KNOBS`], so
/// that they cannot drift apart (docs/sysctl.rst and README are checked against `KNOBS` by
/// `scripts/docs-check.py`).
macro_rules! tunables {
    ($($(#[doc = $doc:literal])+ $variant:ident: $name:literal, default $default:expr,
        range $min:expr, $max:expr;)*) => {
        /// Index of each tunable in [`KNOBS`].
        #[derive(Clone, Copy)]
        pub(crate) enum Tunable {
            $($(#[doc = $doc])+ $variant,)*
        }

        /// Number of tunables.
        pub(crate) const COUNT: usize = [$(Tunable::$variant),*].len();

        /// The declarations, indexed by [`Tunable`].
        pub(crate) const KNOBS: [Knob; COUNT] = [$(Knob {
            name: c_str!($name),
            default: $default,
            min: $min,
            max: $max,
        },)*];

        const _: () = {
            $(assert!($min <= $default && $default <= $max, "a default outside its range");)*
        };
    };
}

tunables! {
    /// A printing slice lasts at most this long, in microseconds, but holds at least
    /// `slice_budget::MIN_RECORDS` records; at its end the printer decides whether to hand
    /// over to another CPU (`AdaptivePlacement`). 20 ms: shorter slices hand over more
    /// often, and the console waits for each successor.
    SliceUs: "slice_us", default 20_000, range 100, 1_000_000;
    /// A printing slice writes at most this many bytes.
    SliceBytes: "slice_bytes", default 16_384, range 256, 1_048_576;
    /// If the oldest unprinted record stays unprinted this long, in milliseconds, printk()
    /// callers print synchronously until a kthread runs again. Well under the soft-lockup
    /// (20 s) and RCU stall (21 s) thresholds.
    StarvationMs: "starvation_ms", default 1_000, range 10, 60_000;
    /// Kernel records with a level below this (0: none; the default 5 covers KERN_EMERG
    /// to KERN_WARNING: WARN, oops, lockdep, RCU stall and hung-task reports) are printed
    /// synchronously, with the backlog before them, by the CPU that stored them.
    UrgentLoglevel: "urgent_loglevel", default 5, range 0, 8;
    /// Backpressure: when this many records wait for the consoles the module prints,
    /// printk() callers print synchronously (as without the module) until a sixteenth fewer
    /// wait, so that writers cannot outrun the console until the ring buffer overwrites
    /// records the console never got. 0 (the default): three quarters of the records the
    /// ring buffer holds, once it has wrapped (before, no record the consoles still need
    /// can be overwritten).
    BacklogLimit: "backlog_limit", default 0, range 0, 1 << 24;
    /// 1 (the default): at the end of a slice the printer keeps its CPU unless another
    /// task wants that CPU and an eligible CPU not producing messages can take over
    /// (`logic/cpu_choice.rs`); 0: it moves to the next eligible CPU after every slice.
    AdaptivePlacement: "adaptive_placement", default 1, range 0, 1;
    /// 1 (the default): consoles whose drivers protect themselves from interrupts
    /// (`logic/irq_safe_write.rs`) are written with interrupts on, preemption off; 0: every
    /// console is written with interrupts off, as the kernel writes legacy consoles.
    IrqsOnWrite: "irqs_on_write", default 1, range 0, 1;
}

/// The current values.
pub(crate) struct Tunables([AtomicU64; COUNT]);

impl Tunables {
    /// Every tunable at its default.
    pub(crate) fn new() -> Self {
        Self(core::array::from_fn(|i| AtomicU64::new(KNOBS[i].default)))
    }

    /// The value of `t`.
    pub(crate) fn get(&self, t: Tunable) -> u64 {
        self.0[t as usize].load(Ordering::Relaxed)
    }

    /// The value of tunable number `i`.
    pub(crate) fn get_index(&self, i: usize) -> u64 {
        self.0[i].load(Ordering::Relaxed)
    }

    /// Sets tunable number `i` (the caller checked the range).
    pub(crate) fn set_index(&self, i: usize, v: u64) {
        self.0[i].store(v, Ordering::Relaxed);
    }
}
