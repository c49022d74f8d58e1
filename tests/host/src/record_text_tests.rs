// SPDX-License-Identifier: GPL-2.0
use crate::logic::record_text::*;

#[test]
fn facility_and_level_come_from_the_prefix() {
    assert_eq!(syslog_class(b"<6>[    1.000000] hello\n"), Some((0, 6)));
    assert_eq!(
        syslog_class(b"<14>[    1.000000] user info\n"),
        Some((1, 6))
    ); // LOG_USER | 6
    assert_eq!(syslog_class(b"<12>x\n"), Some((1, 4))); // /dev/kmsg's default: user, warning
    assert_eq!(syslog_class(b"<0>x\n"), Some((0, 0)));
    assert_eq!(syslog_class(b"<191>x\n"), Some((23, 7)));
}

#[test]
fn malformed_prefixes_have_no_class() {
    for bad in [
        &b""[..],
        b"6>x",
        b"<>x",
        b"<6",
        b"<6x>",
        b"<99999999999>x",
        b"[ 1.0] <6>x",
    ] {
        assert_eq!(
            syslog_class(bad),
            None,
            "{:?}",
            String::from_utf8_lossy(bad)
        );
    }
}

/// `console_prepend_message()`: notice + text when both fit with a NUL to spare; else the
/// text is cut so that the whole is one byte short of the buffer.
#[test]
fn prepend_follows_the_kernel() {
    let notice = b"** 3 printk messages dropped **\n";
    let mut buf = [0u8; 64];
    buf[..6].copy_from_slice(b"hello\n");
    let n = prepend(&mut buf, 6, notice);
    assert_eq!(&buf[..n], b"** 3 printk messages dropped **\nhello\n");

    // 32 bytes of notice, a 40-byte buffer: 7 bytes of text fit (32 + 7 + NUL = 40).
    let mut buf = [b'x'; 40];
    buf[..20].copy_from_slice(b"0123456789abcdefghi\n");
    let n = prepend(&mut buf, 20, notice);
    assert_eq!(n, 39);
    assert_eq!(&buf[..n], b"** 3 printk messages dropped **\n0123456");

    // Exactly one short of the buffer: kept whole.
    let mut buf = [0u8; 40];
    buf[..7].copy_from_slice(b"012345\n");
    assert_eq!(prepend(&mut buf, 7, notice), 39);
    assert_eq!(&buf[32..39], b"012345\n");

    // A notice that leaves no room at all: nothing is prepended.
    let mut buf = [b'y'; 16];
    assert_eq!(prepend(&mut buf, 5, notice), 5);
    assert_eq!(&buf[..5], b"yyyyy");
}

#[test]
fn console_format_from_the_command_line() {
    assert!(!cmdline_syslog_format(b"root=/dev/vda ro quiet"));
    assert!(cmdline_syslog_format(
        b"ro console_msg_format=syslog loglevel=7\n"
    ));
    assert!(cmdline_syslog_format(b"console_msg_format=\"syslog\""));
    assert!(!cmdline_syslog_format(
        b"console_msg_format=syslog console_msg_format=default"
    ));
    assert!(!cmdline_syslog_format(b"ro -- console_msg_format=syslog"));
    assert!(!cmdline_syslog_format(b"xconsole_msg_format=syslog"));
}

#[test]
fn dropped_notice_matches_kernel_text() {
    let mut out = [0u8; 64];
    for (n, want) in [
        (1u64, "** 1 printk messages dropped **\n"),
        (12345, "** 12345 printk messages dropped **\n"),
        (
            u64::MAX,
            "** 18446744073709551615 printk messages dropped **\n",
        ),
    ] {
        let len = dropped_notice(n, &mut out);
        assert_eq!(std::str::from_utf8(&out[..len]).unwrap(), want);
    }
}

#[test]
fn dropped_notice_refuses_small_buffer() {
    let mut out = [0u8; 10];
    assert_eq!(dropped_notice(5, &mut out), 0);
}

#[test]
fn timestamps_are_parsed_with_or_without_prefix() {
    assert_eq!(timestamp_ns(b"[    1.000000] x\n"), Some(1_000_000_000));
    assert_eq!(timestamp_ns(b"<6>[   12.345678] x\n"), Some(12_345_678_000));
    assert_eq!(
        timestamp_ns(b"[123456.000001] x"),
        Some(123_456_000_001_000)
    );
}

#[test]
fn missing_or_odd_timestamps_are_none() {
    for bad in [
        &b"no time\n"[..],
        b"[ 1.0] x",
        b"[    .000000] x",
        b"[ 1.00000a] x",
        b"<6>x",
        b"[ 1.000000 x",
    ] {
        assert_eq!(
            timestamp_ns(bad),
            None,
            "{:?}",
            String::from_utf8_lossy(bad)
        );
    }
}
