"""Ablation: the old design versus the default, switching one component at a time.

Usage::

    python benchmarks/ablation.py [--data PATH] [--folds 5] [--n-jobs 2] [--only NAME,NAME]

Every variant runs on the same ligand-grouped folds (GroupKFold by canonical SMILES, groups
shuffled with seed 0) of the NIST table under the default validation policy. The old design is
encoder depth 0 (no message passing over bonds), one ``global`` backbone average, ``hard`` sites
from the upstream ``column`` picks, and no encoding of n. Writes benchmarks/results/ablation.json
and ablation.md.
"""

from __future__ import annotations

import argparse
import json
import os
import time

from _common import data_path, md_table, save

from skmetalpka import default_pipeline, load_nist46
from skmetalpka.selection import grouped_cv

OLD = dict(
    encoder_depth=0, backbone="global", site_mode="hard", site_method="column", n_encoding="none"
)

#: name -> (parameters changed from the default, what it shows)
VARIANTS: dict[str, tuple[dict, str]] = {
    "default": (
        {},
        "soft sites over rule candidates, per-ligand backbone, GINE depth 3, n embedded",
    ),
    "encoder_depth=0": ({"encoder_depth": 0}, "no message passing over ligand bonds"),
    "backbone=global": ({"backbone": "global"}, "one backbone average over all N copies"),
    "backbone=none": ({"backbone": "none"}, "no backbone context"),
    "site_mode=hard": ({"site_mode": "hard"}, "fixed top rule site per copy"),
    "sites=column,hard": (
        {"site_method": "column", "site_mode": "hard"},
        "fixed upstream pKa-model site per copy",
    ),
    "sites=column,soft": ({"site_method": "column"}, "upstream picks as prior of soft attention"),
    "n_encoding=none": ({"n_encoding": "none"}, "star blind to n (mean pooling only)"),
    "no ligand descriptors": ({"ligand_descriptors": False}, "graph only"),
    "ordering_penalty=0.3": ({"ordering_penalty": 0.3}, "soft prior K_n >= K_n+1"),
    "metal_embedding": ({"metal_embedding": True}, "learned embedding of seen metals"),
    "old design": (OLD, "all of the old choices together"),
}

#: Run when --only is not given: the four components of the old design one at a time, the
#: ordering prior, the ligand descriptors, and everything old at once.
DEFAULT_RUN = (
    "default",
    "encoder_depth=0",
    "backbone=global",
    "sites=column,hard",
    "n_encoding=none",
    "no ligand descriptors",
    "ordering_penalty=0.3",
    "old design",
)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--data", default=None)
    ap.add_argument("--folds", type=int, default=5)
    ap.add_argument("--n-jobs", type=int, default=2)
    ap.add_argument(
        "--only", default=None, help=f"comma-separated variant names from: {', '.join(VARIANTS)}"
    )
    ap.add_argument("--params", default=None, help="JSON file: base GNN parameters")
    args = ap.parse_args()
    os.environ.setdefault("OMP_NUM_THREADS", "1")
    import torch

    torch.set_num_threads(1)
    X, y = load_nist46(data_path(args.data))
    base = json.loads(open(args.params).read()) if args.params else {}
    names = args.only.split(",") if args.only else list(DEFAULT_RUN)
    models = {}
    for name in names:
        change, _ = VARIANTS[name]
        models[name] = default_pipeline(**{**base, "random_state": 0, **change})
    t = time.time()
    res = grouped_cv(
        models,
        X,
        y,
        groups="ligand",
        n_splits=args.folds,
        n_jobs=args.n_jobs,
        random_state=0,
        progress=True,
    )
    print(f"{len(models)} variants x {args.folds} folds in {time.time() - t:.0f}s")
    rows = []
    for name in names:
        m = res.metrics[name]
        rows.append(
            {
                "variant": name,
                "b1_rmse": m["beta"]["steps"]["1"]["rmse"],
                "b2_rmse": m["beta"]["steps"]["2"]["rmse"],
                "all_rmse": m["beta"]["all"]["rmse"],
                "logk_rmse": m["logk"]["all"]["rmse"],
                "what": VARIANTS[name][1],
            }
        )
    table = md_table(
        rows, ["variant", "b1_rmse", "b2_rmse", "all_rmse", "logk_rmse", "what"], floatfmt="{:.2f}"
    )
    print(table)
    print("saved", save("ablation", {"folds": args.folds, "base": base, "rows": rows}, table))


if __name__ == "__main__":
    main()
