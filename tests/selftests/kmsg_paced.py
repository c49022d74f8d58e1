#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
# Write COUNT lines "TAG i" (i = 1..COUNT) to /dev/kmsg, one every INTERVAL_MS, and print
# the number written. With STOP_FILE, stop early once that file exists.
# Usage: kmsg_paced.py TAG COUNT INTERVAL_MS [STOP_FILE]
import os
import sys
import time

tag, count, interval = sys.argv[1], int(sys.argv[2]), float(sys.argv[3]) / 1000
stop = sys.argv[4] if len(sys.argv) > 4 else None
fd = os.open("/dev/kmsg", os.O_WRONLY)
start = time.monotonic()
written = 0
for i in range(1, count + 1):
    if stop is not None and os.path.exists(stop):
        break
    os.write(fd, f"{tag} {i}\n".encode())
    written = i
    delay = start + i * interval - time.monotonic()
    if delay > 0:
        time.sleep(delay)
os.close(fd)
print(written)
