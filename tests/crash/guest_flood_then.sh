#!/usr/bin/env bash
# In the VM: take over the consoles (ttyS0 included), write N lines so that the printer
# kthreads are far behind, then end the system at once from the same process: "panic"
# (sysrq crash) or "reboot" (reboot(2), as reboot -f does). The backlog at that moment is
# reported in the log, so the host can tell the test really had one.
# Usage: guest_flood_then.sh panic|reboot N
. "$(dirname "$0")/../selftests/lib.sh"
setup_printk
load_slow 100   # about 3 ms per line: the kthreads fall far behind the writer
load_offload
sleep 1
python3 - "$1" "$2" <<'PY'
import ctypes
import os
import sys

what, n = sys.argv[1], int(sys.argv[2])
fd = os.open("/dev/kmsg", os.O_WRONLY)
for i in range(1, n + 1):
    os.write(fd, f"rpo-{what} {i}\n".encode())
with open("/proc/sys/kernel/printk_offload/stats") as f:
    backlog = dict(line.split() for line in f)["backlog"]
os.write(fd, f"rpo-crash-test: {n} lines written, backlog {backlog}\n".encode())
if what == "panic":
    with open("/proc/sysrq-trigger", "w") as f:
        f.write("c")
else:
    ctypes.CDLL(None, use_errno=True).reboot(0x01234567)
PY
echo "rpo-crash-test: the system is still running"
exit 1
