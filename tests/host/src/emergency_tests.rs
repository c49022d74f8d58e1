// SPDX-License-Identifier: GPL-2.0

use crate::logic::emergency::{Emergency, Reason, Switch};

#[test]
fn first_reason_enters_last_reason_leaves() {
    let e = Emergency::new();
    assert!(!e.active());
    assert_eq!(e.raise(Reason::USER), Switch::Entered);
    assert_eq!(e.raise(Reason::OOPS), Switch::None);
    assert_eq!(e.raise(Reason::USER), Switch::None);
    assert!(e.active() && e.has(Reason::USER) && e.has(Reason::OOPS));
    assert_eq!(e.clear(Reason::USER), Switch::None);
    assert!(e.active());
    assert_eq!(e.clear(Reason::OOPS), Switch::Left);
    assert!(!e.active());
    assert_eq!(e.clear(Reason::OOPS), Switch::None);
}

#[test]
fn clearing_an_absent_reason_changes_nothing() {
    let e = Emergency::new();
    assert_eq!(e.clear(Reason::NO_CPU), Switch::None);
    assert_eq!(e.raise(Reason::NO_CPU), Switch::Entered);
    assert_eq!(e.clear(Reason::SYSTEM_STATE), Switch::None);
    assert!(e.has(Reason::NO_CPU));
}

#[test]
fn names_are_distinct() {
    let names = Reason::ALL.map(Reason::name);
    assert!(!names.contains(&"unknown"));
    for (i, a) in names.iter().enumerate() {
        for b in &names[i + 1..] {
            assert_ne!(a, b);
        }
    }
}
