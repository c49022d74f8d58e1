#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# Each record is filtered with the console loglevel it was stored under, as the kernel
# prints it at once: records stored at loglevel 8 and still owed when the loglevel drops
# to 1 are printed; records stored at loglevel 1 and still owed when it rises to 8 are
# not. Both bursts leave a backlog (a slow console), and the switch comes while it waits.
. "$(dirname "$0")/lib.sh"
setup_printk
load_slow 300 # 300 us a character: the switch comes long before a burst is printed
load_offload
P=/proc/sys/kernel/printk

# Shown when stored (loglevel 8), owed when the loglevel drops.
reset_capture
put 8 $P
# Lines of 200 characters, about 60 ms each.
word=$(python3 "$HERE/kmsg_long.py" rpo-llh-shown 100 200)
owed=$(ostat backlog)
put 1 $P
[ "${owed:-0}" -ge 50 ] || fail "only ${owed:-0} records owed when the loglevel dropped"
wait_lines "$word" 100 60 || fail "records stored at loglevel 8 were not all printed after it dropped to 1"
check_sequence "$word" 100 || fail "rpo-llh-shown: sequence broken"
log "100 records stored at loglevel 8 printed though the loglevel dropped to 1 with $owed owed"

# Hidden when stored (loglevel 1), owed when the loglevel rises: behind 60 long emergency
# lines (shown at loglevel 1, about 50 ms each), so that the switch comes while they wait;
# a marker after them is shown, so that the check waits for the console to get past them.
put 1 $P
sup0=$(ostat records_suppressed)
python3 -c '
import os
fd = os.open("/dev/kmsg", os.O_WRONLY)
pad = 150 * "x"
for i in range(1, 61):
    os.write(fd, f"<0>rpo-llh-lead-{pad} {i}\n".encode())
for i in range(1, 101):
    os.write(fd, f"<6>rpo-llh-hidden {i}\n".encode())
' || fail "cannot write the lines"
owed=$(ostat backlog)
put 8 $P
[ "${owed:-0}" -ge 100 ] || fail "only ${owed:-0} records owed when the loglevel rose"
echo "rpo-llh-marker 1" >/dev/kmsg
wait_lines rpo-llh-marker 1 60 || fail "the marker never reached the console"
lead=$(capture | grep -c -- '] rpo-llh-lead-' || true)
[ "$lead" = 60 ] || fail "$lead of the 60 emergency lines were printed"
hidden=$(capture | grep -c -- '] rpo-llh-hidden ' || true)
[ "$hidden" = 0 ] || fail "$hidden records stored at loglevel 1 were printed after it rose to 8"
# Each held console skipped each of them.
suppressed=$(($(ostat records_suppressed) - sup0)) held=$(ostat consoles)
[ "$suppressed" -ge $((100 * held)) ] ||
	fail "records_suppressed grew by $suppressed, not by the 100 hidden records on each of $held console(s)"
log "100 records stored at loglevel 1 stayed hidden though the loglevel rose to 8 with $owed owed"
