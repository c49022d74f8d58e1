#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""How long after it was stored a line reached the slow console.

    print_delay.py REGEX

Finds the first line of the slow console's capture that matches REGEX; its timestamp
("[   12.345678] ", printk's clock at store time) and the slow console's stamp of the write
that carried it (printk's clock when the write ended) give the delay. Prints the delay in
milliseconds, or nothing (exit 1) if the line or its stamp is not there.
"""
import re
import struct
import sys

D = "/sys/kernel/debug/slow_console/"
log = open(D + "log", "rb").read()
raw = open(D + "stamps", "rb").read()
stamps = [struct.unpack_from("=QQ", raw, i) for i in range(0, len(raw) - 15, 16)]
pat = re.compile(sys.argv[1].encode())
pos = 0
for line in log.split(b"\n"):
    m = pat.search(line)
    if m:
        t = re.match(rb"\[ *(\d+)\.(\d{6})\]", line)
        written = [ns for off, ns in stamps if off <= pos]
        if not t or not written:
            sys.exit(1)
        stored = int(t.group(1)) * 1_000_000_000 + int(t.group(2)) * 1000
        print((written[-1] - stored) // 1_000_000)
        sys.exit(0)
    pos += len(line) + 1
sys.exit(1)
