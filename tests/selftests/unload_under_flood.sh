#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# rmmod in the middle of a flood: no duplicate and no missing line on the console; the
# kernel prints directly afterwards; loading again works.
. "$(dirname "$0")/lib.sh"
setup_printk
load_slow 2
for round in 1 2 3; do
	load_offload
	reset_capture
	tag=rpo-unload-$round
	flood_start "$tag" 4
	sleep 2
	unload_offload
	n=$(flood_stop)
	wait_lines "$tag" "$n" 60 || fail "round $round: lines missing"
	check_sequence "$tag" "$n" || fail "round $round: duplicate or missing line"
	log "round $round: $n lines across rmmod, each once, in order"
done
# Direct printing after unload.
reset_capture
echo "rpo-after-unload 1" >/dev/kmsg
wait_lines rpo-after-unload 1 5 || fail "no direct printing after unload"
check_sequence rpo-after-unload 1 || fail "direct line printed more than once"
rmmod slow_console
