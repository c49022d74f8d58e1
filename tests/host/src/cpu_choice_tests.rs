// SPDX-License-Identifier: GPL-2.0

use crate::logic::cpu_choice::{choose_cpu, mostly_idle, successor, IdleSample};

fn all(_: u32) -> bool {
    true
}
fn none(_: u32) -> bool {
    false
}

#[test]
fn prefers_another_idle_cpu() {
    for from in 0..4 {
        for start in 0..8 {
            let c = choose_cpu(from, start, 4, all, none).unwrap();
            assert_ne!(c, from, "from {from} start {start}");
        }
    }
}

#[test]
fn rotates_over_eligible_cpus() {
    let picks: Vec<u32> = (0..4)
        .map(|s| choose_cpu(0, s, 4, all, none).unwrap())
        .collect();
    assert_eq!(picks, vec![1, 1, 2, 3]);
}

#[test]
fn skips_ineligible_cpus() {
    let eligible = |c: u32| c == 2 || c == 5;
    for start in 0..8 {
        let c = choose_cpu(0, start, 8, eligible, none).unwrap();
        assert!(c == 2 || c == 5);
    }
}

#[test]
fn doorbell_on_flooding_cpu_picks_an_idle_one() {
    // CPU 0 floods (busy) and rings; CPU 1 is idle.
    let busy = |c: u32| c == 0;
    assert_eq!(choose_cpu(0, 0, 2, all, busy), Some(1));
}

#[test]
fn printer_stays_rather_than_moving_onto_flooding_cpu() {
    // The printer on CPU 1 ends a slice; the only other CPU floods.
    let busy = |c: u32| c == 0;
    for start in 0..4 {
        assert_eq!(choose_cpu(1, start, 2, all, busy), Some(1));
    }
}

#[test]
fn printer_moves_to_another_idle_cpu_when_there_is_one() {
    let busy = |c: u32| c == 0;
    for start in 0..4 {
        assert_eq!(choose_cpu(1, start, 3, all, busy), Some(2));
    }
}

#[test]
fn all_busy_still_prefers_another_cpu() {
    assert_eq!(choose_cpu(0, 0, 2, all, all), Some(1));
}

#[test]
fn falls_back_to_local_cpu_only_when_alone() {
    assert_eq!(choose_cpu(3, 0, 4, |c| c == 3, none), Some(3));
    assert_eq!(choose_cpu(3, 0, 4, |c| c == 3, all), Some(3));
    assert_eq!(choose_cpu(0, 7, 1, all, all), Some(0)); // one CPU
}

#[test]
fn none_when_nothing_eligible() {
    assert_eq!(choose_cpu(1, 0, 4, none, none), None);
    assert_eq!(choose_cpu(0, 0, 0, all, none), None);
}

#[test]
fn from_outside_range_is_never_chosen() {
    assert_eq!(choose_cpu(9, 0, 4, |c| c == 9, none), None);
    assert_eq!(choose_cpu(9, 0, 4, all, none), Some(0));
}

#[test]
fn adaptive_keeps_a_cpu_nobody_else_wants() {
    for start in 0..4 {
        assert_eq!(successor(true, false, 1, start, 4, all, none, all), None);
        assert_eq!(successor(true, false, 1, start, 4, all, all, all), None);
    }
}

#[test]
fn adaptive_moves_a_wanted_printer_to_a_cpu_not_busy() {
    let busy = |c: u32| c != 3;
    for start in 0..4 {
        assert_eq!(successor(true, true, 1, start, 4, all, busy, all), Some(3));
    }
}

#[test]
fn adaptive_stays_when_every_other_cpu_is_busy() {
    let busy = |c: u32| c != 1;
    for start in 0..4 {
        assert_eq!(successor(true, true, 1, start, 4, all, busy, all), None);
        assert_eq!(successor(true, true, 1, start, 4, all, all, all), None);
    }
}

#[test]
fn adaptive_never_picks_an_ineligible_cpu() {
    let eligible = |c: u32| c == 1;
    assert_eq!(successor(true, true, 1, 0, 4, eligible, none, all), None);
    assert_eq!(successor(true, true, 0, 0, 1, all, none, all), None);
}

#[test]
fn rotation_moves_after_every_slice() {
    for start in 0..4 {
        let c = successor(false, false, 1, start, 4, all, all, all).unwrap();
        assert_ne!(c, 1);
    }
    // A single eligible CPU: nowhere to go.
    assert_eq!(successor(false, true, 0, 0, 1, all, none, all), None);
}

#[test]
fn adaptive_does_not_move_to_a_cpu_running_something_else() {
    // CPU 3 produces no messages but is not idle: two wanted CPUs would pass the printer
    // back and forth.
    let busy = |c: u32| c != 3;
    let idle = |c: u32| c != 3;
    assert_eq!(successor(true, true, 1, 0, 4, all, busy, idle), None);
    let idle = |c: u32| c == 2;
    assert_eq!(successor(true, true, 1, 0, 4, all, none, idle), Some(2));
}

fn s(idle_us: u64, at_us: u64) -> IdleSample {
    IdleSample { idle_us, at_us }
}

#[test]
fn idle_share_over_the_interval() {
    assert_eq!(mostly_idle(s(0, 0), s(10_000, 20_000)), Some(true));
    assert_eq!(mostly_idle(s(0, 0), s(9_999, 20_000)), Some(false));
    assert_eq!(mostly_idle(s(500, 0), s(500, 20_000)), Some(false));
}

#[test]
fn idle_share_needs_a_long_enough_interval() {
    assert_eq!(mostly_idle(s(0, 0), s(999, 999)), None);
    assert_eq!(mostly_idle(s(0, 5_000), s(0, 1_000)), None);
}

#[test]
fn idle_time_stepping_back_reads_as_busy() {
    assert_eq!(mostly_idle(s(9_000, 0), s(8_000, 20_000)), Some(false));
}
