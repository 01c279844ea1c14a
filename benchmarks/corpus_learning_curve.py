"""Does more ligand data close the gap? Learning curves on new ligands.

The issue's premise is that data breadth, not network cleverness, holds the model back. This
script measures it: for every ligand fold of ``corpus.py --split ligand`` (GroupKFold by ligand
identity, 5 folds shuffled with seed 0: the same folds and held-out ligands as every other
corpus benchmark), the training ligands are cut to a fraction of themselves (whole ligand
groups, drawn at random with the fold's seed and nested: the 25 % set is inside the 50 % set),
and every model is refitted on those rows and scored on the fold's full set of held-out
ligands, which never changes. The protonation rows of the dropped ligands are removed from the
network's proton table too (as those of the test ligands are), so a fraction really is less
ligand knowledge.

Models, as in the recipe blend of ``corpus_blend.py``:

* ``network``: one network of the corpus recipe (hidden 96, dropout 0.05, 40 epochs, joint
  protonation learning; the packaged model averages three) and ``kriged``, the same network
  with residual kriging on fingerprint similarity (as the packaged model);
* ``gpr``: the Gaussian process; ``mean_rk``: the kriged per-metal mean;
* ``recipe blend``: equal weights of the three, the kriged mean weighted 0 for a metal absent
  from the training rows.

Reported per fraction (log K1 RMSE of the held-out rows of the folds used): every model, the
rare earths and NIST-46 rows, and how far the blend is below the Gaussian process, plus a
power-law fit ``RMSE = a * n_ligands ** -b`` of each model and the number of training ligands at
which the fits would reach the issue's targets (an extrapolation, printed as such).

Usage::

    python benchmarks/corpus_learning_curve.py [--fractions 0.25,0.5,0.75,1] \
        [--folds 0,1,2,3,4] [--repeats 2] [--n-jobs 2] [--cache-dir DIR] [--tag _d]

Every (model, fold, fraction, repeat) fit is kept in ``--cache-dir`` (a rerun skips it). Writes
benchmarks/results/corpus_learning_curve<tag>.json and .md.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _common import save  # noqa: E402
from corpus import _stats  # noqa: E402
from corpus_blend import recipe_blend  # noqa: E402
from corpus_scan import fold_rows  # noqa: E402

from skmetalpka.families import metal_families  # noqa: E402
from skmetalpka.groups import make_groups  # noqa: E402

#: The corpus recipe's network (``corpus.py --epochs 40 --gnn-params '{"dropout": 0.05}'``).
NETWORK = {"max_epochs": 40, "hidden_dim": 96, "dropout": 0.05}
MODELS = ("gnn", "gpr", "mean")
#: Rough cost of each model at the full fraction (minutes on one thread), to start the longest
#: fits first.
COST = {"gnn": 6.5, "gpr": 1.6, "mean": 1.0}


def subsample(X, train: np.ndarray, fraction: float, seed: int) -> np.ndarray:
    """Training rows of a nested random ``fraction`` of the training ligand groups.

    The groups are permuted once per ``seed``; a fraction keeps the first
    ``ceil(fraction * n_groups)`` of them, so a smaller fraction is a subset of a larger one.
    """
    if not 0 < fraction <= 1:
        raise ValueError(f"fraction must be in (0, 1], got {fraction}")
    groups = np.asarray(make_groups(X.iloc[train], "ligand"))
    unique = np.unique(groups)
    order = np.random.default_rng(seed).permutation(len(unique))
    keep = set(unique[order[: int(np.ceil(fraction * len(unique)))]].tolist())
    return train[np.array([g in keep for g in groups], dtype=bool)]


def cache_stem(cache: Path, model: str, fold: int, fraction: float, repeat: int = 0) -> Path:
    """Cache file stem (no dot: ``with_suffix`` adds the extension) of one fit."""
    suffix = f"_r{repeat}" if repeat else ""
    return cache / f"{model}_fold{fold}_f{round(fraction * 1000):04d}{suffix}"


def repeat_seed(fold: int, repeat: int) -> int:
    """Seed of the ligand subsample and of the model of one fold and repeat."""
    return fold + 1000 * repeat


def network_predictions(X, y, train, test, proton_X, proton_y, seed: int) -> dict:
    """Held-out log K1 of one corpus network (:data:`NETWORK`, joint protonation learning on
    ``proton_X``/``proton_y``) fitted on ``train``: ``network`` raw and ``kriged`` with residual
    kriging on fingerprint similarity (as the packaged model)."""
    from sklearn.frozen import FrozenEstimator

    from skmetalpka.model.kriging import ResidualKriging
    from skmetalpka.pipelines import make_model, with_protons

    est = with_protons(make_model("gnn", **NETWORK, random_state=seed), mode="joint")
    est.fit(X.iloc[train], y[train], proton_X=proton_X, proton_y=proton_y)
    rk = ResidualKriging(FrozenEstimator(est), chelate_similarity=False)
    return {
        "network": est.predict(X.iloc[test])[:, 0],
        "kriged": rk.fit(X.iloc[train], y[train]).predict(X.iloc[test])[:, 0],
    }


def run_one(model: str, fold: int, fraction: float, cache: Path, repeat: int = 0) -> None:
    """Fit ``model`` on ``fraction`` of ``fold``'s training ligands; save its test predictions.

    ``repeat`` draws another ligand subsample and seeds the model differently.
    """
    import torch
    from sklearn.frozen import FrozenEstimator

    from skmetalpka.datasets import load_corpus, load_nist46_proton
    from skmetalpka.model.kriging import ResidualKriging
    from skmetalpka.pipelines import make_model
    from skmetalpka.pipelines.transfer import exclude_ligands

    torch.set_num_threads(1)
    t0 = time.perf_counter()
    X, y = load_corpus()
    train, test = fold_rows(X, fold)
    seed = repeat_seed(fold, repeat)
    kept = subsample(X, train, fraction, seed=seed)
    dropped = np.setdiff1d(np.arange(len(X)), kept)  # test ligands and the cut training ones
    out: dict[str, np.ndarray] = {"test": test, "train": kept}
    if model == "gnn":
        Xp, yp = exclude_ligands(*load_nist46_proton(), X["smiles"].iloc[dropped])
        out.update(network_predictions(X, y, kept, test, Xp, yp, seed))
    elif model == "gpr":
        est = make_model("gpr", random_state=seed).fit(X.iloc[kept], y[kept])
        out["gpr"] = np.asarray(est.predict(X.iloc[test])).reshape(len(test), -1)[:, 0]
    elif model == "mean":
        est = make_model("mean").fit(X.iloc[kept], y[kept])
        # as corpus.py --kriging mean (the recipes' chelate similarity)
        rk = ResidualKriging(FrozenEstimator(est), chelate_similarity=True)
        out["mean_rk"] = rk.fit(X.iloc[kept], y[kept]).predict(X.iloc[test])[:, 0]
    else:
        raise ValueError(f"unknown model {model!r}; use one of {MODELS}")
    stem = cache_stem(cache, model, fold, fraction, repeat)
    np.savez(stem.with_suffix(".npz"), **out)
    stem.with_suffix(".json").write_text(json.dumps({"seconds": time.perf_counter() - t0}))


def collect(X, y, folds: list[int], fraction: float, cache: Path, repeat: int = 0) -> dict:
    """Pooled held-out predictions of every model at one fraction, and the recipe blend."""
    metal = X["metal"].to_numpy(dtype=str)
    rows, preds, n_lig, n_rows, seconds = [], {}, [], [], {}
    for fold in folds:
        parts = {}
        for model in MODELS:
            stem = cache_stem(cache, model, fold, fraction, repeat)
            z = np.load(stem.with_suffix(".npz"))
            seconds[model] = (
                seconds.get(model, 0.0)
                + json.loads(stem.with_suffix(".json").read_text())["seconds"]
            )
            test, kept = z["test"], z["train"]
            parts.update({k: z[k] for k in z.files if k not in ("test", "train")})
        n_lig.append(len(set(make_groups(X.iloc[kept], "ligand"))))
        n_rows.append(int(np.isfinite(y[kept, 0]).sum()))
        seen = set(metal[kept].tolist())
        unseen = np.array([m not in seen for m in metal[test]], dtype=bool)
        parts["recipe blend"] = recipe_blend(
            parts["kriged"], parts["gpr"], parts["mean_rk"], unseen
        )
        rows.append(test)
        for k, v in parts.items():
            preds.setdefault(k, []).append(v)
    rows_all = np.concatenate(rows)
    return {
        "rows": rows_all,
        "pred": {k: np.concatenate(v) for k, v in preds.items()},
        "n_ligands": float(np.mean(n_lig)),
        "n_rows": float(np.mean(n_rows)),
        "minutes": {k: v / 60 for k, v in seconds.items()},
    }


def power_fit(n: np.ndarray, rmse: np.ndarray) -> tuple[float, float]:
    """``(a, b)`` of ``rmse = a * n ** -b``, least squares in log-log."""
    slope, intercept = np.polyfit(np.log(n), np.log(rmse), 1)
    return float(np.exp(intercept)), float(-slope)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--fractions", default="0.25,0.5,0.75,1")
    ap.add_argument("--folds", default="0,1,2,3,4", help="ligand folds used (of 5)")
    ap.add_argument("--n-jobs", type=int, default=1, help="fits run at once (one thread each)")
    ap.add_argument("--cache-dir", default="benchmarks/results/wip/corpus_learning_curve")
    ap.add_argument(
        "--repeats",
        type=int,
        default=1,
        help="ligand subsamples (and model seeds) per fold and fraction; figures are averaged",
    )
    ap.add_argument("--tag", default="")
    args = ap.parse_args()

    from joblib import Parallel, delayed

    from skmetalpka.datasets import load_corpus

    fractions = sorted(float(f) for f in args.fractions.split(","))
    folds = [int(f) for f in args.folds.split(",")]
    cache = Path(args.cache_dir)
    cache.mkdir(parents=True, exist_ok=True)
    repeats = range(args.repeats)
    tasks = [
        (m, k, f, r)
        for r in repeats
        for m in MODELS
        for k in folds
        for f in fractions
        if not cache_stem(cache, m, k, f, r).with_suffix(".json").is_file()
    ]
    tasks.sort(key=lambda t: -COST[t[0]] * t[2])  # longest first
    t0 = time.perf_counter()
    Parallel(n_jobs=args.n_jobs, verbose=10)(
        delayed(run_one)(m, k, f, cache, r) for m, k, f, r in tasks
    )

    X, y = load_corpus()
    fam = metal_families(X["metal"])
    source = X["source"].to_numpy()
    names = ["network", "kriged", "gpr", "mean_rk", "recipe blend"]
    table, per_repeat = [], []
    for f in fractions:
        runs = []
        for r in repeats:
            c = collect(X, y, folds, f, cache, r)
            t = y[c["rows"], 0]
            rare, nist = fam[c["rows"]] == "rare earth", source[c["rows"]] == "nist46"
            run = {"fraction": f, "repeat": r, "n_ligands": c["n_ligands"], "n_rows": c["n_rows"]}
            for n in names:
                p = c["pred"][n]
                run[n] = _stats(t, p)["rmse"]
                run[f"{n} rare earth"] = _stats(t[rare], p[rare])["rmse"]
                run[f"{n} NIST-46"] = _stats(t[nist], p[nist])["rmse"]
            run["blend below gpr %"] = 100 * (1 - run["recipe blend"] / run["gpr"])
            run["network minutes"] = c["minutes"]["gnn"]
            runs.append(run)
        per_repeat += runs
        # the mean over repeats of every figure; the spread of the blend's margin
        row = {k: float(np.mean([run[k] for run in runs])) for k in runs[0] if k != "repeat"}
        margins = [run["blend below gpr %"] for run in runs]
        row["blend below gpr % range"] = (min(margins), max(margins))
        table.append(row)

    n = np.array([r["n_ligands"] for r in table])
    fits = {}
    for key in [*names, "recipe blend NIST-46", "gpr NIST-46"]:
        fits[key] = power_fit(n, np.array([r[key] for r in table]))
    # where the fitted curves would meet the targets (extrapolation)
    a_b, b_b = fits["recipe blend"]
    a_g, b_g = fits["gpr"]
    need_rel = None
    if b_b > b_g:  # blend / gpr = (a_b / a_g) * n ** (b_g - b_b) = 0.85
        need_rel = float((0.85 * a_g / a_b) ** (1 / (b_g - b_b)))
    a_n, b_n = fits["recipe blend NIST-46"]
    need_nist = float((a_n / 2.1) ** (1 / b_n)) if b_n > 0 else None

    lines = [
        f"# Learning curve on new ligands (ligand folds {args.folds} of 5, log K1 RMSE)",
        "",
        "Each fold's training ligands cut to a nested random fraction (whole ligand groups, "
        "their protonation rows removed too); scored on the fold's full held-out set. One "
        f"network (the packaged model averages three). Mean of {args.repeats} subsample(s) and "
        "model seed(s) per fold; the blend's margin over the GP with its range over them.",
        "",
        "| fraction | training ligands / fold | log K1 rows / fold | network | kriged network | "
        "GP | kriged mean | recipe blend | blend below GP | blend rare earths | GP rare earths | "
        "blend NIST-46 | GP NIST-46 |",
        "|---|" + "---|" * 12,
    ]
    for r in table:
        lines.append(
            f"| {r['fraction']:.2f} | {r['n_ligands']:.0f} | {r['n_rows']:.0f} | "
            f"{r['network']:.3f} | {r['kriged']:.3f} | {r['gpr']:.3f} | {r['mean_rk']:.3f} | "
            f"{r['recipe blend']:.3f} | {r['blend below gpr %']:.1f} % "
            f"({r['blend below gpr % range'][0]:.1f}–{r['blend below gpr % range'][1]:.1f}) | "
            f"{r['recipe blend rare earth']:.3f} | {r['gpr rare earth']:.3f} | "
            f"{r['recipe blend NIST-46']:.3f} | {r['gpr NIST-46']:.3f} |"
        )
    lines += ["", "Power-law fits `RMSE = a * n_ligands ** -b` over the fractions:", ""]
    lines += ["| curve | a | b |", "|---|---|---|"]
    lines += [f"| {k} | {a:.2f} | {b:.3f} |" for k, (a, b) in fits.items()]
    lines += [
        "",
        "Extrapolated training ligands per fold at which the fitted curves would reach the "
        "targets (far outside the measured range: a trend, not a promise):",
        "",
        "- blend 15 % below the GP: "
        + (
            f"{need_rel:,.0f} ({need_rel / n.max():.1f}x today's)"
            if need_rel
            else "never (the blend does not gain on the GP as ligands are added)"
        ),
        "- blend NIST-46 log beta_1 <= 2.1: "
        + (f"{need_nist:,.0f} ({need_nist / n.max():.1f}x today's)" if need_nist else "never"),
    ]
    md = "\n".join(lines) + "\n"
    print(md)
    save(
        f"corpus_learning_curve{args.tag}",
        {
            "folds": folds,
            "network": NETWORK,
            "repeats": args.repeats,
            "rows": table,
            "per_repeat": per_repeat,
            "fits": {k: {"a": a, "b": b} for k, (a, b) in fits.items()},
            "ligands_for_15pct_below_gp": need_rel,
            "ligands_for_nist46_beta1_2.1": need_nist,
            "wall_s": time.perf_counter() - t0,
            "command": " ".join(["python benchmarks/corpus_learning_curve.py", *sys.argv[1:]]),
        },
        md,
    )


if __name__ == "__main__":
    main()
