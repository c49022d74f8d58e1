#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
# Bad-input sweep of the module's sysctl files. printk_cpumask must answer every input as
# the kernel's own CPU-list parser does (same errno, same list); the other files must
# refuse malformed writes with EINVAL; a refused write changes nothing (the file's value
# and the statistics a write could touch).
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
    """The kernel's own bitmap_parselist() test vectors, edge cases, and generated lists."""
    fixed = [b"", b"\n", b"-", b",", b",,", b"0,,1", b"0,", b",0", b"3-1", b"1-0", b"0-",
             b"-1", b"-0", b"1-2-3", b" 0", b"0 ", b"0\n\n", b"0\r\n", b"\t0", b"+0", b"0x1",
             b"1.0", b"0;1", b"0:1", b"0-1:1/2", b"0-1:2/1", b"0-1:1/0", b"N", b"N-N", b"0-N",
             b"all", b"ALL:1/2", b"al", b"alll", b"none", b"abc", b"0\x00", b"\x000", b"0\x001",
             b"\xff\xfe", b"4294967295", b"4294967296", b"99999999999999999999",
             b"0-98765432123456789:10/1", b"0-\n", b"a-1", str(nr).encode(),
             ("0-%d" % nr).encode(), b"0," * 2048, b"1" * 4096, b"0-1" + b" " * 4093]
    for n in [nr, nr + 1, 1 << 16, 1 << 31, 1 << 32, 1 << 63]:
        fixed.append(str(n).encode())
        fixed.append(("0-%d" % n).encode())
    fixed += [("-%d" % n).encode() for n in (1, 2, 100, 1 << 40)]
    out = list(fixed)
    alphabet = b"0123456789,-:/N al\n\x00 x+"
    while len(out) < 400:
        s = bytes(rng.choice(b"01" if rng.random() < 0.4 else alphabet) for _ in range(rng.randrange(1, 14)))
        out.append(s)
    return out


def find_oracle():
    """An IRQ whose CPU list the kernel parses with bitmap_parselist() when written (its
    /proc/irq/N/smp_affinity_list), as (path, original content); None if there is none."""
    for name in sorted(os.listdir("/proc/irq"), key=lambda n: (not n.isdigit(), n)):
        path = "/proc/irq/%s/smp_affinity_list" % name
        if not os.path.exists(path):
            continue
        orig = read(path)
        if write(path, orig) == 0:
            return path, orig
    return None


def mask_sweep():
    """Every input goes to printk_cpumask and to the kernel's own parser (an IRQ's
    smp_affinity_list): a rejection must carry the same errno as the kernel's and change
    nothing; an acceptance must be one the kernel's parser accepts too, and read back as
    the kernel reads the same list back. Returns (failures, inputs, accepted)."""
    oracle = find_oracle()
    if oracle is None:
        print("FAIL: no IRQ accepts a write of its own smp_affinity_list: no oracle")
        return 1, 0, 0
    irq, irq_orig = oracle
    print("oracle: %s (cpumask_parselist_user -> bitmap_parselist)" % irq)
    failures = accepted = 0
    inputs = mask_inputs()
    for data in inputs:
        write(MASK, possible.encode())
        before, st = read(MASK), stats()
        ours = write(MASK, data)
        theirs = write(irq, data)
        theirs_back = read(irq) if theirs == 0 else None
        write(irq, irq_orig)
        now = read(MASK)
        bad = None
        if ours != 0:
            if ours not in (errno.EINVAL, errno.ERANGE, errno.EOVERFLOW) or theirs != ours:
                bad = "errno %s, the kernel's parser: %s" % (ours, theirs)
            elif now != before or stats() != st:
                bad = "rejected (errno %s) but changed the mask %r -> %r or the statistics" % (ours, before, now)
        else:
            accepted += 1
            # The kernel may refuse an accepted list afterwards for IRQ reasons (EINVAL: no
            # online CPU in it), never for its syntax (ERANGE, EOVERFLOW).
            if theirs in (errno.ERANGE, errno.EOVERFLOW):
                bad = "accepted, but the kernel's parser says errno %s" % theirs
            elif theirs == 0 and theirs_back != now:
                bad = "read back %r, the kernel reads the same list back as %r" % (now, theirs_back)
        if bad:
            failures += 1
            if failures <= 10:
                print("FAIL printk_cpumask <- %r: %s" % (data[:60], bad))
    write(MASK, possible.encode())
    return failures, len(inputs), accepted


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
    mfail, minputs, maccepted = mask_sweep()
    failures += mfail
    checked = 0
    base_stats = stats()
    for path, inputs in [(DIR + "emergency", [b"2", b"-1", b"", b"on", b"1 ", b"01x", b"1\x00", b"true", b"9" * 30]),
                         (DIR + "slice_us", [b"0", b"99", b"1000001", b"-5", b"", b"5000x", b"1e4", b"9" * 30]),
                         (DIR + "slice_bytes", [b"0", b"255", b"1048577", b"-1", b"", b"abc"]),
                         (DIR + "starvation_ms", [b"0", b"9", b"60001", b"-1", b"", b"1s"]),
                         (DIR + "urgent_loglevel", [b"9", b"-1", b"", b"5x", b"0x5", b"9" * 30]),
                         (DIR + "backlog_limit", [b"16777217", b"-1", b"", b"1k", b"9" * 30]),
                         (DIR + "adaptive_placement", [b"2", b"-1", b"", b"on", b"1x", b"9" * 30]),
                         (DIR + "irqs_on_write", [b"2", b"-1", b"", b"on", b"0x", b"9" * 30])]:
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
        codes = [write(p, b"0") for p in (MASK, DIR + "emergency", DIR + "slice_us",
                                           DIR + "slice_bytes", DIR + "starvation_ms",
                                           DIR + "urgent_loglevel", DIR + "backlog_limit",
                                           DIR + "adaptive_placement", DIR + "irqs_on_write")]
        os._exit(0 if all(c in (errno.EPERM, errno.EACCES) for c in codes) else 1)
    _, status = os.waitpid(pid, 0)
    nonroot_ok = os.waitstatus_to_exitcode(status) == 0
    if not nonroot_ok:
        failures += 1
        print("FAIL: a non-root write was not refused with EPERM/EACCES")
    print("printk_cpumask: %d inputs (%d accepted) agree with the kernel's own parser, %d failures;"
          % (minputs, maccepted, mfail))
    print("%d malformed writes to the other files checked; %d failures in all; non-root writes %s"
          % (checked, failures, "refused" if nonroot_ok else "NOT refused"))
    if maccepted < 20 or minputs - maccepted < 20:
        print("FAIL: the sweep did not exercise both outcomes")
        failures += 1
    sys.exit(1 if failures else 0)


main()
