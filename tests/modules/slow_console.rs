// SPDX-License-Identifier: GPL-2.0

//! slow_console: a test-only legacy console that is deliberately slow and keeps a copy of
//! everything it is given, so the tests can tell what reached a console, in which order,
//! and how often.
//!
//! debugfs, under `/sys/kernel/debug/slow_console/`:
//! - `log`      (0400) everything written to the console since load or the last reset;
//! - `len`      (0600) bytes in `log`; write 0 to reset the capture;
//! - `delay_us` (0600) time per character, in microseconds: a write of n characters
//!   busy-waits until n * delay_us after it began (default 0; module load
//!   cannot take parameters in this tree, so the tests set it here);
//! - `writes`   (0400) number of write() calls;
//! - `writes_irqs_off` (0400) of those, calls made with interrupts off;
//! - `writes_bh_off` (0400) of those, calls made with softirqs off (or in softirq context);
//! - `busy_ns`  (0400) time spent in write(), by `ktime_get()`;
//! - `max_write_ns` (0600) the longest single write(), by `ktime_get()`; write 0 to reset;
//! - `stamps`   (0400) for each write() since the last reset, two u64 (native endian): the
//!   offset in `log` where its text begins, and `local_clock()` (printk's clock) when it
//!   ended, so a test can tell when a line it finds in `log` reached the console;
//! - `unregister` (0200) a write unregisters the console (once; `-EINVAL` after), leaving
//!   the capture readable: a test can see what `unregister_console()` flushed to it;
//! - `hold_lock_ms` (0200) a write of N (1 to 10000) takes `console_lock` and keeps it for
//!   N ms before `console_unlock()`, as a tty operation or another driver may: the write
//!   returns once the lock is released (`-EINVAL` for any other value);
//! - `urgent_burst` (0200) a write of N (1 to 4096) stores N records "rpo-urgent-burst I"
//!   at KERN_INFO, then "rpo-urgent-burst warning" at KERN_WARNING, all with interrupts
//!   off: in one tick, with no irq_work run between them (`-EINVAL` for any other value);
//! - `nmi_burst` (0200) a write of N (1 to 256) sends an NMI to the highest-numbered online
//!   CPU (the writer's own if it is the only one), whose handler stores N records
//!   "slow_console: rpo-nmi-burst I" at KERN_INFO: records stored in NMI context and nothing else, not
//!   even a line from the writer (`-EINVAL` for any other value).
//! - `irqsoff_burst` (0200) a write of N (1 to 256) stores N records
//!   "slow_console: rpo-irqsoff-burst I" with interrupts off and the preempt count
//!   untouched, as a `dump_stack()` under `printk_cpu_sync_get_irqsave()` does
//!   (`-EINVAL` for any other value).
//! - `console_start` (0200) a write calls `console_start()` on the console, as a driver
//!   does when its output may resume (the serial core at resume): it sets `CON_ENABLED`
//!   whoever cleared it, then flushes (`-EINVAL` once the console is unregistered).
//!
//! When the console is unregistered, the log says how many lines it captured and the last
//! one before the kernel's "disabled" notice.
//!
//! The capture holds 32 MiB; bytes past that are counted in `overflow` but not kept
//! (likewise the stamps past 1 Mi writes).

use core::ptr::{addr_of, addr_of_mut, read_volatile, write_volatile};
use core::sync::atomic::{AtomicBool, Ordering};
use kernel::alloc::{flags::GFP_KERNEL, KBox};
use kernel::ffi::{c_char, c_uint};
use kernel::prelude::*;
use kernel::types::Opaque;

// Generated at build time (see `Kbuild`); its lint exemptions come with it.
#[rustfmt::skip]
#[path = "test_bindings_generated.rs"]
mod bindings;
use bindings as b;

#[path = "slow_console_triggers.rs"]
mod triggers;
use triggers::{
    nmi_burst_handler, BURST_CLASS, CONSOLE_START_FOPS, HOLD_LOCK_FOPS, IRQSOFF_BURST_FOPS,
    NMI_BURST_FOPS, NMI_NAME, UNREGISTER_FOPS, URGENT_BURST_FOPS,
};

const CAPACITY: usize = 32 << 20;
/// Room for the stamps of this many writes (two u64 each).
const STAMPS: usize = 1 << 20;

module! {
    type: SlowConsole,
    name: "slow_console",
    author: "rust_printk_offload developers",
    description: "Test-only slow console that records what it prints",
    license: "GPL",
}

/// Capture state shared with the debugfs files and the console callback.
///
/// # Invariants
///
/// `blob.data` points to `CAPACITY` bytes from `vzalloc`; `blob.size <= CAPACITY`. Only
/// the console callback writes data or grows `size` (the printk core serialises console
/// writes under console_lock); users may reset `size` to 0 through debugfs.
struct Capture {
    blob: Opaque<b::debugfs_blob_wrapper>,
    stamps: Opaque<b::debugfs_blob_wrapper>,
    delay_us: Opaque<u32>,
    writes: Opaque<u64>,
    writes_irqs_off: Opaque<u64>,
    writes_bh_off: Opaque<u64>,
    busy_ns: Opaque<u64>,
    max_write_ns: Opaque<u64>,
    overflow: Opaque<u64>,
    con: Opaque<b::console>,
    registered: AtomicBool,
    dir: *mut b::dentry,
    /// Taken with interrupts off around an `urgent_burst`.
    burst_lock: Opaque<kernel::bindings::spinlock_t>,
    /// The `nmi_burst` handler's registration (its list links point into the box).
    nmi: Opaque<b::nmiaction>,
}

// SAFETY: the raw pointers refer to memory this module owns; see the type invariants.
unsafe impl Send for Capture {}
// SAFETY: as above.
unsafe impl Sync for Capture {}

/// Whether interrupts are off on this CPU: the flags register's IF bit, as the kernel's
/// `native_save_fl()` reads it (`arch_irqs_disabled()` is an inline; the test VM is x86-64
/// without paravirtualised interrupt flags).
fn irqs_disabled() -> bool {
    const X86_EFLAGS_IF: u64 = 1 << 9;
    let flags: u64;
    // SAFETY: pushes the flags register and pops it into a register: it touches only the
    // stack slot it pushes and changes no flag.
    unsafe { core::arch::asm!("pushfq", "pop {}", out(reg) flags, options(preserves_flags)) };
    flags & X86_EFLAGS_IF == 0
}

/// Whether softirqs are off on this CPU, or one is running: `softirq_count()`, the
/// `SOFTIRQ_MASK` bits of `preempt_count()` (an inline; x86 keeps it in `pcpu_hot`). The
/// caller must not migrate (a console's `write()` runs under `console_lock` with
/// preemption off).
fn bh_disabled() -> bool {
    const SOFTIRQ_MASK: u32 = 0xff00;
    // SAFETY: `get_current()` is the running task; `thread_info.cpu` is its CPU, which
    // stays the same (no migration, see above), so `__per_cpu_offset[cpu]` is this CPU's
    // per-CPU area, and `pcpu_hot` an exported per-CPU variable in it.
    let count = unsafe {
        let cpu = read_volatile(addr_of!((*kernel::bindings::get_current()).thread_info.cpu));
        let offset = read_volatile(
            addr_of!(kernel::bindings::__per_cpu_offset)
                .cast::<usize>()
                .add(cpu as usize),
        );
        let hot = (addr_of!(kernel::bindings::pcpu_hot) as usize + offset)
            as *const kernel::bindings::pcpu_hot;
        read_volatile(addr_of!(
            (*hot).__bindgen_anon_1.__bindgen_anon_1.preempt_count
        )) as u32
    };
    count & SOFTIRQ_MASK != 0
}

/// The console's write(): delay per character, then append to the capture. Not mangled:
/// rust_printk_offload recognises it by its symbol as a driver that may be written with
/// interrupts on (it shares nothing with interrupt handlers).
#[no_mangle]
unsafe extern "C" fn slow_write(con: *mut b::console, s: *const c_char, count: c_uint) {
    // SAFETY: `data` was set to our `Capture` at registration; it outlives the console.
    let cap = unsafe { &*(read_volatile(addr_of!((*con).data)) as *const Capture) };
    let count = count as usize;
    let (irqs_off, bh_off) = (irqs_disabled(), bh_disabled());
    // SAFETY: callable from any context.
    let t0 = unsafe { b::ktime_get() };
    // SAFETY: `delay_us` is a live u32 that debugfs may write at any time.
    let delay = unsafe { read_volatile(cap.delay_us.get()) };
    // Like a UART draining at a fixed baud rate: the write takes `count * delay` of wall
    // time from its start, whatever interrupts it meanwhile (a per-character udelay() would
    // stretch with every interruption, and under emulation udelay() is not exact either).
    let end = t0 + count as i64 * i64::from(delay) * 1000;
    // SAFETY: reading the clock is callable in any context.
    while delay > 0 && unsafe { b::ktime_get() } < end {
        core::hint::spin_loop();
    }
    // SAFETY: see the type invariants; `size` is re-read in case a reset happened.
    unsafe {
        let blob = cap.blob.get();
        let size = read_volatile(addr_of!((*blob).size)) as usize;
        let room = CAPACITY.saturating_sub(size);
        let n = count.min(room);
        core::ptr::copy_nonoverlapping(s.cast::<u8>(), ((*blob).data as *mut u8).add(size), n);
        write_volatile(addr_of_mut!((*blob).size), (size + n) as _);
        if n < count {
            write_volatile(
                cap.overflow.get(),
                read_volatile(cap.overflow.get()) + (count - n) as u64,
            );
        }
        write_volatile(cap.writes.get(), read_volatile(cap.writes.get()) + 1);
        for (counter, on) in [
            (&cap.writes_irqs_off, irqs_off),
            (&cap.writes_bh_off, bh_off),
        ] {
            if on {
                write_volatile(counter.get(), read_volatile(counter.get()) + 1);
            }
        }
        // The stamps, reset with the log (a reset sets `size` to 0).
        let st = cap.stamps.get();
        let mut ns = read_volatile(addr_of!((*st).size)) as usize;
        if size == 0 {
            ns = 0;
        }
        if ns + 16 <= STAMPS * 16 {
            let p = ((*st).data as *mut u64).add(ns / 8);
            write_volatile(p, size as u64);
            write_volatile(p.add(1), b::local_clock());
            write_volatile(addr_of_mut!((*st).size), (ns + 16) as _);
        }
        let busy = (b::ktime_get() - t0).max(0) as u64;
        write_volatile(cap.busy_ns.get(), read_volatile(cap.busy_ns.get()) + busy);
        if busy > read_volatile(cap.max_write_ns.get()) {
            write_volatile(cap.max_write_ns.get(), busy);
        }
    }
}

/// Unregisters the console if it still is, and logs what it captured.
fn unregister(cap: &Capture) {
    if !cap.registered.swap(false, Ordering::SeqCst) {
        return;
    }
    // SAFETY: registered in init, and only here unregistered (the flag).
    unsafe { b::unregister_console(cap.con.get()) };
    // No write() runs any more: the capture is stable.
    // SAFETY: see the type invariants.
    let data = unsafe {
        let blob = cap.blob.get();
        let size = read_volatile(addr_of!((*blob).size)) as usize;
        core::slice::from_raw_parts((*blob).data as *const u8, size)
    };
    let mut lines = 0usize;
    let mut last: &[u8] = b"";
    for l in data.split(|&c| c == b'\n').filter(|l| !l.is_empty()) {
        lines += 1;
        if !l.ends_with(b"] disabled") {
            last = l;
        }
    }
    let last = core::str::from_utf8(last).unwrap_or("(not UTF-8)");
    pr_info!(
        "slowcon unregistered: {} lines captured; the last before its notice: {}\n",
        lines,
        last
    );
}

struct SlowConsole {
    cap: KBox<Capture>,
}

impl kernel::Module for SlowConsole {
    fn init(_module: &'static ThisModule) -> Result<Self> {
        // SAFETY: plain allocation.
        let data = unsafe { b::vzalloc_noprof(CAPACITY as _) };
        if data.is_null() {
            return Err(ENOMEM);
        }
        // SAFETY: plain allocation.
        let stamps = unsafe { b::vzalloc_noprof((STAMPS * 16) as _) };
        if stamps.is_null() {
            // SAFETY: allocated above, not shared.
            unsafe { b::vfree(data) };
            return Err(ENOMEM);
        }
        let mut name = [0 as c_char; 16];
        for (i, c) in b"slowcon".iter().enumerate() {
            name[i] = *c as c_char;
        }
        let cap = KBox::new(
            Capture {
                blob: Opaque::new(b::debugfs_blob_wrapper {
                    data: data.cast(),
                    size: 0,
                }),
                stamps: Opaque::new(b::debugfs_blob_wrapper {
                    data: stamps.cast(),
                    size: 0,
                }),
                delay_us: Opaque::new(0),
                writes: Opaque::new(0),
                writes_irqs_off: Opaque::new(0),
                writes_bh_off: Opaque::new(0),
                busy_ns: Opaque::new(0),
                max_write_ns: Opaque::new(0),
                overflow: Opaque::new(0),
                con: Opaque::new(b::console {
                    name,
                    write: Some(slow_write),
                    // Pre-enabled like netconsole: printk enables a console by default
                    // only if no console= was given. No CON_PRINTBUFFER: no replay of
                    // the old log, the tests want only what comes after load.
                    flags: b::cons_flags_CON_ENABLED as _,
                    index: 0,
                    ..Default::default()
                }),
                registered: AtomicBool::new(true),
                dir: core::ptr::null_mut(),
                burst_lock: Opaque::uninit(),
                nmi: Opaque::new(b::nmiaction {
                    handler: Some(nmi_burst_handler),
                    name: NMI_NAME.as_ptr().cast(),
                    // Above any duration: the kernel's "NMI handler took too long" line,
                    // printed after the handler, would be a record stored after the
                    // burst's.
                    max_duration: u64::MAX,
                    ..Default::default()
                }),
            },
            GFP_KERNEL,
        );
        let mut cap = match cap {
            Ok(c) => c,
            Err(e) => {
                // SAFETY: allocated above, not shared yet.
                unsafe {
                    b::vfree(data);
                    b::vfree(stamps);
                }
                return Err(e.into());
            }
        };
        let cap_ptr: *const Capture = &*cap;
        // SAFETY: `burst_lock` is valid for writes and does not move (boxed); the name is a
        // static C string; `LockClassKey` is a transparent wrapper of `lock_class_key`, and
        // the class is static.
        unsafe {
            kernel::bindings::__spin_lock_init(
                cap.burst_lock.get(),
                c"slowcon_burst".as_ptr().cast(),
                (&BURST_CLASS as *const kernel::sync::LockClassKey)
                    .cast_mut()
                    .cast::<kernel::bindings::lock_class_key>(),
            )
        };
        // SAFETY: `nmi` does not move (boxed) and stays registered until `drop`; an empty
        // list is one whose links point to itself (`LIST_HEAD_INIT`), as registration
        // requires.
        let nmi_err = unsafe {
            let list = addr_of_mut!((*cap.nmi.get()).list);
            (*list).next = list;
            (*list).prev = list;
            b::__register_nmi_handler(b::NMI_LOCAL, cap.nmi.get())
        };
        if nmi_err != 0 {
            pr_warn!(
                "slowcon: no NMI handler ({}): nmi_burst is not offered\n",
                nmi_err
            );
        }
        // SAFETY: `cap` is boxed and outlives the debugfs files and the console, which are
        // removed in `drop` before it is freed. debugfs failures are not fatal by design.
        unsafe {
            let dir = b::debugfs_create_dir(c"slow_console".as_ptr().cast(), core::ptr::null_mut());
            cap.dir = dir;
            b::debugfs_create_blob(c"log".as_ptr().cast(), 0o400, dir, cap.blob.get());
            b::debugfs_create_blob(c"stamps".as_ptr().cast(), 0o400, dir, cap.stamps.get());
            b::debugfs_create_ulong(
                c"len".as_ptr().cast(),
                0o600,
                dir,
                addr_of_mut!((*cap.blob.get()).size),
            );
            b::debugfs_create_u32(c"delay_us".as_ptr().cast(), 0o600, dir, cap.delay_us.get());
            b::debugfs_create_u64(c"writes".as_ptr().cast(), 0o400, dir, cap.writes.get());
            b::debugfs_create_u64(
                c"writes_irqs_off".as_ptr().cast(),
                0o400,
                dir,
                cap.writes_irqs_off.get(),
            );
            b::debugfs_create_u64(
                c"writes_bh_off".as_ptr().cast(),
                0o400,
                dir,
                cap.writes_bh_off.get(),
            );
            b::debugfs_create_u64(c"busy_ns".as_ptr().cast(), 0o400, dir, cap.busy_ns.get());
            b::debugfs_create_u64(
                c"max_write_ns".as_ptr().cast(),
                0o600,
                dir,
                cap.max_write_ns.get(),
            );
            b::debugfs_create_u64(c"overflow".as_ptr().cast(), 0o400, dir, cap.overflow.get());
            b::debugfs_create_file(
                c"unregister".as_ptr().cast(),
                0o200,
                dir,
                cap_ptr as *mut _,
                &UNREGISTER_FOPS.0,
            );
            b::debugfs_create_file(
                c"console_start".as_ptr().cast(),
                0o200,
                dir,
                cap_ptr as *mut _,
                &CONSOLE_START_FOPS.0,
            );
            b::debugfs_create_file(
                c"hold_lock_ms".as_ptr().cast(),
                0o200,
                dir,
                cap_ptr as *mut _,
                &HOLD_LOCK_FOPS.0,
            );
            b::debugfs_create_file(
                c"urgent_burst".as_ptr().cast(),
                0o200,
                dir,
                cap_ptr as *mut _,
                &URGENT_BURST_FOPS.0,
            );
            b::debugfs_create_file(
                c"irqsoff_burst".as_ptr().cast(),
                0o200,
                dir,
                core::ptr::null_mut(),
                &IRQSOFF_BURST_FOPS.0,
            );
            if nmi_err == 0 {
                b::debugfs_create_file(
                    c"nmi_burst".as_ptr().cast(),
                    0o200,
                    dir,
                    core::ptr::null_mut(),
                    &NMI_BURST_FOPS.0,
                );
            }
            (*cap.con.get()).data = cap_ptr as *mut _;
            b::register_console(cap.con.get());
        }
        pr_info!("slowcon registered (capture {} MiB)\n", CAPACITY >> 20);
        Ok(Self { cap })
    }
}

impl Drop for SlowConsole {
    fn drop(&mut self) {
        // SAFETY: registered in init; after unregister_console() returns no write() runs.
        unsafe {
            unregister(&self.cap);
            b::debugfs_remove(self.cap.dir);
            // Registered in init unless its list is still empty; waits for running
            // handlers.
            let list = addr_of_mut!((*self.cap.nmi.get()).list);
            if (*list).next != list {
                b::unregister_nmi_handler(b::NMI_LOCAL, NMI_NAME.as_ptr().cast());
            }
            b::vfree((*self.cap.blob.get()).data);
            b::vfree((*self.cap.stamps.get()).data);
        }
    }
}
