#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
# User-space side of the caller-latency benchmark: one writer process per CPU (pinned),
# each writing COUNT lines "rpo_user c<CPU> <i>" to /dev/kmsg and timing every write().
# All writers start together; each saves its latencies (u32 ns, native endian) to
# OUTPREFIX.cpu<N>.u32.  Usage: kmsg_timed.py COUNT OUTPREFIX
import array
import os
import sys
import time

count, prefix = int(sys.argv[1]), sys.argv[2]
cpus = sorted(os.sched_getaffinity(0))
start_at = time.monotonic() + 0.5
children = []
for cpu in cpus:
    pid = os.fork()
    if pid:
        children.append(pid)
        continue
    os.sched_setaffinity(0, {cpu})
    lines = [f"rpo_user c{cpu} {i}\n".encode() for i in range(1, count + 1)]
    lat = array.array("I", bytes(4 * count))
    fd = os.open("/dev/kmsg", os.O_WRONLY)
    while time.monotonic() < start_at:
        pass
    clock = time.perf_counter_ns
    for i, line in enumerate(lines):
        t0 = clock()
        os.write(fd, line)
        lat[i] = min(clock() - t0, 0xFFFFFFFF)
    os.close(fd)
    with open(f"{prefix}.cpu{cpu}.u32", "wb") as f:
        lat.tofile(f)
    os._exit(0)
bad = sum(os.waitpid(p, 0)[1] != 0 for p in children)
sys.exit(1 if bad else 0)
