// SPDX-License-Identifier: GPL-2.0

//! The kernel state the engine reads: `oops_in_progress`, `system_state`,
//! `console_loglevel`, and the two printk settings that change what a console shows but
//! that printk does not export: the console message format (`console_msg_format=syslog`
//! on the command line) and `printk.ignore_loglevel`.
//!
//! Those two are read the way a user reads them, from `/proc/cmdline` and
//! `/sys/module/printk/parameters/ignore_loglevel`, in process context.

use crate::bindings as b;
use core::ptr::{addr_of, read_volatile};
use kernel::ffi::c_char;

/// Whether an oops is being printed (`oops_in_progress`: oops, panic, sysrq crash).
pub(crate) fn oops_in_progress() -> bool {
    // SAFETY: an exported int, read-only here.
    unsafe { read_volatile(addr_of!(b::oops_in_progress)) != 0 }
}

/// Whether the system runs normally (`system_state == SYSTEM_RUNNING`): false while
/// booting, suspending, rebooting, halting or powering off.
pub(crate) fn system_running() -> bool {
    // SAFETY: an exported enum variable, read-only here.
    unsafe { read_volatile(addr_of!(b::system_state)) == b::system_states_SYSTEM_RUNNING }
}

/// This module's `state` (`MODULE_STATE_*`); `None` when built in.
fn module_state() -> Option<kernel::bindings::module_state> {
    let m = crate::ffi::module_params::this_module();
    if m.is_null() {
        return None;
    }
    // SAFETY: `m` is this module's `struct module`, alive while its code runs; `state` is
    // an enum the loader writes with plain stores, read once here.
    Some(unsafe { read_volatile(addr_of!((*m).state)) })
}

/// Whether this module is live: loaded, and not being unloaded (`module_is_live()`, and
/// not while its init runs). Always true when built in.
pub(crate) fn module_live() -> bool {
    module_state().map_or(true, |s| {
        s == kernel::bindings::module_state_MODULE_STATE_LIVE
    })
}

/// Whether this module's init is still running (`MODULE_STATE_COMING`). Never when built
/// in.
pub(crate) fn module_loading() -> bool {
    module_state() == Some(kernel::bindings::module_state_MODULE_STATE_COMING)
}

/// `console_loglevel`: records at this level or above are not printed on consoles.
pub(crate) fn console_loglevel() -> i32 {
    // SAFETY: `console_printk` is an exported array of four ints; element 0 is the level.
    unsafe { read_volatile(addr_of!(b::console_printk).cast::<i32>()) }
}

/// Reads up to `buf.len()` bytes of a text file (a `/proc` or `/sys` file) into `buf`.
/// Process context.
fn read_file(path: &core::ffi::CStr, buf: &mut [u8]) -> Option<usize> {
    // SAFETY: `path` is a NUL-terminated string; O_RDONLY (0) needs no mode.
    let file = unsafe { b::filp_open(path.as_ptr().cast::<c_char>(), 0, 0) };
    // SAFETY: `IS_ERR` only looks at the pointer value.
    if file.is_null() || unsafe { b::IS_ERR(file.cast()) } {
        return None;
    }
    let mut pos: b::loff_t = 0;
    // SAFETY: `file` is open for reading; `buf` is valid for `buf.len()` bytes.
    let n = unsafe { b::kernel_read(file, buf.as_mut_ptr().cast(), buf.len(), &mut pos) };
    // SAFETY: opened above, closed once.
    unsafe { b::filp_close(file, core::ptr::null_mut()) };
    usize::try_from(n).ok()
}

/// Whether the kernel prints consoles in syslog format (`console_msg_format=syslog` on
/// the command line: the last such word wins, as `__setup` handlers run in order). `None`
/// if the command line cannot be read.
pub(crate) fn syslog_console_format() -> Option<bool> {
    let mut buf = [0u8; 4096];
    let n = read_cmdline(&mut buf)?;
    Some(crate::logic::record_text::cmdline_syslog_format(&buf[..n]))
}

/// Reads the kernel command line (`/proc/cmdline`) into `buf`. Process context.
pub(crate) fn read_cmdline(buf: &mut [u8]) -> Option<usize> {
    read_file(c"/proc/cmdline", buf)
}

/// `printk.ignore_loglevel` as set now (the boot parameter or a later write to the
/// module parameter). `None` if it cannot be read.
pub(crate) fn ignore_loglevel() -> Option<bool> {
    let mut buf = [0u8; 8];
    let n = read_file(c"/sys/module/printk/parameters/ignore_loglevel", &mut buf)?;
    buf[..n]
        .first()
        .map(|&c| c == b'Y' || c == b'y' || c == b'1')
}
