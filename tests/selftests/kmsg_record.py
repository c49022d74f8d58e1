#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Record the whole kernel log, from the oldest record still held, until SIGTERM.

    kmsg_record.py OUT

Reads /dev/kmsg (every record, whatever the console loglevel) and appends each record's
text lines to OUT as "[seq] text". The harness scans OUT instead of `dmesg`, whose view is
whatever the ring buffer still holds when it runs: a flood can overwrite an early WARNING.
The recorder checks that it saw every record: sequence numbers must follow one another,
and a read that fails with EPIPE (the reader fell behind and records were overwritten)
counts as a gap. On SIGTERM it appends the summary line

    rpo-kmsg-recorder: records R first F last L gaps G

which the harness requires (and requires G = 0): a log with a hole fails the run.
"""
import errno
import os
import signal
import sys

out_path = sys.argv[1]
fd = os.open("/dev/kmsg", os.O_RDONLY)
out = open(out_path, "a", buffering=1 << 16)
records = gaps = 0
first = last = None


def on_term(_sig, _frame):
    # Non-blocking from now on: the interrupted read is retried, finds nothing more to read
    # once the backlog is drained, and the loop ends.
    os.set_blocking(fd, False)


signal.signal(signal.SIGTERM, on_term)
while True:
    try:
        rec = os.read(fd, 8192)
    except InterruptedError:
        continue
    except BlockingIOError:
        break
    except OSError as e:
        if e.errno == errno.EPIPE:
            gaps += 1
            out.write("rpo-kmsg-recorder: GAP (records overwritten before they were read)\n")
            continue
        raise
    if not rec:
        break
    text = rec.decode("utf-8", "replace")
    head, _, body = text.partition(";")
    fields = head.split(",")
    try:
        seq = int(fields[1])
    except (IndexError, ValueError):
        continue
    if last is not None and seq != last + 1:
        gaps += 1
        out.write(f"rpo-kmsg-recorder: GAP from {last} to {seq}\n")
    if first is None:
        first = seq
    last = seq
    records += 1
    # The message, then "continuation" lines of the record's dictionary (start with a
    # space): only the message is kept; escaped newlines (\x0a) are lines of their own.
    msg = body.split("\n", 1)[0].replace("\\x0a", "\n")
    for line in msg.split("\n"):
        out.write(f"[{seq}] {line}\n")
out.write(f"rpo-kmsg-recorder: records {records} first {first} last {last} gaps {gaps}\n")
out.close()
