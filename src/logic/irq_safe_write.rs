// SPDX-License-Identifier: GPL-2.0

//! Which console drivers may be written with interrupts on.
//!
//! The kernel writes legacy consoles with interrupts off (`console_emit_next_record()`),
//! and a driver may rely on that: a lock its `write()` takes with plain `spin_lock()` and
//! its interrupt handler takes too would deadlock if an interrupt came in between on the
//! same CPU. Interrupts off for a whole record, though, hold back every interrupt on the
//! printer's CPU for the record's console time, and the work they bring runs after the
//! record, between two writes. The drivers listed here protect what their `write()` shares
//! with interrupt handlers by themselves, so the printer writes them with interrupts and
//! softirqs on (preemption stays off, `console_lock` held), and interrupt work overlaps the
//! write as it does under `PREEMPT_RT`'s printer thread. Softirqs are interrupt work too:
//! a driver lock taken with `spin_lock_irqsave()` keeps them out as well, and none of them
//! can enter a console's `write()` without `console_lock`. Checked against 6.12:
//!
//! - `univ8250_console_write`, `serial8250_console_write` (8250 UARTs; the first is the
//!   console's `write()`, a call of the second): the port lock, `uart_port_lock_irqsave()`
//!   (a trylock when `oops_in_progress`);
//! - `write_msg`, `write_ext_msg` (netconsole): `target_list_lock`, `spin_lock_irqsave()`;
//! - `hvc_console_print` (hvc): no lock of its own; the backend's `put_chars()` (virtio:
//!   `outvq_lock`, Xen and DCC likewise, `spin_lock_irqsave()`; RISC-V SBI: a firmware
//!   call). The s390 and powerpc backends, which take plain locks that softirqs share,
//!   cannot be built with Rust in 6.12;
//! - `slow_write` (the test suite's `slow_console`, unmangled for this): touches nothing
//!   but its capture, which only `console_lock` holders write.
//!
//! Not the VT: `vt_console_print()` holds `printing_lock` (a plain `spin_trylock()`) for
//! the whole record. With interrupts on, `panic()`'s stop IPI can halt the printer's CPU
//! mid-write with the lock held, and `console_flush_on_panic()` then finds the VT locked
//! and shows nothing of the panic on the screen.
//!
//! A driver is recognised by the symbol of its `write()` (`sprint_symbol()`: `name+0x0/0x…`
//! with ` [module]` when it is a module), so a console of the same name from another
//! driver is not mistaken for one of these. Without kallsyms the symbol is an address and
//! every console is written with interrupts off, as before.

/// The `write()` functions known to be safe with interrupts on: the module each is in when
/// it is a module, and whether it may be built in instead.
const SAFE: [(&[u8], &[u8], bool); 6] = [
    (b"univ8250_console_write", b"8250", true),
    (b"serial8250_console_write", b"8250_base", true),
    (b"write_msg", b"netconsole", true),
    (b"write_ext_msg", b"netconsole", true),
    (b"hvc_console_print", b"", true),
    (b"slow_write", b"slow_console", false),
];

/// Whether the console whose `write()` has the symbol `symbol` (as `sprint_symbol()`
/// prints it) may be written with interrupts on.
pub(crate) fn writes_with_irqs_on(symbol: &[u8]) -> bool {
    let symbol = symbol.split(|&c| c == 0).next().unwrap_or(&[]);
    let (head, module) = match symbol.iter().position(|&c| c == b' ') {
        Some(i) => (&symbol[..i], Some(&symbol[i + 1..])),
        None => (symbol, None),
    };
    let Some(plus) = head.iter().position(|&c| c == b'+') else {
        return false;
    };
    let (name, offset) = (&head[..plus], &head[plus + 1..]);
    // The function itself, not a pointer into the middle of something.
    if !offset.starts_with(b"0x0/") {
        return false;
    }
    // ` [module]`, or ` [module buildid]` with CONFIG_STACKTRACE_BUILD_ID.
    let module = match module {
        None => None,
        Some(m) => {
            let Some(inner) = m.strip_prefix(b"[").and_then(|m| m.strip_suffix(b"]")) else {
                return false;
            };
            Some(inner.split(|&c| c == b' ').next().unwrap_or(&[]))
        }
    };
    SAFE.iter().any(|&(safe, home, built_in)| {
        safe == name
            && match module {
                None => built_in,
                Some(m) => !home.is_empty() && m == home,
            }
    })
}
