#!/usr/bin/env python3
"""compare-models.py A B [METRICS.jsonl]: model files A and B hold the same least-squares model, learned
from the same rows in other batches (or partitions). Prints what it compared; exit 1 when they
differ. With METRICS, also the rows its lines count. Used by run-stack.sh and run-scale.sh."""
import json, sys
a, b = (json.load(open(p)) for p in sys.argv[1:3])
if a["rows_seen"] != b["rows_seen"]:
    sys.exit(f"rows_seen: {a['rows_seen']} in {sys.argv[1]}, {b['rows_seen']} in {sys.argv[2]}")
def nums(x):
    if isinstance(x, bool): return []
    if isinstance(x, (int, float)): return [float(x)]
    if isinstance(x, list): return [v for e in x for v in nums(e)]
    if isinstance(x, dict): return [v for k in sorted(x) for v in nums(x[k])]
    return []
va = nums(a["coefficients"]) + nums(a["intercept"]); vb = nums(b["coefficients"]) + nums(b["intercept"])
if len(va) != len(vb) or not va:
    sys.exit(f"model parameters differ in number: {len(va)} vs {len(vb)} (keys {sorted(a)})")
# A learned the rows in batches cut by time (or partition by partition), B otherwise: the same rows give
# the same model up to rounding, which the nearly collinear consumption columns (comb is almost
# 0.55 city + 0.45 highway) amplify to about 1e-9 in single coefficients (/model/merge/* measured
# 2.1e-9 between batch sizes). Hence 1e-9 on the whole vector and 1e-8 per coefficient; one row
# learned twice or lost moves them by about 1e-4.
worst = max(abs(x - y) / max(1.0, abs(x), abs(y)) for x, y in zip(va, vb))
norm = sum((x - y) ** 2 for x, y in zip(va, vb)) ** 0.5 / max(1.0, sum(y * y for y in vb) ** 0.5)
extra = ""
if len(sys.argv) > 3:
    extra = ", metrics.jsonl rows %d" % sum(json.loads(l).get("rows", 0) for l in open(sys.argv[3]) if l.strip())
print(f"rows_seen {a['rows_seen']}, {len(va)} parameters, relative difference {norm:.3g} (vector), "
      f"{worst:.3g} (largest coefficient){extra}")
sys.exit(0 if norm < 1e-9 and worst < 1e-8 else 1)
