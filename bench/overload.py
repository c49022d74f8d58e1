#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
# The overload runs of bench/guest_overload.sh as a table: per console speed, writers and
# mode, the lines lost in each run (neither printed nor announced), the lines announced as
# dropped, how long the writers took, and who printed.
#   overload.py EVENTS ENV OUT.md
import statistics
import sys


def parse(line):
    return dict(w.split("=", 1) for w in line.split() if "=" in w)


def main():
    events, env, out = sys.argv[1:4]
    runs = [parse(l) for l in open(events) if l.strip()]
    info = parse(open(env).read())
    groups = {}
    for r in runs:
        groups.setdefault((int(r["delay_us"]), r["writers"], r["mode"]), []).append(r)
    lines = [
        "## Overload on the default ring buffer",
        "",
        f"`scripts/bench.sh --overload`: one boot of the release kernel ({info.get('kernel', '?')}, "
        f"{info.get('cpus', '?')} CPUs), ring buffer {int(info.get('ring_bytes', 0)) // 1024} KiB "
        "(the kernel's default). Each run: /dev/kmsg writers of "
        f"{runs[0]['n'] if runs else '?'} lines each at full speed, one per CPU (all) or one on CPU 0 "
        "(one), to the slow console. stock: the kernel prints; offload: the module prints; "
        "unload: the module is unloaded once the console owes the number of records shown. "
        "Lost: lines that never reached the console (overwritten in the ring buffer before "
        "it printed them); announced: those of them a \"printk messages dropped\" notice "
        "counted. One value per run.",
        "",
        "| console | writers | mode | lost | announced | duplicates, out of order | writers' time, ms (median) | owed at unload | records printed by the kernel while the module was loaded | writes held on the way back to user space / records waited for in printk() |",
        "|---|---|---|---|---|---|---|---|---|---|",
    ]
    for (delay, writers, mode), rs in sorted(groups.items(), key=lambda kv: (kv[0][0], kv[0][1], ["stock", "offload", "unload"].index(kv[0][2]))):
        lost = ", ".join(r["lost"] for r in rs)
        ann = ", ".join(r["dropped_announced"] for r in rs)
        bad = ", ".join(f"{r['duplicates']}/{r['out_of_order']}" for r in rs)
        us = [int(u) for r in rs for u in r["writer_us"].split(",") if u]
        owed = ", ".join(r.get("unload_owed", "-") for r in rs) if mode == "unload" else "-"
        sync = ", ".join(r.get("records_sync", "-") for r in rs) if mode == "offload" else "-"
        held = ", ".join(f"{r.get('held', '-')} / {r.get('paced', '-')}" for r in rs) if mode == "offload" else "-"
        lines.append(f"| {delay} µs/char | {writers} | {mode} | {lost} | {ann} | {bad} | "
                     f"{statistics.median(us) / 1000:.0f} | {owed} | {sync} | {held} |")
    total = {m: sum(int(r["lost"]) for r in runs if r["mode"] == m) for m in ("stock", "offload", "unload")}
    silent = sum(int(r["lost"]) - int(r["dropped_announced"]) for r in runs)
    lines += ["", "Lines lost over all runs: " + ", ".join(f"{m} {n}" for m, n in total.items()) +
              f"; lost without a notice, all modes: {silent}."]
    text = "\n".join(lines) + "\n"
    open(out, "w").write(text)
    print(text)


if __name__ == "__main__":
    main()
