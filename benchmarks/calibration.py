"""How good and how honest is the packaged model? Ligand-grouped CV of its recipe.

Cross-validates :func:`skmetalpka.pretrained.default_recipe` (a deep ensemble of proton-aware
GNNs) with GroupKFold by ligand on the NIST metal table; in every fold the protonation rows of
the test ligands are removed from the proton table. Reports on the held-out metal rows:

* masked RMSE / MAE of cumulative log beta per step and pooled (original units);
* calibration of ``predict(return_std=True)``: the share of measured entries inside the
  ±1 sigma and ±2 sigma intervals (targets 68.3 % and 95.4 %), raw and after scaling sigma by a
  factor estimated *cross-fitted* (for fold k, from the other folds' out-of-fold residuals
  only), and the factor from all folds that the packaged model is saved with
  (``std_scale``);
* the same for the protonation constants of the held-out ligands.

Usage::

    python benchmarks/calibration.py [--folds 3] [--members 3] [--mode joint] [--n-jobs 2]

Writes benchmarks/results/calibration.json and calibration.md.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _common import data_path, md_table, save  # noqa: E402

ONE_SIGMA = 0.6826894921370859
TWO_SIGMA = 0.9544997361036416


def coverage(z: np.ndarray, scale: float = 1.0) -> tuple[float, float]:
    z = z[np.isfinite(z)]
    return float(np.mean(z <= scale)), float(np.mean(z <= 2 * scale))


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--data", help="folder holding the NIST tables (default: shared data)")
    ap.add_argument("--folds", type=int, default=3)
    ap.add_argument("--members", type=int, default=3)
    ap.add_argument("--mode", default="joint", choices=("joint", "pretrain", "none"))
    ap.add_argument("--n-jobs", type=int, default=2)
    ap.add_argument("--max-epochs", type=int, default=200)
    ap.add_argument("--seed", type=int, default=0)
    args = ap.parse_args()

    import torch
    from sklearn.model_selection import GroupKFold

    from skmetalpka import load_nist46, load_nist46_proton
    from skmetalpka.metrics import per_step_report
    from skmetalpka.model import exclude_ligands
    from skmetalpka.pretrained import RECIPE_PARAMS, default_recipe
    from skmetalpka.selection import make_groups

    torch.set_num_threads(1)
    metal_csv = data_path(args.data and str(Path(args.data) / "nist46_metal_binding.csv"))
    X, y = load_nist46(metal_csv)
    Xp, yp = load_nist46_proton(metal_csv.parent)
    groups = make_groups(X, "ligand")
    pgroups = make_groups(Xp, "ligand")
    splits = list(GroupKFold(n_splits=args.folds).split(X, y, groups))
    width = max(y.shape[1], yp.shape[1])
    mean = np.full((len(X), width), np.nan)
    std = np.full((len(X), width), np.nan)
    pmean = np.full((len(Xp), width), np.nan)
    pstd = np.full((len(Xp), width), np.nan)
    t0 = time.perf_counter()
    for k, (train, test) in enumerate(splits):
        Xp_tr, yp_tr = exclude_ligands(Xp, yp, X["smiles"].iloc[test])
        model = default_recipe(
            mode=args.mode,
            n_members=args.members,
            n_jobs=args.n_jobs,
            random_state=args.seed,
            max_epochs=args.max_epochs,
        )
        model.fit(X.iloc[train], y[train], proton_X=Xp_tr, proton_y=yp_tr)
        m, s = model.predict(X.iloc[test], return_std=True)
        mean[test], std[test] = m, s
        ptest = np.flatnonzero(np.isin(pgroups, list(set(groups[test]))))
        if len(ptest) and args.mode != "none":
            pm, ps = model.predict(Xp.iloc[ptest], return_std=True)
            pmean[ptest], pstd[ptest] = pm, ps
        print(f"fold {k + 1}/{args.folds} done at {time.perf_counter() - t0:.0f} s", flush=True)
    wall = time.perf_counter() - t0

    y_w = np.hstack([y, np.full((len(y), width - y.shape[1]), np.nan)])
    yp_w = np.hstack([yp, np.full((len(yp), width - yp.shape[1]), np.nan)])
    report = per_step_report(y_w[:, : y.shape[1]], mean[:, : y.shape[1]], missing_pred="ignore")
    z = np.abs(y_w - mean) / std
    # cross-fitted scale: fold k's factor from the other folds' residuals only
    fold_of = np.empty(len(X), dtype=int)
    for k, (_, test) in enumerate(splits):
        fold_of[test] = k
    z_scaled = np.full_like(z, np.nan)
    factors = []
    for k in range(len(splits)):
        others = z[fold_of != k]
        f = float(np.nanquantile(others[np.isfinite(others)], ONE_SIGMA))
        factors.append(f)
        z_scaled[fold_of == k] = z[fold_of == k] / f
    final_scale = float(np.nanquantile(z[np.isfinite(z)], ONE_SIGMA))
    raw1, raw2 = coverage(z)
    cf1, cf2 = coverage(z_scaled)
    z1 = z[:, :1]
    b1_raw = coverage(z1)
    b1_cf = coverage(z_scaled[:, :1])
    rows = [
        {
            "what": "metal, all steps",
            "cover_1sigma": raw1,
            "cover_2sigma": raw2,
            "cover_1sigma_scaled": cf1,
            "cover_2sigma_scaled": cf2,
        },
        {
            "what": "metal, log beta_1",
            "cover_1sigma": b1_raw[0],
            "cover_2sigma": b1_raw[1],
            "cover_1sigma_scaled": b1_cf[0],
            "cover_2sigma_scaled": b1_cf[1],
        },
    ]
    proton = {}
    if args.mode != "none":
        zp = np.abs(yp_w - pmean) / (pstd * final_scale)
        pr = per_step_report(yp_w[:, : yp.shape[1]], pmean[:, : yp.shape[1]], missing_pred="ignore")
        proton = {
            "rmse_all": float(pr["rmse"]["all"]),
            "rmse_1": float(pr["rmse"][1]),
            "coverage_scaled": coverage(zp),
        }
        rows.append(
            {
                "what": "protons (scaled by the metal factor)",
                "cover_1sigma_scaled": proton["coverage_scaled"][0],
                "cover_2sigma_scaled": proton["coverage_scaled"][1],
            }
        )
    metrics = {
        "rmse": {str(k): float(v) for k, v in report["rmse"].items()},
        "mae": {str(k): float(v) for k, v in report["mae"].items()},
        "n": {str(k): int(v) for k, v in report["n"].items()},
    }
    payload = {
        "command": "python benchmarks/calibration.py " + " ".join(sys.argv[1:]),
        "recipe": {
            "mode": args.mode,
            "members": args.members,
            "params": RECIPE_PARAMS,
            "max_epochs": args.max_epochs,
        },
        "folds": args.folds,
        "wall_seconds": wall,
        "metal_metrics": metrics,
        "proton_metrics": proton,
        "coverage": rows,
        "cross_fitted_factors": factors,
        "std_scale": final_scale,
        "median_std_raw": float(np.nanmedian(std[:, : y.shape[1]][np.isfinite(y)])),
    }
    per_step = [
        {"step": k, "n": metrics["n"][k], "rmse": metrics["rmse"][k], "mae": metrics["mae"][k]}
        for k in metrics["rmse"]
    ]
    md = (
        f"{args.folds}-fold ligand-grouped CV of the packaged recipe ({args.members} x "
        f"{args.mode} proton-aware GNN, {RECIPE_PARAMS}); {len(X)} metal rows; proton rows of "
        f"test ligands removed in every fold; {wall / 60:.1f} min.\n\n"
        "Metal constants (cumulative log beta, held-out ligands):\n\n"
        + md_table(per_step, ["step", "n", "rmse", "mae"])
        + "\nCalibration (share of measured entries within ±1 / ±2 sigma; targets 68.3 % / "
        "95.4 %):\n\n"
        + md_table(
            rows,
            ["what", "cover_1sigma", "cover_2sigma", "cover_1sigma_scaled", "cover_2sigma_scaled"],
        )
        + f"\nstd_scale (all folds) = {final_scale:.2f}; cross-fitted factors {np.round(factors, 2).tolist()}\n"
        + (
            f"\nProtonation constants of held-out ligands: RMSE log beta^H_1 {proton['rmse_1']:.2f}, "
            f"all steps {proton['rmse_all']:.2f}\n"
            if proton
            else ""
        )
    )
    path = save("calibration", payload, md)
    print(md)
    print(f"wrote {path}")


if __name__ == "__main__":
    main()
