"""Classical trees on the Gaussian process's descriptors: how good are they on new ligands?

The issue's new-ligand target compares the GNN with a Gaussian process on descriptors and a
random forest on Morgan fingerprints. This script asks whether a plain tree ensemble on the
*descriptors* (the 69 features of :class:`~skmetalpka.baselines.GPRBeta1Regressor`: metal
descriptors, RDKit ligand descriptors, donor-group counts, chelate topology, conditions) is a
stronger classical model than either, and whether it adds to the recipe blend. On the same five
ligand folds as every corpus benchmark (``corpus.py --split ligand``), log K1 only (the models
are fitted on log beta_1 alone here), it fits:

* ``trees``: :class:`~skmetalpka.baselines.DescriptorTreesRegressor` as shipped (extremely
  randomised trees, 300, all features at each split, leaves of 1);
* ``trees_mf07`` / ``trees_sqrt``: the same with 70 % / sqrt of the features at each split;
* ``trees_leaf3``: the same with leaves of at least 3 rows (smaller model files);
* ``rf_desc``: a random forest (300, half the features at each split) on the same features;
* ``boosting``: scikit-learn's histogram gradient boosting (400 iterations, learning rate
  0.05) on the same features.

With ``--recipe MEMBERS`` (``<run tag>:<model>`` of ``corpus.py --oof-dir`` files, comma
separated: the kriged network, the Gaussian process and the kriged per-metal mean, in that
order) each variant also joins the recipe blend of ``corpus_blend.py`` as a fourth member of
equal weight, and the script reports the blend without it for reference.

Usage::

    python benchmarks/corpus_trees.py [--oof-dir OOF --recipe \
        _gnn3rk_d:gnn_rk_fp,_gpr_d:gpr,_meanrk_d:mean_rk] [--n-jobs 2] [--tag ""]

Writes benchmarks/results/corpus_trees<tag>.json and .md.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _common import save  # noqa: E402
from corpus import _stats  # noqa: E402
from corpus_blend import _load, _unseen_rows, recipe_blend  # noqa: E402
from corpus_scan import fold_rows  # noqa: E402

from skmetalpka.families import metal_families  # noqa: E402

#: Parameters of :class:`~skmetalpka.baselines.DescriptorTreesRegressor` per variant.
TREE_VARIANTS: dict[str, dict] = {
    "trees": {},
    "trees_mf07": {"max_features": 0.7},
    "trees_sqrt": {"max_features": "sqrt"},
    "trees_leaf3": {"min_samples_leaf": 3},
}
#: Other scikit-learn regressors on the same descriptor matrix.
OTHER_VARIANTS = ("rf_desc", "boosting")
#: Rows reported: every held-out row, the rare earths, the NIST-46 rows.
SUBSETS = ("all", "rare earth", "nist46")


def _other(name: str, seed: int, n_jobs: int):
    from sklearn.ensemble import HistGradientBoostingRegressor, RandomForestRegressor

    if name == "rf_desc":
        return RandomForestRegressor(300, max_features=0.5, n_jobs=n_jobs, random_state=seed)
    return HistGradientBoostingRegressor(max_iter=400, learning_rate=0.05, random_state=seed)


def variant_predictions(X, y: np.ndarray, n_jobs: int) -> tuple[dict, dict]:
    """Out-of-fold log K1 of every variant (rows of ``X``) and its fit seconds over the folds."""
    from skmetalpka.baselines import DescriptorTreesRegressor

    pred = {name: np.full(len(X), np.nan) for name in (*TREE_VARIANTS, *OTHER_VARIANTS)}
    seconds = dict.fromkeys(pred, 0.0)
    featuriser = DescriptorTreesRegressor()
    rows, _, _ = featuriser._start_fit(X, y[:, :1])
    F = featuriser._descriptor_features(rows)
    for fold in range(5):
        train, test = fold_rows(X, fold)
        train = train[np.isfinite(y[train, 0])]
        for name, params in TREE_VARIANTS.items():
            t0 = time.perf_counter()
            model = DescriptorTreesRegressor(random_state=fold, n_jobs=n_jobs, **params)
            model.fit(X.iloc[train], y[train, :1])
            pred[name][test] = model.predict(X.iloc[test])[:, 0]
            seconds[name] += time.perf_counter() - t0
        for name in OTHER_VARIANTS:
            t0 = time.perf_counter()
            model = _other(name, fold, n_jobs).fit(F[train], y[train, 0])
            pred[name][test] = model.predict(F[test])
            seconds[name] += time.perf_counter() - t0
        print(f"fold {fold + 1}/5 done", flush=True)
    return pred, seconds


def recipe_members(oof_dir: Path, spec: str, fold: np.ndarray) -> dict[str, np.ndarray]:
    """log K1 of the three recipe members (kriged network, GP, kriged mean) from OOF files,
    each checked to hold ``fold`` (the folds of ``corpus.py --split ligand``)."""
    out = {}
    for role, item in zip(("kriged", "gpr", "mean_rk"), spec.split(","), strict=True):
        tag, model = item.split(":")
        oof = _load(oof_dir, "ligand", tag)
        if not np.array_equal(oof["fold"], fold):
            raise SystemExit(f"the folds of {tag} are not corpus.py --split ligand's folds")
        out[role] = oof[f"pred_{model}"][:, 0]
    return out


def _subsets(X, y: np.ndarray) -> dict[str, np.ndarray]:
    finite = np.isfinite(y[:, 0])
    family = np.asarray(metal_families(X["metal"].to_numpy(dtype=str)))
    source = X["source"].to_numpy(dtype=str)
    return {
        "all": finite,
        "rare earth": finite & (family == "rare earth"),
        "nist46": finite & (source == "nist46"),
    }


def markdown(result: dict) -> str:
    lines = [
        "log K1 RMSE on held-out ligands (5 ligand folds of `corpus.py --split ligand`)",
        "",
        "| model | " + " | ".join(SUBSETS) + " | fit s (5 folds) |",
        "|---|" + "---|" * (len(SUBSETS) + 1),
    ]
    for name, r in result["alone"].items():
        cells = [f"{r[s]['rmse']:.3f}" for s in SUBSETS]
        lines.append(f"| {name} | " + " | ".join(cells) + f" | {result['seconds'][name]:.0f} |")
    if result.get("blend"):
        lines += [
            "",
            "Recipe blend (kriged network, GP, kriged mean; equal weights) with each as a "
            "fourth member of equal weight:",
            "",
            "| blend | " + " | ".join(SUBSETS) + " |",
            "|---|" + "---|" * len(SUBSETS),
        ]
        for name, r in result["blend"].items():
            lines.append(f"| {name} | " + " | ".join(f"{r[s]['rmse']:.3f}" for s in SUBSETS) + " |")
    return "\n".join(lines) + "\n"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--oof-dir", default=None, help="folder of corpus.py --oof-dir files")
    ap.add_argument(
        "--recipe",
        default=None,
        help="<run tag>:<model> of the kriged network, the GP and the kriged mean, comma separated",
    )
    ap.add_argument("--n-jobs", type=int, default=1)
    ap.add_argument(
        "--cache",
        default=None,
        help="npz of the variants' out-of-fold predictions: written after fitting, read instead "
        "of fitting when it exists",
    )
    ap.add_argument("--tag", default="")
    args = ap.parse_args()
    if (args.oof_dir is None) != (args.recipe is None):
        raise SystemExit("--oof-dir and --recipe go together")

    from skmetalpka.datasets import load_corpus

    t0 = time.perf_counter()
    X, y = load_corpus()
    cache = Path(args.cache) if args.cache else None
    loaded = cache is not None and cache.is_file()
    if loaded:
        with np.load(cache) as z:
            pred = {k: z[k] for k in z.files if not k.startswith("seconds:")}
            seconds = {k.split(":", 1)[1]: float(z[k]) for k in z.files if k.startswith("seconds:")}
    else:
        pred, seconds = variant_predictions(X, y, args.n_jobs)
        if cache is not None:
            np.savez(cache, **pred, **{f"seconds:{k}": v for k, v in seconds.items()})
    subsets = _subsets(X, y)
    result: dict = {
        "alone": {
            name: {s: _stats(y[m, 0], p[m]) for s, m in subsets.items()} for name, p in pred.items()
        },
        "seconds": seconds,
        "variants_from_cache": loaded,
    }
    if args.recipe:
        fold = np.full(len(X), -1)
        for k in range(5):
            fold[fold_rows(X, k)[1]] = k
        members = recipe_members(Path(args.oof_dir), args.recipe, fold)
        unseen = _unseen_rows(fold, X["metal"].to_numpy(dtype=str))
        blends = {
            "recipe blend": recipe_blend(
                members["kriged"], members["gpr"], members["mean_rk"], unseen
            )
        }
        for name, p in pred.items():
            blends[f"recipe blend + {name}"] = recipe_blend(
                members["kriged"], members["gpr"], members["mean_rk"], unseen, extra=(p,)
            )
        result["blend"] = {
            name: {s: _stats(y[m, 0], p[m]) for s, m in subsets.items()}
            for name, p in blends.items()
        }
        result["recipe"] = args.recipe
    result["wall_s"] = time.perf_counter() - t0
    text = markdown(result)
    save(f"corpus_trees{args.tag}", result, text)
    print(text)


if __name__ == "__main__":
    main()
