"""Do protonation constants help? Metal-only vs proton pre-training vs joint training.

Protocol: K-fold GroupKFold by ligand on the NIST metal table (the same folds for every
variant). In every fold the protonation rows of the test ligands are removed from the proton
table before training (:func:`skmetalpka.model.exclude_ligands`), so no test ligand is seen
through its protonation constants. All variants use the same network, seed and N (the wider of
the two tables), and are scored on the metal rows of the test ligands (masked RMSE of
cumulative log beta, original units). The joint and pre-trained models also predict the
protonation constants of the test ligands, which is scored too (``proton_rmse``).

Usage::

    python benchmarks/transfer.py [--folds 3] [--n-jobs 2] [--variants none,pretrain,joint]

Writes benchmarks/results/transfer.json and transfer.md.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _common import data_path, md_table, save  # noqa: E402


def run_fold(variant, params, X, y, Xp, yp, train, test, seed, proton_weight, pretrain_epochs):
    import torch

    from skmetalpka import default_pipeline
    from skmetalpka.model import ProtonTransferRegressor, exclude_ligands

    torch.set_num_threads(1)
    Xp_tr, yp_tr = exclude_ligands(Xp, yp, X["smiles"].iloc[test])
    test_ligands = set(X["smiles"].iloc[test])
    from skmetalpka.selection import make_groups

    test_keys = set(make_groups(X.iloc[test], "ligand"))
    proton_keys = make_groups(Xp, "ligand")
    in_test = np.array([k in test_keys for k in proton_keys])
    Xp_te = Xp.loc[in_test]
    t0 = time.perf_counter()
    model = ProtonTransferRegressor(
        default_pipeline(**params, random_state=seed),
        mode=variant,
        proton_weight=proton_weight,
        pretrain_epochs=pretrain_epochs,
    ).fit(X.iloc[train], y[train], proton_X=Xp_tr, proton_y=yp_tr)
    seconds = time.perf_counter() - t0
    pred = model.predict(X.iloc[test])
    pred_p = model.predict(Xp_te) if len(Xp_te) else np.zeros((0, yp.shape[1]))
    overlap = len(test_keys & set(make_groups(Xp_tr, "ligand")))
    return {
        "pred": pred,
        "pred_proton": pred_p,
        "proton_test_index": np.flatnonzero(in_test),
        "seconds": seconds,
        "n_proton_train": len(Xp_tr),
        "leaked_ligands": overlap,
        "n_test_ligands": len(test_ligands),
    }


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--data", help="folder holding the NIST tables (default: shared data)")
    ap.add_argument("--folds", type=int, default=3)
    ap.add_argument("--n-jobs", type=int, default=2)
    ap.add_argument("--variants", default="none,pretrain,joint")
    ap.add_argument("--proton-weight", type=float, default=0.5)
    ap.add_argument("--pretrain-epochs", type=int, default=60)
    ap.add_argument("--max-epochs", type=int, default=200)
    ap.add_argument("--seed", type=int, default=0)
    args = ap.parse_args()

    from joblib import Parallel, delayed
    from sklearn.model_selection import GroupKFold

    from skmetalpka import load_nist46, load_nist46_proton
    from skmetalpka.metrics import masked_rmse
    from skmetalpka.selection import make_groups

    metal_csv = data_path(args.data and str(Path(args.data) / "nist46_metal_binding.csv"))
    X, y = load_nist46(metal_csv)
    Xp, yp = load_nist46_proton(metal_csv.parent)
    width = max(y.shape[1], yp.shape[1])
    y = np.hstack([y, np.full((len(y), width - y.shape[1]), np.nan)])
    groups = make_groups(X, "ligand")
    splits = list(GroupKFold(n_splits=args.folds).split(X, y, groups))
    variants = [v.strip() for v in args.variants.split(",") if v.strip()]
    params = {"max_epochs": args.max_epochs}
    print(f"{len(X)} metal rows, {len(Xp)} proton rows, N={width}, {args.folds} ligand folds")

    tasks = [(v, k) for v in variants for k in range(len(splits))]
    t0 = time.perf_counter()
    outs = Parallel(n_jobs=args.n_jobs, verbose=10)(
        delayed(run_fold)(
            v,
            params,
            X,
            y,
            Xp,
            yp,
            splits[k][0],
            splits[k][1],
            args.seed,
            args.proton_weight,
            args.pretrain_epochs,
        )
        for v, k in tasks
    )
    wall = time.perf_counter() - t0
    rows = []
    for v in variants:
        pred = np.full(y.shape, np.nan)
        pred_p = np.full(yp.shape, np.nan)
        seconds, leaked = 0.0, 0
        for (vv, k), out in zip(tasks, outs, strict=True):
            if vv != v:
                continue
            pred[splits[k][1]] = out["pred"][:, : y.shape[1]]
            pred_p[out["proton_test_index"]] = out["pred_proton"][:, : yp.shape[1]]
            seconds += out["seconds"]
            leaked += out["leaked_ligands"]
        row = {
            "variant": v,
            "rmse_beta1": float(masked_rmse(y[:, :1], pred[:, :1], missing_pred="ignore")),
            "rmse_all": float(masked_rmse(y, pred, missing_pred="ignore")),
            "proton_rmse": (
                float(masked_rmse(yp, pred_p, missing_pred="ignore"))
                if v != "none"
                else float("nan")
            ),
            "fit_seconds_total": seconds,
            "leaked_test_ligands": leaked,
        }
        rows.append(row)
        print(row, flush=True)
    base = next((r for r in rows if r["variant"] == "none"), None)
    if base is not None:
        for r in rows:
            r["delta_beta1"] = r["rmse_beta1"] - base["rmse_beta1"]
            r["delta_all"] = r["rmse_all"] - base["rmse_all"]
    payload = {
        "command": "python benchmarks/transfer.py " + " ".join(sys.argv[1:]),
        "n_metal": int(len(X)),
        "n_proton": int(len(Xp)),
        "n_steps": int(width),
        "folds": args.folds,
        "proton_weight": args.proton_weight,
        "pretrain_epochs": args.pretrain_epochs,
        "wall_seconds": wall,
        "results": rows,
    }
    cols = ["variant", "rmse_beta1", "rmse_all", "delta_beta1", "delta_all", "proton_rmse"]
    cols += ["fit_seconds_total", "leaked_test_ligands"]
    md = (
        f"{args.folds}-fold ligand-grouped CV on {len(X)} NIST metal rows; proton table "
        f"{len(Xp)} rows minus the test ligands in every fold; wall {wall / 60:.1f} min with "
        f"{args.n_jobs} workers.\n\n" + md_table(rows, cols)
    )
    path = save("transfer", payload, md)
    print(md)
    print(f"wrote {path}")


if __name__ == "__main__":
    main()
