// SPDX-License-Identifier: GPL-2.0
use crate::logic::irq_safe_write::writes_with_irqs_on;

#[test]
fn the_listed_drivers_are_written_with_interrupts_on() {
    for s in [
        &b"serial8250_console_write+0x0/0x4d0"[..],
        b"univ8250_console_write+0x0/0x20",
        b"univ8250_console_write+0x0/0x20 [8250]",
        b"serial8250_console_write+0x0/0x4d0 [8250_base]",
        b"write_msg+0x0/0x110 [netconsole]",
        b"write_ext_msg+0x0/0x2a0 [netconsole 0123456789abcdef0123456789abcdef01234567]",
        b"write_msg+0x0/0x110",
        b"hvc_console_print+0x0/0x1f0",
        b"hvc_console_print+0x0/0x1f0\0\0\0",
        b"slow_write+0x0/0x1c0 [slow_console]",
    ] {
        assert!(writes_with_irqs_on(s), "{}", String::from_utf8_lossy(s));
    }
}

#[test]
fn anything_else_keeps_interrupts_off() {
    for s in [
        &b""[..],
        b"0xffffffffc0a01000",
        b"univ8250_console_write+0x0/0x40 [8250_base]",
        b"_RNvCs2lODIsTWVFs_12slow_console10slow_write+0x0/0x1c0 [slow_console]",
        b"serial8250_console_write+0x10/0x4d0",
        b"write_msg+0x0/0x110 [some_other_driver]",
        b"slow_write+0x0/0x1c0 [elsewhere]",
        b"slow_write+0x0/0x1c0",
        b"hvc_console_print+0x0/0x1f0 [hvc]",
        b"write_msg+0x0/0x110 [netconsole",
        b"pl011_console_write+0x0/0x300",
        b"vt_console_print",
        b"vt_console_print+0x0/0x3d0",
    ] {
        assert!(!writes_with_irqs_on(s), "{}", String::from_utf8_lossy(s));
    }
}
