#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Print the output-fidelity sequence (tests/selftests/output_fidelity.sh), ending with the
line "TAG end" at KERN_ERR, and restore the settings it changes.

    fidelity_sequence.py TAG
"""
import os
import sys
import time

tag = sys.argv[1]
PRINTK = "/proc/sys/kernel/printk"
TIME = "/sys/module/printk/parameters/time"


def put(path, value):
    with open(path, "w") as f:
        f.write(value)


def kmsg(text):
    os.write(fd, text.encode())


STATS = "/proc/sys/kernel/printk_offload/stats"


def caught_up():
    """Whether every console the module prints has printed everything (no module: yes)."""
    try:
        with open(STATS) as f:
            return any(l.split() == ["backlog", "0"] for l in f)
    except FileNotFoundError:
        return True


def wait_for(line, timeout=10):
    """Waits until the slow console's capture holds `line` and every console is caught up
    (goes on after `timeout`: the comparison of the captures then shows what is missing)."""
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        with open("/sys/kernel/debug/slow_console/log", "rb") as f:
            if line.encode() in f.read() and caught_up():
                return
        time.sleep(0.05)
    print(f"waited {timeout} s for {line!r} on the consoles")


fd = os.open("/dev/kmsg", os.O_WRONLY)
saved_printk = open(PRINTK).read().split()[0]
saved_time = open(TIME).read().strip()
try:
    put(PRINTK, "8")
    for level in range(8):
        kmsg(f"<{level}>{tag} level {level}\n")
    # A quiet console loglevel: only levels 0-3 reach the console...
    put(PRINTK, "4")
    for level in range(8):
        kmsg(f"<{level}>{tag} quiet level {level}\n")
    # ...but sysrq raises it for its own lines (with continuations: HELP lists the keys).
    put("/proc/sysrq-trigger", "h")
    put("/proc/sysrq-trigger", "5")  # "Loglevel set to 5", at the raised level too
    kmsg(f"<4>{tag} at loglevel 5, level 4\n")
    kmsg(f"<5>{tag} at loglevel 5, level 5\n")
    put(PRINTK, "4")
    # printk.time applies when a record is formatted for a console: the module formats it
    # when a kthread prints it, not when it is stored (a limit: see README). So the switch
    # is made with the console caught up, and undone once the record was printed.
    wait_for(f"{tag} at loglevel 5, level 4\n")
    put(TIME, "N")
    kmsg(f"<3>{tag} without a timestamp\n")
    wait_for(f"{tag} without a timestamp\n")
    put(TIME, "Y")
    # A short record of three lines, the middle one empty: every line gets the prefix.
    kmsg(f"<3>{tag} short multi-line, first\n\n{tag} short multi-line, third\n")
    # One record of 1000 bytes in 125 lines: with a timestamp on every line the console
    # text passes 2 KiB and is cut where the kernel's console buffer ends.
    body = "\n".join(f"{tag} long line {i:03d}" for i in range(1, 126))
    kmsg(f"<3>{body[:1000 - 4]}\n")
    kmsg(f"<3>{tag} end\n")
finally:
    put(PRINTK, saved_printk)
    put(TIME, saved_time)
