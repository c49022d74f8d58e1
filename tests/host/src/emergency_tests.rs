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

#[test]
fn raising_does_not_hand_back_until_the_backlog_is_printed() {
    let e = Emergency::new();
    assert_eq!(e.raise(Reason::URGENT), Switch::Entered);
    assert!(e.active() && e.handing_back() && !e.kernel_prints());
    assert!(e.hand_back());
    assert!(!e.handing_back() && e.kernel_prints());
    // A second reason keeps the consoles with the kernel.
    assert_eq!(e.raise(Reason::USER), Switch::None);
    assert!(e.kernel_prints());
    assert_eq!(e.clear(Reason::URGENT), Switch::None);
    assert!(e.kernel_prints());
    // The last reason cleared ends the hand-back too: the next one starts over.
    assert_eq!(e.clear(Reason::USER), Switch::Left);
    assert!(!e.kernel_prints() && !e.handing_back());
    assert_eq!(e.raise(Reason::USER), Switch::Entered);
    assert!(e.handing_back());
}

#[test]
fn no_hand_back_without_a_reason() {
    let e = Emergency::new();
    assert!(!e.hand_back());
    assert!(!e.kernel_prints());
    assert_eq!(e.raise_handed_back(Reason::PANIC), Switch::Entered);
    assert!(e.kernel_prints() && !e.handing_back());
}

#[test]
fn the_stats_name_the_reasons_that_hold() {
    let e = Emergency::new();
    assert_eq!(format!("{}", e.list()), "none");
    e.raise(Reason::USER);
    assert_eq!(format!("{}", e.list()), "USER");
    e.raise(Reason::STARVED);
    e.raise(Reason::PANIC);
    // In the order log lines name them; the hand-back bit is not a reason.
    assert!(e.hand_back());
    assert_eq!(format!("{}", e.list()), "PANIC,STARVED,USER");
    e.clear(Reason::PANIC);
    e.clear(Reason::STARVED);
    e.clear(Reason::USER);
    assert_eq!(format!("{}", e.list()), "none");
}

#[test]
fn a_kthread_takes_back_what_was_given_up() {
    let e = Emergency::new();
    assert!(!e.give_up(), "nothing to give up without a reason");
    e.raise(Reason::STARVED);
    assert!(e.handing_back());
    assert!(!e.resume_hand_back(), "nothing was given up yet");
    assert!(e.give_up());
    assert!(e.kernel_prints() && !e.handing_back() && e.given_up());
    assert!(!e.give_up(), "already the kernel's");
    assert!(e.resume_hand_back());
    assert!(e.handing_back() && !e.kernel_prints() && e.has(Reason::STARVED));
    assert!(!e.given_up());
    assert!(!e.resume_hand_back(), "taken back once");
}

#[test]
fn a_final_hand_back_is_not_taken_back() {
    let e = Emergency::new();
    e.raise(Reason::NO_CPU);
    assert!(e.give_up());
    // An oops (or panic, or the syscore paths) hands back for good.
    assert_eq!(e.raise_handed_back(Reason::OOPS), Switch::None);
    assert!(!e.resume_hand_back() && !e.given_up());
    assert!(e.kernel_prints());
    // Clearing the oops leaves NO_CPU handed back, still not to be taken back.
    e.clear(Reason::OOPS);
    assert!(!e.resume_hand_back() && e.kernel_prints());
}

#[test]
fn leaving_emergency_mode_forgets_a_give_up() {
    let e = Emergency::new();
    e.raise(Reason::STARVED);
    assert!(e.give_up());
    assert_eq!(e.clear(Reason::STARVED), Switch::Left);
    assert!(!e.resume_hand_back() && !e.active());
    e.raise(Reason::USER);
    assert!(e.handing_back() && !e.resume_hand_back());
}
