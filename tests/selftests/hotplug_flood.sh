#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# With the mask at CPU 1, offline CPU 1 during a flood and bring it back, 20 times: no
# loss, no duplicate, no warning (the harness checks the kernel log).
. "$(dirname "$0")/lib.sh"
setup_printk
need_cpus 2
[ -w /sys/devices/system/cpu/cpu1/online ] || skip "CPU 1 cannot be offlined"
on_exit "echo 1 >/sys/devices/system/cpu/cpu1/online"
load_slow 1
load_offload
put 1 /proc/sys/kernel/printk_cpumask
reset_capture
flood_start rpo-hotplug
for r in $(seq 1 20); do
	echo 0 >/sys/devices/system/cpu/cpu1/online || fail "offline #$r"
	sleep 0.2
	echo 1 >/sys/devices/system/cpu/cpu1/online || fail "online #$r"
	sleep 0.2
done
n=$(flood_stop)
wait_lines rpo-hotplug "$n" 120 || fail "lines missing"
check_sequence rpo-hotplug "$n" || fail "duplicate, missing or reordered line"
log "20 offline/online cycles of CPU 1 during a flood of $n lines: each once, in order"
cat /sys/devices/system/cpu/possible >/proc/sys/kernel/printk_cpumask
unload_offload
rmmod slow_console
