#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# A hand-back while every CPU is taken by real-time tasks: the user switch asks for
# emergency mode with a backlog owed, and hogs take both CPUs while that backlog is being
# printed, so nobody can print it and after starvation_ms the consoles go to the kernel as
# they are. Once the hogs are gone, the module must take the backlog back and print it
# (record by record, where the printer can be preempted) before the kernel prints again:
# not leave it to the next printk() (the module's own "emergency mode on" line, printed
# in one piece with preemption off). Every line arrives once, in order, written by the
# module.
# kselftest-timeout=180
. "$(dirname "$0")/lib.sh"
setup_printk
need_cpus 2
P=/proc/sys/kernel/printk_offload
FS=/sys/kernel/debug/sched/fair_server
if [ ! -e $FS/cpu0/runtime ] || [ ! -e $FS/cpu1/runtime ]; then
	skip "no $FS (CONFIG_SCHED_DEBUG): a hog would still leave the kthreads 5% of a CPU"
fi
N=400 HOG_S=4
load_slow 100 # 200 characters a record: 20 ms each, 8 s for the burst
load_offload
put 1000 $P/starvation_ms
on_exit "echo 0 >$P/emergency"
# Undone in reverse order: the fair servers back (their bandwidth must fit before RT
# throttling returns), then RT throttling.
on_exit "echo $(cat /proc/sys/kernel/sched_rt_runtime_us) >/proc/sys/kernel/sched_rt_runtime_us"
on_exit "echo $(cat $FS/cpu0/runtime) >$FS/cpu0/runtime; echo $(cat $FS/cpu1/runtime) >$FS/cpu1/runtime"
put -1 /proc/sys/kernel/sched_rt_runtime_us
put 0 $FS/cpu0/runtime
put 0 $FS/cpu1/runtime
# attempt: the scenario once. Sets FOREIGN (records from elsewhere in the kernel stored
# during the attempt) and WRITTEN (the module's writes to slowcon0 in all), and checks
# delivery.
attempt() {
	local READY=/tmp/rpo-hogs-ready hogs tag owed writer have starved s0 w0
	# The hogs, started beforehand; they wait for SIGUSR1.
	rm -f $READY
	python3 "$HERE/rt_hogs.py" $HOG_S 0 1 >$READY &
	hogs=$!
	hogs_ready $READY
	reset_capture
	log_mark
	s0=$(ostat starvations) w0=$(cstat slowcon0 written)
	tag=$(taskset -c 0 python3 "$HERE/kmsg_long.py" rpo-everywhere$ATTEMPT $N 200)
	owed=$(ostat backlog)
	# The user switch: its writer prints the backlog before the consoles go back.
	(echo 1 >$P/emergency) &
	writer=$!
	for _ in $(seq 100); do
		[ "$(ostat emergency)" = 1 ] && break
		sleep 0.02
	done
	[ "$(ostat emergency)" = 1 ] || { kill -USR1 $hogs; fail "the user switch did not raise its reason"; }
	kill -USR1 $hogs
	wait $hogs
	wait $writer || fail "the write to the user switch failed"
	have=$(capture | grep -c -- "] $tag " || true)
	starved=$(($(ostat starvations) - s0))
	log "attempt $ATTEMPT: $owed records owed at the hand-back; the hogs ran $HOG_S s; the" \
		"starvation watch counted $starved time(s); $have of $N lines on the console when the" \
		"switch's writer returned"
	sed 's/^/    /' $READY
	[ "$starved" -ge 1 ] || fail "nobody noticed that the hand-back's backlog was not printed"
	wait_lines "$tag" $N 60 || fail "lines missing"
	check_sequence "$tag" $N || fail "duplicate, missing or reordered line"
	WRITTEN=$(($(cstat slowcon0 written) - w0))
	log_since | grep -q 'emergency mode on (user request)' || fail "the user switch was not logged"
	FOREIGN=$(log_since | grep -v -e "rpo-" -e "rust_printk_offload: " -e "$tag " | grep -c . || true)
}
# While the hogs run, no kthread can print: the kernel may print for a printk() that comes
# then (that is what the consoles went back for). A record from elsewhere in the kernel at
# that moment (the clocksource watchdog's report of an unstable TSC, which hogs on every
# CPU can provoke under emulation) has the kernel print the backlog, and the attempt shows
# nothing: it is repeated.
for ATTEMPT in 1 2 3; do
	attempt
	put 0 $P/emergency
	offloading_again rpo-everywhere$ATTEMPT "offloading after attempt $ATTEMPT"
	[ "$FOREIGN" = 0 ] && break
	log "$FOREIGN record(s) from elsewhere in the kernel during the attempt: it proves nothing; again"
	log_since | grep -v -e "rpo-" -e "rust_printk_offload: " | head -3 | sed 's/^/    /'
done
[ "$FOREIGN" = 0 ] || fail "records from elsewhere in the kernel during all 3 attempts"
log "the module wrote $WRITTEN of the $N lines"
[ "$WRITTEN" -ge $N ] ||
	fail "the kernel printed $((N - WRITTEN)) of the lines, the backlog left when the consoles went back as they were"
