// SPDX-License-Identifier: GPL-2.0

//! The control surface under `/proc/sys` (see README.md for the table):
//!
//! | file | mode | what |
//! |---|---|---|
//! | `kernel/printk_cpumask` | 0644 | CPUs whose kthreads may print, CPU-list format |
//! | `kernel/printk_offload/emergency` | 0644 | 1: print synchronously (user switch) |
//! | `kernel/printk_offload/slice_us` | 0644 | printing slice length, 100..1000000 us |
//! | `kernel/printk_offload/slice_bytes` | 0644 | printing slice size, 256..1048576 bytes |
//! | `kernel/printk_offload/starvation_ms` | 0644 | no progress this long: print synchronously, 10..60000 ms |
//! | `kernel/printk_offload/stats` | 0444 | statistics, `name value` per line |
//!
//! Bad input gets `-EINVAL` and changes nothing.

use crate::logic::uint_param;
use crate::offload::{with_offload, SLICE_BYTES, SLICE_US, STARVATION_MS};
use crate::sysctl::{SysctlEntry, SysctlFile, SysctlTable};
use core::sync::atomic::Ordering;
use kernel::c_str;
use kernel::prelude::*;

struct CpuMask;

impl SysctlFile for CpuMask {
    fn capacity() -> usize {
        crate::logic::cpulist::format_len_bound(crate::cpus::nr_cpu_ids())
    }

    fn show(out: &mut [u8]) -> usize {
        with_offload(|o| o.show_mask(out)).unwrap_or(0)
    }

    fn store(input: &[u8]) -> Result {
        with_offload(|o| o.store_mask(input)).unwrap_or(Err(ENODEV))
    }
}

struct EmergencySwitch;

impl SysctlFile for EmergencySwitch {
    fn show(out: &mut [u8]) -> usize {
        let on = with_offload(|o| o.user_emergency()).unwrap_or(false);
        uint_param::format(on as u64, out)
    }

    fn store(input: &[u8]) -> Result {
        let on = uint_param::parse_in_range(input, 0, 1).ok_or(EINVAL)? == 1;
        with_offload(|o| o.set_user_emergency(on)).ok_or(ENODEV)
    }
}

struct SliceUs;

impl SysctlFile for SliceUs {
    fn show(out: &mut [u8]) -> usize {
        let v = with_offload(|o| o.slice_us().load(Ordering::Relaxed)).unwrap_or(0);
        uint_param::format(v, out)
    }

    fn store(input: &[u8]) -> Result {
        let v = uint_param::parse_in_range(input, SLICE_US.1, SLICE_US.2).ok_or(EINVAL)?;
        with_offload(|o| o.slice_us().store(v, Ordering::Relaxed)).ok_or(ENODEV)
    }
}

struct SliceBytes;

impl SysctlFile for SliceBytes {
    fn show(out: &mut [u8]) -> usize {
        let v = with_offload(|o| o.slice_bytes().load(Ordering::Relaxed)).unwrap_or(0);
        uint_param::format(v, out)
    }

    fn store(input: &[u8]) -> Result {
        let v = uint_param::parse_in_range(input, SLICE_BYTES.1, SLICE_BYTES.2).ok_or(EINVAL)?;
        with_offload(|o| o.slice_bytes().store(v, Ordering::Relaxed)).ok_or(ENODEV)
    }
}

struct StarvationMs;

impl SysctlFile for StarvationMs {
    fn show(out: &mut [u8]) -> usize {
        let v = with_offload(|o| o.starvation_ms().load(Ordering::Relaxed)).unwrap_or(0);
        uint_param::format(v, out)
    }

    fn store(input: &[u8]) -> Result {
        let v =
            uint_param::parse_in_range(input, STARVATION_MS.1, STARVATION_MS.2).ok_or(EINVAL)?;
        with_offload(|o| o.starvation_ms().store(v, Ordering::Relaxed)).ok_or(ENODEV)
    }
}

struct StatsFile;

impl SysctlFile for StatsFile {
    fn show(out: &mut [u8]) -> usize {
        with_offload(|o| o.show_stats(out)).unwrap_or(0)
    }

    fn store(_input: &[u8]) -> Result {
        Err(EPERM)
    }
}

/// The registered sysctl files; unregistered (waiting for running handlers) on drop.
pub(crate) struct Control {
    _offload_dir: SysctlTable,
    _cpumask: SysctlTable,
}

impl Control {
    /// Registers the files. The offload instance must be running.
    pub(crate) fn register() -> Result<Self> {
        let cpumask = SysctlTable::register(
            c_str!("kernel"),
            &[SysctlEntry::new::<CpuMask>(c_str!("printk_cpumask"), 0o644)],
        )?;
        let dir = SysctlTable::register(
            c_str!("kernel/printk_offload"),
            &[
                SysctlEntry::new::<EmergencySwitch>(c_str!("emergency"), 0o644),
                SysctlEntry::new::<SliceUs>(c_str!("slice_us"), 0o644),
                SysctlEntry::new::<SliceBytes>(c_str!("slice_bytes"), 0o644),
                SysctlEntry::new::<StarvationMs>(c_str!("starvation_ms"), 0o644),
                SysctlEntry::new::<StatsFile>(c_str!("stats"), 0o444),
            ],
        )?;
        Ok(Self {
            _offload_dir: dir,
            _cpumask: cpumask,
        })
    }
}
