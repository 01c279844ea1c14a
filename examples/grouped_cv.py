"""Grouped cross-validation: the GNN against the baselines on the same leave-metal-out folds.

Run: python examples/grouped_cv.py [--data ../shared/data/nist46_metal_binding.csv] [--epochs 30]
Without --data the embedded MINTEQ data is used.
"""

from __future__ import annotations

import argparse

from skmetalpka import load_minteq, load_nist46, make_model
from skmetalpka.selection import grouped_cv


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--data", default=None)
    ap.add_argument("--epochs", type=int, default=30)
    ap.add_argument("--folds", type=int, default=3)
    args = ap.parse_args()
    X, y = load_nist46(args.data) if args.data else load_minteq()
    models = {
        "gnn": make_model("gnn", max_epochs=args.epochs, random_state=0),
        "rf": make_model("rf", n_estimators=100, random_state=0),
        "mean": make_model("mean"),
    }
    result = grouped_cv(models, X, y, groups="metal", n_splits=args.folds)
    print(result.summary())


if __name__ == "__main__":
    main()
