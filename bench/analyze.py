#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
# Turns the raw results of bench/guest_bench.sh (one directory, every kernel variant) into
# the JSON summary, a Markdown table and a CDF plot of caller latency, and prints the
# headline ratios last.  Usage: analyze.py RAWDIR OUT.json OUT.md OUT.png
import datetime
import glob
import json
import os
import platform
import sys
from array import array

raw, out_json, out_md, out_png = sys.argv[1:5]
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


def read_events():
    events = []
    for path in sorted(glob.glob(os.path.join(raw, "*.events"))):
        with open(path) as f:
            for line in f:
                kv = dict(tok.split("=", 1) for tok in line.split() if "=" in tok)
                events.append(kv)
    return events


def find(events, **want):
    for e in events:
        if all(e.get(k) == v for k, v in want.items()):
            return e
    return None


def samples(prefix):
    """Every u32 sample of one run (one file, or one file per writer CPU)."""
    vals = array("I")
    pattern = prefix if prefix.endswith(".u32") else prefix + "*.u32"
    for path in sorted(glob.glob(os.path.join(raw, pattern))):
        with open(path, "rb") as f:
            vals.frombytes(f.read())
    return sorted(vals)


def pct(sorted_vals, p):
    if not sorted_vals:
        return None
    i = min(len(sorted_vals) - 1, max(0, int(round(p / 100.0 * len(sorted_vals) + 0.5)) - 1))
    return sorted_vals[i]


def summary(vals):
    if not vals:
        return None
    return {
        "n": len(vals),
        "p50": pct(vals, 50),
        "p99": pct(vals, 99),
        "p999": pct(vals, 99.9),
        "max": vals[-1],
    }


def env(variant):
    info = {}
    path = os.path.join(raw, variant + ".env")
    if os.path.exists(path):
        with open(path) as f:
            for line in f:
                k, _, v = line.rstrip("\n").partition("=")
                info[k] = v
    return info


def num(e, key):
    try:
        return int(e[key])
    except (TypeError, KeyError, ValueError):
        return None


def ratio(a, b):
    return round(a / b, 2) if a is not None and b else None


events = read_events()
machine = (
    f"{platform.node()}: {os.cpu_count()} host CPUs, "
    f"{' '.join(platform.uname()[2:3])}; guest: QEMU TCG, 2 vCPUs, 2 GiB"
)
cpu_model = next(
    (line.split(":", 1)[1].strip() for line in open("/proc/cpuinfo") if line.startswith("model name")),
    "unknown CPU",
)
result = {
    "machine": f"{cpu_model}; {machine}",
    "kernel": env("release").get("kernel", "?"),
    "kernel_rt": env("rt").get("kernel"),
    "date": datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%MZ"),
    "latency_ns": {},
    "latency_user_ns": {},
    "throughput_ratio": {},
    "throughput_runs": {},
    "lockups": {},
    "lost": {},
    "dropped_announced": {},
    "delivery": {},
    "workload": {},
}
curves = {}
for delay in DELAYS:
    d = delay[:-2]
    for src, key in (("kernel", "latency_ns"), ("user", "latency_user_ns")):
        per = {}
        for col, variant, mode in COLUMNS:
            e = find(events, variant=variant, kind="latency", src=src, delay_us=d, mode=mode)
            if not e:
                continue
            vals = samples(e["file"])
            s = summary(vals)
            if s:
                per[col] = s
                curves[(delay, src, col)] = vals
            if mode != "none" and "lost" in e:
                result["delivery"].setdefault(f"{src}_{delay}", {})[col] = {
                    k: num(e, k)
                    for k in ("written", "received", "lost", "duplicates", "out_of_order", "dropped_announced")
                }
            result["workload"].setdefault(f"{src}_{delay}", {"threads": num(e, "threads"), "per_thread": num(e, "per_thread")})
        result[key][delay] = per

for col, variant, mode in COLUMNS:
    if mode == "none":
        continue
    runs = [
        num(e, "bytes") / (num(e, "ns") / 1e9) / (1e6 / int(e["delay_us"]))
        for e in events
        if e.get("variant") == variant and e.get("kind") == "throughput" and e.get("mode") == mode
    ]
    if runs:
        # The median of the runs (one run in older raw results).
        result["throughput_ratio"][col] = round(sorted(runs)[len(runs) // 2], 4)
        result["throughput_runs"][col] = [round(r, 4) for r in runs]
    e = find(events, variant=variant, kind="lockups", mode=mode)
    if e:
        result["lockups"][col] = num(e, "reports")
        result["lockups"][col + "_detail"] = {k: num(e, k) for k in ("soft", "rcu", "hung", "flood_ms", "calls")}
    e = find(events, variant=variant, kind="paced", mode=mode)
    if e:
        result["lost"][col] = num(e, "lost")
        result["delivery"].setdefault("paced_100us", {})[col] = {
            k: num(e, k) for k in ("written", "received", "lost", "duplicates", "out_of_order", "dropped_announced", "gap_us")
        }
    e = find(events, variant=variant, kind="latency", src="kernel", delay_us="100", mode=mode)
    if e:
        result["dropped_announced"][col] = num(e, "dropped_announced")

lat = result["latency_ns"].get("100us", {})
p99 = {c: v["p99"] for c, v in lat.items()}
head = {
    "offload_p99_over_none_p99_100us": ratio(p99.get("offload"), p99.get("none")),
    "direct_p99_over_offload_p99_100us": ratio(p99.get("direct"), p99.get("offload")),
    "rt_direct_p99_over_offload_p99_100us": ratio(p99.get("rt_direct"), p99.get("offload")),
    "offload_throughput_ratio": result["throughput_ratio"].get("offload"),
    "direct_throughput_ratio": result["throughput_ratio"].get("direct"),
    "rt_direct_throughput_ratio": result["throughput_ratio"].get("rt_direct"),
    "lockups_direct": result["lockups"].get("direct"),
    "lockups_offload": result["lockups"].get("offload"),
    "lockups_rt_direct": result["lockups"].get("rt_direct"),
    "lost_offload_below_capacity": result["lost"].get("offload"),
}
lat10 = result["latency_ns"].get("10us", {})
head["offload_p99_over_none_p99_10us"] = ratio(lat10.get("offload", {}).get("p99"), lat10.get("none", {}).get("p99"))
head["direct_p99_over_offload_p99_10us"] = ratio(lat10.get("direct", {}).get("p99"), lat10.get("offload", {}).get("p99"))
targets = {
    "offload_p99_le_1.25x_none": head["offload_p99_over_none_p99_100us"] is not None
    and head["offload_p99_over_none_p99_100us"] <= 1.25,
    "direct_p99_ge_100x_offload": head["direct_p99_over_offload_p99_100us"] is not None
    and head["direct_p99_over_offload_p99_100us"] >= 100,
    "offload_throughput_ge_0.98": head["offload_throughput_ratio"] is not None and head["offload_throughput_ratio"] >= 0.98,
    "offload_no_lockups": head["lockups_offload"] == 0,
    "offload_nothing_lost_below_capacity": head["lost_offload_below_capacity"] == 0,
}
result["headline"] = head
result["targets_met"] = targets

os.makedirs(os.path.dirname(os.path.abspath(out_json)), exist_ok=True)
with open(out_json, "w") as f:
    json.dump(result, f, indent=2, sort_keys=False)
    f.write("\n")


# ---- Markdown ---------------------------------------------------------------------------
def us(v):
    if v is None:
        return "–"
    if v >= 0xFFFFFFFF:
        return "≥ 4,294,967 (clamped)"  # samples are u32 nanoseconds
    return f"{v / 1000:.1f}" if v < 100_000 else f"{v / 1000:,.0f}"


names = {
    "none": "none (no console)",
    "direct": "direct (stock 6.12)",
    "offload": "offload (this module)",
    "rt_direct": "PREEMPT_RT direct (upstream pr/legacy)",
    "rt_none": "PREEMPT_RT none",
}
md = [
    "# Benchmark results",
    "",
    f"Generated by `make bench` on {result['date']}. Machine: {result['machine']}.",
    f"Kernels: `{result['kernel']}` (release config) and `{result['kernel_rt'] or '-'}` (PREEMPT_RT).",
    "All modes of one kernel were measured side by side in one VM boot (one boot per kernel).",
    "The slow console models a UART: a write of n characters lasts n x delay of wall time from",
    "its start. The serial console is off (`8250.nr_uarts=0`) and the boot console retired,",
    "so the slow console is the only console and \"none\" has no console at all. Latency",
    "samples are u32 nanoseconds (maxima above 4.29 s show as clamped). Throughput is bytes",
    "delivered during 6 s of a 12 s flood from every CPU, over the console's capacity",
    "(1 / per-character delay).",
    "",
]
for src, key, title in (
    ("kernel", "latency_ns", "printk() from a kthread bound to each CPU"),
    ("user", "latency_user_ns", "write() to /dev/kmsg from a process bound to each CPU"),
):
    md += [f"## Caller latency: {title} (µs)", ""]
    md += ["| console | mode | calls | p50 | p99 | p99.9 | max |", "|---|---|---:|---:|---:|---:|---:|"]
    for delay in DELAYS:
        for col, _, _ in COLUMNS:
            s = result[key].get(delay, {}).get(col)
            if s:
                md.append(
                    f"| {delay}/char | {names[col]} | {s['n']} | {us(s['p50'])} | {us(s['p99'])} | {us(s['p999'])} | {us(s['max'])} |"
                )
    md.append("")
md += ["## Throughput, lockups, delivery (100 µs/char console)", ""]
md += [
    "| mode | throughput / capacity (median; runs) | lockup+stall+hung reports (60 s flood) | lost below capacity | lost / announced drops above capacity |",
    "|---|---:|---:|---:|---:|",
]
for col, _, mode in COLUMNS:
    if mode == "none":
        continue
    deliv = result["delivery"].get("kernel_100us", {}).get(col, {})
    over = f"{deliv.get('lost', '–')} / {deliv.get('dropped_announced', '–')}" if deliv else "–"
    tp = result["throughput_ratio"].get(col)
    if tp is not None:
        tp = f"{tp} ({', '.join(str(r) for r in result['throughput_runs'].get(col, []))})"
    md.append(
        f"| {names[col]} | {tp if tp is not None else '–'} | {result['lockups'].get(col, '–')} | {result['lost'].get(col, '–')} | {over} |"
    )
md += ["", "## Headline ratios", ""]
for k, v in head.items():
    md.append(f"- `{k}`: {v}")
md += ["", "## Targets", ""]
for k, v in targets.items():
    md.append(f"- {'met' if v else '**missed**'}: `{k}`")
md += ["", "![caller latency CDF](bench-latency-cdf.png)", ""]
with open(out_md, "w") as f:
    f.write("\n".join(md))

# ---- plot -------------------------------------------------------------------------------
try:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, axes = plt.subplots(2, 2, figsize=(12, 8), sharey=True)
    for r, src in enumerate(("kernel", "user")):
        for c, delay in enumerate(DELAYS):
            ax = axes[r][c]
            for col, _, _ in COLUMNS:
                vals = curves.get((delay, src, col))
                if not vals:
                    continue
                n = len(vals)
                ys = [(i + 1) / n for i in range(n)]
                ax.step([max(v, 1) / 1000 for v in vals], ys, where="post", label=names[col])
            ax.set_xscale("log")
            ax.set_title(f"{'printk() in a kthread' if src == 'kernel' else '/dev/kmsg write()'}, console {delay}/char")
            ax.set_xlabel("caller latency (µs, log scale)")
            ax.set_ylabel("fraction of calls")
            ax.grid(True, which="both", alpha=0.3)
            ax.legend(fontsize=8, loc="lower right")
    fig.suptitle("rust_printk_offload: printk caller latency CDF (one VM boot per kernel)")
    fig.tight_layout()
    fig.savefig(out_png, dpi=100)
except ImportError:
    print("analyze: matplotlib missing, no plot", file=sys.stderr)

print(f"results: {out_json}, {out_md}, {out_png}")
print(
    "headline: offload p99 / none p99 (100us) = {0}x; direct p99 / offload p99 (100us) = {1}x; "
    "offload throughput = {2} of capacity; lockups direct {3}, offload {4}; lost below capacity (offload) {5}".format(
        head["offload_p99_over_none_p99_100us"],
        head["direct_p99_over_offload_p99_100us"],
        head["offload_throughput_ratio"],
        head["lockups_direct"],
        head["lockups_offload"],
        head["lost_offload_below_capacity"],
    )
)
print(
    "upstream anchor (PREEMPT_RT direct): p99 / offload p99 (100us) = {0}x; throughput {1}; lockups {2}".format(
        head["rt_direct_p99_over_offload_p99_100us"], head["rt_direct_throughput_ratio"], head["lockups_rt_direct"]
    )
)
