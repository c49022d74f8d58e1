// SPDX-License-Identifier: GPL-2.0

//! Text kept in a `static`: its bytes in atomics, so that any context can store and read
//! it without a lock or an allocation (a module parameter's value, handed over before
//! init and read back by sysfs at any time; the command line a test build reads once).
//!
//! A store publishes the length after the bytes (release), a load reads the length first
//! (acquire): a load that follows a store sees all of it. A load racing a store may see
//! bytes of both: the callers either store before anything reads (load-time parameters,
//! the command line at init) or check what they read again.

use core::sync::atomic::{AtomicU8, AtomicUsize, Ordering};

/// The length while nothing was stored.
const NONE: usize = usize::MAX;

/// Text longer than the room a `StaticText` has.
#[derive(Debug, PartialEq, Eq)]
pub(crate) struct TooLong;

/// Up to `N` bytes of text, or nothing.
///
/// # Invariants
///
/// `len` is `NONE` until the first store, and at most `N` after it.
pub(crate) struct StaticText<const N: usize> {
    bytes: [AtomicU8; N],
    len: AtomicUsize,
}

impl<const N: usize> StaticText<N> {
    /// Nothing stored.
    pub(crate) const fn new() -> Self {
        Self {
            bytes: [const { AtomicU8::new(0) }; N],
            len: AtomicUsize::new(NONE),
        }
    }

    /// Replaces the text with `text`; nothing changes if it is longer than `N`.
    pub(crate) fn store(&self, text: &[u8]) -> Result<(), TooLong> {
        if text.len() > N {
            return Err(TooLong);
        }
        for (slot, &b) in self.bytes.iter().zip(text) {
            slot.store(b, Ordering::Relaxed);
        }
        // INVARIANT: `text.len() <= N`, checked above.
        self.len.store(text.len(), Ordering::Release);
        Ok(())
    }

    /// Copies the text to the start of `out` (as much as fits) and returns the bytes
    /// copied; `None` if nothing was ever stored.
    pub(crate) fn load(&self, out: &mut [u8]) -> Option<usize> {
        let n = self.len.load(Ordering::Acquire);
        if n == NONE {
            return None;
        }
        let n = n.min(out.len());
        for (b, slot) in out.iter_mut().zip(&self.bytes[..n]) {
            *b = slot.load(Ordering::Relaxed);
        }
        Some(n)
    }
}
