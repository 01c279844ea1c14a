"""Quick start: train the default GNN on the embedded MINTEQ data and predict two complexes.

Run: python examples/quickstart.py [--epochs 60]
"""

from __future__ import annotations

import argparse

import pandas as pd

from skmetalpka import default_pipeline, load_minteq


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--epochs", type=int, default=60)
    args = ap.parse_args()

    X, y = load_minteq()  # 257 (metal, ligand) pairs, cumulative log beta (NaN = not measured)
    model = default_pipeline(max_epochs=args.epochs, random_state=0).fit(X, y)

    new = pd.DataFrame({"metal": ["Cu2+", "Ni2+"], "smiles": ["NCCN", "NCC(=O)O"]})
    pred = model.predict(new)
    for (metal, smiles), row in zip(new.itertuples(index=False), pred, strict=True):
        betas = ", ".join(f"{b:.1f}" for b in row)
        print(f"{metal:5s} {smiles:10s} log beta_1..{len(row)}: {betas}")


if __name__ == "__main__":
    main()
