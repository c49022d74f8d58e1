#!/usr/bin/env bash
# Host side of the tests that end or suspend the system, read from the serial console:
#   panic|reboot: flood, then panic (sysrq crash) or reboot at once: every line written
#                 before the end is there exactly once, in order, then the kernel's own
#                 final output; for reboot, the reboot notifier's own switch is logged;
#   oops:         flood, then a (survivable) oops from a test module: every line once, in
#                 order, then the oops, printed synchronously (emergency mode, reason
#                 "oops in progress"); then offloading resumes and prints 100 more lines;
#   suspend:      pm_test freezer, devices, core (mem, deep) and hibernation at core while
#                 a writer floods: every line once, in order; PM notifier and syscore ran.
# Prints "ok - ..." or "not ok - ...".
set -uo pipefail
. "$(dirname "$0")/env.sh"
what=$1 n=${RPO_CRASH_LINES:-600}
serial=$(mktemp /tmp/rpo-serial.XXXXXX)
guest="$RPO_ROOT/tests/crash/guest_flood_then.sh $what $n"
[ "$what" = suspend ] && guest=$RPO_ROOT/tests/crash/guest_suspend.sh
timeout 900 "$RPO_ROOT/scripts/vm.sh" --kernel test --cpus 2 --serial --append kmemleak=off -- \
	"$guest" >"$serial.out" 2>"$serial"
tr -d '\r' <"$serial" >"$serial.txt"
if [ "$what" = suspend ]; then
	rep() { grep -a -o "rpo-pm-report: $1.*" "$serial.txt" | head -1; }
	n=$(rep written | grep -o '[0-9]*$')
	stat() { grep -a -o "^\[[ .0-9]*\] $1 [0-9]*" "$serial.txt" | tail -1 | grep -o '[0-9]*$'; }
	bad=""
	for run in mem/freezer mem/devices mem/core disk/core; do
		[ "$(rep "$run rc=" | grep -o 'rc=[0-9]*')" = rc=0 ] || bad="$bad $run-failed"
	done
	[ -n "$(rep done)" ] || bad="$bad no-end-report"
	pm=$(stat pm_events) sc=$(stat syscore_events) em=$(stat emergency)
	[ "${pm:-0}" -ge 8 ] || bad="$bad pm_events=${pm:-?}"
	[ "${sc:-0}" -ge 4 ] || bad="$bad syscore_events=${sc:-?}"
	[ "${em:-1}" = 0 ] || bad="$bad still-in-emergency"
	seq=$(awk -v n="${n:-0}" 'index($0, "] rpo-suspend ") { split(substr($0, index($0, "] rpo-suspend ") + 14), a, " ");
		v = a[1] + 0; seen++; if (v != seen) { printf "line %d is #%d", seen, v; exit } }
		END { if (seen != n) printf "%d of %d lines", seen, n }' "$serial.txt")
	[ -z "$seq" ] || bad="$bad $seq"
	if [ -z "$bad" ] && [ -n "$n" ]; then
		echo "ok - suspend: $(rep mem_sleep | cut -d' ' -f2-), 4 pm_test cycles, all $n lines once, in order; pm_events $pm, syscore_events $sc"
		rm -f "$serial" "$serial.txt" "$serial.out"
		exit 0
	fi
	echo "not ok - suspend:$bad (serial log: $serial.txt, guest output: $serial.out)"
	exit 1
fi
written=$(grep -m1 -o 'rpo-crash-test: [0-9]* lines written, backlog [0-9]*' "$serial.txt")
case $what in
panic) final='Kernel panic - not syncing' ;;
reboot) final='reboot: Restarting system' ;;
oops) final='kernel BUG at' ;;
esac
res=$(awk -v tag="rpo-$what" -v n="$n" -v final="$final" '
	index($0, "] " tag " ") { split(substr($0, index($0, "] " tag " ") + length(tag) + 3), a, " ");
		v = a[1] + 0; seen++; if (v != seen && !bad) { bad = sprintf("line %d is #%d", seen, v) } last = NR }
	index($0, final) { fin = NR }
	END { if (!bad && seen != n) bad = sprintf("%d of %d lines", seen, n)
	      if (!bad && !fin) bad = "no \"" final "\""
	      if (!bad && fin < last) bad = "final output before the last line"
	      print bad ? bad : "ok" }' "$serial.txt")
backlog=$(grep -o 'backlog [0-9]*' <<<"$written" | grep -o '[0-9]*$')
# The reboot notifier must have done the switch: its own log line names the reason. (The
# system_state reason alone would also print the final lines; it would say "system not
# running".)
if [ "$res" = ok ] && [ "$what" = reboot ] &&
	! grep -aq 'rust_printk_offload: emergency mode on (reboot or shutdown)' "$serial.txt"; then
	res="no 'emergency mode on (reboot or shutdown)' line: the reboot notifier did not switch"
fi
if [ "$res" = ok ] && [ "$what" = oops ]; then
	res=$(awk '
		index($0, "] rpo-oops-after ") { split(substr($0, index($0, "] rpo-oops-after ") + 17), a, " ");
			v = a[1] + 0; seen++; if (v != seen && !bad) bad = sprintf("after-oops line %d is #%d", seen, v) }
		END { if (!bad && seen != 100) bad = sprintf("%d of 100 after-oops lines", seen)
		      print bad ? bad : "ok" }' "$serial.txt")
	after=$(grep -a -o 'rpo-crash-test: after the oops.*' "$serial.txt" | head -1)
	re='entries \+([0-9]+), records printed synchronously \+([0-9]+); now emergency 0, offloaded ([0-9]+), backlog 0'
	if [ "$res" = ok ] && ! [[ $after =~ $re ]]; then
		res="after the oops: ${after:-no report}"
	elif [ "$res" = ok ] && { [ "${BASH_REMATCH[1]}" -lt 1 ] || [ "${BASH_REMATCH[2]}" -lt 1 ]; }; then
		res="the oops was not printed synchronously (emergency mode not entered): $after"
	elif [ "$res" = ok ] && [ "${BASH_REMATCH[3]}" -lt 100 ]; then
		res="offloading did not resume after the oops: $after"
	fi
	written="$written; ${after#rpo-crash-test: }"
fi
if [ "$res" = ok ] && [ "${backlog:-0}" -lt 50 ]; then
	res="backlog at the end was only ${backlog:-?} records: the test proved nothing"
fi
if [ "$res" = ok ]; then
	echo "ok - $what: all $n lines on the serial console once, in order, then '$final' (${written:-?})"
	rm -f "$serial" "$serial.txt" "$serial.out"
else
	echo "not ok - $what: $res (${written:-no write report}; serial log: $serial.txt, guest output: $serial.out)"
	sed 's/^/#   guest: /' "$serial.out" | tail -15
	exit 1
fi
