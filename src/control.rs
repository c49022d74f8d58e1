// SPDX-License-Identifier: GPL-2.0

//! The control surface under `/proc/sys` (`docs/sysctl.rst` documents each file):
//!
//! | file | mode | what |
//! |---|---|---|
//! | `kernel/printk_cpumask` | 0644 | CPUs whose kthreads may print (CPU list) |
//! | `kernel/printk_offload/emergency` | 0644 | 1: print synchronously (user switch) |
//! | `kernel/printk_offload/<tunable>` | 0644 | each entry of `tunables.rs` |
//! | `kernel/printk_offload/stats` | 0444 | statistics, `name value` per line |
//! | `kernel/printk_offload/consoles` | 0444 | one line per console: who prints it, why |
//! | `kernel/printk_offload/wait_histogram` | 0444 | store-to-write delays, log2 buckets |
//!
//! Bad input gets an error (`-EINVAL`, or what the kernel's CPU-list parser says) and
//! changes nothing.

use crate::engine::with_offload;
use crate::ffi::cpus;
use crate::ffi::sysctl::{SysctlEntry, SysctlFile, SysctlTable};
use crate::logic::{cpulist, uint_param};
use crate::tunables::{self, COUNT, KNOBS};
use kernel::c_str;
use kernel::prelude::*;

struct CpuMask;

impl SysctlFile for CpuMask {
    fn capacity() -> usize {
        cpulist::format_len_bound(cpus::nr_cpu_ids())
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
        let on = tunables::parse_switch(input)?;
        with_offload(|o| o.set_user_emergency(on)).ok_or(ENODEV)
    }
}

/// The file of tunable number `I` (`tunables::KNOBS[I]`).
struct TunableFile<const I: usize>;

impl<const I: usize> SysctlFile for TunableFile<I> {
    fn show(out: &mut [u8]) -> usize {
        let v = with_offload(|o| o.tunables.get_index(I)).unwrap_or(0);
        uint_param::format(v, out)
    }

    fn store(input: &[u8]) -> Result {
        let v = KNOBS[I].parse(input)?;
        with_offload(|o| o.tunables.set_index(I, v)).ok_or(ENODEV)
    }
}

struct StatsFile;

impl SysctlFile for StatsFile {
    fn capacity() -> usize {
        // The counters, and a `cpuN_records` line of at most 32 bytes per CPU id.
        2048 + 32 * cpus::nr_cpu_ids() as usize
    }

    fn show(out: &mut [u8]) -> usize {
        with_offload(|o| o.show_stats(out)).unwrap_or(0)
    }

    fn store(_input: &[u8]) -> Result {
        Err(EPERM)
    }
}

struct ConsolesFile;

impl SysctlFile for ConsolesFile {
    fn capacity() -> usize {
        // A header and whole lines for 32 consoles; more are counted in a last line.
        64 + crate::engine::CONSOLE_LINE_MAX * 32
    }

    fn show(out: &mut [u8]) -> usize {
        with_offload(|o| o.show_consoles(out)).unwrap_or(0)
    }

    fn store(_input: &[u8]) -> Result {
        Err(EPERM)
    }
}

struct WaitHistogramFile;

impl SysctlFile for WaitHistogramFile {
    fn show(out: &mut [u8]) -> usize {
        with_offload(|o| o.show_wait_histogram(out)).unwrap_or(0)
    }

    fn store(_input: &[u8]) -> Result {
        Err(EPERM)
    }
}

/// One file per tunable, in the order of the table; fails to compile unless the list is
/// exactly `0..COUNT` (a file type takes its index as a constant, so the list is literal).
macro_rules! tunable_entries {
    ($($i:literal),*) => {{
        const _: () = {
            let list = [$($i),*];
            assert!(list.len() == COUNT, "a tunable has no sysctl file");
            let mut k = 0;
            while k < list.len() {
                assert!(list[k] == k, "the tunable files are not 0..COUNT in order");
                k += 1;
            }
        };
        [$(SysctlEntry::new::<TunableFile<$i>>(KNOBS[$i].name, 0o644)),*]
    }};
}

/// The registered sysctl files; unregistered (waiting for running handlers) on drop.
pub(crate) struct Control {
    _offload_dir: SysctlTable,
    _cpumask: SysctlTable,
}

impl Control {
    /// Registers the files. The engine must be running.
    pub(crate) fn register() -> Result<Self> {
        let cpumask = SysctlTable::register(
            c_str!("kernel"),
            &[SysctlEntry::new::<CpuMask>(c_str!("printk_cpumask"), 0o644)],
        )?;
        let tunables = tunable_entries!(0, 1, 2, 3, 4, 5, 6);
        let mut files = KVec::with_capacity(COUNT + 4, GFP_KERNEL)?;
        files.push(
            SysctlEntry::new::<EmergencySwitch>(c_str!("emergency"), 0o644),
            GFP_KERNEL,
        )?;
        for t in tunables {
            files.push(t, GFP_KERNEL)?;
        }
        files.push(
            SysctlEntry::new::<StatsFile>(c_str!("stats"), 0o444),
            GFP_KERNEL,
        )?;
        files.push(
            SysctlEntry::new::<ConsolesFile>(c_str!("consoles"), 0o444),
            GFP_KERNEL,
        )?;
        files.push(
            SysctlEntry::new::<WaitHistogramFile>(c_str!("wait_histogram"), 0o444),
            GFP_KERNEL,
        )?;
        let dir = SysctlTable::register(c_str!("kernel/printk_offload"), &files)?;
        Ok(Self {
            _offload_dir: dir,
            _cpumask: cpumask,
        })
    }
}
