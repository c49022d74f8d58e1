#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""kmsg_long.py TAG N WIDTH: N records "TAG-xxx...x <i>" of about WIDTH characters each,
written to /dev/kmsg as fast as possible. The tag and its padding are one word, which it
prints first: the lines read as "WORD <i>" for wait_lines and check_sequence."""
import os
import sys


def main():
    tag, n, width = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
    word = tag + "-" + "x" * max(0, width - len(tag) - 8)
    print(word, flush=True)
    fd = os.open("/dev/kmsg", os.O_WRONLY)
    for i in range(1, n + 1):
        os.write(fd, f"{word} {i}\n".encode())
    os.close(fd)


if __name__ == "__main__":
    main()
