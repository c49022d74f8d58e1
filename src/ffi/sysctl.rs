// SPDX-License-Identifier: GPL-2.0

//! Adapter over the kernel's sysctl tables: a file under `/proc/sys` is a type that can
//! show its whole content and take a whole write ([`SysctlFile`]); the C handler, the
//! buffer and offset bookkeeping live here.
//!
//! Writes must come in one piece (`*ppos == 0`), as `echo` and `sysctl -w` do; a rejected
//! write returns the file's error (`-EINVAL` for bad input) and changes nothing.
//!
//! Reads likewise: the content is made afresh on every read(), so the first read gets all
//! of it (up to its buffer) and any read at a later offset gets end-of-file, as the kernel's
//! own `proc_dointvec()` does. Serving later offsets would hand a reader the tail of a newer,
//! possibly longer content (the statistics change all the time) glued to the head of an
//! older one: torn lines.

use crate::bindings as b;
use core::ffi::{c_int, c_void};
use kernel::alloc::{flags::GFP_KERNEL, KVec};
use kernel::prelude::*;
use kernel::str::CStr;

/// Largest content a file shows unless it says otherwise.
const SHOW_MAX: usize = 4096;

/// One file under `/proc/sys`.
pub(crate) trait SysctlFile {
    /// The largest content `show` writes.
    fn capacity() -> usize {
        SHOW_MAX
    }
    /// Writes the whole content into `out` (of `capacity()` bytes) and returns its length.
    fn show(out: &mut [u8]) -> usize;
    /// Takes a whole write; on error nothing may have changed.
    fn store(input: &[u8]) -> Result;
}

/// The C side of a [`SysctlFile`]: the `proc_handler` of its table entry.
///
/// # Safety
///
/// Called only by the sysctl core (`proc_sys_call_handler()`), in process context, with
/// `buffer` a kernel buffer of `*lenp` bytes (the user's data for a write, room for the
/// content for a read), and `lenp` and `ppos` valid and not accessed by anyone else until
/// this returns.
unsafe extern "C" fn handler<T: SysctlFile>(
    _table: *const b::ctl_table,
    write: c_int,
    buffer: *mut c_void,
    lenp: *mut usize,
    ppos: *mut kernel::bindings::loff_t,
) -> c_int {
    // SAFETY: by the function's safety contract, `buffer` holds `*lenp` bytes and both
    // pointers are valid and exclusively ours for the call; nothing else aliases them.
    let (buf, lenp, ppos) = unsafe {
        (
            core::slice::from_raw_parts_mut(buffer.cast::<u8>(), *lenp),
            &mut *lenp,
            &mut *ppos,
        )
    };
    transfer::<T>(write != 0, buf, lenp, ppos)
}

/// The handler's work on safe references: `buf` is the caller's buffer, `*lenp` the bytes
/// moved, `*ppos` the file offset.
fn transfer<T: SysctlFile>(
    write: bool,
    buf: &mut [u8],
    lenp: &mut usize,
    ppos: &mut kernel::bindings::loff_t,
) -> c_int {
    if write {
        if *ppos != 0 {
            return EINVAL.to_errno();
        }
        return match T::store(buf) {
            Ok(()) => {
                *ppos += buf.len() as kernel::bindings::loff_t;
                0
            }
            Err(e) => e.to_errno(),
        };
    }
    if *ppos != 0 {
        // End of file: see the module documentation.
        *lenp = 0;
        return 0;
    }
    let cap = T::capacity();
    let mut content = match KVec::from_elem(0u8, cap, GFP_KERNEL) {
        Ok(v) => v,
        Err(_) => return ENOMEM.to_errno(),
    };
    let count = T::show(&mut content).min(cap).min(buf.len());
    buf[..count].copy_from_slice(&content[..count]);
    *lenp = count;
    *ppos += count as kernel::bindings::loff_t;
    0
}

/// A file to register: its name, mode and handler.
pub(crate) struct SysctlEntry {
    name: &'static CStr,
    mode: u16,
    handler: unsafe extern "C" fn(
        *const b::ctl_table,
        c_int,
        *mut c_void,
        *mut usize,
        *mut kernel::bindings::loff_t,
    ) -> c_int,
}

impl SysctlEntry {
    /// The file `name` with permissions `mode`, served by `T`.
    pub(crate) fn new<T: SysctlFile>(name: &'static CStr, mode: u16) -> Self {
        Self {
            name,
            mode,
            handler: handler::<T>,
        }
    }
}

/// A registered directory of sysctl files; unregistered on drop.
///
/// # Invariants
///
/// `header` is the non-null result of `register_sysctl_sz()` for `table`, which stays
/// allocated (and unmoved: a `KVec`'s buffer) until `header` is unregistered.
pub(crate) struct SysctlTable {
    header: *mut b::ctl_table_header,
    _table: KVec<b::ctl_table>,
}

// SAFETY: the header is only used to unregister, which may happen on any thread.
unsafe impl Send for SysctlTable {}
// SAFETY: no shared-reference access at all.
unsafe impl Sync for SysctlTable {}

impl SysctlTable {
    /// Registers `entries` under `/proc/sys/<path>`.
    pub(crate) fn register(path: &'static CStr, entries: &[SysctlEntry]) -> Result<Self> {
        let mut table = KVec::with_capacity(entries.len(), GFP_KERNEL)?;
        for e in entries {
            table.push(
                b::ctl_table {
                    procname: e.name.as_char_ptr(),
                    mode: e.mode,
                    proc_handler: Some(e.handler),
                    ..Default::default()
                },
                GFP_KERNEL,
            )?;
        }
        // SAFETY: `table` holds `len` initialised entries and outlives the registration
        // (type invariant); `path` is a static C string.
        let header =
            unsafe { b::register_sysctl_sz(path.as_char_ptr(), table.as_mut_ptr(), table.len()) };
        if header.is_null() {
            return Err(ENOMEM);
        }
        Ok(Self {
            header,
            _table: table,
        })
    }
}

impl Drop for SysctlTable {
    fn drop(&mut self) {
        // SAFETY: registered in `register()`; this waits for running handlers to finish.
        unsafe { b::unregister_sysctl_table(self.header) };
    }
}
