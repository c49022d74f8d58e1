#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Verdict of a host-side crash test, from the guest's serial console log.

    check_serial.py MODE SERIAL_LOG LINES [GUEST_OUTPUT]

MODE is suspend, panic, reboot, poweroff, halt, reset, oops, load-window or unload-window (see
scripts/crash-test.sh). Prints one line,
"ok - ..." or "not ok - ...", and exits 0 or 1. Besides the mode's own checks, the log is
scanned for trouble (scripts/scan-kernel-log.sh) everywhere but in the crash output the
test provokes on purpose.
"""
import os
import re
import subprocess
import sys
import tempfile

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
SCANNER = os.path.join(ROOT, "scripts", "scan-kernel-log.sh")


def numbered(lines, tag):
    """The numbers N of the lines "] TAG N" (the message part of console lines)."""
    out = []
    for line in lines:
        i = line.find("] " + tag + " ")
        if i >= 0:
            m = re.match(r"(\d+)", line[i + len(tag) + 3:])
            if m:
                out.append(int(m.group(1)))
    return out


def sequence_problem(nums, n, what):
    """None if nums is 1..n, each once, in order; else what is wrong."""
    for i, v in enumerate(nums, 1):
        if v != i:
            return f"{what} line {i} is #{v}"
    if len(nums) != n:
        return f"{len(nums)} of {n} {what} lines"
    return None


def scan(lines):
    """Trouble found by the kernel-log scanner in these lines (None if clean)."""
    with tempfile.NamedTemporaryFile("w", delete=False, suffix=".log") as f:
        f.write("\n".join(lines) + "\n")
        path = f.name
    try:
        r = subprocess.run([SCANNER, path], capture_output=True, text=True)
    finally:
        os.unlink(path)
    if r.returncode == 0:
        return None
    return "kernel log shows trouble: " + " | ".join(r.stdout.split("\n")[:4])


def first(lines, needle, start=0):
    for i in range(start, len(lines)):
        if needle in lines[i]:
            return i
    return None


def report(lines, key):
    for line in lines:
        i = line.find("rpo-pm-report: " + key)
        if i >= 0:
            return line[i + len("rpo-pm-report: "):]
    return None


def stat_value(lines, name):
    """The last "[ts] NAME VALUE" line of a statistics dump in the log."""
    val = None
    for line in lines:
        m = re.match(r"^\[[ .0-9]*\] " + re.escape(name) + r" (\d+)$", line)
        if m:
            val = int(m.group(1))
    return val


def check_suspend(lines):
    bad = []
    for run in ("mem/freezer", "mem/devices", "mem/core", "disk/core"):
        rc = report(lines, run + " rc=")
        if rc is None or not rc.endswith("rc=0"):
            bad.append(f"{run}: {rc or 'no report'}")
        bl = report(lines, run + " backlog=")
        m = re.search(r"backlog=(\d+)", bl or "")
        if not m or int(m.group(1)) < 50:
            bad.append(f"{run}: backlog before suspending only {m.group(1) if m else '?'} (need >= 50)")
    if report(lines, "done") is None:
        bad.append("no end report")
    # The PM notifier switches to synchronous printing, the backlog printed, before tasks
    # freeze: in each phase, the module's line comes between the entry and the freezing.
    at = 0
    for run in ("mem/freezer", "mem/devices", "mem/core", "disk/core"):
        entry = next((i for i in range(at, len(lines)) if "PM: suspend entry" in lines[i]
                      or "PM: hibernation: hibernation entry" in lines[i]), None)
        freeze = first(lines, "Freezing user space processes", entry) if entry is not None else None
        if freeze is None:
            bad.append(f"{run}: no suspend entry followed by freezing")
            break
        if not any("rust_printk_offload: emergency mode on (suspend or hibernation)" in l
                   for l in lines[entry:freeze]):
            bad.append(f"{run}: the module did not switch to synchronous printing before tasks froze")
        at = freeze + 1
    for r in ("udevd still running", "udevadm settle timed out"):
        if report(lines, r) is not None:
            bad.append(report(lines, r))
    pm, sc, em = (stat_value(lines, k) for k in ("pm_events", "syscore_events", "emergency"))
    if (pm or 0) < 8:
        bad.append(f"pm_events={pm}")
    if (sc or 0) < 4:
        bad.append(f"syscore_events={sc}")
    if em != 0:
        bad.append(f"emergency={em} at the end")
    # Records the kernel stored while suspending (its own PM lines) rang no doorbell.
    withheld = stat_value(lines, "doorbells_withheld")
    if (withheld or 0) < 1:
        bad.append(f"doorbells_withheld={withheld}: the doorbell rang all through suspend")
    written = re.search(r"written (\d+)", report(lines, "written") or "")
    bursts = re.search(r"bursts (\d+)", report(lines, "bursts") or "")
    if not written or not bursts:
        bad.append("no count of lines written")
    else:
        for tag, n in (("rpo-suspend", int(written.group(1))), ("rpo-burst", int(bursts.group(1)))):
            p = sequence_problem(numbered(lines, tag), n, tag)
            if p:
                bad.append(p)
    trouble = scan(lines)
    if trouble:
        bad.append(trouble)
    if bad:
        return False, "; ".join(bad)
    backlogs = ", ".join(re.search(r"backlog=(\d+)", report(lines, r + " backlog=")).group(1)
                         for r in ("mem/freezer", "mem/devices", "mem/core", "disk/core"))
    return True, (f"{report(lines, 'mem_sleep')}, 4 pm_test phases each entered with a backlog "
                  f"({backlogs} records), all {written.group(1)} paced and {bursts.group(1)} "
                  f"burst lines once, in order; pm_events {pm}, syscore_events {sc}; "
                  f"{withheld} records stored while suspending rang no doorbell")


FINAL = {
    "panic": "Kernel panic - not syncing",
    "load-window": "Kernel panic - not syncing",
    "unload-window": "Kernel panic - not syncing",
    "reboot": "reboot: Restarting system",
    "poweroff": "reboot: Power down",
    "halt": "reboot: System halted",
    "oops": "kernel BUG at",
}


def check_reset(lines, n, guest):
    """sysrq b runs no notifier: what the kthreads had not printed is lost. What reached the
    console must be the first lines, once, in order, and what is missing at most the
    backlog the module reported just before the reset."""
    written = next((l[l.find("rpo-crash-test: "):] for l in lines + guest if "rpo-crash-test: " in l and "lines written" in l), None)
    m = re.search(r"backlog (\d+)", written or "")
    if not m:
        return False, "no write report, on the console or the guest's output"
    backlog = int(m.group(1))
    nums = numbered(lines, "rpo-reset")
    problem = next((f"line {i} is #{v}" for i, v in enumerate(nums, 1) if v != i), None)
    if problem is None and len(nums) < n - backlog:
        problem = f"{n - len(nums)} lines missing, more than the backlog of {backlog}"
    if problem is None:
        problem = scan(lines)
    if problem is None and backlog < 50:
        problem = f"backlog at the reset was only {backlog} records: the test proved nothing"
    if problem:
        return False, f"{problem} ({written})"
    return True, (f"the first {len(nums)} of {n} lines on the serial console once, in order; "
                  f"the {n - len(nums)} others were in the backlog of {backlog} at the reset "
                  f"(emergency_restart() runs no notifier)")


def check_crash(lines, what, n):
    final = FINAL[what]
    written = next((l[l.find("rpo-crash-test: "):] for l in lines if "rpo-crash-test: " in l and "lines written" in l), None)
    m = re.search(r"backlog (\d+)", written or "")
    backlog = int(m.group(1)) if m else None
    nums = numbered(lines, "rpo-" + what)
    problem = sequence_problem(nums, n, "rpo-" + what)
    fin = first(lines, final)
    if problem is None and fin is None:
        problem = f'no "{final}"'
    last = max((i for i, l in enumerate(lines) if "] rpo-" + what + " " in l), default=-1)
    if problem is None and fin < last:
        problem = "final output before the last line"
    # What is scanned: everything before the crash the test provokes, and for the oops,
    # everything after its report too.
    if what in ("panic", "load-window", "unload-window"):
        end = first(lines, "sysrq: Trigger a crash")
        region = lines[:end if end is not None else fin]
    elif what == "oops":
        cut = fin
        while cut is not None and cut > 0 and "cut here" not in lines[cut]:
            cut -= 1
        tail = first(lines, "---[ end trace", fin or 0)
        region = lines[:cut] + (lines[tail + 1:] if tail is not None else [])
    else:
        region = lines
    if problem is None and what.endswith("-window"):
        hook = first(lines, "rust_printk_offload: test hook: pausing")
        if hook is None or fin is None or hook > fin:
            problem = "the panic did not come while the module was paused at its test hook"
        elif what == "load-window" and first(lines, "rust_printk_offload: loaded:") is not None:
            problem = "the module finished loading before the panic"
    if problem is None and what in ("reboot", "poweroff", "halt") and first(lines, "rust_printk_offload: emergency mode on (reboot or shutdown)") is None:
        problem = "no 'emergency mode on (reboot or shutdown)' line: the reboot notifier did not switch"
    if problem is None and what == "oops":
        problem = sequence_problem(numbered(lines, "rpo-oops-after"), 100, "after-oops")
        problem = problem or sequence_problem(numbered(lines, "rpo-oops-later"), 50, "later")
        after = next((l[l.find("rpo-crash-test: after"):] for l in lines if "rpo-crash-test: after the oops" in l), "")
        m2 = re.search(r"entries \+(\d+), records printed synchronously \+(\d+); now emergency 0, offloaded (\d+), backlog 0", after)
        if problem is None and not m2:
            problem = f"after the oops: {after or 'no report'}"
        elif problem is None and (int(m2.group(1)) < 1 or int(m2.group(2)) < 1):
            problem = f"the oops was not printed synchronously (emergency mode not entered): {after}"
        elif problem is None and int(m2.group(3)) < 50:
            problem = f"offloading did not resume after the oops: {after}"
        written = f"{written}; {after}"
    if problem is None:
        problem = scan(region)
    # Half unloaded, the consoles are the kernel's by design: no backlog is expected there.
    if problem is None and what != "unload-window" and (backlog or 0) < 50:
        problem = f"backlog at the end was only {backlog} records: the test proved nothing"
    if problem:
        return False, f"{problem} ({written or 'no write report'})"
    return True, f"all {n} lines on the serial console once, in order, then '{final}' ({written})"


def main():
    what, path, n = sys.argv[1], sys.argv[2], int(sys.argv[3])
    with open(path, "rb") as f:
        lines = f.read().decode("utf-8", "replace").replace("\r", "").split("\n")
    guest = []
    if len(sys.argv) > 4 and os.path.exists(sys.argv[4]):
        with open(sys.argv[4], "rb") as f:
            guest = f.read().decode("utf-8", "replace").replace("\r", "").split("\n")
    if what == "suspend":
        ok, msg = check_suspend(lines)
    elif what == "reset":
        ok, msg = check_reset(lines, n, guest)
    else:
        ok, msg = check_crash(lines, what, n)
    print(f"{'ok' if ok else 'not ok'} - {what}: {msg}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
