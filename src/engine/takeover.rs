// SPDX-License-Identifier: GPL-2.0

//! Taking consoles over (at load, and when the doorbell's survey finds one registered or
//! enabled since), and letting them go when they are unregistered.

use super::mode::{Ctx, ADOPT, DEPARTED, RESYNC};
use super::Offload;
use crate::ffi::console_list::{ConsoleListLock, ConsoleListReader, ConsoleName};
use crate::stats::Stats;
use kernel::prelude::*;

impl Offload {
    /// Takes over every enabled, servable console not held yet, and applies the mode to
    /// all held consoles, under `console_list_lock` (so that a console found registered
    /// stays registered meanwhile). At load, also names the consoles left to the kernel.
    /// Process context.
    pub(crate) fn take_over_consoles(&self, at_load: bool) {
        let mut taken = [ConsoleName::empty(); super::consoles::MAX_CONSOLES];
        let mut irqs_on = [false; super::consoles::MAX_CONSOLES];
        let mut left = [ConsoleName::empty(); super::consoles::MAX_CONSOLES];
        let (mut nt, mut nl) = (0, 0);
        {
            let _list = ConsoleListLock::acquire();
            let reader = ConsoleListReader::enter();
            reader.for_each(|c| {
                if self.consoles.wants_holding(&c) {
                    if self.consoles.hold(&c) && nt < taken.len() {
                        taken[nt] = c.name();
                        irqs_on[nt] = self.consoles.writes_with_irqs_on(c.addr());
                        nt += 1;
                    }
                } else if at_load && c.enabled() && !c.servable() && nl < left.len() {
                    left[nl] = c.name();
                    nl += 1;
                }
            });
            drop(reader);
            self.apply_ownership();
        }
        Stats::add(&self.stats.consoles_taken_over, nt as u64);
        for name in &left[..nl] {
            pr_info!(
                "leaving console {} to the kernel (boot, nbcon or extended)\n",
                name.as_str()
            );
        }
        for (name, &on) in taken[..nt].iter().zip(&irqs_on) {
            if on {
                pr_info!(
                    "took over console {} (its driver allows writes with interrupts on)\n",
                    name.as_str()
                );
            } else {
                pr_info!("took over console {}\n", name.as_str());
            }
        }
    }

    /// Forgets held consoles that were unregistered, announcing what they missed.
    pub(super) fn forget_departed(&self) {
        let mut gone = [(ConsoleName::empty(), 0u64); super::consoles::MAX_CONSOLES];
        let (mut n, mut departed) = (0, 0);
        {
            let _list = ConsoleListLock::acquire();
            self.consoles.forget_departed(|d| {
                departed += 1;
                // A console flushed at its notice missed nothing it was owed then.
                if !d.flushed && n < gone.len() {
                    gone[n] = (d.name, d.missed);
                    n += 1;
                }
            });
        }
        Stats::add(&self.stats.consoles_departed, departed);
        for (name, missed) in &gone[..n] {
            pr_warn!(
                "console {} was unregistered with up to {} records not printed on it\n",
                name.as_str(),
                missed
            );
        }
    }

    /// The doorbell's view of the console list: takes note of consoles to take over or
    /// forget. Returns the lowest next record of the consoles the module prints now, and
    /// of all the consoles held.
    pub(crate) fn survey_consoles(&self, ctx: Ctx) -> super::consoles::Survey {
        let survey = self.consoles.survey(self.mode.emergency.kernel_prints());
        if survey.unheld {
            self.request(ADOPT, ctx);
        }
        if survey.mismatch {
            self.request(RESYNC, ctx);
        }
        if survey.gone {
            self.request(DEPARTED, ctx);
        }
        survey
    }
}
