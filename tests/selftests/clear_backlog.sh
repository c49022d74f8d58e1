#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# `dmesg -C` and `dmesg -c` (SYSLOG_ACTION_CLEAR) while a backlog waits. The only
# exported ring reader never returns records before the cleared point, so the records
# cleared before the console got them are skipped and announced with the kernel's
# "** N printk messages dropped **" (a limit README states). What must hold:
#   - every record either reaches the console or is counted in a notice, none twice, in
#     order, and the console's dropped count agrees;
#   - the clear does not make the ring look small: with the automatic backlog limit on a
#     ring that has wrapped, no backpressure begins and the kernel prints nothing
#     synchronously (the consoles stay the module's).
# Runs after ring_wrap.sh in make check's log_buf_len=1M boot (the ring has wrapped there,
# so the automatic limit is in force: `backlog_limit_now`); where it is not, the test
# skips.
# kselftest-timeout=180
. "$(dirname "$0")/lib.sh"
setup_printk
P=/proc/sys/kernel/printk_offload
load_slow 100 # 100-character records: about 11 ms each
load_offload
# A warning from elsewhere (under emulation, the clocksource watchdog marking the TSC
# unstable) would hand the consoles back for a moment: the urgent watch is off here.
put 0 $P/urgent_loglevel
[ "$(cat $P/backlog_limit)" = 0 ] || fail "backlog_limit is not automatic (0) by default"

# clear_run HOW: a backlog of 300 records, then `dmesg HOW`, then one more line.
clear_run() {
	local how=$1 tag=rpo-clear${1//-/} d0 s0 b0 owed word body ours announced dropped
	for _ in $(seq 300); do
		[ "$(ostat backlog)" = 0 ] && break
		sleep 0.1
	done
	reset_capture
	d0=$(cstat slowcon0 dropped) s0=$(ostat records_sync) b0=$(ostat backpressure_entries)
	word=$(python3 "$HERE/kmsg_long.py" "$tag" 300 100)
	owed=$(ostat backlog)
	[ "$owed" -ge 100 ] || fail "dmesg $how: only $owed records owed at the clear"
	dmesg "$how" >/dev/null || fail "dmesg $how failed"
	echo "$tag-after" >/dev/kmsg
	for _ in $(seq 300); do
		capture | grep -q -- "] $tag-after\$" && break
		sleep 0.1
	done
	capture | grep -q -- "] $tag-after\$" || fail "dmesg $how: the line after the clear never reached the console"
	body=$(capture | sed "/] $tag-after\$/q")
	ours=$(grep -c -- "] $word " <<<"$body" || true)
	announced=$(grep -o '^\*\* [0-9]* printk messages dropped \*\*$' <<<"$body" | awk '{ s += $2 } END { print s + 0 }')
	dropped=$(($(cstat slowcon0 dropped) - d0))
	log "dmesg $how with $owed records owed: $ours of 300 on the console, $announced announced" \
		"dropped; records_sync +$(($(ostat records_sync) - s0)), backpressure entries" \
		"+$(($(ostat backpressure_entries) - b0))"
	[ "$announced" -gt 0 ] || fail "dmesg $how: nothing announced (the clear came after the backlog?)"
	[ $((ours + announced)) = 300 ] || fail "dmesg $how: $ours printed + $announced announced, 300 written"
	[ "$dropped" = "$announced" ] || fail "dmesg $how: the console's dropped count ($dropped) is not its notices' ($announced)"
	grep -o -- "] $word [0-9]*\$" <<<"$body" | awk '{ if ($3 <= last) exit 1; last = $3 }' ||
		fail "dmesg $how: a line out of order or twice"
	[ "$(ostat records_sync)" = "$s0" ] || fail "dmesg $how: the kernel printed records synchronously"
	[ "$(ostat backpressure_entries)" = "$b0" ] || fail "dmesg $how: backpressure began (the ring looked small)"
}

# The module estimates the ring's size from what it sees overwritten: a burst into the
# wrapped ring shows it (a module loaded after the wrap knows nothing of it yet).
python3 "$HERE/kmsg_long.py" rpo-clear-warmup 600 100 >/dev/null
limit=$(ostat backlog_limit_now)
[ "$limit" -gt 0 ] || skip "no automatic backlog limit in force (the ring has not wrapped in this boot)"
log "automatic backlog limit in force: $limit records"
clear_run -C
clear_run -c
unload_offload
rmmod slow_console
