// SPDX-License-Identifier: GPL-2.0

use crate::logic::console_notice::unregistered_console;

#[test]
fn legacy_console() {
    assert_eq!(
        unregistered_console(b"printk: legacy console [ttyS0] disabled"),
        Some(&b"ttyS0"[..])
    );
    assert_eq!(
        unregistered_console(b"printk: legacy console [slowcon0] disabled"),
        Some(&b"slowcon0"[..])
    );
}

#[test]
fn nbcon_and_boot_consoles_are_never_held() {
    assert_eq!(
        unregistered_console(b"printk: console [netcon0] disabled"),
        None
    );
    assert_eq!(
        unregistered_console(b"printk: legacy bootconsole [uart8250] disabled"),
        None
    );
    assert_eq!(
        unregistered_console(b"printk: bootconsole [uart0] disabled"),
        None
    );
}

#[test]
fn other_records() {
    for t in [
        &b"printk: legacy console [ttyS0] enabled"[..],
        b"legacy console [ttyS0] disabled",
        b"printk: legacy console [] disabled",
        b"printk: legacy console [a] b] disabled",
        b"printk: legacy console [a b] disabled",
        b"printk: console [ttyS0] disabled\n",
        b"rpo-late-gone 300",
        b"",
        b"] disabled",
    ] {
        assert_eq!(
            unregistered_console(t),
            None,
            "{:?}",
            core::str::from_utf8(t)
        );
    }
}
