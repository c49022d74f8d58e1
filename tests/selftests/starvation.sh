#!/usr/bin/env bash
# Real-time hogs on every eligible CPU but the writer's: the kthreads cannot run, so after
# kernel.printk_offload.starvation_ms the module prints synchronously; lines keep
# arriving within that bound, the statistics and the log show the fallback, and
# offloading resumes once the hog is gone.
. "$(dirname "$0")/lib.sh"
setup_printk
[ "$(nproc)" -ge 2 ] || skip "needs 2 CPUs"
command -v chrt >/dev/null || skip "no chrt"
load_slow 1
load_offload
echo 1000 >/proc/sys/kernel/printk_offload/starvation_ms
rt=$(cat /proc/sys/kernel/sched_rt_runtime_us)
echo -1 >/proc/sys/kernel/sched_rt_runtime_us   # no RT throttling: a real hog
# 6.12's fair server still gives CFS tasks 5% of a CPU under RT load: turn it off on the
# hogged CPU, or the kthread is merely slowed, not starved.
fs=/sys/kernel/debug/sched/fair_server/cpu1/runtime
fs_old=$(cat $fs 2>/dev/null)
[ -n "$fs_old" ] && { echo 0 >$fs || fail "cannot turn off the fair server on CPU 1"; }
reset_capture
s0=$(ostat starvations)
# Hog CPU 1 for 6 s; write 250 lines over 5 s from CPU 0.
chrt -f 99 taskset -c 1 bash -c 'end=$((SECONDS + 7)); while [ $SECONDS -lt $end ]; do :; done' &
hog=$!
sleep 0.5
taskset -c 0 python3 "$(dirname "$0")/kmsg_paced.py" rpo-starve 250 20 >/dev/null
# Still hogged: everything up to about starvation_ms ago must be on the console.
have=$(capture | grep -c '] rpo-starve ' || true)
log "when the writer finished (hog still running): $have of 250 lines on the console"
wait $hog
echo "$rt" >/proc/sys/kernel/sched_rt_runtime_us
[ -n "$fs_old" ] && echo "$fs_old" >$fs
[ "$have" -ge 150 ] || fail "lines did not keep arriving while the kthreads were starved"
wait_lines rpo-starve 250 30 || fail "lines missing"
check_sequence rpo-starve 250 || fail "duplicate, missing or reordered line"
[ "$(ostat starvations)" -gt "$s0" ] || fail "statistics do not show the fallback"
dmesg | grep -q 'emergency mode on (kthreads starved)' || fail "fallback not logged"
sleep 3
c=$(ostat records_offloaded)
burst rpo-starve-after 20
wait_lines rpo-starve-after 20 30 || fail "no printing after the hog"
[ "$(ostat emergency)" = 0 ] || fail "still in emergency mode after the hog"
[ "$(ostat records_offloaded)" -gt "$c" ] || fail "offloading did not resume"
log "fallback entered $(($(ostat starvations) - s0)) time(s); offloading resumed after the hog"
unload_offload
rmmod slow_console
