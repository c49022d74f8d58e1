#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# kernel.printk_cpumask: reads the CPU list, takes every valid form, and really decides
# which kthread prints (statistics show it); malformed writes and non-root writes are
# refused with nothing changed (sysctl_sweep.py).
. "$(dirname "$0")/lib.sh"
setup_printk
F=/proc/sys/kernel/printk_cpumask
load_slow 0
load_offload
[ "$(stat -c %a $F)" = 644 ] || fail "mode of $F is $(stat -c %a $F), expected 644"
possible=$(cat /sys/devices/system/cpu/possible)
[ "$(cat $F)" = "$possible" ] || fail "default mask '$(cat $F)', expected all possible CPUs '$possible'"
log "default mask: $(cat $F)"
need_cpus 2

# FORM=READBACK: the kernel's CPU-list syntax (bitmap_parselist), read back canonically.
for pair in "0=0" "1=1" "0-1=0-1" "0,1=0-1" "1,0=0-1" "0-0,1=0-1" "all=0-1" "N=1" "0-N=0-1" \
	"0-1:1/2=0" "all:1/2=0" " 1 =1" ",0,,=0"; do
	form=${pair%=*} want=${pair##*=}
	printf '%s' "$form" >$F || fail "write '$form' refused"
	[ "$(cat $F)" = "$want" ] || fail "wrote '$form', read '$(cat $F)', expected '$want'"
done
{ printf '1' >$F && [ "$(cat $F)" = 1 ]; } || fail "write without newline"
{ sysctl -q -w kernel.printk_cpumask=0 && [ "$(sysctl -n kernel.printk_cpumask)" = 0 ]; } || fail "sysctl -w"
log "valid forms round-trip"

# The effect: only the masked CPU's kthread prints. The writer runs on the masked CPU: its
# doorbell then looks for a printer on another CPU first, and must not pick the other one.
for only in 1 0; do
	other=$((1 - only))
	put $only $F
	sleep 0.5
	b_only=$(ostat cpu${only}_records) b_other=$(ostat cpu${other}_records)
	reset_capture
	taskset -c "$only" python3 "$HERE/kmsg_burst.py" "rpo-mask-$only" 200 >/dev/null
	# The printer claim, as `stats` names its holder, is never the other CPU's.
	for _ in 1 2 3 4 5; do
		p=$(ostat printer)
		[ "$p" != "$other" ] || fail "mask $only: the printer is CPU $other, outside the mask"
		sleep 0.05
	done
	wait_lines "rpo-mask-$only" 200 60 || fail "mask $only: lines missing"
	check_sequence "rpo-mask-$only" 200 || fail "mask $only: sequence broken"
	d_only=$(($(ostat cpu${only}_records) - b_only)) d_other=$(($(ostat cpu${other}_records) - b_other))
	log "mask $only: cpu$only printed $d_only records, cpu$other printed $d_other"
	[ "$d_only" -ge 200 ] || fail "cpu$only printed only $d_only records"
	[ "$d_other" = 0 ] || fail "cpu$other printed $d_other records while outside the mask"
done
put "$possible" $F

python3 "$(dirname "$0")/sysctl_sweep.py" || fail "bad-input sweep"
[ "$(cat $F)" = "$possible" ] || fail "mask changed by the sweep"
unload_offload
rmmod slow_console
