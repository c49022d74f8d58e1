#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# Parameters on the kernel command line (`rust_printk_offload.NAME=VALUE`) reach the module
# when modprobe loads it (modprobe reads /proc/cmdline), as they would for a module loaded
# at boot. Needs a boot with rust_printk_offload.slice_bytes=4096 and
# rust_printk_offload.starvation_ms=1500 on the command line (make check boots so).
. "$(dirname "$0")/lib.sh"
setup_printk
for want in slice_bytes=4096 starvation_ms=1500; do
	grep -qw "rust_printk_offload.$want" /proc/cmdline ||
		skip "boot with rust_printk_offload.$want on the kernel command line"
done
f=$(module_file rust_printk_offload) || skip "no rust_printk_offload.ko"
if ! command -v modprobe >/dev/null || ! command -v depmod >/dev/null; then skip "no modprobe or depmod"; fi
P=/proc/sys/kernel/printk_offload
S=/sys/module/rust_printk_offload/parameters
R=/tmp/rpo-cmdline-modroot
module_root $R "$f"
# An empty configuration directory: the values can only come from the command line.
modprobe -d $R -C $R/conf rust_printk_offload || fail "modprobe"
on_exit "rmmod rust_printk_offload 2>/dev/null"
for pv in slice_bytes=4096 starvation_ms=1500; do
	n=${pv%%=*} v=${pv#*=}
	[ "$(cat $P/"$n")" = "$v" ] || fail "$n: the sysctl reads '$(cat $P/"$n")', not '$v'"
	[ "$(cat $S/"$n")" = "$v" ] || fail "$n: $S/$n reads '$(cat $S/"$n")', not '$v'"
done
# A tunable not on the command line keeps its default.
[ "$(cat $P/slice_us)" = 20000 ] || fail "slice_us reads '$(cat $P/slice_us)', not its default 20000"
rmmod rust_printk_offload || fail "rmmod"
log "modprobe applied slice_bytes=4096 and starvation_ms=1500 from the kernel command line"
