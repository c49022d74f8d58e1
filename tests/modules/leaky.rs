// SPDX-License-Identifier: GPL-2.0

//! Test-only: leaks one allocation on purpose when loaded. The leak test loads it first
//! and requires kmemleak to report the object, so "no leak found" afterwards means
//! kmemleak was looking (the test's negative control).

use kernel::alloc::{flags::GFP_KERNEL, KBox};
use kernel::prelude::*;

module! {
    type: Leaky,
    name: "leaky",
    author: "rust_printk_offload developers",
    description: "Test-only module that leaks one allocation (kmemleak negative control)",
    license: "GPL",
}

/// Size of the leaked object. It is filled with `Z` (0x5a), which is what the test looks
/// for in kmemleak's hex dump.
const LEAK_SIZE: usize = 3000;

struct Leaky;

impl kernel::Module for Leaky {
    fn init(_module: &'static ThisModule) -> Result<Self> {
        let object = KBox::new([0x5au8; LEAK_SIZE], GFP_KERNEL)?;
        // Dropping the only pointer without freeing is the point of this module.
        let _ = KBox::into_raw(object);
        pr_info!(
            "leaked {} bytes on purpose (kmemleak negative control)\n",
            LEAK_SIZE
        );
        Ok(Leaky)
    }
}
