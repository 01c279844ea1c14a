"""Which network settings matter on new ligands? One member per setting on one ligand fold.

A cheap screen before a full ``corpus.py`` run: every setting (a JSON object of
:func:`skmetalpka.pipelines.default_pipeline` parameters, on top of the corpus recipe's
network: hidden 96, dropout 0.05, 40 epochs, learning from the protonation table with the test
ligands' rows removed) trains **one** network on the training rows of one fold of the
ligand-grouped split of ``corpus.py`` (same folds: GroupKFold by ligand identity, 5 folds,
shuffled with seed 0) and is scored on that fold's held-out ligands: log K1 RMSE of the network,
of the network with residual kriging on fingerprints (as the packaged model), and, with
``--blend-oof``, of the recipe blend (kriged network, Gaussian process, kriged per-metal mean,
equal weights) with this network in place of the out-of-fold ensemble of the given file.

Settings are scored on held-out ligands of one fold, so picking the best of many is itself a
selection on that fold: confirm a winner with ``corpus.py`` and compare on the *other* folds.
Seeds of the base setting (``{"random_state": 1}`` ...) show how much one network varies.

Usage::

    python benchmarks/corpus_scan.py --configs SETTINGS.jsonl [--fold 0] [--n-jobs 2] \
        [--cache-dir DIR] [--blend-oof OOF/corpus_ligand_d_blend_rules_oof.npz] [--tag _d]

``SETTINGS.jsonl`` holds one JSON object per line (``{}`` is the recipe itself). Each finished
setting is kept in ``--cache-dir`` (a rerun skips it). Writes
benchmarks/results/corpus_scan<tag>.json and .md.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _common import save  # noqa: E402
from corpus import _stats, folds_for, proton_fit_params  # noqa: E402
from corpus_blend import _unseen_rows, recipe_blend  # noqa: E402

#: The corpus recipe's network (``corpus.py --epochs 40 --gnn-params '{"dropout": 0.05}'``).
BASE = {"max_epochs": 40, "hidden_dim": 96, "dropout": 0.05}


def fold_rows(X, fold: int) -> tuple[np.ndarray, np.ndarray]:
    """Training and test row indices of one fold of ``corpus.py --split ligand`` (its folds)."""
    test = folds_for("ligand", X, argparse.Namespace(folds=5, seed=0))[fold]
    return np.setdiff1d(np.arange(len(X)), test), test


def key(config: dict, fold: int) -> str:
    """Cache file stem of one setting on one fold."""
    text = json.dumps({"config": config, "fold": fold}, sort_keys=True)
    return f"fold{fold}_" + hashlib.sha256(text.encode()).hexdigest()[:12]


def run_one(config: dict, fold: int, out: Path) -> dict:
    """Fit one network of ``config`` on ``fold`` and save its predictions; return the scores."""
    import torch
    from sklearn.frozen import FrozenEstimator

    from skmetalpka.datasets import load_corpus, load_nist46_proton
    from skmetalpka.model.kriging import ResidualKriging
    from skmetalpka.pipelines import make_model, with_protons

    torch.set_num_threads(1)
    t0 = time.perf_counter()
    X, y = load_corpus()
    train, test = fold_rows(X, fold)
    # corpus.py's protonation rows: those of the test ligands removed
    protons = argparse.Namespace(protons="joint", proton_table=load_nist46_proton())
    params = {**BASE, "random_state": fold, **config}
    est = with_protons(make_model("gnn", **params), mode="joint")
    est.fit(X.iloc[train], y[train], **proton_fit_params("ligand", X, test, protons))
    fit_s = time.perf_counter() - t0
    raw = est.predict(X.iloc[test])
    kriged = ResidualKriging(FrozenEstimator(est), chelate_similarity=False).fit(
        X.iloc[train], y[train]
    )
    rk = kriged.predict(X.iloc[test])
    result = {"config": config, "fold": fold, "fit_s": fit_s, "total_s": time.perf_counter() - t0}
    np.savez(out.with_suffix(".npz"), test=test, raw=raw, rk=rk)
    out.with_suffix(".json").write_text(json.dumps(result))
    return result


def score(config: dict, fold: int, cache: Path, y: np.ndarray, source: np.ndarray, oof) -> dict:
    """Log K1 RMSE of one cached setting (network, kriged, recipe blend; all rows and NIST-46)."""
    stem = cache / key(config, fold)
    saved = json.loads(stem.with_suffix(".json").read_text())
    z = np.load(stem.with_suffix(".npz"))
    test = z["test"]
    t, nist = y[test, 0], source[test] == "nist46"
    row = {"setting": json.dumps(config, sort_keys=True), "minutes": saved["total_s"] / 60}
    preds = {"network": z["raw"][:, 0], "kriged": z["rk"][:, 0]}
    if oof is not None:
        # the recipe blend (corpus_blend.py's arithmetic): equal weights for the kriged network,
        # the Gaussian process and the kriged mean, the mean weighted 0 for a metal the fold's
        # training rows lack (--interpolate-only mean_rk)
        unseen = _unseen_rows(oof["fold"], oof["metal"])[test]
        preds["recipe blend"] = recipe_blend(
            preds["kriged"], oof["pred_gpr"][test, 0], oof["pred_mean_rk"][test, 0], unseen
        )
    for name, p in preds.items():
        row[name] = _stats(t, p)["rmse"]
        row[f"{name} NIST-46"] = _stats(t[nist], p[nist])["rmse"]
    return row


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--configs", required=True, help="JSON-lines file, one setting per line")
    ap.add_argument("--fold", type=int, default=0)
    ap.add_argument("--n-jobs", type=int, default=1, help="settings trained at once")
    ap.add_argument("--cache-dir", default="benchmarks/results/wip/corpus_scan")
    ap.add_argument(
        "--blend-oof",
        default="",
        help="corpus_blend.py --write-oof file of the ligand split holding the Gaussian process "
        "(pred_gpr) and the kriged mean (pred_mean_rk), to score the recipe blend with each "
        "network",
    )
    ap.add_argument("--tag", default="")
    args = ap.parse_args()

    from joblib import Parallel, delayed

    from skmetalpka.datasets import load_corpus

    lines = Path(args.configs).read_text().splitlines()
    configs = [json.loads(line) for line in lines if line.strip()]
    if {} not in configs:
        configs.insert(0, {})  # the recipe itself, the reference of every other setting
    cache = Path(args.cache_dir)
    cache.mkdir(parents=True, exist_ok=True)
    todo = [c for c in configs if not (cache / key(c, args.fold)).with_suffix(".json").is_file()]
    t0 = time.perf_counter()
    Parallel(n_jobs=args.n_jobs)(
        delayed(run_one)(c, args.fold, cache / key(c, args.fold)) for c in todo
    )
    X, y = load_corpus()
    oof = None
    if args.blend_oof:
        oof = np.load(args.blend_oof, allow_pickle=True)
        if len(oof["y"]) != len(y) or not np.allclose(oof["y"], y, equal_nan=True):
            sys.exit(f"{args.blend_oof} is not an out-of-fold file of this corpus (rows differ)")
    source = X["source"].to_numpy()
    rows = [score(c, args.fold, cache, y, source, oof) for c in configs]
    cols = [c for c in rows[0] if c not in ("setting", "minutes")]
    test = fold_rows(X, args.fold)[1]
    lines_md = [
        f"# One network per setting, ligand split fold {args.fold} (log K1 RMSE of held-out ligands)",
        "",
        f"{len(np.unique(X['smiles'].iloc[test]))} held-out ligands (standardised SMILES), "
        f"{int(np.isfinite(y[test, 0]).sum())} log K1 values; minutes: one network on one "
        "thread, two trained at a time on 2 cores.",
        "",
        "| setting | " + " | ".join(cols) + " | minutes |",
        "|---|" + "---|" * (len(cols) + 1),
    ]
    for r in rows:
        cells = " | ".join(f"{r[c]:.3f}" for c in cols)
        lines_md.append(f"| `{r['setting']}` | {cells} | {r['minutes']:.1f} |")
    md = "\n".join(lines_md) + "\n"
    print(md)
    save(
        f"corpus_scan{args.tag}",
        {
            "fold": args.fold,
            "base": BASE,
            "rows": rows,
            "wall_s": time.perf_counter() - t0,
            "command": " ".join(["python benchmarks/corpus_scan.py", *sys.argv[1:]]),
        },
        md,
    )


if __name__ == "__main__":
    main()
