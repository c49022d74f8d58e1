#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# A hand-back whose drainer is starved, twice over. The user switch's writer, pinned to
# the printer's CPU, begins printing the backlog, and a real-time hog of higher priority
# then takes that CPU (RT throttling and the fair server off there), so the drainer stops
# mid-backlog:
#   1. that hand-back must be given up (the consoles go to the kernel as they are);
#   2. the switch is then turned off from the other CPU: the consoles are the module's
#      again, its printer is on the hogged CPU, and the starvation fallback begins, with a
#      hand-back that no other task can drain (the starved one still holds the drain).
#      That hand-back must be given up too: lines written from the other CPU keep reaching
#      the console while the hog runs.
# Afterwards every line is there once, in order, and offloading resumes.
# kselftest-timeout=180
. "$(dirname "$0")/lib.sh"
setup_printk
need_cpus 2
command -v chrt >/dev/null || skip "no chrt"
FS=/sys/kernel/debug/sched/fair_server/cpu1/runtime
[ -e $FS ] || skip "no $FS (CONFIG_SCHED_DEBUG): a hog would still leave the drainer 5% of its CPU"
fs_runtime=$(cat $FS)
[ "$fs_runtime" != 0 ] || skip "CPU 1 has no fair server (brought online after boot)"
P=/proc/sys/kernel/printk_offload
# This shell stays off the hogged CPU.
taskset -p -c 0 $$ >/dev/null || fail "cannot pin the test to CPU 0"
# Turning the fair server off logs a warning: done before the module loads, and the
# urgent watch is off (a warning from elsewhere, such as the clocksource watchdog's under
# emulation, would hand the consoles back in the middle). Undone in reverse order, after
# the modules went: the fair server back (its bandwidth must fit before RT throttling
# returns), then RT throttling.
on_exit "echo $(cat /proc/sys/kernel/sched_rt_runtime_us) >/proc/sys/kernel/sched_rt_runtime_us"
on_exit "echo $fs_runtime >$FS"
put -1 /proc/sys/kernel/sched_rt_runtime_us
put 0 $FS
load_slow 200 # about 6 ms a line: a backlog of 6 s, long enough for process start-up under emulation
load_offload
put 0 $P/urgent_loglevel
on_exit "echo 0 >$P/emergency"
put 1000 $P/starvation_ms
put 1 /proc/sys/kernel/printk_cpumask

# Started beforehand, so that no process start-up (slow under emulation) falls between the
# burst and the hog: the switch's writer, a SCHED_FIFO 1 task on CPU 1 (it runs at once
# when let go, and drains there rather than the kthread it preempts), waiting on a FIFO;
# and the hog (rt_hogs.py), waiting for SIGUSR1.
GO=/tmp/rpo-sdr-go READY=/tmp/rpo-sdr-hog HOG_S=25
rm -f $GO $READY && mkfifo $GO
chrt -f 1 taskset -c 1 sh -c "read _ <$GO; echo 1 >$P/emergency" &
writer=$!
python3 "$HERE/rt_hogs.py" $HOG_S 1 >$READY &
hogs=$!
disown $hogs # killed on purpose: no job report
# Before the modules go: a kthread the hog starves could not be stopped.
on_exit "pkill -KILL -f rt_hogs.py; kill $writer 2>/dev/null; wait"
hogs_ready $READY

reset_capture
python3 "$HERE/kmsg_burst.py" rpo-sdr-a 1000 >/dev/null
s0=$(ostat starvations) d0=$(ostat records_drained)
echo go >$GO
for _ in $(seq 100); do
	[ "$(ostat records_drained)" -gt "$d0" ] && break
	sleep 0.02
done
[ "$(ostat records_drained)" -gt "$d0" ] || fail "nobody began printing the hand-back's backlog"
# Read before the hog comes: once the stalled hand-back is given up (the kernel prints),
# `backlog` reads 0.
owed=$(ostat backlog)
[ "$owed" -gt 100 ] || fail "the backlog was printed before the hog came ($owed records left)"
kill -USR1 $hogs

# 1. The switch's hand-back, stalled, is given up.
for _ in $(seq 50); do
	[ "$(ostat starvations)" -gt "$s0" ] && break
	sleep 0.1
done
gave_up=$(($(ostat starvations) - s0))
[ "$gave_up" -ge 1 ] || fail "the stalled hand-back was not given up within 5 s ($(ostat backlog) records owed)"

# 2. Back to the module, whose printer cannot run: the fallback's hand-back stalls too.
s1=$(ostat starvations)
taskset -c 0 sh -c "echo 0 >$P/emergency" || fail "cannot turn the user switch off"
python3 "$HERE/kmsg_paced.py" rpo-sdr-b 250 20 >/dev/null
have_b=$(capture | grep -c "] rpo-sdr-b " || true)
starved=$(($(ostat starvations) - s1))
reasons=$(ostat emergency_reasons)
stats_then=$(cat $P/stats)
pkill -KILL -f rt_hogs.py
while kill -0 "$hogs" 2>/dev/null; do sleep 0.05; done
sed 's/^/    /' $READY
log "drainer starved with $owed records owed: hand-back given up; after the switch went off," \
	"$have_b of 250 new lines reached the console in 5 s; the watch counted $starved time(s)" \
	"(reasons then: $reasons)"
if [ "$have_b" -lt 180 ]; then
	awk '{ print "  " $0 }' <<<"$stats_then"
	fail "lines did not keep arriving while the drainer was starved"
fi
[ "$starved" -ge 2 ] || fail "the fallback and its stalled hand-back were not both counted"
wait "$writer" || fail "the write to the user switch failed"
wait_lines rpo-sdr-a 1000 30 || fail "backlog lines missing"
wait_lines rpo-sdr-b 250 30 || fail "lines missing"
check_sequence rpo-sdr-a 1000 || fail "backlog: duplicate, missing or reordered line"
check_sequence rpo-sdr-b 250 || fail "duplicate, missing or reordered line"
offloading_again rpo-sdr
unload_offload
rmmod slow_console
