# SPDX-License-Identifier: GPL-2.0
"""Percentiles and bootstrap intervals shared by the benchmark's analyses.

Samples are pooled over runs and boots. A percentile is shown only when it rests on
enough samples (NEED). Intervals are 95% bootstrap intervals that resample whole units
(a run, or a block of consecutive calls of one writer), since samples taken close
together in time are not independent of each other.
"""
import math
import random

import numpy as np

# The fewest samples a percentile may rest on.
NEED = {50: 1, 90: 100, 99: 1000, 99.9: 10000, 99.99: 100000}
ITERATIONS = 1000


def pct(sorted_v, p):
    """Nearest-rank percentile of sorted samples: the smallest value with at least p% of
    the samples at or below it."""
    n = len(sorted_v)
    if not n:
        return None
    return sorted_v[min(n - 1, max(0, math.ceil(p / 100.0 * n) - 1))]


def enough(n, p):
    return n >= NEED.get(p, 1)


def na(n):
    return "n/a (%d samples)" % n


def mean(v):
    return float(np.mean(v)) if len(v) else None


def blocks(series, size):
    """Each writer's samples (in call order) cut into blocks of `size` consecutive calls:
    the units a bootstrap resamples."""
    out = []
    for s in series:
        a = np.asarray(s, dtype=np.float64)
        out += [a[i:i + size] for i in range(0, len(a), size) if len(a[i:i + size])]
    return out


def bootstrap(units, stats, seed=1, iterations=ITERATIONS):
    """95% intervals of stats(pooled sorted samples) -> tuple, resampling whole units
    with replacement. A list of [low, high] per statistic, or None (fewer than 2 units)."""
    units = [np.asarray(u, dtype=np.float64) for u in units if len(u)]
    if len(units) < 2:
        return None
    rng = random.Random(seed)
    draws = []
    for _ in range(iterations):
        pooled = np.sort(np.concatenate([units[rng.randrange(len(units))] for _ in units]))
        draws.append(stats(pooled))
    out = []
    for k in range(len(draws[0])):
        vals = sorted(d[k] for d in draws if d[k] is not None)
        out.append([float(pct(vals, 2.5)), float(pct(vals, 97.5))] if vals else None)
    return out


def apart_below(a, b):
    """Interval a lies wholly below interval b: 'better' needs intervals apart."""
    return None if not a or not b else a[1] < b[0]
