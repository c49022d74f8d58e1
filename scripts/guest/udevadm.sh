#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# Stands in for udevadm and systemd-udevd in the test guest (scripts/vm.sh binds it over
# them). Started as the daemon, it makes the /dev/virtio-ports links that vng's script I/O
# looks for, which is all the guest needs of udev; every other command (trigger, settle)
# has nothing to do and succeeds. Builtins where possible: each exec costs under TCG.
case " $* " in
*" --daemon "*) ;;
*) exit 0 ;;
esac
mkdir -p /dev/virtio-ports
for p in /sys/class/virtio-ports/*; do
	n=""
	[ -r "$p/name" ] && read -r n <"$p/name"
	[ -z "$n" ] || ln -sfn "../${p##*/}" "/dev/virtio-ports/$n"
done
exit 0
