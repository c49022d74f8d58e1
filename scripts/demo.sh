#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# `make demo`: set everything up (packages, kernel, module), boot a VM, show the module.
set -euo pipefail
. "$(dirname "$0")/env.sh"
cd "$RPO_ROOT"
scripts/setup.sh
kdir=$(scripts/kernel.sh test)
rpo_log "building the module and the slow test console against $kdir"
make -s KDIR="$kdir" modules test-modules >"$RPO_CACHE/module-build.log" 2>&1 ||
	{ cat "$RPO_CACHE/module-build.log"; rpo_die "module build failed"; }
rpo_log "booting the VM (TCG emulation: about 10-20 s)"
scripts/vm.sh --kernel test --cpus 2 --append kmemleak=off -- "$RPO_ROOT/tests/demo/guest_demo.sh"
