#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# A real-time hog takes the printer's CPU in the middle of a slice: a SCHED_FIFO 99 busy
# loop starts on the CPU whose kthread is printing a backlog, with RT throttling and the
# fair server off there, so the kthread gets no CPU at all. The printer must not be
# holding console_lock while it waits: after starvation_ms the module hands the consoles
# to printk() callers, which must then be able to print, so lines keep arriving while the
# hog runs. Afterwards every line is there once, in order.
# kselftest-timeout=240
. "$(dirname "$0")/lib.sh"
setup_printk
need_cpus 2
command -v chrt >/dev/null || skip "no chrt"
FS=/sys/kernel/debug/sched/fair_server
[ -d $FS ] || skip "no $FS (CONFIG_SCHED_DEBUG): a hog would still leave the kthread 5% of its CPU"
P=/proc/sys/kernel/printk_offload
STOP=/tmp/rpo-hog-stop
# Undone at the end in reverse order: RT throttling back, then the fair server (whose
# bandwidth must fit again), and the hog stopped first of all.
on_exit "echo $(cat /proc/sys/kernel/sched_rt_runtime_us) >/proc/sys/kernel/sched_rt_runtime_us"
# A CPU first brought online after boot (maxcpus=) has no fair server at all: runtime
# and period read 0 there, and there is nothing to turn off or restore.
fs_runtime=$(cat "$FS/cpu1/runtime")
[ "$fs_runtime" = 0 ] || on_exit "echo $fs_runtime >$FS/cpu1/runtime"
rm -f $STOP
on_exit "touch $STOP; wait"
load_slow 100 # about 3 ms a line
load_offload
echo 1000 >$P/starvation_ms
reset_capture
# The printer's CPU is CPU 1 (the mask), the writer's CPU 0. A backlog of about three
# seconds, then the hog arrives while the kthread is printing it.
cpu=1 writer_cpu=0
echo $cpu >/proc/sys/kernel/printk_cpumask
taskset -c $writer_cpu python3 "$(dirname "$0")/kmsg_burst.py" rpo-hog-a 1000 >/dev/null
sleep 0.2
c0=$(ostat cpu1_records)
sleep 0.2
backlog=$(ostat backlog)
[ "$(ostat cpu1_records)" -gt "$c0" ] || fail "printk_offload/1 is not printing the backlog"
[ "$backlog" -gt 100 ] || fail "the backlog is already printed ($backlog records left)"
echo -1 >/proc/sys/kernel/sched_rt_runtime_us
if [ "$fs_runtime" != 0 ]; then
	echo 0 >"$FS/cpu$cpu/runtime" || fail "cannot turn off the fair server on CPU $cpu"
fi
s0=$(ostat starvations) sync0=$(ostat records_sync)
chrt -f 99 taskset -c "$cpu" bash -c "while [ ! -e $STOP ]; do :; done" &
hog=$!
sleep 0.2
chrt -p $hog | grep -q SCHED_FIFO || fail "the hog is not SCHED_FIFO: $(chrt -p $hog 2>&1)"
# 250 lines over 5 s from the other CPU while the hog holds the printer's CPU.
taskset -c $writer_cpu python3 "$(dirname "$0")/kmsg_paced.py" rpo-hog-b 250 20 >/dev/null
have_a=$(capture | grep -c '] rpo-hog-a ' || true)
have_b=$(capture | grep -c '] rpo-hog-b ' || true)
starved=$(($(ostat starvations) - s0)) sync=$(($(ostat records_sync) - sync0))
touch $STOP
wait "$hog"
log "hog on CPU $cpu mid-slice (backlog $backlog): after 5 s, $have_a of 1000 backlog lines and" \
	"$have_b of 250 new lines on the console; fallback entered $starved time(s), $sync records synchronously"
[ "$starved" -ge 1 ] || fail "the starvation fallback was not entered"
[ "$have_a" = 1000 ] || fail "the backlog did not reach the console while the printer's CPU was hogged"
# With a 1 s bound and a line every 20 ms, about 60 lines may wait for the fallback.
[ "$have_b" -ge 180 ] || fail "lines did not keep arriving while the printer's CPU was hogged"
wait_lines rpo-hog-b 250 30 || fail "lines missing"
check_sequence rpo-hog-a 1000 || fail "backlog: duplicate, missing or reordered line"
check_sequence rpo-hog-b 250 || fail "duplicate, missing or reordered line"
unload_offload
rmmod slow_console
