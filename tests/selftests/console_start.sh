#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# console_start() by another party on a console the module holds (a driver resuming its
# output, as the serial core does at resume): it sets CON_ENABLED and flushes, so the
# kernel prints the console's backlog in that caller, as it would without the module. The
# module's next look at the console list finds the console enabled under it and takes it
# back (RESYNC): every line once, in order, throughout, and then the module writes it.
. "$(dirname "$0")/lib.sh"
setup_printk
need_cpus 2
load_slow 300
load_offload
[ -w $DBG/console_start ] || skip "slow_console has no console_start file"
consoles() { tr '\n' ';' </proc/sys/kernel/printk_offload/consoles; }
[ "$(cstat slowcon0 printed_by)" = module ] || fail "slowcon0 is not the module's after load: $(consoles)"
reset_capture
# About 10 ms of console time a line: the start comes while most of them are owed.
burst rpo-cstart-a 100
owed=$(cstat slowcon0 waiting)
put 1 $DBG/console_start
[ "${owed:-0}" -ge 20 ] || fail "only ${owed:-0} records owed at console_start()"
wait_lines rpo-cstart-a 100 60 || fail "the first burst did not reach the console"
# The kernel printed the console since; a doorbell now lets the module see it.
burst rpo-cstart-b 50
wait_lines rpo-cstart-b 50 60 || fail "the second burst did not reach the console"
for _ in $(seq 100); do
	[ "$(cstat slowcon0 printed_by)" = module ] && break
	sleep 0.1
done
[ "$(cstat slowcon0 printed_by) $(cstat slowcon0 why)" = "module offloaded" ] ||
	fail "slowcon0 was not taken back after console_start(): $(consoles)"
w0=$(cstat slowcon0 written)
burst rpo-cstart-c 50
wait_lines rpo-cstart-c 50 60 || fail "the third burst did not reach the console"
[ "$(cstat slowcon0 written)" -ge $((w0 + 50)) ] ||
	fail "the module wrote $(($(cstat slowcon0 written) - w0)) of the third burst's 50 records"
for t in rpo-cstart-a:100 rpo-cstart-b:50 rpo-cstart-c:50; do
	check_sequence "${t%:*}" "${t#*:}" || fail "${t%:*}: sequence broken"
done
log "console_start() with $owed records owed: the kernel printed them, the module took the console back; 200 lines once, in order; the module wrote the last 50"
