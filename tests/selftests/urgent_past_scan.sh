#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# An urgent record past the records one doorbell classifies (256): slow_console's
# urgent_burst stores 400 records and then a warning in one tick (interrupts off), and
# nothing is stored after them. The doorbell that follows classifies 256; the watch timer
# rings again for the rest, so the warning is recognised (records_urgent) while most of
# the burst is still owed to the console, not once the printer reaches it. Then every
# record reaches the console once, in order, the warning last.
. "$(dirname "$0")/lib.sh"
setup_printk
N=400
# "[   12.345678] slow_console: rpo-urgent-burst 123" is about 50 characters: 15 ms a
# line at 300 us/char, 6 s for the burst.
load_slow 300
[ -w $DBG/urgent_burst ] || skip "slow_console has no urgent_burst (an older build)"
load_offload
sleep 0.5
u0=$(ostat records_urgent)
reset_capture
put $N $DBG/urgent_burst
for _ in $(seq 60); do
	[ "$(ostat records_urgent)" -gt "$u0" ] && break
	sleep 0.05
done
found=$(($(ostat records_urgent) - u0))
# Read after the warning was recognised: at least as many as were printed by then.
printed=$(capture | grep -c 'rpo-urgent-burst [0-9]' || true)
[ "$found" -ge 1 ] || fail "the warning after $N records stored in one tick was not recognised ($printed printed)"
log "a warning after $N records stored in one tick: recognised with $printed of them printed"
[ "$printed" -lt $((N / 2)) ] ||
	fail "the warning was recognised only once $printed of the $N records in front of it were printed"
for _ in $(seq 300); do
	capture | grep -q 'rpo-urgent-burst warning' && break
	sleep 0.1
done
capture | grep -o 'rpo-urgent-burst .*' | awk -v n=$N '
	{ seen++; want = seen <= n ? seen : "warning"
	  if ($2 != want) { printf "line %d is %s (expected %s)\n", seen, $2, want; bad = 1; exit } }
	END { if (!bad && seen != n + 1) { printf "%d lines, expected %d\n", seen, n + 1; bad = 1 }
	      exit bad }' || fail "the burst and its warning did not reach the console once, in order"
