#!/usr/bin/env bash
# No leak across load/unload: load/unload cycles during a flood, then kmemleak must
# report no unreferenced object allocated since the start. Needs a boot with kmemleak=on
# (make check runs it in a boot of its own); skips otherwise. (Slab counts cannot show a
# leak on this KASAN kernel: its quarantine holds freed objects.) kmemleak records a stack
# trace per allocation, which under TCG with KASAN makes a load/unload cycle take seconds:
# 10 cycles here (reload_flood.sh does the 50 cycles without kmemleak).
# kselftest-timeout=900
. "$(dirname "$0")/lib.sh"
setup_printk
K=/sys/kernel/debug/kmemleak
[ -e $K ] && echo scan >$K 2>/dev/null || skip "kmemleak not active (boot with kmemleak=on)"
load_slow 1
# Warm up once: the first load's one-off allocations (sysfs, kernfs) are not a leak.
load_offload; unload_offload
echo scan >$K
echo clear >$K
reset_capture
flood_start rpo-leak
for r in $(seq 1 10); do
	insmod "$MOD" || fail "insmod #$r"
	sleep 0.1
	rmmod rust_printk_offload || fail "rmmod #$r"
done
n=$(flood_stop)
wait_lines rpo-leak "$n" 120 || fail "lines missing"
check_sequence rpo-leak "$n" || fail "duplicate, missing or reordered line"
# kmemleak reports only objects older than 5 s, and a second scan confirms.
sleep 6
echo scan >$K
sleep 1
echo scan >$K
leaks=$(grep -c '^unreferenced object' $K || true)
if [ "$leaks" != 0 ]; then
	head -80 $K | sed 's/^/  /'
	fail "kmemleak: $leaks unreferenced object(s) after 10 load/unload cycles"
fi
log "10 load/unload cycles during a flood of $n lines: each once, in order; kmemleak: no leak"
rmmod slow_console
