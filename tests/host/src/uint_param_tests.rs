// SPDX-License-Identifier: GPL-2.0

use crate::logic::uint_param::{format, parse_in_range};

#[test]
fn accepts_numbers_in_range() {
    assert_eq!(parse_in_range(b"0", 0, 1), Some(0));
    assert_eq!(parse_in_range(b"1\n", 0, 1), Some(1));
    assert_eq!(parse_in_range(b"5000", 100, 1_000_000), Some(5000));
    assert_eq!(
        parse_in_range(b"18446744073709551615", 0, u64::MAX),
        Some(u64::MAX)
    );
}

#[test]
fn rejects_everything_else() {
    for bad in [
        &b""[..],
        b"\n",
        b"2",
        b"-1",
        b"+1",
        b" 1",
        b"1 ",
        b"1\n\n",
        b"0x1",
        b"1.0",
        b"1\0",
        b"18446744073709551616",
        b"99999999999999999999999",
        b"abc",
        b"1,2",
    ] {
        assert_eq!(
            parse_in_range(bad, 0, 1),
            None,
            "{:?}",
            String::from_utf8_lossy(bad)
        );
    }
    assert_eq!(parse_in_range(b"99", 100, 200), None);
    assert_eq!(parse_in_range(b"201", 100, 200), None);
}

#[test]
fn formats_with_newline() {
    let mut out = [0u8; 24];
    let n = format(5000, &mut out);
    assert_eq!(&out[..n], b"5000\n");
    let n = format(0, &mut out);
    assert_eq!(&out[..n], b"0\n");
    assert_eq!(format(123, &mut [0u8; 3]), 0);
}

#[test]
fn decimal_writes_digits_or_refuses_small_buffer() {
    use crate::logic::decimal::write_u64;
    let mut out = [0u8; 20];
    for (n, want) in [
        (0u64, "0"),
        (7, "7"),
        (10, "10"),
        (4096, "4096"),
        (u64::MAX, "18446744073709551615"),
    ] {
        let len = write_u64(n, &mut out).unwrap();
        assert_eq!(std::str::from_utf8(&out[..len]).unwrap(), want);
    }
    assert_eq!(write_u64(100, &mut [0u8; 2]), None);
}
