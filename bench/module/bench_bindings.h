/* SPDX-License-Identifier: GPL-2.0 */
/* Input to bindgen for the benchmark module (bench/module/rpo_bench.rs). */
#include <linux/cpumask.h>
#include <linux/debugfs.h>
#include <linux/delay.h>
#include <linux/fs.h>
#include <linux/kthread.h>
#include <linux/sched.h>
#include <linux/timekeeping.h>
#include <linux/vmalloc.h>
