// SPDX-License-Identifier: GPL-2.0
//! Model check of console ownership: whatever the interleaving of a take-back (the last
//! reason cleared), a raise (a new reason) and a hand-back (the drainer caught up), the
//! consoles end up printed by the kernel exactly when a reason holds and they were handed
//! back.

use crate::logic::emergency::{Emergency, Reason, Switch};
use crate::logic::ownership::sync;
use loom::sync::atomic::{AtomicBool, Ordering};
use loom::sync::Arc;

/// Two consoles' `CON_ENABLED`, written one after the other with an atomic
/// read-modify-write, as the module does (`fetch_or`/`fetch_and` on the flags).
struct Consoles([AtomicBool; 2]);

impl Consoles {
    fn set(&self, kernel_prints: bool) {
        for c in &self.0 {
            c.swap(kernel_prints, Ordering::SeqCst);
        }
    }
    fn all(&self, v: bool) -> bool {
        self.0.iter().all(|c| c.load(Ordering::SeqCst) == v)
    }
}

#[test]
fn raise_racing_a_take_back_leaves_the_consoles_to_the_kernel() {
    loom::model(|| {
        let e = Arc::new(Emergency::new());
        let cons = Arc::new(Consoles([AtomicBool::new(true), AtomicBool::new(true)]));
        e.raise_handed_back(Reason::USER); // emergency mode on: the kernel prints
                                           // The user switch goes off (take-back) while an oops raises its reason and a
                                           // drainer hands the consoles back.
        let back = {
            let (e, cons) = (e.clone(), cons.clone());
            loom::thread::spawn(move || {
                if e.clear(Reason::USER) == Switch::Left {
                    sync(&e, |k| cons.set(k));
                }
            })
        };
        e.raise(Reason::OOPS);
        if e.handing_back() && e.hand_back() {
            sync(&e, |k| cons.set(k));
        }
        back.join().unwrap();
        assert!(e.active() && e.kernel_prints());
        assert!(
            cons.all(true),
            "emergency mode on, but a console is disabled"
        );
    });
}

#[test]
fn clear_racing_a_raise_returns_the_consoles_to_the_module() {
    loom::model(|| {
        let e = Arc::new(Emergency::new());
        let cons = Arc::new(Consoles([AtomicBool::new(false), AtomicBool::new(false)]));
        // A reason comes and goes on another CPU while this one raises and clears its own.
        let other = {
            let (e, cons) = (e.clone(), cons.clone());
            loom::thread::spawn(move || {
                if e.raise(Reason::OOPS) == Switch::Entered {
                    sync(&e, |k| cons.set(k));
                }
                if e.clear(Reason::OOPS) == Switch::Left {
                    sync(&e, |k| cons.set(k));
                }
            })
        };
        if e.raise(Reason::USER) == Switch::Entered {
            sync(&e, |k| cons.set(k));
        }
        if e.clear(Reason::USER) == Switch::Left {
            sync(&e, |k| cons.set(k));
        }
        other.join().unwrap();
        assert!(!e.active());
        assert!(
            cons.all(false),
            "no reason holds, but the kernel still prints a console"
        );
    });
}

#[test]
fn hand_back_racing_a_take_back_returns_the_consoles_to_the_module() {
    loom::model(|| {
        let e = Arc::new(Emergency::new());
        let cons = Arc::new(Consoles([AtomicBool::new(false), AtomicBool::new(false)]));
        e.raise(Reason::USER);
        // The drainer caught up and hands back while the user switch goes off.
        let drainer = {
            let (e, cons) = (e.clone(), cons.clone());
            loom::thread::spawn(move || {
                if e.handing_back() && e.hand_back() {
                    sync(&e, |k| cons.set(k));
                }
            })
        };
        if e.clear(Reason::USER) == Switch::Left {
            sync(&e, |k| cons.set(k));
        }
        drainer.join().unwrap();
        assert!(!e.active() && !e.kernel_prints());
        assert!(
            cons.all(false),
            "no reason holds, but the kernel still prints a console"
        );
    });
}

#[test]
fn resume_racing_an_oops_leaves_the_consoles_to_the_kernel() {
    loom::model(|| {
        let e = Arc::new(Emergency::new());
        let cons = Arc::new(Consoles([AtomicBool::new(false), AtomicBool::new(false)]));
        e.raise(Reason::STARVED);
        // Nobody could print the backlog: the consoles went to the kernel as they were.
        assert!(e.give_up());
        sync(&e, |k| cons.set(k));
        // A kthread runs again and takes them back while an oops hands them back for good.
        let drainer = {
            let (e, cons) = (e.clone(), cons.clone());
            loom::thread::spawn(move || {
                if e.resume_hand_back() {
                    sync(&e, |k| cons.set(k));
                }
            })
        };
        e.raise_handed_back(Reason::OOPS);
        sync(&e, |k| cons.set(k));
        drainer.join().unwrap();
        assert!(e.kernel_prints(), "the oops's hand-back was undone");
        assert!(
            cons.all(true),
            "the kernel prints, but a console is disabled"
        );
    });
}

/// A hand-over without [`sync`]: a "released" flag beside the reasons, set by `raise`, and
/// a take-back that stores it, disables the consoles, then repairs. The model finds the
/// interleaving that ends with emergency mode on and the consoles disabled, which is why
/// the rule lives in one place.
#[test]
#[should_panic(expected = "consoles disabled")]
fn separate_released_flag_loses_a_raise() {
    loom::model(|| {
        let e = Arc::new(Emergency::new());
        let released = Arc::new(AtomicBool::new(true));
        let cons = Arc::new(Consoles([AtomicBool::new(true), AtomicBool::new(true)]));
        e.raise(Reason::USER);
        let back = {
            let (e, released, cons) = (e.clone(), released.clone(), cons.clone());
            loom::thread::spawn(move || {
                if e.clear(Reason::USER) == Switch::Left {
                    // retake()
                    if !released.load(Ordering::SeqCst) || e.active() {
                        return;
                    }
                    released.store(false, Ordering::SeqCst);
                    cons.set(false);
                    if e.active() && !released.swap(true, Ordering::SeqCst) {
                        cons.set(true);
                    }
                }
            })
        };
        // raise()
        if e.raise(Reason::OOPS) == Switch::Entered {
            released.store(true, Ordering::SeqCst);
            cons.set(true);
        }
        back.join().unwrap();
        assert!(
            !(e.active() && !cons.all(true)),
            "emergency mode on, consoles disabled"
        );
    });
}
