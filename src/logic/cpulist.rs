// SPDX-License-Identifier: GPL-2.0

//! CPU-list text (`0-3,8`), as `/proc/sys/kernel/printk_cpumask` reads and writes it.
//!
//! Accepted: comma-separated items, each a CPU number or an ascending range `a-b`, with at
//! most one trailing newline. Everything else is rejected as a whole (the caller turns it
//! into `-EINVAL` and changes nothing): empty input, stray or doubled separators, spaces,
//! signs, reversed ranges, numbers of CPUs that cannot exist (`>= nr_cpu_ids`), numbers
//! that overflow, embedded NUL bytes, and input of `MAX_INPUT` bytes or more.

/// Longest accepted input, newline included.
pub(crate) const MAX_INPUT: usize = 4095;

/// Why a CPU list was rejected.
#[derive(Debug, PartialEq, Eq, Clone, Copy)]
pub(crate) enum ParseError {
    /// Nothing but (at most) a newline.
    Empty,
    /// `MAX_INPUT` bytes or more.
    TooLong,
    /// Not the list syntax.
    Syntax,
    /// A range whose end is below its start.
    Reversed,
    /// A CPU number `>= nr_cpu_ids`.
    OutOfRange,
}

const WORD_BITS: usize = usize::BITS as usize;

/// Parses `text` into `words` (a bitmap of at least `nr_cpus` bits; words beyond are left
/// zero). `words` is written only when the whole input is valid.
pub(crate) fn parse(text: &[u8], nr_cpus: u32, words: &mut [usize]) -> Result<(), ParseError> {
    if text.len() > MAX_INPUT {
        return Err(ParseError::TooLong);
    }
    let body = text.strip_suffix(b"\n").unwrap_or(text);
    if body.is_empty() {
        return Err(ParseError::Empty);
    }
    if (nr_cpus as usize) > words.len() * WORD_BITS {
        return Err(ParseError::OutOfRange);
    }
    // First pass validates everything, second pass sets bits: no partial update.
    for_each_range(body, nr_cpus, |_, _| ())?;
    words.iter_mut().for_each(|w| *w = 0);
    for_each_range(body, nr_cpus, |a, b| {
        for cpu in a..=b {
            words[cpu as usize / WORD_BITS] |= 1 << (cpu as usize % WORD_BITS);
        }
    })
}

fn for_each_range(
    body: &[u8],
    nr_cpus: u32,
    mut f: impl FnMut(u32, u32),
) -> Result<(), ParseError> {
    for item in body.split(|&c| c == b',') {
        let mut ends = item.splitn(2, |&c| c == b'-');
        let a = number(ends.next().unwrap_or(b""))?;
        let b = match ends.next() {
            Some(end) => number(end)?,
            None => a,
        };
        if b < a {
            return Err(ParseError::Reversed);
        }
        if b >= nr_cpus {
            return Err(ParseError::OutOfRange);
        }
        f(a, b);
    }
    Ok(())
}

fn number(s: &[u8]) -> Result<u32, ParseError> {
    if s.is_empty() || s.len() > 10 || !s.iter().all(u8::is_ascii_digit) {
        return Err(ParseError::Syntax);
    }
    let mut v: u64 = 0;
    for &c in s {
        v = v * 10 + u64::from(c - b'0');
    }
    u32::try_from(v).map_err(|_| ParseError::OutOfRange)
}

/// Whether bit `cpu` is set in `words`.
pub(crate) fn test(words: &[usize], cpu: u32) -> bool {
    words
        .get(cpu as usize / WORD_BITS)
        .is_some_and(|w| w & (1 << (cpu as usize % WORD_BITS)) != 0)
}

/// Formats the CPUs below `nr_cpus` set in `words` as a CPU list plus a newline into
/// `out`; returns the length, or `None` if `out` is too small. An empty mask is `"\n"`.
pub(crate) fn format(words: &[usize], nr_cpus: u32, out: &mut [u8]) -> Option<usize> {
    let mut w = Writer { out, len: 0 };
    let mut cpu = 0;
    let mut first = true;
    while cpu < nr_cpus {
        if !test(words, cpu) {
            cpu += 1;
            continue;
        }
        let start = cpu;
        while cpu + 1 < nr_cpus && test(words, cpu + 1) {
            cpu += 1;
        }
        if !first {
            w.push(b',')?;
        }
        first = false;
        w.number(start)?;
        if cpu > start {
            w.push(b'-')?;
            w.number(cpu)?;
        }
        cpu += 1;
    }
    w.push(b'\n')?;
    Some(w.len)
}

struct Writer<'a> {
    out: &'a mut [u8],
    len: usize,
}

impl Writer<'_> {
    fn push(&mut self, c: u8) -> Option<()> {
        *self.out.get_mut(self.len)? = c;
        self.len += 1;
        Some(())
    }

    fn number(&mut self, n: u32) -> Option<()> {
        let nd = super::decimal::write_u64(u64::from(n), self.out.get_mut(self.len..)?)?;
        self.len += nd;
        Some(())
    }
}
