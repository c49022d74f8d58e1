// SPDX-License-Identifier: GPL-2.0

use crate::logic::slice_budget::{SliceBudget, MIN_RECORDS};

#[test]
fn never_exhausted_before_the_fewest_records() {
    let mut b = SliceBudget::new(0, 10, 10);
    assert!(!b.exhausted(1_000_000));
    // A slow console: every record outlasts the time and byte bounds.
    for _ in 1..MIN_RECORDS {
        b.charge(1, 100);
        assert!(!b.exhausted(1_000_000));
    }
    b.charge(1, 100);
    assert!(b.exhausted(1_000_000));
}

#[test]
fn ends_on_time() {
    let mut b = SliceBudget::new(100, 50, 1 << 20);
    b.charge(MIN_RECORDS, 10);
    assert!(!b.exhausted(149));
    assert!(b.exhausted(150));
}

#[test]
fn ends_on_bytes() {
    let mut b = SliceBudget::new(0, u64::MAX, 100);
    b.charge(MIN_RECORDS, 60);
    assert!(!b.exhausted(0));
    b.charge(1, 40);
    assert!(b.exhausted(0));
}

#[test]
fn clock_going_backwards_does_not_end_slice() {
    let mut b = SliceBudget::new(1000, 10, 1 << 20);
    b.charge(MIN_RECORDS, 1);
    assert!(!b.exhausted(5));
}

#[test]
fn wanted_at_least_half_the_looks() {
    let mut b = SliceBudget::new(0, 10, 10);
    assert!(!b.cpu_wanted());
    b.note_wanted(true);
    assert!(b.cpu_wanted());
    b.note_wanted(false);
    assert!(b.cpu_wanted());
    b.note_wanted(false);
    assert!(!b.cpu_wanted());
}

#[test]
fn a_passing_kthread_does_not_make_the_cpu_wanted() {
    let mut b = SliceBudget::new(0, 10, 10);
    for i in 0..7 {
        b.note_wanted(i == 3);
    }
    assert!(!b.cpu_wanted());
}
