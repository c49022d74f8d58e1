#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# Scan a guest kernel log for trouble. Prints one line per finding; exits 1 if any.
#   scripts/scan-kernel-log.sh DMESG_FILE
# A test that provokes trouble on purpose brackets it with the lines
# "rpo-expected-trouble: begin expect=TEXT; (why)" and "rpo-expected-trouble: end", which
# it writes to /dev/kmsg right before and after. Inside a bracket, each report (a line of
# trouble and what follows it, up to the next line of trouble, "stack backtrace:" or
# "---[ end trace", at most 400 lines) is spared when one of its lines contains TEXT: a
# fixed string naming the one report expected (the WARNING's function, a lock of the
# lockdep chain; several may be given as expect=A|B;). Any other report inside is still
# found. A bracket without expect= spares nothing, and a bracket left open spares nothing
# either.
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
	'detected stalls on tasks'
	'hard LOCKUP'
	'NMI backtrace for cpu'
	'Kernel panic'
	'KASAN:'
	'Oops'
	'sleeping function called from invalid context'
)
scan=$(mktemp)
trap 'rm -f "$scan"' EXIT
awk -v pats="$(printf '%s\n' "${patterns[@]}")" '
	BEGIN { np = split(pats, pat, "\n") }
	function has(s, list, k,  i) {
		for (i = 1; i <= k; i++)
			if (list[i] != "" && index(s, list[i])) return 1
		return 0
	}
	# Ends the open report: printed for the scan, or held while its bracket is open.
	function close_report(  i) {
		for (i = 1; i <= nr; i++)
			if (spared) held[++n] = rep[i]; else print rep[i]
		nr = 0; spared = 0; open = 0
	}
	/rpo-expected-trouble: begin/ {
		close_report()
		if (inside) # the bracket before was left open: it spares nothing
			for (i = 1; i <= n; i++) print held[i]
		inside = 1; n = 0; ne = 0
		if (match($0, /expect=[^;]*;/))
			ne = split(substr($0, RSTART + 7, RLENGTH - 8), expect, "|")
		next
	}
	/rpo-expected-trouble: end/ { close_report(); inside = 0; n = 0; next }
	inside {
		if (has($0, pat, np)) { close_report(); open = 1 }
		if (open) {
			rep[++nr] = $0
			if (has($0, expect, ne)) spared = 1
			if (index($0, "stack backtrace:") || index($0, "---[ end trace") || nr >= 400)
				close_report()
			next
		}
	}
	{ print }
	END { close_report(); for (i = 1; i <= n; i++) print held[i] }' "$f" >"$scan"
found=0
for p in "${patterns[@]}"; do
	if hits=$(grep -F -- "$p" "$scan"); then
		found=1
		echo "kernel log: '$p':"
		head -3 <<<"$hits" | sed 's/^/    /'
	fi
done
exit $found
