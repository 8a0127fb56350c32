#!/usr/bin/env python3
"""Prints the reference values that src/stats tests are checked against.

Run: python3 src/stats/reference_values.py   (scipy and numpy from PyPI)
"""
import math
import numpy as np
import scipy
from scipy import stats
from scipy.special import gammaln

print("scipy", scipy.__version__, "numpy", np.__version__)
pre = np.array([15, 18, 12, 20, 22, 16, 14, 19, 21, 17], float)
post = np.array([9, 12, 10, 14, 15, 10, 11, 12, 16, 13], float)
sets = {
    "lakens": (pre, post),
    "ties_zeros": (np.array([10, 12, 9, 14, 20, 8, 11, 15, 13, 9, 16, 7], float),
                   np.array([8, 12, 9, 10, 14, 8, 13, 11, 13, 5, 12, 9], float)),
    "large": (np.arange(60, dtype=float) % 17 + 10, (np.arange(60, dtype=float) * 7) % 23 + 5),
}
for name, (a, b) in sets.items():
    ch = b - a
    n = len(ch)
    t = stats.ttest_rel(b, a)
    ci = t.confidence_interval(0.95)
    nz = ch[ch != 0]
    ties = len(np.unique(np.abs(nz))) < len(nz)
    method = "exact" if len(nz) <= 50 and not ties else "asymptotic"
    w = stats.wilcoxon(nz, correction=False, method=method)
    sd0, sd1 = a.std(ddof=1), b.std(ddof=1)
    dz = ch.mean() / ch.std(ddof=1)
    dav = ch.mean() / ((sd0 + sd1) / 2)
    j = math.exp(gammaln((n - 1) / 2) - 0.5 * math.log((n - 1) / 2) - gammaln((n - 2) / 2))
    print(f"{name}: n={n} mean={ch.mean()!r} sd={ch.std(ddof=1)!r} t={t.statistic!r} p={t.pvalue!r} "
          f"ci=({ci.low!r}, {ci.high!r}) wilcoxon[{method}] stat={w.statistic!r} p={w.pvalue!r} "
          f"d_z={dz!r} d_av={dav!r} g_av={dav * j!r}")

# Exact Wilcoxon on small samples, both signs.
for xs in ([1.0, -2.0, 3.0, 4.0, -5.0, 6.0, 7.0], [-1.5, -2.5, -3.5, -4.5], [2.0, 1.0, 3.0, 5.0, 4.0, -6.0]):
    w = stats.wilcoxon(xs, method="exact")
    print("exact", xs, repr(w.statistic), repr(w.pvalue))
