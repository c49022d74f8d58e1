#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# No leak across load/unload: load/unload cycles during a flood, then kmemleak must
# report no unreferenced object allocated since the start. Needs a boot with kmemleak=on
# (make check runs it in a boot of its own); skips otherwise. A deliberately leaking test
# module shows first that kmemleak does report a module's leak here. (Slab counts cannot show a
# leak on this KASAN kernel: its quarantine holds freed objects.) kmemleak records a stack
# trace per allocation, which under TCG with KASAN makes a load/unload cycle take seconds:
# 4 cycles here (reload_flood.sh does 10 cycles without kmemleak).
# kselftest-timeout=900
. "$(dirname "$0")/lib.sh"
setup_printk
K=/sys/kernel/debug/kmemleak
{ [ -e $K ] && echo scan >$K 2>/dev/null; } || skip "kmemleak not active (boot with kmemleak=on)"
# settle_and_scan: kmemleak reports only objects older than 5 s, and a second scan confirms.
# A scan that fails means kmemleak disabled itself: its report would then be empty, which
# must not read as "no leak".
settle_and_scan() {
	sleep 6
	{ echo scan >$K && sleep 1 && echo scan >$K; } ||
		fail "kmemleak scan failed (disabled itself?): $(dmesg | grep -i kmemleak | tail -1)"
}
# Negative control: a module that leaks LEAKED objects filled with 'Z' (0x5a) must be reported,
# or this test could not see a leak at all. (kmemleak shows the slab size, not the 3000
# bytes asked for; the fill is what identifies an object in its hex dump, whose first 32
# bytes are two lines of 16 'Z'. A stale pointer can hide the last object for a while:
# see leaky.rs.)
LEAKED=8 # leaky.rs: LEAK_COUNT
load_module leaky
rmmod leaky
settle_and_scan
found=$(($(grep -c 'ZZZZZZZZZZZZZZZZ' $K || true) / 2))
if [ "$found" = 0 ]; then
	dmesg | grep -i kmemleak | tail -5 | sed 's/^/  /'
	grep -c '^unreferenced object' $K | sed 's/^/  unreferenced objects reported: /'
	fail "negative control: kmemleak reported none of leaky.ko's $LEAKED deliberately leaked objects"
fi
log "negative control: kmemleak reports $found of leaky.ko's $LEAKED deliberately leaked objects"
echo clear >$K
load_slow 1
# Warm up once: the first load's one-off allocations (sysfs, kernfs) are not a leak.
load_offload; unload_offload
echo scan >$K
echo clear >$K
reset_capture
CYCLES=4
reload_during_flood rpo-leak $CYCLES
n=$RELOAD_LINES
settle_and_scan
leaks=$(grep -c '^unreferenced object' $K || true)
if [ "$leaks" != 0 ]; then
	head -80 $K | sed 's/^/  /'
	fail "kmemleak: $leaks unreferenced object(s) after $CYCLES load/unload cycles"
fi
echo scan >$K || fail "kmemleak no longer scanning after the check: $(dmesg | grep -i kmemleak | tail -1)"
log "$CYCLES load/unload cycles during a flood of $n lines: each once, in order; kmemleak: no leak (still enabled after the check)"
rmmod slow_console
