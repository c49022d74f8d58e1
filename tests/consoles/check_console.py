#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Verdict of a real-console test (scripts/console-test.sh), from what the console got.

    check_console.py WHICH SERIAL_LOG CAPTURE GUEST_OUTPUT LINES_PER_CPU [EXT_CAPTURE]

WHICH is ttyS0, hvc0, tty0 or netconsole. CAPTURE is the console's own output (for tty0,
unused: the screen is in GUEST_OUTPUT). Checks, for consoles with a byte stream: the
fidelity sequence printed without and with the module came out the same (timestamps
masked); every flood line once, in order, per CPU. For the VT: the screen's last lines are
flood lines in order, then the end marker. For netconsole also the extended target (left
to the kernel): every flood line once, in order (netconsole's captures are in the order
netpoll built the frames: netcon_receiver.py). And the module took the console over (or
left the extended one to the kernel), as its log says. Prints "ok - ..." or "not ok - ...".
"""
import re
import sys

STAMP = re.compile(r"\[ *\d+\.\d{6}\]")


def text_lines(path):
    try:
        with open(path, "rb") as f:
            return f.read().decode("utf-8", "replace").replace("\r", "").split("\n")
    except FileNotFoundError:
        return []


def section(lines, name):
    begin = f"rpo-console: {name} begin"
    end = f"rpo-console: {name} end"
    out, inside = [], False
    for line in lines:
        if begin in line:
            inside = True
            continue
        if end in line:
            return out
        if inside:
            out.append(STAMP.sub("[T]", line))
    return None


def flood_problem(lines, cpus, n, label):
    for c in cpus:
        nums = [int(m.group(1)) for m in (re.search(rf"rpo-cflood-{c} (\d+)\b", l) for l in lines) if m]
        for i, v in enumerate(nums, 1):
            if v != i:
                return f"{label}: CPU {c}'s line {i} is #{v}"
        if len(nums) != n:
            return f"{label}: {len(nums)} of CPU {c}'s {n} lines"
    return None


def main():
    which, serial, capture, guest, n = sys.argv[1:6]
    n = int(n)
    ext = sys.argv[6] if len(sys.argv) > 6 else None
    log = text_lines(serial)
    cpus = sorted({int(m.group(1)) for l in log for m in [re.search(r"rpo-cflood-(\d+) 1$", l)] if m})
    problems = []
    name = {"ttyS0": "ttyS0", "hvc0": "hvc0", "tty0": "tty0", "netconsole": "netcon0"}[which]
    if not any(f"rust_printk_offload: took over console {name}" in l for l in log):
        problems.append(f"the module did not take over {name}")
    # 8250, hvc and netconsole protect their write() from interrupts themselves: the module
    # must have recognised them and write them with interrupts on (irqs_on_write, the
    # default). The VT must not be: its write() holds a lock that a panic's stop IPI would
    # leave held.
    elif which != "tty0" and not any(
            f"rust_printk_offload: took over console {name} (its driver allows writes with interrupts on)" in l
            for l in log):
        problems.append(f"{name} was not recognised as a driver that allows writes with interrupts on")
    elif which == "tty0" and any(f"took over console {name} (its driver allows" in l for l in log):
        problems.append(f"{name} was taken as a driver that allows writes with interrupts on")
    if not cpus:
        problems.append("no flood (no CPU's first line in the log)")
    if which == "tty0":
        g = text_lines(guest)
        try:
            screen = g[g.index("rpo-vcs-begin") + 1:g.index("rpo-vcs-end")]
        except ValueError:
            screen = []
        rows = [l for l in screen if l.strip()]
        flood = [(int(m.group(1)), int(m.group(2))) for m in (re.search(r"rpo-cflood-(\d+) (\d+)", l) for l in rows) if m]
        last = {}
        for c, v in flood:
            if v <= last.get(c, 0):
                problems.append(f"screen: CPU {c}'s line #{v} after #{last[c]}")
                break
            last[c] = v
        if not flood or max(last.values()) != n:
            problems.append(f"screen: the last flood lines are not there ({last})")
        if not rows or "flood end" not in rows[-1]:
            problems.append(f"screen: the last row is not the end marker ({rows[-1:]})")
        verdict = f"the VT screen ends with the flood's last lines in order ({last}) and the end marker"
    else:
        lines = text_lines(capture)
        stock, offload = section(lines, "stock"), section(lines, "offload")
        if stock is None or offload is None:
            problems.append("the fidelity sequence's markers are missing from the console")
        elif not any("sysrq: HELP" in l for l in stock):
            problems.append("the stock sequence lacks sysrq's lines")
        elif stock != offload:
            diff = next((f"line {i}: {a!r} / {b!r}" for i, (a, b) in enumerate(zip(stock, offload), 1) if a != b),
                        f"{len(stock)} lines / {len(offload)} lines")
            problems.append(f"output with the module differs from the kernel's: {diff}")
        p = flood_problem(lines, cpus, n, name)
        if p:
            problems.append(p)
        verdict = (f"{len(stock or [])} lines of the fidelity sequence identical with and without the module; "
                   f"{n} flood lines from each of CPUs {cpus} once, in order")
    if which == "netconsole":
        m = next((re.search(r"debug_locks (\d*)", l) for l in log if "lockdep after the flood through the module" in l), None)
        if not m or m.group(1) != "1":
            problems.append(f"lockdep was not on after the flood through the module ({m.group(1) if m else 'no report'})")
        else:
            verdict += "; lockdep quiet through the module's flood"
    if ext is not None:
        ext_lines = [l.split(";", 1)[1] for l in text_lines(ext) if ";" in l]
        p = flood_problem(ext_lines, cpus, n, "netcon_ext (extended)")
        if p:
            problems.append(p)
        if not any("rust_printk_offload: leaving console netcon_ext" in l for l in log):
            problems.append("the module did not leave the extended console to the kernel")
        verdict += "; the extended target, left to the kernel, got every flood line once, in order"
    if problems:
        print(f"not ok - {which}: " + "; ".join(problems))
        return 1
    print(f"ok - {which}: {verdict}")
    return 0


sys.exit(main())
