#!/usr/bin/env bash
# Scan a guest kernel log for trouble. Prints one line per finding; exits 1 if any.
#   scripts/scan-kernel-log.sh DMESG_FILE
set -u
f=$1
[ -s "$f" ] || { echo "kernel log $f missing or empty"; exit 1; }
patterns=(
	'WARNING:'
	'BUG:'
	'possible circular locking'
	'possible recursive locking'
	'inconsistent lock state'
	'INFO: lockdep'
	'suspicious RCU usage'
	'watchdog: BUG: soft lockup'
	'blocked for more than'
	'rcu: INFO:'
	'self-detected stall'
	'Kernel panic'
	'KASAN:'
	'Oops'
	'sleeping function called from invalid context'
)
found=0
for p in "${patterns[@]}"; do
	if hits=$(grep -F -- "$p" "$f"); then
		found=1
		echo "kernel log: '$p':"
		head -3 <<<"$hits" | sed 's/^/    /'
	fi
done
exit $found
