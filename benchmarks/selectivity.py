"""How well a model ranks two metals for the same new ligand (selectivity), out of fold.

Screening for a separation asks for a *difference*, log K1(A) - log K1(B) for one ligand, not
for an absolute constant. Errors of one model on one ligand are correlated across metals, so a
difference can be much better (or worse) than the absolute RMSE suggests. This script reads the
out-of-fold predictions that ``benchmarks/corpus.py --split ligand --oof-dir DIR`` saved (the
ligands were never seen in training) and, for each metal pair, over the ligands measured with
both metals, reports the RMSE of the predicted difference, the spread of the measured
differences (the error of always predicting their mean), their correlation and the share of
ligands where the sign of the difference is right.

Usage::

    python benchmarks/selectivity.py --oof-dir DIR --tags _gnn,_gpr [--models gnn,gpr]
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _common import save  # noqa: E402

PAIRS = (
    ("Lu3+", "La3+"),
    ("Gd3+", "La3+"),
    ("Dy3+", "Nd3+"),
    ("Eu3+", "Am3+"),
    ("Cu2+", "Ni2+"),
    ("Ni2+", "Co2+"),
    ("Zn2+", "Cd2+"),
    ("Ca2+", "Mg2+"),
    ("Fe3+", "Al3+"),
)


def pair_stats(frame: pd.DataFrame, a: str, b: str) -> dict:
    """Selectivity metrics of ``a`` over ``b`` on ligands measured with both."""
    A = frame[frame["metal"] == a].groupby("ligand")[["y", "p"]].mean()
    B = frame[frame["metal"] == b].groupby("ligand")[["y", "p"]].mean()
    j = A.join(B, how="inner", suffixes=("_a", "_b"))
    if len(j) < 5:
        return {"n_ligands": int(len(j))}
    true = (j["y_a"] - j["y_b"]).to_numpy()
    pred = (j["p_a"] - j["p_b"]).to_numpy()
    return {
        "n_ligands": int(len(j)),
        "rmse_difference": float(np.sqrt(np.mean((pred - true) ** 2))),
        "sd_measured_difference": float(true.std()),
        "mean_measured_difference": float(true.mean()),
        "corr": float(np.corrcoef(true, pred)[0, 1]) if true.std() > 0 else float("nan"),
        "sign_right": float(np.mean(np.sign(true) == np.sign(pred))),
        "rmse_absolute_a": float(np.sqrt(np.mean((j["p_a"] - j["y_a"]) ** 2))),
    }


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--oof-dir", required=True)
    ap.add_argument("--tags", default="_gnn,_gpr", help="--tag of each corpus.py ligand run")
    ap.add_argument("--models", default="gnn,gpr", help="model of each tag, same order")
    args = ap.parse_args()
    results: dict = {}
    for tag, model in zip(args.tags.split(","), args.models.split(","), strict=True):
        path = Path(args.oof_dir) / f"corpus_ligand{tag}_oof.npz"
        z = np.load(path, allow_pickle=False)
        if "ligand" not in z:
            sys.exit(f"{path} has no ligand identities: rerun corpus.py with --oof-dir")
        frame = pd.DataFrame(
            {
                "ligand": z["ligand"],
                "metal": z["metal"],
                "y": z["y"][:, 0],
                "p": z[f"pred_{model}"][:, 0],
            }
        )
        frame = frame[np.isfinite(frame["y"]) & np.isfinite(frame["p"])]
        results[model] = {f"{a}/{b}": pair_stats(frame, a, b) for a, b in PAIRS}
    lines = [
        "log K1(A) - log K1(B) for the same new ligand (ligand-grouped 5-fold CV, out of fold)",
        "",
        "| pair | ligands | measured mean ± sd | "
        + " | ".join(f"{m} RMSE / corr / sign right" for m in results)
        + " |",
        "|---|---|---|" + "---|" * len(results),
    ]
    first = next(iter(results.values()))
    for pair, s in first.items():
        if "rmse_difference" not in s:
            continue
        cells = []
        for m in results:
            t = results[m][pair]
            cells.append(f"{t['rmse_difference']:.2f} / {t['corr']:.2f} / {t['sign_right']:.0%}")
        lines.append(
            f"| {pair} | {s['n_ligands']} | {s['mean_measured_difference']:+.2f} ± "
            f"{s['sd_measured_difference']:.2f} | " + " | ".join(cells) + " |"
        )
    md = "\n".join(lines) + "\n"
    print(md)
    command = " ".join(["python benchmarks/selectivity.py", *sys.argv[1:]])
    save("selectivity", {"command": command, "pairs": results}, md)


if __name__ == "__main__":
    main()
