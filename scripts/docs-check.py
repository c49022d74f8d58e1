#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""docs-check.py [ROOT]: the documentation agrees with the tables in the source.

The tunables (src/tunables.rs, `KNOBS`) and the counters (src/stats.rs, `counters!`) are
each declared once; docs/sysctl.rst and README.md describe them. This checks, for every
tunable, that docs/sysctl.rst has its section with the same default and range and that
README's table row has them too; for every counter, that both documents name it; and that
neither document names a tunable, a counter or a file the source does not have, and both
document every file src/control.rs registers; and that the module
parameters (src/params.rs) are the tunables, printk_cpumask and emergency, each stating the
table's range and default where it states one. Prints one line per finding and exits 1 if
there is any.
"""
import re
import sys
from pathlib import Path


def number(text):
    """An integer literal or a shift of two, as the table writes them."""
    text = text.strip().replace("_", "")
    m = re.fullmatch(r"(\d+)\s*<<\s*(\d+)", text)
    if m:
        return int(m.group(1)) << int(m.group(2))
    return int(text)


def knobs(src):
    body = src[src.index("tunables! {") :]
    return [
        (m.group(1), number(m.group(2)), number(m.group(3)), number(m.group(4)))
        for m in re.finditer(
            r'^\s*\w+: "(\w+)", default ([^,]+), range ([^,]+), ([^;]+);$', body, re.M
        )
    ]


def counters(src):
    body = src[src.index("counters! {") :]
    body = body[: body.index("\n}\n")]
    return re.findall(r"^\s*(\w+),\s*$", body, re.M)


def main():
    root = Path(sys.argv[1] if len(sys.argv) > 1 else Path(__file__).resolve().parent.parent)
    tun = (root / "src/tunables.rs").read_text()
    stats = (root / "src/stats.rs").read_text()
    rst = (root / "docs/sysctl.rst").read_text()
    readme = (root / "README.md").read_text()
    bad = []
    ks = knobs(tun)
    n_entries = len(re.findall(r"^\s*[A-Z]\w*: \"", tun, re.M))
    if not ks or len(ks) != n_entries:
        bad.append(f"src/tunables.rs: {len(ks)} of {n_entries} tunables parsed")
    for name, default, lo, hi in ks:
        sec = re.search(
            rf"^printk_offload/{name}\n=+\n(.*?)(?=^\S[^\n]*\n=+\n|\Z)", rst, re.M | re.S
        )
        if not sec:
            bad.append(f"docs/sysctl.rst: no section printk_offload/{name}")
        else:
            d = re.search(r"^:Default: (\d+)", sec.group(1), re.M)
            r = re.search(r"^:Range: (\d+) to (\d+)", sec.group(1), re.M)
            if not d or int(d.group(1)) != default:
                bad.append(f"docs/sysctl.rst: {name}: default is not {default}")
            if not r or (int(r.group(1)), int(r.group(2))) != (lo, hi):
                bad.append(f"docs/sysctl.rst: {name}: range is not {lo} to {hi}")
        row = re.search(rf"^\| `kernel/printk_offload/{name}` \|([^|]*)\|([^|]*)\|([^|]*)\|", readme, re.M)
        if not row:
            bad.append(f"README.md: no table row for kernel/printk_offload/{name}")
        else:
            d = re.match(r"\s*(\d+)", row.group(2))
            if not d or int(d.group(1)) != default:
                bad.append(f"README.md: {name}: default is not {default}")
            if row.group(3).strip() != f"{lo} to {hi}":
                bad.append(f"README.md: {name}: range is not {lo} to {hi}")
    names = {k[0] for k in ks}
    # The other files of the directory, as src/control.rs registers them.
    files = set(re.findall(r'SysctlEntry::new::<\w+>\(c_str!\("(\w+)"\)', (root / "src/control.rs").read_text()))
    files.discard("printk_cpumask")
    if not {"emergency", "stats", "consoles"} <= files:
        bad.append(f"src/control.rs: the files parsed ({sorted(files)}) lack emergency, stats or consoles")
    for doc, text, pat in (
        ("docs/sysctl.rst", rst, r"^printk_offload/(\w+)\n=+$"),
        ("README.md", readme, r"^\| `kernel/printk_offload/(\w+)` \|"),
    ):
        documented = set(re.findall(pat, text, re.M))
        for n in documented:
            if n not in names and n not in files:
                bad.append(f"{doc}: documents printk_offload/{n}, which the source does not have")
        for n in sorted(files - documented):
            bad.append(f"{doc}: does not document printk_offload/{n}")
    cs = counters(stats)
    if len(cs) < 10:
        bad.append(f"src/stats.rs: only {len(cs)} counters parsed")
    table = rst[rst.index("``cpuN_records``") - 4000 : rst.index("``cpuN_records``")]
    rst_counters = set(re.findall(r"^``(\w+)``\s", table, re.M))
    for c in cs:
        if c not in rst_counters:
            bad.append(f"docs/sysctl.rst: the stats table does not list {c}")
        if f"`{c}`" not in readme:
            bad.append(f"README.md: does not name the counter {c}")
    # The other lines of the stats file: state, written by `Offload::show_stats`.
    state = set(re.findall(r'w\.line\("(\w+)"', (root / "src/engine/mod.rs").read_text()))
    if "backlog" not in state:
        bad.append("src/engine/mod.rs: the stats file's state lines were not found")
    for c in sorted(rst_counters - set(cs) - state):
        if not re.fullmatch(r"cpuN?_records", c):
            bad.append(f"docs/sysctl.rst: the stats table lists {c}, which the file does not show")
    # The module parameters: one per tunable, plus printk_cpumask and emergency; a range or
    # default a description states must be the table's.
    params_src = (root / "src/params.rs").read_text()
    body = params_src[params_src.index("module_params! {") :]
    body = body[: body.index("\n}\n")]
    entries = re.findall(r'^\s*(\w+): \w+(?:<\d+>)?, "\w+",\s*"([^"]*)";', body, re.M)
    if {n for n, _ in entries} != names | {"printk_cpumask", "emergency"}:
        bad.append(f"src/params.rs: parameters {sorted(n for n, _ in entries)} are not the tunables,"
                   " printk_cpumask and emergency")
    table = {k[0]: k for k in ks}
    for n, desc in entries:
        m = re.search(r"\((\d+)-(\d+)(?:, default (\d+))?\)", desc)
        if n in table and m:
            _, default, lo, hi = table[n]
            if (int(m.group(1)), int(m.group(2))) != (lo, hi) or (
                m.group(3) is not None and int(m.group(3)) != default
            ):
                bad.append(f"src/params.rs: {n}: the description's range or default is not the table's")
    for b in bad:
        print(b)
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
