#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# One writer pinned to every online CPU floods /dev/kmsg for 10 s: every writer's lines
# reach the slow console in order and exactly once, with no dropped records, no soft
# lockup and no RCU stall (the kernel log is checked by the harness after the suite), and
# printers hand the claim straight over to each other.
. "$(dirname "$0")/lib.sh"
setup_printk
# Hand-overs need a second CPU (in a maxcpus= boot, bring it up for the test).
need_cpus 2
DURATION=${FLOOD_SECONDS:-10}
load_slow 1
load_offload
# Short slices (1 ms, default 20), and the printer moving after every one (with every
# CPU flooding, adaptive placement would keep it where it is): many hand-offs under the
# flood, each a chance to lose, repeat or reorder a record, and slices that end with a
# backlog (see the end).
put 1000 /proc/sys/kernel/printk_offload/slice_us
put 0 /proc/sys/kernel/printk_offload/adaptive_placement
reset_capture
cpus=$(tr ',' '\n' </sys/devices/system/cpu/online | while IFS=- read -r a b; do seq "$a" "${b:-$a}"; done)
tmp=$(mktemp -d)
for c in $cpus; do
	# shellcheck disable=SC2016 # the writer's own code: its own bash expands it
	taskset -c "$c" bash -c '
		exec 3>/dev/kmsg; i=0; end=$((SECONDS + '"$DURATION"'))
		while [ $SECONDS -lt $end ]; do i=$((i + 1)); echo "rpo-flood-'"$c"' $i" >&3; done
		echo $i >'"$tmp/$c"'' &
done
wait
total=0
for c in $cpus; do
	n=$(cat "$tmp/$c"); total=$((total + n))
	wait_lines "rpo-flood-$c" "$n" 120 || fail "cpu $c: lines missing"
	check_sequence "rpo-flood-$c" "$n" || fail "cpu $c: sequence broken"
	log "writer on cpu $c: $n lines, all delivered in order once"
done
[ "$(dropped_notices)" = 0 ] || fail "dropped notices on the console"
# With every CPU flooding, slices end with a backlog: the printer must have invited the
# next CPU's kthread and handed the claim straight over to it (overlapping hand-over).
ho=$(ostat handovers)
log "flood: $total lines in ${DURATION}s from $(wc -w <<<"$cpus") CPUs; hand-offs $(ostat handoffs), direct hand-overs $ho"
[ "${ho:-0}" -gt 0 ] || fail "no direct hand-over to an invited kthread during the flood"
unload_offload
rmmod slow_console
