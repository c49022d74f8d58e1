#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""In the VM: write N lines "rpo-WHAT i" to /dev/kmsg as fast as possible, report the
backlog left for the consoles, then end the system at once: "panic" (sysrq crash),
"reboot", "poweroff" or "halt" (reboot(2), as reboot -f, poweroff -f and halt -f do) or
"reset" (sysrq b: emergency_restart(), which runs no notifier); or "oops" (load a module whose init oopses, which the system
survives), then 100 more lines, and report whether the kthreads printed them.

    flood_then.py panic|reboot|poweroff|halt|reset|oops N [OOPS_MODULE] [TAG]

TAG (default: WHAT) names the lines. The backlog is the module's own figure when its
statistics are there, else the lines written that the slow console has not shown yet
(the statistics are not there while the module loads or unloads).
"""
import ctypes
import os
import subprocess
import sys
import time

STATS = "/proc/sys/kernel/printk_offload/stats"
CAPTURE = "/sys/kernel/debug/slow_console/log"


def stats():
    with open(STATS) as f:
        return {k: int(v) for k, v in (line.split() for line in f) if v.isdigit()}


def backlog(tag, n):
    if os.path.exists(STATS):
        return stats()["backlog"]
    with open(CAPTURE, "rb") as f:
        shown = f.read().count(f"] rpo-{tag} ".encode())
    return n - shown


def main():
    what, n = sys.argv[1], int(sys.argv[2])
    tag = sys.argv[4] if len(sys.argv) > 4 else what
    fd = os.open("/dev/kmsg", os.O_WRONLY)
    for i in range(1, n + 1):
        os.write(fd, f"rpo-{tag} {i}\n".encode())
    report = f"rpo-crash-test: {n} lines written, backlog {backlog(tag, n)}\n"
    os.write(fd, report.encode())
    # Also on stdout (the host keeps it), for when the end loses the kernel log's tail.
    sys.stdout.write(report)
    sys.stdout.flush()
    if what == "oops":
        s0 = stats()
        rc = subprocess.run(["insmod", sys.argv[3]]).returncode
        s1 = stats()
        for i in range(1, 101):
            os.write(fd, f"rpo-oops-after {i}\n".encode())
        # Offloading resumes once the oops and the urgent records after it are printed.
        end = time.time() + 120
        while (stats()["backlog"] or stats()["emergency"]) and time.time() < end:
            time.sleep(0.5)
        s2 = stats()
        for i in range(1, 51):
            os.write(fd, f"rpo-oops-later {i}\n".encode())
        while stats()["backlog"] and time.time() < end:
            time.sleep(0.5)
        s = stats()
        os.write(fd, (f"rpo-crash-test: after the oops (insmod rc {rc}): emergency entries "
                      f"+{s1['emergency_entries'] - s0['emergency_entries']}, records printed synchronously "
                      f"+{s1['records_sync'] - s0['records_sync']}; now emergency {s['emergency']}, "
                      f"offloaded {s['records_offloaded'] - s2['records_offloaded']}, backlog {s['backlog']}\n").encode())
        time.sleep(1)
        return 0
    if what in ("panic", "reset"):
        with open("/proc/sysrq-trigger", "w") as f:
            f.write("c" if what == "panic" else "b")
    else:
        # LINUX_REBOOT_CMD_POWER_OFF, _HALT, _RESTART
        cmd = {"poweroff": 0x4321FEDC, "halt": 0xCDEF0123}.get(what, 0x01234567)
        ctypes.CDLL(None, use_errno=True).reboot(cmd)
    return 1


sys.exit(main())
