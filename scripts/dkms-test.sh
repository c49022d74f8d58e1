#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# The module built and installed by Debian's dkms from dkms.conf, for the cached test
# kernel laid out as <modules>/<release>/build, in a private dkms, source and module tree
# (the host's /usr/src, /var/lib/dkms and /lib/modules are not touched); then the control:
# a kernel tree without CONFIG_RUST is refused by dkms before anything is built.
#   scripts/dkms-test.sh      prints "ok - ..." or "not ok - ..."; exits 0, 1, or 4 (SKIP)
set -uo pipefail
. "$(dirname "$0")/env.sh"
command -v dkms >/dev/null || { echo "ok - dkms # SKIP dkms is not installed"; exit 4; }
kdir=$(rpo_kdir test) || { echo "not ok - dkms: no test kernel"; exit 1; }
rel=$(cat "$kdir/include/config/kernel.release")
ver=$(sed -n 's/^PACKAGE_VERSION="\(.*\)"$/\1/p' "$RPO_ROOT/dkms.conf")
work=$(mktemp -d /tmp/rpo-dkms.XXXXXX)
src=$work/src/rust_printk_offload-$ver
mkdir -p "$src" "$work/dkms" "$work/modules/$rel"
ln -s "$kdir" "$work/modules/$rel/build"
# The project's files, as a release tarball would hold them (no build products).
if git -C "$RPO_ROOT" rev-parse --git-dir >/dev/null 2>&1; then
	(cd "$RPO_ROOT" && git ls-files -z | xargs -0 cp --parents -t "$src")
else
	cp -a "$RPO_ROOT/." "$src" && make -s -C "$src" clean >/dev/null
fi || { echo "not ok - dkms: cannot copy the sources"; exit 1; }
dk() { dkms --dkmstree "$work/dkms" --sourcetree "$work/src" --installtree "$work/modules" "$@"; }
fail() {
	echo "not ok - dkms: $1 (logs: $work)"
	sed 's/^/#   /' "$work/log" | tail -25
	exit 1
}
dk add -m rust_printk_offload -v "$ver" >"$work/log" 2>&1 || fail "dkms add failed"
# dkms looks for the headers under /lib/modules whatever --installtree says: the layout
# is handed over as --kernelsourcedir.
dk build -m rust_printk_offload -v "$ver" -k "$rel" --kernelsourcedir "$work/modules/$rel/build" \
	>>"$work/log" 2>&1 || fail "dkms build failed"
dk install --no-depmod -m rust_printk_offload -v "$ver" -k "$rel" \
	--kernelsourcedir "$work/modules/$rel/build" >>"$work/log" 2>&1 ||
	fail "dkms install failed"
ko=$(find "$work/modules/$rel" -name 'rust_printk_offload.ko*' | head -1)
[ -n "$ko" ] || fail "no rust_printk_offload.ko under $work/modules/$rel after dkms install"
magic=$(modinfo -F vermagic "$ko" 2>/dev/null)
[ "${magic%% *}" = "$rel" ] || fail "$ko has vermagic '$magic', not $rel"
dk status -m rust_printk_offload -v "$ver" -k "$rel" >>"$work/log" 2>&1

# Control: a tree whose .config lacks CONFIG_RUST must be refused by BUILD_EXCLUSIVE_CONFIG.
norust=$rel-norust
mkdir -p "$work/modules/$norust/build/include/config"
grep -v '^CONFIG_RUST=' "$kdir/.config" >"$work/modules/$norust/build/.config"
echo "$norust" >"$work/modules/$norust/build/include/config/kernel.release"
if dk build -m rust_printk_offload -v "$ver" -k "$norust" \
	--kernelsourcedir "$work/modules/$norust/build" >"$work/log" 2>&1; then
	fail "dkms built the module for a kernel without CONFIG_RUST"
fi
grep -q 'BUILD_EXCLUSIVE' "$work/log" || fail "dkms refused the kernel without CONFIG_RUST, but not for BUILD_EXCLUSIVE"
echo "ok - dkms: built and installed for $rel ($(basename "$ko"), vermagic $rel) from dkms.conf; a kernel without CONFIG_RUST refused (BUILD_EXCLUSIVE_CONFIG)"
rm -rf "$work"
