#!/usr/bin/env bash
# A burst of 200 /dev/kmsg lines on a console of about 1 ms/line: with the module the
# writer gets back far faster than the console prints (ratio measured in the same run
# against direct printing), and the console still gets all 200 lines, in order, once.
. "$(dirname "$0")/lib.sh"
setup_printk
N=200 MIN_RATIO=5
# "[   12.345678] rpo-burst-direct NNN\n" is about 37 characters: 32 us/char is about
# 1.2 ms/line on slowcon (ttyS0 prints too, as a real machine's serial console would).
load_slow 32

reset_capture
direct_us=$(timed_burst rpo-burst-direct $N)
wait_lines rpo-burst-direct $N 30 || fail "direct: lines missing"
check_sequence rpo-burst-direct $N || fail "direct: sequence broken"

load_offload
sleep 1
reset_capture
sync0=$(ostat records_sync) entries0=$(ostat emergency_entries) starved0=$(ostat starvations)
offload_us=$(timed_burst rpo-burst-offload $N)
wait_lines rpo-burst-offload $N 60 || fail "offload: lines missing"
# The ratio is only the module's if the kthreads printed the burst: any synchronous
# printing (an emergency episode, e.g. a false starvation alarm) is a failure of its own.
sync=$(($(ostat records_sync) - sync0))
[ "$sync" = 0 ] || fail "offload: $sync records printed synchronously during the burst" \
	"(emergency entries +$(($(ostat emergency_entries) - entries0)), starvations +$(($(ostat starvations) - starved0)))"
check_sequence rpo-burst-offload $N || fail "offload: sequence broken"
[ "$(dropped_notices)" = 0 ] || fail "offload: dropped notices on the console"

ratio_x10=$((direct_us * 10 / (offload_us > 0 ? offload_us : 1)))
log "burst of $N lines: direct ${direct_us} us, offload ${offload_us} us, ratio $((ratio_x10 / 10)).$((ratio_x10 % 10))x (need >= ${MIN_RATIO}x)"
[ "$direct_us" -ge $((N * 800)) ] || fail "direct burst took ${direct_us} us: the console is not slow enough for this test to mean anything"
[ "$ratio_x10" -ge $((MIN_RATIO * 10)) ] || fail "offload is not fast enough for the writer"
unload_offload
rmmod slow_console
