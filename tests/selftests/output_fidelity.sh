#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# What reaches a console with the module is what reaches it without, byte for byte
# (timestamps aside): the same sequence of records (fidelity_sequence.py: every level at
# the default and at a quiet console loglevel, sysrq help and a sysrq loglevel change,
# which raise the loglevel for their own lines only, with continuation lines, printk.time
# off and on, a record whose console text passes 2 KiB) is captured by the slow console
# once without the module and with it (consoles written with interrupts on, then off:
# irqs_on_write), and the captures must be equal. The slow console counts the writes made
# with interrupts off and with softirqs off: the kernel makes every write with interrupts
# off; the module, with irqs_on_write 1, none (slow_console's driver allows it), and with
# 0, every one. In a boot
# with console_msg_format=syslog (make check runs one) the consoles show syslog
# prefixes, and so must the capture with the module.
. "$(dirname "$0")/lib.sh"
setup_printk
[ -w /proc/sysrq-trigger ] || skip "no /proc/sysrq-trigger (CONFIG_MAGIC_SYSRQ)"
TAG=rpo-fidelity
# capture_sequence FILE: run the sequence, wait for its end, save the capture with the
# timestamps masked, and in CTX the writes it took and how many of them were made with
# interrupts off and with softirqs off.
capture_sequence() {
	local w0 i0 b0
	w0=$(cat $DBG/writes) i0=$(cat $DBG/writes_irqs_off) b0=$(cat $DBG/writes_bh_off)
	reset_capture
	python3 "$(dirname "$0")/fidelity_sequence.py" $TAG || fail "the sequence failed"
	local _
	for _ in $(seq 300); do
		capture | grep -q "] $TAG end\$" && break
		sleep 0.2
	done
	capture | grep -q "] $TAG end\$" || fail "the sequence did not reach the console"
	capture | sed -E 's/\[ *[0-9]+\.[0-9]{6}\]/[T]/g' >"$1"
	CAP_BYTES=$(capture | wc -c)
	CTX="$(($(cat $DBG/writes) - w0)) $(($(cat $DBG/writes_irqs_off) - i0)) $(($(cat $DBG/writes_bh_off) - b0))"
}
# check_ctx WHAT IRQS_OFF BH_OFF: CTX is "writes irqs-off bh-off"; each expected count is
# "all" or "none".
check_ctx() {
	local what=$1 n i bh
	read -r n i bh <<<"$CTX"
	[ "$n" -gt 0 ] || fail "$what: no write counted"
	[ "$2" = all ] && [ "$i" != "$n" ] && fail "$what: $i of $n writes with interrupts off, not all"
	[ "$2" = none ] && [ "$i" != 0 ] && fail "$what: $i of $n writes with interrupts off, not none"
	[ "$3" = all ] && [ "$bh" != "$n" ] && fail "$what: $bh of $n writes with softirqs off, not all"
	[ "$3" = none ] && [ "$bh" != 0 ] && fail "$what: $bh of $n writes with softirqs off, not none"
	log "$what: $n writes, $i with interrupts off, $bh with softirqs off"
}
load_slow 0
stock=$(mktemp) offload=$(mktemp) offload_irqs_off=$(mktemp)
capture_sequence "$stock"
check_ctx "without the module" all any
log_mark
load_offload
log_since | grep -q 'rust_printk_offload: took over console slowcon0' || fail "slowcon0 not taken over"
log_since | grep -q 'took over console slowcon0 (its driver allows writes with interrupts on)' ||
	fail "slowcon0 not recognised as a driver that allows writes with interrupts on"
sync0=$(ostat records_sync) em0=$(ostat emergency_entries) off0=$(ostat records_offloaded)
bytes0=$(ostat bytes_offloaded)
capture_sequence "$offload"
ctx_on=$CTX cap_bytes=$CAP_BYTES
# And with every console written with interrupts off.
put 0 /proc/sys/kernel/printk_offload/irqs_on_write
capture_sequence "$offload_irqs_off"
ctx_off=$CTX cap_bytes=$((cap_bytes + CAP_BYTES))
put 1 /proc/sys/kernel/printk_offload/irqs_on_write
# The capture with the module must be the module's: no emergency mode, nothing printed
# by the kernel for the consoles it holds (records_sync), records offloaded.
[ "$(ostat emergency_entries)" = "$em0" ] || fail "emergency mode during the sequence"
[ "$(ostat records_sync)" = "$sync0" ] ||
	fail "$(($(ostat records_sync) - sync0)) records printed synchronously during the sequence"
[ "$(ostat records_offloaded)" -gt "$off0" ] || fail "no record offloaded during the sequence"
# bytes_offloaded counts what the module wrote to every console it holds: at least what
# slowcon0 captured, at most that for each held console and a little for the kernel's
# own lines in between.
held=$(ostat consoles)
bytes=$(($(ostat bytes_offloaded) - bytes0))
log "bytes_offloaded +$bytes over $held consoles, slowcon0 captured $cap_bytes"
[ "$bytes" -ge "$cap_bytes" ] || fail "bytes_offloaded grew by $bytes, slowcon0 alone captured $cap_bytes"
[ "$bytes" -le $((held * cap_bytes + 16384)) ] ||
	fail "bytes_offloaded grew by $bytes, over $held consoles of $cap_bytes bytes each"
# So every write counted is the module's: none with interrupts or softirqs off when the
# driver allows it, all with both off when irqs_on_write is 0.
CTX=$ctx_on check_ctx "irqs_on_write 1" none none
CTX=$ctx_off check_ctx "irqs_on_write 0" all all
unload_offload
rmmod slow_console
# The sequence must exercise what it claims to, or equality proves nothing.
for want in "sysrq: HELP" "Loglevel set to 5" "$TAG quiet level 3" "$TAG without a timestamp" \
	"$TAG long line 001" "$TAG at loglevel 5, level 4" "] $TAG short multi-line, third"; do
	grep -qF -- "$want" "$stock" || fail "the stock capture lacks '$want'"
done
grep -qF -- "$TAG quiet level 4" "$stock" && fail "the stock capture shows a level-4 line at loglevel 4"
grep -q "$TAG long line 125" "$stock" && fail "the long record was not cut: it does not test the buffer size"
for f in "$offload" "$offload_irqs_off"; do
	if ! cmp -s "$stock" "$f"; then
		diff "$stock" "$f" | head -60 | sed 's/^/  /'
		fail "console output with the module differs from the kernel's own" \
			"($([ "$f" = "$offload" ] && echo "irqs_on_write 1" || echo "irqs_on_write 0"))"
	fi
done
format=default
grep -q 'console_msg_format=syslog' /proc/cmdline && format=syslog
[ $format = default ] || grep -q '^<[0-9]*>' "$stock" || fail "console_msg_format=syslog, yet no syslog prefix"
log "$(wc -l <"$stock") console lines ($format format), identical with and without the module"
rm -f "$stock" "$offload" "$offload_irqs_off"
