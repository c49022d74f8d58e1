// SPDX-License-Identifier: GPL-2.0

//! When printing a hand-back's backlog stops making sense: the writers outrun the console.
//!
//! The backlog is printed in epochs. An epoch ends when every console the module prints
//! has passed the records that existed when it began; the next one begins with what is
//! owed then. An epoch that ends owing no fewer records than it began with shows that
//! records come faster than the console prints them: printing on would never catch up.

/// The current epoch of a drain.
pub(crate) struct DrainEpoch {
    /// Records owed when the epoch began.
    owed: u64,
    /// The epoch ends when the lowest console sequence number reaches this (`None`: the
    /// first look sets it).
    end: Option<u64>,
}

impl DrainEpoch {
    /// A drain that starts with `owed` records owed.
    pub(crate) fn new(owed: u64) -> Self {
        Self { owed, end: None }
    }

    /// After a record boundary: `lowest` is the lowest next record of the consoles the
    /// module prints (`None`: none), `owed` reads what they are owed now. Returns false
    /// once an epoch ended without the backlog shrinking.
    pub(crate) fn progressed(&mut self, lowest: Option<u64>, owed: impl FnOnce() -> u64) -> bool {
        let Some(low) = lowest else {
            return true;
        };
        let end = *self.end.get_or_insert(low + self.owed);
        if low < end {
            return true;
        }
        let now = owed();
        if now > 0 && now >= self.owed {
            return false;
        }
        self.owed = now;
        self.end = Some(low + now);
        true
    }
}
