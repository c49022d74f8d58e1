// SPDX-License-Identifier: GPL-2.0

//! Load and unload by type: each step of loading (a registration with the kernel, or the
//! consoles taken over) is a value that undoes the step when it is dropped. The module
//! keeps its steps as fields declared in the reverse of the order it makes them, so unload
//! is the reverse of load by construction, and a load that fails drops exactly the steps
//! it made, last first (the initialiser's drop guards).

use kernel::prelude::*;
use kernel::sync::Arc;

/// One step of loading, made on `O` (which holds the objects the kernel is given, pinned:
/// an [`Arc`] never moves its contents); undone when dropped.
///
/// # Invariants
///
/// `make` succeeded on `owner` and `undo` has not run yet. `owner` keeps what the step
/// registered alive until `undo` ran.
#[must_use = "dropping a registration undoes it at once"]
pub(crate) struct Registration<O> {
    owner: Arc<O>,
    undo: fn(&O),
}

impl<O> Registration<O> {
    /// Makes the step (`make`, which leaves nothing done when it fails) on `owner`;
    /// dropping the result undoes it (`undo`). Process context.
    pub(crate) fn new(owner: &Arc<O>, make: fn(&O) -> Result, undo: fn(&O)) -> Result<Self> {
        make(owner)?;
        // INVARIANT: `make` succeeded; `undo` runs once, on drop.
        Ok(Self {
            owner: owner.clone(),
            undo,
        })
    }
}

impl<O> Drop for Registration<O> {
    fn drop(&mut self) {
        (self.undo)(&self.owner);
    }
}
