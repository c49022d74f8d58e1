// SPDX-License-Identifier: GPL-2.0

//! Console text as the kernel's console path makes it.
//!
//! `kmsg_dump_get_line()` formats a record exactly as `console_emit_next_record()` does
//! (`record_print_text()` with `printk_time`, truncated alike in a buffer of the same
//! size), with a syslog prefix `<N>` (`N = facility << 3 | level`) on every line when asked
//! for one: the printer reads a record once with prefixes to learn its facility and level,
//! and for the default console format drops them again (or, if that read could have been
//! cut, reads the record a second time without them). This file has the pieces that
//! remain: the prefix and its removal, the dropped-records notice and how it is
//! prepended, and the command-line switch of the console format.

/// The facility and level (0-7) of the syslog prefix `<N>` at the start of `text`.
pub(crate) fn syslog_class(text: &[u8]) -> Option<(u32, u8)> {
    let (value, _) = syslog_prefix(text)?;
    Some((value >> 3, (value & 7) as u8))
}

/// Returns the value of a `<digits>` prefix at the start of `text` and its length in bytes.
fn syslog_prefix(text: &[u8]) -> Option<(u32, usize)> {
    if text.first() != Some(&b'<') {
        return None;
    }
    let mut value: u32 = 0;
    let mut i = 1;
    while i < text.len() && text[i].is_ascii_digit() {
        value = value
            .checked_mul(10)?
            .checked_add(u32::from(text[i] - b'0'))?;
        i += 1;
    }
    if i == 1 || i >= text.len() || text[i] != b'>' {
        return None;
    }
    Some((value, i + 1))
}

/// `PRINTKRB_RECORD_MAX` (kernel/printk/internal.h): the most text a record holds.
const RECORD_MAX: usize = 1024;
/// `PRINTK_PREFIX_MAX` (kernel/printk/internal.h): the longest prefix of a line.
const PREFIX_MAX: usize = 48;

/// The longest text `record_print_text()` can make in a buffer of `buf_size` bytes that
/// is certainly not truncated. It cuts a record only where its accumulated output `len`,
/// a prefix and the record's remaining text (with newline and NUL) exceed the buffer, and
/// what it returns is at least that `len`; so an output no longer than
/// `buf_size - RECORD_MAX - PREFIX_MAX - 2` was never cut.
pub(crate) const fn untruncated_max(buf_size: usize) -> usize {
    buf_size.saturating_sub(RECORD_MAX + PREFIX_MAX + 2)
}

/// Turns a record formatted with syslog prefixes (`buf[..len]`, not truncated: see
/// `untruncated_max`) into the same record without them, in place: every line starts with
/// the same `<N>` followed by the prefix of the console format, so dropping each line's
/// `<N>` gives to the byte what `record_print_text()` makes without `syslog`. Returns the
/// new length, or `None` if a line does not start with `<N>` (then `buf` is unspecified).
pub(crate) fn strip_syslog_prefixes(buf: &mut [u8], len: usize) -> Option<usize> {
    let len = len.min(buf.len());
    let (mut read, mut written) = (0, 0);
    while read < len {
        let (_, plen) = syslog_prefix(&buf[read..len])?;
        let start = read + plen;
        let end = buf[start..len]
            .iter()
            .position(|&c| c == b'\n')
            .map_or(len, |i| start + i + 1);
        buf.copy_within(start..end, written);
        written += end - start;
        read = end;
    }
    Some(written)
}

/// Prepends `notice` to the text `buf[..len]` as the kernel's `console_prepend_message()`
/// does in its output buffer of `buf.len()` bytes: if both do not fit (with room for a
/// terminating NUL), the text is cut at the end. Returns the new length.
pub(crate) fn prepend(buf: &mut [u8], len: usize, notice: &[u8]) -> usize {
    let size = buf.len();
    let n = notice.len();
    if n + 1 >= size {
        return len.min(size);
    }
    let kept = if len + n >= size { size - (n + 1) } else { len };
    buf.copy_within(0..kept, n);
    buf[..n].copy_from_slice(notice);
    kept + n
}

/// Whether a kernel command line selects syslog-format console messages: the last
/// `console_msg_format=` before `--` says (`syslog` or `default`).
pub(crate) fn cmdline_syslog_format(cmdline: &[u8]) -> bool {
    let mut syslog = false;
    for word in cmdline.split(|c| c.is_ascii_whitespace() || *c == 0) {
        if word == b"--" {
            break;
        }
        if let Some(v) = word.strip_prefix(b"console_msg_format=") {
            let v = v.strip_prefix(b"\"").unwrap_or(v);
            let v = v.strip_suffix(b"\"").unwrap_or(v);
            if v == b"syslog" {
                syslog = true;
            } else if v == b"default" {
                syslog = false;
            }
        }
    }
    syslog
}

/// Writes the kernel's dropped-records notice, `** N printk messages dropped **\n`, into
/// `out` and returns its length (0 if `out` is too small; 64 bytes always suffice).
pub(crate) fn dropped_notice(dropped: u64, out: &mut [u8]) -> usize {
    const HEAD: &[u8] = b"** ";
    const TAIL: &[u8] = b" printk messages dropped **\n";
    let mut digits = [0u8; 20];
    let nd = super::decimal::write_u64(dropped, &mut digits).unwrap_or(0);
    let total = HEAD.len() + nd + TAIL.len();
    if out.len() < total {
        return 0;
    }
    out[..HEAD.len()].copy_from_slice(HEAD);
    out[HEAD.len()..HEAD.len() + nd].copy_from_slice(&digits[..nd]);
    out[HEAD.len() + nd..total].copy_from_slice(TAIL);
    total
}

/// The timestamp of a record formatted with `printk_time` (`[%5lu.%06lu] ` after the
/// optional syslog prefix), in nanoseconds; `None` if the text carries none.
pub(crate) fn timestamp_ns(text: &[u8]) -> Option<u64> {
    let rest = match syslog_prefix(text) {
        Some((_, plen)) => &text[plen..],
        None => text,
    };
    let rest = rest.strip_prefix(b"[")?;
    let close = rest.iter().position(|&c| c == b']')?;
    let inner = &rest[..close];
    let dot = inner.iter().position(|&c| c == b'.')?;
    let (secs, micros) = (&inner[..dot], &inner[dot + 1..]);
    let secs = secs.iter().skip_while(|&&c| c == b' ');
    let mut s: u64 = 0;
    let mut any = false;
    for &c in secs {
        if !c.is_ascii_digit() {
            return None;
        }
        s = s.checked_mul(10)?.checked_add(u64::from(c - b'0'))?;
        any = true;
    }
    if !any || micros.len() != 6 || !micros.iter().all(u8::is_ascii_digit) {
        return None;
    }
    let us = micros
        .iter()
        .fold(0u64, |a, &c| a * 10 + u64::from(c - b'0'));
    s.checked_mul(1_000_000_000)?.checked_add(us * 1000)
}
