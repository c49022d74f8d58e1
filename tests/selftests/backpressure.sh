#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# Backpressure: writers faster than the console cannot build a backlog past
# backlog_limit: above it writers wait for the console (a user task on its way back to
# user space, others in printk(); the kthread prints, nobody prints synchronously) until
# the backlog is a little below the limit. A burst of 2000
# lines at once on a console of about 3 ms a line: with no effective limit the backlog
# grows past 1000 records and the writer is done long before the console; with a limit
# of 200 the backlog stays near the limit and the writer is held to the console's pace.
# Every line arrives once, in order, and later writes are offloaded again.
. "$(dirname "$0")/lib.sh"
setup_printk
P=/proc/sys/kernel/printk_offload
load_slow 100
load_offload
[ "$(cat $P/backlog_limit)" = 0 ] || fail "backlog_limit is not automatic (0) by default"

# burst_peak TAG LIMIT: sets the limit, writes 2000 lines at once and samples the backlog
# meanwhile; sets PEAK, WRITER_US, ENTRIES, SYNC and PACED, and checks the delivery.
burst_peak() {
	local tag=$1 out e0 s0 p0
	put "$2" $P/backlog_limit
	reset_capture
	e0=$(ostat backpressure_entries) s0=$(ostat records_sync)
	p0=$(($(ostat writers_paced) + $(ostat writers_held)))
	PEAK=0
	out=$(mktemp)
	timed_burst "$tag" 2000 >"$out" &
	local writer=$! b
	while kill -0 $writer 2>/dev/null; do
		b=$(ostat backlog)
		[ "$b" -gt "$PEAK" ] && PEAK=$b
		sleep 0.05
	done
	wait $writer
	# Once more when the writer is done: a fast kernel writes the burst before the first
	# sample above, and the consoles take seconds to print it.
	b=$(ostat backlog)
	[ "$b" -gt "$PEAK" ] && PEAK=$b
	WRITER_US=$(cat "$out")
	rm -f "$out"
	ENTRIES=$(($(ostat backpressure_entries) - e0)) SYNC=$(($(ostat records_sync) - s0))
	PACED=$(($(ostat writers_paced) + $(ostat writers_held) - p0))
	wait_lines "$tag" 2000 120 || fail "limit $2: lines missing"
	check_sequence "$tag" 2000 || fail "limit $2: duplicate, missing or reordered line"
	[ "$(dropped_notices)" = 0 ] || fail "limit $2: records were dropped"
}

# The control: a limit no burst reaches.
burst_peak rpo-bpc 16777216
log "2000 lines at once, no effective limit: backlog seen at most $PEAK, writer done in" \
	"$((WRITER_US / 1000)) ms, backpressure entered $ENTRIES time(s)"
[ "$ENTRIES" = 0 ] || fail "backpressure engaged below its limit"
[ "$PEAK" -gt 1000 ] || fail "the control built no backlog (at most $PEAK): the test cannot tell"
free_us=$WRITER_US

burst_peak rpo-bp 200
log "2000 lines at once, limit 200: backlog seen at most $PEAK, writer done in" \
	"$((WRITER_US / 1000)) ms, backpressure entered $ENTRIES time(s), the writer waited" \
	"for $PACED records, $SYNC records printed synchronously; every line once, in order"
[ "$ENTRIES" -ge 1 ] || fail "backpressure never engaged"
[ "$PACED" -ge 500 ] || fail "the writer did not wait for the console ($PACED records)"
[ "$SYNC" = 0 ] || fail "$SYNC records were printed synchronously under backpressure"
# The writer's bursts can overshoot the limit by what it stores before the next doorbell
# (a tick) sees the backlog.
[ "$PEAK" -le 600 ] || fail "the backlog reached $PEAK records with a limit of 200"
# Held to the console's pace: at least the console time of 500 of the 1800 lines that
# did not fit under the limit (about 1.4 s), and far longer than without a limit.
[ "$WRITER_US" -ge 1400000 ] || fail "the writer was not held back (done in $WRITER_US us)"
[ "$WRITER_US" -ge $((free_us * 5)) ] ||
	fail "the writer was not held back ($WRITER_US us against $free_us us without a limit)"

put 0 $P/backlog_limit
sleep 1
o0=$(ostat records_offloaded)
reset_capture
burst rpo-bp-after 50
wait_lines rpo-bp-after 50 30 || fail "no printing after the burst"
[ "$(ostat records_offloaded)" -ge $((o0 + 50)) ] || fail "offloading did not resume after backpressure"
[ "$(ostat emergency)" = 0 ] || fail "still in emergency mode"
log "offloading resumed after the burst"
