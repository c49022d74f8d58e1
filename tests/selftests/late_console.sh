#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# Consoles registered after the module loaded (netconsole or a USB serial console loaded
# later, say) are taken over too: a slow console registered while a writer prints is
# taken over within moments, every line reaches it once and in order across the switch,
# and a burst writer is then spared the console's cost (compared with emergency mode in
# the same boot). A console unregistered while the module holds a backlog for it gets that
# backlog before it is removed, as without the module.
. "$(dirname "$0")/lib.sh"
setup_printk
E=/proc/sys/kernel/printk_offload/emergency
N=200
load_offload
log_mark
c0=$(ostat consoles_taken_over)
flood_start rpo-late
sleep 0.5
load_slow 32
for _ in $(seq 50); do
	[ "$(ostat consoles_taken_over)" -gt "$c0" ] && break
	sleep 0.1
done
sleep 0.5
n=$(flood_stop)
# What the writer stored is all on the console once the backlog is printed (a fast kernel
# writes faster than this console prints).
for _ in $(seq 600); do
	[ "$(ostat backlog)" = 0 ] && break
	sleep 0.1
done
log_since | grep -q 'rust_printk_offload: took over console slowcon0' ||
	fail "the console registered after the module was not taken over"
# The first lines written after the registration, and every one after, once and in order.
first=$(capture | grep -o -- '] rpo-late [0-9]*$' | head -1 | awk '{ print $3 }')
[ -n "$first" ] || fail "no flood line on the late console"
capture | grep -o -- '] rpo-late [0-9]*$' | awk -v f="$first" -v n="$n" '
	{ v = $3; want = f + NR - 1; if (v != want) { printf "line %d is #%d, expected #%d\n", NR, v, want; bad = 1; exit } }
	END { if (!bad && v != n) { printf "last line #%d, expected #%d\n", v, n; bad = 1 } exit bad }' ||
	fail "duplicate, missing or reordered line across the take-over"
log "slowcon0 registered during a flood of $n lines: taken over, lines $first..$n each once, in order"

# The writer is spared the late console's cost.
on=() off=() quiet=()
for r in 1 2 3; do
	put 1 $E
	delivered_burst "emergency on" "rpo-late-on$r" $N 20
	on+=("$BURST_US")
	quiet+=("$(quiet_burst "rpo-late-quiet$r" $N)")
	put 0 $E
	sleep 1
	sync_before=$(ostat records_sync) w0=$(cstat slowcon0 written)
	delivered_burst "offloaded" "rpo-late-off$r" $N 60
	off+=("$BURST_US")
	[ "$(cstat slowcon0 written)" -ge $((w0 + N)) ] ||
		fail "the module wrote $(($(cstat slowcon0 written) - w0)) records to slowcon0, not $N"
	[ "$(ostat records_sync)" = "$sync_before" ] ||
		fail "offloaded: $(($(ostat records_sync) - sync_before)) records printed synchronously"
done
writer_spared "emergency on" "$(median "${on[@]}")" "offloaded" "$(median "${off[@]}")" "$(median "${quiet[@]}")"

# Unregistered with a backlog: the module's printer prints the backlog between the kernel's
# "disabled" notice and the console's removal (unregister_console() waits for it), as the
# kernel flushes a console it prints.
put 200 $DBG/delay_us
d0=$(ostat consoles_departed) r0=$(ostat consoles_flushed)
lost0=$(dmesg | grep -c 'rust_printk_offload: console slowcon0 was unregistered' || true)
reset_capture
timed_burst rpo-late-gone 300 >/dev/null
[ "$(ostat backlog)" -gt 50 ] || fail "no backlog to flush (backlog $(ostat backlog))"
rmmod slow_console || fail "rmmod slow_console"
msg=$(dmesg | grep 'slow_console: slowcon unregistered:' | tail -1)
log "unregistered with a backlog: ${msg#*slow_console: }"
[[ $msg == *"the last before its notice: ["*"] rpo-late-gone 300" ]] ||
	fail "the backlog was not flushed to the console before it went"
[ "$(ostat consoles_flushed)" = $((r0 + 1)) ] || fail "consoles_flushed did not count the console"
[ "$(ostat consoles_departed)" = $((d0 + 1)) ] || fail "consoles_departed did not count the console"
[ "$(dmesg | grep -c 'rust_printk_offload: console slowcon0 was unregistered' || true)" = "$lost0" ] ||
	fail "a loss was announced for a console whose backlog was flushed"
[ "$(ostat consoles)" = 1 ] || fail "the departed console is still counted ($(ostat consoles))"
unload_offload
