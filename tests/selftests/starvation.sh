#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# Real-time hogs on every eligible CPU but the writer's: the printk_cpumask is CPU 1, a
# SCHED_FIFO 99 busy loop owns CPU 1, the writer runs on CPU 0. The kthread cannot run, so
# after kernel.printk_offload.starvation_ms the module prints synchronously: lines keep
# arriving within that bound, the statistics and the log show the fallback (once), and
# offloading resumes once the hog is gone.
. "$(dirname "$0")/lib.sh"
setup_printk
need_cpus 2
command -v chrt >/dev/null || skip "no chrt"
load_slow 1
load_offload
log_mark
P=/proc/sys/kernel/printk_offload
put 1 /proc/sys/kernel/printk_cpumask
put 1000 $P/starvation_ms
fs=/sys/kernel/debug/sched/fair_server/cpu1/runtime
[ -e $fs ] || skip "no $fs (CONFIG_SCHED_DEBUG): a hog would still leave the kthread 5% of its CPU"
stop=/tmp/rpo-hog-stop
rm -f $stop
# Undone at the end in reverse order: the hog stopped, the fair server back (its bandwidth
# must fit before RT throttling returns), RT throttling back.
on_exit "echo $(cat /proc/sys/kernel/sched_rt_runtime_us) >/proc/sys/kernel/sched_rt_runtime_us"
on_exit "echo $(cat $fs) >$fs"
on_exit "touch $stop; wait"
restore() {
	touch $stop
	wait "$hog" 2>/dev/null
}
# No RT throttling, and (6.12) no fair server on the hogged CPU: a real hog. Without this
# the deadline "fair server" still gives CFS tasks 5% of the CPU and the kthread is only
# slowed down.
put -1 /proc/sys/kernel/sched_rt_runtime_us
echo 0 >$fs || fail "cannot turn off the fair server on CPU 1"
chrt -f 99 taskset -c 1 bash -c "while [ ! -e $stop ]; do :; done" &
hog=$!
sleep 0.5
chrt -p $hog | grep -q SCHED_FIFO || fail "the hog is not SCHED_FIFO: $(chrt -p $hog 2>&1)"
reset_capture
s0=$(ostat starvations) sync0=$(ostat records_sync) off0=$(ostat records_offloaded)
# 250 lines over 5 s from CPU 0, while CPU 1 stays hogged.
taskset -c 0 python3 "$(dirname "$0")/kmsg_paced.py" rpo-starve 250 20 >/dev/null
have=$(capture | grep -c '] rpo-starve ' || true)
starved=$(($(ostat starvations) - s0)) sync=$(($(ostat records_sync) - sync0))
offloaded=$(($(ostat records_offloaded) - off0))
restore
log "while CPU 1 was hogged: $have of 250 lines on the console; fallback entered $starved time(s);" \
	"$sync records printed synchronously, $offloaded by the kthreads"
# With a 1 s bound and a line every 20 ms, at most about 60 lines may still be waiting.
[ "$have" -ge 180 ] || fail "lines did not keep arriving while the kthread was starved"
[ "$starved" -ge 1 ] || fail "statistics do not show the fallback"
[ "$sync" -ge 100 ] || fail "the fallback did not print synchronously"
log_since | grep -q 'emergency mode on (kthreads starved)' || fail "fallback not logged"
wait_lines rpo-starve 250 30 || fail "lines missing"
check_sequence rpo-starve 250 || fail "duplicate, missing or reordered line"
# The hog is gone: after another starvation_ms the kthreads take over again.
sleep 2
c=$(ostat records_offloaded)
burst rpo-starve-after 20
wait_lines rpo-starve-after 20 30 || fail "no printing after the hog"
sleep 1
[ "$(ostat emergency)" = 0 ] || fail "still in emergency mode after the hog"
[ "$(ostat records_offloaded)" -gt "$c" ] || fail "offloading did not resume"
log "offloading resumed after the hog"
cat /sys/devices/system/cpu/possible >/proc/sys/kernel/printk_cpumask
unload_offload
rmmod slow_console
