#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""The gap between two console writes, from the benchmark's gap part (guest_bench.sh).

    gaps.py RAW OUT.json OUT.md

RAW: a raw-results directory (boot<i>/ subdirectories) or its .tar.xz. For every run of
kind=gap, the slow console's stamps give each write's end (printk's clock) and its log
the write's length; a write of n characters busy-waits n * delay_us from its start, so
the gap before write i+1 is (end[i+1] - n[i+1] * delay) - end[i]: the time the printing
path spends between two records (reading, formatting, locking, hand-offs). Pooled over
the runs of every boot per kernel, console speed and path; intervals are 95% bootstrap
intervals that resample whole runs (a run's gaps are not independent of each other).
Throughput is the console's busy fraction over a run, first write's start to last
write's end.
"""
import json
import os
import struct
import sys
import tarfile

from benchstats import NEED, apart_below, bootstrap, mean, na, pct

PATHS = {("release", "direct"): "direct", ("release", "offload"): "offload",
         ("release", "irqsoff"): "offload, irqs_on_write 0", ("rt", "direct"): "pr/legacy"}
ORDER = ["direct", "offload", "offload, irqs_on_write 0", "pr/legacy"]
STEP_NAMES = ["step_slice_ns", "step_loop_ns", "step_lock_ns", "step_read_ns", "step_write_ns", "step_after_ns",
              "step_unlock_ns"]


def read_raw(path):
    """{relative path: bytes} of the raw results."""
    files = {}
    if os.path.isdir(path):
        for root, _, names in os.walk(path):
            for n in names:
                full = os.path.join(root, n)
                rel = os.path.relpath(full, path)
                if n.endswith((".events", ".stamps", ".log")) or "-gap-" in n:
                    with open(full, "rb") as f:
                        files[rel] = f.read()
    else:
        with tarfile.open(path) as t:
            for m in t.getmembers():
                if m.isfile() and (m.name.endswith((".events", ".stamps", ".log")) or "-gap-" in m.name):
                    files[os.path.normpath(m.name)] = t.extractfile(m).read()
    return files


def events(text):
    for line in text.decode(errors="replace").splitlines():
        kv = dict(w.split("=", 1) for w in line.split() if "=" in w)
        if kv.get("kind") == "gap":
            yield kv


def run_gaps(stamps, log, delay_us):
    """Gaps (ns) between consecutive writes, and the run's busy fraction."""
    st = [struct.unpack_from("=QQ", stamps, i) for i in range(0, len(stamps) - 15, 16)]
    if len(st) < 2:
        return [], None
    lens = [st[i + 1][0] - st[i][0] for i in range(len(st) - 1)] + [len(log) - st[-1][0]]
    starts = [end - n * delay_us * 1000 for (_, end), n in zip(st, lens)]
    gaps = [max(starts[i + 1] - st[i][1], 0) for i in range(len(st) - 1)]
    span = st[-1][1] - starts[0]
    busy = sum(n * delay_us * 1000 for n in lens)
    return gaps, (busy / span if span > 0 else None)


def interval(units, stat):
    """95% bootstrap interval of stat(pooled samples), resampling whole runs."""
    r = bootstrap(units, lambda v: (stat(v),))
    return r[0] if r else None


def gap_targets(result):
    """Per console speed: the module's mean and median gap at most half of pr/legacy's, its
    throughput at least 0.995 of capacity and above pr/legacy's (True/False/None)."""
    out = {}
    for delay in sorted(result, key=lambda k: int(k[:-2])):
        off, pr = result[delay].get("offload"), result[delay].get("pr/legacy")
        name = delay.replace("us", " µs/char")
        mine = off is not None and off.get("module_figure")

        def half(r, k):
            return None if not r or not r.get(k) else [x / 2 for x in r[k]]

        out["mean gap <= half of pr/legacy's (%s)" % name] = (
            apart_below(off.get("mean_ci"), half(pr, "mean_ci")) if mine else None)
        out["median gap <= half of pr/legacy's (%s)" % name] = (
            apart_below(off.get("p50_ci"), half(pr, "p50_ci")) if mine else None)
        ci = off.get("throughput_ci") if mine else None
        out["throughput >= 0.995 of capacity (%s)" % name] = None if not ci else ci[0] >= 0.995
        out["throughput above pr/legacy's (%s)" % name] = (
            apart_below(pr.get("throughput_ci") if pr else None, ci) if ci else None)
    return out


def main():
    raw, out_json, out_md = sys.argv[1:4]
    files = read_raw(raw)
    groups, steps, per_boot = {}, {}, {}
    for name, text in sorted(files.items()):
        if not name.endswith(".events"):
            continue
        d = os.path.dirname(name)
        for e in events(text):
            key = (e["variant"], e["mode"])
            if e["mode"] == "timed":
                st = files.get(os.path.join(d, "%s-gap-%sus-timed-%s-stats.txt" % (e["variant"], e["delay_us"], e["run"])))
                if st:
                    kv = dict(l.split()[:2] for l in st.decode().splitlines() if len(l.split()) >= 2)
                    t = steps.setdefault("%sus" % e["delay_us"], {})
                    for k, v in kv.items():
                        if k.startswith("step_"):
                            t[k] = t.get(k, 0) + int(v)
                    t["handoffs"] = t.get("handoffs", 0) + int(kv.get("handoffs", 0))
                    t["runs"] = t.get("runs", 0) + 1
                continue
            if key not in PATHS:
                continue
            delay = int(e["delay_us"])
            st = files.get(os.path.join(d, e["file"] + ".stamps"), b"")
            lg = files.get(os.path.join(d, e["file"] + ".log"), b"")
            gaps, tput = run_gaps(st, lg, delay)
            g = groups.setdefault((delay, PATHS[key]), {"runs": [], "tput": [], "writes": 0, "module": 0, "boots": set(),
                                                        "lost": 0})
            g["runs"].append(sorted(gaps))
            if tput is not None:
                g["tput"].append(tput)
            g["writes"] += int(e.get("writes", 0))
            g["module"] += int(e.get("module_writes", 0))
            g["lost"] += max(int(e.get("lost", 0) or 0), 0)
            g["boots"].add(d)
            per_boot.setdefault((delay, PATHS[key], d), []).extend(gaps)
    result = {}
    for (delay, path), g in sorted(groups.items()):
        pooled = sorted(x for r in g["runs"] for x in r)
        n = len(pooled)
        row = {"runs": len(g["runs"]), "boots": len(g["boots"]), "gaps": n, "writes": g["writes"],
               "module_writes": g["module"], "lost": g["lost"], "max_ns": pooled[-1] if pooled else None}
        for p in (50, 90, 99, 99.9):
            key = "p%s" % str(p).replace(".", "_")
            if n >= NEED[p]:
                row[key] = pct(pooled, p)
                row[key + "_ci"] = interval(g["runs"], lambda v, p=p: pct(v, p))
            else:
                row[key] = None
                row[key + "_na"] = na(n)
        row["mean_ns"] = mean(pooled)
        row["mean_ci"] = interval(g["runs"], mean)
        row["throughput"] = mean(g["tput"])
        row["throughput_ci"] = interval([[t] for t in g["tput"]], mean)
        if path.startswith("offload"):
            row["module_share"] = g["module"] / g["writes"] if g["writes"] else None
            row["module_figure"] = bool(g["writes"]) and g["module"] >= 0.99 * g["writes"]
        result.setdefault("%dus" % delay, {})[path] = row
    # Paired per-boot ratios of the mean gap: offload against the other paths of the same
    # boot (pr/legacy runs on another kernel, so it has no pair).
    paired = {}
    for (delay, path, d), v in sorted(per_boot.items()):
        if path != "offload" or not v:
            continue
        for other in ("direct", "offload, irqs_on_write 0"):
            w = per_boot.get((delay, other, d))
            if w:
                paired.setdefault("%dus" % delay, {}).setdefault("offload / " + other, []).append(
                    (sum(v) / len(v)) / (sum(w) / len(w)))
    split = {}
    for delay, t in steps.items():
        n = t.get("step_records", 0)
        if n:
            split[delay] = {k[5:-3]: t[k] / n for k in STEP_NAMES if k in t}
            split[delay].update(records=n, runs=t["runs"], slices=t.get("step_slices", 0), handoffs=t["handoffs"])
    targets = gap_targets(result)
    with open(out_json, "w") as f:
        json.dump({"gaps": result, "paired_mean_gap_ratios": paired, "steps_ns_per_record": split,
                   "targets_met": targets}, f, indent=1, sort_keys=True)

    def us(v):
        return "-" if v is None else "%.0f" % (v / 1000) if v >= 10000 else "%.1f" % (v / 1000)

    def ci(pair, fmt=us):
        return "" if not pair else " [%s, %s]" % (fmt(pair[0]), fmt(pair[1]))

    def cell(r, p):
        key = "p%s" % str(p).replace(".", "_")
        if r.get(key) is None:
            return r.get(key + "_na", "-")
        return us(r[key]) + ci(r.get(key + "_ci"))

    def frac(v):
        return "-" if v is None else "%.4f" % v

    lines = ["## The gap between two writes", "",
             "A burst stored at once, then drained; gaps between consecutive writes on the slow "
             "console in µs (95% bootstrap intervals over runs). Throughput: the console's busy "
             "fraction over the run (1 = no gaps). For offload, the share of writes the module's "
             "kthreads made (a figure is the module's only at 99% or more).", "",
             "| console | path | boots/runs | gaps | p50 | p90 | p99 | p99.9 | max | mean | throughput | module share |",
             "|---|---|---|---|---|---|---|---|---|---|---|---|"]
    for delay in sorted(result, key=lambda k: int(k[:-2])):
        for path in ORDER:
            r = result[delay].get(path)
            if not r:
                continue
            share = "-"
            if "module_share" in r and r["module_share"] is not None:
                share = "%.1f%%%s" % (100 * r["module_share"], "" if r["module_figure"] else " (not the module's)")
            lines.append("| %s/char | %s | %d/%d | %d | %s | %s | %s | %s | %s | %s | %s | %s |" % (
                delay.replace("us", " µs"), path, r["boots"], r["runs"], r["gaps"], cell(r, 50), cell(r, 90),
                cell(r, 99), cell(r, 99.9), us(r["max_ns"]), us(r["mean_ns"]) + ci(r["mean_ci"]),
                frac(r["throughput"]) + ci(r["throughput_ci"], frac), share))
    if paired:
        lines += ["", "### Paired per boot", "", "Mean gap of offload over the mean gap of another path in the same boot, "
                  "one ratio per boot (below 1: offload's gaps are shorter).", "",
                  "| console | offload / direct | offload / offload with irqs_on_write 0 |", "|---|---|---|"]
        for delay in sorted(paired, key=lambda k: int(k[:-2])):
            r = paired[delay]
            cell = lambda k: ", ".join("%.2f" % x for x in r.get(k, [])) or "-"
            lines.append("| %s/char | %s | %s |" % (delay.replace("us", " µs"), cell("offload / direct"),
                                                   cell("offload / offload, irqs_on_write 0")))
    if targets:
        lines += ["", "### Targets", "", "Met only when the intervals say so (n/a: a figure is missing or not the "
                  "module's).", ""]
        lines += ["- %s: %s" % ("met" if v else "n/a" if v is None else "**missed**", k) for k, v in targets.items()]
    if split:
        lines += ["", "### Where the time between two writes goes (module built with step timers)", "",
                  "Mean µs per record written, by step (src/engine/step_timers.rs); `write` is the console's "
                  "own time. The timers read the clock seven times a record, which the steps include.", "",
                  "| console | records | slices | hand-offs | " + " | ".join(k[5:-3] for k in STEP_NAMES) +
                  " | all but write |",
                  "|---|---|---|---|" + "---|" * (len(STEP_NAMES) + 1)]
        for delay in sorted(split, key=lambda k: int(k[:-2])):
            r = split[delay]
            cells = [us(r.get(k[5:-3])) for k in STEP_NAMES]
            rest = sum(r.get(k[5:-3], 0) for k in STEP_NAMES if k != "step_write_ns")
            lines.append("| %s/char | %d | %d | %d | %s | %s |" % (delay.replace("us", " µs"), r["records"], r["slices"],
                                                                 r["handoffs"], " | ".join(cells), us(rest)))
    with open(out_md, "w") as f:
        f.write("\n".join(lines) + "\n")
    print("\n".join(lines))


if __name__ == "__main__":
    main()
