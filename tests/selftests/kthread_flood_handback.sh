#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# A hand-back while kernel threads flood: rpo_bench runs one bound kthread per CPU calling
# printk() as fast as it can. Kernel threads never return to user space, so a hand-back's
# drain cannot hold them there; each of their records waits in printk() for one record's
# console time instead, on the drainer's own CPU too (there the drainer cannot print
# meanwhile: the wait holds the writer to the console's pace, as printing its own record
# would without the module). The test's shell, and so the drainer, is pinned to CPU 0,
# beside a writer. The shell runs at real-time priority, so that it watches and stops the
# flood on time (a flood leaves other tasks little CPU); the drainers run as ordinary tasks.
#  1. The user switch: while its drain runs and the flood goes on, at least 75% of the
#     records stored are paced (the ring's next sequence number against writers_paced,
#     read one after the other: the margin is for the records stored between two reads;
#     with the drainer's own CPU left out, 10-40% are); then every line arrives once, in
#     order.
#  2. rmmod: the flood goes on for 0.2 s after the unload began, then stops; the
#     unload ends, having paced writers, and every line arrives once, in order.
# Throughout, a real-time probe on each CPU: no CPU is kept from running for seconds (the
# backlog printed by whichever printk() caller came last). Records here are too short
# for a per-record bound above the emulator's own pauses (about 0.1 s): that bound is
# handback_stall.sh's.
# kselftest-timeout=300
. "$(dirname "$0")/lib.sh"
setup_printk
need_cpus 2
B=/sys/kernel/debug/rpo_bench
P=/proc/sys/kernel/printk_offload
# Records owed when a hand-back begins, at least: the user switch's drain must outlast the
# half second watched (the paced writers let it catch up within about a second per 2,000).
MIN_OWED=1000 SWITCH_OWED=4000
BOUND_US=500000
taskset -pc 0 $$ >/dev/null || fail "cannot pin the test to CPU 0"
chrt -f -p 20 $$ || fail "cannot make the test's shell a real-time task"
load_slow 10
load_module rpo_bench
on_exit "rmmod rpo_bench"
load_offload
put 0 $B/gap_us
put 0 $B/atomic
put 100 $B/count
put 120000 $B/duration_ms # ended by $B/stop
# First thing when the test ends: no flood.
on_exit "echo 1 >$B/stop"
# shellcheck disable=SC2046 # a list of CPUs
probes_start $(cpu_ids)

# nap SECONDS: sleeps without starting a process (a read that times out on a FIFO of our
# own that nobody writes).
NAP=/tmp/rpo-kfh-nap
rm -f $NAP
mkfifo $NAP || fail "mkfifo $NAP"
on_exit "rm -f $NAP"
exec 9<>$NAP
nap() { read -r -t "$1" -u 9 _ || true; }
# sget NAME: a value of the stats file, read without starting a process (while the flood
# runs, a new process takes long to start, and every moment of flood adds to the drains).
# In one read: a sysctl file gives end-of-file at any later offset, as the kernel's do.
sget() {
	local all v
	all=$'\n'$(<$P/stats)
	v=${all#*$'\n'"$1" }
	[ "$v" != "$all" ] && echo "${v%%$'\n'*}"
}
# next_seq: the ring's next record (slowcon0's seq plus what it is owed), read likewise.
next_seq() {
	local all line seq waiting
	all=$'\n'$(<$P/consoles)
	line=${all#*$'\n'slowcon0 }
	[ "$line" != "$all" ] || return
	read -r _ seq waiting _ <<<"${line%%$'\n'*}"
	echo $((seq + waiting))
}
# flood_on OWED: starts the flood on a fresh capture, and waits until OWED records are owed.
flood_on() {
	reset_capture
	( echo 1 >$B/run || echo "rpo_bench run failed" >&2 ) &
	FLOOD=$!
	for _ in $(seq 30); do
		[ "$(sget backlog)" -ge "$1" ] && return 0
		nap 0.1
	done
	fail "fewer than $1 records owed after 3 s of flood ($(sget backlog))"
}
# flood_off: stops the flood.
flood_off() {
	put 1 $B/stop
	wait $FLOOD
}
# flood_lines LABEL: every kthread's lines are on the console once, in order (the caller
# has waited until the consoles are the kernel's: all printed). Sets FLOOD_CALLS.
flood_lines() {
	local check calls
	calls=$(cat $B/calls)
	check=$(capture | grep -o 'rpo_bench: c[0-9]* [0-9]*$' | awk -v calls="$calls" '
		{ c = $2; v = $3; if (v != last[c] + 1) { printf "%s: #%d after #%d\n", c, v, last[c]; exit 1 }
		  last[c] = v; n++ }
		END { if (n != calls) { printf "%d lines, %d calls\n", n, calls; exit 1 } }') ||
		fail "$1: kernel threads' lines: $check"
	FLOOD_CALLS=$calls
}

# 1. The user switch. The drain watched here is not starvation's: a drainer kept from
# running for a whole starvation_ms (by default a second, which the flood on its CPU and
# the emulator's pauses can reach) gives its hand-back up, and the watched drain ends
# with it. The starvation fallback has tests of its own; the unload below keeps it.
starvation_ms=$(<$P/starvation_ms)
put 5000 $P/starvation_ms
flood_on $SWITCH_OWED
owed=$(sget backlog)
on_exit "echo 0 >$P/emergency"
( chrt -o -p 0 $BASHPID && echo 1 >$P/emergency ) &
SWITCH=$!
for _ in $(seq 100); do
	[[ $(sget emergency_reasons) == *USER* ]] && break
	nap 0.05
done
[ "$(sget handed_back)" = 0 ] ||
	fail "switch: handed back before its drain could be watched ($owed owed before;" \
		"now: reasons $(sget emergency_reasons), backlog $(sget backlog), starvations $(sget starvations))"
# The paced count read between two reads of the sequence number, at each end.
a0=$(next_seq) p0=$(sget writers_paced) b0=$(next_seq)
nap 0.5
a1=$(next_seq) p1=$(sget writers_paced) b1=$(next_seq)
[ "$(sget handed_back)" = 0 ] ||
	fail "switch: the drain ended while the flood went on ($owed owed before; now: reasons" \
		"$(sget emergency_reasons), backlog $(sget backlog), starvations $(sget starvations)," \
		"pacing_timeouts $(sget pacing_timeouts))"
stored=$(((a1 + b1 - a0 - b0) / 2)) paced=$((p1 - p0))
[ $stored -ge 100 ] || fail "switch: only $stored records stored in the watched half second of the flood"
[ $((paced * 4)) -ge $((stored * 3)) ] ||
	fail "switch: $paced of $stored records stored during the drain were paced (want 75%)"
flood_off
wait $SWITCH || fail "the emergency switch failed"
[ "$(sget handed_back)" = 1 ] || fail "switch: not handed back"
flood_lines switch
log "switch: $owed records owed; during the drain $paced of $stored records stored were paced;" \
	"$FLOOD_CALLS lines, each once, in order"
put 0 $P/emergency
put "$starvation_ms" $P/starvation_ms

# 2. rmmod, by a process started before the flood (an ordinary task once it asks).
FIFO=/tmp/rpo-kfh-unload
rm -f $FIFO
mkfifo $FIFO || fail "mkfifo $FIFO"
# At nice -15: beside a writer and the printer kthread (nice -10) on its CPU, the unload
# begins at once (at nice 0 it took seconds, while the flood went on).
chrt -f 20 python3 "$HERE/delete_module.py" rust_printk_offload $FIFO -15 &
RMMOD=$!
on_exit "kill $RMMOD; rm -f $FIFO"
flood_on $MIN_OWED
owed=$(sget backlog)
log_mark
t0=$(now_ns)
echo >$FIFO
# The sysctl files go first thing at unload, just before the drain begins.
for _ in $(seq 600); do
	[ -e $P/stats ] || break
	nap 0.02
done
[ -e $P/stats ] && fail "unload: the sysctl files still there after 60 s"
began=$((($(now_ns) - t0) / 1000000))
nap 0.2
flood_off
wait $RMMOD || fail "delete_module(rust_printk_offload) failed"
took=$((($(now_ns) - t0) / 1000000))
flood_lines unload
unloaded=$(log_since | grep 'rust_printk_offload: unloaded:' | tail -1)
upaced=$(echo "$unloaded" | sed -n 's/.* paced \([0-9]*\)$/\1/p')
[ "${upaced:-0}" -gt 0 ] || fail "unload: no writer was paced during the drain ($unloaded)"

probes_stop
gap=$GAP
log "unload: $owed records owed; the unload began after $began ms and took $took ms; writers paced: $upaced;" \
	"$FLOOD_CALLS lines, each once, in order; longest probe gap $gap us"
[ "$gap" -lt $BOUND_US ] || fail "a CPU could not run a real-time task for $gap us"
