#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
# Write COUNT lines "TAG i" (i = 1..COUNT) to /dev/kmsg, one every INTERVAL_MS, and print
# the number written. Usage: kmsg_paced.py TAG COUNT INTERVAL_MS
import os
import sys
import time

tag, count, interval = sys.argv[1], int(sys.argv[2]), float(sys.argv[3]) / 1000
fd = os.open("/dev/kmsg", os.O_WRONLY)
start = time.monotonic()
for i in range(1, count + 1):
    os.write(fd, f"{tag} {i}\n".encode())
    delay = start + i * interval - time.monotonic()
    if delay > 0:
        time.sleep(delay)
os.close(fd)
print(count)
