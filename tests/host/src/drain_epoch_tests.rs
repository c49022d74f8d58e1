// SPDX-License-Identifier: GPL-2.0

use crate::logic::drain_epoch::DrainEpoch;

#[test]
fn a_shrinking_backlog_goes_on_epoch_after_epoch() {
    // 100 records owed from sequence 1000; the console is twice as fast as the writer.
    let mut e = DrainEpoch::new(100);
    assert!(e.progressed(Some(1000), || unreachable!()));
    assert!(e.progressed(Some(1099), || unreachable!()));
    // Epoch over at 1100: 50 stored meanwhile, fewer than 100.
    assert!(e.progressed(Some(1100), || 50));
    assert!(e.progressed(Some(1149), || unreachable!()));
    assert!(e.progressed(Some(1150), || 25));
    assert!(e.progressed(Some(1175), || 0));
}

#[test]
fn writers_that_outrun_the_console_end_the_drain() {
    let mut e = DrainEpoch::new(100);
    assert!(e.progressed(Some(500), || unreachable!()));
    // 100 printed, 100 or more stored meanwhile: printing on would never catch up.
    assert!(!e.progressed(Some(600), || 100));
    let mut e = DrainEpoch::new(100);
    assert!(e.progressed(Some(500), || unreachable!()));
    assert!(!e.progressed(Some(600), || 180));
}

#[test]
fn caught_up_is_progress_and_no_console_is_nothing_to_do() {
    let mut e = DrainEpoch::new(3);
    assert!(e.progressed(None, || unreachable!()));
    assert!(e.progressed(Some(7), || unreachable!()));
    assert!(e.progressed(Some(10), || 0));
    // Caught up, then a record stored: the consoles go back owing that one record (the
    // kernel prints it in its caller, as without the module).
    assert!(!e.progressed(Some(10), || 1));
}
