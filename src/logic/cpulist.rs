// SPDX-License-Identifier: GPL-2.0

//! CPU-list text, as `/proc/sys/kernel/printk_cpumask` reads and writes it.
//!
//! Writes accept exactly what the kernel's other CPU-list knobs accept (`cpulist_parse()`,
//! i.e. `bitmap_parselist()` of 6.12 with `nr_cpu_ids` bits), with the same error codes:
//! comma- or space-separated regions, each a CPU number, a range `a-b`, or `all`,
//! optionally followed by a group pattern `:used/group` (`0-7:2/4` is `0,1,4,5`); `N`
//! stands for the last CPU id; the text ends at the end of the input, a NUL or a newline;
//! an input with no region at all is the empty mask. Errors: [`ParseError::Invalid`]
//! (`-EINVAL`) for bad syntax, a reversed range or a bad pattern; [`ParseError::Range`]
//! (`-ERANGE`) for a CPU number `>= nr_cpu_ids`; [`ParseError::Overflow`] (`-EOVERFLOW`)
//! for a number that does not fit 32 bits. Reads give the canonical list (`0-3,8`).

/// Why a CPU list was rejected (the errno `bitmap_parselist()` returns for it).
#[derive(Debug, PartialEq, Eq, Clone, Copy)]
pub(crate) enum ParseError {
    /// `-EINVAL`: not the list syntax, a reversed range or a bad group pattern.
    Invalid,
    /// `-ERANGE`: a CPU number `>= nr_cpu_ids`.
    Range,
    /// `-EOVERFLOW`: a number that does not fit in 32 bits.
    Overflow,
}

const WORD_BITS: usize = usize::BITS as usize;

/// One region of the list: bits `start..=end`, in groups of `group` bits of which the first
/// `used` are set.
#[derive(Clone, Copy)]
struct Region {
    start: u32,
    end: u32,
    used: u32,
    group: u32,
}

/// Parses `text` into `words`, a bitmap of `nr_cpus` bits (`words` must hold them; bits
/// beyond are cleared). `words` is written only when the whole input is valid.
pub(crate) fn parse(text: &[u8], nr_cpus: u32, words: &mut [usize]) -> Result<(), ParseError> {
    if nr_cpus == 0 || nr_cpus as usize > words.len() * WORD_BITS {
        return Err(ParseError::Range);
    }
    // First pass validates everything, second pass sets bits: no partial update.
    for_each_region(text, nr_cpus, |_| ())?;
    words.iter_mut().for_each(|w| *w = 0);
    for_each_region(text, nr_cpus, |r| {
        let mut start = u64::from(r.start);
        let end = u64::from(r.end);
        while start <= end {
            let n = (end - start + 1).min(u64::from(r.used));
            for cpu in start..start + n {
                words[cpu as usize / WORD_BITS] |= 1 << (cpu as usize % WORD_BITS);
            }
            start += u64::from(r.group);
        }
    })
}

/// The byte at `i`, NUL past the end (the kernel parses NUL-terminated text).
fn at(s: &[u8], i: usize) -> u8 {
    s.get(i).copied().unwrap_or(0)
}

/// The kernel's `isspace()` (lib/ctype.c), which also counts 0xA0.
fn is_space(c: u8) -> bool {
    matches!(c, b' ' | b'\t' | b'\n' | 0x0b | 0x0c | b'\r' | 0xa0)
}

fn end_of_str(c: u8) -> bool {
    c == 0 || c == b'\n'
}

fn separator(c: u8) -> bool {
    is_space(c) || c == b','
}

fn end_of_region(c: u8) -> bool {
    separator(c) || end_of_str(c)
}

/// `bitmap_parselist()`'s main loop: calls `f` for each valid region, or fails on the
/// first bad one.
fn for_each_region(s: &[u8], nbits: u32, mut f: impl FnMut(Region)) -> Result<(), ParseError> {
    let mut cur = Some(0);
    while let Some(mut i) = cur {
        while separator(at(s, i)) {
            i += 1;
        }
        if end_of_str(at(s, i)) {
            return Ok(());
        }
        let (r, next) = region(s, i, nbits - 1)?;
        if r.start > r.end || r.group == 0 || r.used > r.group {
            return Err(ParseError::Invalid);
        }
        if r.end >= nbits {
            return Err(ParseError::Range);
        }
        f(r);
        cur = next;
    }
    Ok(())
}

/// `bitmap_parse_region()`: the region at `i`, and where parsing goes on (`None`: the
/// text ended).
fn region(s: &[u8], mut i: usize, lastbit: u32) -> Result<(Region, Option<usize>), ParseError> {
    let (start, end);
    if s.len() >= i + 3 && s[i..i + 3].eq_ignore_ascii_case(b"all") {
        (start, end) = (0, lastbit);
        i += 3;
    } else {
        let (a, j) = number(s, i, lastbit)?;
        i = j;
        if end_of_region(at(s, i)) {
            return Ok((whole(a, a), (!end_of_str(at(s, i))).then_some(i)));
        }
        if at(s, i) != b'-' {
            return Err(ParseError::Invalid);
        }
        let (b, j) = number(s, i + 1, lastbit)?;
        (start, end, i) = (a, b, j);
    }
    if end_of_region(at(s, i)) {
        return Ok((whole(start, end), (!end_of_str(at(s, i))).then_some(i)));
    }
    if at(s, i) != b':' {
        return Err(ParseError::Invalid);
    }
    let (used, j) = number(s, i + 1, lastbit)?;
    if at(s, j) != b'/' {
        return Err(ParseError::Invalid);
    }
    let (group, j) = number(s, j + 1, lastbit)?;
    Ok((
        Region {
            start,
            end,
            used,
            group,
        },
        Some(j),
    ))
}

/// A region without a pattern: one group covering it (with the kernel's unsigned
/// arithmetic: `end + 1` wraps to 0 for the largest number, which is then invalid).
fn whole(start: u32, end: u32) -> Region {
    let len = end.wrapping_add(1);
    Region {
        start,
        end,
        used: len,
        group: len,
    }
}

/// `bitmap_getnum()`: a decimal number or `N` (the last bit) at `i`, and the index after it.
fn number(s: &[u8], i: usize, lastbit: u32) -> Result<(u32, usize), ParseError> {
    if at(s, i) == b'N' {
        return Ok((lastbit, i + 1));
    }
    let (mut n, mut j, mut overflow) = (0u64, i, false);
    while at(s, j).is_ascii_digit() {
        match n
            .checked_mul(10)
            .and_then(|v| v.checked_add(u64::from(at(s, j) - b'0')))
        {
            Some(v) => n = v,
            None => overflow = true,
        }
        j += 1;
    }
    if j == i {
        return Err(ParseError::Invalid);
    }
    match u32::try_from(n) {
        Ok(v) if !overflow => Ok((v, j)),
        _ => Err(ParseError::Overflow),
    }
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

/// A bound on the length of `format`'s text for `nr_cpus` CPU ids: each CPU appears in it
/// at most once, as a number and a separator.
pub(crate) fn format_len_bound(nr_cpus: u32) -> usize {
    (0..nr_cpus)
        .map(|cpu| {
            let mut digits = [0u8; 10];
            super::decimal::write_u64(u64::from(cpu), &mut digits).unwrap_or(10) + 1
        })
        .sum::<usize>()
        + 1
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
