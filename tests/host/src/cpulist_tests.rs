use crate::logic::cpulist::{format, parse, test, ParseError, MAX_INPUT};

const NR: u32 = 16;

fn parsed(s: &[u8]) -> Result<Vec<u32>, ParseError> {
    let mut words = [0usize; 1];
    parse(s, NR, &mut words)?;
    Ok((0..NR).filter(|&c| test(&words, c)).collect())
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

#[test]
fn valid_forms() {
    assert_eq!(parsed(b"0-3,8"), Ok(vec![0, 1, 2, 3, 8]));
    assert_eq!(parsed(b"0,1"), Ok(vec![0, 1]));
    assert_eq!(parsed(b"5"), Ok(vec![5]));
    assert_eq!(parsed(b"5\n"), Ok(vec![5]));
    assert_eq!(parsed(b"15"), Ok(vec![15]));
    assert_eq!(parsed(b"3-3"), Ok(vec![3]));
    assert_eq!(parsed(b"1,1,0-1"), Ok(vec![0, 1])); // overlaps are fine, as in bitmap_parselist
    assert_eq!(parsed(b"007"), Ok(vec![7]));
}

#[test]
fn rejected_forms() {
    use ParseError::*;
    let cases: &[(&[u8], ParseError)] = &[
        (b"", Empty),
        (b"\n", Empty),
        (b"-", Syntax),
        (b",,", Syntax),
        (b"1,", Syntax),
        (b",1", Syntax),
        (b"1,,2", Syntax),
        (b"3-1", Reversed),
        (b"1-", Syntax),
        (b"-1", Syntax),
        (b"1-2-3", Syntax),
        (b"16", OutOfRange),
        (b"0-16", OutOfRange),
        (b"4294967295", OutOfRange),
        (b"99999999999", Syntax),
        (b"+1", Syntax),
        (b" 1", Syntax),
        (b"1 ", Syntax),
        (b"1\n\n", Syntax),
        (b"1\0", Syntax),
        (b"0\x002", Syntax),
        (b"abc", Syntax),
        (b"0x1", Syntax),
        (b"1\r\n", Syntax),
    ];
    for (input, want) in cases {
        assert_eq!(
            parsed(input),
            Err(*want),
            "{:?}",
            String::from_utf8_lossy(input)
        );
    }
}

#[test]
fn overlong_input_rejected() {
    let long: Vec<u8> = b"0,".iter().cycle().take(MAX_INPUT + 1).copied().collect();
    assert_eq!(parsed(&long), Err(ParseError::TooLong));
    let mut ok = vec![b'0'; 1];
    ok.extend(std::iter::repeat_n(b",0".to_vec(), (MAX_INPUT - 1) / 2).flatten());
    assert!(ok.len() <= MAX_INPUT);
    assert_eq!(parsed(&ok), Ok(vec![0]));
}

#[test]
fn rejection_leaves_mask_untouched() {
    let mut words = [0b1010usize; 1];
    assert!(parse(b"0-3,99", NR, &mut words).is_err());
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

/// Generated malformed inputs (deterministic xorshift): random bytes that contain at
/// least one byte outside the list alphabet are always rejected, never panic.
#[test]
fn malformed_sweep() {
    let mut x: u64 = 0x2545f4914f6cdd1d;
    let mut rejected = 0;
    for _ in 0..5000 {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        let len = (x % 40) as usize + 1;
        let mut s: Vec<u8> = (0..len)
            .map(|i| (x.rotate_left(i as u32 * 7) & 0xff) as u8)
            .collect();
        let pos = (x >> 8) as usize % len;
        s[pos] = b"x \0\t;:/+"[(x >> 16) as usize % 8];
        let mut words = [0usize];
        assert!(parse(&s, NR, &mut words).is_err(), "{:?}", s);
        assert_eq!(words[0], 0);
        rejected += 1;
    }
    assert_eq!(rejected, 5000);
}
