#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# kernel.printk_offload.emergency: with it on, a burst writer is held for the console
# time (synchronous printing), with it off it is not (compared in one run); switching
# during a flood loses, duplicates or reorders nothing.
. "$(dirname "$0")/lib.sh"
setup_printk
E=/proc/sys/kernel/printk_offload/emergency
N=200 REPS=3
load_slow 32
load_offload
log_mark
[ "$(cat $E)" = 0 ] || fail "emergency switch not 0 after load"

# Bursts with the switch on, with it off, and with nothing printed (the floor), 3 of each,
# medians compared (lib.sh: writer_spared).
on=() off=() quiet=()
for r in $(seq $REPS); do
	put 1 $E
	[ "$(ostat emergency)" = 1 ] || fail "statistics do not show emergency mode"
	[ "$(ostat emergency_reasons)" = USER ] || fail "statistics name the reasons '$(ostat emergency_reasons)', not USER"
	[ "$r" = 1 ] && sed 's/^/  /' /proc/sys/kernel/printk_offload/consoles
	[ "$(cstat slowcon0 printed_by) $(cstat slowcon0 why)" = "kernel emergency:USER" ] ||
		fail "consoles file: slowcon0 '$(cstat slowcon0 printed_by) $(cstat slowcon0 why)'"

	sync_before=$(ostat records_sync)
	delivered_burst "emergency on" "rpo-em-on$r" "$N" 10
	on+=("$BURST_US")
	[ "$(ostat records_sync)" -ge $((sync_before + N)) ] || fail "records_sync did not count the synchronous records"
	quiet+=("$(quiet_burst "rpo-em-quiet$r" "$N")")

	put 0 $E
	[ "$(ostat emergency)" = 0 ] || fail "statistics still show emergency mode"
	[ "$(ostat emergency_reasons)" = none ] || fail "statistics still name reasons: $(ostat emergency_reasons)"
	sleep 1
	[ "$(cstat slowcon0 printed_by) $(cstat slowcon0 why)" = "module offloaded" ] ||
		fail "consoles file: slowcon0 '$(cstat slowcon0 printed_by) $(cstat slowcon0 why)'"
	sync_before=$(ostat records_sync) w0=$(cstat slowcon0 written)
	delivered_burst "emergency off" "rpo-em-off$r" "$N" 60
	off+=("$BURST_US")
	[ "$(cstat slowcon0 written)" -ge $((w0 + N)) ] ||
		fail "the module wrote $(($(cstat slowcon0 written) - w0)) records to slowcon0, not $N"

	[ "$(ostat records_sync)" = "$sync_before" ] ||
		fail "emergency off: $(($(ostat records_sync) - sync_before)) records printed synchronously"
done
on_us=$(median "${on[@]}")
log "bursts of $N lines, writer's time in us: emergency on ${on[*]}, off ${off[*]}, nothing printed ${quiet[*]}"
[ "$on_us" -ge $((N * 800)) ] || fail "emergency on did not hold the writer for the console time"
writer_spared "emergency on" "$on_us" "emergency off" "$(median "${off[@]}")" "$(median "${quiet[@]}")"
log_since | grep -q 'emergency mode on (user request)' || fail "entering not logged"
log_since | grep -q 'emergency mode off' || fail "leaving not logged"

# Switch back and forth during a flood.
put 2 $DBG/delay_us
reset_capture
flood_start rpo-em-flood 8
for s in 1 0 1 0 1 0; do sleep 1; echo $s >$E; done
n=$(flood_stop)
wait_lines rpo-em-flood "$n" 60 || fail "switching flood: lines missing"
check_sequence rpo-em-flood "$n" || fail "switching flood: duplicate, missing or reordered line"
log "flood of $n lines across 6 switches: each once, in order"
unload_offload
rmmod slow_console
