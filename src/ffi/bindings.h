/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Input to bindgen for rust_printk_offload: the C APIs the module needs beyond
 * kernel::bindings in 6.12. scripts/gen-bindings.sh turns this into
 * offload_bindings_generated.rs with the kernel's own C flags; struct layouts
 * therefore always match the tree the module is built against.
 */
#include <linux/console.h>
#include <linux/cpumask.h>
#include <linux/irq_work.h>
#include <linux/kallsyms.h>
#include <linux/kernel.h>
#include <linux/kmsg_dump.h>
#include <linux/kthread.h>
#include <linux/notifier.h>
#include <linux/panic_notifier.h>
#include <linux/percpu.h>
#include <linux/printk.h>
#include <linux/rcupdate_wait.h>
#include <linux/reboot.h>
#include <linux/sched.h>
#include <linux/sched/clock.h>
#include <linux/sched/stat.h>
#include <linux/smpboot.h>
#include <linux/srcu.h>
#include <linux/suspend.h>
#include <linux/syscore_ops.h>
#include <linux/task_work.h>
#include <linux/tick.h>
#include <linux/sysctl.h>
#include <linux/tracepoint.h>
#include <trace/events/printk.h>
