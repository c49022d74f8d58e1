use crate::logic::slice_budget::SliceBudget;

#[test]
fn never_exhausted_before_first_record() {
    let b = SliceBudget::new(0, 10, 10);
    assert!(!b.exhausted(1_000_000));
}

#[test]
fn ends_on_time() {
    let mut b = SliceBudget::new(100, 50, 1 << 20);
    b.charge(1, 10);
    assert!(!b.exhausted(149));
    assert!(b.exhausted(150));
}

#[test]
fn ends_on_bytes() {
    let mut b = SliceBudget::new(0, u64::MAX, 100);
    b.charge(1, 60);
    assert!(!b.exhausted(0));
    b.charge(1, 40);
    assert!(b.exhausted(0));
}

#[test]
fn clock_going_backwards_does_not_end_slice() {
    let mut b = SliceBudget::new(1000, 10, 1 << 20);
    b.charge(1, 1);
    assert!(!b.exhausted(5));
}
