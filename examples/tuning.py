"""Tune the GNN with Optuna on a grouped-CV objective, then train with the best parameters.

Run: python examples/tuning.py [--trials 20] [--epochs 60] [--storage sqlite:///tune.db]

Several processes (or machines, with a PostgreSQL URL) given the same --storage and --study
share one study. Also shows scikit-learn's own search on the pipeline (OptunaSearchCV).
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


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--trials", type=int, default=20)
    ap.add_argument("--epochs", type=int, default=60)
    ap.add_argument("--storage", default=None)
    args = ap.parse_args()
    optuna.logging.set_verbosity(optuna.logging.WARNING)
    X, y = load_minteq()
    with tempfile.TemporaryDirectory() as tmp:
        storage = args.storage or f"sqlite:///{Path(tmp) / 'tune.db'}"
        # 1. the skmetalpka study: grouped CV by ligand, pruning on per-epoch validation RMSE
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
        params = best_params(study)
        print("best parameters:", params)
        model = default_pipeline(**params).fit(X, y)
        print("trained with them; predicts", model.predict(X.head(2)).shape)
    # 2. scikit-learn's interface: OptunaSearchCV over pipeline parameters with groups
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


if __name__ == "__main__":
    main()
