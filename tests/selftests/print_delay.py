#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""How long after it was stored a line reached the slow console.

    print_delay.py REGEX [DELAY_US]

Finds the first line of the slow console's capture that matches REGEX; its timestamp
("[   12.345678] ", printk's clock at store time) and the slow console's stamp of the write
that carried it (printk's clock when the write ended) give the delay. Prints the delay in
milliseconds, or nothing (exit 1) if the line or its stamp is not there.

With DELAY_US (the console's time per character), also prints how many writes ended
while the line waited (after it was stored, before its own) and how long the console was
busy writing them and the line itself, in milliseconds: "DELAY WRITES BUSY".
"""
import re
import struct
import sys

D = "/sys/kernel/debug/slow_console/"
log = open(D + "log", "rb").read()
raw = open(D + "stamps", "rb").read()
# (offset in the log where a write's text begins, printk's clock when it ended)
stamps = [struct.unpack_from("=QQ", raw, i) for i in range(0, len(raw) - 15, 16)]
pat = re.compile(sys.argv[1].encode())
delay_us = int(sys.argv[2]) if len(sys.argv) > 2 else None
pos = 0
for line in log.split(b"\n"):
    m = pat.search(line)
    if m:
        t = re.match(rb"\[ *(\d+)\.(\d{6})\]", line)
        mine = [i for i, (off, _) in enumerate(stamps) if off <= pos]
        if not t or not mine:
            sys.exit(1)
        stored = int(t.group(1)) * 1_000_000_000 + int(t.group(2)) * 1000
        own = mine[-1]
        written = stamps[own][1]
        delay_ms = (written - stored) // 1_000_000
        if delay_us is None:
            print(delay_ms)
            sys.exit(0)
        # The writes that ended while the line waited, and its own: their lengths.
        ends = [off for off, _ in stamps[1:]] + [len(log)]
        waited = [i for i in range(own) if stored < stamps[i][1]] + [own]
        busy_us = sum((ends[i] - stamps[i][0]) * delay_us for i in waited)
        print(delay_ms, len(waited) - 1, busy_us // 1000)
        sys.exit(0)
    pos += len(line) + 1
sys.exit(1)
