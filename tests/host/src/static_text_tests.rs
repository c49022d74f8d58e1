// SPDX-License-Identifier: GPL-2.0

use crate::logic::static_text::{StaticText, TooLong};

static SHARED: StaticText<8> = StaticText::new();

#[test]
fn empty_until_stored() {
    let t = StaticText::<4>::new();
    let mut out = [0u8; 4];
    assert_eq!(t.load(&mut out), None);
    t.store(b"").unwrap();
    assert_eq!(t.load(&mut out), Some(0));
}

#[test]
fn stores_replaces_and_compares() {
    let t = StaticText::<8>::new();
    let mut out = [0u8; 8];
    t.store(b"0-3,8").unwrap();
    assert_eq!(t.load(&mut out), Some(5));
    assert_eq!(&out[..5], b"0-3,8");
    t.store(b"1").unwrap();
    assert_eq!(t.load(&mut out), Some(1));
    assert_eq!(out[0], b'1');
}

#[test]
fn too_long_changes_nothing() {
    let t = StaticText::<4>::new();
    t.store(b"abcd").unwrap();
    assert_eq!(t.store(b"abcde"), Err(TooLong));
    let mut out = [0u8; 8];
    assert_eq!(t.load(&mut out), Some(4));
    assert_eq!(&out[..4], b"abcd");
}

#[test]
fn load_truncates_to_the_buffer() {
    let t = StaticText::<8>::new();
    t.store(b"12345678").unwrap();
    let mut out = [0u8; 3];
    assert_eq!(t.load(&mut out), Some(3));
    assert_eq!(&out, b"123");
}

#[test]
fn usable_as_a_static() {
    SHARED.store(b"cpu").unwrap();
    let mut out = [0u8; 8];
    assert_eq!(SHARED.load(&mut out), Some(3));
}
