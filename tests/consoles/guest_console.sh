#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# In the VM, for scripts/console-test.sh: with a real console driver besides the slow
# console (ttyS0, hvc0, the VT tty0, or netconsole with a plain and an extended target),
# print the output-fidelity sequence once without the module and once with it, then flood
# from every CPU with the module, each part between marker lines that the host finds in
# what the console received. For the VT, the screen is read back here, from /dev/vcs1.
#   guest_console.sh ttyS0|hvc0|tty0|netconsole|ttyS0,hvc0,tty0 [LINES_PER_CPU]
{
. "$(dirname "$0")/../selftests/lib.sh"
setup_printk
which=$1 n=${2:-1500}
mark() { echo "<3>rpo-console: $*" >/dev/kmsg; }
# flood: every online CPU writes N lines at once; wait until the consoles have them all.
flood() {
	local c
	for c in $(tr ',' '\n' </sys/devices/system/cpu/online | while IFS=- read -r a b; do seq "$a" "${b:-$a}"; done); do
		taskset -c "$c" python3 "$ROOT/tests/selftests/kmsg_burst.py" "rpo-cflood-$c" "$n" >/dev/null &
	done
	wait
	for _ in $(seq 600); do
		[ "$(ostat backlog)" = 0 ] && break
		sleep 0.2
	done
	mark "flood end (backlog $(ostat backlog))"
}
# fidelity NAME: the fidelity sequence between NAME's markers.
fidelity() {
	mark "$1 begin"
	python3 "$ROOT/tests/selftests/fidelity_sequence.py" rpo-fidelity
	mark "$1 end"
}
load_slow 0
if [ "$which" = netconsole ]; then
	# Frames leave only through the NIC, into QEMU's UDP socket on the host's loopback;
	# the addresses inside them are loopback-range too. The NIC by its MAC (udev may have
	# renamed it).
	dev=$(grep -l '52:54:00:12:34:56' /sys/class/net/*/address | head -1 | cut -d/ -f5)
	if [ -z "$dev" ] || ! ip link set "$dev" up; then
		mark "no virtio NIC"
		exit 1
	fi
	# Stock 6.12 printing to netconsole over virtio-net can make lockdep report the
	# kernel's own lock order (target_list_lock, taken in hard-irq context when the kernel
	# prints from an interrupt or its irq_work, then _xmit_ETHER, which the network stack
	# takes with interrupts on): as a circular dependency or an irq lock inversion,
	# depending on which usage lockdep meets first, and only if the kernel prints from an
	# interrupt at all. Lockdep then turns itself off. So the module's path comes first,
	# with the plain target alone (no console left to the kernel's printing): netconsole
	# registers under a quiet loglevel (its "enabled" line is not printed), the module
	# takes it over, and the flood and the fidelity sequence go through the module's
	# kthreads with lockdep on. From the unload on, the kernel prints netconsole itself,
	# bracketed for the log scan with that chain's lock named: the fidelity sequence without
	# the module, and the extended target alone, which the module leaves to the kernel,
	# under a flood.
	target() { # PARAM: load netconsole with these targets, quietly
		echo 1 >/proc/sys/kernel/printk
		modprobe netconsole "netconsole=$1" || { echo 8 >/proc/sys/kernel/printk; mark "netconsole did not load"; exit 1; }
		echo 8 >/proc/sys/kernel/printk
	}
	load_offload
	t0=$(ostat consoles_taken_over)
	target "6665@127.0.0.2/$dev,6666@127.0.0.1/02:00:00:00:00:01"
	for _ in $(seq 100); do
		[ "$(ostat consoles_taken_over)" -gt "$t0" ] && break
		sleep 0.1
	done
	mark "consoles: $(tr '\n' ' ' </proc/consoles)"
	flood
	fidelity offload
	mark "lockdep after the flood through the module: debug_locks $(awk '/debug_locks/ { print $2 }' /proc/lockdep_stats 2>/dev/null)"
	echo "rpo-expected-trouble: begin expect=target_list_lock; (stock 6.12 printing to netconsole over virtio-net: the kernel's own lockdep report)" >/dev/kmsg
	unload_offload
	fidelity stock
	rmmod netconsole
	target "+6667@127.0.0.2/$dev,6668@127.0.0.1/02:00:00:00:00:01"
	load_offload
	mark "consoles: $(tr '\n' ' ' </proc/consoles)"
	flood
	echo "rpo-expected-trouble: end" >/dev/kmsg
else
	mark "consoles: $(tr '\n' ' ' </proc/consoles)"
	fidelity stock
	load_offload
	mark "taken over: $(ostat consoles) console(s)"
	fidelity offload
	flood
fi
sleep 1
if [[ ,$which, == *,tty0,* ]]; then
	cols=$(stty -F /dev/tty1 size 2>/dev/null | awk '{ print $2 }')
	echo "rpo-vcs-begin"
	fold -w "${cols:-80}" </dev/vcs1
	echo
	echo "rpo-vcs-end"
fi
unload_offload
mark "done"
sleep 1
}
