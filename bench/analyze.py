#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
# Turns the raw results of bench/guest_bench.sh into the JSON summary, a Markdown table and
# a plot of the caller-latency tails, and prints the headline last.
#   analyze.py RAW OUT.json OUT.md OUT.png
# RAW is a directory with one boot<i>/ subdirectory per boot (or the files of one boot), or
# bench/results/raw.tar.xz (the same, compressed). Each boot holds every kernel variant's
# files. Caller latencies are pooled over the boots, with 95% bootstrap intervals that
# resample blocks of consecutive calls (bench/benchstats.py); paired ratios are per boot.
# Other figures are the median over the boots, with the spread (min..max).
import datetime
import glob
import json
import os
import platform
import statistics
import sys
import tarfile
import tempfile
from array import array

from benchstats import apart_below, blocks, bootstrap, enough, na, pct

src, out_json, out_md, out_png = sys.argv[1:5]
if os.path.isfile(src):
    tmp = tempfile.TemporaryDirectory()
    with tarfile.open(src) as t:
        t.extractall(tmp.name, filter="data") if hasattr(tarfile, "data_filter") else t.extractall(tmp.name)
    src = tmp.name
BOOT_DIRS = sorted(glob.glob(os.path.join(src, "boot*")), key=lambda p: int(p.rsplit("boot", 1)[1] or 0)) or [src]

DELAYS = ["100us", "10us"]
# Columns: our three modes on the release kernel, then upstream's threaded printing
# (PREEMPT_RT, direct mode) and the RT kernel's no-console baseline.
COLUMNS = [
    ("none", "release", "none"),
    ("direct", "release", "direct"),
    ("offload", "release", "offload"),
    ("rt_direct", "rt", "direct"),
    ("rt_none", "rt", "none"),
]
NAMES = {
    "none": "none (no console)",
    "direct": "direct (stock 6.12)",
    "offload": "offload (this module)",
    "rt_direct": "PREEMPT_RT direct (upstream pr/legacy)",
    "rt_none": "PREEMPT_RT none",
}
DETECTORS = ("soft", "hard", "rcu", "hung")


def read_events(d):
    events = []
    for path in sorted(glob.glob(os.path.join(d, "*.events"))):
        with open(path) as f:
            for line in f:
                events.append(dict(tok.split("=", 1) for tok in line.split() if "=" in tok))
    return events


def find(events, **want):
    for e in events:
        if all(e.get(k) == v for k, v in want.items()):
            return e
    return None


def samples(d, prefix):
    """Every u32 sample of one run (one file, or one file per writer CPU)."""
    vals = array("I")
    pattern = prefix if prefix.endswith(".u32") else prefix + "*.u32"
    for path in sorted(glob.glob(os.path.join(d, pattern))):
        with open(path, "rb") as f:
            vals.frombytes(f.read())
    return sorted(vals)


def series(d, e):
    """The run's samples per writer, in call order: a kernel run's file holds per_thread
    samples of each kthread in turn; a user run has one file per writer."""
    out, n = [], num(e, "per_thread")
    single = e["file"].endswith(".u32")
    for path in sorted(glob.glob(os.path.join(d, e["file"] if single else e["file"] + "*.u32"))):
        a = array("I")
        with open(path, "rb") as f:
            a.frombytes(f.read())
        if single and n:
            out += [a[i:i + n] for i in range(0, len(a), n)]
        else:
            out.append(a)
    return out


def summary(v):
    if not v:
        return None
    return {"n": len(v), "p50": pct(v, 50), "p99": pct(v, 99), "p999": pct(v, 99.9), "p9999": pct(v, 99.99), "max": v[-1]}


def num(e, key):
    try:
        return int(e[key])
    except (TypeError, KeyError, ValueError):
        return None


def stats_file(d, variant, name):
    """The module's statistics saved after a run, as a dict (empty if none)."""
    out = {}
    path = os.path.join(d, f"{variant}-{name}-stats.txt")
    if os.path.exists(path):
        for line in open(path):
            parts = line.split()
            if len(parts) == 2 and parts[1].isdigit():
                out[parts[0]] = int(parts[1])
    return out


def env(d, variant):
    info = {}
    path = os.path.join(d, variant + ".env")
    if os.path.exists(path):
        for line in open(path):
            k, _, v = line.rstrip("\n").partition("=")
            info[k] = v
    return info


def one_boot(d):
    """Every figure of one boot, and the raw latency samples (for the plot)."""
    events = read_events(d)
    b = {"latency_ns": {}, "latency_user_ns": {}, "throughput_ratio": {}, "throughput_runs": {},
         "busy_fraction": {}, "placement": {}, "lockups": {}, "print_delay_us": {}, "lost": {}, "delivery": {}}
    curves, writers = {}, {}
    for delay in DELAYS:
        for srcname, key in (("kernel", "latency_ns"), ("user", "latency_user_ns")):
            for col, variant, mode in COLUMNS:
                e = find(events, variant=variant, kind="latency", src=srcname, delay_us=delay[:-2], mode=mode)
                if not e:
                    continue
                vals = samples(d, e["file"])
                if vals:
                    b[key].setdefault(delay, {})[col] = summary(vals)
                    curves[(delay, srcname, col)] = vals
                    writers[(key, delay, col)] = series(d, e)
                if "lost" in e:
                    b["lost"].setdefault(col, {}).setdefault(delay, {})[srcname] = num(e, "lost")
                    b["delivery"].setdefault(f"{srcname}_{delay}", {})[col] = {
                        k: num(e, k) for k in ("written", "received", "lost", "duplicates", "out_of_order", "dropped_announced")
                    }
    for col, variant, mode in COLUMNS:
        if mode == "none":
            continue
        runs = [e for e in events if e.get("variant") == variant and e.get("kind") == "throughput" and e.get("mode") == mode]
        if runs:
            cap = [num(e, "bytes") / (num(e, "ns") / 1e9) / (1e6 / int(e["delay_us"])) for e in runs]
            b["throughput_runs"][col] = [round(r, 4) for r in cap]
            b["throughput_ratio"][col] = round(statistics.median(cap), 4)
            b["busy_fraction"][col] = round(statistics.median(num(e, "busy_ns") / num(e, "ns") for e in runs), 4)
            if mode == "offload":
                st = [stats_file(d, variant, f"throughput-{mode}-{e['rep']}") for e in runs]
                b["placement"][col] = {k: [s.get(k) for s in st] for k in ("slices", "slices_kept", "handoffs", "max_backlog")}
                # Who printed the flood: the module's kthreads, or the kernel in the
                # callers (under backpressure).
                share = [s["records_offloaded"] / (s["records_offloaded"] + s["records_sync"]) for s in st
                         if s.get("records_offloaded", 0) + s.get("records_sync", 0)]
                if share:
                    b["throughput_module_share"] = round(statistics.median(share), 4)
        e = find(events, variant=variant, kind="paced", mode=mode)
        if e:
            b["lost"].setdefault(col, {})["paced_100us"] = num(e, "lost")
            b["print_delay_us"].setdefault(col, {})["paced"] = {k: num(e, "delay_" + k + "_us") for k in ("p50", "p99", "max")}
    for col, variant, mode in COLUMNS:
        for e in events:
            if e.get("variant") == variant and e.get("kind") == "lockups" and e.get("mode") == mode and "workload" in e:
                w = e["workload"]
                b["lockups"].setdefault(col, {})[w] = {k: num(e, k) for k in DETECTORS + ("reports", "run_ms", "calls", "lost")}
                # How long a caller could not be preempted: the sum of its calls' latencies
                # (one block of per_thread samples per kthread), the longest of them.
                blob, n = array("I"), num(e, "per_thread")
                path = os.path.join(d, e.get("file", ""))
                if n and os.path.isfile(path):
                    with open(path, "rb") as f:
                        blob.frombytes(f.read())
                    sums = [sum(blob[i:i + n]) for i in range(0, len(blob), n)]
                    b["lockups"][col][w]["section_ms"] = round(max(sums) / 1e6, 1) if sums else None
                if mode != "none":
                    b["print_delay_us"].setdefault(col, {})["lockups_" + w] = {
                        k: num(e, "delay_" + k + "_us") for k in ("p50", "p99", "max")
                    }
    return b, curves, writers


boots, pooled, units = [], {}, {}
for d in BOOT_DIRS:
    b, curves, writers = one_boot(d)
    b["dir"] = os.path.basename(d)
    boots.append(b)
    for k, v in curves.items():
        pooled.setdefault(k, []).extend(v)
    for k, v in writers.items():
        units.setdefault(k, []).append(v)


def across(get):
    """Median and spread over the boots of the figure get(boot) (None where absent)."""
    vals = []
    for b in boots:
        try:
            v = get(b)
        except (KeyError, TypeError, IndexError):
            v = None
        if v is not None:
            vals.append(v)
    if not vals:
        return None
    return {"median": statistics.median(vals), "min": min(vals), "max": max(vals), "n": len(vals)}


def med(get):
    a = across(get)
    return None if a is None else a["median"]


cpu_model = next(
    (line.split(":", 1)[1].strip() for line in open("/proc/cpuinfo") if line.startswith("model name")), "unknown CPU"
)
env_rel, env_rt = env(BOOT_DIRS[0], "release"), env(BOOT_DIRS[0], "rt")
result = {
    "machine": f"{cpu_model}; {os.cpu_count()} host CPUs, {platform.uname()[2]}; guest: QEMU TCG, 2 vCPUs, 2 GiB",
    "kernel": env_rel.get("kernel", "?"),
    "kernel_rt": env_rt.get("kernel"),
    "date": datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%MZ"),
    "boots_per_kernel": len(boots),
    "latency_ns": {},
    "latency_user_ns": {},
    "paired_p99_ratio": {},
    "throughput_ratio": {},
    "throughput_spread": {},
    "busy_fraction": {},
    "lockups": {},
    "lost": {},
    "print_delay_us": {},
    "boots": boots,
}
# Caller latency: every call of every boot pooled; a percentile only where it rests on
# enough calls; intervals from resampling blocks of BLOCK consecutive calls of one writer.
BLOCK = 100
PCTS = (("p50", 50), ("p99", 99), ("p999", 99.9), ("p9999", 99.99))


def pooled_summary(per_boot):
    every = [w for boot in per_boot for w in boot if len(w)]
    v = sorted(x for w in every for x in w)
    n = len(v)
    s = {"n": n, "max": v[-1], "max_per_boot": [max(max(w) for w in boot if len(w)) for boot in per_boot]}
    ci = bootstrap(blocks(every, BLOCK), lambda x: tuple(pct(x, p) if enough(len(x), p) else None for _, p in PCTS))
    for i, (name, p) in enumerate(PCTS):
        if enough(n, p):
            s[name], s[name + "_ci"] = pct(v, p), (ci[i] if ci else None)
        else:
            s[name], s[name + "_na"] = None, na(n)
    return s


for key in ("latency_ns", "latency_user_ns"):
    for delay in DELAYS:
        for col, _, _ in COLUMNS:
            if units.get((key, delay, col)):
                result[key].setdefault(delay, {})[col] = pooled_summary(units[(key, delay, col)])
        # Paired per boot: a mode's p99 over the p99 of none (no console) in the same boot.
        for col, base in (("offload", "none"), ("direct", "none"), ("rt_direct", "rt_none")):
            r = [round(b[key][delay][col]["p99"] / b[key][delay][base]["p99"], 2) for b in boots
                 if col in b[key].get(delay, {}) and base in b[key].get(delay, {}) and b[key][delay][base]["p99"]]
            if r:
                result["paired_p99_ratio"].setdefault(key, {}).setdefault(delay, {})[f"{col}/{base}"] = r
result["throughput_module_share"] = [b.get("throughput_module_share") for b in boots]
for col, _, mode in COLUMNS:
    a = across(lambda b: b["throughput_ratio"][col])
    if a:
        result["throughput_ratio"][col] = round(a["median"], 4)
        result["throughput_spread"][col] = [a["min"], a["max"]]
        result["busy_fraction"][col] = med(lambda b: b["busy_fraction"][col])
    for w in ("preempt", "irqs"):
        for det in DETECTORS + ("reports",):
            tot = [b["lockups"].get(col, {}).get(w, {}).get(det) for b in boots]
            tot = [t for t in tot if t is not None]
            if tot:
                result["lockups"].setdefault(col, {}).setdefault(w, {})[det] = {"total": sum(tot), "per_boot": tot}
        a = across(lambda b: b["lockups"][col][w]["section_ms"])
        if a:
            result["lockups"].setdefault(col, {}).setdefault(w, {})["section_ms"] = {"median": a["median"], "spread": [a["min"], a["max"]]}
    for delay in DELAYS:
        for srcname in ("kernel", "user"):
            a = across(lambda b: b["lost"][col][delay][srcname])
            if a:
                w = med(lambda b: b["delivery"][f"{srcname}_{delay}"][col]["written"])
                result["lost"].setdefault(col, {})[f"{srcname}_{delay}"] = {"median": a["median"], "spread": [a["min"], a["max"]], "written": w}
    a = across(lambda b: b["lost"][col]["paced_100us"])
    if a:
        result["lost"].setdefault(col, {})["paced_100us"] = {"median": a["median"], "spread": [a["min"], a["max"]]}
    for part in ("paced", "lockups_preempt", "lockups_irqs"):
        for stat in ("p99", "max"):
            a = across(lambda b: b["print_delay_us"][col][part][stat])
            if a:
                result["print_delay_us"].setdefault(col, {}).setdefault(part, {})[stat] = {"median": a["median"], "spread": [a["min"], a["max"]]}


def lat(key, delay, col, stat="p99"):
    return result[key].get(delay, {}).get(col, {}).get(stat)


def ci(key, delay, col, stat):
    return result[key].get(delay, {}).get(col, {}).get(stat + "_ci")


def ratio(a, b):
    return round(a / b, 2) if a is not None and b else None


def lockup_total(col, w="preempt"):
    v = result["lockups"].get(col, {}).get(w, {}).get("reports")
    return None if v is None else v["total"]


def below(a_col, b_col, key, delay, stat):
    """a's interval lies wholly below b's (None: a figure rests on too few calls)."""
    return apart_below(ci(key, delay, a_col, stat), ci(key, delay, b_col, stat))


def paired(key, delay, pair):
    return result["paired_p99_ratio"].get(key, {}).get(delay, {}).get(pair)


def module_printed():
    """The throughput flood is the module's figure only if its kthreads wrote 99% of it."""
    share = [x for x in result["throughput_module_share"] if x is not None]
    return bool(share) and min(share) >= 0.99


head = {
    "offload_p99_over_none_p99_100us_per_boot": paired("latency_ns", "100us", "offload/none"),
    "offload_p99_over_none_p99_10us_per_boot": paired("latency_ns", "10us", "offload/none"),
    "direct_p99_over_offload_p99_100us": ratio(lat("latency_ns", "100us", "direct"), lat("latency_ns", "100us", "offload")),
    "kmsg_p99_offload_over_rt_direct_100us": ratio(lat("latency_user_ns", "100us", "offload"), lat("latency_user_ns", "100us", "rt_direct")),
    "offload_throughput_ratio": result["throughput_ratio"].get("offload"),
    "offload_throughput_module_share": result["throughput_module_share"],
    "direct_throughput_ratio": result["throughput_ratio"].get("direct"),
    "rt_direct_throughput_ratio": result["throughput_ratio"].get("rt_direct"),
    "lockup_reports_direct": lockup_total("direct"),
    "lockup_reports_offload": lockup_total("offload"),
    "lockup_reports_rt_direct": lockup_total("rt_direct"),
    "lockup_reports_irqs_direct": lockup_total("direct", "irqs"),
    "lockup_reports_irqs_offload": lockup_total("offload", "irqs"),
}


def lost(col, k):
    v = result["lost"].get(col, {}).get(k)
    return None if v is None else v["median"]


def le(a, b):
    return a is not None and b is not None and a <= b


def all_le(v, limit):
    return None if not v else all(x <= limit for x in v)


# True: met; False: missed; None: cannot be said (too few calls for the percentile, or a
# figure that is not the module's).
targets = {
    "offload: no lockup reports (preempt and irqs workloads)": lockup_total("offload") == 0 and lockup_total("offload", "irqs") == 0,
    "direct: lockup reports seen": (lockup_total("direct") or 0) > 0,
    "flood throughput >= pr/legacy's (a module figure only if its kthreads wrote 99% of it)":
        le(head["rt_direct_throughput_ratio"], head["offload_throughput_ratio"]) if module_printed() else None,
    "/dev/kmsg p99 below pr/legacy's, intervals apart (100us)": below("offload", "rt_direct", "latency_user_ns", "100us", "p99"),
    "/dev/kmsg p99.9 below pr/legacy's, intervals apart (100us)": below("offload", "rt_direct", "latency_user_ns", "100us", "p999"),
    "printk() p99 below pr/legacy's, intervals apart (100us)": below("offload", "rt_direct", "latency_ns", "100us", "p99"),
    "printk() p99.9 below pr/legacy's, intervals apart (100us)": below("offload", "rt_direct", "latency_ns", "100us", "p999"),
    "printk() p99 <= 1.25x none in every boot (100us)": all_le(head["offload_p99_over_none_p99_100us_per_boot"], 1.25),
    "printk() p99 <= 1.25x none in every boot (10us)": all_le(head["offload_p99_over_none_p99_10us_per_boot"], 1.25),
    "lost <= direct's (printk(), 100us)": le(lost("offload", "kernel_100us"), lost("direct", "kernel_100us")),
    "lost <= direct's (printk(), 10us)": le(lost("offload", "kernel_10us"), lost("direct", "kernel_10us")),
    "lost <= direct's (/dev/kmsg, 100us)": le(lost("offload", "user_100us"), lost("direct", "user_100us")),
    "lost <= direct's (/dev/kmsg, 10us)": le(lost("offload", "user_10us"), lost("direct", "user_10us")),
    "nothing lost below capacity": lost("offload", "paced_100us") == 0,
}
result["headline"] = head
result["targets_met"] = targets

os.makedirs(os.path.dirname(os.path.abspath(out_json)), exist_ok=True)
with open(out_json, "w") as f:
    json.dump(result, f, indent=1)
    f.write("\n")


# ---- Markdown ---------------------------------------------------------------------------
def us(v):
    if v is None:
        return "–"
    if v >= 0xFFFFFFFF:
        return "≥ 4,294,967 (clamped)"  # samples are u32 nanoseconds
    return f"{v / 1000:.1f}" if v < 100_000 else f"{v / 1000:,.0f}"


def sp(pair, fmt=us):
    return "" if not pair or len(boots) < 2 else f" ({fmt(pair[0])}–{fmt(pair[1])})"


def pcell(key, delay, c, stat):
    """A pooled percentile with its interval, or why it is not shown."""
    s = result[key].get(delay, {}).get(c)
    if not s:
        return "–"
    if s.get(stat) is None:
        return s.get(stat + "_na", "–")
    i = s.get(stat + "_ci")
    return us(s[stat]) + ("" if not i else f" [{us(i[0])}, {us(i[1])}]")


def longest(key, delay, c):
    s = result[key].get(delay, {}).get(c)
    return "–" if not s else " / ".join(ms(x) for x in s["max_per_boot"])


def ms(v):
    return "≥ 4,295 (clamped)" if v >= 0xFFFFFFFF else f"{v / 1e6:,.1f}"


main_cols = [c for c in ("none", "direct", "offload", "rt_direct") if any(c in result[k].get("100us", {}) for k in ("latency_ns",))]
md = [
    "# Benchmark results",
    "",
    f"Generated by `make bench` on {result['date']}. Machine: {result['machine']}.",
    f"Kernels: `{result['kernel']}` (release config) and `{result['kernel_rt'] or '-'}` (PREEMPT_RT).",
    f"Each kernel was booted {len(boots)} time(s); the modes of one kernel run side by side in each boot.",
    "Caller latencies pool every call of every boot; brackets hold 95% bootstrap intervals (blocks of",
    f"{BLOCK} consecutive calls of one writer resampled); a percentile is shown only when it rests on enough",
    "calls (p99: 1,000, p99.9: 10,000, p99.99: 100,000). Other figures are medians over the boots, the",
    "spread (min–max over the boots) in parentheses.",
    "The slow console models a UART: a write of n characters lasts n x delay of wall time from",
    "its start; it is the only console. Latency samples are u32 nanoseconds.",
    "",
    "## Headline",
    "",
    "| | " + " | ".join(NAMES[c] for c in main_cols) + " |",
    "|---|" + "---:|" * len(main_cols),
]


def row(label, fn):
    md.append(f"| {label} | " + " | ".join(fn(c) for c in main_cols) + " |")


def lk(c, w):
    v = result["lockups"].get(c, {}).get(w)
    if not v:
        return "–"
    parts = [f"{d} {v[d]['total']}" for d in DETECTORS if v.get(d, {}).get("total")]
    return f"{v['reports']['total']}" + (f" ({', '.join(parts)})" if parts else "")


row(f"lockup reports, printk() under a spinlock on every CPU (sum over boots)", lambda c: lk(c, "preempt"))
row(f"lockup reports, printk() with interrupts off on one CPU (sum over boots)", lambda c: lk(c, "irqs"))
for w, label in (("preempt", "spinlock burst"), ("irqs", "interrupts-off burst")):
    row(
        f"longest time a printk() caller could not be preempted, ms ({label})",
        lambda c, w=w: "–" if "section_ms" not in result["lockups"].get(c, {}).get(w, {})
        else f"{result['lockups'][c][w]['section_ms']['median']:,.1f}" + sp(result["lockups"][c][w]["section_ms"]["spread"], lambda x: f"{x:,.1f}"),
    )
row(
    "throughput / console capacity, flood above capacity (100us/char)",
    lambda c: "–" if c not in result["throughput_ratio"] else f"{result['throughput_ratio'][c]:.3f}" + sp(result["throughput_spread"][c], lambda x: f"{x:.3f}"),
)
row(
    "… of which the module's kthreads wrote (per boot; the rest: the kernel, under backpressure)",
    lambda c: "–" if c != "offload" else " / ".join("–" if x is None else f"{100 * x:.0f}%" for x in result["throughput_module_share"]),
)
for delay in DELAYS:
    for key, what in (("latency_ns", "printk()"), ("latency_user_ns", "/dev/kmsg")):
        row(f"{what} p99, µs ({delay}/char)", lambda c: pcell(key, delay, c, "p99"))
        row(f"{what} p99.9, µs ({delay}/char)", lambda c: pcell(key, delay, c, "p999"))
        row(f"longest {what} call per boot, ms ({delay}/char)", lambda c: longest(key, delay, c))
    for key, what in (("latency_ns", "printk()"), ("latency_user_ns", "/dev/kmsg")):
        row(
            f"{what} p99 / none's p99 in the same boot ({delay}/char)",
            lambda c: " / ".join(f"{x:.2f}" for x in (paired(key, delay, f"{c}/none") or [])) or "–",
        )
for delay in DELAYS:
    for srcname, what in (("kernel", "printk()"), ("user", "/dev/kmsg")):

        def lost_cell(c, k=f"{srcname}_{delay}"):
            v = result["lost"].get(c, {}).get(k)
            return "–" if not v else f"{v['median']:,.0f} of {v['written']:,.0f}" + ("" if len(boots) < 2 else f" ({v['spread'][0]:,}–{v['spread'][1]:,})")

        row(f"lines lost, {what} burst above capacity ({delay}/char)", lost_cell)
row("lines lost below capacity (paced, 100us/char)", lambda c: "–" if "paced_100us" not in result["lost"].get(c, {}) else f"{result['lost'][c]['paced_100us']['median']:,.0f}")
for part, label in (("paced", "paced, 100us/char"), ("lockups_preempt", "spinlock burst, 1000us/char")):

    def dl(c, part=part, stat="p99"):
        v = result["print_delay_us"].get(c, {}).get(part, {}).get(stat)
        return "–" if not v else f"{v['median'] / 1000:,.1f}"

    row(f"store → console p99, ms ({label})", dl)
    row(f"store → console max, ms ({label})", lambda c, part=part: dl(c, part, "max"))

md += ["", "## Targets", ""]
for k, v in targets.items():
    md.append(f"- {'met' if v else 'n/a' if v is None else '**missed**'}: {k}")
md += ["", "## Caller latency, all percentiles (µs; pooled over the boots, 95% intervals)", ""]
for key, title in (("latency_ns", "printk() from a kthread bound to each CPU"), ("latency_user_ns", "write() to /dev/kmsg, a process bound to each CPU")):
    md += [f"### {title}", "", "| console | mode | calls | p50 | p99 | p99.9 | p99.99 | max |", "|---|---|---:|---:|---:|---:|---:|---:|"]
    for delay in DELAYS:
        for col, _, _ in COLUMNS:
            s = result[key].get(delay, {}).get(col)
            if s:
                md.append(
                    f"| {delay}/char | {NAMES[col]} | {s['n']:,.0f} | "
                    + " | ".join(pcell(key, delay, col, stat) for stat, _ in PCTS)
                    + f" | {us(s['max'])} |"
                )
    md.append("")
md += ["## Placement (offload, throughput flood; per run)", ""]
for b in boots:
    p = b["placement"].get("offload")
    if p:
        md.append(f"- {b['dir']}: " + ", ".join(f"{k} {v}" for k, v in p.items()) + f"; console busy fraction {b['busy_fraction'].get('offload')}")
md += ["", "![caller latency CCDF](bench-latency-ccdf.png)", ""]
with open(out_md, "w") as f:
    f.write("\n".join(md))

# ---- plot: complementary CDF, log-log, where the tails differ ----------------------------
try:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, axes = plt.subplots(2, 2, figsize=(12, 8), sharey=True)
    for r, srcname in enumerate(("kernel", "user")):
        for c, delay in enumerate(DELAYS):
            ax = axes[r][c]
            for col, _, _ in COLUMNS:
                vals = sorted(pooled.get((delay, srcname, col), []))
                if not vals:
                    continue
                n = len(vals)
                ax.step([max(v, 1) / 1000 for v in vals], [(n - i) / n for i in range(n)], where="post", label=NAMES[col])
            ax.set_xscale("log")
            ax.set_yscale("log")
            ax.set_ylim(1e-5, 1.1)
            ax.set_title(f"{'printk() in a kthread' if srcname == 'kernel' else '/dev/kmsg write()'}, console {delay}/char")
            ax.set_xlabel("caller latency (µs, log scale)")
            ax.set_ylabel("fraction of calls slower (log scale)")
            ax.grid(True, which="both", alpha=0.3)
            ax.legend(fontsize=8, loc="lower left")
    fig.suptitle(f"rust_printk_offload: caller latency CCDF (samples of {len(boots)} boot(s) per kernel)")
    fig.tight_layout()
    fig.savefig(out_png, dpi=100)
except ImportError:
    print("analyze: matplotlib missing, no plot", file=sys.stderr)

print(f"results: {out_json}, {out_md}, {out_png}")
print("headline: " + "; ".join(f"{k} {v}" for k, v in head.items()))
print("targets: " + "; ".join(f"{k}: {'met' if v else 'n/a' if v is None else 'MISSED'}" for k, v in targets.items()))
