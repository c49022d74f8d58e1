#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# An urgent record behind a backlog keeps its promise: a kernel warning stored while
# several seconds of console time are owed reaches the console after every record in
# front of it (order holds), and no later than the console takes to write those records
# and the warning itself, plus two records (the slow console's stamps: its writes between
# the warning's store and its own write, each as long as its text at the console's time
# per character; one of them may have begun before the store). The module says in the
# log that the warning waits, and for how many records.
# kselftest-timeout=180
. "$(dirname "$0")/lib.sh"
setup_printk
modprobe -n lkdtm 2>/dev/null || skip "no lkdtm module to load with an unknown parameter (a kernel warning)"
# Few long records, so that the printer's own time between records (about a millisecond
# each under emulation) stays far below the bound's two records.
DELAY_US=300 # 900-character records: about 275 ms each
N=20         # about 5.5 s of console time
load_slow $DELAY_US
load_offload
on_exit "rmmod lkdtm"
reset_capture
log_mark
word=$(python3 "$HERE/kmsg_long.py" rpo-urgent $N 900)
front=$(ostat backlog)
[ "$front" -ge $((N / 2)) ] || fail "only $front records owed when the warning came"
# The warning: the module loader's, for an unknown parameter.
modprobe lkdtm rpo_urgent_probe=1 || fail "modprobe lkdtm"
rmmod lkdtm
WARN='unknown parameter .rpo_urgent_probe. ignored'
wait_lines "$word" $N 60 || fail "backlog lines missing"
for _ in $(seq 100); do
	capture | grep -q -- "$WARN" && break
	sleep 0.1
done
capture | grep -q -- "$WARN" || fail "the warning did not reach the console"
check_sequence "$word" $N || fail "backlog: duplicate, missing or reordered line"
at=$(capture | grep -n -- "$WARN" | head -1 | cut -d: -f1)
last=$(capture | grep -n -- "] $word $N\$" | cut -d: -f1)
[ "$at" -gt "$last" ] || fail "the warning (line $at) came before the last record in front of it (line $last)"
read -r delay writes busy <<<"$(python3 "$HERE/print_delay.py" "$WARN" $DELAY_US)" ||
	fail "no timing for the warning"
rec=$((915 * DELAY_US / 1000)) # a record with its timestamp, in ms
urgent=$(ostat records_urgent)
note=$(log_since | grep -o 'an urgent record waits for the [0-9]* records in front of it (about [0-9]* ms.*' | head -1)
log "warning stored with $front records owed: on the console $delay ms later, after $writes" \
	"writes that kept the console busy for $busy ms (bound: $busy + 2 records of $rec ms);" \
	"records_urgent $urgent; the log: ${note:-nothing}"
[ "$delay" -le $((busy + 2 * rec)) ] ||
	fail "the warning waited $delay ms, $((delay - busy)) ms more than the console took for what was in front of it"
[ "$urgent" -ge 1 ] || fail "the urgent-record watch saw no urgent record"
[ -n "$note" ] || fail "the log does not say that the warning waits behind the backlog"
said=${note#an urgent record waits for the }
said=${said%% *}
# In front of the warning: what the console wrote while it waited (the count was taken at
# the doorbell, a few records after the store at most).
if [ "$said" -lt $((writes - 3)) ] || [ "$said" -gt $((writes + 3)) ]; then
	fail "the log says $said records in front of the warning; the console wrote $writes while it waited"
fi
unload_offload
rmmod slow_console
