// SPDX-License-Identifier: GPL-2.0

use crate::logic::slice_end::{Choice, Next, SliceEnd};
use core::cell::Cell;

const GRACE: u64 = 100;

/// `next` with a policy that answers `choice` and counts its calls.
fn step(
    end: &mut SliceEnd,
    now: u64,
    spent: bool,
    choice: Choice,
    arrived: bool,
    asked: &Cell<u32>,
) -> Next {
    end.next(
        now,
        spent,
        || {
            asked.set(asked.get() + 1);
            choice
        },
        || arrived,
    )
}

#[test]
fn prints_on_while_the_budget_lasts() {
    let asked = Cell::new(0);
    let mut end = SliceEnd::new(GRACE);
    for now in 0..10 {
        assert_eq!(
            step(&mut end, now, false, Choice::Nobody, true, &asked),
            Next::Print
        );
    }
    assert_eq!(
        asked.get(),
        0,
        "the policy is asked only once the budget is spent"
    );
}

#[test]
fn kept_slice_starts_over() {
    let asked = Cell::new(0);
    let mut end = SliceEnd::new(GRACE);
    assert_eq!(
        step(&mut end, 5, true, Choice::Keep, false, &asked),
        Next::Renew
    );
    // A renewed slice: asked again at its own end, not waiting for anybody.
    assert_eq!(
        step(&mut end, 6, false, Choice::Keep, false, &asked),
        Next::Print
    );
    assert_eq!(
        step(&mut end, 500, true, Choice::Keep, false, &asked),
        Next::Renew
    );
    assert_eq!(asked.get(), 2);
}

#[test]
fn nobody_to_invite_stops() {
    let asked = Cell::new(0);
    let mut end = SliceEnd::new(GRACE);
    assert_eq!(
        step(&mut end, 5, true, Choice::Nobody, false, &asked),
        Next::Stop
    );
}

#[test]
fn invited_prints_until_arrival() {
    let asked = Cell::new(0);
    let mut end = SliceEnd::new(GRACE);
    assert_eq!(
        step(&mut end, 10, true, Choice::Invited, false, &asked),
        Next::Print
    );
    for now in 11..10 + GRACE {
        assert_eq!(
            step(&mut end, now, true, Choice::Invited, false, &asked),
            Next::Print
        );
    }
    assert_eq!(
        step(
            &mut end,
            10 + GRACE - 1,
            true,
            Choice::Invited,
            true,
            &asked
        ),
        Next::Stop
    );
    assert_eq!(asked.get(), 1, "one invitation per slice");
}

#[test]
fn unanswered_invitation_ends_after_grace() {
    let asked = Cell::new(0);
    let mut end = SliceEnd::new(GRACE);
    assert_eq!(
        step(&mut end, 10, true, Choice::Invited, false, &asked),
        Next::Print
    );
    assert_eq!(
        step(
            &mut end,
            10 + GRACE - 1,
            true,
            Choice::Invited,
            false,
            &asked
        ),
        Next::Print
    );
    assert_eq!(
        step(&mut end, 10 + GRACE, true, Choice::Invited, false, &asked),
        Next::Stop
    );
    assert_eq!(asked.get(), 1);
}

#[test]
fn clock_going_backwards_does_not_stop_early_or_hang() {
    let asked = Cell::new(0);
    let mut end = SliceEnd::new(GRACE);
    assert_eq!(
        step(&mut end, 1000, true, Choice::Invited, false, &asked),
        Next::Print
    );
    // A clock read on another CPU, slightly behind: no underflow, still waiting.
    assert_eq!(
        step(&mut end, 990, true, Choice::Invited, false, &asked),
        Next::Print
    );
    assert_eq!(
        step(&mut end, 1000 + GRACE, true, Choice::Invited, false, &asked),
        Next::Stop
    );
}
