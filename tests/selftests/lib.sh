# shellcheck shell=bash
# SPDX-License-Identifier: GPL-2.0
# Helpers for the rust_printk_offload selftests (sourced; runs inside the VM as root).
# The suite runs from this repository (make check) or from a kernel tree, as
# tools/testing/selftests/printk_offload/ (make -C tools/testing/selftests
# TARGETS=printk_offload run_tests, or kselftest_install).
set -u
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
DBG=/sys/kernel/debug/slow_console
KSFT_SKIP=4
# In a kernel tree, the kselftest KTAP helpers are there (not used by the tests yet).
# shellcheck source=/dev/null
[ -r "$HERE/../kselftest/ktap_helpers.sh" ] && . "$HERE/../kselftest/ktap_helpers.sh"

log() { echo "$*"; }
fail() { echo "FAIL: $*"; exit 1; }
skip() { echo "SKIP: $*"; exit $KSFT_SKIP; }

# put VALUE FILE: writes VALUE to FILE (a sysctl, a sysfs or debugfs file); a write the
# kernel refuses fails the test.
put() { echo "$1" >"$2" || fail "cannot write '$1' to $2"; }

# on_exit CMD...: run CMD when the test ends, however it ends (last registered, first
# run): every change a test makes to global state is undone before the next test.
RPO_CLEANUP=()
on_exit() { RPO_CLEANUP+=("$*"); }
rpo_cleanup() {
	local i
	for ((i = ${#RPO_CLEANUP[@]} - 1; i >= 0; i--)); do
		eval "${RPO_CLEANUP[$i]}" >/dev/null 2>&1
	done
}
trap rpo_cleanup EXIT

# log_mark: marks the kernel log; log_since prints the records stored after the last mark,
# so that a test's log checks see only its own window, not what earlier tests logged.
RPO_MARK=
log_mark() {
	RPO_MARK="rpo-log-mark $$ $(date +%s%N)"
	echo "$RPO_MARK" >/dev/kmsg
}
log_since() {
	[ -n "$RPO_MARK" ] || fail "log_since without log_mark"
	dmesg | awk -v m="$RPO_MARK" 'seen { print } index($0, m) { seen = 1 }'
}

# module_file NAME: the module's .ko in one of the directories of RPO_MODULES (a colon
# list; make check sets it), or of this repository; nothing if none (then modprobe).
module_file() {
	local d dirs
	IFS=: read -r -a dirs <<<"${RPO_MODULES:-}:$ROOT:$ROOT/tests/modules:$ROOT/bench/module"
	for d in "${dirs[@]}"; do
		[ -n "$d" ] && [ -f "$d/$1.ko" ] && { echo "$d/$1.ko"; return 0; }
	done
	return 1
}
# load_module NAME [REQUIRED]: insmod it, or modprobe it; SKIP if it is nowhere.
load_module() {
	local f
	if f=$(module_file "$1"); then
		insmod "$f" || fail "insmod $f"
	else
		modprobe "$1" 2>/dev/null || skip "module $1 not found (build it, or set RPO_MODULES)"
	fi
}

# Every test starts from: consoles print everything, /dev/kmsg not rate limited. Both are
# restored when the test ends, and the modules it loaded are unloaded.
setup_printk() {
	mountpoint -q /sys/kernel/debug || mount -t debugfs none /sys/kernel/debug
	on_exit "echo '$(tr '\t' ' ' </proc/sys/kernel/printk)' >/proc/sys/kernel/printk"
	on_exit "echo $(sed 's/^\[\?\([a-z]*\).*/\1/' /proc/sys/kernel/printk_devkmsg) >/proc/sys/kernel/printk_devkmsg"
	put 8 /proc/sys/kernel/printk
	put on /proc/sys/kernel/printk_devkmsg
}

# module_root DIR KO: a module tree of our own under DIR (removed when the test ends), with
# KO in updates/ for the running kernel and depmod's index, and an empty configuration
# directory DIR/conf, for `modprobe -d DIR -C DIR/conf`.
module_root() {
	local rel
	rel=$(uname -r)
	rm -rf "$1"
	mkdir -p "$1/lib/modules/$rel/updates" "$1/conf"
	on_exit "rm -rf $1"
	cp "$2" "$1/lib/modules/$rel/updates/"
	touch "$1/lib/modules/$rel/"modules.{order,builtin,builtin.modinfo}
	depmod -b "$1" "$rel" || fail "depmod -b $1"
}

load_slow() { # delay_us per character
	load_module slow_console
	on_exit "rmmod slow_console"
	put "${1:-0}" $DBG/delay_us
}
load_offload() {
	load_module rust_printk_offload
	on_exit "rmmod rust_printk_offload"
}
unload_offload() { rmmod rust_printk_offload || fail "rmmod rust_printk_offload"; }
reset_capture() { echo 0 >$DBG/len; }
capture() { cat $DBG/log; }

# need_cpus N: at least N CPUs online (bringing offline ones up, and down again at the end).
need_cpus() {
	local c
	for c in /sys/devices/system/cpu/cpu[0-9]*; do
		[ "$(nproc)" -ge "$1" ] && break
		if [ -w "$c/online" ] && [ "$(cat "$c/online")" = 0 ]; then
			echo 1 >"$c/online" && on_exit "echo 0 >$c/online"
		fi
	done
	[ "$(nproc)" -ge "$1" ] || skip "needs $1 CPUs"
}

now_ns() { date +%s%N; }

# timed_burst TAG N: like burst, from a tight loop (bash itself needs ~2 ms per write
# under TCG with KASAN and lockdep, slower than the console under test); prints the
# microseconds the writes took, timed inside the writer.
timed_burst() { python3 "$HERE/kmsg_burst.py" "$1" "$2"; }

# delivered_burst LABEL TAG N TIMEOUT_S: a timed_burst on a fresh capture whose N lines
# must then reach the slow console within TIMEOUT_S, each once, in order. Sets BURST_US
# (not printed: a failure must end the test, which it could not from a $(...) subshell).
# shellcheck disable=SC2034 # BURST_US is read by the tests that source this file
delivered_burst() {
	local label=$1 tag=$2 n=$3 t=$4
	reset_capture
	BURST_US=$(timed_burst "$tag" "$n")
	wait_lines "$tag" "$n" "$t" || fail "$label: lines missing"
	check_sequence "$tag" "$n" || fail "$label: sequence broken"
}

# quiet_burst TAG N: timed_burst with no console printing at all (console loglevel 1): what
# the writer pays for storing the records alone, the floor no mode can beat.
quiet_burst() {
	local saved
	saved=$(cat /proc/sys/kernel/printk)
	put 1 /proc/sys/kernel/printk
	timed_burst "$1" "$2"
	put "$saved" /proc/sys/kernel/printk
}

# median V...: the median of integers (the middle one of an odd count).
median() { printf '%s\n' "$@" | sort -n | sed -n "$((($# + 1) / 2))p"; }

# writer_spared SLOW_NAME SLOW_US FAST_NAME FAST_US QUIET_US: the verdict of a burst test.
# SLOW is a writer held for the console, QUIET one whose records are not printed at all,
# FAST the mode under test. FAST must spare the writer at least 75% of what the console
# cost it, (SLOW - FAST) >= 0.75 (SLOW - QUIET), and be at least twice as fast as SLOW.
# (A fixed SLOW/FAST floor alone is not robust under TCG: QUIET itself, the writer's own
# cost, varies by a factor of two between boots of the same machine, and SLOW/FAST cannot
# exceed SLOW/QUIET.)
writer_spared() {
	local sn=$1 slow=$2 fn=$3 fast=$4 quiet=$5
	local cost=$((slow - quiet)) saved=$((slow - fast))
	local pct=$((cost > 0 ? saved * 100 / cost : 0))
	local x10=$((slow * 10 / (fast > 0 ? fast : 1)))
	log "writer: $sn ${slow} us, $fn ${fast} us, nothing printed ${quiet} us (medians):" \
		"$fn is $((x10 / 10)).$((x10 % 10))x faster and spares the writer ${pct}% of the console's cost" \
		"(need >= 2x and >= 75%)"
	[ "$slow" -ge $((2 * quiet)) ] ||
		fail "$sn costs the writer under twice what storing the records does: the console is not slow enough for this test to mean anything"
	[ "$x10" -ge 20 ] || fail "$fn is not at least twice as fast as $sn for the writer"
	[ "$pct" -ge 75 ] || fail "$fn leaves the writer more than a quarter of the console's cost"
}

# burst TAG N: N one-record writes to /dev/kmsg, "TAG <i>", i = 1..N.
burst() {
	local tag=$1 n=$2 i
	exec 3>/dev/kmsg
	for ((i = 1; i <= n; i++)); do
		echo "$tag $i" >&3
	done
	exec 3>&-
}

# wait_lines TAG N TIMEOUT_S: wait until the capture has N lines with TAG.
wait_lines() {
	local tag=$1 n=$2 t=$3 have=0 end=$((SECONDS + $3))
	while [ $SECONDS -lt $end ]; do
		have=$(capture | grep -c -- "] $tag " || true)
		[ "$have" -ge "$n" ] && return 0
		sleep 0.2
	done
	echo "waited ${t}s for $n '$tag' lines, have $have"
	return 1
}

# check_sequence TAG N: the capture has "TAG 1" .. "TAG N", each exactly once, in order.
check_sequence() {
	local tag=$1 n=$2
	capture | grep -o -- "] $tag [0-9]*\$" | awk -v n="$n" -v tag="$tag" '
		{ v = $3; seen++; if (v != seen) { printf "%s: line %d is #%d (expected #%d)\n", tag, NR, v, seen; bad = 1; exit } }
		END { if (!bad && seen != n) { printf "%s: %d lines, expected %d\n", tag, seen, n; bad = 1 }
		      exit bad }'
}

# Number of dropped-record notices on the slow console.
dropped_notices() { capture | grep -c '^\*\* [0-9]* printk messages dropped \*\*' || true; }

# cpu_ids: the online CPUs' ids, one a line; online_cpus: how many there are.
cpu_ids() { tr ',' '\n' </sys/devices/system/cpu/online | while IFS=- read -r a b; do seq "$a" "${b:-$a}"; done; }
online_cpus() { cpu_ids | grep -c .; }

# probes_start CPU...: a SCHED_FIFO latency probe (latency_probe.py) on each CPU, stopped
# when the test ends; probes_stop: sets GAP to the longest time any of them could not
# run, in µs. (Not from a $(...) subshell: only this shell can wait for its probes.)
PROBE_STOP=/tmp/rpo-probe-stop PROBE_OUT=/tmp/rpo-probe PROBE_READY=/tmp/rpo-probe-ready PROBES=() PROBES_CLEANUP=
probes_start() {
	local c i
	if [ -z "$PROBES_CLEANUP" ]; then
		# shellcheck disable=SC2016 # expanded when the test ends
		on_exit 'touch $PROBE_STOP; kill "${PROBES[@]}" 2>/dev/null; wait "${PROBES[@]}"'
		PROBES_CLEANUP=1
	fi
	rm -f $PROBE_STOP $PROBE_OUT.* $PROBE_READY.*
	PROBES=()
	for c in "$@"; do
		python3 "$HERE/latency_probe.py" "$c" $PROBE_STOP $PROBE_OUT."$c" $PROBE_READY."$c" &
		PROBES+=($!)
	done
	# Each probe running before anything is measured: one still starting sees nothing.
	for c in "$@"; do
		for ((i = 0; i < 600; i++)); do
			[ -e $PROBE_READY."$c" ] && break
			sleep 0.1
		done
		[ -e $PROBE_READY."$c" ] || fail "the latency probe on CPU $c did not start in 60 s"
	done
}
probes_stop() {
	touch $PROBE_STOP
	wait "${PROBES[@]}"
	PROBES=()
	GAP=$(cat $PROBE_OUT.* | sort -n | tail -1)
	[ -n "$GAP" ] || fail "the latency probes reported nothing"
}

# ostat NAME: one value of /proc/sys/kernel/printk_offload/stats.
# cstat CONSOLE FIELD: the FIELD column (by the header's names) of CONSOLE's line in the
# consoles file.
cstat() {
	awk -v c="$1" -v f="$2" 'NR == 1 { for (i = 1; i <= NF; i++) col[$i] = i; next }
		$1 == c { print $col[f] }' /proc/sys/kernel/printk_offload/consoles
}
ostat() { awk -v k="$1" '$1 == k {print $2}' /proc/sys/kernel/printk_offload/stats; }

# hogs_ready FILE: wait (5 s at most) for rt_hogs.py, writing to FILE, to say "ready".
hogs_ready() {
	for _ in $(seq 100); do
		grep -q ready "$1" && return 0
		sleep 0.05
	done
	fail "the hogs did not get ready"
}

# offloading_again TAG [WHAT]: after a hog, printk()s ("TAG-after i") until emergency mode
# is off (a kthread takes the consoles back once it runs, starvation_ms after the fallback
# began, at a printk()); fails after 10 s, naming WHAT.
offloading_again() {
	local i
	for i in $(seq 20); do
		echo "$1-after $i" >/dev/kmsg
		[ "$(ostat emergency)" = 0 ] && return 0
		sleep 0.5
	done
	fail "${2:+$2: }still in emergency mode 10 s after the hog ($(ostat emergency_reasons))"
}

# flood_start TAG [SECONDS]: a background writer of "TAG 1", "TAG 2", ... to /dev/kmsg, as
# fast as bash goes, until flood_stop (or for SECONDS). One flood at a time.
FLOOD_DIR=/tmp/rpo-flood
flood_start() {
	local tag=$1 secs=${2:-0}
	rm -rf $FLOOD_DIR && mkdir -p $FLOOD_DIR
	( exec 3>/dev/kmsg; i=0; end=$((SECONDS + secs))
	  while [ ! -e $FLOOD_DIR/stop ] && { [ "$secs" = 0 ] || [ $SECONDS -lt $end ]; }; do
		i=$((i + 1)); echo "$tag $i" >&3
	  done
	  echo $i >$FLOOD_DIR/count ) &
	FLOOD_PID=$!
}
# flood_stop: stop the writer (or wait for a timed one to end); prints the lines written.
flood_stop() {
	touch $FLOOD_DIR/stop
	wait "$FLOOD_PID"
	cat $FLOOD_DIR/count
}

# reload_during_flood TAG N: load and unload the module N times (0.1 s loaded each time)
# while flood_start writes "TAG i" lines; then every line must reach the slow console once,
# in order. Sets RELOAD_LINES to the number of lines written.
reload_during_flood() {
	local tag=$1 cycles=$2 r
	flood_start "$tag"
	for r in $(seq 1 "$cycles"); do
		load_module rust_printk_offload
		sleep 0.1
		rmmod rust_printk_offload || fail "rmmod #$r"
	done
	RELOAD_LINES=$(flood_stop)
	wait_lines "$tag" "$RELOAD_LINES" 120 || fail "lines missing"
	check_sequence "$tag" "$RELOAD_LINES" || fail "duplicate, missing or reordered line"
}
