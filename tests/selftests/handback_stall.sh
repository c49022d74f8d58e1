#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# Hand-back without a stall: with a backlog of several seconds of console time owed to a
# slow console, each way the consoles go back to the kernel (an urgent kernel record, the
# user switch, the same with writers that outrun its drain, no CPU left in the mask, the
# printer's CPU going offline, a real-time hog, the console's unregistration, unload) must
# print that backlog where the printer can be preempted between records: no interrupts-off
# section and no CPU unable to run a real-time task for longer than 3 records' console
# time (1.5 records where records are long enough). Detectors: the irqsoff tracer's tracing_max_latency, and a SCHED_FIFO probe pinned
# to each CPU (latency_probe.py). Every line must still arrive once, in order.
# kselftest-timeout=600
. "$(dirname "$0")/lib.sh"
setup_printk
need_cpus 2
command -v chrt >/dev/null || skip "no chrt"
T=/sys/kernel/tracing
mountpoint -q $T || mount -t tracefs nodev $T 2>/dev/null
grep -qw irqsoff $T/available_tracers 2>/dev/null || skip "no irqsoff tracer (CONFIG_IRQSOFF_TRACER)"
on_exit "echo nop >$T/current_tracer"
echo irqsoff >$T/current_tracer || fail "cannot select the irqsoff tracer"
echo 1 >$T/tracing_on
P=/proc/sys/kernel/printk_offload
CPUS=/sys/devices/system/cpu
# Per character: a 200-character record takes 60 ms, so that the bound (3 records) stays
# well above what the emulator alone can take from a vCPU now and then (about 0.1 s has
# been seen).
DELAY_US=300
N=80 # records of the backlog: several seconds of console time (4.8 s)
load_slow $DELAY_US
load_offload
on_exit "cat $CPUS/possible >/proc/sys/kernel/printk_cpumask"

# cmd_cost PROBE_CPUS CMD [UNDO]: sets CMD_COST to the longest probe gap (µs) that CMD
# (then UNDO) causes with nothing owed, of three runs: CPU hotplug stops every CPU for a
# moment (stop_machine), loading a module patches kernel text, by themselves.
cmd_cost() {
	local worst=0 r
	for r in 1 2 3; do
		# shellcheck disable=SC2086 # a list of CPUs
		probes_start $1
		eval "$2" || fail "'$2' failed (run $r with nothing owed)"
		probes_stop
		[ -z "${3:-}" ] || eval "$3" || fail "'$3' failed"
		[ "$GAP" -gt "$worst" ] && worst=$GAP
	done
	CMD_COST=$worst
}

# stuck_dump: what the unloader and the module's kthreads wait for, in the test's output,
# when a hand-back has not returned after a minute (all of them take seconds).
stuck_dump() {
	log "the hand-back has not returned after 60 s; stacks:"
	for p in $(pgrep -x rmmod) $(pgrep '^printk_offload/'); do
		log "$p $(cat "/proc/$p/comm" 2>/dev/null):"
		sed 's/^/    /' "/proc/$p/stack" 2>/dev/null
	done
	ps -eo pid,psr,cls,rtprio,stat,wchan:32,comm | awk 'NR == 1 || $3 != "TS" || $5 ~ /^[RD]/'
}

# wait_stopped PID WHAT: waits (5 s at most) until PID, started in the background to stop
# itself (the hand-back is its SIGCONT), is stopped; fails naming WHAT otherwise.
wait_stopped() {
	for _ in $(seq 100); do
		grep -q '^State:[[:space:]]*T' "/proc/$1/status" 2>/dev/null && return 0
		sleep 0.05
	done
	fail "$2 did not stop itself"
}

# scenario NAME PROBE_CPUS CMD [EXTRA_US]: store the backlog, then run CMD (the hand-back) under the
# detectors; every line must arrive, and no detector may exceed 3 records' console time
# (BOUND_HALVES records / 2: 6 unless set). EXTRA_US is what CMD itself may cost the
# probes with nothing owed. Sets TOOK to the milliseconds CMD took.
scenario() {
	local name=$1 probe_cpus=$2 cmd=$3 extra=${4:-0} tag="rpo-hb-$1" owed t0 irqsoff gap rec bound w0 b0 wd
	reset_capture
	put 0 $DBG/max_write_ns
	w0=$(cat $DBG/writes) b0=$(cat $DBG/busy_ns)
	# The probes first: they take a while to start, and the backlog is owed at the
	# hand-back only if the hand-back follows the writer at once.
	# shellcheck disable=SC2086 # a list of CPUs
	probes_start $probe_cpus
	# From CPU 0: a writer sharing the printer's CPU would be slowed by it.
	tag=$(taskset -c 0 python3 "$HERE/kmsg_long.py" "$tag" "$N" 200)
	owed=$(ostat backlog)
	OWED=$owed
	# At least 3 s of console time owed (200 characters a record).
	[ $((${owed:-0} * 200 * DELAY_US)) -ge 3000000 ] ||
		fail "$name: only ${owed:-0} records owed at the hand-back"
	echo 0 >$T/tracing_max_latency
	t0=$(now_ns)
	(
		sleep 60
		stuck_dump
	) &
	wd=$!
	eval "$cmd" || fail "$name: '$cmd' failed"
	kill $wd 2>/dev/null
	TOOK=$((($(now_ns) - t0) / 1000000))
	wait_lines "$tag" "$N" 120 || fail "$name: lines missing"
	irqsoff=$(cat $T/tracing_max_latency)
	probes_stop
	gap=$GAP
	check_sequence "$tag" "$N" || fail "$name: duplicate, missing or reordered line"
	# One record's console time, as the console measured its writes: the mean, and the
	# longest single write. The bound is 3 of the longer (unless BOUND_HALVES says
	# otherwise, for records long enough): a record whose write the host
	# held up (the guest's vCPUs are threads of an emulator) makes the detectors see a
	# long section that is still one record.
	rec=$((($(cat $DBG/busy_ns) - b0) / ($(cat $DBG/writes) - w0) / 1000))
	REC_US=$rec
	maxw=$(($(cat $DBG/max_write_ns) / 1000))
	bound=$((${BOUND_HALVES:-6} * (maxw > rec ? maxw : rec) / 2))
	log "$name: $owed records owed ($((owed * rec / 1000)) ms of console time);" \
		"'$cmd' took $TOOK ms; longest interrupts-off section $irqsoff us," \
		"longest probe gap $gap us (bound: $((${BOUND_HALVES:-6} / 2)).$((${BOUND_HALVES:-6} % 2 * 5)) records = $bound us, a record taking $rec us on" \
		"average and $maxw us at most; + $extra us for '$cmd' alone)"
	if [ "$irqsoff" -ge $bound ]; then
		grep -v '^#' $T/trace | head -40 | sed 's/^/    /'
		fail "$name: interrupts were off for $irqsoff us"
	fi
	[ "$gap" -lt $((bound + extra)) ] || fail "$name: a CPU could not run a real-time task for $gap us"
}

# An urgent record: a kernel warning (the module loader's, for an unknown parameter).
if modprobe -n lkdtm 2>/dev/null; then
	on_exit "rmmod lkdtm"
	urgent="modprobe lkdtm rpo_handback_probe=1 && rmmod lkdtm"
	cmd_cost "0 1" "$urgent"
	scenario urgent "0 1" "$urgent" "$CMD_COST"
else
	skip "no lkdtm module to load with an unknown parameter (a kernel warning)"
fi
# The urgent mode ends at a doorbell 250 ms after the warning.
sleep 0.5
echo "rpo-hb-settle" >/dev/kmsg
sleep 0.5
[ "$(ostat emergency)" = 0 ] || fail "urgent: still in emergency mode"

scenario user "0 1" "echo 1 >$P/emergency"
put 0 $P/emergency

# No CPU of the mask online: the writer of the mask hands back.
scenario no_cpu "0 1" "echo '' >/proc/sys/kernel/printk_cpumask"
cat $CPUS/possible >/proc/sys/kernel/printk_cpumask

# The printer's CPU goes offline: it must not wait for the backlog.
on_exit "echo 1 >$CPUS/cpu1/online"
# The hotplug runs in the writer of the online file: at real-time priority, so that what
# is measured is the hotplug, not the writer's share of the one CPU left beside a printer
# at nice -10.
offline="chrt -f 50 sh -c 'echo 0 >$CPUS/cpu1/online'"
cmd_cost 0 "$offline" "echo 1 >$CPUS/cpu1/online"
put 1 /proc/sys/kernel/printk_cpumask
scenario offline 0 "$offline" "$CMD_COST"
# How long the CPU took to go offline is reported, not bounded: the printer's kthread
# parks at once (it stops printing at kthread_should_park() and leaves the backlog to
# another CPU), but the hotplug's kworker and the RCU grace-period kthread still wait for
# the printing kthread on their CPU at each wake-up (docs/design.md 6.2).
log "offline: the CPU went offline in $TOOK ms with $OWED records owed ($((OWED * REC_US / 1000)) ms of console time)"

put 1 $CPUS/cpu1/online
cat $CPUS/possible >/proc/sys/kernel/printk_cpumask

# A real-time hog takes the printer's CPU after the burst, and nothing is printed after
# it: the starvation fallback must notice by itself (no doorbell rings), and a kthread on
# another CPU prints the backlog.
FS=/sys/kernel/debug/sched/fair_server/cpu1/runtime
[ -e $FS ] || skip "no $FS (CONFIG_SCHED_DEBUG): a hog would still leave the kthread 5% of its CPU"
HOG_STOP=/tmp/rpo-hb-hog-stop
rm -f $HOG_STOP
on_exit "echo $(cat /proc/sys/kernel/sched_rt_runtime_us) >/proc/sys/kernel/sched_rt_runtime_us"
on_exit "echo $(cat $FS) >$FS"
on_exit "touch $HOG_STOP"
put 1 /proc/sys/kernel/printk_cpumask
put 1000 $P/starvation_ms
put -1 /proc/sys/kernel/sched_rt_runtime_us
echo 0 >$FS || fail "cannot turn off the fair server on CPU 1"
s0=$(ostat starvations)
# Records of 60 ms here too, so that the bound stays above the emulator's own pauses: the
# hog's CPU is in and out of short interrupts-off sections all the time (lockdep's among
# them), and a pause of the whole guest inside one is measured as one long section.
# The hog is started beforehand and stops itself; the hand-back is its SIGCONT. Started
# inside the measured window, its start-up (chrt and taskset at priority 99 on whatever
# CPU the shell runs, new code for the emulator to translate) would be measured with it.
taskset -c 1 chrt -f 99 bash -c "kill -STOP \$\$; while [ ! -e $HOG_STOP ]; do :; done" &
HOG=$!
on_exit "kill -CONT $HOG"
wait_stopped $HOG "starved: the hog"
scenario starved 0 "kill -CONT $HOG"
touch $HOG_STOP
wait $HOG
[ "$(($(ostat starvations) - s0))" -ge 1 ] || fail "starved: the fallback was not counted"
# The hog is gone: after starvation_ms the kthreads take the consoles back.
for _ in $(seq 50); do
	sleep 0.2
	echo "rpo-hb-settle" >/dev/kmsg
	[ "$(ostat emergency)" = 0 ] && break
done
[ "$(ostat emergency)" = 0 ] || fail "starved: still in emergency mode after the hog"
cat $CPUS/possible >/proc/sys/kernel/printk_cpumask

# From here on, records of 400 ms and a bound of 1.5 of them: two records written with no
# scheduling point between them must fail, and the emulator's own pauses (about 0.1 s)
# must not.
put 2000 $DBG/delay_us

# Writers outrun the console during the user switch's drain: while the drain prints the 10
# records owed, a kernel thread on the drainer's CPU stores 12 more of the same length at
# once, with bottom halves off (where pacing cannot hold a writer). The drain ends
# owing no fewer than it began with and hands back anyway, 11 or 12 records owed
# (`handbacks_outrun`). The drainer must print those as the kernel's own lock holder does,
# one record per section, preemptible between them; a release of console_lock with
# preemption still off would print them all in one stretch. Everything on CPU 1: a writer
# on another CPU would take the owed records over in its own printk(), as any printk()
# caller does from a lock holder that is printing. The switch is made by a shell started
# beforehand, as the hog above is (a program started now, under the emulator, would take
# longer than the printer takes to print the backlog), and the writer starts once the
# drain has printed its first record (its first epoch has begun). The switch's shell is an ordinary task: a real-time one printing for seconds would
# have the real-time runqueue throttled, probes included.
B=/sys/kernel/debug/rpo_bench
load_module rpo_bench
on_exit "rmmod rpo_bench"
put 2 $B/cpus
put 1 $B/rt
put 1 $B/atomic
put 185 $B/pad
put 12 $B/count
put 0 $B/duration_ms
put 1 /proc/sys/kernel/printk_cpumask
o0=$(ostat handbacks_outrun)
taskset -c 1 sh -c "kill -STOP \$\$; echo 1 >$P/emergency" &
SW=$!
on_exit "kill -KILL $SW"
wait_stopped $SW "outrun: the switch's shell"
d0=$(ostat records_drained)
outrun="kill -CONT $SW;
	for _ in \$(seq 200); do [ \"\$(ostat records_drained)\" != $d0 ] && break; sleep 0.05; done;
	[ \"\$(ostat records_drained)\" != $d0 ] && echo 1 >$B/run && wait $SW"
DELAY_US=2000 N=10 BOUND_HALVES=3 scenario outrun 1 "$outrun"
wait_lines "rpo_bench: c1 12 " 1 60 || fail "outrun: the writer's lines are missing"
[ "$(capture | sed -n 's/.*] rpo_bench: c1 \([0-9]*\)  .*/\1/p' | tr '\n' ' ')" = \
	"$(seq -s ' ' 12) " ] || fail "outrun: the writer's 12 lines did not arrive once each, in order"
[ "$(($(ostat handbacks_outrun) - o0))" -ge 1 ] ||
	fail "outrun: the drain was not outrun (handbacks_outrun did not move): nothing was tested"
put 0 $P/emergency
cat $CPUS/possible >/proc/sys/kernel/printk_cpumask

# The console is unregistered: the module's printer prints its backlog, between records
# preemptible, while unregister_console() waits for it.
r0=$(ostat consoles_flushed)
DELAY_US=2000 N=12 BOUND_HALVES=3 scenario unregister "0 1" "echo 1 >$DBG/unregister"
[ "$(ostat consoles_flushed)" = $((r0 + 1)) ] || fail "unregister: consoles_flushed did not count it"
rmmod slow_console
load_slow $DELAY_US
for _ in $(seq 50); do
	[ "$(ostat consoles)" = 2 ] && break
	echo "rpo-hb-settle" >/dev/kmsg
	sleep 0.1
done
[ "$(ostat consoles)" = 2 ] || fail "the console registered again was not taken over"

scenario unload "0 1" "rmmod rust_printk_offload"
