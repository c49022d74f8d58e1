#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
# What reached the slow console: for lines "<TAG> c<CPU> <i>" (i = 1.. per writer), count
# the distinct lines received, duplicates, lines out of order (per writer), lines lost,
# and the records the console was told were dropped ("** N printk messages dropped **").
# Prints one line of key=value pairs.  Usage: delivery.py CAPTURE TAG WRITERS WRITTEN_PER_WRITER
import re
import sys

path, tag, writers, per_writer = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
line_re = re.compile(re.escape(tag) + r" c(\d+) (\d+)$")
drop_re = re.compile(r"^\*\* (\d+) printk messages dropped \*\*")
seen, last = {}, {}
received = dups = disorder = announced = 0
with open(path, "rb") as f:
    for raw in f:
        text = raw.decode("utf-8", "replace").rstrip("\n")
        m = drop_re.match(text)
        if m:
            announced += int(m.group(1))
            continue
        m = line_re.search(text)
        if not m:
            continue
        cpu, i = int(m.group(1)), int(m.group(2))
        s = seen.setdefault(cpu, set())
        if i in s:
            dups += 1
            continue
        s.add(i)
        received += 1
        if i < last.get(cpu, 0):
            disorder += 1
        last[cpu] = i
written = per_writer * writers
print(f"written={written} received={received} lost={written - received} "
      f"duplicates={dups} out_of_order={disorder} dropped_announced={announced}")
