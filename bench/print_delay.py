#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
# How long each line with TAG waited between its store (the record's timestamp, printk's
# clock) and the end of the console write that carried it (the slow console's stamp, same
# clock). Saves the delays (u32 microseconds, native endian) to OUT and prints one line of
# key=value pairs.  Usage: print_delay.py CAPTURE STAMPS TAG OUT
import bisect
import re
import struct
import sys
from array import array

capture, stamps_path, tag, out = sys.argv[1:5]
log = open(capture, "rb").read()
raw = open(stamps_path, "rb").read()
stamps = [struct.unpack_from("=QQ", raw, i) for i in range(0, len(raw) - 15, 16)]
offsets = [off for off, _ in stamps]
line_re = re.compile(rb"^\[ *(\d+)\.(\d{6})\] " + re.escape(tag.encode()))
delays = array("I")
pos = 0
for line in log.split(b"\n"):
    m = line_re.match(line)
    if m:
        k = bisect.bisect_right(offsets, pos) - 1
        if k >= 0:
            stored = int(m.group(1)) * 1_000_000_000 + int(m.group(2)) * 1000
            delays.append(min(max(stamps[k][1] - stored, 0) // 1000, 0xFFFFFFFF))
    pos += len(line) + 1
with open(out, "wb") as f:
    delays.tofile(f)
v = sorted(delays)


def pct(p):
    return v[min(len(v) - 1, max(0, int(round(p / 100.0 * len(v) + 0.5)) - 1))] if v else "NA"


print(f"delay_n={len(v)} delay_p50_us={pct(50)} delay_p99_us={pct(99)} delay_max_us={v[-1] if v else 'NA'}")
