// SPDX-License-Identifier: GPL-2.0

//! Who prints the consoles: the one rule that decides it.
//!
//! The kernel prints the held consoles (by setting their `CON_ENABLED`) exactly while an
//! emergency reason holds and the consoles were handed back (`Emergency::kernel_prints`). Every change of reasons, from any context and on any CPU, is
//! followed by [`sync`], which applies the mode the reasons say and looks again: if the
//! reasons changed meanwhile, it applies again. So the last applier always checks after its
//! last write, and whatever the interleaving of raisers and clearers, the consoles end up
//! as the final reasons say (model-checked with loom in `tests/host`).
//!
//! The argument rests on read-modify-writes only: `apply` must change each console's flag
//! with one (an atomic OR or AND), and the reasons are read with one
//! (`Emergency::kernel_prints_latest`). If an applier's flag update comes after another's, it
//! reads from it, so it also sees the reasons that other applier saw, or later ones. A separate
//! "released" flag kept beside the reasons could not give that: a raise between its store
//! and a console write leaves emergency mode on with the consoles disabled.

use super::emergency::Emergency;

/// Applies the mode the reasons call for (`apply(true)`: the kernel prints) until the
/// reasons did not change while it was applied.
pub(crate) fn sync(emergency: &Emergency, mut apply: impl FnMut(bool)) {
    loop {
        let kernel_prints = emergency.kernel_prints_latest();
        apply(kernel_prints);
        if emergency.kernel_prints_latest() == kernel_prints {
            return;
        }
    }
}
