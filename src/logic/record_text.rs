// SPDX-License-Identifier: GPL-2.0

//! Turning a record read through the kmsg_dump iterator into console text.
//!
//! `kmsg_dump_get_line(.., syslog = true, ..)` formats a record exactly as the kernel's
//! console path does (`record_print_text()` with `printk_time`), except that every line
//! starts with a syslog prefix `<N>` where `N = facility << 3 | level`. We need the level
//! (consoles skip records at or above `console_loglevel`) but consoles must not see the
//! prefix, so it is parsed once and then cut from the start of every line.

/// Parses the syslog prefix `<N>` at the start of `text` and returns the log level (0-7).
pub(crate) fn syslog_level(text: &[u8]) -> Option<u8> {
    let (value, _) = syslog_prefix(text)?;
    Some((value & 7) as u8)
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

/// Removes the syslog prefix from the start of every line of `buf[..len]`, in place, and
/// returns the new length. Lines without a prefix are left as they are.
pub(crate) fn strip_syslog_prefixes(buf: &mut [u8], len: usize) -> usize {
    let len = len.min(buf.len());
    let (mut read, mut write) = (0, 0);
    while read < len {
        if let Some((_, plen)) = syslog_prefix(&buf[read..len]) {
            read += plen;
        }
        // Copy the rest of the line, newline included.
        while read < len {
            let c = buf[read];
            buf[write] = c;
            read += 1;
            write += 1;
            if c == b'\n' {
                break;
            }
        }
    }
    write
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
