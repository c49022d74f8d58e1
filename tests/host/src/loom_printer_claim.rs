// SPDX-License-Identifier: GPL-2.0

//! Model check of the printer hand-off: a record committed while a printer releases its
//! claim is never left without a printer coming for it.

use crate::logic::printer_claim::PrinterClaim;
use loom::sync::atomic::{AtomicBool, AtomicU32, Ordering};
use loom::sync::Arc;

#[test]
fn committed_record_always_gets_a_printer() {
    loom::model(|| {
        let claim = Arc::new(PrinterClaim::new());
        // The ring buffer, reduced to "a record at the next sequence number exists".
        let record = Arc::new(AtomicBool::new(false));
        // How many times a kthread was woken for the record.
        let wakeups = Arc::new(AtomicU32::new(0));
        assert!(claim.try_claim(0)); // CPU 0's kthread is printing

        // The printk caller on CPU 1: commit (prb commits are release stores), then the
        // doorbell's irq_work runs on the same CPU.
        let doorbell = {
            let (claim, record, wakeups) = (claim.clone(), record.clone(), wakeups.clone());
            loom::thread::spawn(move || {
                record.store(true, Ordering::Release);
                if !claim.printer_will_see_new_records() {
                    wakeups.fetch_add(1, Ordering::Relaxed);
                }
            })
        };
        // The printer finishes its slice having seen no record, releases, then looks
        // again (prb reads are acquire loads).
        claim.release();
        if record.load(Ordering::Acquire) {
            wakeups.fetch_add(1, Ordering::Relaxed);
        }
        doorbell.join().unwrap();
        assert!(
            wakeups.load(Ordering::Relaxed) >= 1,
            "record left without a printer"
        );
    });
}

/// The overlapping hand-over: printer 0 invited CPU 1 and stops printing while CPU 1's
/// kthread arrives (or not) and a record is committed: the record is always printed or
/// gets a kthread woken for it, and exactly one kthread ends up holding the claim at a
/// time.
#[test]
fn hand_over_never_loses_a_record() {
    use crate::logic::printer_claim::HandOver;
    loom::model(|| {
        let claim = Arc::new(PrinterClaim::new());
        let record = Arc::new(AtomicBool::new(false));
        // Sightings: the record was read by a printer, or a kthread was woken for it.
        let handled = Arc::new(AtomicU32::new(0));
        assert!(claim.try_claim(0));
        assert!(claim.invite(1));

        let doorbell = {
            let (claim, record, handled) = (claim.clone(), record.clone(), handled.clone());
            loom::thread::spawn(move || {
                record.store(true, Ordering::Release);
                if !claim.printer_will_see_new_records() {
                    handled.fetch_add(1, Ordering::Relaxed);
                }
            })
        };
        // CPU 1's kthread: answers the invitation, or finds it withdrawn and tries to
        // claim as any kicked kthread does.
        let successor = {
            let (claim, record, handled) = (claim.clone(), record.clone(), handled.clone());
            loom::thread::spawn(move || {
                let owns = if claim.arrive(1) {
                    while !claim.owns(1) {
                        loom::thread::yield_now();
                    }
                    true
                } else {
                    claim.try_claim(1)
                };
                if owns {
                    // Print what is there, stop, then look again after handing over.
                    if record.load(Ordering::Acquire) {
                        handled.fetch_add(1, Ordering::Relaxed);
                    }
                    assert_eq!(claim.hand_over(), HandOver::Released);
                    if record.load(Ordering::Acquire) {
                        handled.fetch_add(1, Ordering::Relaxed);
                    }
                }
            })
        };
        // Printer 0 stops (having seen no record): hands over or releases and looks.
        if claim.hand_over() == HandOver::Released && record.load(Ordering::Acquire) {
            handled.fetch_add(1, Ordering::Relaxed);
        }
        doorbell.join().unwrap();
        successor.join().unwrap();
        assert!(
            handled.load(Ordering::Relaxed) >= 1,
            "record left without a printer"
        );
        assert!(claim.invite(5), "an invitation outlived the hand-over");
    });
}

/// The park protocol: CPU 1's kthread was invited and arrives, then its CPU goes offline
/// while the printer on CPU 0 stops printing. `park` waits while the claim is owed to it
/// (here: not at all, as when the printer is held up for longer than park waits), takes
/// back its arrival, and passes the claim on if it got it: in no interleaving may CPU 1 end
/// up owning the claim once it parked (a parked kthread is never woken, so nothing would
/// be printed).
#[test]
fn park_never_strands_the_claim() {
    use crate::logic::printer_claim::HandOver;
    loom::model(|| {
        let claim = Arc::new(PrinterClaim::new());
        assert!(claim.try_claim(0));
        assert!(claim.invite(1));
        let kthread1 = {
            let claim = claim.clone();
            loom::thread::spawn(move || {
                claim.arrive(1);
                // park(1), its wait for the hand-over over at once: withdraw, or wait out
                // a hand-over under way.
                if claim.awaits(1) && !claim.withdraw(1) {
                    while claim.awaits(1) {
                        loom::thread::yield_now();
                    }
                }
                if claim.owns(1) {
                    let _ = claim.hand_over();
                }
            })
        };
        // The printer on CPU 0 stops printing.
        let h = claim.hand_over();
        kthread1.join().unwrap();
        assert!(
            !claim.owns(1),
            "claim stranded on the parked CPU (printer: {:?})",
            h == HandOver::Released
        );
    });
}

/// The end-of-slice policy (`SliceEnd`, as `print_slice` runs it) over the claim: the
/// printer on CPU 0 spends its slice, invites CPU 1 and prints on, record by record, until
/// CPU 1's kthread arrives or the grace time runs out; CPU 1's kthread, kicked, arrives
/// whenever it gets to run. In every interleaving the printer stops within the grace
/// time, and before it only on seeing the arrival (a policy that stopped at once, or
/// asked twice and lost its own invitation, fails here); and the claim ends with CPU 1
/// exactly when CPU 1 arrived: never owed to a kthread that did not answer, never lost
/// by one that did.
#[test]
fn slice_end_hands_over_to_an_arrival_or_releases() {
    use crate::logic::printer_claim::HandOver;
    use crate::logic::slice_end::{Choice, Next, SliceEnd};
    // Records the printer may write while it waits for the invited kthread.
    const GRACE: u64 = 2;
    loom::model(|| {
        let claim = Arc::new(PrinterClaim::new());
        assert!(claim.try_claim(0));
        let kthread1 = {
            let claim = claim.clone();
            loom::thread::spawn(move || claim.arrive(1))
        };
        let mut end = SliceEnd::new(GRACE);
        // Time counted in records written since the budget was spent.
        let mut now = 0;
        let mut saw_arrival = false;
        let stopped_at = loop {
            let next = end.next(
                now,
                true,
                || {
                    if claim.invite(1) {
                        Choice::Invited
                    } else {
                        Choice::Nobody
                    }
                },
                || {
                    saw_arrival = claim.successor_arrived();
                    saw_arrival
                },
            );
            match next {
                Next::Print => now += 1,
                Next::Stop => break now,
                Next::Renew => panic!("the policy never keeps the slice here"),
            }
        };
        assert!(stopped_at <= GRACE, "printed past the grace time");
        assert!(
            stopped_at == GRACE || saw_arrival,
            "stopped at record {stopped_at} with nobody arrived"
        );
        let h = claim.hand_over();
        let arrived = kthread1.join().unwrap();
        match h {
            HandOver::Transferred(cpu) => {
                assert_eq!(cpu, 1);
                assert!(
                    arrived && claim.owns(1),
                    "claim given to a kthread that never arrived"
                );
            }
            HandOver::Released => assert!(!arrived && !claim.owns(1), "an arrival was dropped"),
        }
    });
}
