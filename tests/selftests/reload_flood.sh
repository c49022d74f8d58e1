#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# Load and unload the module 10 times during a flood: nothing lost or duplicated.
# Slab and per-CPU memory are reported, not asserted: on this KASAN kernel the quarantine
# keeps freed slab objects (up to 1/32 of RAM), so slab counts cannot tell a leak;
# leak_reload.sh does the same cycles under kmemleak, in a boot of its own.
. "$(dirname "$0")/lib.sh"
setup_printk
mem() { awk -v k="$1:" '$1 == k {print $2}' /proc/meminfo; }
load_slow 1
# Warm up once so first-load allocations (module text, sysfs) do not count as a leak.
load_offload; unload_offload
sleep 1
su0=$(mem SUnreclaim) pc0=$(mem Percpu)
reset_capture
CYCLES=10
reload_during_flood rpo-reload $CYCLES
n=$RELOAD_LINES
sleep 2
su1=$(mem SUnreclaim) pc1=$(mem Percpu)
log "$CYCLES load/unload cycles during a flood of $n lines: each once, in order"
log "measured, not asserted (KASAN quarantine): SUnreclaim ${su0} -> ${su1} kB, Percpu ${pc0} -> ${pc1} kB"
rmmod slow_console
