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
# One read() (a second one, for the end of the file, could find the files gone).
dd if=/sys/module/rust_printk_offload/parameters/printk_cpumask of="$out" bs=64 count=1 status=none &
reader=$!
# The reader is inside the get once the hook says so.
paused="test hook: pausing $pause_ms ms at param:get"
for _ in $(seq 100); do
	log_since | grep -qF "$paused" && break
	sleep 0.05
done
log_since | grep -qF "$paused" || fail "the reader never paused in the get"
unload_offload
wait $reader || fail "the parameter read failed"
[ "$(cat "$out")" = 0 ] || fail "the read during the unload returned '$(cat "$out")', not the mask 0"
# ms_of TEXT: the kernel's timestamp, in ms, of the last log line containing TEXT.
ms_of() {
	local t
	t=$(dmesg -r | grep -F -- "$1" | tail -1 | sed -n 's/^<[0-9]*>\[ *\([0-9]*\)\.\([0-9]\{3\}\).*/\1\2/p')
	[ -n "$t" ] || fail "no log line with '$1'"
	echo $((10#$t))
}
# The module says "unloaded" once the instance is withdrawn: not before the get is done
# with it. (rmmod's own time proves nothing: the module's sysfs files go after its exit,
# and that waits for every read under way.)
gap=$(($(ms_of "unloaded: kthreads printed") - $(ms_of "$paused")))
[ "$gap" -ge $((pause_ms - 50)) ] ||
	fail "the instance was withdrawn $gap ms after the get paused for $pause_ms ms with it in hand"
[ -e /sys/module/rust_printk_offload ] && fail "the module is still there"
log "the instance was withdrawn $gap ms after a parameter read paused ($pause_ms ms) with it; the read returned the mask"
