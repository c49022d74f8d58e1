// SPDX-License-Identifier: GPL-2.0

//! The kernel's console list and console lock, for the engine: walking the registered
//! consoles under SRCU, reading and changing their flags, and writing to a console while
//! holding `console_lock`, the lock under which the kernel itself prints legacy consoles
//! (so that a console is printed by the kernel or by the module, never by both at once).

use crate::bindings as b;
use crate::logic::console_report::ConsoleFacts;
use core::cell::UnsafeCell;
use core::marker::PhantomData;
use core::ptr::{addr_of, addr_of_mut, read_volatile, write_volatile};
use core::sync::atomic::{AtomicI16, Ordering};
use kernel::alloc::{flags::GFP_KERNEL, KVec};
use kernel::ffi::c_char;

const ENABLED: i16 = b::cons_flags_CON_ENABLED as i16;
const SUSPENDED: i16 = b::cons_flags_CON_SUSPENDED as i16;
/// Consoles the module leaves to the kernel: boot consoles go away by themselves, nbcon
/// consoles have their own printing, extended (dictionary) output is formatted differently.
const NOT_SERVED: i16 =
    (b::cons_flags_CON_BOOT | b::cons_flags_CON_NBCON | b::cons_flags_CON_EXTENDED) as i16;

/// `console_lock` held; released (with `console_unlock()`, which also lets the kernel print
/// the consoles it owns) on drop.
///
/// # Invariants
///
/// The holder owns `console_lock`: at most one value of this type exists at a time.
#[must_use]
pub(crate) struct ConsoleLock(PhantomData<*mut ()>);

impl ConsoleLock {
    /// Takes `console_lock`, sleeping until it is free. Process context. Its release
    /// (`console_unlock()`) then prints what the consoles the kernel owns are owed as
    /// the kernel's own sleeping lock holder does: each record in its own interrupts-off
    /// section, `cond_resched()` between records (`console_may_schedule`).
    pub(crate) fn acquire() -> Self {
        // SAFETY: no memory-safety precondition; a sleeping lock taken where sleeping is
        // not allowed is a bug `CONFIG_DEBUG_ATOMIC_SLEEP` reports. The callers may sleep.
        // INVARIANT: console_lock() returns with the lock held.
        unsafe { b::console_lock() };
        Self(PhantomData)
    }

    /// Takes `console_lock` if it is free, without sleeping (any context but NMI).
    pub(crate) fn try_acquire() -> Option<Self> {
        // SAFETY: console_trylock() may be called in any context but NMI; the printer calls
        // it with interrupts off.
        // INVARIANT: a non-zero return means we now hold the lock.
        (unsafe { b::console_trylock() } != 0).then(|| Self(PhantomData))
    }
}

impl Drop for ConsoleLock {
    fn drop(&mut self) {
        // `console_unlock()` prints what the consoles the kernel owns are owed, with
        // interrupts on between records only if they are on here: released with them off,
        // it would print that backlog in one interrupts-off section. Outside an oops (which
        // runs with them off anyway) that is a defect, and the test build says so with a
        // `BUG:` line, which fails the harness's log scan whether or not a backlog was there.
        // Once: the line is itself a record to print.
        #[cfg(rpo_test_hooks)]
        if super::irqs::irqs_disabled() && !super::kernel_state::oops_in_progress() {
            static SAID: core::sync::atomic::AtomicBool =
                core::sync::atomic::AtomicBool::new(false);
            if !SAID.swap(true, core::sync::atomic::Ordering::Relaxed) {
                kernel::pr_err!("BUG: console_lock released with interrupts off\n");
            }
        }
        // SAFETY: we hold console_lock (type invariant).
        unsafe { b::console_unlock() };
    }
}

/// Data only the holder of `console_lock` may touch (the printer's record buffer).
///
/// # Invariants
///
/// The value is reached only through `attach`, which consumes the one `ConsoleLock`.
pub(crate) struct ConsoleLocked<T>(UnsafeCell<T>);

// SAFETY: by the type invariant, every access holds the one `ConsoleLock`, so accesses from
// different threads are serialised; `T: Send` because the value moves between them.
unsafe impl<T: Send> Sync for ConsoleLocked<T> {}

impl<T> ConsoleLocked<T> {
    /// Wraps `v`.
    pub(crate) fn new(v: T) -> Self {
        Self(UnsafeCell::new(v))
    }

    /// Joins the data to the held `console_lock`: the result gives both, for as long as
    /// the lock is held.
    pub(crate) fn attach(&self, lock: ConsoleLock) -> WithData<'_, T> {
        WithData {
            lock,
            // SAFETY: there is one `ConsoleLock` at a time (its invariant) and it moves
            // into the result, which the reference cannot outlive: no other reference to
            // the data can exist meanwhile.
            data: unsafe { &mut *self.0.get() },
        }
    }
}

/// `console_lock` held, with the data it guards.
pub(crate) struct WithData<'a, T> {
    /// The lock (released when this is dropped).
    pub(crate) lock: ConsoleLock,
    /// The guarded data.
    pub(crate) data: &'a mut T,
}

/// `console_list_lock()` held, the lock of console registration and of flag writers.
#[must_use]
pub(crate) struct ConsoleListLock(PhantomData<*mut ()>);

impl ConsoleListLock {
    /// Takes the lock (a mutex). Process context.
    pub(crate) fn acquire() -> Self {
        // SAFETY: no memory-safety precondition; a mutex taken where sleeping is not
        // allowed is a bug lockdep and `CONFIG_DEBUG_ATOMIC_SLEEP` report. The callers may
        // sleep.
        unsafe { b::console_list_lock() };
        Self(PhantomData)
    }
}

impl Drop for ConsoleListLock {
    fn drop(&mut self) {
        // SAFETY: we hold the lock (taken in `acquire`).
        unsafe { b::console_list_unlock() };
    }
}

/// An SRCU read-side section of the console list: a console seen in the list stays valid
/// until the section ends, even if it is unregistered meanwhile (`unregister_console()`
/// removes it from the list, then waits for the readers that may have seen it in
/// `synchronize_srcu()` before calling its `exit()`). Any context, NMI included; in
/// process context the section may sleep (SRCU), and delays unregistrations while it
/// lasts.
///
/// # Invariants
///
/// `cookie` is what `console_srcu_read_lock()` returned for this section; it is passed to
/// `console_srcu_read_unlock()` once, on drop.
#[must_use]
pub(crate) struct ConsoleListReader {
    cookie: i32,
    _not_send: PhantomData<*mut ()>,
}

impl ConsoleListReader {
    /// Enters the read-side section.
    pub(crate) fn enter() -> Self {
        // SAFETY: no precondition; paired with `console_srcu_read_unlock` in drop.
        let cookie = unsafe { b::console_srcu_read_lock() };
        // INVARIANT: `cookie` is this section's.
        Self {
            cookie,
            _not_send: PhantomData,
        }
    }

    /// Calls `f` for each registered console.
    pub(crate) fn for_each<'a>(&'a self, mut f: impl FnMut(ConsoleRef<'a>)) {
        // SAFETY: `console_list` is an exported list head; under SRCU its nodes are valid.
        let mut node = unsafe { read_volatile(addr_of!(b::console_list.first)) };
        while !node.is_null() {
            // SAFETY: `node` is the `node` member of a registered `struct console`.
            let con = unsafe { node.byte_sub(core::mem::offset_of!(b::console, node)) }
                .cast::<b::console>();
            // INVARIANT: `con` was in the list in this section, so it stays valid until the
            // section ends.
            f(ConsoleRef {
                con,
                _section: PhantomData,
            });
            // SAFETY: `node` is still the node of a console registered in this section.
            node = unsafe { read_volatile(addr_of!((*node).next)) };
        }
    }

    /// The console at `addr`, if it is registered.
    pub(crate) fn find(&self, addr: usize) -> Option<ConsoleRef<'_>> {
        let mut found = None;
        self.for_each(|c| {
            if c.addr() == addr && found.is_none() {
                found = Some(c);
            }
        });
        found
    }
}

impl Drop for ConsoleListReader {
    fn drop(&mut self) {
        // SAFETY: `cookie` is the section's (type invariant), unlocked only here.
        unsafe { b::console_srcu_read_unlock(self.cookie) };
    }
}

/// A console seen in the list, borrowed for one read-side section of the console list.
///
/// # Invariants
///
/// `con` was in the console list within the reader's section, and so is valid (its
/// `exit()` not called) for the lifetime `'a` of that section, registered or not.
#[derive(Clone, Copy)]
pub(crate) struct ConsoleRef<'a> {
    con: *mut b::console,
    _section: PhantomData<&'a ConsoleListReader>,
}

impl<'a> ConsoleRef<'a> {
    /// The console's address, its identity while it is registered.
    pub(crate) fn addr(&self) -> usize {
        self.con as usize
    }

    /// The symbol of its `write()` as `sprint_symbol()` prints it (`name+0x0/0x… [module]`;
    /// an address without kallsyms), NUL-terminated; empty if the buffer could not be
    /// allocated. Process context.
    pub(crate) fn write_symbol(&self) -> KVec<u8> {
        // KSYM_SYMBOL_LEN: a 511-byte name, a module name, a build ID and two offsets.
        const LEN: usize = 1024;
        let Ok(mut out) = KVec::from_elem(0u8, LEN, GFP_KERNEL) else {
            return KVec::new();
        };
        // SAFETY: valid (type invariant); `write` is constant until the console's exit().
        let write = unsafe { (*self.con).write };
        if let Some(f) = write {
            // SAFETY: `out` holds more than KSYM_SYMBOL_LEN bytes, the most
            // `sprint_symbol()` writes (with its NUL).
            unsafe { b::sprint_symbol(out.as_mut_ptr().cast(), f as usize as _) };
        }
        out
    }

    fn flags(&self) -> i16 {
        // SAFETY: valid (type invariant); flags are written with WRITE_ONCE or, by us,
        // atomically.
        unsafe { read_volatile(addr_of!((*self.con).flags)) }
    }

    /// Whether the kernel prints it (`CON_ENABLED`).
    pub(crate) fn enabled(&self) -> bool {
        self.flags() & ENABLED != 0
    }

    /// Whether it is suspended (`CON_SUSPENDED`, during system suspend): nobody prints it.
    pub(crate) fn suspended(&self) -> bool {
        self.flags() & SUSPENDED != 0
    }

    /// What the `consoles` file reports of it (the `held`, `slots_full` and
    /// `kernel_prints` facts are the caller's).
    pub(crate) fn facts(&self) -> ConsoleFacts {
        let flags = self.flags();
        // SAFETY: valid (type invariant); `write` does not change until its exit().
        let has_write = unsafe { (*self.con).write.is_some() };
        let has = |f: u32| flags & f as i16 != 0;
        ConsoleFacts {
            enabled: flags & ENABLED != 0,
            suspended: flags & SUSPENDED != 0,
            boot: has(b::cons_flags_CON_BOOT),
            nbcon: has(b::cons_flags_CON_NBCON),
            extended: has(b::cons_flags_CON_EXTENDED),
            has_write,
            ..ConsoleFacts::default()
        }
    }

    /// Whether the module can print it: a legacy console with a write() that is neither a
    /// boot, an nbcon nor an extended console.
    pub(crate) fn servable(&self) -> bool {
        // SAFETY: valid (type invariant); `write` does not change until its exit().
        let has_write = unsafe { (*self.con).write.is_some() };
        has_write && self.flags() & NOT_SERVED == 0
    }

    /// Sets or clears `CON_ENABLED` with an atomic read-modify-write, so that concurrent
    /// atomic updates are never lost. The kernel's own flag writers work under
    /// `console_list_lock` (callers that can sleep hold it too).
    pub(crate) fn set_enabled(&self, on: bool) {
        // SAFETY: valid (type invariant); `flags` is a naturally aligned i16 that the
        // kernel accesses with READ_ONCE/WRITE_ONCE.
        let flags = unsafe { AtomicI16::from_ptr(addr_of_mut!((*self.con).flags)) };
        if on {
            flags.fetch_or(ENABLED, Ordering::SeqCst);
        } else {
            flags.fetch_and(!ENABLED, Ordering::SeqCst);
        }
    }

    /// The sequence number of the next record this console prints (racy without
    /// console_lock: an aligned u64 on 64-bit, so never torn).
    pub(crate) fn seq(&self) -> u64 {
        // SAFETY: valid (type invariant).
        unsafe { read_volatile(addr_of!((*self.con).seq)) }
    }

    /// Its name as the kernel shows it (`ttyS0`).
    pub(crate) fn name(&self) -> ConsoleName {
        let mut out = ConsoleName {
            buf: [0; 24],
            len: 0,
        };
        // SAFETY: valid (type invariant); `name` is a NUL-padded array of 16 chars.
        let (name, index) = unsafe {
            (
                read_volatile(addr_of!((*self.con).name)),
                read_volatile(addr_of!((*self.con).index)),
            )
        };
        for &c in name.iter().take_while(|&&c| c != 0) {
            out.push(c);
        }
        if index >= 0 {
            let mut digits = [0u8; 20];
            let nd = crate::logic::decimal::write_u64(index as u64, &mut digits).unwrap_or(0);
            for &d in &digits[..nd] {
                out.push(d);
            }
        }
        out
    }

    /// The console for printing, which needs `console_lock`.
    pub(crate) fn locked<'b>(&self, _lock: &'b ConsoleLock) -> LockedConsole<'b>
    where
        'a: 'b,
    {
        // INVARIANT: registered for `'a`, which outlives `'b`; console_lock held for `'b`.
        LockedConsole {
            con: self.con,
            _lock: PhantomData,
        }
    }
}

/// A registered console while the caller holds `console_lock`: its `seq` and `dropped`,
/// which the kernel only changes under that lock for legacy consoles, and its write().
///
/// # Invariants
///
/// `con` is registered and console_lock is held for the lifetime `'a`.
pub(crate) struct LockedConsole<'a> {
    con: *mut b::console,
    _lock: PhantomData<&'a ConsoleLock>,
}

impl LockedConsole<'_> {
    /// The sequence number of the next record it prints.
    pub(crate) fn seq(&self) -> u64 {
        // SAFETY: see the type invariants.
        unsafe { read_volatile(addr_of!((*self.con).seq)) }
    }

    /// Sets the next record to print.
    pub(crate) fn set_seq(&self, seq: u64) {
        // SAFETY: see the type invariants; console_lock serialises writers.
        unsafe { write_volatile(addr_of_mut!((*self.con).seq), seq) }
    }

    /// Takes the count of records dropped before it could print them.
    pub(crate) fn take_dropped(&self) -> u64 {
        // SAFETY: see the type invariants.
        unsafe {
            let d = read_volatile(addr_of!((*self.con).dropped));
            write_volatile(addr_of_mut!((*self.con).dropped), 0);
            d as u64
        }
    }

    /// Adds records dropped before it could print them.
    pub(crate) fn add_dropped(&self, n: u64) {
        // SAFETY: see the type invariants.
        unsafe {
            let d = read_volatile(addr_of!((*self.con).dropped));
            write_volatile(addr_of_mut!((*self.con).dropped), d.wrapping_add(n as _));
        }
    }

    /// Writes `text` with the driver's write(). The caller keeps interrupts off, as the
    /// kernel's console path does for legacy drivers, unless the driver does not need it
    /// (`logic/irq_safe_write.rs`).
    pub(crate) fn write(&self, text: &[u8]) {
        if text.is_empty() {
            return;
        }
        // SAFETY: valid (type invariant), `write` checked non-null by `servable()` before
        // the console was taken over and constant until its exit(); console_lock is held,
        // as legacy drivers expect (the VT console relies on it).
        unsafe {
            if let Some(write) = (*self.con).write {
                write(self.con, text.as_ptr().cast::<c_char>(), text.len() as u32);
            }
        }
    }
}

/// A console's name (`ttyS0`), kept as text (it outlives the console's registration).
#[derive(Clone, Copy)]
pub(crate) struct ConsoleName {
    buf: [u8; 24],
    len: usize,
}

impl ConsoleName {
    /// No name.
    pub(crate) const fn empty() -> Self {
        Self {
            buf: [0; 24],
            len: 0,
        }
    }

    /// A name kept as NUL-padded bytes.
    pub(crate) fn from_padded(bytes: &[u8]) -> Self {
        let mut out = Self::empty();
        for &c in bytes.iter().take_while(|&&c| c != 0) {
            out.push(c);
        }
        out
    }

    fn push(&mut self, c: u8) {
        if self.len < self.buf.len() {
            self.buf[self.len] = c;
            self.len += 1;
        }
    }

    /// The name as text.
    pub(crate) fn as_str(&self) -> &str {
        core::str::from_utf8(&self.buf[..self.len]).unwrap_or("?")
    }
}
