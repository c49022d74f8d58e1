// SPDX-License-Identifier: GPL-2.0
use crate::logic::cpulist::{format, format_len_bound, parse, test, ParseError};

const NR: u32 = 16;

fn parsed(s: &[u8]) -> Result<Vec<u32>, ParseError> {
    parsed_n(s, NR)
}

fn parsed_n(s: &[u8], nbits: u32) -> Result<Vec<u32>, ParseError> {
    let mut words = [0usize; 2048 / usize::BITS as usize];
    parse(s, nbits, &mut words)?;
    Ok((0..nbits).filter(|&c| test(&words, c)).collect())
}

fn formatted(cpus: &[u32]) -> String {
    let mut words = [0usize; 1];
    for &c in cpus {
        words[0] |= 1 << c;
    }
    let mut out = [0u8; 128];
    let n = format(&words, NR, &mut out).unwrap();
    String::from_utf8(out[..n].to_vec()).unwrap()
}

/// The bits of a 64-bit constant, as `BITMAP_FROM_U64()` in lib/test_bitmap.c.
fn bits(v: u64) -> Vec<u32> {
    (0..64).filter(|&b| v & (1 << b) != 0).collect()
}

/// `parselist_tests[]` of the kernel's lib/test_bitmap.c (6.12): input, number of bits and
/// expected result, so the module accepts exactly what `bitmap_parselist()` accepts.
#[test]
fn kernel_test_bitmap_vectors() {
    use ParseError::*;
    let exp1: [u64; 15] = [
        1,
        2,
        0x0000ffff,
        0xffff0000,
        0x55555555,
        0xaaaaaaaa,
        0x11111111,
        0x22222222,
        0xffffffff,
        0xfffffffe,
        0x3333333311111111,
        0xffffffff77777777,
        0,
        0x00008000,
        0x80000000,
    ];
    let ok: &[(&[u8], u32, usize)] = &[
        (b"0", 8, 0),
        (b"1", 8, 1),
        (b"0-15", 32, 2),
        (b"16-31", 32, 3),
        (b"0-31:1/2", 32, 4),
        (b"1-31:1/2", 32, 5),
        (b"0-31:1/4", 32, 6),
        (b"1-31:1/4", 32, 7),
        (b"0-31:4/4", 32, 8),
        (b"1-31:4/4", 32, 9),
        (b"0-31:1/4,32-63:2/4", 64, 10),
        (b"0-31:3/4,32-63:4/4", 64, 11),
        (b"  ,,  0-31:3/4  ,, 32-63:4/4  ,,  ", 64, 11),
        (b"", 8, 12),
        (b"\n", 8, 12),
        (b",,  ,,  , ,  ,", 8, 12),
        (b" ,  ,,  , ,   ", 8, 12),
        (b" ,  ,,  , ,   \n", 8, 12),
        (b"0-0", 32, 0),
        (b"1-1", 32, 1),
        (b"15-15", 32, 13),
        (b"31-31", 32, 14),
        (b"0-0:0/1", 32, 12),
        (b"0-0:1/1", 32, 0),
        (b"0-0:1/31", 32, 0),
        (b"0-0:31/31", 32, 0),
        (b"1-1:1/1", 32, 1),
        (b"0-15:16/31", 32, 2),
        (b"15-15:1/2", 32, 13),
        (b"15-15:31/31", 32, 13),
        (b"15-31:1/31", 32, 13),
        (b"16-31:16/31", 32, 3),
        (b"31-31:31/31", 32, 14),
        (b"N-N", 32, 14),
        (b"0-0:1/N", 32, 0),
        (b"0-0:N/N", 32, 0),
        (b"0-15:16/N", 32, 2),
        (b"15-15:N/N", 32, 13),
        (b"15-N:1/N", 32, 13),
        (b"16-N:16/N", 32, 3),
        (b"N-N:N/N", 32, 14),
        (b"0-N:1/3,1-N:1/3,2-N:1/3", 32, 8),
        (b"0-31:1/3,1-31:1/3,2-31:1/3", 32, 8),
        (b"1-10:8/12,8-31:24/29,0-31:0/3", 32, 9),
        (b"all", 32, 8),
        (b"0, 1, all,  ", 32, 8),
        (b"all:1/2", 32, 4),
        (b"ALL:1/2", 32, 4),
    ];
    for &(input, nbits, e) in ok {
        assert_eq!(
            parsed_n(input, nbits),
            Ok(bits(exp1[e]).into_iter().filter(|&b| b < nbits).collect()),
            "{:?}",
            String::from_utf8_lossy(input)
        );
    }
    // exp2: 128 bits.
    let mut exp2 = bits(0x3333333311111111);
    exp2.extend(bits(0xffffffff77777777).into_iter().map(|b| b + 64));
    assert_eq!(
        parsed_n(b"0-31:1/4,32-63:2/4,64-95:3/4,96-127:4/4", 128),
        Ok(exp2)
    );
    assert_eq!(parsed_n(b"0-2047:128/256", 2048).unwrap().len(), 8 * 128);
    let bad: &[(&[u8], u32, ParseError)] = &[
        (b"al", 8, Invalid),
        (b"alll", 8, Invalid),
        (b"-1", 8, Invalid),
        (b"-0", 8, Invalid),
        (b"10-1", 8, Invalid),
        (b"8-8", 8, Range),
        (b"0-31", 8, Range),
        (b"0-31:", 32, Invalid),
        (b"0-31:0", 32, Invalid),
        (b"0-31:0/", 32, Invalid),
        (b"0-31:0/0", 32, Invalid),
        (b"0-31:1/0", 32, Invalid),
        (b"0-31:10/1", 32, Invalid),
        (b"0-98765432123456789:10/1", 8, Overflow),
        (b"a-31", 8, Invalid),
        (b"0-a1", 8, Invalid),
        (b"a-31:10/1", 8, Invalid),
        (b"0-31:a/1", 8, Invalid),
        (b"0-\n", 8, Invalid),
    ];
    for &(input, nbits, e) in bad {
        assert_eq!(
            parsed_n(input, nbits),
            Err(e),
            "{:?}",
            String::from_utf8_lossy(input)
        );
    }
}

#[test]
fn text_ends_at_nul_or_newline() {
    assert_eq!(parsed(b"1\0garbage"), Ok(vec![1]));
    assert_eq!(parsed(b"1\n2"), Ok(vec![1]));
    assert_eq!(parsed(b"5\n"), Ok(vec![5]));
    assert_eq!(parsed(b"007"), Ok(vec![7]));
    assert_eq!(parsed(b"1,1,0-1"), Ok(vec![0, 1]));
    // The kernel's `end + 1` wraps for the largest number: a zero group, -EINVAL.
    assert_eq!(parsed(b"4294967295"), Err(ParseError::Invalid));
    assert_eq!(parsed(b"4294967294"), Err(ParseError::Range));
    assert_eq!(parsed(b"4294967296"), Err(ParseError::Overflow));
    assert_eq!(parsed(b"+1"), Err(ParseError::Invalid));
    assert_eq!(parsed(b"1;2"), Err(ParseError::Invalid));
}

#[test]
fn rejection_leaves_mask_untouched() {
    let mut words = [0b1010usize; 1];
    assert_eq!(parse(b"0-3,99", NR, &mut words), Err(ParseError::Range));
    assert_eq!(words[0], 0b1010);
}

#[test]
fn format_compresses_ranges() {
    assert_eq!(formatted(&[0, 1, 2, 3, 8]), "0-3,8\n");
    assert_eq!(formatted(&[0, 2, 4]), "0,2,4\n");
    assert_eq!(formatted(&[15]), "15\n");
    assert_eq!(formatted(&[]), "\n");
    assert_eq!(formatted(&(0..16).collect::<Vec<_>>()), "0-15\n");
}

#[test]
fn format_reports_small_buffer() {
    let words = [0xffffusize];
    let mut out = [0u8; 3];
    assert_eq!(format(&words, NR, &mut out), None);
}

/// The buffer bound holds for the longest lists (pairs and singles of CPUs, 8192 ids).
#[test]
fn format_len_bound_holds() {
    const N: u32 = 8192;
    let words_n = N as usize / usize::BITS as usize;
    for pattern in [0b01u32, 0b011, 0b0110, 0b1] {
        let period = 32 - pattern.leading_zeros() + 1;
        let mut words = vec![0usize; words_n];
        for cpu in 0..N {
            if pattern & (1 << (cpu % period)) != 0 {
                words[cpu as usize / usize::BITS as usize] |=
                    1 << (cpu as usize % usize::BITS as usize);
            }
        }
        let mut out = vec![0u8; format_len_bound(N)];
        let n = format(&words, N, &mut out).expect("bound too small");
        let mut back = vec![0usize; words_n];
        parse(&out[..n], N, &mut back).unwrap();
        assert_eq!(back, words);
    }
}

#[test]
fn round_trip_all_masks_of_ten_cpus() {
    for m in 1usize..(1 << 10) {
        let words = [m];
        let mut out = [0u8; 64];
        let n = format(&words, 10, &mut out).unwrap();
        let mut back = [0usize];
        parse(&out[..n], 10, &mut back).unwrap();
        assert_eq!(back[0], m);
    }
}

/// An independent reading of the grammar, to compare the parser with on generated inputs.
/// Regions are cut at separators and matched as a whole, with the kernel's two quirks
/// stated as rules: a region with a group pattern ends right after the group size (the next
/// region may follow without a separator), and only a region without one ends the text
/// when a newline follows it.
fn reference(s: &[u8], nbits: u32) -> Result<Vec<u32>, ParseError> {
    use ParseError::*;
    let s = &s[..s.iter().position(|&c| c == 0).unwrap_or(s.len())];
    let sep = |c: u8| c == b',' || matches!(c, b' ' | b'\t' | b'\n' | 0x0b | 0x0c | b'\r' | 0xa0);
    let num = |t: &[u8]| -> Result<u32, ParseError> {
        if t == b"N" {
            return Ok(nbits - 1);
        }
        if t.is_empty() || !t.iter().all(u8::is_ascii_digit) {
            return Err(Invalid);
        }
        std::str::from_utf8(t)
            .unwrap()
            .parse::<u64>()
            .ok()
            .and_then(|v| u32::try_from(v).ok())
            .ok_or(Overflow)
    };
    let mut set = vec![false; nbits as usize];
    let mut i = 0;
    loop {
        while i < s.len() && sep(s[i]) {
            i += 1;
        }
        if i >= s.len() {
            break;
        }
        let mut j = i;
        while j < s.len() && !sep(s[j]) {
            j += 1;
        }
        let mut item = &s[i..j];
        let mut pattern = None;
        if let Some(colon) = item.iter().position(|&c| c == b':') {
            let p = &item[colon + 1..];
            let slash = p.iter().position(|&c| c == b'/').ok_or(Invalid)?;
            let g = &p[slash + 1..];
            let glen = if g.first() == Some(&b'N') {
                1
            } else {
                g.iter().take_while(|c| c.is_ascii_digit()).count()
            };
            pattern = Some((num(&p[..slash]), &g[..glen]));
            j = i + colon + 1 + slash + 1 + glen;
            item = &item[..colon];
        }
        let (a, b) = if item.eq_ignore_ascii_case(b"all") {
            (0, nbits - 1)
        } else {
            match item.iter().position(|&c| c == b'-') {
                Some(d) => (num(&item[..d])?, num(&item[d + 1..])?),
                None if pattern.is_some() => {
                    num(item)?;
                    return Err(Invalid); // a pattern needs a range or "all"
                }
                None => {
                    let x = num(item)?;
                    (x, x)
                }
            }
        };
        let (used, group) = match pattern {
            Some((u, g)) => (u?, num(g)?),
            None => (b.wrapping_add(1), b.wrapping_add(1)),
        };
        if a > b || group == 0 || used > group {
            return Err(Invalid);
        }
        if b >= nbits {
            return Err(Range);
        }
        let mut start = a as u64;
        while start <= b as u64 {
            for c in start..(start + used as u64).min(b as u64 + 1) {
                set[c as usize] = true;
            }
            start += group as u64;
        }
        if pattern.is_none() && s.get(j) == Some(&b'\n') {
            break;
        }
        i = j;
    }
    Ok((0..nbits).filter(|&c| set[c as usize]).collect())
}

/// Generated inputs (deterministic xorshift) over the list alphabet and a few bytes outside
/// it: the parser and the reference agree on every one, on the result or the error, and the
/// mask is untouched on error. Both outcomes must be well represented, or the sweep would
/// not be testing much.
#[test]
fn generated_inputs_match_the_reference() {
    const ALPHABET: &[u8] = b"0123456789,-:/N all \n\x00\xa0x+";
    let mut x: u64 = 0x2545f4914f6cdd1d;
    let (mut accepted, mut rejected) = (0, 0);
    for _ in 0..50_000 {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        let len = (x % 12) as usize + 1;
        let s: Vec<u8> = (0..len)
            .map(|i| {
                let r = x.rotate_left(i as u32 * 5) as usize;
                // Digits twice as likely, so that valid regions come up often.
                if r % 3 == 0 {
                    b'0' + (r / 3 % 10) as u8
                } else {
                    ALPHABET[r / 3 % ALPHABET.len()]
                }
            })
            .collect();
        let want = reference(&s, NR);
        let mut words = [0xdeadusize; 1];
        let got =
            parse(&s, NR, &mut words).map(|()| (0..NR).filter(|&c| test(&words, c)).collect());
        assert_eq!(got, want, "{:?}", String::from_utf8_lossy(&s));
        match want {
            Ok(_) => accepted += 1,
            Err(_) => {
                assert_eq!(words[0], 0xdead, "mask changed on error");
                rejected += 1;
            }
        }
    }
    assert!(
        accepted > 2_000 && rejected > 2_000,
        "accepted {accepted}, rejected {rejected}"
    );
}
