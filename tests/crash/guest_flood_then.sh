#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# In the VM: take over the consoles (ttyS0 included), write N lines so that the printer
# kthreads are far behind, then end the system at once (flood_then.py): panic, reboot,
# power-off, halt, sysrq reset, or a survivable oops followed by 100 more lines.
#   guest_flood_then.sh panic|reboot|poweroff|halt|reset|oops|load-window|unload-window N
# With "load-window" or "unload-window" the module is paused half loaded (consoles taken
# over) or half unloaded (consoles handed back, notifiers gone) by a test hook
# (rpo_test.pause=... on the command line: see scripts/crash-test.sh) when the flood and
# the panic come.
. "$(dirname "$0")/../selftests/lib.sh"
setup_printk
load_slow 100 # about 3 ms per line: the kthreads fall far behind the writer
what=$1 tag=$1
# hook_reached: wait until the module says it pauses at its test hook.
hook_reached() {
	for _ in $(seq 300); do
		dmesg | grep -q 'rust_printk_offload: test hook: pausing' && return 0
		sleep 0.1
	done
	echo "rpo-crash-test: the module never reached its test hook" >/dev/kmsg
	exit 1
}
case $1 in
load-window)
	insmod "$(module_file rust_printk_offload)" &
	hook_reached
	what=panic
	;;
unload-window)
	load_offload
	sleep 1
	rmmod rust_printk_offload &
	hook_reached
	what=panic
	;;
*)
	load_offload
	sleep 1
	;;
esac
python3 "$(dirname "$0")/flood_then.py" "$what" "$2" "$ROOT/tests/modules/oops_now.ko" "$tag"
rc=$?
[ "$what" = oops ] && exit $rc
echo "rpo-crash-test: the system is still running"
exit 1
