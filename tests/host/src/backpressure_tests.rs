// SPDX-License-Identifier: GPL-2.0

use crate::logic::backpressure::{effective_limit, resume_at, step, Step};

#[test]
fn automatic_limit_is_three_quarters_of_a_wrapped_ring() {
    assert_eq!(effective_limit(0, None), 0);
    assert_eq!(effective_limit(0, Some(4096)), 3072);
    assert_eq!(effective_limit(0, Some(7)), 5);
    assert_eq!(effective_limit(0, Some(u64::MAX)), u64::MAX / 4 * 3 + 2);
}

#[test]
fn a_set_limit_wins() {
    assert_eq!(effective_limit(200, None), 200);
    assert_eq!(effective_limit(200, Some(4096)), 200);
}

#[test]
fn enters_only_above_the_limit() {
    assert_eq!(step(false, 200, 200), Step::Stay);
    assert_eq!(step(false, 201, 200), Step::Enter);
    assert_eq!(step(false, u64::MAX, 0), Step::Stay);
}

#[test]
fn leaves_a_sixteenth_below_the_limit() {
    assert_eq!(resume_at(200), 188);
    assert_eq!(step(true, 189, 200), Step::Stay);
    assert_eq!(step(true, 188, 200), Step::Leave);
    assert_eq!(step(true, 0, 200), Step::Leave);
}

#[test]
fn small_limits_still_have_a_band() {
    assert_eq!(resume_at(1), 0);
    assert_eq!(resume_at(15), 14);
    assert_eq!(step(true, 1, 1), Step::Stay);
    assert_eq!(step(true, 0, 1), Step::Leave);
}

#[test]
fn no_limit_ends_backpressure() {
    assert_eq!(step(true, 5000, 0), Step::Leave);
}
