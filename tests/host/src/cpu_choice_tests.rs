use crate::logic::cpu_choice::choose_cpu;

#[test]
fn prefers_another_cpu() {
    for from in 0..4 {
        for start in 0..8 {
            let c = choose_cpu(from, start, 4, |_| true).unwrap();
            assert_ne!(c, from, "from {from} start {start}");
        }
    }
}

#[test]
fn rotates_over_eligible_cpus() {
    let picks: Vec<u32> = (0..4).map(|s| choose_cpu(0, s, 4, |_| true).unwrap()).collect();
    assert_eq!(picks, vec![1, 1, 2, 3]);
}

#[test]
fn skips_ineligible_cpus() {
    let eligible = |c: u32| c == 2 || c == 5;
    for start in 0..8 {
        let c = choose_cpu(0, start, 8, eligible).unwrap();
        assert!(c == 2 || c == 5);
    }
}

#[test]
fn falls_back_to_local_cpu_only_when_alone() {
    assert_eq!(choose_cpu(3, 0, 4, |c| c == 3), Some(3));
    assert_eq!(choose_cpu(0, 7, 1, |_| true), Some(0)); // one CPU
}

#[test]
fn none_when_nothing_eligible() {
    assert_eq!(choose_cpu(1, 0, 4, |_| false), None);
    assert_eq!(choose_cpu(0, 0, 0, |_| true), None);
}

#[test]
fn from_outside_range_is_never_chosen() {
    assert_eq!(choose_cpu(9, 0, 4, |c| c == 9), None);
    assert_eq!(choose_cpu(9, 0, 4, |_| true), Some(0));
}
