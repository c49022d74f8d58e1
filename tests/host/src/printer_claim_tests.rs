// SPDX-License-Identifier: GPL-2.0

use crate::logic::printer_claim::PrinterClaim;

#[test]
fn one_holder_at_a_time() {
    let c = PrinterClaim::new();
    assert!(!c.printer_will_see_new_records());
    assert!(c.try_claim(1));
    assert!(!c.try_claim(2));
    assert!(c.printer_will_see_new_records());
    c.release();
    assert!(!c.printer_will_see_new_records());
    assert!(c.try_claim(2));
}

#[test]
fn contended_claim_has_exactly_one_winner() {
    use std::sync::atomic::{AtomicU32, Ordering};
    use std::sync::Arc;
    let c = Arc::new(PrinterClaim::new());
    let wins = Arc::new(AtomicU32::new(0));
    let threads: Vec<_> = (0..8)
        .map(|i| {
            let (c, wins) = (c.clone(), wins.clone());
            std::thread::spawn(move || {
                if c.try_claim(i) {
                    wins.fetch_add(1, Ordering::Relaxed);
                }
            })
        })
        .collect();
    for t in threads {
        t.join().unwrap();
    }
    assert_eq!(wins.load(Ordering::Relaxed), 1);
}

mod hand_over {
    use crate::logic::printer_claim::{HandOver, PrinterClaim};

    #[test]
    fn without_invitation_releases() {
        let c = PrinterClaim::new();
        assert!(c.try_claim(0));
        assert_eq!(c.hand_over(), HandOver::Released);
        assert!(c.try_claim(3));
    }

    #[test]
    fn unanswered_invitation_is_withdrawn() {
        let c = PrinterClaim::new();
        assert!(c.try_claim(0));
        assert!(c.invite(1));
        assert!(!c.invite(2), "one invitation at a time");
        assert!(!c.successor_arrived());
        assert_eq!(c.hand_over(), HandOver::Released);
        assert!(!c.arrive(1), "a withdrawn invitation cannot be answered");
        assert!(c.try_claim(1));
    }

    #[test]
    fn arrived_successor_gets_the_claim_directly() {
        let c = PrinterClaim::new();
        assert!(c.try_claim(0));
        assert!(c.invite(1));
        assert!(!c.arrive(2), "only the invited CPU may answer");
        assert!(!c.awaits(1));
        assert!(c.arrive(1));
        assert!(c.awaits(1) && !c.awaits(0));
        assert!(c.successor_arrived());
        assert!(!c.owns(1));
        assert!(c.printer_will_see_new_records());
        assert_eq!(c.hand_over(), HandOver::Transferred(1));
        assert!(c.owns(1) && !c.awaits(1));
        assert!(
            c.printer_will_see_new_records(),
            "never free during a hand-over"
        );
        assert!(!c.try_claim(0));
        assert!(
            c.invite(0),
            "no invitation left: the new owner may invite in turn"
        );
    }

    #[test]
    fn racing_arrival_and_withdrawal() {
        use std::sync::Arc;
        for _ in 0..2000 {
            let c = Arc::new(PrinterClaim::new());
            assert!(c.try_claim(0));
            assert!(c.invite(1));
            let c2 = c.clone();
            let t = std::thread::spawn(move || c2.arrive(1));
            let r = c.hand_over();
            let arrived = t.join().unwrap();
            match r {
                HandOver::Transferred(1) => assert!(arrived && c.owns(1)),
                HandOver::Released => assert!(!arrived && c.try_claim(7)),
                other => panic!("unexpected {other:?}"),
            }
        }
    }
}
