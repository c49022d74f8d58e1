#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# `make bench`: build the release and PREEMPT_RT kernels (cached) and the modules for each;
# boot the release kernel 3 times, measuring none / direct / offload side by side in each
# boot, and the RT kernel 3 times for upstream's threaded printing (its direct mode); then
# write bench/results/latest.json, bench/results/raw.tar.xz (every raw sample),
# docs/bench-results.md and docs/bench-latency-ccdf.png (docs/bench.md, the analysis, is
# written by hand).
#   scripts/bench.sh [--quick]     --quick: small workloads, to try the pipeline (minutes)
#   scripts/bench.sh --gaps        the gap part alone (3 boots of each kernel): writes
#                                  bench/results/gaps.json, gaps-raw.tar.xz and
#                                  docs/bench-gaps.md
#   scripts/bench.sh --overload    one release boot, the kernel's default ring buffer (also
#                                  the last boot of a full run):
#                                  /dev/kmsg floods past it with the kernel printing, the
#                                  module printing, and the module unloaded mid-flood;
#                                  writes bench/results/overload.events and
#                                  docs/bench-overload.md (lines lost per run)
#   scripts/bench.sh --slices "5000 20000"
#                                  one release boot: none and offload at each slice_us, the
#                                  caller latency and throughput parts; a table, no files
#                                  committed (how the default slice was chosen)
set -euo pipefail
. "$(dirname "$0")/env.sh"
cd "$RPO_ROOT"
slices="" gaps_only="" overload=""
if [ "${1:-}" = --overload ]; then
	overload=yes
	results=$RPO_ROOT/bench/results docs=$RPO_ROOT/docs
elif [ "${1:-}" = --gaps ]; then
	gaps_only=yes
	export RPO_BENCH_PARTS=gap
	results=$RPO_ROOT/bench/results docs=$RPO_ROOT/docs
elif [ "${1:-}" = --slices ]; then
	slices=${2:?--slices needs a list of slice_us values}
	results=$RPO_CACHE/bench-slices docs=$RPO_CACHE/bench-slices
elif [ "${1:-}" = --quick ]; then
	export RPO_BENCH_N100=300 RPO_BENCH_N10=1000 RPO_BENCH_U100=200 RPO_BENCH_U10=500
	export RPO_BENCH_TPUT_MS=8000 RPO_BENCH_TPUT_REPS=1 RPO_BENCH_LOCKUP_N=100 RPO_BENCH_PACED_MS=4000
	export RPO_BENCH_GAP_RUNS=1 RPO_BENCH_GAP_N1000=10
	export RPO_BENCH_BOOTS=${RPO_BENCH_BOOTS:-1}
	results=$RPO_CACHE/bench-quick docs=$RPO_CACHE/bench-quick
else
	results=$RPO_ROOT/bench/results docs=$RPO_ROOT/docs
fi
t0=$(date +%s)
scripts/setup.sh
python3 -c 'import matplotlib' 2>/dev/null || {
	rpo_log "installing matplotlib (pip) for the latency plot"
	python3 -m pip install -q --root-user-action=ignore matplotlib 2>/dev/null ||
		python3 -m pip install -q --break-system-packages matplotlib ||
		rpo_die "pip install matplotlib failed"
}

# build_modules VARIANT WITH_OFFLOAD: the modules for VARIANT's kernel, built in a copy
# of the sources under the cache (Kbuild builds in the source directory, and the test
# kernel's modules live in the repo). Prints the directory holding the .ko files.
build_modules() {
	local variant=$1 kdir dir
	kdir=$(scripts/kernel.sh "$variant")
	dir=$RPO_CACHE/modules/$variant
	rm -rf "$dir" && mkdir -p "$dir/tests" "$dir/bench" "$dir/scripts"
	cp -r Kbuild Kconfig rust_printk_offload.rs src "$dir/"
	# The Kbuild files run helpers from scripts/ (bindings, the probe of the tree's
	# interface shapes): all of them go, so a new one cannot be left behind.
	cp scripts/*.sh "$dir/scripts/"
	cp -r tests/modules "$dir/tests/"
	cp -r bench/module "$dir/bench/"
	find "$dir" \( -name '*.o' -o -name '*.ko' -o -name '*_generated.rs' -o -name '.*.cmd' \) -delete
	local m=(make -C "$kdir" CONFIG_RUST_PRINTK_OFFLOAD=m)
	grep -qs '^CONFIG_CC_IS_CLANG=y' "$kdir/.config" && m+=(LLVM=1)
	{
		"${m[@]}" M="$dir/tests/modules" modules &&
			"${m[@]}" M="$dir/bench/module" modules &&
			if [ "$2" = yes ]; then "${m[@]}" M="$dir" modules; fi
	} >"$dir/build.log" 2>&1 || { tail -30 "$dir/build.log" >&2; rpo_die "module build for $variant failed"; }
	mkdir -p "$dir/ko/timed"
	cp "$dir"/tests/modules/*.ko "$dir"/bench/module/*.ko "$dir/ko/"
	if [ "$2" = yes ]; then
		cp "$dir/rust_printk_offload.ko" "$dir/ko/"
		# The same module with step timers (src/engine/step_timers.rs): where the time
		# between two writes goes.
		"${m[@]}" M="$dir" RPO_STEP_TIMERS=1 modules >>"$dir/build.log" 2>&1 ||
			{ tail -30 "$dir/build.log" >&2; rpo_die "module build (step timers) for $variant failed"; }
		cp "$dir/rust_printk_offload.ko" "$dir/ko/timed/"
	fi
	echo "$dir/ko"
}

# The guest does not inherit our environment: the workload settings (RPO_BENCH_*) to pass
# on explicitly, as "NAME=value " words.
bench_settings() {
	env | grep -E '^RPO_BENCH_(N100|N10|U100|U10|TPUT_MS|TPUT_REPS|LOCKUP_N|LOCKUP_DELAY_US|PACED_MS|PARTS|SLICE_US|GAP_RUNS|GAP_N10|GAP_N100|GAP_N1000)=' | tr '\n' ' ' || true
}

raw=${RPO_BENCH_RAW:-$(mktemp -d /tmp/rpo-bench.XXXXXX)}
chmod 777 "$raw"
rpo_log "raw results in $raw"

# The serial console ttyS0 is left out (8250.nr_uarts=0) and the slow console is the
# preferred one (so the boot console retires when it registers): only the slow console
# prints, "none" really is no console at all, and every mode pays for the same console.
append="8250.nr_uarts=0 console=slowcon0"
# overload_boot: one release boot on the default ring (kept if $raw already holds it);
# writes overload.events/.env to bench/results and docs/bench-overload.md.
overload_boot() {
	local mods settings
	if [ -f "$raw/overload.events" ]; then
		rpo_log "overload boot: kept from $raw"
	else
		mods=$(build_modules release yes)
		settings=$(env | grep -E '^RPO_BENCH_OVERLOAD_(N|REPS|UNLOAD_AT)=' | tr '\n' ' ' || true)
		rpo_log "booting the release kernel: overload on its default ring buffer"
		scripts/vm.sh --kernel release --cpus 2 --out "$raw" --append "$append" --timeout 2400 -- \
			"env $settings $RPO_ROOT/bench/guest_overload.sh $raw $mods" ||
			rpo_die "overload run failed (raw results: $raw)"
	fi
	mkdir -p "$results" "$docs"
	cp "$raw/overload.events" "$raw/overload.env" "$results/"
	python3 bench/overload.py "$results/overload.events" "$results/overload.env" "$docs/bench-overload.md"
}
if [ -n "$overload" ]; then
	overload_boot
	rpo_log "overload run took $(($(date +%s) - t0)) s"
	exit 0
fi
if [ -n "$slices" ]; then
	mods=$(build_modules release yes)
	settings=$(bench_settings)
	# A value may repeat (to see the noise): run i of value s goes to $raw/<i>-s<s>. The
	# slice and parts given after $settings win over any in it (env: the last word wins).
	# The runs go into a script (the guest command travels on the kernel command line,
	# which is short).
	i=0
	{
		echo "set -e"
		for s in $slices; do
			i=$((i + 1))
			echo "mkdir -p $raw/$i-s$s && chmod 777 $raw/$i-s$s"
			echo "env $settings RPO_BENCH_SLICE_US=$s RPO_BENCH_PARTS=latency,throughput" \
				"$RPO_ROOT/bench/guest_bench.sh release $raw/$i-s$s $mods none,offload"
		done
	} >"$raw/sweep.sh"
	rpo_log "booting the release kernel: none and offload at slice_us $slices"
	scripts/vm.sh --kernel release --cpus 2 --out "$raw" --append "$append" -- "bash $raw/sweep.sh" ||
		rpo_die "slice sweep failed (raw results: $raw)"
	mkdir -p "$results"
	printf '%-9s %14s %14s %14s %14s %10s\n' slice_us "p99 none 100" "p99 off 100" "p99 none 10" "p99 off 10" tput_off
	i=0
	for s in $slices; do
		i=$((i + 1))
		python3 bench/analyze.py "$raw/$i-s$s" "$results/$i-s$s.json" "$results/$i-s$s.md" "$results/$i-s$s.png" >/dev/null
		python3 - "$results/$i-s$s.json" "$s" <<'PY'
import json, sys
r = json.load(open(sys.argv[1]))
lat = r["latency_ns"]
def p99(d, m):
    v = lat.get(d, {}).get(m, {}).get("p99")
    return "-" if v is None else "%.1f us" % (v / 1000)
def rat(d):
    a, b = lat.get(d, {}).get("offload", {}).get("p99"), lat.get(d, {}).get("none", {}).get("p99")
    return "" if not a or not b else " (%.2fx)" % (a / b)
print("%-9s %14s %14s %14s %14s %10s" % (sys.argv[2], p99("100us", "none"), p99("100us", "offload") + rat("100us"),
      p99("10us", "none"), p99("10us", "offload") + rat("10us"), r["throughput_ratio"].get("offload")))
PY
	done | tee "$results/slices.txt"
	rpo_log "slice sweep took $(($(date +%s) - t0)) s (raw: $raw, summaries: $results)"
	exit 0
fi

# RPO_BENCH_BOOTS: boots per kernel (default 3; each headline figure is the median over
# them, with the spread); RPO_BENCH_VARIANTS: the kernels (default both); RPO_BENCH_RAW: a
# raw-results directory to add to (boot<i>/ subdirectories; an existing boot is kept).
boots=${RPO_BENCH_BOOTS:-3}
for variant in ${RPO_BENCH_VARIANTS:-release rt}; do
	case $variant in
	release) modes=none,direct,offload with=yes ;;
	rt) modes=none,direct with=no ;;
	esac
	mods=$(build_modules "$variant" "$with")
	settings=$(bench_settings)
	for i in $(seq 1 "$boots"); do
		dir=$raw/boot$i
		[ -f "$dir/$variant.events" ] && [ -f "$dir/$variant-dmesg.txt" ] && { rpo_log "boot $i of the $variant kernel: kept from $dir"; continue; }
		mkdir -p "$dir" && chmod 777 "$dir"
		rpo_log "booting the $variant kernel ($i of $boots): modes $modes"
		scripts/vm.sh --kernel "$variant" --cpus 2 --out "$dir" --append "$append" --timeout 2400 -- \
			"env $settings $RPO_ROOT/bench/guest_bench.sh $variant $dir $mods $modes" ||
			rpo_die "benchmark on the $variant kernel failed (raw results: $dir)"
	done
done

mkdir -p "$results" "$docs"
rm -f "$raw"/boot*/capture.tmp "$raw"/boot*/stamps.tmp
if [ -n "$gaps_only" ]; then
	(cd "$raw" && tar -cJf "$results/gaps-raw.tar.xz" boot*)
	python3 bench/gaps.py "$results/gaps-raw.tar.xz" "$results/gaps.json" "$docs/bench-gaps.md"
	rpo_log "make bench (gaps) took $(($(date +%s) - t0)) s"
	exit 0
fi
# Every raw sample, compressed, so that analyze.py can recompute each figure from the
# repository alone: python3 bench/analyze.py bench/results/raw.tar.xz OUT.json OUT.md OUT.png
rm -f "$raw"/boot*/capture.tmp "$raw"/boot*/stamps.tmp
(cd "$raw" && tar -cJf "$results/raw.tar.xz" boot*)
python3 bench/analyze.py "$results/raw.tar.xz" "$results/latest.json" "$docs/bench-results.md" "$docs/bench-latency-ccdf.png" |
	tee "$results/latest.txt"
python3 bench/gaps.py "$results/raw.tar.xz" "$results/gaps.json" "$docs/bench-gaps.md" | tee -a "$results/latest.txt"
# The overload on the default ring: a boot of its own (floods past the ring). Not with
# --quick, whose figures are only a trial of the pipeline.
case " ${RPO_BENCH_VARIANTS:-release rt} " in
*" release "*) [ "$results" = "$RPO_ROOT/bench/results" ] && overload_boot ;;
esac
rpo_log "make bench took $(($(date +%s) - t0)) s"
