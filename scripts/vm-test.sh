#!/usr/bin/env bash
# Build the modules, boot the test kernel in a VM, run the selftests as root, then fail the
# run if the guest's kernel log shows a warning, a BUG, a lockdep report, a soft lockup, a
# hung task or an RCU stall. Prints KTAP; the last line is "N passed, N failed[, N skipped]".
#   scripts/vm-test.sh [TEST...]        (RPO_INJECT_WARN=1: put a WARNING into the guest log)
set -uo pipefail
. "$(dirname "$0")/env.sh"

kdir=$("$RPO_ROOT/scripts/kernel.sh" test) || exit 1
make -s -C "$RPO_ROOT" KDIR="$kdir" modules test-modules >"$RPO_CACHE/module-build.log" 2>&1 || {
	cat "$RPO_CACHE/module-build.log"
	echo "module build failed"
	echo "0 passed, 1 failed"
	exit 1
}
out=$(mktemp -d /tmp/rpo-vm.XXXXXX)
chmod 777 "$out"
pre=true
[ "${RPO_INJECT_WARN:-0}" = 1 ] && pre="echo '<4>WARNING: CPU: 0 PID: 1 at rpo_harness_selftest (injected)' >/dev/kmsg"
start=$(date +%s)
# kmemleak doubles boot time under TCG (udev coldplug): on only where a test needs it.
"$RPO_ROOT/scripts/vm.sh" --kernel test --cpus 2 --out "$out" --append "kmemleak=${RPO_KMEMLEAK:-off}" -- \
	"$pre; $RPO_ROOT/tests/selftests/run_tests.sh $out $*" | tee "$out/ktap.txt"
vm_rc=${PIPESTATUS[0]}
rpo_log "VM suite: $(($(date +%s) - start)) s, exit $vm_rc"

pass=$(grep -c '^ok [0-9]* [^#]*$' "$out/ktap.txt")
skip=$(grep -c '^ok [0-9]* .*# SKIP' "$out/ktap.txt")
fail=$(grep -c '^not ok ' "$out/ktap.txt")
planned=$(sed -n 's/^1\.\.//p' "$out/ktap.txt" | head -1)
ran=$((pass + skip + fail))
if [ -z "$planned" ] || [ "$ran" -lt "$planned" ]; then
	echo "not ok - VM run incomplete (planned ${planned:-?}, ran $ran, vng exit $vm_rc)"
	fail=$((fail + 1))
fi
if "$RPO_ROOT/scripts/scan-kernel-log.sh" "$out/dmesg.txt"; then
	echo "ok - guest kernel log clean"
	pass=$((pass + 1))
else
	echo "not ok - guest kernel log shows trouble (full log: $out/dmesg.txt)"
	fail=$((fail + 1))
fi
if [ "$skip" -gt 0 ]; then echo "$pass passed, $fail failed, $skip skipped"; else echo "$pass passed, $fail failed"; fi
[ "$fail" = 0 ]
