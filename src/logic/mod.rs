// SPDX-License-Identifier: GPL-2.0

//! Pure logic of the module: no kernel dependency, so the host crate under `tests/host`
//! compiles these same files and unit-tests them with `cargo test` (and `loom`).
//!
//! The parent module provides `atomic` (core's atomics in the kernel, loom's in model checks).

pub(crate) mod backpressure;
pub(crate) mod console_notice;
pub(crate) mod console_report;
pub(crate) mod cpu_choice;
pub(crate) mod cpulist;
pub(crate) mod decimal;
pub(crate) mod drain_epoch;
pub(crate) mod emergency;
pub(crate) mod irq_safe_write;
pub(crate) mod level_history;
pub(crate) mod ownership;
pub(crate) mod printer_claim;
pub(crate) mod record_text;
pub(crate) mod ring_estimate;
pub(crate) mod slice_budget;
pub(crate) mod slice_end;
pub(crate) mod starvation_watch;
pub(crate) mod static_text;
pub(crate) mod uint_param;
pub(crate) mod wait_histogram;
