#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# Generate the module-local Rust bindings with bindgen, using the exact C flags the kernel
# used for its own bindings (saved by Kbuild in rust/bindings/.bindings_generated.rs.cmd).
#   gen-bindings.sh KDIR HEADER OUTPUT [FILES_REGEX TYPES_REGEX FUNCS_REGEX]
# Without the optional regexes, the allowlist is the offload module's own.
set -euo pipefail
kdir=$(cd "$1" && pwd) header=$(realpath "$2") out=$(realpath -m "$3")
cmdfile=$kdir/rust/bindings/.bindings_generated.rs.cmd
[ -f "$cmdfile" ] || { echo "gen-bindings: $cmdfile missing: is $kdir a built CONFIG_RUST=y tree?" >&2; exit 1; }

# Everything after " -- " up to the "; sed ..." post-processing is the clang command line
# (shell-quoted, e.g. -DKBUILD_MODNAME='"x"'); drop the dependency file and the
# kernel-object name defines.
cflags=$(sed -n 's/^savedcmd_[^ ]* := .* -- //p' "$cmdfile" | head -1 | sed 's/ ; .*$//')
[ -n "$cflags" ] || { echo "gen-bindings: no C flags found in $cmdfile" >&2; exit 1; }
cflag_arr=()
eval "cflag_arr=($cflags)"
# RPO_API_OVERLAY: an include directory searched before the tree's (scripts/probe-api.sh).
clean=(${RPO_API_OVERLAY:+"-I$RPO_API_OVERLAY"})
for f in "${cflag_arr[@]}"; do
	case $f in -Wp,-MMD,* | -DKBUILD_* | -D__KBUILD_MODNAME=*) ;; *) clean+=("$f") ;; esac
done

# Only these headers' items; types they use from elsewhere come from kernel::bindings.
files=${4:-'.*/include/(linux/(console|cpumask|irq_work|irq_work_types|kmsg_dump|smpboot|smp_types|srcu|srcutree|sysctl|syscore_ops|task_work|tracepoint|tracepoint-defs|printk|rcupdate_wait)|trace/events/printk)\.h'}
types=${5:-'vesa_blank_mode|system_states'}
funcs=${6:-'register_pm_notifier|unregister_pm_notifier|register_reboot_notifier|unregister_reboot_notifier|atomic_notifier_chain_register|atomic_notifier_chain_unregister|wake_up_process|pcpu_alloc_noprof|free_percpu|synchronize_rcu|synchronize_srcu|ktime_get_mono_fast_ns|local_clock|sched_set_normal|usleep_range_state|single_task_running|get_cpu_idle_time_us|kthread_should_park|sprint_symbol'}
# The crates include the output as a module of its own (`#[path] mod bindings;`); generated
# code is exempt from the lints the kernel build turns into errors.
lints='non_camel_case_types, non_upper_case_globals, non_snake_case, improper_ctypes,
	unreachable_pub, unused_imports, missing_docs, dead_code, unsafe_op_in_unsafe_fn,
	clippy::all, clippy::undocumented_unsafe_blocks, rustdoc::all'
lints=$(tr -s ' \t\n' ' ' <<<"$lints")
cd "$kdir"
bindgen "$header" \
	--allowlist-file "$files" --no-recursive-allowlist \
	--allowlist-type "$types" \
	--allowlist-var '__tracepoint_console|__cpu_online_mask|__cpu_possible_mask|__per_cpu_offset|nr_cpu_ids|console_printk|tracepoint_srcu|oops_in_progress|system_state|panic_notifier_list|PM_.*_(PREPARE|SUSPEND|HIBERNATION|RESTORE)' \
	--allowlist-function "$funcs" \
	--blocklist-function 'trace_console|register_trace_console|unregister_trace_console|.*trace_console.*' \
	--raw-line "#![allow($lints)]" \
	--raw-line 'pub use kernel::bindings::*;' \
	--use-core --with-derive-default --ctypes-prefix kernel::ffi --no-layout-tests \
	--no-doc-comments --opaque-type spinlock --opaque-type srcu_struct \
	-o "$out.tmp" -- "${clean[@]}" -DMODULE
mv "$out.tmp" "$out"
