#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# Run a command as root in a virtme-ng VM booted on a cached kernel, under a host-side time
# limit, with the guest's serial console (ttyS0) always captured to a file.
#   scripts/vm.sh [--kernel test|release|rt] [--cpus N] [--mem SIZE] [--out DIR]
#                 [--append ARGS] [--qemu-opts OPTS] [--console FILE] [--serial]
#                 [--timeout S] [--progress REGEX --stall S] -- CMD
#   --console FILE   where the serial console goes (default: a temporary file)
#   --serial         also copy the serial console to stderr as it arrives
#   --timeout S      the whole run's limit (default $RPO_VM_TIMEOUT or 1800)
#   --progress RE --stall S
#                    once a console line matches RE, each next match must come within S
#                    seconds, or the guest is stopped as hung
# The command's exit status is returned. A guest stopped by a limit makes the exit status
# 124 and prints "vm: ..." with the last lines of its console on stderr.
# TCG by default: KVM only where a quick probe (cached per host boot) shows a guest really
# boots with it (RPO_KVM=auto, the default; on: require it; off: never).
set -euo pipefail
. "$(dirname "$0")/env.sh"

variant=test cpus=2 mem=2G out="" append="" qopts="" console="" tee_serial=0
limit=${RPO_VM_TIMEOUT:-1800} progress="" stall=0
while [ $# -gt 0 ]; do
	case $1 in
	--kernel) variant=$2; shift 2 ;;
	--cpus) cpus=$2; shift 2 ;;
	--mem) mem=$2; shift 2 ;;
	--out) out=$2; shift 2 ;;
	--append) append="$append $2"; shift 2 ;;
	--qemu-opts) qopts="$qopts $2"; shift 2 ;;
	--console) console=$2; shift 2 ;;
	--serial) tee_serial=1; shift ;;
	--timeout) limit=$2; shift 2 ;;
	--progress) progress=$2; shift 2 ;;
	--stall) stall=$2; shift 2 ;;
	--) shift; break ;;
	*) rpo_die "vm.sh: unknown option $1" ;;
	esac
done
[ $# -gt 0 ] || rpo_die "vm.sh: no command given"
kdir=$(rpo_kdir "$variant")
bz=$kdir/arch/x86/boot/bzImage
[ -f "$bz" ] || rpo_die "vm.sh: no kernel image $bz"

kvm_flag=--disable-kvm
case ${RPO_KVM:-auto} in
off) ;;
on)
	[ -w /dev/kvm ] || rpo_die "RPO_KVM=on but /dev/kvm is not usable"
	kvm_flag=""
	;;
auto)
	probe=$RPO_CACHE/kvm-probe
	boot_id=$(cat /proc/sys/kernel/random/boot_id 2>/dev/null || echo none)
	if [ -w /dev/kvm ]; then
		if [ ! -f "$probe" ] || [ "$(head -1 "$probe")" != "$boot_id" ]; then
			rpo_log "probing KVM (one-off per host boot)"
			if timeout 25 vng -r "$bz" --cpus 1 -m 512M -- true </dev/null >/dev/null 2>&1; then
				printf '%s\nkvm\n' "$boot_id" >"$probe"
			else
				printf '%s\ntcg\n' "$boot_id" >"$probe"
			fi
		fi
		[ "$(sed -n 2p "$probe")" = kvm ] && kvm_flag=""
	fi
	;;
*) rpo_die "RPO_KVM must be auto, on or off (is '$RPO_KVM')" ;;
esac

own_console=0
if [ -z "$console" ]; then
	console=$(mktemp /tmp/rpo-console.XXXXXX)
	own_console=1
fi
: >"$console"
# vng mounts the host's / as the guest's root over 9p without a cache, so each path lookup,
# stat and exec goes to the host (a python start took 4 s of a TCG guest). The guest only
# reads the host tree, which does not change while it runs, so it keeps what it reads
# (cache=loose: 1-2 s a python start, 10-12 s off a boot). RPO_GUEST_9P_CACHE=none keeps
# vng's mount; a later rootflags= in --append wins over this one.
case ${RPO_GUEST_9P_CACHE:=loose} in
none) ;;
loose | mmap | readahead | fscache)
	append=" rootflags=version=9p2000.L,trans=virtio,access=any,msize=524288,cache=$RPO_GUEST_9P_CACHE$append"
	;;
*) rpo_die "RPO_GUEST_9P_CACHE must be none, loose, mmap, readahead or fscache (is '$RPO_GUEST_9P_CACHE')" ;;
esac
# -v: the serial console goes to vng's stderr (and the guest boots with loglevel=7).
# --force-9p: the root is 9p, as the rootflags above assume (vng would use virtiofs where
# it finds a virtiofsd and the kernel has it).
args=(-r "$bz" --cpus "$cpus" -m "$mem" -v --force-9p)
[ -n "$kvm_flag" ] && args+=("$kvm_flag")
[ -n "$out" ] && args+=(--rwdir "$out")
[ -n "$append" ] && args+=(-a "${append# }")
[ -n "$qopts" ] && args+=("--qemu-opts=${qopts# }")

# The guest's init (virtme-ng-init) spends 30-45 s of a TCG boot in udev's coldplug and in
# systemd-tmpfiles, of which the tests need only the /dev/virtio-ports links that vng's
# script I/O uses. So, where a private mount namespace can be made (root), the guest sees
# scripts/guest/udevadm.sh in place of udevadm (systemd-udevd is a link to it), which makes
# just those links, and true in place of systemd-tmpfiles: the host's files are untouched,
# only what this guest's 9p root shows changes. RPO_GUEST_UDEV=on keeps the real ones.
wrap=()
stub=$RPO_ROOT/scripts/guest/udevadm.sh
binds="mount --bind $stub /usr/bin/udevadm && mount --bind /usr/bin/true /usr/bin/systemd-tmpfiles"
if [ "${RPO_GUEST_UDEV:-off}" != on ] && [ -x /usr/bin/udevadm ] && [ -x /usr/bin/systemd-tmpfiles ] &&
	unshare -m --propagation private sh -c "$binds" 2>/dev/null; then
	wrap=(unshare -m --propagation private sh -c "$binds && exec \"\$@\"" sh)
fi
# setsid: the guest (vng, qemu and its helpers) is one process group we can stop whole.
setsid "${wrap[@]}" vng "${args[@]}" -- "$*" </dev/null 2>"$console" &
vm=$!
tail_pid=""
if [ $tee_serial = 1 ]; then
	tail -n +1 -f --pid=$vm "$console" >&2 &
	tail_pid=$!
fi

stop_guest() { # WHY
	kill -TERM -- -"$vm" 2>/dev/null || true
	sleep 3
	kill -KILL -- -"$vm" 2>/dev/null || true
	wait "$vm" 2>/dev/null || true
	[ -n "$tail_pid" ] && kill "$tail_pid" 2>/dev/null
	{
		echo "vm: $1; the guest was stopped. Last console lines:"
		tr -d '\r' <"$console" | tail -25 | sed 's/^/vm:   /'
	} >&2
	[ $own_console = 1 ] && rm -f "$console"
	exit 124
}
trap 'stop_guest "interrupted"' INT TERM

start=$SECONDS last_seen=0 last_count=0
while kill -0 "$vm" 2>/dev/null; do
	sleep 1
	now=$SECONDS
	[ $((now - start)) -lt "$limit" ] || stop_guest "time limit of $limit s reached"
	if [ -n "$progress" ] && [ "$stall" -gt 0 ]; then
		count=$(grep -a -c -E -- "$progress" "$console" || true)
		if [ "$count" != "$last_count" ]; then
			last_count=$count last_seen=$now
		elif [ "$last_count" -gt 0 ] && [ $((now - last_seen)) -ge "$stall" ]; then
			stop_guest "no progress for $stall s (after $count lines matching '$progress')"
		fi
	fi
done
trap - INT TERM
rc=0
wait "$vm" || rc=$?
[ -n "$tail_pid" ] && { wait "$tail_pid" 2>/dev/null || true; }
[ $own_console = 1 ] && rm -f "$console"
exit $rc
