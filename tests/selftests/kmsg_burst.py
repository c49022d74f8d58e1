#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
# Write COUNT one-record lines "TAG i" (i = 1..COUNT) to /dev/kmsg as fast as possible and
# print how long the writes took, in microseconds (timed inside the process, so the
# interpreter's start-up does not count). Usage: kmsg_burst.py TAG COUNT
import os
import sys
import time

tag, count = sys.argv[1], int(sys.argv[2])
lines = [f"{tag} {i}\n".encode() for i in range(1, count + 1)]
fd = os.open("/dev/kmsg", os.O_WRONLY)
t0 = time.perf_counter_ns()
for line in lines:
    os.write(fd, line)
t1 = time.perf_counter_ns()
os.close(fd)
print((t1 - t0) // 1000)
