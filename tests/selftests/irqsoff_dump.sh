#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# A dump stored with interrupts off but the preempt count untouched (local_irq_save(), or
# printk_cpu_sync_get_irqsave() around dump_stack()) during a hand-back's drain: such a
# caller looks preemptible to the pacing, and must wait once for the whole section, not
# once per line. slow_console's irqsoff_burst stores 10 lines so on CPU 1; a SCHED_FIFO
# probe on CPU 1 (latency_probe.py) must not be kept from running for 3 records' console
# time (10 waits would be 9 records). Not the irqsoff tracer: the burst turns interrupts
# off with the bare instruction, which the tracer's hooks do not see.
# kselftest-timeout=300
. "$(dirname "$0")/lib.sh"
setup_printk
need_cpus 2
P=/proc/sys/kernel/printk_offload
DELAY_US=1000 # a burst line (about 50 characters with its prefixes) takes about 50 ms
N=100         # the backlog's records, 100 characters each: about 10 s of console time
BURST=10
load_slow $DELAY_US
load_offload
[ -e $DBG/irqsoff_burst ] || skip "slow_console has no irqsoff_burst"
reset_capture
put 0 $DBG/max_write_ns
w0=$(cat $DBG/writes) b0=$(cat $DBG/busy_ns)
tag=$(taskset -c 0 python3 "$HERE/kmsg_long.py" rpo-irqsoff-backlog $N 100)
on_exit "echo 0 >$P/emergency"
taskset -c 0 sh -c "echo 1 >$P/emergency" &
SWITCH=$!
for _ in $(seq 100); do
	[[ $(ostat emergency_reasons) == *USER* ]] && break
	sleep 0.05
done
[ "$(ostat handed_back)" = 0 ] || fail "handed back before the burst"
probes_start 1
# The burst must meet the drain far from its end: each wait is one record's write time
# only while the drainer is more than a record behind (10 waits let it print about 10).
owed=$(ostat backlog)
[ "$owed" -ge $((3 * BURST)) ] || fail "only $owed records owed when the burst began"
wp0=$(ostat writers_paced)
taskset -c 1 sh -c "echo $BURST >$DBG/irqsoff_burst" || fail "irqsoff_burst"
waits=$(($(ostat writers_paced) - wp0)) hb=$(ostat handed_back)
probes_stop
irqsoff=$GAP
wait $SWITCH || fail "the emergency switch failed"
wait_lines "$tag" $N 60 || fail "backlog lines missing"
check_sequence "$tag" $N || fail "backlog: duplicate, missing or reordered line"
wait_lines "slow_console: rpo-irqsoff-burst" $BURST 30 || fail "burst lines missing"
rec=$((($(cat $DBG/busy_ns) - b0) / ($(cat $DBG/writes) - w0) / 1000))
maxw=$(($(cat $DBG/max_write_ns) / 1000))
bound=$((3 * (maxw > rec ? maxw : rec)))
log "a burst of $BURST lines with interrupts off during a drain ($owed records owed): $waits wait(s); longest probe gap on" \
	"its CPU $irqsoff us (bound: 3 records = $bound us; a record $rec us on average, $maxw us at most)"
[ "$irqsoff" -lt $bound ] || fail "CPU 1 could not run a real-time task for $irqsoff us: the burst waited once per line"
# A pass means something only if the burst met the drain and waited.
if [ "$hb" != 0 ] || [ "$waits" -lt 1 ]; then
	fail "nothing measured: the burst waited $waits time(s), handed_back $hb after it"
fi
