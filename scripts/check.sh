#!/usr/bin/env bash
# `make check`: set everything up, then run the host tests (cargo test, the loom model
# check, the harness self-test) and the VM selftest suite. The last line is the total:
# "N passed, N failed" (", N skipped" when some could not run). Exits non-zero on failure.
set -uo pipefail
. "$(dirname "$0")/env.sh"
cd "$RPO_ROOT"
t_start=$(date +%s)
pass=0 fail=0 skip=0

add_cargo() { # LOGFILE: add up every "test result:" line of a cargo test run
	local p f
	p=$(grep -o '[0-9]* passed' "$1" | awk '{s += $1} END {print s + 0}')
	f=$(grep -o '[0-9]* failed' "$1" | awk '{s += $1} END {print s + 0}')
	pass=$((pass + p)) fail=$((fail + f))
	grep -q 'test result:' "$1" || fail=$((fail + 1))
}

scripts/setup.sh || { echo "0 passed, 1 failed"; exit 1; }
t_kernel=$(date +%s)
kdir=$(scripts/kernel.sh test) || { echo "kernel build failed"; echo "0 passed, 1 failed"; exit 1; }
rpo_log "test kernel ready in $(($(date +%s) - t_kernel)) s: $kdir"

echo "== build: the modules build from clean with no warning (rustc, objtool, modpost)"
blog=$(mktemp)
make -s KDIR="$kdir" clean >/dev/null 2>&1
if make -s KDIR="$kdir" modules test-modules bench-modules >"$blog" 2>&1 && ! grep -qi 'warning' "$blog"; then
	echo "ok - modules build without warnings"
	pass=$((pass + 1))
else
	sed 's/^/#   /' "$blog"
	echo "not ok - module build failed or warned"
	fail=$((fail + 1))
fi
echo "== build: rustfmt with the kernel's .rustfmt.toml has nothing to change"
if make -s KDIR="$kdir" fmt-check >"$blog" 2>&1; then
	echo "ok - rustfmt clean"
	pass=$((pass + 1))
else
	head -40 "$blog" | sed 's/^/#   /'
	echo "not ok - rustfmt would change the sources (make fmt)"
	fail=$((fail + 1))
fi
rm -f "$blog"

echo "== host: cargo test (pure logic)"
log=$(mktemp)
(cd tests/host && cargo test 2>&1) | tee "$log" | grep -E '^test |test result'
[ "${PIPESTATUS[0]}" = 0 ] || fail=$((fail + 1))
add_cargo "$log"

echo "== host: loom model check (printer hand-off)"
(cd tests/host && RUSTFLAGS="--cfg loom" CARGO_TARGET_DIR=target/loom cargo test --release 2>&1) | tee "$log" | grep -E '^test |test result'
[ "${PIPESTATUS[0]}" = 0 ] || fail=$((fail + 1))
add_cargo "$log"

echo "== host: the kernel-log scanner catches trouble and passes a clean log"
printf '[    1.0] hello\n[    2.0] WARNING: CPU: 1 PID: 9 at x.c:1 f+0x0/0x0\n' >"$log"
if scripts/scan-kernel-log.sh "$log" >/dev/null; then echo "not ok - scanner missed a WARNING"; fail=$((fail + 1)); else echo "ok - scanner flags a WARNING"; pass=$((pass + 1)); fi
printf '[    1.0] hello\n[    2.0] rust_printk_offload: loaded\n' >"$log"
if scripts/scan-kernel-log.sh "$log" >/dev/null; then echo "ok - scanner passes a clean log"; pass=$((pass + 1)); else echo "not ok - scanner flagged a clean log"; fail=$((fail + 1)); fi
rm -f "$log"

echo "== host: the burst tests' verdict (writer_spared) fails where it must"
# Writer times in us (slow mode, fast mode, nothing printed), then "pass" or words of the
# failure the verdict must end with: each check is caught alone, and a good case passes.
for c in "under 2x faster:330000 180000 150000:twice as fast" \
	"62% of the console's cost spared:330000 150000 40000:a quarter" \
	"console too fast:100000 40000 60000:not slow enough" \
	"offload at the floor:330000 40000 41000:pass"; do
	IFS=: read -r what times want <<<"$c"
	# shellcheck disable=SC2086 # $times is three words on purpose
	got=$(. tests/selftests/lib.sh && writer_spared slow ${times%% *} fast ${times#* } && echo pass)
	if [[ ${got##*$'\n'} == *"$want"* ]]; then # its last line
		echo "ok - verdict: $what"
		pass=$((pass + 1))
	else
		echo "not ok - verdict: $what: expected '$want', got: $got"
		fail=$((fail + 1))
	fi
done

# vm_suite TITLE [VM-TEST ARGS...]: one VM boot; adds its "N passed, N failed" line.
vm_suite() {
	echo "== VM: $1"
	shift
	local vmlog summary
	vmlog=$(mktemp)
	scripts/vm-test.sh "$@" 2>&1 | tee "$vmlog"
	summary=$(tail -1 "$vmlog")
	if [[ $summary =~ ^([0-9]+)\ passed,\ ([0-9]+)\ failed(,\ ([0-9]+)\ skipped)?$ ]]; then
		pass=$((pass + BASH_REMATCH[1])) fail=$((fail + BASH_REMATCH[2])) skip=$((skip + ${BASH_REMATCH[4]:-0}))
	else
		echo "not ok - VM suite gave no summary"
		fail=$((fail + 1))
	fi
	rm -f "$vmlog"
}
vm_suite "kselftest suite on the test kernel (lockdep, KASAN, atomic-sleep checks)"
RPO_KMEMLEAK=on vm_suite "no leak across 10 load/unload cycles (a boot with kmemleak on)" leak_reload.sh

echo "== VM: suspend, panic, reboot and oops (serial console read on the host)"
for what in suspend panic reboot oops; do
	if scripts/crash-test.sh "$what"; then pass=$((pass + 1)); else fail=$((fail + 1)); fi
done

rpo_log "make check took $(($(date +%s) - t_start)) s"
if [ "$skip" -gt 0 ]; then echo "$pass passed, $fail failed, $skip skipped"; else echo "$pass passed, $fail failed"; fi
[ "$fail" = 0 ]
