#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# In the VM: suspend test modes with a backlog owed to a slow console, while a writer keeps
# printing. Phases: mem at pm_test freezer, devices and core ("deep" where offered), then
# hibernation at core. Before each phase a burst leaves the kthreads far behind, so the PM
# notifier must flush a real backlog before tasks freeze; a paced writer prints through
# the whole test, so records also arrive while tasks freeze and devices suspend.
#
# virtio-9p (the VM's root file system) has no freeze/restore: once devices have suspended,
# anything that touches it blocks for good in D state, and a task in D state makes the
# next freeze fail. So, before the first phase, udev (whose workers may still be busy with
# coldplug under TCG) is settled and stopped, and from there on the test uses only bash
# builtins, /proc, /sys and devtmpfs: reports go to the kernel log (read on the host from
# the serial console), and the end is a sysrq power-off. The body is one { ... } block so
# that bash parses all of it before anything runs (bash reads its script file as it goes,
# and that file is on 9p).
{
. "$(dirname "$0")/../selftests/lib.sh"
setup_printk
report() { echo "rpo-pm-report: $*" >/dev/kmsg; }
report "start"
if command -v udevadm >/dev/null; then
	# In steps, each reported: the host stops a guest that reports nothing for a minute.
	for ((i = 0; i < 36; i++)); do
		udevadm settle --timeout=5 && break
		report "settling udev"
	done
	[ $i -lt 36 ] || report "udevadm settle timed out"
	udevadm control --exit 2>/dev/null || true
fi
pkill -x systemd-udevd 2>/dev/null
sleep 0.5
left=$(pgrep -x systemd-udevd || true)
[ -z "$left" ] || report "udevd still running: $left"
report "udev stopped"
echo 1 >/sys/module/suspend/parameters/pm_test_delay
load_slow 100   # about 3 ms a line: a burst leaves a backlog
load_offload
mkfifo /dev/rpo-tick && exec 5<>/dev/rpo-tick   # read -t on it: a sleep without exec
grep -qw deep /sys/power/mem_sleep && echo deep >/sys/power/mem_sleep
report "mem_sleep $(</sys/power/mem_sleep)"
# ostat_b NAME: one value of the module's statistics, with builtins only (a $(<file)
# subshell forks but runs no program).
ostat_b() {
	local st
	st=$'\n'$(</proc/sys/kernel/printk_offload/stats)
	st=${st#*$'\n'"$1 "}
	echo "${st%%$'\n'*}"
}
writer_end=$((SECONDS + 40))
( exec 3>/dev/kmsg; i=0; end=$writer_end
  while [ $SECONDS -lt $end ]; do i=$((i + 1)); echo "rpo-suspend $i" >&3; read -r -t 0.01 -u 5; done
  echo "rpo-pm-report: written $i" >&3 ) &
read -r -t 1 -u 5
b=0
phase() { # LABEL STATE PM_TEST
	local i
	exec 4>/dev/kmsg
	for ((i = 1; i <= 300; i++)); do echo "rpo-burst $((b + i))" >&4; done
	exec 4>&-
	b=$((b + 300))
	report "$1 backlog=$(ostat_b backlog)"
	echo "$3" >/sys/power/pm_test
	local rc=0
	# A builtin write: its status is the kernel's answer to the write.
	# shellcheck disable=SC2320
	echo "$2" >/sys/power/state || rc=$?
	report "$1 rc=$rc"
}
phase mem/freezer mem freezer
phase mem/devices mem devices
phase mem/core mem core
phase disk/core disk core
echo none >/sys/power/pm_test
report "bursts $b"
# Not 'wait': the writer's exit would close a file on the dead 9p mount and never finish.
while [ $SECONDS -lt $((writer_end + 2)) ]; do read -r -t 1 -u 5; done
report "writer finished"
# Let the kthreads catch up (reporting, so the host sees progress), then report what they did.
for ((i = 1; i <= 60; i++)); do
	[ "$(ostat_b backlog)" = 0 ] && break
	read -r -t 1 -u 5
	[ $((i % 10)) = 0 ] && report "waiting for the kthreads: backlog $(ostat_b backlog)"
done
IFS= read -r -d '' st </proc/sys/kernel/printk_offload/stats
report "stats $st"
report "done"
echo o >/proc/sysrq-trigger
exit 0
}
