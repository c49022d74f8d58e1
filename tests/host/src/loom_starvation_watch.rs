// SPDX-License-Identifier: GPL-2.0
//! Model check of the starvation watch: samplers on several CPUs that all see the same
//! starved window report it at most once, and a sampler that skipped (another was judging)
//! leaves the watch able to report the next starved window.

use crate::logic::starvation_watch::{Sample, StarvationWatch};
use loom::sync::atomic::{AtomicU32, Ordering};
use loom::sync::Arc;

const LIMIT: u64 = 1_000;

fn s(busy_ms: u64, oldest: u64, next_seq: u64, now_ms: u64) -> Sample {
    Sample {
        busy_ms,
        oldest,
        pending: oldest < next_seq,
        next_seq,
        now_ms,
    }
}

#[test]
fn concurrent_samplers_report_a_starved_window_at_most_once() {
    loom::model(|| {
        let w = Arc::new(StarvationWatch::new());
        assert!(!w.sample(s(0, 42, 100, 0), LIMIT));
        let hits = Arc::new(AtomicU32::new(0));
        let other = {
            let (w, hits) = (w.clone(), hits.clone());
            loom::thread::spawn(move || {
                if w.sample(s(0, 42, 100, 600), LIMIT) {
                    hits.fetch_add(1, Ordering::Relaxed);
                }
            })
        };
        if w.sample(s(0, 42, 100, 650), LIMIT) {
            hits.fetch_add(1, Ordering::Relaxed);
        }
        other.join().unwrap();
        assert!(hits.load(Ordering::Relaxed) <= 1);
        // Whatever happened, a later starved window is reported.
        // Whatever happened, the next starved windows are reported: no sampler is left
        // holding the watch.
        assert!(w.sample(s(0, 42, 100, 1_300), LIMIT) || w.sample(s(0, 42, 100, 1_900), LIMIT));
        assert!(w.sample(s(0, 42, 100, 2_500), LIMIT) || w.sample(s(0, 42, 100, 3_100), LIMIT));
    });
}

#[test]
fn a_disarm_racing_a_sample_leaves_the_watch_usable() {
    loom::model(|| {
        let w = Arc::new(StarvationWatch::new());
        assert!(!w.sample(s(0, 42, 100, 0), LIMIT));
        let d = {
            let w = w.clone();
            loom::thread::spawn(move || w.disarm())
        };
        let _ = w.sample(s(0, 42, 100, 600), LIMIT);
        d.join().unwrap();
        // At most two samples re-arm it; then a starved window is reported.
        let _ = w.sample(s(0, 42, 100, 700), LIMIT);
        assert!(w.sample(s(0, 42, 100, 1_300), LIMIT));
    });
}
