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
