#!/usr/bin/env bash
# Run a command as root in a virtme-ng VM booted on a cached kernel.
#   scripts/vm.sh [--kernel test|release|rt] [--cpus N] [--out DIR] [--append ARGS]
#                 [--serial] -- CMD
# --serial sends the guest's serial console (ttyS0) to stderr.
# The command's exit status is returned. TCG by default: KVM only where a quick probe
# (cached per host boot) shows a guest really boots with it.
set -euo pipefail
. "$(dirname "$0")/env.sh"

variant=test cpus=2 out="" append="" serial=""
while [ $# -gt 0 ]; do
	case $1 in
	--kernel) variant=$2; shift 2 ;;
	--cpus) cpus=$2; shift 2 ;;
	--out) out=$2; shift 2 ;;
	--append) append="$append $2"; shift 2 ;;
	--serial) serial=-v; shift ;;
	--) shift; break ;;
	*) rpo_die "vm.sh: unknown option $1" ;;
	esac
done
[ $# -gt 0 ] || rpo_die "vm.sh: no command given"
kdir=$("$RPO_ROOT/scripts/kernel.sh" "$variant")
bz=$kdir/arch/x86/boot/bzImage

kvm_flag=--disable-kvm
probe=$RPO_CACHE/kvm-probe
boot_id=$(cat /proc/sys/kernel/random/boot_id 2>/dev/null || echo none)
if [ "${RPO_KVM:-auto}" = auto ] && [ -w /dev/kvm ]; then
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

args=(-r "$bz" $kvm_flag --cpus "$cpus" -m 2G $serial)
[ -n "$out" ] && args+=(--rwdir "$out")
[ -n "$append" ] && args+=(-a "${append# }")
exec vng "${args[@]}" -- "$*" </dev/null
