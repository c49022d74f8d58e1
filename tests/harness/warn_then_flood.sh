#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# Harness control (expected to make the run FAIL): a WARNING early in the log, then a flood
# several times the size of the kernel's default 128 KiB ring buffer, so that a harness
# which only read the ring at the end would have lost the warning.
echo '<4>WARNING: CPU: 0 PID: 1 at rpo_harness_control (injected before a long flood)' >/dev/kmsg
python3 - <<'PY'
import os
fd = os.open("/dev/kmsg", os.O_WRONLY)
pad = "x" * 100
for i in range(1, 6001):
    os.write(fd, f"rpo-control-flood {i} {pad}\n".encode())
PY
echo "wrote 6000 lines of about 130 bytes after the warning"
