#!/usr/bin/env python3
"""Golden values for apps/bench/src/claims/stats.ts, from scipy. Run with Debian's python3 (python3-scipy):
    /usr/bin/python3 apps/bench/scripts/stats-fixtures.py apps/bench/test/fixtures/stats.json
"""
import json
import sys

import numpy as np
from scipy import stats

rng = np.random.default_rng(14)
out = {"normalSurvival": [], "wilcoxon": [], "mcnemar": [], "binomialUpper": []}
for z in [-3.0, -1.0, 0.0, 0.3, 1.0, 1.96, 2.9, 3.1, 5.0, 8.0, 12.0]:
    out["normalSurvival"].append({"z": z, "p": float(stats.norm.sf(z))})
cases = [
    ("continuous", rng.normal(0.1, 0.05, 300), rng.normal(0.11, 0.05, 300)),
    ("large effect", rng.normal(0.0, 1.0, 2000), rng.normal(0.3, 1.0, 2000)),
    ("ties and zeros", np.round(rng.normal(0, 1, 400), 1), np.round(rng.normal(0.05, 1, 400), 1)),
    ("no effect", rng.uniform(0, 1, 500), rng.uniform(0, 1, 500)),
]
for name, x, y in cases:
    r = stats.wilcoxon(x, y, zero_method="wilcox", correction=False, method="approx")
    out["wilcoxon"].append({"name": name, "x": x.tolist(), "y": y.tolist(), "statistic": float(r.statistic), "p": float(r.pvalue)})
for b, c in [(0, 0), (3, 1), (10, 25), (120, 160), (400, 470), (1000, 1100), (5, 40)]:
    out["mcnemar"].append({"onlyA": b, "onlyB": c, "p": 1.0 if b + c == 0 else float(stats.binomtest(b, b + c, 0.5).pvalue)})
for k, n, p in [(30, 200, 0.1), (60, 500, 0.1), (300, 1000, 0.1), (5, 10, 0.5), (2, 2500, 0.001)]:
    out["binomialUpper"].append({"k": k, "n": n, "p": p, "tail": float(stats.binom.sf(k - 1, n, p))})
with open(sys.argv[1], "w") as f:
    json.dump(out, f)
