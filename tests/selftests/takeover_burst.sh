#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# A burst of 200 /dev/kmsg lines on a console of about 1 ms/line: with the module the
# writer gets back far sooner than when it prints the burst itself (module not loaded),
# close to what it pays when nothing is printed at all; all measured in this run, 3 bursts
# per mode, medians compared (lib.sh: writer_spared). The console still gets all 200 lines
# of every burst, in order, once.
. "$(dirname "$0")/lib.sh"
setup_printk
N=200 REPS=3
# "[   12.345678] rpo-burst-direct1 NNN\n" is about 37 characters: 32 us/char is about
# 1.2 ms/line on slowcon (ttyS0 prints too, as a real machine's serial console would).
load_slow 32

direct=() quiet=() offload=()
for r in $(seq $REPS); do
	delivered_burst direct "rpo-burst-direct$r" "$N" 30
	direct+=("$BURST_US")
	quiet+=("$(quiet_burst "rpo-burst-quiet$r" "$N")")
done
direct_us=$(median "${direct[@]}")
[ "$direct_us" -ge $((N * 800)) ] || fail "direct burst took ${direct_us} us: the console is not slow enough for this test to mean anything"

load_offload
sleep 1
sync0=$(ostat records_sync) entries0=$(ostat emergency_entries) starved0=$(ostat starvations)
for r in $(seq $REPS); do
	delivered_burst offload "rpo-burst-offload$r" "$N" 60
	offload+=("$BURST_US")
	[ "$(dropped_notices)" = 0 ] || fail "offload: dropped notices on the console"
done
# The gain is only the module's if the kthreads printed the bursts: any synchronous
# printing (an emergency episode, e.g. a false starvation alarm) is a failure of its own.
sync=$(($(ostat records_sync) - sync0))
[ "$sync" = 0 ] || fail "offload: $sync records printed synchronously during the bursts" \
	"(emergency entries +$(($(ostat emergency_entries) - entries0)), starvations +$(($(ostat starvations) - starved0)))"

log "bursts of $N lines, writer's time in us: direct ${direct[*]}, offload ${offload[*]}, nothing printed ${quiet[*]}"
writer_spared direct "$direct_us" offload "$(median "${offload[@]}")" "$(median "${quiet[@]}")"
unload_offload
rmmod slow_console
