"""Accuracy on the NIST table: GNN vs GPR vs random forest vs per-metal mean, same folds.

Usage::

    python benchmarks/accuracy.py [--data PATH] [--folds 5] [--models gnn,gpr,rf,mean]
                                  [--schemes ligand,metal] [--n-jobs 2] [--params gnn.json]

``gnn_ensK`` in ``--models`` is a deep ensemble of K default GNNs (``make_model("gnn",
n_members=K)``).

Schemes: ``ligand`` = GroupKFold by ligand (canonical SMILES, groups shuffled with seed 0);
``metal`` = leave-one-metal-out (GroupKFold with one fold per metal). The default validation
policy of :func:`skmetalpka.load_nist46` is applied. Every model sees the same folds. Out-of-fold
predictions are scored per step in original units (log beta) and the targets of the project
are checked. Writes benchmarks/results/accuracy.json and accuracy.md.
"""

from __future__ import annotations

import argparse
import json
import os
import time

import numpy as np
from _common import data_path, md_table, save

from skmetalpka import load_nist46, make_model
from skmetalpka.selection import grouped_cv


def _row(scheme: str, name: str, res, fit_time: float) -> dict:
    m = res.metrics[name]
    row = {"scheme": scheme, "model": name}
    for k, v in m["beta"]["steps"].items():
        row[f"b{k}_rmse"] = v["rmse"]
    b1 = m["beta"]["steps"]["1"]
    row.update(
        b1_mae=b1["mae"],
        b1_r2=b1["r2"],
        all_rmse=m["beta"]["all"]["rmse"],
        logk_rmse=m["logk"]["all"]["rmse"],
        n_missing=m["n_missing_pred"],
        fit_s=fit_time,
    )
    return row


def check_targets(rows: list[dict]) -> list[str]:
    """The project's accuracy targets, each as a PASS/MISS line with the margin."""
    by = {(r["scheme"], r["model"]): r for r in rows}
    out = []

    def line(ok: bool, text: str) -> None:
        out.append(("PASS " if ok else "MISS ") + text)

    g = by.get(("ligand", "gnn"))
    if g:
        line(g["b1_rmse"] <= 2.0, f"ligand CV: gnn beta1 RMSE {g['b1_rmse']:.3f} <= 2.0")
        for base in ("gpr", "rf"):
            b = by.get(("ligand", base))
            if b:
                gain = 1 - g["b1_rmse"] / b["b1_rmse"]
                line(gain >= 0.20, f"ligand CV: gnn beta1 {100 * gain:.1f}% below {base} (>= 20%)")
        rf = by.get(("ligand", "rf"))
        if rf:
            gain = 1 - g["all_rmse"] / rf["all_rmse"]
            line(gain >= 0.15, f"ligand CV: gnn all-step {100 * gain:.1f}% below rf (>= 15%)")
    g = by.get(("metal", "gnn"))
    if g:
        for base in ("gpr", "rf"):
            b = by.get(("metal", base))
            if b:
                line(
                    g["b1_rmse"] < b["b1_rmse"],
                    f"leave-one-metal-out: gnn beta1 {g['b1_rmse']:.3f} < {base} {b['b1_rmse']:.3f}",
                )
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--data", default=None)
    ap.add_argument("--folds", type=int, default=5)
    ap.add_argument("--models", default="gnn,gpr,rf,mean")
    ap.add_argument("--schemes", default="ligand,metal")
    ap.add_argument("--n-jobs", type=int, default=2)
    ap.add_argument("--params", default=None, help="JSON file of GNN pipeline parameters")
    ap.add_argument("--name", default="accuracy", help="result file name")
    args = ap.parse_args()
    os.environ.setdefault("OMP_NUM_THREADS", "1")
    import torch

    torch.set_num_threads(1)
    path = data_path(args.data)
    X, y, report = load_nist46(path, return_report=True)
    print(report)
    gnn_params = json.loads(open(args.params).read()) if args.params else {}
    names = [m.strip() for m in args.models.split(",") if m.strip()]
    models = {}
    for name in names:
        kind, _, members = name.partition("_ens")  # "gnn_ens4": deep ensemble of 4 GNNs
        params = dict(gnn_params) if kind == "gnn" else {}
        if members:
            params["n_members"] = int(members)
        if kind in ("gpr", "rf", "gnn"):
            params.setdefault("random_state", 0)
        models[name] = make_model(kind, **params)
    rows = []
    for scheme in [s.strip() for s in args.schemes.split(",") if s.strip()]:
        n_splits = args.folds if scheme == "ligand" else X["metal"].nunique()
        t = time.time()
        res = grouped_cv(
            models,
            X,
            y,
            groups=scheme,
            n_splits=n_splits,
            n_jobs=args.n_jobs,
            random_state=0 if scheme == "ligand" else None,
            progress=True,
        )
        print(f"{scheme}: {n_splits} folds in {time.time() - t:.0f}s")
        for name in names:
            rows.append(_row(scheme, name, res, float(np.sum(res.fit_time[name]))))
    cols = ["scheme", "model"] + [f"b{k}_rmse" for k in range(1, y.shape[1] + 1)]
    cols += ["b1_mae", "b1_r2", "all_rmse", "logk_rmse", "fit_s"]
    table = md_table(rows, cols, floatfmt="{:.2f}")
    targets = check_targets(rows)
    text = table + "\n" + "\n".join(f"- {t}" for t in targets) + "\n"
    print(text)
    out = save(
        args.name,
        {
            "data": str(path),
            "n_samples": len(X),
            "n_steps": int(y.shape[1]),
            "gnn_params": gnn_params,
            "folds": args.folds,
            "rows": rows,
            "targets": targets,
        },
        text,
    )
    print(f"saved {out}")


if __name__ == "__main__":
    main()
