use crate::logic::cpu_choice::choose_cpu;

fn all(_: u32) -> bool {
    true
}
fn none(_: u32) -> bool {
    false
}

#[test]
fn prefers_another_idle_cpu() {
    for from in 0..4 {
        for start in 0..8 {
            let c = choose_cpu(from, start, 4, all, none).unwrap();
            assert_ne!(c, from, "from {from} start {start}");
        }
    }
}

#[test]
fn rotates_over_eligible_cpus() {
    let picks: Vec<u32> = (0..4)
        .map(|s| choose_cpu(0, s, 4, all, none).unwrap())
        .collect();
    assert_eq!(picks, vec![1, 1, 2, 3]);
}

#[test]
fn skips_ineligible_cpus() {
    let eligible = |c: u32| c == 2 || c == 5;
    for start in 0..8 {
        let c = choose_cpu(0, start, 8, eligible, none).unwrap();
        assert!(c == 2 || c == 5);
    }
}

#[test]
fn doorbell_on_flooding_cpu_picks_an_idle_one() {
    // CPU 0 floods (busy) and rings; CPU 1 is idle.
    let busy = |c: u32| c == 0;
    assert_eq!(choose_cpu(0, 0, 2, all, busy), Some(1));
}

#[test]
fn printer_stays_rather_than_moving_onto_flooding_cpu() {
    // The printer on CPU 1 ends a slice; the only other CPU floods.
    let busy = |c: u32| c == 0;
    for start in 0..4 {
        assert_eq!(choose_cpu(1, start, 2, all, busy), Some(1));
    }
}

#[test]
fn printer_moves_to_another_idle_cpu_when_there_is_one() {
    let busy = |c: u32| c == 0;
    for start in 0..4 {
        assert_eq!(choose_cpu(1, start, 3, all, busy), Some(2));
    }
}

#[test]
fn all_busy_still_prefers_another_cpu() {
    assert_eq!(choose_cpu(0, 0, 2, all, all), Some(1));
}

#[test]
fn falls_back_to_local_cpu_only_when_alone() {
    assert_eq!(choose_cpu(3, 0, 4, |c| c == 3, none), Some(3));
    assert_eq!(choose_cpu(3, 0, 4, |c| c == 3, all), Some(3));
    assert_eq!(choose_cpu(0, 7, 1, all, all), Some(0)); // one CPU
}

#[test]
fn none_when_nothing_eligible() {
    assert_eq!(choose_cpu(1, 0, 4, none, none), None);
    assert_eq!(choose_cpu(0, 0, 0, all, none), None);
}

#[test]
fn from_outside_range_is_never_chosen() {
    assert_eq!(choose_cpu(9, 0, 4, |c| c == 9, none), None);
    assert_eq!(choose_cpu(9, 0, 4, all, none), Some(0));
}
