#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# A mask whose only CPU goes offline: messages still reach the console (synchronously,
# counted), and offloading resumes when the CPU comes back.
. "$(dirname "$0")/lib.sh"
setup_printk
F=/proc/sys/kernel/printk_cpumask
need_cpus 2
[ -w /sys/devices/system/cpu/cpu1/online ] || skip "CPU 1 cannot be offlined"
on_exit "echo 1 >/sys/devices/system/cpu/cpu1/online"
load_slow 0
load_offload
log_mark
echo 1 >$F || fail "cannot write the mask"
echo 0 >/sys/devices/system/cpu/cpu1/online || fail "cannot offline CPU 1"
reset_capture
sync0=$(ostat records_sync)
burst rpo-offline 50
wait_lines rpo-offline 50 10 || fail "CPU offline: lines missing"
check_sequence rpo-offline 50 || fail "CPU offline: sequence broken"
[ "$(ostat emergency)" = 1 ] || fail "no emergency mode with the only mask CPU offline"
[ "$(ostat records_sync)" -ge $((sync0 + 50)) ] || fail "synchronous records not counted"
log_since | grep -q 'emergency mode on (no eligible CPU online)' || fail "not logged"
log "CPU 1 offline: 50 lines printed synchronously, counted"

echo 1 >/sys/devices/system/cpu/cpu1/online || fail "cannot online CPU 1"
sleep 1
c1=$(ostat cpu1_records)
reset_capture
burst rpo-online 50
wait_lines rpo-online 50 30 || fail "CPU back: lines missing"
check_sequence rpo-online 50 || fail "CPU back: sequence broken"
[ "$(ostat emergency)" = 0 ] || fail "still in emergency mode after CPU 1 came back"
[ "$(ostat cpu1_records)" -ge $((c1 + 50)) ] || fail "printk_offload/1 did not print after coming back"
log "CPU 1 back: offloading resumed on printk_offload/1"
cat /sys/devices/system/cpu/possible >$F

# The mask's only CPU goes offline while its kthread prints a backlog, and nothing is
# printed after: the backlog must still reach the console (the CPU going away is not
# eligible, so printing becomes synchronous and the backlog is flushed), with no further
# printk() to push it.
put 100 $DBG/delay_us
put 1 $F
reset_capture
timed_burst rpo-offline-backlog 200 >/dev/null
echo 0 >/sys/devices/system/cpu/cpu1/online || fail "cannot offline CPU 1"
wait_lines rpo-offline-backlog 200 30 || fail "CPU 1 went offline with a backlog: lines stranded"
check_sequence rpo-offline-backlog 200 || fail "backlog across offline: sequence broken"
log "CPU 1 offline with a backlog and no further printk: all 200 lines arrived"
echo 1 >/sys/devices/system/cpu/cpu1/online || fail "cannot online CPU 1"
cat /sys/devices/system/cpu/possible >$F
unload_offload
rmmod slow_console
