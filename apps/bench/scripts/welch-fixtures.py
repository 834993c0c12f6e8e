#!/usr/bin/env python3
"""Golden values for apps/bench/src/welch.ts (Welch's t interval of aa-bench compare), from scipy. Run with Debian's
python3 (python3-scipy):
    /usr/bin/python3 apps/bench/scripts/welch-fixtures.py apps/bench/test/fixtures/welch.json
"""
import json
import warnings
import sys

import numpy as np
from scipy import stats

out = {"quantiles": [], "intervals": []}
for p, df in [(0.975, 1.0), (0.975, 2.0), (0.975, 3.7), (0.975, 4.0), (0.975, 10.5), (0.975, 120.0), (0.995, 2.3), (0.9, 5.0), (0.025, 6.0), (0.5, 3.0)]:
    t = float(stats.t.ppf(p, df))
    # ppf itself is good to about 1e-9 here; the CDF at its answer is exact to double precision.
    out["quantiles"].append({"p": p, "df": df, "t": t, "cdf": float(stats.t.cdf(t, df))})
rng = np.random.default_rng(20)
cases = [
    # per-seed accuracies in points: two small samples, unequal sizes and spreads, as seeds give them
    ("3 vs 3", [72.21, 71.40, 72.90], [71.95, 73.10, 72.40]),
    ("3 vs 5", [50.1, 49.3, 51.0], [51.45, 49.05, 50.2, 52.3, 48.8]),
    ("2 vs 2", [74.83, 74.02], [75.81, 73.99]),
    ("one side constant", [60.0, 60.0, 60.0], [58.5, 59.5, 61.0]),
    ("random 4 vs 6", list(rng.normal(55, 1.2, 4)), list(rng.normal(56, 0.4, 6))),
]
for name, a, b in cases:
    a, b = np.array(a, dtype=float), np.array(b, dtype=float)
    va, vb = a.var(ddof=1) / len(a), b.var(ddof=1) / len(b)
    df = (va + vb) ** 2 / (va ** 2 / (len(a) - 1) + vb ** 2 / (len(b) - 1))
    d = a.mean() - b.mean()
    half = stats.t.ppf(0.975, df) * np.sqrt(va + vb)
    # The same interval from scipy's own Welch test: the t statistic and p-value agree with it.
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # scipy warns on the constant side; the statistic is exact
        r = stats.ttest_ind(a, b, equal_var=False)
    assert abs(r.statistic - d / np.sqrt(va + vb)) < 1e-9
    out["intervals"].append({"name": name, "a": a.tolist(), "b": b.tolist(), "difference": float(d), "df": float(df),
                             "low": float(d - half), "high": float(d + half), "pValue": float(r.pvalue)})
with open(sys.argv[1], "w") as f:
    json.dump(out, f, indent=1)
