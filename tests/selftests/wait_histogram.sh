#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# The wait_histogram file: its buckets tile 0 µs .. infinity in powers of two; a burst of
# N lines to slowcon0 at 500 us/char (about 20 ms a line) adds one count per record the
# module writes (the sum grows as records_offloaded does), the burst's last lines land in
# buckets of a quarter second or more, and max_wait_us lies in the highest bucket used.
. "$(dirname "$0")/lib.sh"
setup_printk
N=40
H=/proc/sys/kernel/printk_offload/wait_histogram
load_slow 500
load_offload
[ -r $H ] || fail "no $H"
# Format: a header, then from_us to_us records per bucket, each bucket starting where the
# one before ended; the last has no upper bound.
awk 'NR == 1 { if ($0 != "from_us to_us records") { print "bad header: " $0; bad = 1 }; next }
	NR == 2 { if ($1 != 0 || $2 != 1) { print "first bucket " $0; bad = 1 } }
	NR > 2 { if ($1 != prev) { print "gap before " $0; bad = 1 } }
	{ if ($3 !~ /^[0-9]+$/) { print "bad count " $0; bad = 1 }; prev = $2; last = $2 }
	END { if (last != "-") { print "last bucket bounded: " last; bad = 1 }; exit bad }' $H ||
	fail "wait_histogram is malformed"
# settle: until no console the module prints owes a record (20 s at most).
settle() {
	for _ in $(seq 100); do
		[ "$(awk 'NR > 1 && $2 == "module" { s += $4 } END { print s + 0 }' \
			/proc/sys/kernel/printk_offload/consoles)" = 0 ] && return
		sleep 0.2
	done
}
hist_sum() { awk 'NR > 1 { s += $3 } END { print s + 0 }' $H; }
# counted_from FROM_US: records in the buckets that start at FROM_US or later.
counted_from() { awk -v f="$1" 'NR > 1 && $1 >= f { s += $3 } END { print s + 0 }' $H; }
settle
reset_capture
h0=$(hist_sum) off0=$(ostat records_offloaded) slow0=$(counted_from 262144)
timed_burst rpo-hist "$N" >/dev/null
wait_lines rpo-hist "$N" 60 || fail "slowcon0 did not get the burst"
settle
h1=$(hist_sum) off1=$(ostat records_offloaded) slow1=$(counted_from 262144)
log "histogram: +$((h1 - h0)) counts, records_offloaded +$((off1 - off0)); +$((slow1 - slow0)) at 262,144 us or more"
[ $((off1 - off0)) -ge "$N" ] || fail "the module wrote $((off1 - off0)) records for a burst of $N"
[ $((h1 - h0)) = $((off1 - off0)) ] ||
	fail "the histogram counted $((h1 - h0)) records, the module wrote $((off1 - off0))"
# About 20 ms a line: the burst's last dozen lines waited a quarter second or more.
[ $((slow1 - slow0)) -ge 5 ] || fail "only $((slow1 - slow0)) records counted at 262,144 us or more"
max=$(ostat max_wait_us)
top=$(awk 'NR > 1 && $3 > 0 { f = $1; t = $2 } END { print f, t }' $H)
read -r from to <<<"$top"
if [ "$max" -lt "$from" ] || { [ "$to" != - ] && [ "$max" -ge "$to" ]; }; then
	fail "max_wait_us $max is outside the highest bucket used ($from .. $to)"
fi
check_sequence rpo-hist "$N" || fail "slowcon0's copy of the burst is wrong"
unload_offload
rmmod slow_console
