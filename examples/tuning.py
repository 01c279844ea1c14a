"""
Tuning with Optuna
==================

Tune the GNN with Optuna on a grouped-CV objective (:func:`skmetalpka.tuning.tune`), then train
with the best parameters. Also shows scikit-learn's own search on the pipeline
(``OptunaSearchCV``).

Run it with real settings::

    python examples/tuning.py [--trials 20] [--epochs 60] [--storage sqlite:///tune.db]

Several processes (or machines, with a PostgreSQL URL) given the same ``--storage`` and
``--study`` share one study. The documentation build runs it with ``--trials 2 --epochs 1``.
"""

from __future__ import annotations

import argparse
import tempfile
import warnings
from pathlib import Path

import optuna
from optuna_integration import OptunaSearchCV
from sklearn.model_selection import GroupKFold

from skmetalpka import default_pipeline, load_minteq
from skmetalpka.metrics import SCORERS
from skmetalpka.tuning import best_params, trials_frame, tune

ap = argparse.ArgumentParser(description="Tune the GNN with Optuna.")
ap.add_argument("--trials", type=int, default=20)
ap.add_argument("--epochs", type=int, default=60)
ap.add_argument("--storage", default=None)
args = ap.parse_args()
optuna.logging.set_verbosity(optuna.logging.WARNING)
X, y = load_minteq()
tmp = tempfile.TemporaryDirectory()
storage = args.storage or f"sqlite:///{Path(tmp.name) / 'tune.db'}"

# %%
# The skmetalpka study
# --------------------
# The objective is a cross-validation grouped by ligand; every epoch's validation RMSE is
# reported to Optuna, so the pruner stops bad trials early. The study lives in ``storage``:
# another process given the same storage and study name adds its trials to it.
study = tune(
    X,
    y,
    n_trials=args.trials,
    storage=storage,
    study_name="example",
    n_splits=2,
    fixed_params={"max_epochs": args.epochs},
    sampler_seed=0,
)
print(trials_frame(study)[["trial", "state", "value"]].to_string(index=False))

# %%
# Train with the best parameters
# ------------------------------
params = best_params(study)
print("best parameters:", params)
model = default_pipeline(**params).fit(X, y)
print("trained with them; predicts", model.predict(X.head(2)).shape)
tmp.cleanup()

# %%
# scikit-learn's interface
# ------------------------
# The pipeline is a plain scikit-learn estimator, so ``OptunaSearchCV`` (or ``GridSearchCV``)
# searches its parameters, with the groups passed to ``fit``.
with warnings.catch_warnings():
    warnings.simplefilter("ignore")  # OptunaSearchCV is experimental
    search = OptunaSearchCV(
        default_pipeline(max_epochs=args.epochs),
        {"model__lr": optuna.distributions.FloatDistribution(1e-4, 3e-3, log=True)},
        scoring=SCORERS["neg_rmse_beta1"],
        cv=GroupKFold(n_splits=2),
        n_trials=max(1, args.trials // 2),
        random_state=0,
    )
    search.fit(X, y, groups=X["smiles"])
print("OptunaSearchCV best lr:", search.best_params_, "score", round(search.best_score_, 3))
