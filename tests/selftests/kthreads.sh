#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# Exactly one printk_offload/N kthread per online CPU after load, at nice -20; none after
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
# Like upstream's printer threads, they run at nice -20 (set when each first runs).
sleep 0.5
nice_bad=$(ps -e -o ni=,comm= | awk '$2 ~ /^printk_offload\// && $1 != -20 {print $2 "=" $1}')
[ -z "$nice_bad" ] || fail "kthreads not at nice -20: $nice_bad"
unload_offload
sleep 0.5
[ -z "$(threads)" ] || fail "kthreads left after unload: $(threads | tr '\n' ' ')"
