#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# Another party holds console_lock (as a tty operation or a driver may) for 300 ms while
# the module owes a backlog: the printer finds the lock taken and waits (lock_busy), and
# that party's console_unlock() does not print the module's consoles (no write with
# interrupts off, which is how the kernel writes them; records_sync unchanged). Every line
# still reaches the console once, in order. A slice that starts during the hold finds all
# that is owed: max_backlog (reset by the load) is at least what was still owed after it.
. "$(dirname "$0")/lib.sh"
setup_printk
TAG=rpo-lockheld N=600 HOLD_MS=300
# About 1.2 ms a line (see takeover_burst.sh): 600 lines owe the console 0.7 s.
load_slow 32
[ -w $DBG/hold_lock_ms ] || skip "slow_console has no hold_lock_ms (an older build)"
load_offload
sleep 1
busy0=$(ostat lock_busy) sync0=$(ostat records_sync) irqs0=$(cat $DBG/writes_irqs_off)
reset_capture
timed_burst $TAG $N >/dev/null || fail "the burst failed"
put $HOLD_MS $DBG/hold_lock_ms
# The printer was kept out for the whole hold, so records are still owed now: the hold
# happened while the module had a backlog to print.
owed=$(ostat backlog)
[ "$owed" -gt 0 ] || fail "nothing owed after the hold: it did not overlap the backlog"
wait_lines $TAG $N 60 || fail "lines missing"
check_sequence $TAG $N || fail "duplicate, missing or reordered line"
busy=$(($(ostat lock_busy) - busy0)) sync=$(($(ostat records_sync) - sync0))
irqs=$(($(cat $DBG/writes_irqs_off) - irqs0))
log "console_lock held ${HOLD_MS} ms during a burst of $N lines ($owed still owed after it):" \
	"the printer found it taken $busy times; $irqs writes with interrupts off, $sync records printed synchronously"
maxb=$(ostat max_backlog)
log "max_backlog $maxb"
if [ "$maxb" -lt "$owed" ] || [ "$maxb" -gt $((N + 50)) ]; then
	fail "max_backlog $maxb: $owed records were owed after the hold, $N stored"
fi
[ "$busy" -ge 1 ] || fail "lock_busy did not count the held console_lock"
[ "$irqs" = 0 ] || fail "$irqs writes with interrupts off: the holder's console_unlock() printed the module's console"
[ "$sync" = 0 ] || fail "$sync records printed synchronously"
