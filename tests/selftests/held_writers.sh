#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# Backpressure with a /dev/kmsg writer on every CPU: each writer is held on its way back
# to user space, where it sleeps (writers_held), not in printk() with interrupts off
# (writers_paced), the writer on the printer's CPU too; nothing is printed synchronously
# and the backlog stays near the limit. Then the module is unloaded while writers are
# held: the unload waits for them and returns, and every line of every writer reaches
# the console once, in order. A hand-back's drain (the user switch, and the unload, with
# no backpressure before it) holds them the same way. In a boot with
# rpo_test.pause=resume:unloading:MS (the small ring's), a writer on its way out stays in
# the module's code that long: the unload must wait for it.
. "$(dirname "$0")/lib.sh"
setup_printk
need_cpus 2
P=/proc/sys/kernel/printk_offload
N=1200 LIMIT=150 # N: lines per writer of the fixed-length phases
load_slow 100
load_offload
put $LIMIT $P/backlog_limit
cpus=$(online_cpus)

# writers TAG: N lines per online CPU, from a writer bound to it, as fast as it can
# (kmsg_burst.py), in the background (PIDS).
writers() {
	local c
	PIDS=()
	for c in $(cpu_ids); do
		taskset -c "$c" python3 "$HERE/kmsg_burst.py" "$1-$c" $N >/dev/null &
		PIDS+=($!)
	done
}
# owed_at_least N: wait (10 s at most) until N records are owed; sets owed.
owed_at_least() {
	local _
	for _ in $(seq 200); do
		owed=$(ostat backlog)
		[ "$owed" -ge "$1" ] && return 0
		sleep 0.05
	done
	return 1
}
running() { local p; for p in "${PIDS[@]}"; do kill -0 "$p" 2>/dev/null && return 0; done; return 1; }
# until_stopped TAG: a writer per online CPU, bound to it, of a line every 2 ms (running
# ahead of the console together) until stop_writers; each leaves the number of lines it
# wrote in $WDIR/TAG-CPU. A hand-back's drain meets writers still writing by construction.
WDIR=$(mktemp -d)
on_exit "rm -rf $WDIR"
until_stopped() {
	local c
	PIDS=()
	rm -f "$WDIR/stop"
	for c in $(cpu_ids); do
		taskset -c "$c" python3 "$HERE/kmsg_paced.py" "$1-$c" 1000000 2 "$WDIR/stop" >"$WDIR/$1-$c" &
		PIDS+=($!)
	done
}
stop_writers() { touch "$WDIR/stop"; wait; }
delivered() { # TAG: every writer's lines (N, or what an until_stopped one wrote), once, in order
	local c n
	for c in $(cpu_ids); do
		n=$N
		[ -f "$WDIR/$1-$c" ] && n=$(cat "$WDIR/$1-$c")
		wait_lines "$1-$c" "$n" 120 || fail "$1-$c: lines missing"
		check_sequence "$1-$c" "$n" || fail "$1-$c: duplicate, missing or reordered line"
	done
}

reset_capture
h0=$(ostat writers_held) p0=$(ostat writers_paced) s0=$(ostat records_sync)
writers rpo-held
PEAK=0
while running; do
	b=$(ostat backlog)
	[ "$b" -gt "$PEAK" ] && PEAK=$b
	sleep 0.05
done
wait
held=$(($(ostat writers_held) - h0)) paced=$(($(ostat writers_paced) - p0)) sync=$(($(ostat records_sync) - s0))
log "$cpus writers of $N lines, limit $LIMIT: $held writes held on the way back to user space," \
	"$paced waits in printk(), backlog seen at most $PEAK, $sync records printed synchronously"
delivered rpo-held
[ "$held" -ge "$N" ] || fail "only $held writes were held (of $((cpus * N)))"
[ "$paced" -le $((held / 10)) ] || fail "$paced waits in printk() with interrupts off, against $held holds"
[ "$sync" = 0 ] || fail "$sync records were printed synchronously"
# Overshoot: what the writers store before the next doorbell sees the backlog.
[ "$PEAK" -le $((LIMIT + 600)) ] || fail "the backlog reached $PEAK records with a limit of $LIMIT"

# A hand-back (the user switch) with no backpressure: writers of a line every 2 ms each,
# not held so far, together run ahead of the console (about 3 ms a line); the drain holds
# them on their way back to user space, so none waits in printk() meanwhile. With 600
# records owed the drain takes about 2 s: a writer held through it goes back to user
# space after its time limit, 1 s (pacing_timeouts), and is held again.
put 16777216 $P/backlog_limit
reset_capture
until_stopped rpo-hsw
owed_at_least 600 || fail "only $owed records owed before the switch: the drain cannot tell"
p0=$(ostat writers_paced) h0=$(ostat writers_held) t0=$(ostat pacing_timeouts)
put 1 $P/emergency
paced=$(($(ostat writers_paced) - p0)) held=$(($(ostat writers_held) - h0))
timeouts=$(($(ostat pacing_timeouts) - t0))
stop_writers
put 0 $P/emergency
log "emergency switch with $owed records owed: during its drain $held writes held on the way back to user space" \
	"($timeouts ended at their time limit), $paced waits in printk()"
delivered rpo-hsw
[ "$held" -ge 1 ] || fail "no writer was held during the hand-back's drain"
[ "$timeouts" -ge 1 ] || fail "no held writer reached its time limit during a drain of $owed records"
[ "$paced" -le "$cpus" ] || fail "$paced waits in printk() with interrupts off during the hand-back's drain"
put $LIMIT $P/backlog_limit

# Unload while writers are held.
log_mark
reset_capture
h0=$(ostat writers_held)
writers rpo-hunl
for _ in $(seq 200); do
	[ "$(($(ostat writers_held) - h0))" -ge 20 ] && break
	sleep 0.05
done
[ "$(($(ostat writers_held) - h0))" -ge 20 ] || fail "no writer held before the unload"
t0=$(now_ns)
unload_offload
t1=$(now_ns)
log "unloaded with writers held in $(((t1 - t0) / 1000000)) ms"
# The test build can keep a writer in the module's code on its way out during the unload
# (rpo_test.pause=resume:unloading:MS): the unload must have waited for it.
pause_ms=$(grep -o 'rpo_test.pause=resume:unloading:[0-9]*' /proc/cmdline | sed 's/.*://')
if [ -n "$pause_ms" ]; then
	grep -q "test hook: pausing $pause_ms ms at resume:unloading" <(log_since) ||
		fail "no held writer was on its way out during the unload"
	[ $(((t1 - t0) / 1000000)) -ge "$pause_ms" ] ||
		fail "the unload returned in $(((t1 - t0) / 1000000)) ms, before the writer it had to wait for ($pause_ms ms)"
fi
wait
delivered rpo-hunl

# An unload with records owed and no backpressure before it: its drain holds the writers
# that go on writing meanwhile, as any hand-back's does (the unload line gives the totals).
load_offload
put 16777216 $P/backlog_limit
reset_capture
until_stopped rpo-hgo
owed_at_least 300 || fail "only $owed records owed before the unload"
h0=$(ostat writers_held) p0=$(ostat writers_paced)
log_mark
unload_offload
stop_writers
line=$(log_since | grep -o 'unloaded: .*writers held [0-9]*, paced [0-9]*' | tail -1)
[ -n "$line" ] || fail "no unload line with the writers' totals"
total_held=${line##*writers held } total_held=${total_held%%,*}
held=$((total_held - h0)) paced=$((${line##*paced } - p0))
log "unload with $owed records owed: during its drain $held writes held on the way back to user space, $paced waits in printk()"
delivered rpo-hgo
[ "$held" -ge 1 ] || fail "no writer was held during the unload's drain"
[ "$paced" -le "$cpus" ] || fail "$paced waits in printk() with interrupts off during the unload's drain"
rmmod slow_console
