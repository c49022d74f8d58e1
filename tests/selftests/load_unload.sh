#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# The module loads, logs one line, unloads, logs one line, and can be loaded again.
. "$(dirname "$0")/lib.sh"
setup_printk
# Never 'dmesg -c': the harness scans the whole kernel log, and a cleared record is also
# one the kthreads skip (see README, limits).
count() { dmesg | grep -c "rust_printk_offload: $1" || true; }
for round in 1 2; do
	l0=$(count loaded) u0=$(count unloaded)
	load_offload
	grep -q '^rust_printk_offload ' /proc/modules || fail "not in /proc/modules after insmod"
	[ "$(count loaded)" -gt "$l0" ] || fail "no load message"
	unload_offload
	grep -q '^rust_printk_offload ' /proc/modules && fail "still loaded after rmmod"
	[ "$(count unloaded)" -gt "$u0" ] || fail "no unload message"
	log "round $round: load/unload ok"
done
