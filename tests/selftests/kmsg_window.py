#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""kmsg_window.py TAG N WIDTH INTERVAL_MS: writes "TAG-begin", N records "WORD <i>" of
about WIDTH characters (one every INTERVAL_MS; 0: as fast as possible), then "TAG-end",
to /dev/kmsg, and prints "WORD FIRST LAST": the padded tag word and the sequence numbers
of the two markers, read back from /dev/kmsg. Every record stored between the markers,
the writer's or anybody's, has a sequence number in between: LAST - FIRST - 1 of them,
whether or not the ring still holds them."""
import errno
import os
import sys
import time


def seq_of(fd, text):
    """Reads /dev/kmsg from where fd is until the record whose text is `text`."""
    while True:
        try:
            rec = os.read(fd, 8192)
        except OSError as e:
            if e.errno == errno.EPIPE:  # overwritten before it was read: go on
                continue
            raise
        head, _, body = rec.decode(errors="replace").partition(";")
        if body.split("\n", 1)[0] == text:
            return int(head.split(",")[1])


def main():
    tag, n, width, interval = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), float(sys.argv[4])
    word = tag + "-" + "x" * max(0, width - len(tag) - 8)
    r = os.open("/dev/kmsg", os.O_RDONLY)
    os.lseek(r, 0, os.SEEK_END)
    w = os.open("/dev/kmsg", os.O_WRONLY)
    os.write(w, f"{tag}-begin\n".encode())
    first = seq_of(r, f"{tag}-begin")
    start = time.monotonic()
    for i in range(1, n + 1):
        os.write(w, f"{word} {i}\n".encode())
        delay = start + i * interval / 1000 - time.monotonic()
        if delay > 0:
            time.sleep(delay)
    os.write(w, f"{tag}-end\n".encode())
    last = seq_of(r, f"{tag}-end")
    print(word, first, last)


if __name__ == "__main__":
    main()
