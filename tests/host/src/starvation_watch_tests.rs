// SPDX-License-Identifier: GPL-2.0

use crate::logic::starvation_watch::{Sample, StarvationWatch};

const LIMIT: u64 = 1000;

/// A sample: the printers' busy total, the oldest owed record, the next sequence number
/// and the time; something is owed when `oldest < next`.
fn s(busy_ms: u64, oldest: u64, next_seq: u64, now_ms: u64) -> Sample {
    Sample {
        busy_ms,
        oldest,
        pending: oldest < next_seq,
        next_seq,
        now_ms,
    }
}

#[test]
fn a_stopped_printer_is_found_within_half_the_limit_of_a_window() {
    let w = StarvationWatch::new();
    assert!(!w.sample(s(0, 10, 100, 5_000), LIMIT));
    assert!(!w.sample(s(0, 10, 100, 5_499), LIMIT));
    assert!(w.sample(s(0, 10, 120, 5_500), LIMIT));
}

#[test]
fn a_trickling_printer_is_starved() {
    // 5% of the CPU: 25 ms of printing in a 500 ms window, and the backlog moves.
    let w = StarvationWatch::new();
    w.sample(s(1_000, 10, 1_000, 0), LIMIT);
    assert!(w.sample(s(1_025, 18, 1_020, 500), LIMIT));
    // And the next window too.
    assert!(w.sample(s(1_050, 26, 1_040, 1_000), LIMIT));
}

#[test]
fn a_busy_printer_behind_a_long_backlog_is_not_starved() {
    let w = StarvationWatch::new();
    w.sample(s(0, 10, 5_000, 0), LIMIT);
    for i in 1..10 {
        // 90% of each window in record sections, 150 records a window, still behind.
        assert!(!w.sample(s(450 * i, 10 + 150 * i, 5_000, 500 * i), LIMIT));
    }
}

#[test]
fn the_boundary_is_a_quarter() {
    let w = StarvationWatch::new();
    w.sample(s(0, 10, 100, 0), LIMIT);
    assert!(!w.sample(s(125, 11, 100, 500), LIMIT));
    assert!(w.sample(s(249, 12, 100, 1_000), LIMIT));
}

/// Records that come far apart: each is printed in a few ms and the printer sleeps, but a
/// sample may still see the newest one owed. The printer printed all that was owed when
/// the window began: not starved.
#[test]
fn sparse_records_are_not_starvation() {
    let w = StarvationWatch::new();
    w.sample(s(0, 10, 11, 0), LIMIT);
    assert!(!w.sample(s(3, 11, 12, 200), LIMIT));
    assert!(!w.sample(s(6, 12, 13, 600), LIMIT));
    assert!(!w.sample(s(9, 13, 14, 1_200), LIMIT));
}

#[test]
fn one_report_per_window() {
    let w = StarvationWatch::new();
    w.sample(s(0, 10, 100, 0), LIMIT);
    assert!(w.sample(s(0, 10, 100, 500), LIMIT));
    assert!(!w.sample(s(0, 10, 100, 501), LIMIT));
    assert!(!w.sample(s(0, 10, 100, 999), LIMIT));
    assert!(w.sample(s(0, 10, 100, 1_000), LIMIT));
}

/// The printer caught up, the system was quiet for longer than the limit, then a burst
/// began: the burst's first record has waited no time at all.
#[test]
fn quiet_period_is_not_waiting() {
    let w = StarvationWatch::new();
    w.sample(s(0, 10, 11, 0), LIMIT);
    assert!(!w.sample(s(3, 11, 11, 5), LIMIT));
    assert!(!w.sample(s(3, 11, 500, 5_000), LIMIT));
    assert!(!w.sample(s(3, 11, 900, 5_400), LIMIT));
}

#[test]
fn nothing_pending_never_fires() {
    let w = StarvationWatch::new();
    for t in (0..10_000).step_by(500) {
        assert!(!w.sample(s(0, 7, 7, t), LIMIT));
    }
}

#[test]
fn disarm_restarts_timing() {
    let w = StarvationWatch::new();
    w.sample(s(0, 10, 100, 0), LIMIT);
    w.disarm();
    assert!(!w.sample(s(0, 10, 100, 700), LIMIT));
    assert!(!w.sample(s(0, 10, 100, 1_100), LIMIT));
    assert!(w.sample(s(0, 10, 100, 1_200), LIMIT));
}

/// A sampler reads the clock, then the ring; meanwhile another CPU started the window
/// with a later time (or its clock reads slightly ahead). Its sample is earlier than the
/// window: no waiting at all.
#[test]
fn sample_older_than_the_window_is_not_waiting() {
    let w = StarvationWatch::new();
    assert!(!w.sample(s(0, 7, 100, 10_000), LIMIT));
    assert!(!w.sample(s(0, 7, 100, 9_999), LIMIT));
    assert!(!w.sample(s(0, 7, 100, 9_000), LIMIT));
    assert!(w.sample(s(0, 7, 100, 10_500), LIMIT));
}

#[test]
fn sequence_numbers_above_32_bits() {
    let w = StarvationWatch::new();
    let b = (1u64 << 32) + 5;
    w.sample(s(0, b, b + 10, 0), LIMIT);
    assert!(!w.sample(s(0, b + 10, b + 20, 600), LIMIT));
    assert!(w.sample(s(0, b + 11, b + 30, 1_200), LIMIT));
}

/// Concurrent samplers: exactly one of them reports a given starved window.
#[test]
fn one_report_per_window_across_threads() {
    use std::sync::{Arc, Barrier};
    // Eight samplers released at once by a barrier, all started before any is joined, so
    // their samples really overlap; repeated, because one round may happen to serialise.
    for _ in 0..200 {
        let w = Arc::new(StarvationWatch::new());
        w.sample(s(0, 42, 100, 0), LIMIT);
        let start = Arc::new(Barrier::new(8));
        let samplers: Vec<_> = (0..8)
            .map(|_| {
                let (w, start) = (w.clone(), start.clone());
                std::thread::spawn(move || {
                    start.wait();
                    w.sample(s(0, 42, 100, 600), LIMIT) as usize
                })
            })
            .collect();
        let hits: usize = samplers.into_iter().map(|h| h.join().unwrap()).sum();
        assert!(hits <= 1);
        // A sampler that skipped saw another judging; the window was judged once.
        assert!(!w.sample(s(0, 42, 100, 601), LIMIT));
    }
}
