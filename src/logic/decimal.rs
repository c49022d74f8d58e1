// SPDX-License-Identifier: GPL-2.0

//! Unsigned decimal text without allocation or `core::fmt` (usable in any context).

/// Writes `n` in decimal at the start of `out`; returns the length, or `None` if `out` is
/// too small (20 bytes always suffice).
pub(crate) fn write_u64(n: u64, out: &mut [u8]) -> Option<usize> {
    let mut digits = [0u8; 20];
    let (mut n, mut nd) = (n, 0);
    loop {
        digits[nd] = b'0' + (n % 10) as u8;
        nd += 1;
        n /= 10;
        if n == 0 {
            break;
        }
    }
    let out = out.get_mut(..nd)?;
    for (o, d) in out.iter_mut().zip(digits[..nd].iter().rev()) {
        *o = *d;
    }
    Some(nd)
}
