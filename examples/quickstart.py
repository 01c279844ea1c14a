"""
Quick start
===========

Train the default GNN (:func:`skmetalpka.default_pipeline`) on the embedded MINTEQ data
(:func:`skmetalpka.load_minteq`) and predict two complexes.

Run it with real settings::

    python examples/quickstart.py [--epochs 60]

The documentation build runs it with ``--epochs 2``: the numbers printed below show the API at
work, not a trained model's predictions.
"""

from __future__ import annotations

import argparse

import pandas as pd

from skmetalpka import default_pipeline, load_minteq

ap = argparse.ArgumentParser(description="Train the default GNN and predict two complexes.")
ap.add_argument("--epochs", type=int, default=60)
args = ap.parse_args()

# %%
# The data
# --------
# :func:`~skmetalpka.load_minteq` needs no file: the MINTEQA2 v4 constants ship with the
# ``phreeqc`` package. ``X`` holds one row per (metal, ligand) pair; ``y`` the cumulative
# log beta_1..log beta_N, NaN where a step was not measured.
X, y = load_minteq()
print(f"{len(X)} (metal, ligand) pairs, {y.shape[1]} steps, {int((~pd.isna(y)).sum())} values")
X.head()

# %%
# Fit the default pipeline
# ------------------------
# SMILES -> graph -> binding-site candidates -> star graphs for n = 1..N -> the network.
model = default_pipeline(max_epochs=args.epochs, random_state=0).fit(X, y)
model  # the documentation shows the pipeline as a diagram

# %%
# Predict new complexes
# ---------------------
new = pd.DataFrame({"metal": ["Cu2+", "Ni2+"], "smiles": ["NCCN", "NCC(=O)O"]})
pred = model.predict(new)
for (metal, smiles), row in zip(new.itertuples(index=False), pred, strict=True):
    betas = ", ".join(f"{b:.1f}" for b in row)
    print(f"{metal:5s} {smiles:10s} log beta_1..{len(row)}: {betas}")
