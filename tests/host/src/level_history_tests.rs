// SPDX-License-Identifier: GPL-2.0
use crate::logic::level_history::{LevelHistory, SLOTS};

/// sysrq with a quiet loglevel: 4, raised to 7 for records 100 and 101, back to 4 from 102.
#[test]
fn a_brief_raise_covers_just_its_records() {
    let h = LevelHistory::new(4);
    for _ in 0..3 {
        h.observe(4, || unreachable!("no change, no boundary"));
    }
    h.observe(7, || 100);
    h.observe(7, || unreachable!());
    h.observe(4, || 102);
    assert_eq!(h.level_at(50, 4), 4);
    assert_eq!(h.level_at(99, 4), 4);
    assert_eq!(h.level_at(100, 4), 7);
    assert_eq!(h.level_at(101, 4), 7);
    assert_eq!(h.level_at(102, 4), 4);
    assert_eq!(h.level_at(5000, 4), 4);
}

#[test]
fn a_lasting_change_applies_from_its_boundary_on() {
    let h = LevelHistory::new(8);
    h.observe(1, || 10);
    assert_eq!(h.level_at(9, 1), 8);
    assert_eq!(h.level_at(10, 1), 1);
    assert_eq!(h.level_at(11, 1), 1);
}

#[test]
fn levels_are_clamped() {
    let h = LevelHistory::new(-3);
    assert_eq!(h.level_at(0, 4), 0);
    h.observe(100, || 5);
    assert_eq!(h.level_at(5, 4), 15);
}

/// With more changes than slots, the oldest are forgotten: their records get the current
/// level; the recent ones are still exact.
#[test]
fn old_changes_are_forgotten() {
    let h = LevelHistory::new(4);
    for i in 0..(SLOTS as u64 + 4) {
        h.observe(if i % 2 == 0 { 7 } else { 4 }, || 100 + i);
    }
    assert_eq!(
        h.level_at(50, 6),
        6,
        "older than everything kept: current level"
    );
    let last = 100 + SLOTS as u64 + 3;
    assert_eq!(h.level_at(last, 6), 4);
    assert_eq!(h.level_at(last - 1, 6), 7);
}

/// Changes seen on several CPUs at once: each change is recorded once, and every record
/// gets one of the levels in force around it.
#[test]
fn concurrent_observers_record_a_change_once() {
    use std::sync::atomic::{AtomicU32, Ordering};
    use std::sync::{Arc, Barrier};
    let h = Arc::new(LevelHistory::new(4));
    let boundaries = Arc::new(AtomicU32::new(0));
    let start = Arc::new(Barrier::new(4));
    let threads: Vec<_> = (0..4)
        .map(|_| {
            let (h, b, s) = (h.clone(), boundaries.clone(), start.clone());
            std::thread::spawn(move || {
                s.wait();
                h.observe(7, || {
                    b.fetch_add(1, Ordering::Relaxed);
                    200
                });
            })
        })
        .collect();
    for t in threads {
        t.join().unwrap();
    }
    assert_eq!(boundaries.load(Ordering::Relaxed), 1);
    assert_eq!(h.level_at(200, 4), 7);
    assert_eq!(h.level_at(199, 4), 4);
}
