// SPDX-License-Identifier: GPL-2.0

//! Test-only: oopses when loaded (a Rust panic is a `BUG()`), killing the `insmod` process
//! and leaving the kernel running. The oops test uses it to show that the module's
//! emergency mode prints an oops synchronously, after the backlog, and then resumes
//! offloading. Never load it on a system you care about.

use kernel::prelude::*;

module! {
    type: OopsNow,
    name: "oops_now",
    author: "rust_printk_offload developers",
    description: "Test-only module whose load oopses",
    license: "GPL",
}

struct OopsNow;

/// The oops: Rust's panic handler in the kernel calls `BUG()`.
fn oops() -> ! {
    panic!("oops_now: deliberate oops for the rust_printk_offload oops test");
}

impl kernel::Module for OopsNow {
    fn init(_module: &'static ThisModule) -> Result<Self> {
        oops()
    }
}
