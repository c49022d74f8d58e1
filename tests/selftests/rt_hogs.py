#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""rt_hogs.py SECONDS CPU...: SCHED_FIFO 99 busy loops, one pinned to each CPU, let loose
together for SECONDS when this process gets SIGUSR1; it prints "ready" when they wait.

Started beforehand, so that their start-up (new processes for the emulator to translate,
a shell sharing a CPU with a busy kthread) is not part of what a test measures. This
process also runs at priority 99, on the last CPU: it wakes the other hogs first, then
waits, which lets the last CPU's hog run.
"""
import os
import signal
import sys
import time


def fifo99(cpu):
    os.sched_setaffinity(0, {cpu})
    os.sched_setscheduler(0, os.SCHED_FIFO, os.sched_param(99))


def main():
    seconds, cpus = float(sys.argv[1]), [int(c) for c in sys.argv[2:]]
    signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGUSR1})
    gates, kids = [], []
    for cpu in cpus:
        r, w = os.pipe()
        pid = os.fork()
        if pid == 0:
            os.close(w)
            fifo99(cpu)
            os.read(r, 1)
            start = time.monotonic()
            end = start + seconds
            while time.monotonic() < end:
                pass
            with open("/proc/self/stat") as f:
                on = f.read().rsplit(")", 1)[1].split()[36]
            print(f"hog on CPU {on} (pinned to {cpu}): policy {os.sched_getscheduler(0)},"
                  f" ran {start:.3f} to {time.monotonic():.3f}", flush=True)
            os._exit(0)
        os.close(r)
        gates.append(w)
        kids.append(pid)
    fifo99(cpus[-1])
    print("ready", flush=True)
    signal.sigwait({signal.SIGUSR1})
    print(f"let loose at {time.monotonic():.3f}", flush=True)
    for w in gates:
        os.write(w, b"x")
    for pid in kids:
        os.waitpid(pid, 0)


if __name__ == "__main__":
    main()
