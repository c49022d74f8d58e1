#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# Build the modules, boot the test kernel in a VM, run selftests as root, and judge the run
# on the host. Prints KTAP; the last line is "N passed, N failed[, N skipped]".
#   scripts/vm-test.sh [--allow-skip] [--append ARGS] [--kernel-runner] [TEST...]
#                                      (default: TEST_PROGS of the Makefile)
# --append adds kernel command line arguments (maxcpus=1 for first_online.sh).
# --kernel-runner runs TEST_PROGS through the kernel's own kselftest runner: the suite is
# copied into the kernel source tree as tools/testing/selftests/printk_offload, installed
# with kselftest_install, and run with its run_kselftest.sh.
# The run fails closed:
#   - every test listed must report exactly once, in order (a missing report is a failure);
#   - a SKIP is a failure unless --allow-skip (the harness sets up every prerequisite of
#     its own kernel; a user's own kernel may lack some, and its tests then SKIP);
#   - the guest's whole kernel log, recorded from boot without a gap, must be clean
#     (scripts/scan-kernel-log.sh): a log with a gap fails as incomplete;
#   - the guest is stopped, and the run fails, at a host-side time limit: boot allowance
#     plus every test's own timeout.
# RPO_INJECT_WARN=1 puts a WARNING line into the guest log before the tests (a control).
set -uo pipefail
. "$(dirname "$0")/env.sh"

allow_skip=0 append="" kernel_runner=0
while [ $# -gt 0 ]; do
	case $1 in
	--allow-skip) allow_skip=1; shift ;;
	--append) append="$append $2"; shift 2 ;;
	--kernel-runner) kernel_runner=1; shift ;;
	*) break ;;
	esac
done
sel=$RPO_ROOT/tests/selftests
if [ $# -gt 0 ]; then
	tests=("$@")
else
	# The words of the TEST_PROGS := assignment and its continuation lines, nothing else.
	read -r -a tests <<<"$(awk '/^TEST_PROGS[ \t]*:=/ { on = 1; sub(/^[^=]*=/, "") }
		on { more = /\\$/; sub(/\\$/, ""); printf "%s ", $0; if (!more) exit }' "$sel/Makefile")"
fi
[ ${#tests[@]} -gt 0 ] || { echo "not ok - no test to run"; echo "0 passed, 1 failed"; exit 1; }

kdir=$(rpo_kdir test) || { echo "not ok - no test kernel"; echo "0 passed, 1 failed"; exit 1; }
[ "${RPO_MODULES_BUILT:-}" = "$kdir" ] ||
	make -s -C "$RPO_ROOT" KDIR="$kdir" RPO_TEST_HOOKS=1 modules test-modules bench-modules >"$RPO_CACHE/module-build.log" 2>&1 || {
	sed 's/^/#   /' "$RPO_CACHE/module-build.log"
	echo "not ok - module build failed"
	echo "0 passed, 1 failed"
	exit 1
}

# The limit: a boot allowance (TCG, the debug kernel) plus each test's own timeout.
default_t=$(sed -n 's/^timeout=//p' "$sel/settings")
limit=${RPO_BOOT_ALLOWANCE:-420}
for t in "${tests[@]}"; do
	t_s=$(sed -n 's/^# kselftest-timeout=\([0-9]*\)$/\1/p' "$sel/$t" 2>/dev/null | head -1)
	limit=$((limit + ${t_s:-$default_t}))
done
limit=${RPO_VM_LIMIT:-$limit} # the harness controls set a short one

out=$(mktemp -d /tmp/rpo-vm.XXXXXX)
chmod 777 "$out"
guest_cmd="$sel/run_tests.sh $out ${tests[*]}"
if [ $kernel_runner = 1 ]; then
	# The kernel tree the suite drops into: the cached one's source, or KDIR's.
	src=$RPO_CACHE/src/linux-source-6.12
	[ -n "${KDIR:-}" ] && { src=$KDIR; [ -d "$KDIR/source" ] && src=$KDIR/source; }
	[ -f "$src/tools/testing/selftests/lib.mk" ] || { echo "not ok - no kselftest in $src"; echo "0 passed, 1 failed"; exit 1; }
	dst=$src/tools/testing/selftests/printk_offload
	rm -rf "$dst" && mkdir -p "$dst" && cp -a "$sel/." "$dst/"
	make -s -C "$src/tools/testing/selftests" TARGETS=printk_offload INSTALL_PATH="$out/ksft" install >"$out/ksft-install.log" 2>&1 ||
		{ sed 's/^/#   /' "$out/ksft-install.log"; echo "not ok - kselftest_install failed"; echo "0 passed, 1 failed"; exit 1; }
	# The runner runs the tests in the order of its list: a selection is put in that order
	# (and a test the list lacks, such as an extended one, cannot be run this way).
	if [ $# -gt 0 ]; then
		ordered=()
		while IFS=: read -r col t; do
			[ "$col" = printk_offload ] || continue
			for want in "${tests[@]}"; do [ "$want" = "$t" ] && ordered+=("$t"); done
		done <"$out/ksft/kselftest-list.txt"
		[ ${#ordered[@]} = ${#tests[@]} ] || { echo "not ok - the kernel runner cannot run: ${tests[*]}"; echo "0 passed, 1 failed"; exit 1; }
		tests=("${ordered[@]}")
	fi
	guest_cmd="RPO_MODULES=$RPO_ROOT:$RPO_ROOT/tests/modules:$RPO_ROOT/bench/module $sel/run_kernel_runner.sh $out $out/ksft ${tests[*]}"
fi
pre=true
[ "${RPO_INJECT_WARN:-0}" = 1 ] && pre="echo '<4>WARNING: CPU: 0 PID: 1 at rpo_harness_selftest (injected)' >/dev/kmsg"
# record: passes the guest's output on, and keeps it in ktap.txt, and in times.txt after
# the host's time of arrival in seconds.
record() {
	local l
	while IFS= read -r l || [ -n "$l" ]; do
		printf '%s\n' "$l"
		printf '%s\n' "$l" >&3
		printf '%(%s)T %s\n' -1 "$l" >&4
	done 3>"$out/ktap.txt" 4>"$out/times.txt"
}
start=$(date +%s)
# kmemleak slows the guest under TCG: on only where a test needs it.
# log_buf_len: room for a whole test's flood, so the recorder never falls a ring behind.
"$RPO_ROOT/scripts/vm.sh" --kernel test --cpus 2 --out "$out" --timeout "$limit" \
	--console "$out/console.txt" \
	--append "kmemleak=${RPO_KMEMLEAK:-off} log_buf_len=32M$append" -- \
	"$pre; $guest_cmd" 2>"$out/vm.txt" | record
vm_rc=${PIPESTATUS[0]}
rpo_log "VM suite: $(($(date +%s) - start)) s, exit $vm_rc"
# The longest tests, by when their reports arrived on the host (the first one's time
# includes the boot): where the suite's time goes.
awk '($2 == "ok" && $3 ~ /^[0-9]+$/) || ($2 == "not" && $3 == "ok" && $4 ~ /^[0-9]+$/) {
	n = $NF; for (i = 3; i <= NF; i++) if ($i ~ /\.(sh|py)$/) { n = $i; break }
	printf "%d %s\n", $1 - last, n; last = $1 }' last="$start" "$out/times.txt" |
	sort -rn | head -8 | awk '{ s = s sep $2 " " $1 " s"; sep = ", " } END { if (s != "") print "# longest: " s }'
[ "$vm_rc" = 124 ] && sed 's/^/# /' "$out/vm.txt"
# A suite that reported nothing at all: show how the guest ended.
grep -qE "^(not )?ok [0-9]+ " "$out/ktap.txt" || { echo "# the guest's last lines:"; tail -n 30 "$out/ktap.txt" | sed 's/^/#   /'; }

# Each test reports once, in order: "ok N name", "ok N name # SKIP" or "not ok N name ...".
pass=0 fail=0 skip=0
for i in "${!tests[@]}"; do
	n=$((i + 1)) t=${tests[$i]}
	line=$(grep -E "^(not )?ok $n " "$out/ktap.txt")
	# "ok N NAME" (our runner) or "ok N selftests: printk_offload: NAME" (the kernel's).
	if [ "$(grep -cE "^(not )?ok $n " "$out/ktap.txt")" != 1 ] || ! [[ $line =~ \ $n\ (selftests:\ printk_offload:\ )?${t//./\.}( |$) ]]; then
		echo "not ok - $t did not report (or reported more than once)"
		fail=$((fail + 1))
	elif [[ $line == "not ok"* ]]; then
		fail=$((fail + 1))
	elif [[ $line == *"# SKIP"* ]]; then
		skip=$((skip + 1))
		if [ $allow_skip = 0 ]; then
			echo "not ok - $t skipped, but this harness provides everything it needs"
			fail=$((fail + 1))
		fi
	else
		pass=$((pass + 1))
	fi
done
if grep -qE "^(not )?ok $((${#tests[@]} + 1)) " "$out/ktap.txt"; then
	echo "not ok - more test reports than tests"
	fail=$((fail + 1))
fi

# The whole log: recorded from the first record (seq 0) without a gap, then scanned.
summary=$(grep -a '^rpo-kmsg-recorder: records' "$out/kmsg.txt" | tail -1)
if ! [[ $summary =~ records\ ([0-9]+)\ first\ 0\ last\ [0-9]+\ gaps\ 0$ ]] || [ "${BASH_REMATCH[1]}" = 0 ]; then
	echo "not ok - guest kernel log incomplete (${summary:-no recorder summary}; $out/kmsg.txt)"
	fail=$((fail + 1))
elif "$RPO_ROOT/scripts/scan-kernel-log.sh" "$out/kmsg.txt"; then
	echo "ok - guest kernel log clean (${summary#rpo-kmsg-recorder: })"
	pass=$((pass + 1))
else
	echo "not ok - guest kernel log shows trouble (full log: $out/kmsg.txt)"
	fail=$((fail + 1))
fi
if [ "$skip" -gt 0 ]; then echo "$pass passed, $fail failed, $skip skipped"; else echo "$pass passed, $fail failed"; fi
[ "$fail" = 0 ]
