#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# A real console driver under the module, judged on the host from what the console got
# (tests/consoles/): the VM boots with the device, the guest prints the fidelity sequence
# without and with the module and floods from every CPU, and the host compares.
#   [RPO_CONSOLE_APPEND=ARGS] scripts/console-test.sh ttyS0|hvc0|tty0|netconsole|LIST
#   ttyS0:      the 8250 serial console, captured by QEMU into a file;
#   hvc0:       a virtio console (a virtconsole port, captured into a file);
#   tty0:       the VT on QEMU's standard VGA (the guest reads the screen back);
#   netconsole: a virtio NIC whose frames go to a UDP socket on 127.0.0.1 only, read by
#               tests/consoles/netcon_receiver.py: a plain target (taken over) and an
#               extended one ('+', left to the kernel).
# ttyS0, hvc0 and tty0 may share a boot: a LIST such as "ttyS0,hvc0,tty0" (each judged on
# its own, one verdict line each). Prints "ok - ..." or "not ok - ..."; exits 0 or 1. The logs stay in
# /tmp/rpo-console.* when a test fails, or with RPO_KEEP_LOGS=1.
set -uo pipefail
. "$(dirname "$0")/env.sh"
which=${1:?usage: console-test.sh ttyS0|hvc0|tty0|netconsole|ttyS0,hvc0,tty0} n=${RPO_CONSOLE_LINES:-1500}
kdir=$(rpo_kdir test) || { echo "not ok - $which: no test kernel"; exit 1; }
[ "${RPO_MODULES_BUILT:-}" = "$kdir" ] || make -s -C "$RPO_ROOT" KDIR="$kdir" RPO_TEST_HOOKS=1 modules test-modules >/dev/null 2>&1 ||
	{ echo "not ok - $which: module build failed"; exit 1; }
work=$(mktemp -d /tmp/rpo-console.XXXXXX)
qopts="" append="kmemleak=off log_buf_len=32M ${RPO_CONSOLE_APPEND:-}" ext="" receiver=""
# capture[NAME]: what NAME's console got, on the host (tty0: its screen is read back in
# the guest, into guest.txt).
declare -A capture=([ttyS0]=$work/serial.txt [tty0]=$work/serial.txt)
case $which in
ttyS0 | hvc0 | tty0 | *,*)
	for c in ${which//,/ }; do
		case $c in
		ttyS0) continue ;; # vng's console, and the last console= below
		hvc0)
			qopts="$qopts -device virtio-serial-pci,id=rpovs -chardev file,id=rpohvc,path=$work/hvc0.txt -device virtconsole,chardev=rpohvc,bus=rpovs.0"
			capture[hvc0]=$work/hvc0.txt
			;;
		tty0) qopts="$qopts -vga std" ;;
		*) echo "not ok - $c cannot share a boot"; rm -rf "$work"; exit 1 ;;
		esac
		append="$append console=$c"
	done
	append="$append console=ttyS0"
	;;
netconsole)
	if ! grep -q '^CONFIG_NETCONSOLE=[ym]' "$kdir/.config" || ! grep -q '^CONFIG_VIRTIO_NET=y' "$kdir/.config"; then
		echo "ok - netconsole # SKIP the kernel lacks CONFIG_NETCONSOLE or CONFIG_VIRTIO_NET"
		exit 4
	fi
	read -r qport rport < <(python3 -c 'import socket
s = [socket.socket(socket.AF_INET, socket.SOCK_DGRAM) for _ in range(2)]
for x in s: x.bind(("127.0.0.1", 0))
print(*(x.getsockname()[1] for x in s))')
	python3 "$RPO_ROOT/tests/consoles/netcon_receiver.py" "$rport" "6666:$work/netcon.txt" "6668:$work/netcon_ext.txt" &
	receiver=$!
	qopts="-netdev dgram,id=rponet,local.type=inet,local.host=127.0.0.1,local.port=$qport,remote.type=inet,remote.host=127.0.0.1,remote.port=$rport -device virtio-net-pci,netdev=rponet,mac=52:54:00:12:34:56"
	capture[netconsole]=$work/netcon.txt ext=$work/netcon_ext.txt
	;;
*) echo "not ok - unknown console $which"; rm -rf "$work"; exit 1 ;;
esac
"$RPO_ROOT/scripts/vm.sh" --kernel test --cpus 2 --timeout 900 --qemu-opts "$qopts" --append "$append" \
	--console "$work/serial.txt" -- "$RPO_ROOT/tests/consoles/guest_console.sh $which $n" \
	>"$work/guest.txt" 2>"$work/vm.txt"
rc=$?
if [ -n "$receiver" ]; then
	sleep 1
	kill -TERM "$receiver"
	wait "$receiver"
fi
if [ $rc = 124 ]; then
	echo "not ok - $which: the guest was stopped by a host-side limit (logs: $work)"
	tail -20 "$work/vm.txt" | sed 's/^/#   /'
	exit 1
fi
trouble=$("$RPO_ROOT/scripts/scan-kernel-log.sh" "$work/serial.txt")
trc=$?
rc=0
for c in ${which//,/ }; do
	args=("$c" "$work/serial.txt" "${capture[$c]}" "$work/guest.txt" "$n")
	[ -n "$ext" ] && args+=("$ext")
	verdict=$(python3 "$RPO_ROOT/tests/consoles/check_console.py" "${args[@]}")
	vrc=$?
	if [ $vrc = 0 ] && [ $trc = 0 ]; then
		echo "$verdict"
		continue
	fi
	[ $trc = 0 ] || verdict="$verdict; ${trouble//$'\n'/ }"
	echo "${verdict/#ok - /not ok - } (logs: $work)"
	rc=1
done
[ $rc = 0 ] && [ -z "${RPO_KEEP_LOGS:-}" ] && rm -rf "$work"
exit $rc
