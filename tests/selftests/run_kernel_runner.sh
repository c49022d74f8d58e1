#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# Runs the suite as installed by kselftest_install (KSFT_DIR/run_kselftest.sh, the
# kernel's own runner) inside the VM, with the whole kernel log recorded into
# OUTDIR/kmsg.txt by kmsg_record.py, as run_tests.sh does for the project's own runner.
# Usage: run_kernel_runner.sh OUTDIR KSFT_DIR [TEST...]   (default: every test)
set -u
out=$1 ksft=$2
shift 2
sel=()
for t in "$@"; do sel+=(-t "printk_offload:$t"); done
here=$(cd "$(dirname "$0")" && pwd)
: >"$out/kmsg.txt"
python3 "$here/kmsg_record.py" "$out/kmsg.txt" &
recorder=$!
cd "$ksft" || exit 1
./run_kselftest.sh "${sel[@]}"
rc=$?
kill -TERM $recorder
wait $recorder
exit $rc
