// SPDX-License-Identifier: GPL-2.0

//! Choosing the CPU whose kthread prints next.
//!
//! The printer burns CPU time (a slow console busy-waits), so it must not land on a CPU
//! that is busy producing the very messages it prints: that CPU is where the flood's
//! author runs, and sharing the CPU with the printer would slow it down, which is what the
//! module exists to prevent. A CPU is *busy* if its doorbell rang recently.
//!
//! In order of preference, the next printer is:
//! 1. another eligible CPU that is not busy (rotating over them to spread the work);
//! 2. the asking CPU itself, if it is eligible and not busy (a printer that finished its
//!    slice keeps going rather than moving onto a flooding CPU);
//! 3. another eligible CPU, busy or not;
//! 4. the asking CPU, busy or not.
//!
//! None when no CPU is eligible (the caller then prints synchronously).

/// Returns the CPU that should print next.
///
/// `from` is the CPU asking, `start` a rotating hint, `nr_cpus` the number of CPU ids,
/// `eligible(cpu)` whether that CPU may print now (online, in the mask, thread running)
/// and `busy(cpu)` whether it is producing printk traffic.
pub(crate) fn choose_cpu(
    from: u32,
    start: u32,
    nr_cpus: u32,
    eligible: impl Fn(u32) -> bool,
    busy: impl Fn(u32) -> bool,
) -> Option<u32> {
    if nr_cpus == 0 {
        return None;
    }
    let from_ok = from < nr_cpus && eligible(from);
    let start = start % nr_cpus;
    // `start..nr_cpus` then `0..start`, without a division in the loop (and no panic path:
    // objtool in 6.12 does not know `panic_const_rem_by_zero` never returns).
    let to_end = nr_cpus - start;
    let other = |want_idle: bool| {
        (0..nr_cpus)
            .map(|i| if i < to_end { start + i } else { i - to_end })
            .find(|&cpu| cpu != from && eligible(cpu) && !(want_idle && busy(cpu)))
    };
    other(true)
        .or_else(|| (from_ok && !busy(from)).then_some(from))
        .or_else(|| other(false))
        .or_else(|| from_ok.then_some(from))
}

/// At the end of a printing slice on `from`: the CPU to hand over to, or `None` to keep
/// printing on `from`.
///
/// Adaptive (the default): the printer keeps its CPU while no other task wants it
/// (`from_wanted` false), since moving costs a wake-up and a hand-over for nothing; when
/// another task wants it, the printer moves to an eligible CPU that is neither busy
/// (producing messages) nor running something else (`idle`), if there is one: moving
/// to a CPU that is just as wanted would only trade one task's CPU for another's, and two
/// such CPUs would pass the printer back and forth. Not adaptive: the printer moves on to
/// the next CPU `choose_cpu` gives after every slice, spreading its CPU time over the
/// CPUs.
#[allow(clippy::too_many_arguments)]
pub(crate) fn successor(
    adaptive: bool,
    from_wanted: bool,
    from: u32,
    start: u32,
    nr_cpus: u32,
    eligible: impl Fn(u32) -> bool,
    busy: impl Fn(u32) -> bool,
    idle: impl Fn(u32) -> bool,
) -> Option<u32> {
    if !adaptive {
        return choose_cpu(from, start, nr_cpus, eligible, busy).filter(|&c| c != from);
    }
    if !from_wanted {
        return None;
    }
    let host = |c: u32| c != from && eligible(c) && !busy(c) && idle(c);
    choose_cpu(from, start, nr_cpus, host, |_| false).filter(|&c| c != from)
}

/// A reading of a CPU's idle time: microseconds idle since boot, at a time in
/// microseconds.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct IdleSample {
    pub(crate) idle_us: u64,
    pub(crate) at_us: u64,
}

/// Whether a CPU was idle at least half the time between two readings; `None` if they
/// are too close together (under a millisecond) or out of order to tell.
pub(crate) fn mostly_idle(before: IdleSample, now: IdleSample) -> Option<bool> {
    let wall = now.at_us.checked_sub(before.at_us)?;
    if wall < 1000 {
        return None;
    }
    // The kernel's iowait accounting can make the idle time step back: read as not idle.
    let idle = now.idle_us.saturating_sub(before.idle_us);
    Some(idle * 2 >= wall)
}
