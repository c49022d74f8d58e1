#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# Host side of the tests that end or suspend the system, judged from the serial console
# (tests/crash/check_serial.py):
#   panic|reboot|poweroff|halt:
#                 flood, then panic (sysrq crash), reboot, power-off or halt at once:
#                 every line written before the end is there exactly once, in order, then
#                 the kernel's own final output; for the last three, the reboot notifier's
#                 own switch is logged (a halted guest does not exit: it is stopped once
#                 its console has said "System halted" and nothing more for 5 s);
#   reset:        sysrq b (emergency_restart(), which runs no notifier) with a backlog:
#                 the lines on the console are the first ones, once, in order, and what
#                 is missing is at most the backlog the module reported before the reset;
#   oops:         flood, then a (survivable) oops from a test module: every line once, in
#                 order, then the oops, printed synchronously (emergency mode, reason
#                 "oops in progress"); then offloading resumes and prints 100 more lines;
#   load-window, unload-window:
#                 as panic, while the module is paused (a test hook of the test build)
#                 half loaded, with the consoles taken over, or half unloaded, with the
#                 consoles handed back and the notifiers gone: no window may leave the
#                 panic without its output;
#   suspend:      pm_test freezer, devices, core (mem, deep) and hibernation at core, each
#                 entered with a backlog owed to a slow console while a writer keeps
#                 printing: every line once, in order; PM notifier and syscore ran.
# Every test also scans the log for trouble, except the crash output it provokes.
# Prints "ok - ..." or "not ok - ..."; exits 0 or 1.
#   scripts/crash-test.sh panic|reboot|poweroff|halt|reset|oops|load-window|unload-window|suspend
set -uo pipefail
. "$(dirname "$0")/env.sh"
what=${1:?usage: crash-test.sh panic|reboot|poweroff|halt|reset|oops|load-window|unload-window|suspend}
n=${RPO_CRASH_LINES:-600}
kdir=$(rpo_kdir test) || { echo "not ok - $what: no test kernel"; exit 1; }
[ "${RPO_MODULES_BUILT:-}" = "$kdir" ] ||
	make -s -C "$RPO_ROOT" KDIR="$kdir" RPO_TEST_HOOKS=1 modules test-modules >/dev/null 2>&1 || { echo "not ok - $what: module build failed"; exit 1; }
work=$(mktemp -d /tmp/rpo-crash.XXXXXX)
guest="$RPO_ROOT/tests/crash/guest_flood_then.sh $what $n"
# The suspend guest reports each phase ("rpo-pm-report: ..."): a minute without a report
# means a phase hung, and the guest is stopped then rather than at the overall limit.
watch=() append=kmemleak=off
case $what in
# The panic ends the guest inside the pause: the longest pause the hook takes costs
# nothing, and the flood and the panic fit in it however slow the guest is.
load-window) append="$append rpo_test.pause=load:taken_over:60000" ;;
unload-window) append="$append rpo_test.pause=unload:notifiers_gone:60000" ;;
esac
if [ "$what" = suspend ]; then
	guest=$RPO_ROOT/tests/crash/guest_suspend.sh
	watch=(--progress 'rpo-pm-report: ' --stall 60)
fi
[ "$what" = halt ] && watch=(--progress 'reboot: System halted' --stall 5)
"$RPO_ROOT/scripts/vm.sh" --kernel test --cpus 2 --timeout 600 "${watch[@]}" \
	--console "$work/serial.txt" --append "$append" -- "$guest" >"$work/guest.txt" 2>"$work/vm.txt"
rc=$?
# A halted guest is stopped by the watch above, as intended.
[ "$what" = halt ] && [ $rc = 124 ] && grep -q "no progress for 5 s (after 1 lines matching 'reboot: System halted')" "$work/vm.txt" && rc=0
if [ $rc = 124 ]; then
	echo "not ok - $what: the guest was stopped by a host-side limit (logs: $work)"
	sed 's/^/#   /' "$work/vm.txt" | tail -30
	exit 1
fi
if verdict=$(python3 "$RPO_ROOT/tests/crash/check_serial.py" "$what" "$work/serial.txt" "$n" "$work/guest.txt"); then
	echo "$verdict"
	rm -rf "$work"
	exit 0
fi
echo "$verdict (logs: $work)"
sed 's/^/#   guest: /' "$work/guest.txt" | tail -15
exit 1
