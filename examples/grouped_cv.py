"""
Grouped cross-validation
========================

The GNN against the baselines (fingerprint forest, per-metal mean) on the same leave-metal-out
folds, with :func:`skmetalpka.selection.grouped_cv`.

Run it with real settings::

    python examples/grouped_cv.py [--data ../shared/data/nist46_metal_binding.csv] [--epochs 30]

Without ``--data`` the embedded MINTEQ data is used. The documentation build runs it with
``--epochs 1 --folds 2``: the output below shows the API at work, not a trained model's accuracy
(see the benchmarks page for measured figures).
"""

from __future__ import annotations

import argparse

from skmetalpka import load_minteq, load_nist46, make_model
from skmetalpka.metrics import per_step_report
from skmetalpka.plots import parity_plot, per_group_bar
from skmetalpka.selection import grouped_cv

ap = argparse.ArgumentParser(description="Grouped CV of the GNN against the baselines.")
ap.add_argument("--data", default=None)
ap.add_argument("--epochs", type=int, default=30)
ap.add_argument("--folds", type=int, default=3)
args = ap.parse_args()

# %%
# Data and models
# ---------------
# Every model is a scikit-learn estimator with the same ``X`` / ``y`` interface:
# the graph network, a random forest on fingerprints and metal descriptors, and the per-metal
# mean (the floor any model must beat).
X, y = load_nist46(args.data) if args.data else load_minteq()
models = {
    "gnn": make_model("gnn", max_epochs=args.epochs, random_state=0),
    "rf": make_model("rf", n_estimators=100, random_state=0),
    "mean": make_model("mean"),
}

# %%
# Leave metals out
# ----------------
# ``groups="metal"``: each fold holds out whole metals, so the scores measure metals the
# models never saw. Every model gets the same folds; metrics are masked (only measured steps
# count) and computed on out-of-fold predictions only.
result = grouped_cv(models, X, y, groups="metal", n_splits=args.folds)
print(result.summary())

# %%
# Per step, per metal
# -------------------
# The pooled figures hide where the errors are: per step (log beta_1 is measured far more
# often than the higher steps) and per held-out metal.
print(per_step_report(result.y_true, result.predictions["gnn"], missing_pred="ignore"))
fig_metals = per_group_bar(result.y_true, result.predictions, X["metal"], missing_pred="ignore")

# %%
# Out-of-fold predictions of the network against the measured values, coloured by metal:
fig_parity = parity_plot(
    result.y_true,
    result.predictions["gnn"],
    groups=X["metal"],
    missing_pred="ignore",
    title="gnn: out-of-fold predictions",
)
