#!/usr/bin/env bash
# Runs the TEST_PROGS of ./Makefile in order and prints KTAP. Inside the VM, as root.
# Each program exits 0 (pass), 4 (skip, kselftest's KSFT_SKIP) or anything else (fail).
# Usage: run_tests.sh [OUTDIR] [TEST...]
set -u
cd "$(dirname "$0")"
out=${1:-/tmp}
shift || true
if [ $# -gt 0 ]; then
	progs=("$@")
else
	read -r -a progs <<<"$(sed -n '/^TEST_PROGS/,/^$/p' Makefile | tr -d '\\' | sed 's/TEST_PROGS :=//' | tr '\n' ' ')"
fi
timeout_s=$(sed -n 's/^timeout=//p' settings)
: >"$out/dmesg.txt"

echo "TAP version 13"
echo "1..${#progs[@]}"
pass=0 fail=0 skip=0 n=0
for t in "${progs[@]}"; do
	n=$((n + 1))
	echo "# selftests: rust_printk_offload: $t"
	# A test may ask for a longer timeout with a "# kselftest-timeout=N" line.
	t_s=$(sed -n 's/^# kselftest-timeout=\([0-9]*\)$/\1/p' "$t" | head -1)
	timeout "${t_s:-$timeout_s}" bash "./$t" 2>&1 | sed 's/^/# /'
	rc=${PIPESTATUS[0]}
	case $rc in
	0) echo "ok $n $t"; pass=$((pass + 1)) ;;
	4) echo "ok $n $t # SKIP"; skip=$((skip + 1)) ;;
	124) echo "not ok $n $t # TIMEOUT ${t_s:-$timeout_s}s"; fail=$((fail + 1)) ;;
	*) echo "not ok $n $t # exit=$rc"; fail=$((fail + 1)) ;;
	esac
	# Leave the module unloaded between tests whatever happened.
	rmmod rust_printk_offload 2>/dev/null
	rmmod slow_console 2>/dev/null
	# Save the kernel log after every test: a later flood can overwrite the ring buffer.
	dmesg >>"$out/dmesg.txt" 2>/dev/null
done
echo "# Totals: pass:$pass fail:$fail xfail:0 xpass:0 skip:$skip error:0"
dmesg >>"$out/dmesg.txt" 2>/dev/null
[ $fail = 0 ]
