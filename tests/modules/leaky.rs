// SPDX-License-Identifier: GPL-2.0

//! Test-only: leaks allocations on purpose when loaded. The leak test loads it first and
//! requires kmemleak to report them, so "no leak found" afterwards means kmemleak was
//! looking (the test's negative control).
//!
//! Several objects, not one: kmemleak is conservative, and a stale copy of a pointer (the
//! last one, in the exited `insmod`'s thread stack, which the kernel caches for reuse and
//! kmemleak scans as a vmalloc object) can keep an object "referenced" for a while, so a
//! control with one object would be flaky; only the last of several can linger that way.

use kernel::alloc::{flags::GFP_KERNEL, KBox};
use kernel::prelude::*;

module! {
    type: Leaky,
    name: "leaky",
    author: "rust_printk_offload developers",
    description: "Test-only module that leaks allocations (kmemleak negative control)",
    license: "GPL",
}

/// Size of each leaked object. It is filled with `Z` (0x5a), which is what the test looks
/// for in kmemleak's hex dump.
const LEAK_SIZE: usize = 3000;

/// How many objects are leaked.
const LEAK_COUNT: usize = 8;

struct Leaky;

impl kernel::Module for Leaky {
    fn init(_module: &'static ThisModule) -> Result<Self> {
        for _ in 0..LEAK_COUNT {
            let object = KBox::new([0x5au8; LEAK_SIZE], GFP_KERNEL)?;
            // Dropping the only pointer without freeing is the point of this module.
            let _ = KBox::into_raw(object);
        }
        pr_info!(
            "leaked {} objects of {} bytes on purpose (kmemleak negative control)\n",
            LEAK_COUNT,
            LEAK_SIZE
        );
        Ok(Leaky)
    }
}
