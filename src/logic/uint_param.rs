// SPDX-License-Identifier: GPL-2.0

//! Integer sysctl values (`kernel.printk_offload.*`): one unsigned decimal number within a
//! documented range, at most one trailing newline. Anything else is rejected whole, so the
//! caller answers `-EINVAL` and changes nothing.

/// Parses `text` as a decimal number in `min..=max`.
pub(crate) fn parse_in_range(text: &[u8], min: u64, max: u64) -> Option<u64> {
    let body = text.strip_suffix(b"\n").unwrap_or(text);
    if body.is_empty() || body.len() > 20 || !body.iter().all(u8::is_ascii_digit) {
        return None;
    }
    let mut v: u64 = 0;
    for &c in body {
        v = v.checked_mul(10)?.checked_add(u64::from(c - b'0'))?;
    }
    (min..=max).contains(&v).then_some(v)
}

/// Formats `v` plus a newline into `out`; returns the length (0 if `out` is too small).
pub(crate) fn format(v: u64, out: &mut [u8]) -> usize {
    match super::decimal::write_u64(v, out) {
        Some(nd) if nd < out.len() => {
            out[nd] = b'\n';
            nd + 1
        }
        _ => 0,
    }
}
