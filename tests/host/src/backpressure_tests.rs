// SPDX-License-Identifier: GPL-2.0

use crate::logic::backpressure::{effective_limit, resume_at, step, Step};

#[test]
fn automatic_limit_is_three_quarters_of_a_wrapped_ring() {
    assert_eq!(effective_limit(0, None), 0);
    assert_eq!(effective_limit(0, Some(4096)), 3072);
    assert_eq!(effective_limit(0, Some(7)), 5);
    assert_eq!(effective_limit(0, Some(u64::MAX)), u64::MAX / 4 * 3 + 2);
}

#[test]
fn a_set_limit_wins() {
    assert_eq!(effective_limit(200, None), 200);
    assert_eq!(effective_limit(200, Some(4096)), 200);
}

#[test]
fn enters_only_above_the_limit() {
    assert_eq!(step(false, 200, 200), Step::Stay);
    assert_eq!(step(false, 201, 200), Step::Enter);
    assert_eq!(step(false, u64::MAX, 0), Step::Stay);
}

#[test]
fn leaves_a_sixteenth_below_the_limit() {
    assert_eq!(resume_at(200), 188);
    assert_eq!(step(true, 189, 200), Step::Stay);
    assert_eq!(step(true, 188, 200), Step::Leave);
    assert_eq!(step(true, 0, 200), Step::Leave);
}

#[test]
fn small_limits_still_have_a_band() {
    assert_eq!(resume_at(1), 0);
    assert_eq!(resume_at(15), 14);
    assert_eq!(step(true, 1, 1), Step::Stay);
    assert_eq!(step(true, 0, 1), Step::Leave);
}

#[test]
fn no_limit_ends_backpressure() {
    assert_eq!(step(true, 5000, 0), Step::Leave);
}

mod ring_estimate {
    use crate::logic::ring_estimate::RingEstimate;

    #[test]
    fn an_unwrapped_ring_has_no_estimate() {
        let r = RingEstimate::new();
        assert_eq!(r.observe(Some(0), 10), None);
        assert_eq!(r.observe(Some(0), 5000), None);
        assert_eq!(r.observe(None, 5000), None);
    }

    #[test]
    fn a_wrapping_ring_is_measured_by_its_span() {
        let r = RingEstimate::new();
        assert_eq!(r.observe(Some(0), 4000), None);
        // The ring holds about 4000: the first record advances as records come.
        assert_eq!(r.observe(Some(100), 4100), Some(4000));
        assert_eq!(r.observe(Some(900), 4900), Some(4000));
        assert_eq!(r.observe(Some(950), 4960), Some(4010));
    }

    #[test]
    fn looks_far_apart_still_measure_a_steady_wrap() {
        // A look every 900 records on a ring of 2000: the first record advances by less
        // than half the span each time.
        let r = RingEstimate::new();
        let mut est = None;
        for next in (0..30_000u64).step_by(900) {
            est = r.observe(Some(next.saturating_sub(2000)), next);
        }
        assert_eq!(est, Some(2000));
    }

    #[test]
    fn a_larger_ring_is_the_estimate() {
        let r = RingEstimate::new();
        assert_eq!(r.observe(Some(0), 1000), None);
        assert_eq!(r.observe(Some(10), 1010), Some(1000));
        // A later, larger span (the largest is kept).
        assert_eq!(r.observe(Some(20), 1520), Some(1500));
        assert_eq!(r.observe(Some(30), 1530), Some(1500));
    }

    #[test]
    fn a_clear_before_the_ring_wrapped_is_not_a_wrap() {
        let r = RingEstimate::new();
        assert_eq!(r.observe(Some(0), 3000), None);
        // dmesg -c: the first readable record jumps to the newest and stands still.
        assert_eq!(r.observe(Some(3000), 3000), None);
        assert_eq!(r.observe(Some(3000), 3050), None);
        assert_eq!(r.observe(Some(3000), 3900), None);
    }

    #[test]
    fn a_clear_seen_only_after_more_records_is_not_a_wrap() {
        let r = RingEstimate::new();
        assert_eq!(r.observe(Some(0), 3000), None);
        assert_eq!(r.observe(Some(3000), 3050), None);
        assert_eq!(r.observe(Some(3000), 3100), None);
    }

    #[test]
    fn a_clear_after_the_ring_wrapped_keeps_the_estimate() {
        let r = RingEstimate::new();
        r.observe(Some(0), 4000);
        assert_eq!(r.observe(Some(500), 4500), Some(4000));
        // dmesg -c: looks nearly empty, the estimate stays.
        assert_eq!(r.observe(Some(4500), 4501), Some(4000));
        assert_eq!(r.observe(Some(4500), 4600), Some(4000));
        // Wrapping again past the cleared point: measured again, no lower.
        assert_eq!(r.observe(Some(4700), 8700), Some(4000));
    }
}
