#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# Records stored from NMI context while the module prints: sysrq-l has every CPU print its
# backtrace (the others from an NMI, which stores its records there; the module's
# tracepoint probe runs in the NMI and must neither wait nor print), three times during a
# flood from CPU 0. Every flood line reaches the console once, in order, and every
# "NMI backtrace for cpu" line in the log reaches it too. The backtraces are bracketed for
# the harness's log scan, naming only them. Then, with nothing printing, slow_console's
# nmi_burst has CPU 1 store records in an NMI and nothing after them (sysrq-l cannot: its
# own CPU prints first, and the printer it wakes finds the NMI's records): their own
# doorbell must get them printed.
. "$(dirname "$0")/lib.sh"
setup_printk
need_cpus 2
[ -w /proc/sysrq-trigger ] || skip "no /proc/sysrq-trigger (CONFIG_MAGIC_SYSRQ)"
TAG=rpo-nmi N=400
load_slow 20
load_offload
reset_capture
log_mark
echo "rpo-expected-trouble: begin expect=NMI backtrace for cpu; (sysrq-l: backtraces printed from NMI)" >/dev/kmsg
taskset -c 0 python3 "$HERE/kmsg_paced.py" $TAG $N 2 >/dev/null &
pid=$!
for _ in 1 2 3; do
	sleep 0.3
	put l /proc/sysrq-trigger
done
wait $pid || fail "the flood writer failed"
wait_lines $TAG $N 60 || fail "flood lines missing"
check_sequence $TAG $N || fail "duplicate, missing or reordered flood line"
in_log=$(log_since | grep -c 'NMI backtrace for cpu' || true)
for _ in $(seq 100); do
	[ "$(capture | grep -c 'NMI backtrace for cpu' || true)" -ge "$in_log" ] && break
	sleep 0.1
done
on_console=$(capture | grep -c 'NMI backtrace for cpu' || true)
echo "rpo-expected-trouble: end" >/dev/kmsg
# At least the other CPU's, from its NMI, each time.
[ "$in_log" -ge 3 ] || fail "only $in_log 'NMI backtrace for cpu' lines in the log after 3 sysrq-l"
[ "$on_console" = "$in_log" ] || fail "$in_log 'NMI backtrace for cpu' lines in the log, $on_console on the console"
[ -w $DBG/nmi_burst ] || fail "slow_console offers no nmi_burst (no NMI handler)"
for _ in $(seq 100); do
	capture | grep -q 'rpo-expected-trouble: end' && break
	sleep 0.1
done
taskset -c 0 sh -c "echo 20 >$DBG/nmi_burst" || fail "nmi_burst refused"
nmi_lines() { capture | grep -o 'slow_console: rpo-nmi-burst [0-9]*$' | awk '{ print $3 }' | tr '\n' ' '; }
for _ in $(seq 100); do
	[ "$(nmi_lines)" = "$(seq -s ' ' 20) " ] && break
	sleep 0.1
done
[ "$(nmi_lines)" = "$(seq -s ' ' 20) " ] ||
	fail "records stored in an NMI, with nothing after them: after 10 s the console has '$(nmi_lines)' of 1 to 20"
log "3 sysrq-l during a flood of $N lines: $in_log NMI backtrace lines, each on the console once; the flood once, in order; 20 records stored in an NMI with nothing after them printed"
