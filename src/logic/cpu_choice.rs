// SPDX-License-Identifier: GPL-2.0

//! Choosing the CPU whose kthread prints next.
//!
//! The doorbell runs on the CPU that printed, and a printer that used up its slice runs on
//! the CPU that printed last: in both cases the next printer should be *another* eligible
//! CPU, so the flooding (or the tired) CPU gets back to its own work. A rotating start
//! point spreads the printing over the eligible CPUs. Only when no other CPU qualifies is
//! the local one used; when none qualifies at all, there is no printer (the caller then
//! prints synchronously).

/// Returns the CPU that should print next.
///
/// `from` is the CPU asking, `start` a rotating hint, `nr_cpus` the number of CPU ids and
/// `eligible(cpu)` whether that CPU may print now (online, in the mask, thread running).
pub(crate) fn choose_cpu(
    from: u32,
    start: u32,
    nr_cpus: u32,
    eligible: impl Fn(u32) -> bool,
) -> Option<u32> {
    if nr_cpus == 0 {
        return None;
    }
    let start = start % nr_cpus;
    for i in 0..nr_cpus {
        let cpu = (start + i) % nr_cpus;
        if cpu != from && eligible(cpu) {
            return Some(cpu);
        }
    }
    if from < nr_cpus && eligible(from) {
        Some(from)
    } else {
        None
    }
}
