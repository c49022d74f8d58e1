#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# Adaptive placement: the printer keeps a CPU nothing else wants, and leaves it for a CPU
# that is not producing messages once another task wants it. A burst from CPU 0 leaves
# a backlog of a few seconds, printed from CPU 1 (the writer's CPU is avoided); while CPU 1
# has nothing else to run, slices end with the printer staying there. Then a busy loop
# starts on CPU 1: the printer moves to CPU 0, which the writer left. With
# adaptive_placement 0 the printer moves after every slice instead (the control).
. "$(dirname "$0")/lib.sh"
setup_printk
need_cpus 2
P=/proc/sys/kernel/printk_offload
STOP=/tmp/rpo-placement-stop
rm -f $STOP
on_exit "touch $STOP; wait"
# This shell and its helpers stay on CPU 0, so that they do not make CPU 1 wanted.
taskset -cp 0 $$ >/dev/null
load_slow 100 # about 3 ms a line
load_offload
put 0,1 /proc/sys/kernel/printk_cpumask

# phase ADAPTIVE TAG LINES: a burst of LINES lines from CPU 0, then 1 s of printing observed;
# sets KEPT, HANDOFFS, C0 and C1 (records printed by each CPU's kthread in that second).
phase() {
	put "$1" $P/adaptive_placement
	reset_capture
	taskset -c 0 python3 "$HERE/kmsg_burst.py" "$2" "$3" >/dev/null
	sleep 0.3
	local k0 h0 a0 b0
	k0=$(ostat slices_kept) h0=$(ostat handoffs) a0=$(ostat cpu0_records) b0=$(ostat cpu1_records)
	sleep 1
	KEPT=$(($(ostat slices_kept) - k0)) HANDOFFS=$(($(ostat handoffs) - h0))
	C0=$(($(ostat cpu0_records) - a0)) C1=$(($(ostat cpu1_records) - b0))
}

phase 0 rpo-place-rot 3000
log "adaptive_placement 0: in 1 s, $HANDOFFS hand-offs, $KEPT slices kept; printed by CPU 0: $C0, CPU 1: $C1"
[ "$HANDOFFS" -ge 10 ] || fail "rotation: the printer did not move after its slices"
wait_lines rpo-place-rot 3000 60 || fail "rotation: lines missing"
check_sequence rpo-place-rot 3000 || fail "rotation: sequence broken"

# A longer burst: the backlog must outlast the busy loop's start-up below (a new task
# beside the printer, at nice -10, gets about a tenth of CPU 1 until it runs).
phase 1 rpo-place 8000
log "adaptive_placement 1: in 1 s, $HANDOFFS hand-offs, $KEPT slices kept; printed by CPU 0: $C0, CPU 1: $C1"
[ "$KEPT" -ge 10 ] || fail "the printer did not keep its CPU"
[ "$HANDOFFS" -le 5 ] || fail "the printer moved ($HANDOFFS hand-offs) though nothing wanted its CPU"
[ "$C1" -ge 100 ] || fail "CPU 1 did not print the backlog (CPU 0: $C0, CPU 1: $C1)"
# Now something else wants CPU 1: a busy loop, observed once it runs (its start-up, much
# of it waiting for the root file system, is not what the test is about).
RUN=/tmp/rpo-placement-run
rm -f $RUN
taskset -c 1 bash -c "touch $RUN; while [ ! -e $STOP ]; do :; done" &
for _ in $(seq 200); do
	[ -e $RUN ] && break
	sleep 0.02
done
[ -e $RUN ] || fail "the busy loop on CPU 1 did not start"
left=$(ostat backlog)
[ "$left" -ge 300 ] || fail "the backlog is printed already ($left left): the test cannot tell"
h0=$(ostat handoffs) a0=$(ostat cpu0_records) b0=$(ostat cpu1_records)
sleep 1
moved=$(($(ostat handoffs) - h0)) c0=$(($(ostat cpu0_records) - a0)) c1=$(($(ostat cpu1_records) - b0))
log "busy loop on CPU 1: $moved hand-off(s); in 1 s CPU 0 printed $c0 records, CPU 1 $c1"
[ "$c0" -ge 100 ] || fail "the printer did not move to CPU 0 when CPU 1 was wanted"
# CPU 0 has little else to run: the printer stays there and does not go back and forth
# (a hand-off or two, when a short task on CPU 0 makes it look wanted, is no harm: what
# counts is where the records were printed).
[ $((c1 * 10)) -le $((c0 + c1)) ] || fail "CPU 1 printed $c1 of $((c0 + c1)) records while it was wanted ($moved hand-offs)"
touch $STOP
wait
wait_lines rpo-place 8000 90 || fail "lines missing"
check_sequence rpo-place 8000 || fail "sequence broken"
