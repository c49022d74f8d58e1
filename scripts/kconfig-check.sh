#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# Checks that a kernel build tree has what the module needs (the dependencies in
# Kconfig, which an out-of-tree build does not evaluate), and names what is missing.
#   scripts/kconfig-check.sh KDIR
set -u
kdir=$1 cfg=$1/.config
[ -f "$cfg" ] || { echo "kconfig-check: $cfg missing: KDIR must be a configured, built kernel tree" >&2; exit 1; }
[ -f "$kdir/rust/bindings/.bindings_generated.rs.cmd" ] ||
	{ echo "kconfig-check: $kdir has no built Rust support (build the kernel with CONFIG_RUST=y first)" >&2; exit 1; }
bad=0
for opt in RUST PRINTK SMP TRACEPOINTS SYSCTL PROC_FS PM_SLEEP X86_64 MODULES MODULE_UNLOAD; do
	grep -q "^CONFIG_$opt=y" "$cfg" || { echo "kconfig-check: CONFIG_$opt is not set in $cfg" >&2; bad=1; }
done
if grep -q "^CONFIG_PREEMPT_RT=y" "$cfg"; then
	echo "kconfig-check: CONFIG_PREEMPT_RT=y: the kernel threads legacy consoles itself there" >&2
	bad=1
fi
exit $bad
