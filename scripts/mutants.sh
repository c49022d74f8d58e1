#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# `make mutants`: every patch in tests/mutants/ is one deliberate defect. Each is applied
# to a fresh copy of the repository, built, and run against the tests its header names;
# the defect is caught if one of them fails. Prints a table (defect, tests run, caught by,
# time) and writes it to tests/mutants/RESULTS.md; exits non-zero if a defect survived, a
# patch no longer applies, or a mutant does not build.
#   scripts/mutants.sh [NAME...]      (default: every tests/mutants/*.patch)
# With names, only those run, and their rows replace theirs in RESULTS.md (the others
# stay, with the commit and date they were run at).
# A patch starts with a header, then the diff:
#   Defect: what is wrong       (one line)
#   Section: where docs/design.md promises otherwise
#   Tests: host | loom | vm:a.sh,b.sh | crash:WHAT | console:NAME  (space-separated)
#   Append: kernel command line arguments for the vm: tests (optional)
# Not part of `make check`: each VM test is a boot of its own (minutes under TCG).
set -uo pipefail
. "$(dirname "$0")/env.sh"
cd "$RPO_ROOT" || exit 1
kdir=$(rpo_kdir test) || { echo "mutants: no test kernel" >&2; exit 1; }
if [ $# -gt 0 ]; then
	patches=()
	for n in "$@"; do patches+=("tests/mutants/${n%.patch}.patch"); done
else
	patches=(tests/mutants/*.patch)
fi
head_field() { sed -n "s/^$2: //p" "$1" | head -1; }
results=$(mktemp)
rev=$(git rev-parse --short HEAD)$(git diff --quiet HEAD || echo '+')
t_all=$SECONDS
for p in "${patches[@]}"; do
	name=$(basename "$p" .patch) t0=$SECONDS
	defect=$(head_field "$p" Defect) tests=$(head_field "$p" Tests) append=$(head_field "$p" Append)
	work=$(mktemp -d /tmp/rpo-mutant.XXXXXX)
	# The committed tree with the working tree's changes, without build products.
	git ls-files -z --cached --others --exclude-standard | tar -cf - --null -T - | tar -xf - -C "$work"
	verdict="" by=()
	if ! git -C "$work" apply "$RPO_ROOT/$p" 2>"$work/apply.log" && ! (cd "$work" && patch -p1 -s <"$RPO_ROOT/$p" >>"$work/apply.log" 2>&1); then
		verdict="PATCH DOES NOT APPLY"
	elif ! make -s -C "$work" KDIR="$kdir" RPO_TEST_HOOKS=1 modules test-modules >"$work/build.log" 2>&1; then
		verdict="DOES NOT BUILD"
	fi
	if [ -z "$verdict" ]; then
		for t in $tests; do
			log="$work/${t//[:\/,]/_}.log" rc=0
			case $t in
			host) (cd "$work/tests/host" && CARGO_TARGET_DIR="$RPO_CACHE/cargo/mutant-host" cargo test --release) >"$log" 2>&1 || rc=$? ;;
			loom) (cd "$work/tests/host" && RUSTFLAGS="--cfg loom" CARGO_TARGET_DIR="$RPO_CACHE/cargo/mutant-loom" \
				LOOM_MAX_PREEMPTIONS=3 cargo test --release) >"$log" 2>&1 || rc=$? ;;
			vm:*)
				IFS=, read -r -a vt <<<"${t#vm:}"
				"$work/scripts/vm-test.sh" ${append:+--append "$append"} "${vt[@]}" >"$log" 2>&1 || rc=$?
				;;
			crash:*) "$work/scripts/crash-test.sh" "${t#crash:}" >"$log" 2>&1 || rc=$? ;;
			console:*) "$work/scripts/console-test.sh" "${t#console:}" >"$log" 2>&1 || rc=$? ;;
			*) echo "unknown test kind '$t'" >"$log"; rc=2 ;;
			esac
			if [ $rc != 0 ]; then
				by+=("$t")
				# The first failure line, as evidence.
				grep -m1 -E '^(# )?FAIL|^(not ok|test .* FAILED)|panicked at' "$log" | cut -c1-160 | sed "s/^/    $name: /"
			fi
		done
		if [ ${#by[@]} -gt 0 ]; then verdict="caught"; else verdict="SURVIVED"; fi
	fi
	case $verdict in
	caught | SURVIVED) ;;
	*) sed 's/^/    /' "$work"/*.log | tail -20 ;;
	esac
	row="| \`$name\` | $defect | $tests | ${by[*]:-—} | $verdict | $((SECONDS - t0)) s | $rev, $(date -u +%Y-%m-%d) |"
	echo "$row"
	echo "$row" >>"$results"
	# A survivor's copy and test logs stay, to see what the tests saw.
	if [ "$verdict" = caught ]; then rm -rf "$work"; else echo "    $name: logs kept in $work"; fi
done
# The rows of earlier runs for the mutants not run now, then this run's; in name order.
old=tests/mutants/RESULTS.md
if [ -e $old ]; then
	kept=$(mktemp)
	grep '^| `' $old | while IFS= read -r line; do
		n=${line#| \`} n=${n%%\`*}
		# Not the rows of patches removed since.
		[ -e "tests/mutants/$n.patch" ] || continue
		grep -qF "| \`$n\` |" "$results" || echo "$line"
	done >"$kept"
	cat "$kept" >>"$results"
	rm -f "$kept"
fi
sort -o "$results" "$results"
caught=$(grep -c '| caught |' "$results") survived=$(grep -c '| SURVIVED |' "$results")
broken=$(($(grep -c . "$results") - caught - survived))
{
	echo "# Mutants: seeded defects and the tests that catch them"
	echo
	echo "Written by \`make mutants\` (\`scripts/mutants.sh\`). Each row: the patch in this directory,"
	echo "the tests its header names, those that failed on it, and the commit (\`+\`: with local"
	echo "changes) and date of the run. The last run took $((SECONDS - t_all)) s on $(nproc) CPUs (VM tests"
	echo "under TCG)."
	echo
	echo "| mutant | defect | tests run | caught by | verdict | time | run at |"
	echo "|---|---|---|---|---|---|---|"
	cat "$results"
	echo
	echo "$caught caught, $survived survived, $broken broken (patch stale or build failed)."
} >tests/mutants/RESULTS.md
rm -f "$results"
echo "$caught caught, $survived survived, $broken broken"
[ "$survived" = 0 ] && [ "$broken" = 0 ]
