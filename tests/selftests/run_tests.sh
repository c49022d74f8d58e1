#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# Runs selftests in order and prints KTAP. Inside the VM, as root.
# Usage: run_tests.sh OUTDIR TEST...
# Each test exits 0 (pass), 4 (skip, kselftest's KSFT_SKIP) or anything else (fail). The
# whole kernel log, from boot to the end of the last test, is recorded into
# OUTDIR/kmsg.txt by kmsg_record.py (which notes any record it missed), for the host to
# scan: a flood cannot push an early warning out of it.
set -u
cd "$(dirname "$0")" || exit 1
out=$1
shift
: >"$out/kmsg.txt"
python3 ./kmsg_record.py "$out/kmsg.txt" &
recorder=$!
timeout_s=$(sed -n 's/^timeout=//p' settings)

echo "TAP version 13"
echo "1..$#"
pass=0 fail=0 skip=0 n=0
for t in "$@"; do
	n=$((n + 1))
	echo "# selftests: rust_printk_offload: $t"
	echo "rpo-selftest: begin $t" >/dev/kmsg
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
	# Leave the modules unloaded between tests whatever happened.
	rmmod rust_printk_offload 2>/dev/null
	rmmod slow_console 2>/dev/null
	echo "rpo-selftest: end $t" >/dev/kmsg
done
echo "# Totals: pass:$pass fail:$fail xfail:0 xpass:0 skip:$skip error:0"
kill -TERM $recorder
wait $recorder
[ $fail = 0 ]
