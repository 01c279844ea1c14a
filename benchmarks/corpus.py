"""Accuracy on the multi-source corpus: new ligands, new metals, per metal family and source.

Every model is fitted on the same folds:

* ``ligand``: GroupKFold by ligand identity (every spelling of a ligand in one fold);
* ``metal``: GroupKFold by metal (whole metals held out: the model must predict them from
  their descriptors);
* ``lomo``: leave-one-metal-out over the metals of one family (``--lomo-family``, default the
  rare earths): each fold holds out one metal, every other row trains.

Reported for log K1 (= log beta_1) of the held-out rows: RMSE / MAE / R2 / bias overall, per
metal family (:mod:`skmetalpka.families`) and per source; the NIST-46 multi-step RMSE per step
(to show that breadth did not cost depth); and, for models with a standard deviation (GPR,
GNN ensembles), the fraction of held-out values inside +-1 and +-2 sigma per family.

Usage::

    python benchmarks/corpus.py --split ligand,metal,lomo --models gnn,gpr,rf,trees,mean \
        --folds 5 --epochs 60 [--members 1] [--max-rows N] [--lomo-metals La3+,Lu3+] \
        [--oof-dir DIR] [--kriging gnn] [--blend gnn_rk+gpr]

``--protons joint`` makes the GNN learn from the NIST-46 protonation constants as well, as the
packaged model's network does (:func:`skmetalpka.pipelines.with_protons`); with ``--split
ligand`` the protonation rows of every fold's test ligands are removed first (the test ligands
stay unseen), with the metal splits the whole proton table trains (its ligands are not what is
held out).

``--kriging gnn`` also reports ``gnn_rk``: the same fitted GNN of every fold wrapped in
:class:`skmetalpka.model.ResidualKriging` (a Gaussian process on its training residuals), so
the two differ only by the kriging. ``--chelate-similarity both`` reports both kinds of
kriging of the same fitted model: ``gnn_rk`` (fingerprint x chelate-topology similarity, as the
recipes) and ``gnn_rk_fp`` (fingerprint similarity alone). ``--blend gnn_rk+gpr``
(comma-separated, several allowed) reports the equal-weight :class:`skmetalpka.model.BlendRegressor` of those fitted models of
every fold (no refit).

Writes benchmarks/results/corpus_<split>.json and .md (``--tag`` adds a suffix).
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd
from sklearn.frozen import FrozenEstimator

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _common import save  # noqa: E402

from skmetalpka._base import supports_std  # noqa: E402
from skmetalpka.datasets import load_corpus  # noqa: E402
from skmetalpka.families import METAL_FAMILIES, metal_families  # noqa: E402
from skmetalpka.groups import make_groups  # noqa: E402
from skmetalpka.model.blend import BlendRegressor  # noqa: E402
from skmetalpka.model.kriging import ResidualKriging  # noqa: E402
from skmetalpka.pipelines import make_model, with_protons  # noqa: E402
from skmetalpka.pipelines.transfer import exclude_ligands  # noqa: E402


def _stats(true: np.ndarray, pred: np.ndarray) -> dict[str, float]:
    m = np.isfinite(true) & np.isfinite(pred)
    if m.sum() == 0:
        return {"n": 0}
    t, p = true[m], pred[m]
    err = p - t
    ss_tot = float(((t - t.mean()) ** 2).sum())
    return {
        "n": int(m.sum()),
        "rmse": float(np.sqrt(np.mean(err**2))),
        "mae": float(np.mean(np.abs(err))),
        "r2": float(1 - (err**2).sum() / ss_tot) if ss_tot > 0 else float("nan"),
        "bias": float(err.mean()),
    }


def _coverage(true: np.ndarray, pred: np.ndarray, std: np.ndarray) -> dict[str, float]:
    m = np.isfinite(true) & np.isfinite(pred) & np.isfinite(std)
    if m.sum() == 0:
        return {}
    z = np.abs(pred[m] - true[m]) / np.maximum(std[m], 1e-9)
    return {
        "cover_1sd": float(np.mean(z <= 1)),
        "cover_2sd": float(np.mean(z <= 2)),
        "median_sd": float(np.median(std[m])),
    }


def md_table(header: list[str], rows: list[list]) -> str:
    def cell(v):
        if v is None:
            return "-"
        return f"{v:.3f}" if isinstance(v, float) else str(v)

    out = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    out += ["| " + " | ".join(cell(v) for v in r) + " |" for r in rows]
    return "\n".join(out)


def build(name: str, args: argparse.Namespace, seed: int):
    if name == "gnn":
        params = {"max_epochs": args.epochs, "hidden_dim": args.hidden, "random_state": seed}
        params.update(json.loads(args.gnn_params))
        if args.members > 1:
            params["n_members"] = args.members
        model = make_model("gnn", **params)
        if args.protons != "none":
            model = with_protons(model, mode=args.protons)
        return model
    if name == "rf":
        return make_model("rf", n_estimators=args.trees, random_state=seed, n_jobs=1)
    if name == "gpr":
        return make_model("gpr", random_state=seed)
    if name == "trees":
        return make_model("trees", random_state=seed, n_jobs=1)
    return make_model(name)


def folds_for(split: str, X: pd.DataFrame, args: argparse.Namespace) -> list[np.ndarray]:
    """Test-row indices of every fold."""
    from sklearn.model_selection import GroupKFold

    if split == "lomo":
        fam = metal_families(X["metal"])
        metals = sorted(set(X["metal"][fam == args.lomo_family]))
        if args.lomo_metals:
            wanted = args.lomo_metals.split(",")
            missing = sorted(set(wanted) - set(metals))
            if missing:
                raise SystemExit(f"--lomo-metals {missing} are not {args.lomo_family!r} metals")
            metals = wanted
        return [np.flatnonzero(X["metal"].to_numpy() == m) for m in metals]
    groups = make_groups(X, "ligand" if split == "ligand" else "metal")
    cv = GroupKFold(n_splits=args.folds, shuffle=True, random_state=args.seed)
    return [test for _, test in cv.split(X, groups=groups)]


def proton_fit_params(
    split: str, X: pd.DataFrame, test: np.ndarray, args: argparse.Namespace
) -> dict:
    """``proton_X``/``proton_y`` for the GNN of one fold (``{}`` without ``--protons``)."""
    if args.protons == "none":
        return {}
    Xp, yp = args.proton_table
    if split == "ligand":
        # the protonation constants of the test ligands would tell the network about them
        Xp, yp = exclude_ligands(Xp, yp, X["smiles"].iloc[test])
    return {"proton_X": Xp, "proton_y": yp}


def _kriging_variants(args: argparse.Namespace) -> list[tuple[str, bool]]:
    """(name suffix, chelate_similarity) of every kriging variant ``--chelate-similarity`` asks for."""
    if args.chelate_similarity == "both":
        return [("_rk", True), ("_rk_fp", False)]
    return [("_rk", args.chelate_similarity == "1")]


def kriged_names(kriged: list[str], args: argparse.Namespace) -> list[str]:
    """Reported names of the kriged models, e.g. ``gnn_rk`` (and ``gnn_rk_fp``)."""
    return [f"{n}{suffix}" for n in kriged for suffix, _ in _kriging_variants(args)]


def run_split(split: str, X: pd.DataFrame, y: np.ndarray, args: argparse.Namespace) -> dict:
    folds = folds_for(split, X, args)
    base_names = args.models.split(",")
    kriged = [n for n in (args.kriging.split(",") if args.kriging else []) if n]
    rk_names = kriged_names(kriged, args)
    unknown = sorted(set(kriged) - set(base_names))
    if unknown:
        raise SystemExit(f"--kriging {unknown} must be among --models {base_names}")
    blends = [b for b in (args.blend.split(",") if args.blend else []) if b]
    for b in blends:
        parts = b.split("+")
        missing = sorted(set(parts) - set(base_names + rk_names))
        if len(parts) < 2 or missing:
            raise SystemExit(
                f"--blend {b!r}: give two or more of --models / <--kriging model>_rk joined by '+'"
                + (f"; unknown {missing}" if missing else "")
            )
    names = base_names + rk_names + blends
    pred = {n: np.full(y.shape, np.nan) for n in names}
    std = {n: np.full(y.shape, np.nan) for n in names}
    explained = {n: np.full(y.shape, np.nan) for n in rk_names}
    # per fold and step: the kriging's [s_f^2, g, l, s_n^2] and its training-residual RMSE
    theta = {n: np.full((len(folds), y.shape[1], 4), np.nan) for n in rk_names}
    residual_rmse = {n: np.full((len(folds), y.shape[1]), np.nan) for n in rk_names}
    fit_time = {n: 0.0 for n in names}
    for k, test in enumerate(folds):
        train = np.setdiff1d(np.arange(len(X)), test)
        fold_models: dict = {}
        for name in base_names:
            est = build(name, args, args.seed + k)
            fit_params = proton_fit_params(split, X, test, args) if name == "gnn" else {}
            t0 = time.perf_counter()
            est.fit(X.iloc[train], y[train], **fit_params)
            fit_time[name] += time.perf_counter() - t0
            fitted = [(name, est)]
            if name in kriged:
                # the same fitted model plus the kriged residuals of its training rows
                for suffix, chelate in _kriging_variants(args):
                    t1 = time.perf_counter()
                    rk = ResidualKriging(FrozenEstimator(est), chelate_similarity=chelate).fit(
                        X.iloc[train], y[train]
                    )
                    rk_name = f"{name}{suffix}"
                    fit_time[rk_name] += fit_time[name] + time.perf_counter() - t1
                    fitted.append((rk_name, rk))
                    ev = rk.explained_variance(X.iloc[test])
                    explained[rk_name][test, : ev.shape[1]] = ev[:, : y.shape[1]]
                    n_steps = min(len(rk.theta_), y.shape[1])
                    theta[rk_name][k, :n_steps] = rk.theta_[:n_steps]
                    residual_rmse[rk_name][k, :n_steps] = rk.residual_rmse_[:n_steps]
            fold_models.update(fitted)
            for out_name, model in fitted:
                if supports_std(est):  # the kriged model's std comes from est's
                    mu, sd = model.predict(X.iloc[test], return_std=True)
                    sd = np.asarray(sd, dtype=float).reshape(len(test), -1)[:, : y.shape[1]]
                    std[out_name][test, : sd.shape[1]] = sd
                else:
                    mu = model.predict(X.iloc[test])
                mu = np.asarray(mu, dtype=float).reshape(len(test), -1)
                pred[out_name][test, : mu.shape[1]] = mu[:, : y.shape[1]]
                rmse = _stats(y[test, 0], pred[out_name][test, 0]).get("rmse", float("nan"))
                print(f"[{split}] fold {k + 1}/{len(folds)} {out_name}: {rmse:.3f}", flush=True)
        for b in blends:
            # the fold's fitted models, averaged with equal weights (no refit)
            parts = b.split("+")
            blend = BlendRegressor([(p, FrozenEstimator(fold_models[p])) for p in parts])
            blend.fit(X.iloc[train], y[train])
            fit_time[b] = sum(fit_time[p] for p in parts)
            if any(supports_std(fold_models[p]) for p in parts):
                mu, sd = blend.predict(X.iloc[test], return_std=True)
                std[b][test, : sd.shape[1]] = sd[:, : y.shape[1]]
            else:
                mu = blend.predict(X.iloc[test])
            pred[b][test, : mu.shape[1]] = mu[:, : y.shape[1]]
            rmse = _stats(y[test, 0], pred[b][test, 0]).get("rmse", float("nan"))
            print(f"[{split}] fold {k + 1}/{len(folds)} {b}: {rmse:.3f}", flush=True)
    tested = np.zeros(len(X), dtype=bool)
    fold_of = np.full(len(X), -1)
    for k, f in enumerate(folds):
        tested[f] = True
        fold_of[f] = k
    if args.oof_dir:
        out_dir = Path(args.oof_dir)
        out_dir.mkdir(parents=True, exist_ok=True)
        np.savez_compressed(
            out_dir / f"corpus_{split}{args.tag}_oof.npz",
            fold=fold_of,
            y=y,
            metal=X["metal"].to_numpy(dtype=str),
            ligand=X["ligand_id"].to_numpy(dtype=str),
            source=X["source"].to_numpy(dtype=str),
            **{f"pred_{n}": pred[n] for n in names},
            **{f"std_{n}": std[n] for n in names},
            **{f"explained_{n}": v for n, v in explained.items()},
            **{f"theta_{n}": v for n, v in theta.items()},
            **{f"residual_rmse_{n}": v for n, v in residual_rmse.items()},
        )
    return summarise(
        split,
        len(folds),
        fold_of,
        y,
        X["metal"].to_numpy(),
        X["source"].to_numpy(),
        names,
        pred,
        std,
        fit_time,
    )


def summarise(
    split: str,
    n_folds: int,
    fold_of: np.ndarray,
    y: np.ndarray,
    metal: np.ndarray,
    src: np.ndarray,
    names: list[str],
    pred: dict[str, np.ndarray],
    std: dict[str, np.ndarray],
    fit_time: dict[str, float] | None = None,
) -> dict:
    """The result dict of a split from out-of-fold predictions (rows with fold -1 untested)."""
    tested = fold_of >= 0
    fam = metal_families(metal)
    out: dict = {"split": split, "n_folds": n_folds, "n_rows_tested": int(tested.sum())}
    for name in names:
        p1, t1 = pred[name][:, 0], np.where(tested, y[:, 0], np.nan)
        res = {"fit_time_s": (fit_time or {}).get(name, float("nan")), "overall": _stats(t1, p1)}
        res["overall"].update(_coverage(t1, p1, std[name][:, 0]))
        res["family"] = {}
        for f in METAL_FAMILIES:
            m = fam == f
            if m.any():
                s = _stats(t1[m], p1[m])
                s.update(_coverage(t1[m], p1[m], std[name][m, 0]))
                res["family"][f] = s
        res["source"] = {s: _stats(t1[src == s], p1[src == s]) for s in sorted(set(src))}
        res["metal"] = {
            m: _stats(t1[metal == m], p1[metal == m]) for m in sorted(set(metal[tested]))
        }
        nist = (src == "nist46") & tested
        res["nist46_per_step"] = [
            _stats(y[nist, k], pred[name][nist, k]) for k in range(y.shape[1])
        ]
        out[name] = res
    return out


def to_markdown(result: dict, names: list[str]) -> str:
    lines = [f"### split: {result['split']} ({result['n_folds']} folds)", ""]
    rows = []
    for n in names:
        o = result[n]["overall"]
        rows.append(
            [
                n,
                o["n"],
                o.get("rmse"),  # absent when the model answered no row (n = 0)
                o.get("mae"),
                o.get("r2"),
                o.get("bias"),
                o.get("cover_1sd"),
                o.get("cover_2sd"),
            ]
        )
    lines.append(
        md_table(["model", "n", "RMSE", "MAE", "R2", "bias", "cover 1sd", "cover 2sd"], rows)
    )
    lines += ["", "log K1 RMSE per family (n):", ""]
    fams = [f for f in METAL_FAMILIES if any(f in result[n]["family"] for n in names)]
    rows = []
    for n in names:
        r = [n]
        for f in fams:
            s = result[n]["family"].get(f)
            r.append(f"{s['rmse']:.2f} ({s['n']})" if s and s.get("n") else "-")
        rows.append(r)
    lines.append(md_table(["model", *fams], rows))
    lines += ["", "log K1 RMSE per source:", ""]
    srcs = sorted(result[names[0]]["source"])
    rows = [
        [n, *[f"{result[n]['source'][s].get('rmse', float('nan')):.2f}" for s in srcs]]
        for n in names
    ]
    lines.append(md_table(["model", *srcs], rows))
    if result["split"] == "lomo" and all("metal" in result[n] for n in names):
        metals = [m for m in result[names[0]]["metal"] if result[names[0]]["metal"][m].get("n")]
        lines += ["", "log K1 RMSE of each held-out metal (n):", ""]
        rows = [
            [
                m,
                result[names[0]]["metal"][m]["n"],
                *[f"{result[n]['metal'][m].get('rmse', float('nan')):.2f}" for n in names],
            ]
            for m in metals
        ]
        lines.append(md_table(["metal", "n", *names], rows))
    lines += ["", "NIST-46 rows, RMSE of log beta_n per step:", ""]
    rows = [
        [n, *[f"{s.get('rmse', float('nan')):.2f}" for s in result[n]["nist46_per_step"][:4]]]
        for n in names
    ]
    lines.append(md_table(["model", "beta1", "beta2", "beta3", "beta4"], rows))
    if any("cover_1sd" in result[n]["family"].get(f, {}) for n in names for f in fams):
        lines += ["", "coverage of +-1 / +-2 sigma per family (models with a std):", ""]
        rows = []
        for n in names:
            if "cover_1sd" not in result[n]["overall"]:
                continue
            r = [n]
            for f in fams:
                s = result[n]["family"].get(f, {})
                r.append(
                    f"{s['cover_1sd']:.2f} / {s['cover_2sd']:.2f}" if "cover_1sd" in s else "-"
                )
            rows.append(r)
        lines.append(md_table(["model", *fams], rows))
    return "\n".join(lines) + "\n"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--split", default="ligand,metal,lomo")
    ap.add_argument("--models", default="gnn,gpr,rf,mean")
    ap.add_argument("--folds", type=int, default=5)
    ap.add_argument("--epochs", type=int, default=60)
    ap.add_argument("--hidden", type=int, default=96)
    ap.add_argument("--members", type=int, default=1, help="GNN ensemble members (std if > 1)")
    ap.add_argument("--trees", type=int, default=300)
    ap.add_argument("--lomo-family", default="rare earth")
    ap.add_argument(
        "--lomo-metals",
        default="",
        help="comma-separated subset of the family's metals to hold out (default: all)",
    )
    ap.add_argument(
        "--oof-dir",
        default="",
        help="also save out-of-fold predictions, spreads and fold numbers there (.npz)",
    )
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--max-rows", type=int, default=None, help="subsample (smoke runs)")
    ap.add_argument("--gnn-params", default="{}", help="JSON of extra default_pipeline params")
    ap.add_argument("--tag", default="")
    ap.add_argument(
        "--kriging",
        default="",
        help="models (of --models) also reported with residual kriging, as <model>_rk: the same "
        "fitted model per fold plus skmetalpka.model.ResidualKriging on its training residuals",
    )
    ap.add_argument(
        "--chelate-similarity",
        choices=("0", "1", "both"),
        default="1",
        help="ResidualKriging's chelate_similarity (0: fingerprint similarity alone, as before "
        "the chelate descriptors; 1: as the recipes; both: <model>_rk with it and <model>_rk_fp "
        "without, from the same fitted model)",
    )
    ap.add_argument(
        "--blend",
        default="",
        help="equal-weight blends of fitted models of each fold, e.g. gnn_rk+gpr (comma-separated)",
    )
    ap.add_argument(
        "--protons",
        default="none",
        choices=["none", "joint", "pretrain"],
        help="the GNN also learns from the NIST-46 protonation constants (the packaged model's "
        "network uses joint); test ligands' rows are removed with --split ligand",
    )
    ap.add_argument("--threads", type=int, default=0, help="torch threads (0: torch's default)")
    args = ap.parse_args()
    if args.protons != "none":
        from skmetalpka.datasets import load_nist46_proton

        args.proton_table = load_nist46_proton()
    if args.threads:
        import torch

        torch.set_num_threads(args.threads)
    X, y = load_corpus()
    if args.max_rows and args.max_rows < len(X):
        keep = np.random.default_rng(args.seed).choice(len(X), args.max_rows, replace=False)
        X, y = X.iloc[np.sort(keep)].reset_index(drop=True), y[np.sort(keep)]
    names = args.models.split(",") + kriged_names([n for n in args.kriging.split(",") if n], args)
    names += [b for b in args.blend.split(",") if b]
    for split in args.split.split(","):
        t0 = time.perf_counter()
        result = run_split(split, X, y, args)
        result["wall_s"] = time.perf_counter() - t0
        result["command"] = " ".join(["python benchmarks/corpus.py", *sys.argv[1:]])
        md = to_markdown(result, names)
        print(md)
        save(f"corpus_{split}{args.tag}", result, md)


if __name__ == "__main__":
    main()
