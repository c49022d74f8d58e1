#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# A module parameter read while the module unloads. sysfs runs a parameter's get under
# the module's parameter lock, and the parameter files outlive the module's exit, so a
# get may still be using the running instance when the unload frees it, unless the unload
# withdraws the instance under that lock. In a boot with rpo_test.pause=param:get:MS (the
# small ring's), the test build's printk_cpumask get pauses that long with the instance in
# hand: an unload begun meanwhile must wait for it (a use after free is a KASAN report,
# which fails the boot's log scan), and the read returns the mask.
. "$(dirname "$0")/lib.sh"
setup_printk
pause_ms=$(sed -n 's/.*rpo_test\.pause=param:get:\([0-9]*\).*/\1/p' /proc/cmdline)
[ -n "$pause_ms" ] || skip "this boot does not pause in a parameter's get (rpo_test.pause=param:get:MS)"
f=$(module_file rust_printk_offload) || skip "no rust_printk_offload.ko (the pause needs the test build)"
modinfo -p "$f" | grep -q '^test_fail_at:' || skip "not a test build: no pause in the parameter's get"
load_slow 0
load_offload
put 0 /proc/sys/kernel/printk_cpumask
out=$(mktemp)
on_exit "rm -f $out"
log_mark
cat /sys/module/rust_printk_offload/parameters/printk_cpumask >"$out" &
reader=$!
# The reader is inside the get once the hook says so.
for _ in $(seq 100); do
	log_since | grep -q "test hook: pausing $pause_ms ms at param:get" && break
	sleep 0.05
done
log_since | grep -q "test hook: pausing $pause_ms ms at param:get" || fail "the reader never paused in the get"
t0=$(now_ns)
unload_offload
took=$((($(now_ns) - t0) / 1000000))
wait $reader || fail "the parameter read failed"
[ "$(cat "$out")" = 0 ] || fail "the read during the unload returned '$(cat "$out")', not the mask 0"
# The unload withdraws the instance only once the get is done with it.
[ "$took" -ge $((pause_ms / 2)) ] || fail "the unload took $took ms: it did not wait for the get (pausing $pause_ms ms)"
[ -e /sys/module/rust_printk_offload ] && fail "the module is still there"
log "the unload waited $took ms for a parameter read using the instance; the read returned the mask"
