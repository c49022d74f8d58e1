#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# A load that fails at any step undoes every step before it. The test build's
# test_fail_at parameter fails the load (ENOMEM) right after a step: the kthreads, the
# notifiers, the watch timer, the doorbell (tracepoint probe, irq_works) with the consoles
# taken over, the parameters applied, the sysctl tables. After each failed load: the module
# is gone, no printk_offload kthread or sysctl file is left, the kernel prints slowcon0
# again (enabled in /proc/consoles; a line written now reaches it, once); a tracepoint
# probe left behind would run freed code at that line. A normal load and unload follow
# them all. (The notifiers cannot be seen from user space; the crash tests' load and
# unload windows see them at work.)
. "$(dirname "$0")/lib.sh"
setup_printk
f=$(module_file rust_printk_offload) || skip "no rust_printk_offload.ko (test_fail_at needs insmod)"
modinfo -p "$f" | grep -q '^test_fail_at:' || skip "not a test build: no test_fail_at parameter"
load_slow 0
on_exit "rmmod rust_printk_offload"
P=/proc/sys/kernel/printk_offload TAG=rpo-rollback
kthreads() { pgrep -c '^printk_offload' || true; }
for point in load:kthreads load:notifiers load:watch load:taken_over load:params load:sysctl; do
	log_mark
	if insmod "$f" test_fail_at=$point 2>/dev/null; then
		rmmod rust_printk_offload
		fail "$point: the load did not fail"
	fi
	log_since | grep -q "test hook: failing the load at $point" || fail "$point: the hook did not fire"
	grep -q '^rust_printk_offload ' /proc/modules && fail "$point: still in /proc/modules"
	[ "$(kthreads)" = 0 ] || fail "$point: $(kthreads) printk_offload kthreads left"
	[ -e $P ] && fail "$point: $P left"
	[ -e /proc/sys/kernel/printk_cpumask ] && fail "$point: /proc/sys/kernel/printk_cpumask left"
	grep -q '^slowcon0 .*E' /proc/consoles || fail "$point: slowcon0 not enabled: $(grep slowcon /proc/consoles)"
	reset_capture
	echo "$TAG $point" >/dev/kmsg
	wait_lines "$TAG" 1 10 || fail "$point: slowcon0 is not printed"
	[ "$(capture | grep -c -- "] $TAG $point\$")" = 1 ] || fail "$point: the line reached slowcon0 $(capture | grep -c -- "$TAG") times"
	log "$point: the failed load left nothing"
done
insmod "$f" || fail "the load after the failed ones failed"
[ "$(cstat slowcon0 printed_by)" = module ] || fail "the load after the failed ones did not take slowcon0 over"
unload_offload
log "a load after them works"
