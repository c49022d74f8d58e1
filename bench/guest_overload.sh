#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# Overload on the kernel's default ring buffer, inside one VM boot (run by
# scripts/bench.sh --overload; as root).
#   guest_overload.sh OUTDIR MODDIR
# /dev/kmsg writers of N lines each, at full speed, one per CPU (all) or on CPU 0 alone
# (one), to the slow console at 10 and 100 us/char, in three modes side by side:
#   stock    the kernel prints (the module not loaded);
#   offload  the module prints; it stays loaded until the console has every line;
#   unload   the module is unloaded mid-flood, once the console owes UNLOAD_AT records.
# The console's capture gives each line received, lost (neither printed nor announced) or
# announced in a "printk messages dropped" notice (bench/delivery.py). One line of
# key=value per run in OUTDIR/overload.events; bench/overload.py turns them into a table.
set -u
out=$1 mods=$2
here=$(cd "$(dirname "$0")" && pwd)
OFF=$mods/rust_printk_offload.ko SLOW=$mods/slow_console.ko
D=/sys/kernel/debug/slow_console S=/proc/sys/kernel/printk_offload/stats
C=/proc/sys/kernel/printk_offload/consoles
WRITER=$here/../tests/selftests/kmsg_burst.py
N=${RPO_BENCH_OVERLOAD_N:-3000} REPS=${RPO_BENCH_OVERLOAD_REPS:-2}
UNLOAD_AT=${RPO_BENCH_OVERLOAD_UNLOAD_AT:-1500}
ev=$out/overload.events
: >"$ev"
say() { echo "[overload] $*"; }
die() { say "FAILED: $*"; exit 1; }
ostat() { awk -v k="$1" '$1 == k { print $2 }' $S 2>/dev/null; }

mountpoint -q /sys/kernel/debug || mount -t debugfs none /sys/kernel/debug
echo 8 >/proc/sys/kernel/printk
echo on >/proc/sys/kernel/printk_devkmsg
insmod "$SLOW" || die "insmod slow_console"
ring=$(python3 -c 'import ctypes; print(ctypes.CDLL(None).klogctl(10, None, 0))')
say "ring buffer: $ring bytes; $(nproc) CPUs"
echo "ring_bytes=$ring cpus=$(nproc) kernel=$(uname -r)" >"$out/overload.env"

# run MODE DELAY WRITERS(one|all) REP
run() {
	local mode=$1 delay=$2 writers=$3 rep=$4 tag cpus=() pids=() i w owed="" s0="" s1=""
	tag="ovl-$mode-$delay-$writers-$rep"
	echo "$delay" >$D/delay_us
	if [ "$mode" != stock ]; then
		insmod "$OFF" || die "insmod rust_printk_offload"
	fi
	sleep 0.5
	echo 0 >$D/len
	if [ "$writers" = all ]; then mapfile -t cpus < <(seq 0 $(($(nproc) - 1))); else cpus=(0); fi
	for i in "${cpus[@]}"; do
		taskset -c "$i" python3 "$WRITER" "$tag c$i" "$N" >"$out/$tag-w$i.us" &
		pids+=($!)
	done
	if [ "$mode" = unload ]; then
		# Until the console owes UNLOAD_AT records, or the writers are done.
		for _ in $(seq 2000); do
			owed=$(awk '$1 == "slowcon0" { print $4 }' $C)
			[ "${owed:-0}" -ge "$UNLOAD_AT" ] && break
			kill -0 "${pids[@]}" 2>/dev/null || break
			sleep 0.01
		done
		s0="module_records=$(ostat records_offloaded) paced=$(ostat writers_paced) held=$(ostat writers_held) pacing_timeouts=$(ostat pacing_timeouts) backpressure_entries=$(ostat backpressure_entries)"
		rmmod rust_printk_offload || die "rmmod during the flood"
	fi
	wait "${pids[@]}"
	# Every writer's last line on the console, or 5 minutes.
	for _ in $(seq 3000); do
		w=0
		for i in "${cpus[@]}"; do grep -q "$tag c$i $N\$" $D/log && w=$((w + 1)); done
		[ "$w" = "${#cpus[@]}" ] && break
		sleep 0.1
	done
	if [ "$mode" = offload ]; then
		s1="module_records=$(ostat records_offloaded) records_sync=$(ostat records_sync) paced=$(ostat writers_paced) held=$(ostat writers_held) pacing_timeouts=$(ostat pacing_timeouts) backpressure_entries=$(ostat backpressure_entries)"
		rmmod rust_printk_offload || die "rmmod"
	fi
	cp $D/log "$out/$tag.log"
	local us=()
	for i in "${cpus[@]}"; do us+=("$(cat "$out/$tag-w$i.us")"); done
	echo "mode=$mode delay_us=$delay writers=$writers rep=$rep n=$N unload_owed=${owed:--}" \
		"writer_us=$(
			IFS=,
			echo "${us[*]}"
		) $(python3 "$here/delivery.py" "$out/$tag.log" "$tag" "${#cpus[@]}" "$N") $s0 $s1" |
		tr -s ' ' >>"$ev"
	say "$(tail -1 "$ev")"
}

for rep in $(seq "$REPS"); do
	for delay in 10 100; do
		for writers in all one; do
			for mode in stock offload unload; do
				run $mode $delay $writers "$rep"
			done
		done
	done
done
rmmod slow_console
