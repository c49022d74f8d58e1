#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# Exactly one printk_offload/N kthread per online CPU after load, at nice -10; none after
# unload.
. "$(dirname "$0")/lib.sh"
setup_printk
threads() { ps -e -o comm= | awk '/^printk_offload\// { print }' | sort; }
load_offload
want=$(tr ',' '\n' </sys/devices/system/cpu/online | while IFS=- read -r a b; do seq "$a" "${b:-$a}"; done | sed 's|^|printk_offload/|' | sort)
have=$(threads)
log "online: $(tr '\n' ' ' <<<"$want")"
log "threads: $(tr '\n' ' ' <<<"$have")"
[ "$have" = "$want" ] || fail "kthreads do not match the online CPUs"
# They run at nice -10 (set when each first runs; docs/design.md 6.2 says why not -20).
sleep 0.5
nice_bad=$(ps -e -o ni=,comm= | awk '$2 ~ /^printk_offload\// && $1 != -10 {print $2 "=" $1}')
[ -z "$nice_bad" ] || fail "kthreads not at nice -10: $nice_bad"
unload_offload
sleep 0.5
[ -z "$(threads)" ] || fail "kthreads left after unload: $(threads | tr '\n' ' ')"
