#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# More consoles than the module holds (16): with many_consoles' 16, slowcon0 and whatever
# the boot has, the module takes 16 over, says once that it cannot take more, and leaves
# the rest to the kernel (the consoles file: "kernel over_console_limit"); a burst reaches
# every one of the 17 test consoles once, in order, whoever prints it. Then a late console
# (one more registered after load) is left to the kernel the same way, without saying so
# again.
. "$(dirname "$0")/lib.sh"
setup_printk
P=/proc/sys/kernel/printk_offload TAG=rpo-limit N=50
MANY=/sys/kernel/debug/many_consoles
load_slow 0
load_module many_consoles
on_exit "rmmod many_consoles"
total=$(grep -c . /proc/consoles)
[ "$total" -ge 17 ] || fail "only $total consoles registered"
log_mark
load_offload
held=$(ostat consoles)
[ "$held" = 16 ] || fail "the module holds $held consoles, not 16"
over=$(awk 'NR > 1 && $0 ~ /over_console_limit/' $P/consoles | wc -l)
[ "$over" = $((total - 16)) ] || { sed 's/^/  /' $P/consoles; fail "$over consoles over the limit, of $total"; }
said=$(log_since | grep -c 'cannot take over console .*: already printing 16 consoles' || true)
[ "$said" = 1 ] || fail "the limit was said $said times at load"
# every_console_has TAG N: each test console's capture holds "TAG 1" .. "TAG N" once, in order.
capture_of() { if [ "$1" = slowcon0 ]; then capture; else cat "$MANY/log${1#manycon}"; fi; }
reset_all() { reset_capture; for i in $(seq 0 15); do echo 0 >"$MANY/len$i"; done; }
every_console_has() {
	local c _
	for c in slowcon0 $(seq -f 'manycon%g' 0 15); do
		for _ in $(seq 100); do
			[ "$(capture_of "$c" | grep -c -- "] $1 ")" -ge "$2" ] && break
			sleep 0.2
		done
		capture_of "$c" | grep -o -- "] $1 [0-9]*\$" | awk -v n="$2" -v c="$c" '
			{ seen++; if ($3 != seen) { printf "%s: line %d is #%d\n", c, NR, $3; bad = 1; exit } }
			END { if (!bad && seen != n) { printf "%s: %d lines, expected %d\n", c, seen, n; bad = 1 }
			      exit bad }' || fail "$c: the burst did not arrive once, in order"
	done
}
reset_all
burst $TAG $N
every_console_has $TAG $N
log "$total consoles: the module holds 16, leaves $over to the kernel over the limit (said once);" \
	"a $N-line burst reached all 17 test consoles once, in order"
# One more, after load: found by the doorbell's survey, left to the kernel, not said again.
rmmod slow_console || fail "rmmod slow_console"
load_slow 0
reset_capture
burst $TAG-late 20
wait_lines $TAG-late 20 30 || fail "the late slowcon0 did not get the lines"
check_sequence $TAG-late 20 || fail "the late slowcon0: duplicate, missing or reordered line"
[ "$(cstat slowcon0 printed_by) $(cstat slowcon0 why)" = "kernel over_console_limit" ] ||
	fail "the late slowcon0 is '$(cstat slowcon0 printed_by) $(cstat slowcon0 why)'"
said=$(log_since | grep -c 'cannot take over console' || true)
[ "$said" = 1 ] || fail "the limit was said $said times in all"
log "a console registered after load is left to the kernel too"
unload_offload
