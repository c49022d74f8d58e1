#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# The ring buffer wraps under the module. Needs a small ring (make check boots with
# log_buf_len=1M for it; skips with a ring over 4 MiB). Twice, on a console of about 5 ms
# a record, with a writer of a record every millisecond or faster:
#   - no effective backlog limit: the ring overwrites records the console has not got.
#     The console announces them as the kernel does: "** N printk messages dropped **"
#     before the next record it prints. Every record stored between two markers is either
#     on the console or counted in a notice, none twice; each notice's N is exactly the gap
#     in the writer's numbering it precedes; the console's `dropped` count agrees.
#   - the automatic limit (`backlog_limit` 0: three quarters of the ring, known once it
#     has wrapped): the writer is held to the console's pace and nothing is dropped.
# kselftest-timeout=300
. "$(dirname "$0")/lib.sh"
setup_printk
ring=$(tr ' ' '\n' </proc/cmdline | sed -n 's/^log_buf_len=//p' | tail -1)
bytes=$(numfmt --from=iec "${ring:-0}" 2>/dev/null || echo 0)
if [ "$bytes" = 0 ] || [ "$bytes" -gt $((4 << 20)) ]; then
	skip "needs a boot with a small ring (log_buf_len=1M), this one has log_buf_len=${ring:-default}"
fi
P=/proc/sys/kernel/printk_offload
load_slow 10 # about 5 ms for a 500-character record
load_offload
# A warning from elsewhere (under emulation, the clocksource watchdog marking the TSC
# unstable) would hand the consoles back for a moment: the urgent watch is off here.
put 0 $P/urgent_loglevel

# settle: the consoles caught up.
settle() {
	for _ in $(seq 600); do
		[ "$(ostat backlog)" = 0 ] && return 0
		sleep 0.1
	done
	fail "the console did not catch up within 60 s ($(ostat backlog) records owed)"
}

# all_dropped: the `dropped` counts of every console the module holds (whoever prints it
# at the moment), added up.
all_dropped() {
	awk 'NR == 1 { for (i = 1; i <= NF; i++) col[$i] = i; next }
		$col["dropped"] ~ /^[0-9]+$/ { s += $col["dropped"] } END { print s + 0 }' $P/consoles
}

# window TAG N INTERVAL_MS: N records between two markers; sets WORD, FIRST, LAST,
# DROPPED (the slow console's `dropped` count since), ALL (every held console's) and STAT
# (`records_dropped`), once the consoles caught up.
window() {
	local d0 a0 r0 out
	settle
	reset_capture
	d0=$(cstat slowcon0 dropped) a0=$(all_dropped) r0=$(ostat records_dropped)
	out=$(python3 "$HERE/kmsg_window.py" "$1" "$2" 500 "$3") || fail "$1: the writer failed"
	read -r WORD FIRST LAST <<<"$out"
	settle
	DROPPED=$(($(cstat slowcon0 dropped) - d0)) ALL=$(($(all_dropped) - a0))
	STAT=$(($(ostat records_dropped) - r0))
}

# 1. No effective limit: records are overwritten, and announced.
put $((1 << 24)) $P/backlog_limit
window rpo-wrap 5000 1
stored=$((LAST - FIRST - 1))
# What the console got between the markers: records (their first lines), and notices.
body=$(capture | awk '/\] rpo-wrap-begin$/ { on = 1; next } /\] rpo-wrap-end$/ { on = 0 } on')
printed=$(grep -c '^\[' <<<"$body" || true)
announced=$(grep -o '^\*\* [0-9]* printk messages dropped \*\*$' <<<"$body" | awk '{ s += $2 } END { print s + 0 }')
notices=$(grep -c '^\*\* [0-9]* printk messages dropped \*\*$' <<<"$body" || true)
ours=$(grep -c -- "] $WORD " <<<"$body" || true)
log "no limit: $stored records stored between the markers, $printed on the console" \
	"($ours of the writer's 5000), $announced announced dropped in $notices notice(s);" \
	"the console's dropped count grew by $DROPPED; records_dropped by $STAT (all consoles: $ALL)"
[ "$announced" -gt 0 ] || fail "the ring did not wrap under the module (or no notice reached the console)"
[ $((printed + announced)) = "$stored" ] ||
	fail "$stored records stored, $printed printed + $announced announced: lost or written twice"
[ "$DROPPED" = "$announced" ] || fail "the console's dropped count ($DROPPED) is not what its notices say ($announced)"
[ "$STAT" = "$ALL" ] || fail "records_dropped grew by $STAT, the consoles' dropped counts by $ALL"
# Every notice stands right before the record after the gap it counts (when all the
# records between the markers were the writer's, the gap is in its numbering).
if [ "$ours" = "$printed" ]; then
	bad=$(awk -v w="$WORD" '
		/^\*\* [0-9]* printk messages dropped \*\*$/ { pending = $2; next }
		index($0, "] " w " ") { n = $NF + 0
			if (n != prev + 1 + pending) { printf "line #%d after #%d with %d announced\n", n, prev, pending; exit }
			prev = n; pending = 0 }' <<<"$body")
	[ -z "$bad" ] || fail "a notice does not count the gap it precedes: $bad"
	[ "$(grep -- "] $WORD " <<<"$body" | tail -1 | awk '{ print $NF }')" = 5000 ] ||
		fail "the writer's last record is not on the console"
fi

# 2. The automatic limit, now that the ring has wrapped: the writer waits, nothing is lost.
put 0 $P/backlog_limit
limit=$(ostat backlog_limit_now)
if [ "$limit" = 0 ] || [ "$limit" -ge "$stored" ]; then
	fail "automatic limit: backlog_limit_now is $limit after the ring wrapped ($stored records stored)"
fi
p0=$(($(ostat writers_paced) + $(ostat writers_held)))
window rpo-nowrap 3000 0.5
paced=$(($(ostat writers_paced) + $(ostat writers_held) - p0))
log "automatic limit of $limit records: $((LAST - FIRST - 1)) records stored, $paced writes paced, the console's" \
	"dropped count grew by $DROPPED"
if [ "$ALL" != 0 ] || [ "$STAT" != 0 ]; then
	fail "automatic limit: records dropped ($DROPPED on the slow console, $ALL on all, stat $STAT)"
fi
[ "$paced" -gt 0 ] || fail "automatic limit: the writer was never held back"
check_sequence "$WORD" 3000 || fail "automatic limit: duplicate, missing or reordered line"
unload_offload
rmmod slow_console
