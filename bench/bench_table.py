#!/usr/bin/python3
"""bench_table.py REF.csv TOL NAME=RES.csv[@BASELINE] ... : one markdown table of a run_bench.sh size.

Columns: sets run, median wall time per simulation, throughput, median RHS evaluations, the ratio
of the median to each baseline row (rows named by their NAME), and the harness's correctness
metric: max over states and sets of |x - x_ref| / max(|x_ref|, 1e-6) at day 365 and at days
17/30/90/365, x_ref being the harness's CVODE run at rtol 1e-10 / atol 1e-14. A row whose
checkpoint metric exceeds TOL is marked FAIL and makes the exit status 1.

RES may list several files of repeated runs separated by '|': the one with the lowest median
is used (the run least disturbed by other load on the machine); "sims" then says "K (best of R)".

Each row may name baselines after '@' (NAMEs separated by ';') for its "ratio" column; rows
without one get "-".
"""
import sys

import numpy as np

FLOOR = 1e-6  # the harness's summarize.py floor


def load(path):
    with open(path) as f:
        head = f.readline().strip().split(",")
    return head, np.loadtxt(path, delimiter=",", skiprows=1, ndmin=2)


ref_head, ref = load(sys.argv[1])
tol = float(sys.argv[2])
ref_by_set = {int(r[0]): r for r in ref}
final = np.array([h.startswith("d365_") for h in ref_head])
ckpt = np.arange(len(ref_head)) >= 4

rows = []
for arg in sys.argv[3:]:
    spec, _, base = arg.partition("@")
    name, paths = spec.split("=", 1)
    runs = [load(p) + (p,) for p in paths.split("|")]
    head, d, path = min(runs, key=lambda r: np.median(r[1][:, 1]))
    if head != ref_head:
        sys.exit(f"{path}: checkpoint columns differ from the reference's")
    R = np.array([ref_by_set[int(s)] for s in d[:, 0]])
    ok = (d[:, 3] == 1) & (R[:, 3] == 1)
    rel = (np.abs(d - R) / np.maximum(np.abs(R), FLOOR))[ok]
    rf = float(np.nanmax(rel[:, final])) if ok.any() else float("nan")
    rc = float(np.nanmax(rel[:, ckpt])) if ok.any() else float("nan")
    if np.isnan(rc) and ok.any():  # NaN checkpoints (a failed run) count as wrong
        rc = float("inf")
    sims = f"{len(d)} (best of {len(runs)})" if len(runs) > 1 else str(len(d))
    rows.append(dict(name=name, sims=sims, med=float(np.median(d[:, 1])), tput=len(d) / d[:, 1].sum(),
                     rhs=float(np.median(d[:, 2])), rf=rf, rc=rc, failed=int((d[:, 3] != 1).sum()),
                     base=[b for b in base.split(";") if b]))
by_name = {r["name"]: r for r in rows}

print("| run | sims | median ms/sim | sims/s | median RHS evals | ratio to baseline (median) "
      "| max rel. diff day 365 | max rel. diff days 17/30/90/365 | check |")
print("|---|---:|---:|---:|---:|---|---:|---:|---|")
bad = False
for r in rows:
    ratios = "; ".join(f"{r['med'] / by_name[b]['med']:.2f}× {b}" for b in r["base"] if b in by_name) or "-"
    passed = r["failed"] == 0 and r["rc"] <= tol
    bad |= not passed
    print(f"| {r['name']} | {r['sims']} | {1e3 * r['med']:.4g} | {r['tput']:.4g} | {r['rhs']:.0f} | {ratios} | "
          f"{r['rf']:.1e} | {r['rc']:.1e} | {'ok' if passed else 'FAIL'} |")
sys.exit(1 if bad else 0)
