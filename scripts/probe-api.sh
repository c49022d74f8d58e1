#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# Print the rustc `--cfg` flags that select the module's code for interfaces whose shape
# differs between 6.12.y releases, read from the tree's headers (Kbuild calls this):
#   probe-api.sh SRCTREE [OVERLAY]
# OVERLAY, if given, is an include directory searched before SRCTREE/include (as the
# bindings are generated with it first). An interface of unknown shape prints
# `--cfg rpo_api_unknown`, which stops the build with a message, and says which on stderr.
set -uo pipefail
srctree=$1 overlay=${2:-}

# header PATH: the file the compiler would include for <PATH>.
header() {
	if [ -n "$overlay" ] && [ -e "$overlay/$1" ]; then echo "$overlay/$1"; else echo "$srctree/include/$1"; fi
}

# syscore: `struct syscore` with `data` for the callbacks (`register_syscore()`), or the
# older `register_syscore_ops()` whose callbacks take no argument.
h=$(header linux/syscore_ops.h)
if grep -q '^extern void register_syscore(struct syscore \*' "$h" 2>/dev/null; then
	echo "--cfg rpo_syscore_data"
elif grep -q '^extern void register_syscore_ops(struct syscore_ops \*' "$h" 2>/dev/null; then
	:
else
	echo "probe-api: no register_syscore() or register_syscore_ops() in $h" >&2
	echo "--cfg rpo_api_unknown"
fi
