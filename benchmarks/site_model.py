"""Does the learned site predictor find ionisable atoms better than rules? Held-out ligands.

Trains :class:`skmetalpka.featurize.site_model.AtomSiteClassifier` on 80 % of the ligands of
``nist46_proton_sites.csv`` (split by ligand, three seeds) and scores the other 20 %: top-1
accuracy (is the highest-scoring atom a labelled ionisable atom), per-atom ROC AUC and average
precision, for the learned model, the SMARTS donor rules and the trivial "most basic heteroatom"
rule. The labels are weak (ionisable is not the same as coordinating).

Usage::

    python benchmarks/site_model.py [--seeds 0,1,2]

Writes benchmarks/results/site_model.json and .md.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _common import data_path, md_table, save  # noqa: E402


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--data", help="folder holding nist46_proton_sites.csv")
    ap.add_argument("--seeds", default="0,1,2")
    args = ap.parse_args()

    import torch

    from skmetalpka.datasets import load_nist46_proton_sites
    from skmetalpka.featurize.site_model import evaluate_site_model

    torch.set_num_threads(1)
    path = data_path(
        args.data and str(Path(args.data) / "nist46_proton_sites.csv"), "nist46_proton_sites.csv"
    )
    smiles, labels, report = load_nist46_proton_sites(path, return_report=True)
    print(report)
    runs = []
    for seed in [int(s) for s in args.seeds.split(",")]:
        res = evaluate_site_model(smiles, labels, random_state=seed)
        runs.append({"seed": seed, **res})
        print({k: v for k, v in runs[-1].items() if isinstance(v, int | float)}, flush=True)
    rows = []
    for m in ("learned_shared", "learned", "rules", "trivial"):
        row = {"source": m}
        for key in ("top1", "top1_lenient", "roc_auc", "average_precision"):
            vals = [r.get(f"{key}_{m}") for r in runs if r.get(f"{key}_{m}") is not None]
            if vals:
                row[key] = float(np.mean(vals))
        rows.append(row)
    payload = {
        "command": "python benchmarks/site_model.py " + " ".join(sys.argv[1:]),
        "n_ligands": len(smiles),
        "runs": runs,
        "mean": rows,
    }
    md = (
        f"{len(smiles)} labelled ligands, 80/20 split by ligand, mean of seeds {args.seeds}:\n\n"
        + md_table(rows, ["source", "top1", "top1_lenient", "roc_auc", "average_precision"])
    )
    out = save("site_model", payload, md)
    print(md)
    print(f"wrote {out}")


if __name__ == "__main__":
    main()
