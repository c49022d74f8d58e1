use crate::logic::record_text::*;

fn strip(s: &str) -> String {
    let mut buf = s.as_bytes().to_vec();
    let n = strip_syslog_prefixes(&mut buf, s.len());
    String::from_utf8(buf[..n].to_vec()).unwrap()
}

#[test]
fn level_is_low_three_bits_of_prefix() {
    assert_eq!(syslog_level(b"<6>[    1.000000] hello\n"), Some(6));
    assert_eq!(syslog_level(b"<14>[    1.000000] user info\n"), Some(6)); // LOG_USER | 6
    assert_eq!(syslog_level(b"<0>x\n"), Some(0));
    assert_eq!(syslog_level(b"<191>x\n"), Some(7)); // facility 23, level 7
}

#[test]
fn malformed_prefixes_have_no_level() {
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
            syslog_level(bad),
            None,
            "{:?}",
            String::from_utf8_lossy(bad)
        );
    }
}

#[test]
fn strips_prefix_of_single_line() {
    assert_eq!(strip("<6>[    1.000000] hello\n"), "[    1.000000] hello\n");
}

#[test]
fn strips_prefix_of_every_line_of_multiline_record() {
    // record_print_text() repeats the full prefix on each line of a multi-line record.
    let s = "<4>[    2.500000] first\n<4>[    2.500000] second\n<4>[    2.500000] third\n";
    assert_eq!(
        strip(s),
        "[    2.500000] first\n[    2.500000] second\n[    2.500000] third\n"
    );
}

#[test]
fn text_that_looks_like_a_prefix_mid_line_is_kept() {
    assert_eq!(
        strip("<6>[ 1.0] value <3> kept\n"),
        "[ 1.0] value <3> kept\n"
    );
}

#[test]
fn lines_without_prefix_and_no_trailing_newline_are_kept() {
    assert_eq!(strip("[ 1.0] no prefix"), "[ 1.0] no prefix");
    assert_eq!(strip("<6>[ 1.0] cut"), "[ 1.0] cut");
    assert_eq!(strip(""), "");
}

#[test]
fn strip_honours_len_shorter_than_buffer() {
    let mut buf = b"<6>ab\n<6>cd\nGARBAGE".to_vec();
    let n = strip_syslog_prefixes(&mut buf, 12);
    assert_eq!(&buf[..n], b"ab\ncd\n");
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
