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
        assert!(wakeups.load(Ordering::Relaxed) >= 1, "record left without a printer");
    });
}
