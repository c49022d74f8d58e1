#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# A real-time hog takes the printer's CPU in the middle of a slice: a SCHED_FIFO 99 busy
# loop starts on the CPU whose kthread is printing a backlog. Twice:
#   - full: RT throttling and the fair server off there, so the kthread gets no CPU at all;
#   - throttled: the kernel's defaults (RT throttling at 95% of the 1 s period, the fair
#     server on), so the kthread gets about 5% of its CPU and its records trickle out,
#     each still moving.
# Either way the printer does not get the time to print what is owed: after about
# starvation_ms the consoles must go to printk() callers, who then print, so lines keep
# arriving while the hog runs. Afterwards every line is there once, in order.
# kselftest-timeout=240
. "$(dirname "$0")/lib.sh"
setup_printk
need_cpus 2
command -v chrt >/dev/null || skip "no chrt"
FS=/sys/kernel/debug/sched/fair_server
[ -d $FS ] || skip "no $FS (CONFIG_SCHED_DEBUG): a hog would still leave the kthread 5% of its CPU"
P=/proc/sys/kernel/printk_offload
STOP=/tmp/rpo-hog-stop
rt_runtime=$(cat /proc/sys/kernel/sched_rt_runtime_us)
load_slow 100 # about 3 ms a line
load_offload
# Undone at the end in reverse order, before the modules go: RT throttling back, then the
# fair server (whose bandwidth must fit again), and the hog stopped first of all (a kthread
# it starves could not be stopped).
on_exit "echo $rt_runtime >/proc/sys/kernel/sched_rt_runtime_us"
# A CPU first brought online after boot (maxcpus=) has no fair server at all: runtime
# and period read 0 there, and there is nothing to turn off or restore.
fs_runtime=$(cat "$FS/cpu1/runtime")
[ "$fs_runtime" = 0 ] || on_exit "echo $fs_runtime >$FS/cpu1/runtime"
on_exit "touch $STOP; wait"
put 1000 $P/starvation_ms
# The printer's CPU is CPU 1 (the mask), the writer's CPU 0.
cpu=1 writer_cpu=0
put $cpu /proc/sys/kernel/printk_cpumask

# hog_run full|throttled TAG: a backlog of about three seconds, then the hog arrives while
# the kthread is printing it.
hog_run() {
	local kind=$1 a=$2-a b=$2-b
	rm -f $STOP
	reset_capture
	taskset -c $writer_cpu python3 "$HERE/kmsg_burst.py" "$a" 1000 >/dev/null
	sleep 0.2
	local c0 backlog
	c0=$(ostat cpu1_records)
	sleep 0.2
	backlog=$(ostat backlog)
	[ "$(ostat cpu1_records)" -gt "$c0" ] || fail "$kind: printk_offload/1 is not printing the backlog"
	[ "$backlog" -gt 100 ] || fail "$kind: the backlog is already printed ($backlog records left)"
	if [ "$kind" = full ]; then
		echo -1 >/proc/sys/kernel/sched_rt_runtime_us || fail "cannot turn RT throttling off"
		if [ "$fs_runtime" != 0 ]; then
			echo 0 >"$FS/cpu$cpu/runtime" || fail "cannot turn off the fair server on CPU $cpu"
		fi
	fi
	local s0 sync0 t0
	s0=$(ostat starvations) sync0=$(ostat records_sync)
	t0=$(awk '{print $1}' /proc/uptime)
	if [ "$kind" = throttled ]; then
		# The kernel's default, whatever this system has.
		echo 950000 >/proc/sys/kernel/sched_rt_runtime_us || fail "cannot set RT throttling to 95%"
	fi
	chrt -f 99 taskset -c "$cpu" bash -c "while [ ! -e $STOP ]; do :; done" &
	local hog=$!
	sleep 0.2
	chrt -p $hog | grep -q SCHED_FIFO || fail "the hog is not SCHED_FIFO: $(chrt -p $hog 2>&1)"
	# 250 lines over 5 s from the other CPU while the hog holds the printer's CPU.
	taskset -c $writer_cpu python3 "$HERE/kmsg_paced.py" "$b" 250 20 >/dev/null
	local have_a have_b starved sync stats_then
	have_a=$(capture | grep -c "] $a " || true)
	have_b=$(capture | grep -c "] $b " || true)
	starved=$(($(ostat starvations) - s0)) sync=$(($(ostat records_sync) - sync0))
	stats_then=$(cat $P/stats)
	touch $STOP
	wait "$hog"
	if [ "$kind" = full ]; then
		# The fair server first: RT throttling's bandwidth check counts it.
		if [ "$fs_runtime" != 0 ]; then
			echo "$fs_runtime" >"$FS/cpu$cpu/runtime" || fail "cannot restore the fair server"
		fi
	fi
	echo "$rt_runtime" >/proc/sys/kernel/sched_rt_runtime_us || fail "cannot restore RT throttling"
	log "$kind hog on CPU $cpu mid-slice (backlog $backlog): after 5 s, $have_a of 1000 backlog" \
		"lines and $have_b of 250 new lines on the console; fallback entered $starved time(s)," \
		"$sync records synchronously"
	local why=""
	[ "$starved" -ge 1 ] || why="the starvation fallback was not entered"
	[ "$have_a" = 1000 ] || why="the backlog did not reach the console while the printer's CPU was hogged"
	# With a 1 s bound and a line every 20 ms, about 60 lines may wait for the fallback.
	[ "$have_b" -ge 180 ] || why="lines did not keep arriving while the printer's CPU was hogged"
	if [ -n "$why" ]; then
		log "the hog started at ${t0}s (uptime); the module's log since then, and its stats then:"
		dmesg | awk -v t0="$t0" '/rust_printk_offload/ {
			s = $0; sub(/^\[ */, "", s); if (s + 0 >= t0 - 1) print "  " $0 }'
		echo "$stats_then" | awk '{ print "  " $0 }'
		fail "$kind: $why"
	fi
	wait_lines "$b" 250 30 || fail "$kind: lines missing"
	check_sequence "$a" 1000 || fail "$kind: backlog: duplicate, missing or reordered line"
	check_sequence "$b" 250 || fail "$kind: duplicate, missing or reordered line"
	# Offloading again before the next run.
	offloading_again "$2" "$kind"
}
hog_run full rpo-hog
hog_run throttled rpo-thr
unload_offload
rmmod slow_console
