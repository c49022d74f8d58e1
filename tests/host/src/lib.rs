// SPDX-License-Identifier: GPL-2.0

//! Host build of rust_printk_offload's pure logic (`src/logic/`, the very files the kernel
//! module compiles), with its unit tests. `RUSTFLAGS="--cfg loom" cargo test --release
//! loom` model-checks the printer hand-off with loom's atomics instead of core's.

// Not everything the kernel uses is used by every test build.
#![allow(dead_code)]

/// The atomics the logic uses: loom's under `--cfg loom`, core's otherwise.
mod atomic {
    #[cfg(not(loom))]
    pub(crate) use core::sync::atomic::{AtomicU32, AtomicU64, Ordering};
    #[cfg(loom)]
    pub(crate) use loom::sync::atomic::{AtomicU32, AtomicU64, Ordering};
}

#[path = "../../../src/logic/mod.rs"]
mod logic;

#[cfg(all(test, not(loom)))]
mod backpressure_tests;
#[cfg(all(test, not(loom)))]
mod console_notice_tests;
#[cfg(all(test, not(loom)))]
mod console_report_tests;
#[cfg(all(test, not(loom)))]
mod cpu_choice_tests;
#[cfg(all(test, not(loom)))]
mod cpulist_tests;
#[cfg(all(test, not(loom)))]
mod drain_epoch_tests;
#[cfg(all(test, not(loom)))]
mod emergency_tests;
#[cfg(all(test, not(loom)))]
mod irq_safe_write_tests;
#[cfg(all(test, not(loom)))]
mod level_history_tests;
#[cfg(all(test, loom))]
mod loom_doorbell;
#[cfg(all(test, loom))]
mod loom_ownership;
#[cfg(all(test, loom))]
mod loom_printer_claim;
#[cfg(all(test, loom))]
mod loom_starvation_watch;
#[cfg(all(test, not(loom)))]
mod printer_claim_tests;
#[cfg(all(test, not(loom)))]
mod record_text_tests;
#[cfg(all(test, not(loom)))]
mod slice_budget_tests;
#[cfg(all(test, not(loom)))]
mod slice_end_tests;
#[cfg(all(test, not(loom)))]
mod starvation_watch_tests;
#[cfg(all(test, not(loom)))]
mod static_text_tests;
#[cfg(all(test, not(loom)))]
mod uint_param_tests;
#[cfg(all(test, not(loom)))]
mod wait_histogram_tests;
