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

/// `record_print_text()` of kernel/printk/printk.c (6.12), line for line: `raw` is the
/// record's text as stored, `prefix` the prefix of every line, `buf_size` the buffer.
fn record_print_text(raw: &[u8], prefix: &[u8], buf_size: usize) -> Vec<u8> {
    let mut buf = vec![0u8; buf_size];
    let mut text_len = raw.len().min(buf_size);
    buf[..text_len].copy_from_slice(&raw[..text_len]);
    let p = prefix.len();
    let (mut text, mut len, mut truncated) = (0usize, 0usize, false);
    loop {
        let line_len = match buf[text..text + text_len].iter().position(|&c| c == b'\n') {
            Some(i) => i,
            None if truncated => break,
            None => text_len,
        };
        if len + p + text_len + 1 + 1 > buf_size {
            if len + p + line_len + 1 + 1 > buf_size {
                break;
            }
            text_len = buf_size - len - p - 1 - 1;
            truncated = true;
        }
        buf.copy_within(text..text + text_len, text + p);
        buf[text..text + p].copy_from_slice(prefix);
        len += p + line_len + 1;
        if text_len == line_len {
            buf[text + p + line_len] = b'\n';
            break;
        }
        text += p + line_len + 1;
        text_len -= line_len + 1;
    }
    buf.truncate(len);
    buf
}

/// Stripping each line's `<N>` from a record read with syslog prefixes gives the record as
/// read without them, byte for byte, whenever the read is short enough to be known
/// untruncated; records of every shape up to `PRINTKRB_RECORD_MAX` (many short lines,
/// empty lines, one long line, text that looks like a prefix) and prefixes of every length.
#[test]
fn stripping_prefixes_gives_the_console_text() {
    let size = 2048;
    let bound = untruncated_max(size);
    assert_eq!(bound, 974);
    let plains: [&[u8]; 5] = [
        b"",
        b"[    1.000000] ",
        b"[12345.678901][T123456] ",
        b"[T1] ",
        b"[99999999.999999][C4294967295] ",
    ];
    let mut seed = 0x9e37_79b9_7f4a_7c15u64;
    let mut next = move || {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        seed
    };
    let (mut fast, mut multi, mut truncated) = (0, 0, 0);
    for case in 0..20_000 {
        let n = (next() % 1025) as usize;
        let newline_every = 1 + next() % 64;
        let mut raw: Vec<u8> = (0..n)
            .map(|_| match next() % (newline_every + 3) {
                0 => b'\n',
                1 => b'<',
                2 => b'>',
                _ => b'a' + (next() % 26) as u8,
            })
            .collect();
        if case % 7 == 0 && !raw.is_empty() {
            raw[0] = b'<';
        }
        let plain = plains[case % plains.len()];
        let level = format!("<{}>", next() % 192);
        let syslog = [level.as_bytes(), plain].concat();
        let with = record_print_text(&raw, &syslog, size);
        let without = record_print_text(&raw, plain, size);
        let lines = raw.iter().filter(|&&c| c == b'\n').count() + 1;
        if with.len() < lines * syslog.len() + raw.len() + 1 {
            assert!(
                with.len() > bound,
                "case {case}: truncated at {}",
                with.len()
            );
            truncated += 1;
        }
        if with.len() > bound {
            // What the printer reads a second time, unstripped.
            continue;
        }
        let mut buf = with.clone();
        buf.resize(size, 0);
        let got = strip_syslog_prefixes(&mut buf, with.len()).expect("prefixes");
        assert_eq!(&buf[..got], &without[..], "case {case}");
        fast += 1;
        if raw.iter().filter(|&&c| c == b'\n').count() > 3 {
            multi += 1;
        }
    }
    // The generator reaches the fast path, multi-line records on it, and truncation.
    assert!(
        fast > 5_000 && multi > 1_000 && truncated > 100,
        "fast {fast}, multi-line {multi}, truncated {truncated}"
    );
}

/// A record the kernel truncates reads longer than the bound.
#[test]
fn truncated_records_are_longer_than_the_bound() {
    let size = 2048;
    let prefix = b"<6>[12345.678901][T123456] ";
    // 1024 bytes of one-character lines: far more prefix than the buffer holds.
    let raw: Vec<u8> = b"a\n".iter().copied().cycle().take(1024).collect();
    let out = record_print_text(&raw, prefix, size);
    let lines = raw.iter().filter(|&&c| c == b'\n').count() + 1;
    let full = lines * prefix.len() + raw.len() + 1;
    assert!(out.len() < full, "the model truncates");
    assert!(out.len() > untruncated_max(size));
}

#[test]
fn a_line_without_a_prefix_is_refused() {
    let mut buf = b"<6>[    1.000000] a\n[    1.000000] b\n".to_vec();
    let len = buf.len();
    assert_eq!(strip_syslog_prefixes(&mut buf, len), None);
    let mut buf = b"<6>a\n<6>\n<6><7>b\n".to_vec();
    let len = buf.len();
    let n = strip_syslog_prefixes(&mut buf, len).unwrap();
    assert_eq!(&buf[..n], b"a\n\n<7>b\n");
}
