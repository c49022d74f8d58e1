#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# Module parameters: modinfo lists each; values given at load (insmod; modprobe with an
# options file; /etc/modprobe.d/ with systemd-modules-load and /etc/modules-load.d/) reach
# the sysctls and /sys/module; a bad value (insmod, /etc/modprobe.d/) fails the load with the
# kernel's line naming the parameter, and touches nothing.
. "$(dirname "$0")/lib.sh"
setup_printk
need_cpus 2
f=$(module_file rust_printk_offload) || skip "no rust_printk_offload.ko to load with parameters"
command -v modinfo >/dev/null || skip "no modinfo"
P=/proc/sys/kernel/printk_offload
S=/sys/module/rust_printk_offload/parameters
load_slow 0
enabled() { awk '$1 == "slowcon0"' /proc/consoles | grep -q '(E'; }
enabled || fail "slowcon0 is not enabled before the test: $(cat /proc/consoles)"

params="slice_us slice_bytes starvation_ms urgent_loglevel backlog_limit adaptive_placement irqs_on_write printk_cpumask emergency"
for p in $params; do
	modinfo -p "$f" | grep -q "^$p:" || fail "modinfo -p does not list $p: $(modinfo -p "$f")"
done
log "modinfo lists the $(echo "$params" | wc -w) parameters"

# expect NAME VALUE: the sysctl and the parameter's sysfs file read VALUE.
expect() {
	local sysctl=$P/$1
	[ "$1" = printk_cpumask ] && sysctl=/proc/sys/kernel/printk_cpumask
	[ "$(cat "$sysctl")" = "$2" ] || fail "$1: the sysctl reads '$(cat "$sysctl")', not '$2'"
	[ "$(cat "$S/$1")" = "$2" ] || fail "$1: $S/$1 reads '$(cat "$S/$1")', not '$2'"
}

insmod "$f" slice_us=5000 slice_bytes=4096 starvation_ms=2500 urgent_loglevel=4 \
	backlog_limit=1000 adaptive_placement=0 printk_cpumask=1 emergency=1 ||
	fail "insmod with good parameters"
on_exit "rmmod rust_printk_offload"
for pv in slice_us=5000 slice_bytes=4096 starvation_ms=2500 urgent_loglevel=4 \
	backlog_limit=1000 adaptive_placement=0 printk_cpumask=1 emergency=1; do
	expect "${pv%%=*}" "${pv#*=}"
done
[ "$(ostat emergency_reasons)" = USER ] || fail "emergency=1: reasons '$(ostat emergency_reasons)'"
[ "$(stat -c %a $S/slice_us)" = 444 ] || fail "$S/slice_us is mode $(stat -c %a $S/slice_us)"
# The sysfs files show what the module runs with, the sysctls' changes included.
put 6000 $P/slice_us
expect slice_us 6000
rmmod rust_printk_offload || fail "rmmod"
log "insmod with all eight parameters: the sysctls and sysfs read them back"

# Bad values: the load fails, the kernel names the parameter, nothing is touched.
# load_refused LABEL PARAM VALUE CMD...: CMD must not load the module; the kernel's line
# names PARAM and VALUE, no module stays, slowcon0 is still enabled.
load_refused() {
	local label=$1 param=$2 value=$3
	shift 3
	log_mark
	if "$@" 2>/dev/null; then
		rmmod rust_printk_offload
		fail "$label: the module loaded"
	fi
	log_since | grep -q "rust_printk_offload: \`$value' invalid for parameter \`$param'" ||
		fail "$label: no log line naming the parameter: $(log_since | tail -3)"
	[ ! -e /sys/module/rust_printk_offload ] || fail "$label: the module stayed loaded"
	enabled || fail "$label: slowcon0 is not enabled any more"
}
for bad in slice_us=50 slice_us=abc slice_us= starvation_ms=99999999 urgent_loglevel=9 \
	backlog_limit=-1 adaptive_placement=2 emergency=2 printk_cpumask=99 printk_cpumask=1-x; do
	load_refused "insmod $bad" "${bad%%=*}" "${bad#*=}" insmod "$f" "$bad"
done
log "10 bad values refused, each named in the log, slowcon0 left alone"

# modprobe, with the options in a configuration file, from a module tree of our own.
if ! command -v modprobe >/dev/null || ! command -v depmod >/dev/null; then
	skip "no modprobe or depmod"
fi
R=/tmp/rpo-modroot
module_root $R "$f"
echo "options rust_printk_offload slice_us=7000 printk_cpumask=0" >$R/conf/rpo.conf
modprobe -d $R -C $R/conf rust_printk_offload || fail "modprobe with an options file"
expect slice_us 7000
expect printk_cpumask 0
rmmod rust_printk_offload || fail "rmmod"
log "modprobe with an options file: slice_us and printk_cpumask as configured"

# As an installed system keeps them: options in /etc/modprobe.d/, the module named in
# /etc/modules-load.d/ and loaded by systemd-modules-load (what loads it at boot), from
# /lib/modules/RELEASE. A tmpfs over each directory and the module tree over
# /lib/modules/RELEASE, in the guest's view only (the host's files are not touched).
rel=$(uname -r)
ML=/lib/systemd/systemd-modules-load
[ -x $ML ] || skip "no $ML (systemd)"
[ -d "/lib/modules/$rel" ] || skip "no /lib/modules/$rel to mount the module tree over"
mounted=()
for d in /etc/modprobe.d /etc/modules-load.d "/lib/modules/$rel"; do
	[ -d "$d" ] || skip "no $d to mount over"
	if [ "$d" = "/lib/modules/$rel" ]; then
		mount --bind "$R/lib/modules/$rel" "$d" || fail "cannot mount the module tree over $d"
	else
		mount -t tmpfs rpo-test "$d" || fail "cannot mount a tmpfs over $d"
	fi
	mounted+=("$d")
done
# Only what this test still has mounted: an unmount too many would uncover, or remove,
# what was mounted there before it.
# shellcheck disable=SC2016 # expanded when the cleanup runs
on_exit 'for d in "${mounted[@]}"; do umount "$d"; done'

echo "options rust_printk_offload starvation_ms=1500 printk_cpumask=1" \
	>/etc/modprobe.d/rust_printk_offload.conf
echo rust_printk_offload >/etc/modules-load.d/rust_printk_offload.conf
$ML /etc/modules-load.d/rust_printk_offload.conf || fail "systemd-modules-load failed"
[ -e /sys/module/rust_printk_offload ] || fail "systemd-modules-load did not load the module"
expect starvation_ms 1500
expect printk_cpumask 1
rmmod rust_printk_offload || fail "rmmod"
log "/etc/modules-load.d/ and /etc/modprobe.d/: systemd-modules-load loaded it with the options"

# A bad option there: the load is refused, the kernel names the parameter, nothing is touched.
echo "options rust_printk_offload starvation_ms=5" >/etc/modprobe.d/rust_printk_offload.conf
load_refused "a bad option in /etc/modprobe.d/" starvation_ms 5 modprobe rust_printk_offload
log "a bad option in /etc/modprobe.d/: modprobe refused, the parameter named, slowcon0 left alone"
# The kernel's own modules again, for the tests after this one.
while [ ${#mounted[@]} -gt 0 ]; do
	umount "${mounted[-1]}" || fail "umount ${mounted[-1]}"
	unset 'mounted[-1]'
done
