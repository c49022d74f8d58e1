#!/usr/bin/env python3
# Bad-input sweep of the module's sysctl files: every malformed write must fail with
# EINVAL and change nothing (the file's value and the statistics a write could touch).
# Also: a read gets the whole content at once and a later read gets end-of-file, even
# while the statistics change between the two (no torn lines).
# Usage: sysctl_sweep.py   (as root, module loaded). Exit 0 on success.
import errno
import os
import random
import sys

MASK = "/proc/sys/kernel/printk_cpumask"
DIR = "/proc/sys/kernel/printk_offload/"
STATS = DIR + "stats"
WATCH = ("consoles", "emergency", "emergency_entries")


def read(path):
    with open(path, "rb") as f:
        return f.read()


def stats():
    lines = dict(l.split() for l in read(STATS).decode().splitlines())
    return {k: lines[k] for k in WATCH}


def write(path, data):
    """Writes data in one write(); returns 0 or the errno of open() or write()."""
    try:
        fd = os.open(path, os.O_WRONLY)
    except OSError as e:
        return e.errno
    try:
        os.write(fd, data)
        return 0
    except OSError as e:
        return e.errno
    finally:
        os.close(fd)


nr = int(read("/sys/devices/system/cpu/kernel_max").strip()) + 1
possible = read("/sys/devices/system/cpu/possible").decode().strip()
rng = random.Random(20261122)


def mask_inputs():
    fixed = [b"", b"\n", b"-", b",", b",,", b"0,,1", b"0,", b",0", b"3-1", b"1-0", b"0-",
             b"-1", b"-0", b"1-2-3", b" 0", b"0 ", b"0\n\n", b"0\r\n", b"\t0", b"+0", b"0x1",
             b"1.0", b"0;1", b"0:1", b"0-1:1/2", b"N", b"all", b"none", b"abc", b"0\x00",
             b"\x000", b"0\x001", b"\xff\xfe", b"4294967295", b"4294967296",
             b"99999999999999999999", b"18446744073709551616", str(nr).encode(),
             ("0-%d" % nr).encode(), b"0," * 2048, b"1" * 4096, b"0-1" + b" " * 4093]
    for n in [nr, nr + 1, 1 << 16, 1 << 31, 1 << 32, 1 << 63]:
        fixed.append(str(n).encode())
        fixed.append(("0-%d" % n).encode())
    fixed += [("-%d" % n).encode() for n in (1, 2, 100, 1 << 40)]
    out = list(fixed)
    alphabet = b"0123456789,-"
    while len(out) < 320:
        kind = rng.randrange(4)
        if kind == 0:  # random bytes with at least one outside the list alphabet
            s = bytearray(rng.randrange(256) for _ in range(rng.randrange(1, 40)))
            s[rng.randrange(len(s))] = rng.choice(b" x\x00;:/+")
        elif kind == 1:  # list syntax broken at one place
            s = bytearray(rng.choice(alphabet) for _ in range(rng.randrange(2, 30)))
            s[rng.randrange(len(s))] = rng.choice(b" ,-x\x00")
            s = s + b",,"
        elif kind == 2:  # reversed range
            a = rng.randrange(1, nr)
            s = ("%d-%d" % (a, rng.randrange(0, a))).encode()
        else:  # out of range CPU
            s = ("0,%d" % rng.randrange(nr, 1 << 20)).encode()
        out.append(bytes(s))
    return out


def torn_reads():
    """Reads the statistics twice on one open file while records are being printed (so the
    content changes, and often grows, between the reads); returns the number of bad reads.
    """
    bad = 0
    kmsg = os.open("/dev/kmsg", os.O_WRONLY)
    for i in range(200):
        fd = os.open(STATS, os.O_RDONLY)
        try:
            first = os.read(fd, 4096)
            for j in range(20):
                os.write(kmsg, b"rpo-sweep %d.%d\n" % (i, j))
            rest = os.read(fd, 4096) + os.pread(fd, 4096, 1)
        finally:
            os.close(fd)
        lines = first.decode().split("\n")
        whole = first.endswith(b"\n") and all(len(l.split()) == 2 for l in lines[:-1])
        if rest or not whole:
            bad += 1
            if bad <= 3:
                print("FAIL stats read %d: first %r..., later reads %r" % (i, first[:40], rest[:40]))
    os.close(kmsg)
    print("200 stats reads while printing: %d torn or continued past the first read" % bad)
    return bad


def main():
    failures = torn_reads()
    checked = 0
    base_stats = stats()
    for path, inputs in [(MASK, mask_inputs()),
                         (DIR + "emergency", [b"2", b"-1", b"", b"on", b"1 ", b"01x", b"1\x00", b"true", b"9" * 30]),
                         (DIR + "slice_us", [b"0", b"99", b"1000001", b"-5", b"", b"5000x", b"1e4", b"9" * 30]),
                         (DIR + "slice_bytes", [b"0", b"255", b"1048577", b"-1", b"", b"abc"]),
                         (DIR + "starvation_ms", [b"0", b"9", b"60001", b"-1", b"", b"1s"])]:
        before = read(path)
        for data in inputs:
            err = write(path, data)
            now = read(path)
            checked += 1
            if err != errno.EINVAL or now != before or stats() != base_stats:
                failures += 1
                print("FAIL %s <- %r: errno %s, value %r -> %r" % (path, data[:60], err, before, now))
    # Non-root writers are refused by permissions.
    pid = os.fork()
    if pid == 0:
        os.setgroups([])
        os.setgid(65534)
        os.setuid(65534)
        codes = [write(p, b"0") for p in (MASK, DIR + "emergency", DIR + "slice_us", DIR + "starvation_ms")]
        os._exit(0 if all(c in (errno.EPERM, errno.EACCES) for c in codes) else 1)
    _, status = os.waitpid(pid, 0)
    nonroot_ok = os.waitstatus_to_exitcode(status) == 0
    if not nonroot_ok:
        failures += 1
        print("FAIL: a non-root write was not refused with EPERM/EACCES")
    print("%d malformed writes checked (%d to printk_cpumask), %d failures; non-root writes %s"
          % (checked, len(mask_inputs()), failures, "refused" if nonroot_ok else "NOT refused"))
    sys.exit(1 if failures else 0)


main()
