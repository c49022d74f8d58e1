// SPDX-License-Identifier: GPL-2.0

use crate::logic::wait_histogram::{bounds, bucket, WaitHistogram, BUCKETS};

#[test]
fn every_delay_falls_within_its_buckets_bounds() {
    let mut probes = vec![0u64, 1, 2, 3, 4, 7, 8, 999, 1000, 1023, 1024, u64::MAX];
    for s in 0..64 {
        probes.extend([1u64 << s, (1u64 << s) - 1, (1u64 << s) + 1]);
    }
    for us in probes {
        let (lo, hi) = bounds(bucket(us));
        assert!(lo <= us, "{us} below bucket {}", bucket(us));
        if let Some(hi) = hi {
            assert!(us < hi, "{us} above bucket {}", bucket(us));
        }
    }
}

#[test]
fn buckets_tile_the_range_without_gaps() {
    assert_eq!(bounds(0), (0, Some(1)));
    for i in 1..BUCKETS {
        assert_eq!(bounds(i).0, bounds(i - 1).1.unwrap(), "bucket {i}");
    }
    assert_eq!(bounds(BUCKETS - 1).1, None);
    assert_eq!(bucket(0), 0);
    assert_eq!(bucket(1), 1);
    assert_eq!(bucket(1000), 10); // 512..1024 µs
    assert_eq!(bucket(u64::MAX), BUCKETS - 1);
}

#[test]
fn counts_one_per_record() {
    let h = WaitHistogram::new();
    for us in [0, 5, 6, 7, 3_000_000, u64::MAX] {
        h.record(us);
    }
    let total: u64 = (0..BUCKETS).map(|i| h.count(i)).sum();
    assert_eq!(total, 6);
    assert_eq!(h.count(bucket(5)), 3);
    assert_eq!(h.count(BUCKETS - 1), 1);
}
