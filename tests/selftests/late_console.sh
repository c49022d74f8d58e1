#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# Consoles registered after the module loaded (netconsole or a USB serial console loaded
# later, say) are taken over too: a slow console registered while a writer prints is
# taken over within moments, every line reaches it once and in order across the switch,
# and a burst writer is then spared the console's cost (compared with emergency mode in
# the same boot). A console unregistered while the module holds a backlog for it: the
# loss is announced in the log.
. "$(dirname "$0")/lib.sh"
setup_printk
E=/proc/sys/kernel/printk_offload/emergency
N=200
load_offload
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
dmesg | grep -q 'rust_printk_offload: took over console slowcon0' ||
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
	echo 1 >$E
	delivered_burst "emergency on" "rpo-late-on$r" $N 20
	on+=("$BURST_US")
	quiet+=("$(quiet_burst "rpo-late-quiet$r" $N)")
	echo 0 >$E
	sleep 1
	delivered_burst "offloaded" "rpo-late-off$r" $N 60
	off+=("$BURST_US")
done
writer_spared "emergency on" "$(median "${on[@]}")" "offloaded" "$(median "${off[@]}")" "$(median "${quiet[@]}")"

# Unregistered with a backlog: the loss is announced.
echo 200 >$DBG/delay_us
d0=$(ostat consoles_departed)
timed_burst rpo-late-gone 300 >/dev/null
[ "$(ostat backlog)" -gt 50 ] || fail "no backlog to lose (backlog $(ostat backlog))"
rmmod slow_console || fail "rmmod slow_console"
# There is no notifier of console unregistration: the next record's doorbell notices it.
echo "rpo-late after the unregistration" >/dev/kmsg
for _ in $(seq 50); do
	[ "$(ostat consoles_departed)" -gt "$d0" ] && break
	sleep 0.1
done
msg=$(dmesg | grep 'rust_printk_offload: console slowcon0 was unregistered with up to' | tail -1)
[ -n "$msg" ] || fail "the loss of the unregistered console's backlog was not announced"
log "unregistered with a backlog: ${msg#*rust_printk_offload: }"
[ "$(ostat consoles)" = 1 ] || fail "the departed console is still counted ($(ostat consoles))"
unload_offload
