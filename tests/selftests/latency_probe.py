#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""latency_probe.py CPU STOPFILE OUT [READY]: the longest time CPU could not run a real-time task.

A SCHED_FIFO thread pinned to CPU sleeps 1 ms at a time and keeps the longest interval
between two of its wake-ups (cyclictest's measure). A CPU that runs with interrupts or
preemption off, or in a kernel loop without a scheduling point, delays the wake-up by as
long. When STOPFILE exists, writes that longest interval in microseconds to OUT. READY,
if given, is created once the probe runs on CPU at real-time priority: a stall before
that is not seen (the interpreter may take seconds to start under TCG).
"""
import os
import sys
import time


def main():
    cpu, stop, out = int(sys.argv[1]), sys.argv[2], sys.argv[3]
    os.sched_setaffinity(0, {cpu})
    os.sched_setscheduler(0, os.SCHED_FIFO, os.sched_param(90))
    worst = 0
    n = 0
    last = time.monotonic_ns()
    if len(sys.argv) > 4:
        open(sys.argv[4], "w").close()
    while True:
        time.sleep(0.001)
        now = time.monotonic_ns()
        worst = max(worst, now - last)
        last = now
        n += 1
        if n % 32 == 0 and os.path.exists(stop):
            break
    with open(out, "w") as f:
        f.write(f"{worst // 1000}\n")


if __name__ == "__main__":
    main()
