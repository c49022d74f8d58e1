/* SPDX-License-Identifier: GPL-2.0 */
/* bindgen input for the test-only modules (see scripts/gen-bindings.sh). */
#include <linux/console.h>
#include <linux/debugfs.h>
#include <linux/delay.h>
#include <linux/kstrtox.h>
#include <linux/sched/clock.h>
#include <linux/vmalloc.h>
#include <asm/irq_vectors.h>
#include <asm/nmi.h>
