// SPDX-License-Identifier: GPL-2.0

use crate::logic::starvation_watch::StarvationWatch;

const LIMIT: u64 = 1000;

#[test]
fn fires_when_the_oldest_record_stays_pending() {
    let w = StarvationWatch::new();
    assert!(!w.sample(10, true, 5_000, LIMIT));
    assert!(!w.sample(10, true, 5_999, LIMIT));
    assert!(w.sample(10, true, 6_000, LIMIT));
}

#[test]
fn fires_once_per_limit() {
    let w = StarvationWatch::new();
    w.sample(10, true, 0, LIMIT);
    assert!(w.sample(10, true, 1_000, LIMIT));
    assert!(!w.sample(10, true, 1_001, LIMIT));
    assert!(!w.sample(10, true, 1_999, LIMIT));
    assert!(w.sample(10, true, 2_000, LIMIT));
}

#[test]
fn progress_rearms() {
    let w = StarvationWatch::new();
    w.sample(10, true, 0, LIMIT);
    // Record 10 printed at some point; 11 is now the oldest pending record.
    assert!(!w.sample(11, true, 900, LIMIT));
    assert!(!w.sample(11, true, 1_800, LIMIT));
    assert!(w.sample(11, true, 1_900, LIMIT));
}

/// The bug this replaced: the printer caught up, the system was quiet for longer than the
/// limit, then a burst began. The first record of the burst has waited no time at all.
#[test]
fn quiet_period_is_not_waiting() {
    let w = StarvationWatch::new();
    w.sample(10, true, 0, LIMIT);
    // The printer printed 10; a late doorbell sees nothing pending.
    assert!(!w.sample(11, false, 5, LIMIT));
    // Five seconds later record 11 arrives.
    assert!(!w.sample(11, true, 5_000, LIMIT));
    assert!(!w.sample(11, true, 5_500, LIMIT));
}

/// Even without a disarming sample, a quiet period ends with a new oldest record, which
/// re-arms: only a record that stays the oldest pending one counts.
#[test]
fn quiet_period_without_disarm() {
    let w = StarvationWatch::new();
    w.sample(10, true, 0, LIMIT);
    assert!(!w.sample(11, true, 5_000, LIMIT));
}

#[test]
fn nothing_pending_never_fires() {
    let w = StarvationWatch::new();
    for t in (0..10_000).step_by(500) {
        assert!(!w.sample(7, false, t, LIMIT));
    }
}

#[test]
fn disarm_restarts_timing() {
    let w = StarvationWatch::new();
    w.sample(10, true, 0, LIMIT);
    w.disarm();
    assert!(!w.sample(10, true, 1_500, LIMIT));
    assert!(w.sample(10, true, 2_500, LIMIT));
}

#[test]
fn clock_wraps() {
    let w = StarvationWatch::new();
    let t0 = u64::from(u32::MAX) - 100;
    w.sample(3, true, t0, LIMIT);
    assert!(!w.sample(3, true, t0 + 500, LIMIT));
    assert!(w.sample(3, true, t0 + 1_000, LIMIT));
}

#[test]
fn sequence_numbers_above_32_bits() {
    let w = StarvationWatch::new();
    let s = (1u64 << 32) + 5;
    w.sample(s, true, 0, LIMIT);
    assert!(!w.sample(s + 1, true, 2_000, LIMIT));
    assert!(w.sample(s + 1, true, 3_000, LIMIT));
}

/// Concurrent samplers: exactly one of them reports a given stall.
#[test]
fn one_report_per_stall_across_threads() {
    use std::sync::{Arc, Barrier};
    // Eight samplers released at once by a barrier, all started before any is joined, so
    // their samples really overlap; repeated, because one round may happen to serialise.
    for _ in 0..200 {
        let w = Arc::new(StarvationWatch::new());
        w.sample(42, true, 0, LIMIT);
        let start = Arc::new(Barrier::new(8));
        let samplers: Vec<_> = (0..8)
            .map(|_| {
                let (w, start) = (w.clone(), start.clone());
                std::thread::spawn(move || {
                    start.wait();
                    w.sample(42, true, 1_200, LIMIT) as usize
                })
            })
            .collect();
        let hits: usize = samplers.into_iter().map(|h| h.join().unwrap()).sum();
        assert_eq!(hits, 1);
    }
}

/// A sampler reads the clock, then the oldest record; meanwhile another CPU armed the watch
/// on that record with a later time (or its clock reads slightly ahead). Its sample is
/// "earlier than the arming": that is no waiting at all, not 49 days of it. (The wrapping
/// difference made such a sample fire: the benchmark's rare false starvation fallbacks.)
#[test]
fn sample_older_than_the_arming_is_not_waiting() {
    let w = StarvationWatch::new();
    assert!(!w.sample(7, true, 10_000, LIMIT));
    assert!(!w.sample(7, true, 9_999, LIMIT));
    assert!(!w.sample(7, true, 9_000, LIMIT));
    // And the watch still fires on a real stall afterwards.
    assert!(w.sample(7, true, 11_000, LIMIT));
}
