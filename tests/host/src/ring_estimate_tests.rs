// SPDX-License-Identifier: GPL-2.0

//! The ring estimate: a wrapped ring is measured, a `dmesg -c` is not taken for one.

use crate::logic::ring_estimate::RingEstimate;

/// A ring of `size` records, looked at every `step` records from record `from` on, until
/// `to` records were stored: the first readable record trails `next` by `size` once `next`
/// passes it.
fn wrap(e: &RingEstimate, size: u64, step: u64, from: u64, to: u64) -> Option<u64> {
    let mut last = None;
    let mut next = from;
    while next <= to {
        last = e.observe(Some(next.saturating_sub(size)), next);
        next += step;
    }
    last
}

#[test]
fn unwrapped_ring_has_no_estimate() {
    let e = RingEstimate::new();
    // Records 0.. stored, the first still 0: nothing overwritten yet.
    for next in (0..5000).step_by(10) {
        assert_eq!(e.observe(Some(0), next), None);
    }
    assert_eq!(e.observe(None, 5000), None);
}

#[test]
fn wrapped_ring_is_measured() {
    let e = RingEstimate::new();
    assert_eq!(wrap(&e, 2000, 7, 0, 20_000), Some(2000));
}

#[test]
fn clear_does_not_shrink_the_estimate() {
    let e = RingEstimate::new();
    assert_eq!(wrap(&e, 2000, 7, 0, 20_000), Some(2000));
    // `dmesg -c` at 20 000: the first readable record jumps to the cleared point, then
    // stays there while fewer records than the ring holds come.
    let mut est = None;
    for next in (20_000..21_000).step_by(5) {
        est = e.observe(Some(20_000), next);
    }
    assert_eq!(est, Some(2000));
}

#[test]
fn clear_before_any_wrap_gives_no_estimate() {
    let e = RingEstimate::new();
    for next in (0..1000).step_by(10) {
        e.observe(Some(0), next);
    }
    // A clear at 1000 makes the first jump over everything stored: not a wrap.
    for next in (1000..1500).step_by(10) {
        assert_eq!(e.observe(Some(1000), next), None);
    }
}

#[test]
fn looks_far_apart_still_measure_a_steady_wrap() {
    let e = RingEstimate::new();
    // A look every 900 records of a 2000-record ring: the first advances by less than
    // half the span each time.
    assert_eq!(wrap(&e, 2000, 900, 0, 30_000), Some(2000));
}

#[test]
fn larger_ring_after_resize_is_kept() {
    let e = RingEstimate::new();
    assert_eq!(wrap(&e, 1000, 7, 0, 10_000), Some(1000));
    // The estimate is the largest span seen.
    assert_eq!(wrap(&e, 1500, 7, 10_000, 20_000), Some(1500));
}
