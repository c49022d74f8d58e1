#!/usr/bin/env bash
# The module loads, logs one line, unloads, logs one line, and can be loaded again.
. "$(dirname "$0")/lib.sh"
setup_printk
dmesg -c >/dev/null 2>&1 || true
for round in 1 2; do
	load_offload
	grep -q '^rust_printk_offload ' /proc/modules || fail "not in /proc/modules after insmod"
	dmesg | grep -q 'rust_printk_offload: loaded' || fail "no load message"
	unload_offload
	grep -q '^rust_printk_offload ' /proc/modules && fail "still loaded after rmmod"
	dmesg | grep -q 'rust_printk_offload: unloading' || fail "no unload message"
	log "round $round: load/unload ok"
done
