#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# Emergency output is not queued behind the printer: a kernel WARN (provoked with LKDTM)
# during a flood reaches the console promptly and in order, although the printer's CPU is
# stalled by a real-time hog (RT throttling and the fair server off there) and the
# starvation fallback is set far beyond the test (60 s), so that only the urgent-record
# path (urgent_loglevel) can explain it. Reports how long after it was stored the warning
# reached the console (print_delay.py). The warning is bracketed for the harness's log scan.
# kselftest-timeout=240
. "$(dirname "$0")/lib.sh"
setup_printk
need_cpus 2
command -v chrt >/dev/null || skip "no chrt"
modprobe lkdtm 2>/dev/null || skip "no lkdtm module (CONFIG_LKDTM)"
on_exit "rmmod lkdtm"
DIRECT=/sys/kernel/debug/provoke-crash/DIRECT
[ -w $DIRECT ] || skip "no $DIRECT"
FS=/sys/kernel/debug/sched/fair_server/cpu1/runtime
[ -e $FS ] || skip "no $FS (CONFIG_SCHED_DEBUG): a hog would still leave the kthread 5% of its CPU"
P=/proc/sys/kernel/printk_offload
STOP=/tmp/rpo-hog-stop
load_slow 100
load_offload
on_exit "echo $(cat /proc/sys/kernel/sched_rt_runtime_us) >/proc/sys/kernel/sched_rt_runtime_us"
on_exit "echo $(cat $FS) >$FS"
rm -f $STOP
on_exit "touch $STOP; wait"
put 1 /proc/sys/kernel/printk_cpumask
put 60000 $P/starvation_ms
reset_capture
taskset -c 0 python3 "$(dirname "$0")/kmsg_paced.py" rpo-warn 300 20 >/dev/null &
writer=$!
sleep 1
put -1 /proc/sys/kernel/sched_rt_runtime_us
put 0 $FS
chrt -f 99 taskset -c 1 bash -c "while [ ! -e $STOP ]; do :; done" &
hog=$!
sleep 0.5
u0=$(ostat records_urgent)
echo "rpo-expected-trouble: begin expect=lkdtm_WARNING; (a WARN provoked with lkdtm)" >/dev/kmsg
t0=$(now_ns)
taskset -c 0 sh -c "echo WARNING >$DIRECT"
t1=""
for _ in $(seq 500); do
	if capture | grep -q 'WARNING: CPU: .*lkdtm'; then
		t1=$(now_ns)
		break
	fi
	sleep 0.02
done
echo "rpo-expected-trouble: end" >/dev/kmsg
[ -n "$t1" ] || fail "the warning did not reach the console within 10 s while the printer's CPU was stalled"
provoked_ms=$(((t1 - t0) / 1000000))
ms=$(python3 "$(dirname "$0")/print_delay.py" 'WARNING: CPU: .*lkdtm') || fail "no timing for the warning line"
urgent=$(($(ostat records_urgent) - u0))
wait "$writer"
touch $STOP
wait "$hog"
wait_lines rpo-warn 300 60 || fail "flood lines missing"
check_sequence rpo-warn 300 || fail "duplicate, missing or reordered flood line"
# The warning's own lines, in order: the cut line, the WARNING line, the end marker.
capture | grep -n -E 'cut here|WARNING: CPU: .*lkdtm|end trace' | head -3 | cut -d: -f1 |
	awk 'NR > 1 && $1 <= last { exit 1 } { last = $1 } END { if (NR != 3) exit 1 }' ||
	fail "the warning's lines are missing or out of order"
log "WARN during a flood, printer's CPU stalled: on the console ${ms} ms after it was stored" \
	"(${provoked_ms} ms after the write that provoked it; $urgent urgent records); every flood line once, in order"
[ "$urgent" -ge 1 ] || fail "the urgent-record watch saw no urgent record"
[ "$ms" -lt 1000 ] || fail "the warning took ${ms} ms to reach the console"
unload_offload
rmmod slow_console
