"""Does Optuna tuning help? Tune on training ligands, compare with the defaults on unseen ligands.

Protocol (nothing is selected on the test ligands):

1. Hold out ``--test-fraction`` of the *ligands* of the NIST table (GroupShuffleSplit).
2. :func:`skmetalpka.tuning.tune` on the rest: ``--trials`` Optuna trials, each scored by a
   ``--folds``-fold ligand-grouped CV (median pruner on per-epoch validation RMSE), every trial
   capped at ``--max-epochs`` epochs.
3. Fit the default pipeline and the best trial's pipeline (same epoch cap) on all training
   ligands and score both on the held-out ligands (masked RMSE of log beta, original units).

Usage::

    python benchmarks/tune.py [--data PATH] [--trials 12] [--max-epochs 60] [--folds 3]

Writes benchmarks/results/tune.json and tune.md.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _common import data_path, md_table, save  # noqa: E402


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--data", help="nist46_metal_binding.csv (default: shared data)")
    ap.add_argument("--trials", type=int, default=12)
    ap.add_argument("--max-epochs", type=int, default=60)
    ap.add_argument("--folds", type=int, default=3)
    ap.add_argument("--test-fraction", type=float, default=0.2)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--storage", default=None, help="Optuna URL (default: a fresh SQLite file)")
    args = ap.parse_args()

    import optuna
    import torch
    from sklearn.model_selection import GroupShuffleSplit

    from skmetalpka import default_pipeline, load_nist46
    from skmetalpka.metrics import masked_rmse
    from skmetalpka.selection import make_groups
    from skmetalpka.tuning import best_params, trials_frame, tune

    torch.set_num_threads(1)
    optuna.logging.set_verbosity(optuna.logging.WARNING)
    X, y = load_nist46(data_path(args.data))
    groups = make_groups(X, "ligand")
    split = GroupShuffleSplit(n_splits=1, test_size=args.test_fraction, random_state=args.seed)
    train, test = next(split.split(X, y, groups))
    print(f"{len(train)} training rows, {len(test)} test rows (unseen ligands)")

    storage = args.storage
    if storage is None:
        db = Path("benchmarks/results/.tune.db")
        db.unlink(missing_ok=True)
        storage = f"sqlite:///{db}"
    fixed = {"max_epochs": args.max_epochs}
    t0 = time.perf_counter()

    def announce(study, trial):
        print(
            f"[{time.perf_counter() - t0:6.0f} s] trial {trial.number} {trial.state.name} "
            f"value {trial.value}",
            flush=True,
        )

    study = tune(
        X.iloc[train],
        y[train],
        n_trials=args.trials,
        storage=storage,
        study_name="benchmark",
        n_splits=args.folds,
        fixed_params=fixed,
        sampler_seed=args.seed,
        random_state=args.seed,
        data_source="nist46 training ligands",
        callbacks=[announce],
    )
    tune_seconds = time.perf_counter() - t0
    frame = trials_frame(study)
    best = best_params(study)

    rows = []
    for name, params in (("default", dict(fixed)), ("tuned", best)):
        t1 = time.perf_counter()
        model = default_pipeline(**params, random_state=args.seed).fit(X.iloc[train], y[train])
        pred = model.predict(X.iloc[test])
        rows.append(
            {
                "model": name,
                "test_rmse_beta1": float(
                    masked_rmse(y[test, :1], pred[:, :1], missing_pred="ignore")
                ),
                "test_rmse_all": float(masked_rmse(y[test], pred, missing_pred="ignore")),
                "fit_seconds": time.perf_counter() - t1,
            }
        )
        print(rows[-1], flush=True)

    states = frame["state"].value_counts().to_dict()
    payload = {
        "command": "python benchmarks/tune.py " + " ".join(sys.argv[1:]),
        "n_train": int(len(train)),
        "n_test": int(len(test)),
        "trials": int(len(frame)),
        "states": states,
        "tune_seconds": tune_seconds,
        "best_value_cv": float(study.best_value),
        "best_params": best,
        "results": rows,
        "trials_table": frame.to_dict(orient="records"),
    }
    md = (
        f"Tuning: {len(frame)} trials ({states}), {args.folds}-fold ligand-grouped CV on "
        f"{len(train)} training rows, {args.max_epochs} epochs max, {tune_seconds / 60:.1f} min "
        f"on one thread; best CV RMSE {study.best_value:.3f}.\n\n"
        "Held-out ligands (never seen in tuning):\n\n"
        + md_table(rows, ["model", "test_rmse_beta1", "test_rmse_all", "fit_seconds"])
        + f"\nBest parameters: `{best}`\n"
    )
    path = save("tune", payload, md)
    print(md)
    print(f"wrote {path}")


if __name__ == "__main__":
    main()
