// SPDX-License-Identifier: GPL-2.0

//! The kernel's notice that a console is being unregistered.
//!
//! `unregister_console_locked()` (kernel/printk/printk.c, 6.12) first logs
//! `con_printk(KERN_INFO, console, "disabled\n")`, then flushes the console if it is usable
//! (`__pr_flush()`, up to a second at a time while it progresses), then removes it. A
//! console the module holds is not usable to the kernel (`CON_ENABLED` clear), so it would
//! be removed with its backlog unprinted; the notice is the module's one chance to have
//! it printed first. There is no notifier for it; the `console` tracepoint sees the notice's
//! text, in the unregistering task, before the console leaves the list.
//!
//! The text as the tracepoint gets it: the format's level stripped, no trailing newline,
//! `pr_fmt` "printk: ", then `[legacy ][boot]console [<name><index>] disabled`. The module
//! holds only legacy consoles that are not boot consoles: only `legacy console [` counts.
//! A record written to `/dev/kmsg` can imitate the notice; all it does is make the printer
//! print that console's backlog in one go.

/// The console name (name and index, as in `console=`) of an unregistration notice, or
/// `None` if `text` is not one.
pub(crate) fn unregistered_console(text: &[u8]) -> Option<&[u8]> {
    // Cheap rejection first: this runs for every record.
    let rest = text.strip_suffix(b"] disabled")?;
    let name = rest.strip_prefix(b"printk: legacy console [")?;
    (!name.is_empty() && !name.contains(&b']') && !name.contains(&b' ')).then_some(name)
}
