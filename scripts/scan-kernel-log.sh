#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# Scan a guest kernel log for trouble. Prints one line per finding; exits 1 if any.
#   scripts/scan-kernel-log.sh DMESG_FILE
# A test that provokes trouble on purpose brackets it with the lines
# "rpo-expected-trouble: begin expect=TEXT; (why)" and "rpo-expected-trouble: end", which
# it writes to /dev/kmsg right before and after. Inside a bracket, only the lines that
# contain TEXT (a fixed string naming the one report expected: the WARNING's function, the
# lockdep chain's lock; several may be given as expect=A|B;) are not scanned: any other
# trouble inside is still found. A bracket without expect= spares nothing, and a bracket
# left open spares nothing either.
set -u
f=$1
[ -s "$f" ] || { echo "kernel log $f missing or empty"; exit 1; }
scan=$(mktemp)
trap 'rm -f "$scan"' EXIT
awk '
	/rpo-expected-trouble: begin/ {
		inside = 1; n = 0; ne = 0
		if (match($0, /expect=[^;]*;/))
			ne = split(substr($0, RSTART + 7, RLENGTH - 8), expect, "|")
		next
	}
	/rpo-expected-trouble: end/ { inside = 0; n = 0; next }
	inside {
		for (i = 1; i <= ne; i++)
			if (expect[i] != "" && index($0, expect[i])) { held[++n] = $0; next }
	}
	{ print }
	END { for (i = 1; i <= n; i++) print held[i] }' "$f" >"$scan"
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
	'detected stalls on tasks'
	'hard LOCKUP'
	'NMI backtrace for cpu'
	'Kernel panic'
	'KASAN:'
	'Oops'
	'sleeping function called from invalid context'
)
found=0
for p in "${patterns[@]}"; do
	if hits=$(grep -F -- "$p" "$scan"); then
		found=1
		echo "kernel log: '$p':"
		head -3 <<<"$hits" | sed 's/^/    /'
	fi
done
exit $found
