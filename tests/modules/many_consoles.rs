// SPDX-License-Identifier: GPL-2.0

//! many_consoles: a test-only module that registers `COUNT` plain legacy consoles,
//! `manycon0` to `manycon15`, each keeping a copy of what it is given, so that a test can
//! tell what reached each of more consoles than rust_printk_offload takes over.
//!
//! debugfs, under `/sys/kernel/debug/many_consoles/`, for each console N:
//! - `logN` (0400) everything written to console N since load or the last reset (the first
//!   `CAPACITY` bytes; the rest is counted in `overflowN`);
//! - `lenN` (0600) bytes in `logN`; write 0 to reset it.

use core::ptr::{addr_of, addr_of_mut, read_volatile, write_volatile};
use kernel::alloc::{flags::GFP_KERNEL, KBox, KVec};
use kernel::ffi::{c_char, c_uint};
use kernel::prelude::*;
use kernel::types::Opaque;

// Generated at build time (see `Kbuild`); its lint exemptions come with it.
#[rustfmt::skip]
#[path = "test_bindings_generated.rs"]
mod bindings;
use bindings as b;

/// Consoles registered: as many as rust_printk_offload holds, so that with any other
/// console one is left over.
const COUNT: usize = 16;
/// Capture per console, in bytes.
const CAPACITY: usize = 256 << 10;

module! {
    type: ManyConsoles,
    name: "many_consoles",
    author: "rust_printk_offload developers",
    description: "Test-only module registering 16 consoles that record what they print",
    license: "GPL",
}

/// One console and its capture.
///
/// # Invariants
///
/// `blob.data` points to `CAPACITY` bytes from `vzalloc`; `blob.size <= CAPACITY`. Only
/// the console callback writes data or grows `size` (console writes are serialised by
/// `console_lock`); users may reset `size` to 0 through debugfs.
struct Capture {
    con: Opaque<b::console>,
    blob: Opaque<b::debugfs_blob_wrapper>,
    overflow: Opaque<u64>,
}

/// The console's write(): appends to its capture.
unsafe extern "C" fn many_write(con: *mut b::console, s: *const c_char, count: c_uint) {
    // SAFETY: `data` was set to this console's `Capture` at registration; it outlives the
    // console.
    let cap = unsafe { &*(read_volatile(addr_of!((*con).data)) as *const Capture) };
    let count = count as usize;
    // SAFETY: see the type invariants; `size` is re-read in case a reset happened.
    unsafe {
        let blob = cap.blob.get();
        let size = read_volatile(addr_of!((*blob).size)) as usize;
        let n = count.min(CAPACITY.saturating_sub(size));
        core::ptr::copy_nonoverlapping(s.cast::<u8>(), ((*blob).data as *mut u8).add(size), n);
        write_volatile(addr_of_mut!((*blob).size), (size + n) as _);
        if n < count {
            write_volatile(
                cap.overflow.get(),
                read_volatile(cap.overflow.get()) + (count - n) as u64,
            );
        }
    }
}

struct ManyConsoles {
    /// Boxed each, so that the addresses the kernel and debugfs keep stay put.
    caps: KVec<KBox<Capture>>,
    dir: *mut b::dentry,
}

// SAFETY: `dir` is a debugfs dentry that only `drop` uses.
unsafe impl Send for ManyConsoles {}
// SAFETY: as above.
unsafe impl Sync for ManyConsoles {}

/// A NUL-terminated name `<prefix><n>` for debugfs.
fn file_name(prefix: &[u8], n: usize) -> [u8; 16] {
    let mut out = [0u8; 16];
    out[..prefix.len()].copy_from_slice(prefix);
    let mut i = prefix.len();
    if n >= 10 {
        out[i] = b'0' + (n / 10) as u8;
        i += 1;
    }
    out[i] = b'0' + (n % 10) as u8;
    out
}

impl ManyConsoles {
    /// Allocates the capture of console `index`, not registered yet.
    fn capture(index: usize) -> Result<KBox<Capture>> {
        // SAFETY: plain allocation.
        let data = unsafe { b::vzalloc_noprof(CAPACITY as _) };
        if data.is_null() {
            return Err(ENOMEM);
        }
        let mut name = [0 as c_char; 16];
        for (i, c) in b"manycon".iter().enumerate() {
            name[i] = *c as c_char;
        }
        let cap = KBox::new(
            Capture {
                con: Opaque::new(b::console {
                    name,
                    write: Some(many_write),
                    // Pre-enabled, without replay of the old log (see slow_console).
                    flags: b::cons_flags_CON_ENABLED as _,
                    index: index as _,
                    ..Default::default()
                }),
                blob: Opaque::new(b::debugfs_blob_wrapper {
                    data: data.cast(),
                    size: 0,
                }),
                overflow: Opaque::new(0),
            },
            GFP_KERNEL,
        );
        cap.map_err(|e| {
            // SAFETY: allocated above, not shared.
            unsafe { b::vfree(data) };
            e.into()
        })
    }
}

impl kernel::Module for ManyConsoles {
    fn init(_module: &'static ThisModule) -> Result<Self> {
        let mut this = Self {
            caps: KVec::new(),
            // SAFETY: a name from a static C string; debugfs failures are not fatal by
            // design.
            dir: unsafe {
                b::debugfs_create_dir(c"many_consoles".as_ptr().cast(), core::ptr::null_mut())
            },
        };
        for i in 0..COUNT {
            let cap = Self::capture(i)?;
            this.caps.push(cap, GFP_KERNEL).map_err(|_| ENOMEM)?;
        }
        for (i, cap) in this.caps.iter().enumerate() {
            let (log, len) = (file_name(b"log", i), file_name(b"len", i));
            let (con, cap_ptr) = (cap.con.get(), &**cap as *const Capture);
            // SAFETY: the capture is boxed and outlives its debugfs files and its console,
            // which `drop` removes before freeing it.
            unsafe {
                b::debugfs_create_blob(log.as_ptr().cast(), 0o400, this.dir, cap.blob.get());
                b::debugfs_create_ulong(
                    len.as_ptr().cast(),
                    0o600,
                    this.dir,
                    addr_of_mut!((*cap.blob.get()).size),
                );
                (*con).data = cap_ptr as *mut _;
                b::register_console(con);
            }
        }
        pr_info!("{} consoles registered\n", COUNT);
        Ok(this)
    }
}

impl Drop for ManyConsoles {
    fn drop(&mut self) {
        // SAFETY: `dir` was made in init (or is an error pointer, which debugfs ignores).
        unsafe { b::debugfs_remove(self.dir) };
        for cap in self.caps.iter() {
            // SAFETY: registered in init (registration cannot fail in a way that leaves it
            // half-registered: an unregistered console is ignored); after
            // unregister_console() returns no write() runs.
            unsafe {
                b::unregister_console(cap.con.get());
                b::vfree((*cap.blob.get()).data);
            }
        }
    }
}
