#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# printk.ignore_loglevel, as the kernel applies it when it prints: on, records below the
# console loglevel reach the console all the same; off, they are filtered again. The
# module reads it at load (set before, as on the command line) and again at run time,
# where a change is seen within a second (it is re-read at most once a second).
. "$(dirname "$0")/lib.sh"
setup_printk
I=/sys/module/printk/parameters/ignore_loglevel
[ -w $I ] || skip "no writable $I"
on_exit "echo $(cat $I) >$I"
load_slow 0
# shown TAG: 50 info records, then an emergency marker; once the marker is on the
# console, how many of the 50 are there.
shown() {
	local i
	for i in $(seq 50); do echo "<6>$1 $i"; done >/dev/kmsg
	echo "<0>$1-end 1" >/dev/kmsg
	wait_lines "$1-end" 1 30 || fail "$1: the marker never reached the console"
	capture | grep -c -- "] $1 " || true
}
put Y $I
put 1 /proc/sys/kernel/printk
load_offload
[ "$(ostat emergency)" = 0 ] || fail "emergency mode after load: $(ostat emergency_reasons)"
off0=$(ostat records_offloaded)
n=$(shown rpo-ill-load)
[ "$n" = 50 ] || fail "ignore_loglevel set before load: $n of 50 info records printed at console loglevel 1"
[ $(($(ostat records_offloaded) - off0)) -ge 51 ] || fail "the module did not print them"
log "ignore_loglevel set before load: 50 info records printed at console loglevel 1, by the module"
put N $I
sleep 1.2
n=$(shown rpo-ill-off)
[ "$n" = 0 ] || fail "ignore_loglevel turned off: $n of 50 info records printed at console loglevel 1"
put Y $I
sleep 1.2
n=$(shown rpo-ill-on)
[ "$n" = 50 ] || fail "ignore_loglevel turned on again: $n of 50 info records printed"
[ "$(ostat emergency)" = 0 ] || fail "emergency mode during the test: $(ostat emergency_reasons)"
log "turned off at run time: 0 of 50 printed; on again: 50 of 50"
