#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""delete_module.py NAME FIFO [NICE]: unloads module NAME once a line can be read from FIFO.

The delete_module() system call that rmmod makes (O_NONBLOCK), from a process started
beforehand: a test that unloads under a flood, which leaves a new process long to start,
begins the unload the moment it asks. Started as a real-time task, it wakes at once and
makes the call as an ordinary one (SCHED_OTHER, at NICE, default 0), as rmmod would run.
Exits 0 when the module is gone, else with errno.
"""
import ctypes
import os
import sys

SYS_DELETE_MODULE = 176  # x86_64
SYS_GETPID = 39


def main():
    name, fifo = sys.argv[1], sys.argv[2]
    nice = int(sys.argv[3]) if len(sys.argv) > 3 else 0
    libc = ctypes.CDLL(None, use_errno=True)
    # Everything the call needs, done once before: the nice value (it applies once the
    # task is SCHED_OTHER), and the ctypes path through a harmless system call, so that
    # nothing is first looked up or paged in from the 9p root while a flood runs.
    os.setpriority(os.PRIO_PROCESS, 0, nice)
    libc.syscall(SYS_GETPID)
    arg = name.encode()
    with open(fifo, "rb") as f:
        f.readline()
    os.sched_setscheduler(0, os.SCHED_OTHER, os.sched_param(0))
    if libc.syscall(SYS_DELETE_MODULE, arg, os.O_NONBLOCK) != 0:
        err = ctypes.get_errno()
        print(f"delete_module({name}): {os.strerror(err)}", file=sys.stderr)
        sys.exit(err or 1)


if __name__ == "__main__":
    main()
