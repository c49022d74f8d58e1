#!/usr/bin/env bash
# In the VM: take over the consoles (ttyS0 included), write N lines so that the printer
# kthreads are far behind, then end the system at once from the same process: "panic"
# (sysrq crash) or "reboot" (reboot(2), as reboot -f does). The backlog at that moment is
# reported in the log, so the host can tell the test really had one.
# "oops" oopses instead (loads tests/modules/oops_now.ko, whose init panics: BUG()), which
# the system survives; then it writes 100 more lines and reports whether the kthreads
# printed them (offloading resumed after the oops).
# Usage: guest_flood_then.sh panic|reboot|oops N
. "$(dirname "$0")/../selftests/lib.sh"
setup_printk
load_slow 100   # about 3 ms per line: the kthreads fall far behind the writer
load_offload
sleep 1
python3 - "$1" "$2" "$ROOT/tests/modules/oops_now.ko" <<'PY'
import ctypes
import os
import subprocess
import sys
import time


def stats():
    with open("/proc/sys/kernel/printk_offload/stats") as f:
        return {k: int(v) for k, v in (line.split() for line in f)}


what, n = sys.argv[1], int(sys.argv[2])
fd = os.open("/dev/kmsg", os.O_WRONLY)
for i in range(1, n + 1):
    os.write(fd, f"rpo-{what} {i}\n".encode())
backlog = stats()["backlog"]
os.write(fd, f"rpo-crash-test: {n} lines written, backlog {backlog}\n".encode())
if what == "oops":
    s0 = stats()
    rc = subprocess.run(["insmod", sys.argv[3]]).returncode
    s1 = stats()
    for i in range(1, 101):
        os.write(fd, f"rpo-oops-after {i}\n".encode())
    end = time.time() + 120
    while stats()["backlog"] and time.time() < end:
        time.sleep(0.5)
    s = stats()
    os.write(fd, (f"rpo-crash-test: after the oops (insmod rc {rc}): emergency entries "
                  f"+{s1['emergency_entries'] - s0['emergency_entries']}, records printed synchronously "
                  f"+{s1['records_sync'] - s0['records_sync']}; now emergency {s['emergency']}, "
                  f"offloaded {s['records_offloaded'] - s1['records_offloaded']}, backlog {s['backlog']}\n").encode())
    time.sleep(1)
    sys.exit(0)
if what == "panic":
    with open("/proc/sysrq-trigger", "w") as f:
        f.write("c")
else:
    ctypes.CDLL(None, use_errno=True).reboot(0x01234567)
PY
rc=$?
[ "$1" = oops ] && exit $rc
echo "rpo-crash-test: the system is still running"
exit 1
