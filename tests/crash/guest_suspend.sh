#!/usr/bin/env bash
# In the VM: suspend test modes while a writer floods. virtio-9p (the VM's root file
# system) has no freeze/restore, so after the first device suspend nothing may touch it:
# from there on only bash builtins, /proc, /sys and devtmpfs are used, reports go to the
# kernel log (read on the host from the serial console), and the end is a sysrq power-off.
# The body is one { ... } block so that bash parses all of it before anything runs: bash
# reads its script file as it goes, and that file is on 9p.
{
. "$(dirname "$0")/../selftests/lib.sh"
setup_printk
report() { echo "rpo-pm-report: $*" >/dev/kmsg; }
echo 1 >/sys/module/suspend/parameters/pm_test_delay
load_slow 1
load_offload
mkfifo /dev/rpo-tick && exec 5<>/dev/rpo-tick   # read -t on it: a sleep without exec
grep -qw deep /sys/power/mem_sleep && echo deep >/sys/power/mem_sleep
report "mem_sleep $(</sys/power/mem_sleep)"
writer_end=$((SECONDS + 45))
( exec 3>/dev/kmsg; i=0; end=$writer_end
  while [ $SECONDS -lt $end ]; do i=$((i + 1)); echo "rpo-suspend $i" >&3; read -t 0.003 -u 5; done
  echo "rpo-pm-report: written $i" >&3 ) &
read -t 1 -u 5
for level in freezer devices core; do
	echo $level >/sys/power/pm_test
	echo mem >/sys/power/state
	report "mem/$level rc=$?"
done
echo core >/sys/power/pm_test
echo disk >/sys/power/state
report "disk/core rc=$?"
echo none >/sys/power/pm_test
# Not 'wait': the writer's exit would close a file on the dead 9p mount and never finish.
while [ $SECONDS -lt $((writer_end + 2)) ]; do read -t 1 -u 5; done
report "writer finished"
read -t 3 -u 5
IFS= read -r -d '' st </proc/sys/kernel/printk_offload/stats
report "stats $st"
report "done"
echo o >/proc/sysrq-trigger
exit 0
}
