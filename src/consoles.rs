// SPDX-License-Identifier: GPL-2.0

//! The consoles the module prints for: taking them over from the kernel, walking them
//! safely, writing to them, and handing them back.
//!
//! Ownership rule: a console is ours while it is in [`OwnedConsoles`] *and* disabled
//! (`CON_ENABLED` clear). Taking over calls `console_stop()`, which flushes the console's
//! backlog and clears `CON_ENABLED`, so the kernel's own printing (console_unlock() in the
//! printk caller) skips it. The kthreads then print it under `console_lock`, advancing the
//! console's own `seq` and `dropped` exactly as `console_emit_next_record()` would, so
//! handing back with `console_start()` resumes the kernel's direct printing at the exact
//! next record: no duplicate, no gap. If someone else re-enables a console (the serial core
//! does around suspend), the kernel owns it again and the kthreads leave it alone.
//!
//! Emergency mode hands the consoles to the kernel for a while by setting `CON_ENABLED`
//! again ([`OwnedConsoles::set_kernel_printing`]): the printk() caller then prints them
//! itself, from `con->seq` on, so the backlog comes first and order holds.

use crate::bindings as b;
use core::ptr::{addr_of, addr_of_mut, read_volatile, write_volatile};
use kernel::alloc::{flags::GFP_KERNEL, KVec};
use kernel::ffi::c_char;
use kernel::prelude::*;

/// Flags of consoles the module leaves to the kernel: boot consoles go away by themselves,
/// nbcon consoles have their own printing, extended (dictionary) output is not served.
const NOT_SERVED: i16 =
    (b::cons_flags_CON_BOOT | b::cons_flags_CON_NBCON | b::cons_flags_CON_EXTENDED) as i16;
const ENABLED: i16 = b::cons_flags_CON_ENABLED as i16;

/// `console_lock()` held; released on drop.
pub(crate) struct ConsoleLock(());

impl ConsoleLock {
    /// Takes `console_lock`, sleeping if needed.
    pub(crate) fn acquire() -> Self {
        // SAFETY: called from process context (the kthreads and module init/exit).
        unsafe { b::console_lock() };
        Self(())
    }

    /// Reschedules if needed while holding the lock (`console_conditional_schedule()`).
    pub(crate) fn cond_resched(&self) {
        // SAFETY: we hold console_lock, which is what makes this call valid.
        unsafe { b::console_conditional_schedule() };
    }
}

impl Drop for ConsoleLock {
    fn drop(&mut self) {
        // SAFETY: we hold console_lock (type invariant). console_unlock() also flushes the
        // consoles the kernel still prints itself.
        unsafe { b::console_unlock() };
    }
}

/// `console_list_lock()` held (the writers' lock of console flags); released on drop.
struct ConsoleListLock(());

impl ConsoleListLock {
    fn acquire() -> Self {
        // SAFETY: process context (callers of `set_kernel_printing(.., true)`).
        unsafe { b::console_list_lock() };
        Self(())
    }
}

impl Drop for ConsoleListLock {
    fn drop(&mut self) {
        // SAFETY: we hold the lock (type invariant).
        unsafe { b::console_list_unlock() };
    }
}

/// An SRCU read-side section of the console list: consoles seen in the list stay
/// registered (their memory valid) until it ends.
struct ConsoleListReader(i32);

impl ConsoleListReader {
    fn enter() -> Self {
        // SAFETY: no precondition; paired with `console_srcu_read_unlock` in drop.
        Self(unsafe { b::console_srcu_read_lock() })
    }

    /// Calls `f` for each registered console.
    fn for_each(&self, mut f: impl FnMut(*mut b::console)) {
        // SAFETY: `console_list` is an exported list head; under SRCU its nodes are valid.
        let mut node = unsafe { read_volatile(addr_of!(b::console_list.first)) };
        while !node.is_null() {
            // SAFETY: `node` is the `node` member of a registered `struct console`.
            let con = unsafe { node.byte_sub(core::mem::offset_of!(b::console, node)) }
                .cast::<b::console>();
            f(con);
            // SAFETY: `node` is valid under SRCU, see above.
            node = unsafe { read_volatile(addr_of!((*node).next)) };
        }
    }
}

impl Drop for ConsoleListReader {
    fn drop(&mut self) {
        // SAFETY: `self.0` is the cookie of the matching `console_srcu_read_lock()`.
        unsafe { b::console_srcu_read_unlock(self.0) };
    }
}

/// Reads a console's flags.
///
/// # Safety
///
/// `con` must be a registered console (in the list, under SRCU or `console_list_lock`).
unsafe fn flags(con: *mut b::console) -> i16 {
    // SAFETY: guaranteed by the caller; flags are written with WRITE_ONCE.
    unsafe { read_volatile(addr_of!((*con).flags)) }
}

/// A console's name as the kernel shows it (`ttyS0`), for log messages.
pub(crate) struct ConsoleName {
    buf: [u8; 24],
    len: usize,
}

impl ConsoleName {
    /// # Safety
    ///
    /// `con` must be a registered console.
    unsafe fn of(con: *mut b::console) -> Self {
        let mut out = Self {
            buf: [0; 24],
            len: 0,
        };
        // SAFETY: guaranteed by the caller; `name` is a NUL-padded array of 16 chars.
        let (name, index) = unsafe {
            (
                read_volatile(addr_of!((*con).name)),
                read_volatile(addr_of!((*con).index)),
            )
        };
        for &c in name.iter().take_while(|&&c| c != 0) {
            out.push(c as u8);
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

/// A console the module prints for, borrowed for one walk of the console list.
pub(crate) struct OwnedConsole<'a> {
    con: *mut b::console,
    _walk: core::marker::PhantomData<&'a ConsoleLock>,
}

impl OwnedConsole<'_> {
    /// The sequence number of the next record this console prints.
    pub(crate) fn seq(&self) -> u64 {
        // SAFETY: the console is registered for the walk's lifetime and `seq` of a console
        // the kernel does not print is only written under console_lock, which we hold.
        unsafe { read_volatile(addr_of!((*self.con).seq)) }
    }

    /// Sets the next record to print.
    pub(crate) fn set_seq(&self, seq: u64) {
        // SAFETY: as in `seq()`; console_lock serialises writers.
        unsafe { write_volatile(addr_of_mut!((*self.con).seq), seq) }
    }

    /// Takes the count of records dropped before this console could print them.
    pub(crate) fn take_dropped(&self) -> u64 {
        // SAFETY: as in `seq()`: `dropped` is protected by console_lock for legacy consoles.
        unsafe {
            let d = read_volatile(addr_of!((*self.con).dropped));
            write_volatile(addr_of_mut!((*self.con).dropped), 0);
            d as u64
        }
    }

    /// Adds records dropped before this console could print them.
    pub(crate) fn add_dropped(&self, n: u64) {
        // SAFETY: as in `take_dropped()`.
        unsafe {
            let d = read_volatile(addr_of!((*self.con).dropped));
            write_volatile(addr_of_mut!((*self.con).dropped), d.wrapping_add(n as _));
        }
    }

    /// Writes `text` to the console.
    pub(crate) fn write(&self, text: &[u8]) {
        if text.is_empty() {
            return;
        }
        // SAFETY: the console is registered; `write` was checked non-null at take-over and
        // does not change while registered. We hold console_lock, as legacy console
        // drivers expect (the VT console relies on it); interrupts stay enabled, as in
        // the kernel's own threaded legacy printing (PREEMPT_RT's pr/legacy).
        unsafe {
            if let Some(write) = (*self.con).write {
                write(self.con, text.as_ptr().cast::<c_char>(), text.len() as u32);
            }
        }
    }
}

/// The set of consoles taken over from the kernel.
///
/// # Invariants
///
/// Every address in `owned` is a console that was registered, enabled and legacy when it
/// was taken over; it is only dereferenced after being found in the console list.
pub(crate) struct OwnedConsoles {
    owned: KVec<usize>,
}

// SAFETY: the set only holds addresses; all access goes through the console list walk.
unsafe impl Send for OwnedConsoles {}
// SAFETY: as above.
unsafe impl Sync for OwnedConsoles {}

impl OwnedConsoles {
    /// Takes over every enabled legacy console the module can serve and logs the others.
    pub(crate) fn take_over() -> Result<Self> {
        let mut owned = KVec::new();
        let mut left = KVec::new();
        {
            let reader = ConsoleListReader::enter();
            let mut err = Ok(());
            reader.for_each(|con| {
                // SAFETY: `con` is registered for the duration of the walk.
                let (f, has_write) = unsafe { (flags(con), (*con).write.is_some()) };
                if f & ENABLED == 0 || err.is_err() {
                    return;
                }
                let push = if f & NOT_SERVED == 0 && has_write {
                    owned.push(con as usize, GFP_KERNEL)
                } else {
                    left.push(con as usize, GFP_KERNEL)
                };
                if let Err(e) = push {
                    err = Err(Error::from(e));
                }
            });
            err?;
        }
        for &addr in left.iter() {
            Self::with_registered(addr, |con| {
                // SAFETY: `con` is registered (found in the list).
                let name = unsafe { ConsoleName::of(con) };
                pr_info!(
                    "leaving console {} to the kernel (boot, nbcon or extended)\n",
                    name.as_str()
                );
            });
        }
        let set = Self { owned };
        for &addr in set.owned.iter() {
            // A console unregistered since the walk is skipped. console_stop() takes
            // console_list_lock and waits for SRCU readers, so it is called outside both.
            if Self::with_registered(addr, |_| ()).is_some() {
                // SAFETY: `addr` is a registered console (checked just above; consoles are
                // not unregistered while their driver is in use).
                unsafe { b::console_stop(addr as *mut b::console) };
                Self::with_registered(addr, |con| {
                    // SAFETY: `con` is registered (found in the list).
                    let name = unsafe { ConsoleName::of(con) };
                    pr_info!("took over console {}\n", name.as_str());
                });
            }
        }
        Ok(set)
    }

    /// Gives every owned console that is still registered and still disabled back to the
    /// kernel, which resumes printing it at its next record (`console_start()` also
    /// flushes what is pending, for up to a second).
    fn hand_back(&self) {
        for &addr in self.owned.iter() {
            let ours = Self::with_registered(addr, |con| {
                // SAFETY: `con` is registered (found in the list).
                unsafe { flags(con) & ENABLED == 0 }
            });
            if ours == Some(true) {
                // SAFETY: registered and disabled by us, see above.
                unsafe { b::console_start(addr as *mut b::console) };
            }
        }
    }

    /// Calls `f` with the console at `addr` if it is registered.
    fn with_registered<R>(addr: usize, f: impl FnOnce(*mut b::console) -> R) -> Option<R> {
        let reader = ConsoleListReader::enter();
        let mut found = None;
        reader.for_each(|con| {
            if con as usize == addr && found.is_none() {
                found = Some(con);
            }
        });
        found.map(f)
    }

    /// Lets the kernel print our consoles (`on`: emergency mode) or takes them back.
    ///
    /// `may_sleep` says whether the caller may take `console_list_lock`, the writers' lock
    /// of console flags. Without it (oops, NMI, irq context) the flag is set with an atomic
    /// read-modify-write, which cannot lose a concurrent atomic update but can race with a
    /// plain flag write under the lock: an accepted risk in an emergency. Taking back
    /// (`on == false`) always sleeps. Exclusion against printing needs nothing more: the
    /// kernel and the kthreads both print legacy consoles only under console_lock.
    pub(crate) fn set_kernel_printing(&self, on: bool, may_sleep: bool) {
        let _list = (may_sleep || !on).then(ConsoleListLock::acquire);
        let reader = ConsoleListReader::enter();
        reader.for_each(|con| {
            if self.owned.iter().any(|&a| a == con as usize) {
                // SAFETY: `con` is registered for the walk; `flags` is a naturally aligned
                // i16 that the kernel accesses with READ_ONCE/WRITE_ONCE.
                let flags =
                    unsafe { core::sync::atomic::AtomicI16::from_ptr(addr_of_mut!((*con).flags)) };
                if on {
                    flags.fetch_or(ENABLED, core::sync::atomic::Ordering::SeqCst);
                } else {
                    flags.fetch_and(!ENABLED, core::sync::atomic::Ordering::SeqCst);
                }
            }
        });
    }

    /// Number of consoles taken over.
    pub(crate) fn count(&self) -> usize {
        self.owned.len()
    }

    /// Calls `f` for each console the module currently prints for. Requires console_lock.
    pub(crate) fn for_each_ours(&self, _lock: &ConsoleLock, mut f: impl FnMut(&OwnedConsole<'_>)) {
        let reader = ConsoleListReader::enter();
        reader.for_each(|con| {
            // SAFETY: `con` is registered for the walk.
            if self.owned.iter().any(|&a| a == con as usize) && unsafe { flags(con) } & ENABLED == 0
            {
                f(&OwnedConsole {
                    con,
                    _walk: core::marker::PhantomData,
                });
            }
        });
    }

    /// The lowest next-record sequence number over the consoles we print for, if any.
    /// Racy without console_lock, which is fine for deciding whether to wake a printer.
    pub(crate) fn lowest_seq(&self) -> Option<u64> {
        let reader = ConsoleListReader::enter();
        let mut low: Option<u64> = None;
        reader.for_each(|con| {
            // SAFETY: `con` is registered for the walk.
            if self.owned.iter().any(|&a| a == con as usize) && unsafe { flags(con) } & ENABLED == 0
            {
                // SAFETY: as above; a torn read is impossible for an aligned u64 on 64-bit.
                let s = unsafe { read_volatile(addr_of!((*con).seq)) };
                low = Some(low.map_or(s, |l: u64| l.min(s)));
            }
        });
        low
    }
}

impl Drop for OwnedConsoles {
    /// Dropping the set (module unload, or a failed load after the take-over) hands the
    /// consoles back: the caller must have stopped the printer kthreads first.
    fn drop(&mut self) {
        self.hand_back();
    }
}
