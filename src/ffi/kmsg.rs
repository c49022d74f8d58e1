// SPDX-License-Identifier: GPL-2.0

//! Reading the printk ring buffer at a given sequence number, through the exported,
//! lockless kmsg_dump iterator: `kmsg_dump_get_line()` reads the first valid record at or
//! after `iter.cur_seq` and leaves `cur_seq` one past it, so the record's own sequence
//! number (and with it how many records were overwritten before we got to them) is known.
//!
//! Limit: the iterator never returns records before `clear_seq`, so records that
//! `dmesg --clear` (SYSLOG_ACTION_CLEAR) cleared before a kthread printed them are skipped
//! on the consoles and counted as dropped.

use crate::bindings as b;

/// A record copied into the caller's buffer.
pub(crate) struct Record {
    /// The record's sequence number.
    pub(crate) seq: u64,
    /// Bytes of text in the buffer.
    pub(crate) len: usize,
}

/// Reads the first record at or after `seq` into `buf`, formatted as the console path
/// formats it (`record_print_text()` with `printk_time`), with syslog prefixes if `syslog`.
/// A record that does not fit is truncated exactly as the console path truncates it in a
/// buffer of the same size.
pub(crate) fn read_at(seq: u64, syslog: bool, buf: &mut [u8]) -> Option<Record> {
    let mut iter = b::kmsg_dump_iter {
        cur_seq: seq,
        next_seq: u64::MAX,
    };
    let mut len = 0usize;
    // SAFETY: `iter` and `len` are valid for writes, `buf` is valid for `buf.len()` bytes.
    let found = unsafe {
        b::kmsg_dump_get_line(
            &mut iter,
            syslog,
            buf.as_mut_ptr().cast(),
            buf.len(),
            &mut len,
        )
    };
    if !found || iter.cur_seq == 0 {
        return None;
    }
    Some(Record {
        seq: iter.cur_seq - 1,
        len: len.min(buf.len()),
    })
}

/// Whether a record exists at or after `seq` (reads no text).
pub(crate) fn has_record_from(seq: u64) -> bool {
    let mut iter = b::kmsg_dump_iter {
        cur_seq: seq,
        next_seq: u64::MAX,
    };
    // SAFETY: a null line asks only for the size of the record; `iter` is valid.
    unsafe {
        b::kmsg_dump_get_line(
            &mut iter,
            true,
            core::ptr::null_mut(),
            0,
            core::ptr::null_mut(),
        )
    }
}

/// The sequence number of the oldest record the iterator can read (the ring buffer's
/// oldest, unless `dmesg --clear` cleared up to a later one).
pub(crate) fn first_seq() -> Option<u64> {
    let mut iter = b::kmsg_dump_iter {
        cur_seq: 0,
        next_seq: u64::MAX,
    };
    // SAFETY: a null line asks only for the size of the record; `iter` is valid.
    let found = unsafe {
        b::kmsg_dump_get_line(
            &mut iter,
            true,
            core::ptr::null_mut(),
            0,
            core::ptr::null_mut(),
        )
    };
    (found && iter.cur_seq > 0).then(|| iter.cur_seq - 1)
}

/// The sequence number the next record will get (`prb_next_seq()`, through
/// `kmsg_dump_rewind()`).
pub(crate) fn next_seq() -> u64 {
    let mut iter = b::kmsg_dump_iter::default();
    // SAFETY: `iter` is valid for writes.
    unsafe { b::kmsg_dump_rewind(&mut iter) };
    iter.next_seq
}
