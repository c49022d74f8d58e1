#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# The benchmark, inside one VM boot (run by scripts/bench.sh; as root).
#   guest_bench.sh VARIANT OUTDIR MODDIR MODES
# VARIANT names the kernel (release, rt); MODDIR holds the modules built for it; MODES is a
# comma list of none,direct,offload. Raw results go to OUTDIR: latency samples as
# <variant>-<delay>-<mode>-<kernel|user>*.u32 and one line of key=value per measurement in
# <variant>.events; bench/analyze.py turns them into numbers on the host.
set -u
variant=$1 out=$2 mods=$3 modes=$4
here=$(cd "$(dirname "$0")" && pwd)
OFF=$mods/rust_printk_offload.ko TIMED=$mods/timed/rust_printk_offload.ko SLOW=$mods/slow_console.ko BENCH=$mods/rpo_bench.ko
B=/sys/kernel/debug/rpo_bench D=/sys/kernel/debug/slow_console T=/sys/kernel/tracing
ev=$out/$variant.events
: >"$ev"

# Workload sizes (env overrides for a quick run). Timed printk() calls per CPU and timed
# /dev/kmsg writes per CPU, per console speed (3 boots x 2 CPUs x 2,000 = 12,000 calls: a
# p99.9 needs 10,000); flood lengths in ms.
N100=${RPO_BENCH_N100:-2000} N10=${RPO_BENCH_N10:-10000}
U100=${RPO_BENCH_U100:-2000} U10=${RPO_BENCH_U10:-4000}
TPUT_MS=${RPO_BENCH_TPUT_MS:-12000}
PACED_MS=${RPO_BENCH_PACED_MS:-10000} TPUT_REPS=${RPO_BENCH_TPUT_REPS:-1}

say() { echo "[bench:$variant] $*"; }
die() { say "FAILED: $*"; exit 1; }
event() { echo "variant=$variant $*" >>"$ev"; }
has_mode() { [[ ",$modes," == *",$1,"* ]]; }

mountpoint -q /sys/kernel/debug || mount -t debugfs none /sys/kernel/debug
mountpoint -q $T || mount -t tracefs none $T 2>/dev/null || true
echo 8 >/proc/sys/kernel/printk
echo on >/proc/sys/kernel/printk_devkmsg
# With the serial ports off (8250.nr_uarts=0) the only console left is the early boot
# console (earlyprintk=serial, added by virtme-ng); the kernel retires boot consoles when
# the preferred console registers (console=slowcon0 on the command line), so one load of
# the slow console leaves no console at all.
consoles_at_boot=$(awk '{print $1}' /proc/consoles | tr '\n' ' ')
insmod "$SLOW" && rmmod slow_console
[ -z "$(cat /proc/consoles)" ] || say "warning: consoles left besides the slow one: $(cat /proc/consoles)"
{
	echo "consoles_at_boot=$consoles_at_boot"
	echo "consoles_after_retiring_boot_console=$(awk '{print $1}' /proc/consoles | tr '\n' ' ')"
	echo "kernel=$(uname -r) $(uname -v)"
	echo "cmdline=$(cat /proc/cmdline)"
	echo "cpus=$(nproc)"
	echo "preempt=$(grep -o 'PREEMPT[_A-Z]*' /proc/version | head -1)"
} >"$out/$variant.env"
insmod "$BENCH" || die "insmod rpo_bench"

# ---- modes -----------------------------------------------------------------------------
unload_all() {
	rmmod rust_printk_offload 2>/dev/null
	rmmod slow_console 2>/dev/null
	true
}
# enter MODE DELAY_US: none = no slow console; direct = slow console, kernel prints;
# offload = slow console taken over by rust_printk_offload; irqsoff = the same with every
# record written with interrupts off (irqs_on_write 0); timed = offload with the module
# built with step timers.
enter() {
	local mode=$1 delay=$2
	unload_all
	case $mode in
	none) ;;
	direct | offload | irqsoff | timed)
		insmod "$SLOW" || die "insmod slow_console"
		echo "$delay" >$D/delay_us
		if [ "$mode" = timed ]; then
			insmod "$TIMED" || die "insmod rust_printk_offload (step timers)"
		elif [ "$mode" = irqsoff ]; then
			insmod "$OFF" || die "insmod rust_printk_offload"
			echo 0 >/proc/sys/kernel/printk_offload/irqs_on_write
		elif [ "$mode" = offload ]; then
			insmod "$OFF" || die "insmod rust_printk_offload"
			# RPO_BENCH_SLICE_US: try another slice length (default: the module's).
			[ -n "${RPO_BENCH_SLICE_US:-}" ] && echo "$RPO_BENCH_SLICE_US" >/proc/sys/kernel/printk_offload/slice_us
		fi
		;;
	esac
	sleep 1
	[ -d $D ] && echo 0 >$D/len
	true
}
# wait_drain: until the slow console has received nothing new for 2 s (max 240 s).
wait_drain() {
	[ -d $D ] || return 0
	local prev=-1 cur end=$((SECONDS + 240))
	while [ $SECONDS -lt $end ]; do
		cur=$(cat $D/len)
		[ "$cur" = "$prev" ] && return 0
		prev=$cur
		sleep 2
	done
	say "console still busy after 240 s"
}
delivery() { # TAG WRITERS PER_WRITER
	[ -d $D ] || { echo "written=$(($2 * $3))"; return; }
	cp $D/log "$out/capture.tmp"
	python3 "$here/delivery.py" "$out/capture.tmp" "$1" "$2" "$3"
	rm -f "$out/capture.tmp"
}
now_ms() { echo $(($(date +%s%N) / 1000000)); }
# save_stats NAME: the module's statistics after a run, if it is loaded.
save_stats() {
	[ -r /proc/sys/kernel/printk_offload/stats ] &&
		cp /proc/sys/kernel/printk_offload/stats "$out/$variant-$1-stats.txt"
	true
}

# ---- 1. caller latency -----------------------------------------------------------------
latency() { # MODE DELAY N U
	local mode=$1 delay=$2 n=$3 u=$4 t0 t1 threads
	enter "$mode" "$delay"
	echo "$n" >$B/count
	echo 0 >$B/duration_ms
	echo 0 >$B/gap_us
	t0=$(now_ms)
	echo 1 >$B/run || die "bench run"
	t1=$(now_ms)
	local kernel_ms=$((t1 - t0))
	threads=$(cat $B/threads)
	cp $B/samples "$out/$variant-${delay}us-$mode-kernel.u32"
	wait_drain
	event "kind=latency src=kernel delay_us=$delay mode=$mode threads=$threads per_thread=$n" \
		"run_ms=$kernel_ms file=$variant-${delay}us-$mode-kernel.u32 $(delivery 'rpo_bench:' "$threads" "$n")"
	[ -d $D ] && echo 0 >$D/len
	t0=$(now_ms)
	python3 "$here/kmsg_timed.py" "$u" "$out/$variant-${delay}us-$mode-user" || die "kmsg_timed"
	t1=$(now_ms)
	wait_drain
	save_stats "latency-${delay}us-$mode"
	event "kind=latency src=user delay_us=$delay mode=$mode threads=$threads per_thread=$u" \
		"run_ms=$((t1 - t0)) file=$variant-${delay}us-$mode-user $(delivery 'rpo_user' "$threads" "$u")"
	say "latency ${delay}us $mode: printk() run ${kernel_ms} ms, /dev/kmsg run $((t1 - t0)) ms"
}

# ---- 2. throughput ---------------------------------------------------------------------
throughput() { # MODE DELAY REP
	local mode=$1 delay=$2 rep=$3 l0 l1 t0 t1 pid
	enter "$mode" "$delay"
	echo 4000 >$B/count
	echo "$TPUT_MS" >$B/duration_ms
	echo 0 >$B/gap_us
	echo 1 >$B/run &
	pid=$!
	sleep $((TPUT_MS / 4000))
	# Builtins only (no fork): the three readings must be taken at the same moment, and
	# a forked process can wait seconds for a CPU in the middle of a flood.
	read -r l0 <$D/len; read -r b0 <$D/busy_ns; t0=${EPOCHREALTIME/./}000
	sleep $((TPUT_MS / 2000))
	read -r l1 <$D/len; read -r b1 <$D/busy_ns; t1=${EPOCHREALTIME/./}000
	wait $pid
	event "kind=throughput delay_us=$delay mode=$mode rep=$rep bytes=$((l1 - l0)) ns=$((t1 - t0))" \
		"busy_ns=$((b1 - b0))" \
		"calls=$(cat $B/calls)"
	save_stats "throughput-$mode-$rep"
	wait_drain
	say "throughput ${delay}us $mode (run $rep): $((l1 - l0)) bytes in $(((t1 - t0) / 1000000)) ms, console busy $(((b1 - b0) / 1000000)) ms"
}

# ---- 3. lockups ------------------------------------------------------------------------
# Code that logs from a section that cannot be preempted: every CPU's kthread makes its
# LOCKUP_N calls under a raw spinlock (workload "preempt"), or the first CPU's makes them
# with interrupts off too ("irqs", the others idle so that the buddy hard-lockup detector
# can watch it). The console runs at 1000 us/char (9600 baud, about 33 ms a line): direct
# printing holds the callers for N x CPUs x 33 ms, past the detectors' limits; offloading,
# for N stores. The detectors run with short limits (soft lockup 10 s, hard lockup 5 s,
# RCU stall 10 s, hung task 10 s). Every printk() record passes the `console` trace event;
# a filter keeps only the reports, so they are counted even if the ring buffer wraps.
PATTERN='msg ~ "*soft lockup*" || msg ~ "*hard LOCKUP*" || msg ~ "*detected stall*" || msg ~ "*self-detected stall*" || msg ~ "*blocked for more than*"'
LOCKUP_DELAY=${RPO_BENCH_LOCKUP_DELAY_US:-1000} LOCKUP_N=${RPO_BENCH_LOCKUP_N:-400}
WD=/proc/sys/kernel/watchdog_thresh RCU=/sys/module/rcupdate/parameters/rcu_cpu_stall_timeout
HUNG=/proc/sys/kernel/hung_task_timeout_secs
detectors() { # on | off
	if [ "$1" = on ]; then
		saved_wd=$(cat $WD) saved_rcu=$(cat $RCU 2>/dev/null) saved_hung=$(cat $HUNG 2>/dev/null)
		{ echo 5 >$WD && echo 10 >$RCU && echo 10 >$HUNG; } || die "detector settings"
	else
		echo "$saved_wd" >$WD
		[ -n "$saved_rcu" ] && echo "$saved_rcu" >$RCU
		[ -n "$saved_hung" ] && echo "$saved_hung" >$HUNG
	fi
	true
}
# print_delays TAG: the store-to-console delays of the lines with TAG in the capture.
print_delays() {
	[ -d $D ] || return 0
	cp $D/log "$out/capture.tmp" && cp $D/stamps "$out/stamps.tmp"
	python3 "$here/print_delay.py" "$out/capture.tmp" "$out/stamps.tmp" "$1" "$out/$2"
	rm -f "$out/capture.tmp" "$out/stamps.tmp"
}
lockups() { # MODE WORKLOAD
	local mode=$1 workload=$2 atomic t0 t1 tr=$T/trace
	[ "$workload" = irqs ] && atomic=2 || atomic=1
	enter "$mode" "$LOCKUP_DELAY"
	if [ ! -d $T/events/printk/console ]; then
		event "kind=lockups workload=$workload delay_us=$LOCKUP_DELAY mode=$mode reports=NA"
		return
	fi
	echo 0 >$T/tracing_on
	echo >$tr
	echo "$PATTERN" >$T/events/printk/console/filter || die "trace filter"
	echo 1 >$T/events/printk/console/enable
	echo 1 >$T/tracing_on
	echo "$LOCKUP_N" >$B/count
	echo 0 >$B/duration_ms
	echo 0 >$B/gap_us
	echo $atomic >$B/atomic
	t0=$(now_ms)
	echo 1 >$B/run
	t1=$(now_ms)
	echo 0 >$B/atomic
	# The calls' latencies: their sum per kthread is how long it could not be preempted.
	cp $B/samples "$out/$variant-lockups-$workload-$mode-kernel.u32"
	wait_drain
	# The detectors report up to a few seconds after the stall began: wait out one period.
	sleep 6
	echo 0 >$T/events/printk/console/enable
	grep 'console:' $tr | sed 's/^.*console: //' >"$out/$variant-lockups-$workload-$mode.txt"
	echo 0 >$T/events/printk/console/filter
	save_stats "lockups-$workload-$mode"
	local f=$out/$variant-lockups-$workload-$mode.txt writers
	writers=$(cat $B/threads)
	[ "$workload" = irqs ] && writers=1
	event "kind=lockups workload=$workload delay_us=$LOCKUP_DELAY mode=$mode run_ms=$((t1 - t0)) calls=$(cat $B/calls)" \
		"file=$variant-lockups-$workload-$mode-kernel.u32 threads=$(cat $B/threads) per_thread=$LOCKUP_N" \
		"reports=$(grep -c . "$f") soft=$(grep -c 'soft lockup' "$f") hard=$(grep -c 'hard LOCKUP' "$f")" \
		"rcu=$(grep -c 'detected stall' "$f") hung=$(grep -c 'blocked for more than' "$f")" \
		"delays=$variant-lockups-$workload-$mode-delay.u32 $(print_delays 'rpo_bench:' "$variant-lockups-$workload-$mode-delay.u32")" \
		"$(delivery 'rpo_bench:' "$writers" "$LOCKUP_N")"
	say "lockups $workload $mode: $(tail -1 "$ev" | grep -o 'run_ms=[0-9]*') $(tail -1 "$ev" | grep -o 'reports=[0-9]*')"
}

# ---- 4. delivery below capacity --------------------------------------------------------
paced() { # MODE DELAY GAP_US
	local mode=$1 delay=$2 gap=$3 n
	enter "$mode" "$delay"
	n=$((PACED_MS * 1000 / gap))
	echo "$n" >$B/count
	echo 0 >$B/duration_ms
	echo "$gap" >$B/gap_us
	echo 1 >$B/run
	wait_drain
	save_stats "paced-$mode"
	event "kind=paced delay_us=$delay mode=$mode gap_us=$gap threads=$(cat $B/threads) per_thread=$n" \
		"delays=$variant-paced-$mode-delay.u32 $(print_delays 'rpo_bench:' "$variant-paced-$mode-delay.u32")" \
		"$(delivery 'rpo_bench:' "$(cat $B/threads)" "$n")"
	say "paced ${delay}us $mode: $(tail -1 "$ev" | grep -o 'lost=[0-9-]*')"
}

# ---- 5. the gap between two writes ----------------------------------------------------
# A burst of GAP_N lines per CPU, stored at once (far below the backpressure limit), then
# drained: by the callers (direct), the module's kthreads (offload) or upstream's printer
# thread (direct on the RT kernel). The console's stamps give each write's end; its start
# is the end less the line's busy-wait, so the gap between two writes is the printing
# path's own cost per record. Who printed: the console's write count against the
# module's `records_offloaded`. Mode irqsoff repeats offload with irqs_on_write 0 (the
# kernel's interrupts-off writes), side by side in the same boot. Mode timed repeats offload with the module built with step
# timers: its stats split the time between two writes by step (its gaps are not the
# module's figure: the timers read the clock seven times a record).
GAP_RUNS=${RPO_BENCH_GAP_RUNS:-3}
ostat() { awk -v k="$1" '$1 == k { print $2 }' /proc/sys/kernel/printk_offload/stats 2>/dev/null; }
gap() { # MODE DELAY N RUN
	local mode=$1 delay=$2 n=$3 run=$4 w0 w1 o0 o1 f
	enter "$mode" "$delay"
	echo "$n" >$B/count
	echo 0 >$B/duration_ms
	echo 0 >$B/gap_us
	w0=$(cat $D/writes) o0=$(ostat records_offloaded)
	echo 1 >$B/run || die "bench run"
	wait_drain
	w1=$(cat $D/writes) o1=$(ostat records_offloaded)
	f=$variant-gap-${delay}us-$mode-$run
	cp $D/stamps "$out/$f.stamps" && cp $D/log "$out/$f.log"
	save_stats "gap-${delay}us-$mode-$run"
	local module=0
	[ -n "$o0" ] && module=$((o1 - o0))
	event "kind=gap delay_us=$delay mode=$mode run=$run threads=$(cat $B/threads) per_thread=$n" \
		"writes=$((w1 - w0)) module_writes=$module file=$f $(delivery 'rpo_bench:' "$(cat $B/threads)" "$n")"
	say "gap ${delay}us $mode (run $run): $((w1 - w0)) writes, $module by the module"
}

# RPO_BENCH_PARTS: which parts to run (default all), to try one part alone.
parts=${RPO_BENCH_PARTS:-latency,throughput,paced,lockups,gap}
has_part() { [[ ",$parts," == *",$1,"* ]]; }
if has_part latency; then
	for delay in 100 10; do
		if [ $delay = 100 ]; then n=$N100 u=$U100; else n=$N10 u=$U10; fi
		for mode in none direct offload; do
			has_mode $mode && latency $mode $delay "$n" "$u"
		done
	done
fi
# Throughput varies from run to run under TCG: TPUT_REPS runs per boot, the modes taking
# turns; the analysis reports the median over every run of every boot.
if has_part throughput; then
	for rep in $(seq 1 "$TPUT_REPS"); do
		for mode in direct offload; do has_mode $mode && throughput $mode 100 "$rep"; done
	done
fi
# A bench line is about 32 characters on the console: 3.2 ms at 100 us/char. One line
# every 16 ms from each of the CPUs stays below capacity on up to 4 CPUs.
if has_part paced; then
	for mode in direct offload; do has_mode $mode && paced $mode 100 16000; done
fi
if has_part lockups; then
	detectors on
	for workload in preempt irqs; do
		for mode in none direct offload; do has_mode $mode && lockups $mode $workload; done
	done
	detectors off
fi
# Lines per CPU for each console speed: about 4 s of printing at 1000 us/char, and at
# least 1,000 gaps over the runs of 3 boots at each speed.
if has_part gap; then
	for run in $(seq 1 "$GAP_RUNS"); do
		for delay in 10 100 1000; do
			case $delay in 10) n=${RPO_BENCH_GAP_N10:-400} ;; 100) n=${RPO_BENCH_GAP_N100:-200} ;; *) n=${RPO_BENCH_GAP_N1000:-60} ;; esac
			for mode in direct offload irqsoff timed; do
				case $mode in
				timed) if ! has_mode offload || [ ! -f "$TIMED" ]; then continue; fi ;;
				irqsoff) has_mode offload || continue ;;
				*) has_mode $mode || continue ;;
				esac
				gap $mode $delay "$n" "$run"
			done
		done
	done
fi
unload_all
rmmod rpo_bench
dmesg >"$out/$variant-dmesg.txt"
say "done"
