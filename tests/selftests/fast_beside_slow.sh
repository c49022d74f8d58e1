#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# A fast console beside a slow one: each makes progress at its own pace. A burst of N
# lines goes to slowcon0 at 2000 us/char (about 90 ms a line) and to ttyS0 (the VM's
# serial console, a few milliseconds a line at most): between two of slowcon0's records,
# the printer catches ttyS0 up. So ttyS0 has printed the whole burst while slowcon0 still
# owes most of it (held to slowcon0's pace, ttyS0 would owe as much as slowcon0 until the
# end). Then slowcon0 has every line once, in order (the harness checks ttyS0's copy of
# the log for gaps and duplicates).
. "$(dirname "$0")/lib.sh"
setup_printk
N=60
load_slow 2000
load_offload
[ -n "$(cstat ttyS0 waiting)" ] || skip "no ttyS0 console held by the module"
[ "$(cstat slowcon0 printed_by)" = module ] || fail "slowcon0 is not printed by the module"
# Let what the loads printed drain first.
for _ in $(seq 100); do
	[ "$(cstat slowcon0 waiting)" = 0 ] && [ "$(cstat ttyS0 waiting)" = 0 ] && break
	sleep 0.2
done
reset_capture
off0=$(ostat records_offloaded) sync0=$(ostat records_sync)
timed_burst rpo-fast "$N" >/dev/null
# The burst is stored: from now on a console's `waiting` counts the part it still owes.
fast="" slow=""
for _ in $(seq 400); do
	slow=$(cstat slowcon0 waiting) fast=$(cstat ttyS0 waiting)
	[ "$fast" = 0 ] && break
	sleep 0.05
done
[ "$fast" = 0 ] || fail "ttyS0 still owes $fast records after 20 s"
log "ttyS0 caught up with $slow records still owed by slowcon0 (burst of $N)"
[ "$slow" -ge $((N / 2)) ] ||
	fail "ttyS0 caught up only once slowcon0 owed $slow of the $N records: it was held to the slow console's pace"
wait_lines rpo-fast "$N" 60 || fail "slowcon0 did not get the burst"
check_sequence rpo-fast "$N" || fail "slowcon0's copy of the burst is wrong"
[ "$(ostat records_sync)" = "$sync0" ] || fail "records printed synchronously during the burst"
[ "$(($(ostat records_offloaded) - off0))" -ge $((2 * N)) ] || fail "the module did not print the burst on both consoles"
unload_offload
rmmod slow_console
