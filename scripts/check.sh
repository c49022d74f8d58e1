#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# `make check`: set everything up, then run the module's tests (build checks, host unit
# tests and loom model checks, the VM selftest suite, the leak boot, the crash tests) and
# the harness's own self-tests (the log scanner, the burst verdict, and VM controls that
# must make the harness fail: an early warning, a hung guest, a test that never reports).
# Each part's count is checked, not assumed: every host test compiled must run, every VM
# test listed must report. The last line is the total, "N passed, N failed[, N skipped]";
# the exit status is non-zero if anything failed.
# No `set -e`: a failing step is counted, and the run goes on to report the rest.
set -uo pipefail
. "$(dirname "$0")/env.sh"
cd "$RPO_ROOT" || exit 1
t_start=$(date +%s)
pass=0 fail=0 skip=0       # the module's tests
hpass=0 hfail=0            # the harness's self-tests
ok() { echo "ok - $*"; pass=$((pass + 1)); }
nok() { echo "not ok - $*"; fail=$((fail + 1)); }
hok() { echo "ok - harness: $*"; hpass=$((hpass + 1)); }
hnok() { echo "not ok - harness: $*"; hfail=$((hfail + 1)); }
finish() {
	rpo_log "make check took $(($(date +%s) - t_start)) s"
	echo "# module tests: $pass passed, $fail failed, $skip skipped; harness self-tests: $hpass passed, $hfail failed"
	local p=$((pass + hpass)) f=$((fail + hfail))
	if [ "$skip" -gt 0 ]; then echo "$p passed, $f failed, $skip skipped"; else echo "$p passed, $f failed"; fi
	[ "$f" = 0 ]
	exit
}

scripts/setup.sh || { nok "setup (scripts/setup.sh)"; finish; }
t_kernel=$(date +%s)
kdir=$(rpo_kdir test) || { nok "test kernel build"; finish; }
rpo_log "test kernel ready in $(($(date +%s) - t_kernel)) s: $kdir"
# On the project's own kernel every prerequisite is provided, so a SKIP is a failure; on a
# kernel the user brought (KDIR=...), tests whose options it lacks may SKIP.
allow_skip=()
[ -n "${KDIR:-}" ] && allow_skip=(--allow-skip)

echo "== build: the interface probes choose each 6.12.y shape (scripts/probe-api.sh on tests/api/)"
blog=$(mktemp)
bad=()
for d in tests/api/*/; do
	got=$(scripts/probe-api.sh /nonexistent "$PWD/$d/include" 2>/dev/null)
	[ "$got" = "$(cat "$d/probe.expected")" ] || bad+=("$(basename "$d"): '$got'")
done
if [ ${#bad[@]} = 0 ]; then
	ok "the probe reads every header shape in tests/api/ as expected ($(find tests/api -mindepth 1 -maxdepth 1 -type d | wc -l) headers)"
else
	nok "the probe misread: ${bad[*]}"
fi
echo "== build: the module's object builds against 6.12.0's syscore interface (tests/api/syscore_ops-6.12.0)"
obj=rust_printk_offload.o
make -s KDIR="$kdir" clean >/dev/null 2>&1
# The symbols read whole first: `grep -q` would close the pipe early, and under pipefail
# nm's SIGPIPE would fail the test.
if make -s KDIR="$kdir" RPO_API_OVERLAY="$PWD/tests/api/syscore_ops-6.12.0/include" object >"$blog" 2>&1 &&
	! grep -qi 'warning' "$blog" && syms=$(nm "$obj") &&
	grep -q ' U register_syscore_ops$' <<<"$syms" && ! grep -q ' U register_syscore$' <<<"$syms"; then
	ok "built without warnings; it calls register_syscore_ops(), not register_syscore()"
else
	sed 's/^/#   /' "$blog"
	nm "$obj" 2>/dev/null | grep syscore | sed 's/^/#   /'
	nok "the object for the older syscore interface"
fi
echo "== build: the kernel's clippy build of the module (CLIPPY=1) finds nothing"
if make -s KDIR="$kdir" clippy >"$blog" 2>&1 && ! grep -qiE 'warning|error' "$blog"; then
	ok "clippy clean"
else
	head -60 "$blog" | sed 's/^/#   /'
	nok "clippy findings (make clippy)"
fi
echo "== build: make rust-analyzer describes the module's crate"
rp=$(mktemp)
if make -s KDIR="$kdir" RUST_PROJECT="$rp" rust-analyzer >"$blog" 2>&1 && RP=$rp python3 -c '
import json, os
crates = json.load(open(os.environ["RP"]))["crates"]
names = [c["display_name"] for c in crates]
m = crates[names.index("rust_printk_offload")]
assert m["root_module"].endswith("/rust_printk_offload.rs"), m["root_module"]
assert {"core", "kernel"} <= {names[d["crate"]] for d in m["deps"]}, m["deps"]' 2>>"$blog"; then
	ok "make rust-analyzer: rust-project.json has the module's crate, with core and kernel"
else
	tail -20 "$blog" | sed 's/^/#   /'
	nok "make rust-analyzer"
fi
rm -f "$rp"
echo "== build: the modules build from clean with no warning (rustc, objtool, modpost)"
make -s KDIR="$kdir" clean >/dev/null 2>&1
if make -s KDIR="$kdir" modules test-modules bench-modules >"$blog" 2>&1 && ! grep -qi 'warning' "$blog"; then
	ok "modules build without warnings"
else
	sed 's/^/#   /' "$blog"
	nok "module build failed or warned"
fi
echo "== build: rustfmt with the kernel's .rustfmt.toml has nothing to change"
if make -s KDIR="$kdir" fmt-check >"$blog" 2>&1; then
	ok "rustfmt clean"
else
	head -40 "$blog" | sed 's/^/#   /'
	nok "rustfmt would change the sources (make fmt)"
fi
echo "== build: shellcheck over every script"
if make -s shellcheck >"$blog" 2>&1; then
	ok "shellcheck clean ($(make -s shellcheck-list | wc -w) scripts)"
else
	head -60 "$blog" | sed 's/^/#   /'
	nok "shellcheck findings (make shellcheck)"
fi
echo "== docs: README and docs/sysctl.rst agree with the tunables and counters in the source"
if scripts/docs-check.py >"$blog" 2>&1; then
	ok "docs agree with src/tunables.rs, src/stats.rs and src/params.rs"
else
	sed 's/^/#   /' "$blog"
	nok "docs disagree with the source (scripts/docs-check.py)"
fi
# The checker's own control: a copy whose README gives a tunable another default.
droot=$(mktemp -d)
mkdir -p "$droot/src/engine" "$droot/docs"
cp src/tunables.rs src/stats.rs src/params.rs src/control.rs "$droot/src/" && cp src/engine/mod.rs "$droot/src/engine/" &&
	cp docs/sysctl.rst "$droot/docs/" &&
	sed 's#\(printk_offload/slice_us. | µs | \)20000 |#\130000 |#' README.md >"$droot/README.md"
if cmp -s README.md "$droot/README.md"; then
	hnok "docs check control: the seeded README is unchanged (its pattern is stale)"
elif scripts/docs-check.py "$droot" >"$blog" 2>&1; then
	hnok "docs check missed a README default that differs from the source"
elif [ "$(cat "$blog")" != "README.md: slice_us: default is not 20000" ]; then
	sed 's/^/#   /' "$blog"
	hnok "docs check control: the seeded copy failed for another reason than the one seeded"
else
	hok "docs check catches a README default that differs from the source ($(head -1 "$blog"))"
fi
rm -rf "$droot"
echo "== build: make install and make uninstall (into a scratch INSTALL_MOD_PATH), seen by modprobe"
root=$(mktemp -d)
rel=$(cat "$kdir/include/config/kernel.release")
ko=$root/lib/modules/$rel/updates/rust_printk_offload.ko
if make -s KDIR="$kdir" INSTALL_MOD_PATH="$root" install >"$blog" 2>&1 && [ -e "$ko" ] &&
	modprobe -d "$root" -S "$rel" --show-depends rust_printk_offload 2>>"$blog" | grep -qF "$ko" &&
	make -s KDIR="$kdir" INSTALL_MOD_PATH="$root" uninstall >>"$blog" 2>&1 && [ ! -e "$ko" ] &&
	! modprobe -d "$root" -S "$rel" --show-depends rust_printk_offload >>"$blog" 2>&1; then
	ok "make install puts the module in updates/ for $rel and depmod indexes it; make uninstall removes it"
else
	sed 's/^/#   /' "$blog"
	find "$root" | sed 's/^/#   /'
	nok "make install / make uninstall"
fi
rm -rf "$root"
rm -f "$blog"
echo "== build: dkms builds and installs the module from dkms.conf (private trees), and refuses a kernel without CONFIG_RUST"
rc=0
scripts/dkms-test.sh || rc=$?
case $rc in
0) pass=$((pass + 1)) ;;
4) nok "dkms skipped, but scripts/setup.sh installs it" ;;
*) fail=$((fail + 1)) ;;
esac

# cargo_part TITLE DIR [ENV...]: one cargo test run; every test it lists must run and pass,
# and it must list exactly the #[test] functions of the files it compiles (LIST_FILES).
cargo_part() {
	local title=$1 files=$2 log listed expected ran failed t0=$SECONDS
	shift 2
	echo "== host: $title"
	log=$(mktemp)
	listed=$(cd tests/host && env "$@" cargo test --release -- --list 2>/dev/null | grep -c ': test$')
	# shellcheck disable=SC2086 # $files is a list of globs on purpose
	expected=$(cat $files | grep -c '^ *#\[test\]')
	(cd tests/host && env "$@" cargo test --release 2>&1) | tee "$log" | grep -E '^test |test result'
	ran=$(grep -o '[0-9]* passed' "$log" | awk '{s += $1} END {print s + 0}')
	failed=$(grep -o '[0-9]* failed' "$log" | awk '{s += $1} END {print s + 0}')
	if [ "$failed" -gt 0 ] || ! grep -q 'test result: ok' "$log"; then
		nok "$title: $failed failed"
	elif [ "$listed" -eq 0 ] || [ "$ran" != "$listed" ] || [ "$listed" != "$expected" ]; then
		nok "$title: $ran ran, $listed compiled, $expected #[test] functions in the sources"
	else
		ok "$title: all $ran tests ran and passed"
	fi
	rm -f "$log"
	rpo_log "$title took $((SECONDS - t0)) s"
}
# Build outputs live in the cache beside the kernel, so a fresh clone compiles only the
# crate itself, not its dependencies again.
cargo_part "cargo test (pure logic)" "tests/host/src/*_tests.rs" CARGO_TARGET_DIR="$RPO_CACHE/cargo/host"
# At most 3 preemptions per execution: every interleaving the models have caught needs two
# at most, and the bound keeps the run to a few minutes on two cores.
cargo_part "loom model checks" "tests/host/src/loom_*.rs" RUSTFLAGS="--cfg loom" CARGO_TARGET_DIR="$RPO_CACHE/cargo/loom" \
	LOOM_MAX_PREEMPTIONS=3

echo "== harness: the kernel-log scanner catches trouble and passes a clean log"
log=$(mktemp)
printf '[    1.0] hello\n[    2.0] WARNING: CPU: 1 PID: 9 at x.c:1 f+0x0/0x0\n' >"$log"
if scripts/scan-kernel-log.sh "$log" >/dev/null; then hnok "scanner missed a WARNING"; else hok "scanner flags a WARNING"; fi
for line in 'NMI watchdog: Watchdog detected hard LOCKUP on cpu 1' 'NMI backtrace for cpu 0' \
	'INFO: rcu_tasks detected stalls on tasks:'; do
	printf '[    1.0] hello\n[    2.0] %s\n' "$line" >"$log"
	if scripts/scan-kernel-log.sh "$log" >/dev/null; then hnok "scanner missed '$line'"; else hok "scanner flags '$line'"; fi
done
printf '[    1.0] hello\n[    2.0] rust_printk_offload: loaded\n' >"$log"
if scripts/scan-kernel-log.sh "$log" >/dev/null; then hok "scanner passes a clean log"; else hnok "scanner flagged a clean log"; fi
printf '[1] rpo-expected-trouble: begin expect=lkdtm_WARNING; (a WARN)\n[2] WARNING: CPU: 0 PID: 1 at drivers/misc/lkdtm/bugs.c:1 lkdtm_WARNING+0x1/0x2\n[3] rpo-expected-trouble: end\n' >"$log"
if scripts/scan-kernel-log.sh "$log" >/dev/null; then hok "scanner passes a bracketed, expected WARNING"; else hnok "scanner flagged a bracketed WARNING"; fi
printf '[1] rpo-expected-trouble: begin expect=lkdtm_WARNING; (a WARN)\n[2] WARNING: CPU: 0 PID: 1 at drivers/misc/lkdtm/bugs.c:1 lkdtm_WARNING+0x1/0x2\n[3] BUG: KASAN: slab-use-after-free in x\n[4] rpo-expected-trouble: end\n' >"$log"
if scripts/scan-kernel-log.sh "$log" >/dev/null; then hnok "scanner missed a KASAN report inside a WARN's bracket"; else hok "scanner flags a KASAN report inside a WARN's bracket"; fi
# lockdep_report LOCK: a bracket naming target_list_lock around a lockdep report about LOCK.
lockdep_report() {
	printf '[1] rpo-expected-trouble: begin expect=target_list_lock; (netconsole)\n'
	printf '[2] WARNING: possible irq lock inversion dependency detected\n'
	printf '[3] swapper/1/0 just changed the state of lock:\n[4] (%s){-...}-{2:2}, at: write_msg+0x1/0x2\n' "$1"
	printf '[5] stack backtrace:\n[6] Call Trace:\n[7] rpo-expected-trouble: end\n'
}
lockdep_report target_list_lock >"$log"
if scripts/scan-kernel-log.sh "$log" >/dev/null; then hok "scanner passes a bracketed lockdep report naming the expected lock"; else hnok "scanner flagged a bracketed lockdep report naming the expected lock"; fi
lockdep_report '&pool->lock' >"$log"
if scripts/scan-kernel-log.sh "$log" >/dev/null; then hnok "scanner spared a lockdep report naming another lock"; else hok "scanner flags a bracketed lockdep report naming another lock"; fi
printf '[1] rpo-expected-trouble: begin (no expect)\n[2] WARNING: CPU: 0 PID: 1 at x.c:1 f+0x1/0x2\n[3] rpo-expected-trouble: end\n' >"$log"
if scripts/scan-kernel-log.sh "$log" >/dev/null; then hnok "scanner spared a bracket that names nothing"; else hok "scanner flags a WARNING in a bracket that names nothing"; fi
printf '[1] rpo-expected-trouble: begin\n[2] x\n[3] rpo-expected-trouble: end\n[4] WARNING: CPU: 1\n' >"$log"
if scripts/scan-kernel-log.sh "$log" >/dev/null; then hnok "scanner missed a WARNING after a bracket"; else hok "scanner flags a WARNING after a bracket"; fi
printf '[1] rpo-expected-trouble: begin\n[2] WARNING: CPU: 1 (never closed)\n' >"$log"
if scripts/scan-kernel-log.sh "$log" >/dev/null; then hnok "scanner missed a WARNING in a bracket left open"; else hok "scanner flags a WARNING in a bracket left open"; fi
rm -f "$log"

echo "== harness: the build refuses a kernel the module cannot run on, naming why"
# A copy of the test kernel's configuration, changed one way at a time: the build must stop
# before compiling anything, with the reason (scripts/kconfig-check.sh, run by every target
# that builds against the tree), and accept the unchanged copy.
fake=$(mktemp -d)
mkdir -p "$fake/rust/bindings"
touch "$fake/rust/bindings/.bindings_generated.rs.cmd"
# build_refuses WHAT WHY: the build against the fake tree fails, saying WHY.
build_refuses() {
	local out
	if out=$(make -s KDIR="$fake" modules 2>&1); then
		hnok "the build accepted $1"
	elif grep -q "$2" <<<"$out"; then
		hok "the build refuses $1"
	else
		hnok "the build refused $1 without saying so: $out"
	fi
}
# refused CONFIG_CHANGE WHY: the build against the changed copy fails, saying WHY.
refused() {
	sed "$1" "$kdir/.config" >"$fake/.config"
	build_refuses "a kernel with '$2'" "$2"
}
# shellcheck disable=SC2016 # a sed script: \$ is its last line
refused 's/^# CONFIG_PREEMPT_RT is not set$/CONFIG_PREEMPT_RT=y/; $a CONFIG_PREEMPT_RT=y' "CONFIG_PREEMPT_RT=y"
refused 's/^CONFIG_TRACEPOINTS=y$/# CONFIG_TRACEPOINTS is not set/' "CONFIG_TRACEPOINTS is not set"
cp "$kdir/.config" "$fake/.config"
if out=$(scripts/kconfig-check.sh "$fake" 2>&1); then
	hok "the kernel check accepts the test kernel's configuration"
else
	hnok "the kernel check refused the test kernel's configuration: $out"
fi
rm "$fake/rust/bindings/.bindings_generated.rs.cmd"
build_refuses "a kernel tree without built Rust support" "no built Rust support"
rm -rf "$fake"

echo "== harness: the burst tests' verdict (writer_spared) fails where it must"
# Writer times in us (slow mode, fast mode, nothing printed), then "pass" or words of the
# failure the verdict must end with: each check is caught alone, and a good case passes.
for vc in "under 2x faster:330000 180000 150000:twice as fast" \
	"62% of the console's cost spared:330000 150000 40000:a quarter" \
	"console too fast:100000 40000 60000:not slow enough" \
	"offload at the floor:330000 40000 41000:pass"; do
	IFS=: read -r what times want <<<"$vc"
	# shellcheck disable=SC2086 # $times is three words on purpose
	got=$(. tests/selftests/lib.sh && writer_spared slow ${times%% *} fast ${times#* } && echo pass)
	if [[ ${got##*$'\n'} == *"$want"* ]]; then # its last line
		hok "verdict: $what"
	else
		hnok "verdict: $what: expected '$want', got: $got"
	fi
done

# The modules every VM test boots with (the test build: its hooks), built once here; the
# VM scripts build them themselves unless RPO_MODULES_BUILT names this kernel.
if make -s KDIR="$kdir" RPO_TEST_HOOKS=1 modules test-modules bench-modules >"$RPO_CACHE/module-build.log" 2>&1; then
	export RPO_MODULES_BUILT=$kdir
else
	sed 's/^/#   /' "$RPO_CACHE/module-build.log"
	nok "the test build of the modules (RPO_TEST_HOOKS=1)"
fi
echo "== harness: VM controls that must make the harness fail"
ctl=$(mktemp)
scripts/vm-test.sh ../harness/warn_then_flood.sh >"$ctl" 2>&1
if grep -q 'rpo_harness_control' "$ctl" && grep -q '^not ok - guest kernel log shows trouble' "$ctl" && ! tail -1 "$ctl" | grep -q ' 0 failed'; then
	hok "a WARNING before a flood of 6000 long lines fails the run"
else
	sed 's/^/#   /' "$ctl" | tail -20
	hnok "a WARNING before a long flood did not fail the run"
fi
t0=$SECONDS
RPO_VM_LIMIT=40 scripts/vm-test.sh ../harness/vanish.sh ../harness/never_reached.sh >"$ctl" 2>&1
took=$((SECONDS - t0))
if grep -q 'vm: time limit of 40 s reached' "$ctl" && grep -q 'not ok - ../harness/never_reached.sh did not report' "$ctl" &&
	grep -q 'not ok - ../harness/vanish.sh did not report' "$ctl" && [ $took -lt 130 ]; then
	hok "a guest that never powers off is stopped at its limit (${took} s) and the tests that did not report fail the count"
else
	sed 's/^/#   /' "$ctl" | tail -20
	hnok "a hung guest or a missing report went unnoticed (took ${took} s)"
fi
rm -f "$ctl"

# vm_suite TITLE [VM-TEST ARGS...]: one VM boot; adds its "N passed, N failed" line.
vm_suite() {
	echo "== VM: $1"
	shift
	local vmlog summary t0=$SECONDS
	vmlog=$(mktemp)
	scripts/vm-test.sh "${allow_skip[@]}" "$@" 2>&1 | tee "$vmlog"
	summary=$(tail -1 "$vmlog")
	if [[ $summary =~ ^([0-9]+)\ passed,\ ([0-9]+)\ failed(,\ ([0-9]+)\ skipped)?$ ]]; then
		pass=$((pass + BASH_REMATCH[1])) fail=$((fail + BASH_REMATCH[2])) skip=$((skip + ${BASH_REMATCH[4]:-0}))
	else
		nok "VM suite gave no summary"
	fi
	rm -f "$vmlog"
	rpo_log "that boot took $((SECONDS - t0)) s"
}
vm_suite "kselftest suite through the kernel's own runner (kselftest_install, run_kselftest.sh), test kernel with lockdep, KASAN, atomic-sleep checks" \
	--kernel-runner
RPO_KMEMLEAK=on vm_suite "no leak across 4 load/unload cycles (a boot with kmemleak on)" leak_reload.sh
# One boot for three conditions: CPU 1 comes online for the first time during the first
# test, the next two run under full preemption (a kthread may be preempted anywhere), and
# modprobe finds parameters on the kernel command line.
vm_suite "a CPU online for the first time after load, full preemption, parameters on the command line" \
	--append "maxcpus=1 preempt=full rust_printk_offload.slice_bytes=4096 rust_printk_offload.starvation_ms=1500" \
	first_online.sh rt_hog_midslice.sh flood_all_cpus.sh cmdline_params.sh
# A ring small enough to wrap under a test: the drop notices, and the automatic backlog
# limit, which exists only once the ring has wrapped (and must survive a dmesg -c).
# The same boot keeps a held writer in the module's code during an unload, and a module
# parameter read inside its get.
vm_suite "a small ring buffer that wraps under the module (log_buf_len=1M), then dmesg -C and -c; an unload waits for a held writer on its way out, and for a parameter read" \
	--append "log_buf_len=1M rpo_test.pause=resume:unloading:1500 rpo_test.pause=param:get:5000" \
	ring_wrap.sh clear_backlog.sh held_writers.sh param_read_unload.sh

echo "== VM: real console drivers (serial, virtio, VT and netconsole captured on the host)"
# The serial console, hvc0 and the VT share a boot (one verdict each), in
# console_msg_format=syslog; netconsole's boot and the selftests use the default format.
clog=$(mktemp)
for c in ttyS0,hvc0,tty0 netconsole; do
	rc=0 t0=$SECONDS
	if [ $c = ttyS0,hvc0,tty0 ]; then
		RPO_CONSOLE_APPEND=console_msg_format=syslog scripts/console-test.sh $c >"$clog" || rc=$?
	else
		scripts/console-test.sh $c >"$clog" || rc=$?
	fi
	cat "$clog"
	oks=$(grep -c '^ok - ' "$clog") noks=$(grep -c '^not ok - ' "$clog")
	case $rc in
	0) pass=$((pass + oks)) ;;
	4)
		skip=$((skip + 1))
		[ ${#allow_skip[@]} -gt 0 ] || nok "$c skipped, but this harness provides everything it needs"
		;;
	*) pass=$((pass + oks)) fail=$((fail + (noks > 0 ? noks : 1))) ;;
	esac
	rpo_log "$c took $((SECONDS - t0)) s"
done
rm -f "$clog"

echo "== VM: suspend, panic, reboot, power-off, halt, sysrq reset, oops, panics half-loaded and half-unloaded (serial console read on the host)"
for what in suspend panic reboot poweroff halt reset oops load-window unload-window; do
	t0=$SECONDS
	if scripts/crash-test.sh "$what"; then pass=$((pass + 1)); else fail=$((fail + 1)); fi
	rpo_log "$what took $((SECONDS - t0)) s"
done
finish
