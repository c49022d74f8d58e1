// SPDX-License-Identifier: GPL-2.0
//! Model check of the doorbell: two CPUs store a record each, while no printer runs. Each
//! CPU's probe queues an irq_work before its record is committed; the work runs on that
//! CPU after the commit and wakes a printer unless one is active; a printer prints what it
//! finds, releases the claim and looks again. Every record must be printed.

use crate::logic::printer_claim::PrinterClaim;
use loom::sync::atomic::{AtomicBool, Ordering};
use loom::sync::Arc;

struct World {
    claim: PrinterClaim,
    committed: [AtomicBool; 2],
    printed: [AtomicBool; 2],
}

impl World {
    fn new() -> Self {
        Self {
            claim: PrinterClaim::new(),
            committed: [AtomicBool::new(false), AtomicBool::new(false)],
            printed: [AtomicBool::new(false), AtomicBool::new(false)],
        }
    }

    /// A kthread woken by a doorbell: prints while it holds the claim, then releases and
    /// looks again (as `finish_printing` does), going on if a record came in meanwhile.
    fn printer(&self, cpu: u32) {
        while self.claim.try_claim(cpu) {
            self.print_all();
            self.claim.release();
            if !self.unprinted() {
                return;
            }
        }
    }

    fn print_all(&self) {
        for i in 0..2 {
            if self.committed[i].load(Ordering::Acquire) {
                self.printed[i].store(true, Ordering::Relaxed);
            }
        }
    }

    fn unprinted(&self) -> bool {
        (0..2).any(|i| {
            self.committed[i].load(Ordering::Acquire) && !self.printed[i].load(Ordering::Relaxed)
        })
    }

    /// The doorbell's work, after the records it was rung for are committed.
    fn ring(&self, cpu: u32) {
        if !self.claim.printer_will_see_new_records() {
            self.printer(cpu);
        }
    }

    fn all_printed(&self) -> bool {
        self.printed.iter().all(|p| p.load(Ordering::Relaxed))
    }
}

/// Each CPU has its own irq_work: its ring always runs after its own commit.
#[test]
fn per_cpu_doorbells_print_every_record() {
    loom::model(|| {
        let w = Arc::new(World::new());
        let cpu1 = {
            let w = w.clone();
            loom::thread::spawn(move || {
                w.committed[1].store(true, Ordering::Release);
                w.ring(1);
            })
        };
        w.committed[0].store(true, Ordering::Release);
        w.ring(0);
        cpu1.join().unwrap();
        assert!(w.all_printed(), "a record was left without a printer");
    });
}

/// One irq_work shared by all CPUs: a probe that finds it pending queues nothing, and the
/// pending work may run (on the other CPU, after that CPU's commit) before this CPU
/// commits. The model finds the record left behind.
#[test]
#[should_panic(expected = "left without a printer")]
fn a_shared_doorbell_loses_a_record() {
    loom::model(|| {
        let w = Arc::new(World::new());
        let pending = Arc::new(AtomicBool::new(false));
        let cpu = |w: &World, pending: &AtomicBool, i: usize| {
            let queued = !pending.swap(true, Ordering::AcqRel); // probe, before the commit
            w.committed[i].store(true, Ordering::Release);
            if queued {
                pending.store(false, Ordering::Release);
                w.ring(i as u32);
            }
        };
        let cpu1 = {
            let (w, pending) = (w.clone(), pending.clone());
            loom::thread::spawn(move || cpu(&w, &pending, 1))
        };
        cpu(&w, &pending, 0);
        cpu1.join().unwrap();
        assert!(w.all_printed(), "a record was left without a printer");
    });
}
