#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# A CPU that comes online for the first time after the module loaded (booted with
# maxcpus=1, or hot-added): its kthread is created then (smpboot's setup, not unpark),
# and it must count as the eligible CPU it is. With printk_cpumask = that CPU while it is
# still offline, printing is synchronous (no eligible CPU); once it is online, emergency
# mode ends and its kthread prints.
# Needs a boot with maxcpus=1 and a second CPU (make check runs it in a boot of its own).
. "$(dirname "$0")/lib.sh"
setup_printk
F=/proc/sys/kernel/printk_cpumask
ON=/sys/devices/system/cpu/cpu1/online
[ -w $ON ] || skip "CPU 1 cannot be brought online"
[ "$(cat $ON)" = 0 ] || skip "CPU 1 is online already: boot with maxcpus=1"
on_exit "echo 0 >$ON"
load_slow 0
load_offload
put 1 $F
[ "$(ostat emergency)" = 1 ] || fail "the only CPU of the mask is offline, yet no emergency mode"
reset_capture
burst rpo-first-off 20
wait_lines rpo-first-off 20 10 || fail "CPU 1 never online: lines missing"
log "CPU 1 never online, mask 1: emergency mode, lines printed synchronously"
echo 1 >$ON || fail "cannot bring CPU 1 online"
for _ in $(seq 50); do
	[ "$(ostat emergency)" = 0 ] && break
	sleep 0.1
done
[ "$(ostat emergency)" = 0 ] || fail "CPU 1 came online for the first time, emergency mode stays on"
c1=$(ostat cpu1_records)
reset_capture
burst rpo-first-on 50
wait_lines rpo-first-on 50 30 || fail "CPU 1 online: lines missing"
check_sequence rpo-first-on 50 || fail "CPU 1 online: sequence broken"
[ "$(ostat cpu1_records)" -ge $((c1 + 50)) ] || fail "printk_offload/1 did not print (cpu1_records $(ostat cpu1_records))"
log "CPU 1 online for the first time: emergency mode off, printk_offload/1 printed $(($(ostat cpu1_records) - c1)) records"
cat /sys/devices/system/cpu/possible >$F
unload_offload
rmmod slow_console
