#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# The demo, inside the VM: a burst of kernel messages on a slow console, first with the
# kernel's direct printing, then with rust_printk_offload. Read top to bottom.
. "$(dirname "$0")/../selftests/lib.sh"
setup_printk
N=200
say() { printf '\n\033[1m== %s\033[0m\n' "$*"; }

say "Guest: Linux $(uname -r), $(nproc) CPUs online: $(cat /sys/devices/system/cpu/online)"
say "A slow console: slow_console.ko, 32 us per character (about 1 ms per line)"
load_slow 32
grep -E 'slowcon|ttyS' /proc/consoles | sed 's/^/   /'

say "1. Without the module: $N printk()s (writes to /dev/kmsg), each one prints itself"
reset_capture
direct_us=$(timed_burst demo-direct $N)
echo "   the writer was held for ${direct_us} us ($((direct_us / N)) us per message)"

say "2. Load rust_printk_offload"
load_offload
dmesg | grep 'rust_printk_offload' | tail -3 | sed 's/^/   /'
echo "   its kthreads, one per CPU:"
ps -e -o pid=,psr=,comm= | awk '$3 ~ /^printk_offload\// { print "     " $0 }'

say "3. With the module: the same $N messages"
sleep 1
reset_capture
kthread0=$(ostat records_offloaded) sync0=$(ostat records_sync) entries0=$(ostat emergency_entries)
offload_us=$(timed_burst demo-offload $N)
echo "   the writer was held for ${offload_us} us ($((offload_us / N)) us per message)"
ratio_x10=$((direct_us * 10 / (offload_us > 0 ? offload_us : 1)))
echo "   => the printk caller got back $((ratio_x10 / 10)).$((ratio_x10 % 10))x sooner"
echo "   meanwhile the kthreads print in the background; waiting for the console..."
t0=$(now_ns)
wait_lines demo-offload $N 60 && echo "   all $N lines on the slow console after $((($(now_ns) - t0) / 1000000)) ms more"
if check_sequence demo-offload $N; then echo "   in order, each exactly once"; fi
echo "   records written by the kthreads: $(($(ostat records_offloaded) - kthread0)) ($(ostat consoles) consoles);" \
	"printed by the writer itself (emergency mode): $(($(ostat records_sync) - sync0));" \
	"emergency episodes: $(($(ostat emergency_entries) - entries0))"
echo "   the last lines the console received:"
capture | tail -3 | sed 's/^/     /'

say "4. The controls: kernel.printk_cpumask and the statistics"
M=/proc/sys/kernel/printk_cpumask
echo "   kernel.printk_cpumask = $(cat $M)   (CPUs whose kthreads may print)"
echo 1 >$M
echo "   after 'echo 1 > $M': $(cat $M)"
echo "   a malformed mask is refused and changes nothing:"
(echo 7-3 >$M) 2>&1 | sed 's/^/     /'
echo "   still: $(cat $M)"
reset_capture
burst demo-mask 50
wait_lines demo-mask 50 30 >/dev/null
echo "   50 more messages printed with the mask at CPU 1; /proc/sys/kernel/printk_offload/stats:"
grep -E '^(records_offloaded|records_sync|handoffs|max_backlog|max_wait_us|emergency|emergency_entries|starvations|cpu[0-9]+_records) ' \
	/proc/sys/kernel/printk_offload/stats | sed 's/^/     /'
echo "   who prints each console, and why (/proc/sys/kernel/printk_offload/consoles):"
sed 's/^/     /' /proc/sys/kernel/printk_offload/consoles
cat /sys/devices/system/cpu/possible >$M

say "5. Unload: the consoles go back to the kernel at the exact next record"
unload_offload
dmesg | grep 'rust_printk_offload: unloaded' | tail -1 | sed 's/^/   /'
rmmod slow_console
