"""Blends of models from saved out-of-fold predictions of ``corpus.py``, on the same folds.

``corpus.py --blend gnn_rk+gpr`` fits the blend's members in one run. This script computes the
same equal-weight (or ``--weights``) :class:`skmetalpka.model.BlendRegressor` prediction from
the out-of-fold files of separate runs (``--oof-dir``), with the blend's own arithmetic
(:func:`skmetalpka.model.blend.combine_predictions`), so that a blend of models trained in
different runs is measured without training anything again. Every file must hold the same rows,
targets and folds (checked): the runs must share ``--split``, ``--folds`` and ``--seed``.

Usage::

    python benchmarks/corpus_blend.py --oof-dir OOF --split metal \
        --members _gnn3rk:gnn_rk,_gpr:gpr [--members _gnn3rk:gnn_rk,_gpr:gpr,_rfrk:rf_rk] \
        [--weights 1,1] [--interpolate-only mean_rk] [--max-steps mean_rk=1] [--tag _blend] \
        [--write-oof]

``--members`` names ``<tag of the run>:<model in it>`` per member (the file is
``corpus_<split><tag>_oof.npz``); it can be repeated for several blends. The members are
reported too, so the table compares the blend with each of them on the same rows. Writes
benchmarks/results/corpus_<split><tag>.json and .md.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _common import save  # noqa: E402
from corpus import _stats, summarise, to_markdown  # noqa: E402

from skmetalpka.model.blend import combine_predictions  # noqa: E402


def _load(oof_dir: Path, split: str, tag: str) -> dict[str, np.ndarray]:
    path = oof_dir / f"corpus_{split}{tag}_oof.npz"
    if not path.is_file():
        raise SystemExit(f"{path} not found: run benchmarks/corpus.py --oof-dir with --tag {tag}")
    with np.load(path, allow_pickle=False) as d:
        return {k: d[k] for k in d.files}


def _unseen_rows(fold: np.ndarray, metal: np.ndarray) -> np.ndarray:
    """Tested rows whose metal is absent from the training rows of their fold."""
    out = np.zeros(len(fold), dtype=bool)
    for k in sorted(set(fold.tolist()) - {-1}):
        test = fold == k
        seen = set(metal[~test].tolist())
        out[test] = [m not in seen for m in metal[test].tolist()]
    return out


def recipe_blend(
    kriged: np.ndarray,
    gpr: np.ndarray,
    mean_rk: np.ndarray,
    unseen: np.ndarray,
    extra: tuple[np.ndarray, ...] = (),
) -> np.ndarray:
    """The recipe blend of one column: equal weights of the kriged network, the Gaussian process
    and the kriged per-metal mean, the mean weighted 0 on ``unseen`` rows (a metal the training
    rows lack: ``--interpolate-only mean_rk``).

    ``extra`` members join with the same weight on the rows where they predict (NaN elsewhere:
    :func:`~skmetalpka.model.blend.combine_predictions` renormalises over finite members).
    """
    ones = np.ones(len(kriged))
    weights = np.stack([ones, ones, np.where(unseen, 0.0, 1.0), *(ones for _ in extra)])
    return combine_predictions(np.stack([kriged, gpr, mean_rk, *extra]), weights)


def stack_bound(
    true: np.ndarray, members: list[np.ndarray], metal: np.ndarray
) -> dict[str, dict[str, float]]:
    """Log K1 RMSE of in-sample least-squares stacking of ``members``, overall and per family.

    Weights and intercept are fitted on the very rows they are scored on (all folds' out-of-fold
    predictions at once; per family for the family rows), so this is a lower bound on the
    error of any linear reweighting of these members, not an estimate of a model's error.
    Members without any log K1 prediction (the series interpolation answers higher steps only)
    are dropped; rows where another member has no prediction are left out (their number is
    reported).
    """
    from skmetalpka.families import metal_families

    X = np.column_stack([m for m in members if np.isfinite(m).any()])
    ok = np.isfinite(true) & np.isfinite(X).all(axis=1)
    fam = np.asarray([str(f) for f in metal_families(metal)])

    def fit(rows: np.ndarray) -> dict[str, float]:
        A = np.column_stack([X[rows], np.ones(rows.sum())])
        w, *_ = np.linalg.lstsq(A, true[rows], rcond=None)
        err = A @ w - true[rows]
        return {"n": int(rows.sum()), "rmse": float(np.sqrt(np.mean(err**2)))}

    out = {"all": fit(ok)}
    sse = 0.0
    for f in sorted(set(fam[ok].tolist())):
        out[f] = fit(ok & (fam == f))
        sse += out[f]["rmse"] ** 2 * out[f]["n"]
    out["per-family weights"] = {
        "n": out["all"]["n"],
        "rmse": float(np.sqrt(sse / out["all"]["n"])),
    }
    out["left out"] = {"n": int((np.isfinite(true) & ~ok).sum()), "rmse": float("nan")}
    return out


def stack_bound_markdown(bounds: dict[str, dict[str, dict[str, float]]]) -> str:
    """Markdown table of :func:`stack_bound` results, one row per blend."""
    cols = list(next(iter(bounds.values())))
    lines = [
        "In-sample least-squares stacking of each blend's members (log K1 RMSE; weights fitted "
        "on the scored rows: a bound, not a model):",
        "",
        "| blend | " + " | ".join(cols) + " |",
        "|---|" + "---|" * len(cols),
    ]
    for name, b in bounds.items():
        cells = [
            f"{b[c]['rmse']:.3f} ({b[c]['n']})" if np.isfinite(b[c]["rmse"]) else f"({b[c]['n']})"
            for c in cols
        ]
        lines.append(f"| {name} | " + " | ".join(cells) + " |")
    return "\n".join(lines) + "\n"


def per_fold_rmse(true: np.ndarray, pred: np.ndarray, fold: np.ndarray) -> list[float]:
    """Log K1 RMSE of every fold's held-out rows (NaN for a fold the model does not answer)."""
    return [
        _stats(true[fold == k], pred[fold == k]).get("rmse", float("nan"))
        for k in range(int(fold.max()) + 1)
    ]


def per_fold_markdown(per_fold: dict[str, list[float]]) -> str:
    """Markdown table of :func:`per_fold_rmse` results (models answering every fold)."""
    n_folds = len(next(iter(per_fold.values())))
    lines = [
        "log K1 RMSE per fold:",
        "",
        "| model | " + " | ".join(f"fold {k}" for k in range(n_folds)) + " |",
        "|---|" + "---|" * n_folds,
    ]
    lines += [
        f"| {name} | " + " | ".join(f"{v:.3f}" for v in values) + " |"
        for name, values in per_fold.items()
        if np.isfinite(values).all()
    ]
    return "\n".join(lines) + "\n"


def worst_ligands(
    true: np.ndarray, pred: np.ndarray, ligand: np.ndarray, source: np.ndarray, k: int
) -> list[dict]:
    """The ``k`` ligands with the largest share of the squared log K1 error.

    Each entry: the ligand, its number of log K1 values, mean error (predicted - measured),
    share of all squared error and share of the squared error of the NIST-46 rows.
    """
    ok = np.isfinite(true) & np.isfinite(pred)
    err2 = np.where(ok, (pred - true) ** 2, 0.0)
    nist = ok & (source == "nist46")
    total, total_nist = err2.sum(), err2[nist].sum()
    out = []
    for lig in np.unique(ligand[ok]):
        rows = ok & (ligand == lig)
        out.append(
            {
                "ligand": str(lig),
                "n": int(rows.sum()),
                "mean_error": float((pred[rows] - true[rows]).mean()),
                "share": float(err2[rows].sum() / total),
                "share_nist46": float(err2[rows & nist].sum() / total_nist) if total_nist else 0.0,
                "sources": sorted(set(source[rows].tolist())),
            }
        )
    out.sort(key=lambda e: -e["share"])
    return out[:k]


def worst_ligands_markdown(worst: dict[str, list[dict]]) -> str:
    """Markdown tables of :func:`worst_ligands` results, one per blend."""
    lines = []
    for name, entries in worst.items():
        lines += [
            f"Ligands with the most squared log K1 error of {name}:",
            "",
            "| ligand | n | mean error | share | share of NIST-46 | sources |",
            "|---|---|---|---|---|---|",
        ]
        lines += [
            f"| `{e['ligand']}` | {e['n']} | {e['mean_error']:+.2f} | {100 * e['share']:.1f} % "
            f"| {100 * e['share_nist46']:.1f} % | {', '.join(e['sources'])} |"
            for e in entries
        ]
        lines.append("")
    return "\n".join(lines)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--oof-dir", required=True)
    ap.add_argument("--split", default="ligand")
    ap.add_argument(
        "--members",
        action="append",
        required=True,
        help="comma-separated <run tag>:<model> of one blend (repeat for several blends)",
    )
    ap.add_argument("--weights", default="", help="comma-separated weights (default: equal)")
    ap.add_argument(
        "--names",
        default="",
        help="comma-separated names of the blends, in --members order (default: members "
        "joined by '+')",
    )
    ap.add_argument(
        "--max-steps",
        default="",
        help="comma-separated <member>=<k>: that member answers its first k steps only "
        "(BlendRegressor's max_steps), e.g. mean_rk=1",
    )
    ap.add_argument(
        "--interpolate-only",
        default="",
        help="comma-separated members that get weight 0 for rows whose metal is not in the "
        "fold's training rows (BlendRegressor's unseen_metal_weights, as default_recipe gives "
        "the kriged mean), e.g. mean_rk",
    )
    ap.add_argument("--tag", default="_blend_oof")
    ap.add_argument(
        "--write-oof",
        action="store_true",
        help="also save the members' and blends' out-of-fold predictions in --oof-dir as "
        "corpus_<split><tag>_oof.npz (for selectivity.py and corpus_report.py)",
    )
    ap.add_argument(
        "--stack-bound",
        action="store_true",
        help="also report, per blend, the log K1 RMSE of least-squares member weights (and an "
        "intercept) fitted on all out-of-fold rows at once, overall and per metal family: an "
        "in-sample bound on what reweighting these members can reach, not a model",
    )
    ap.add_argument(
        "--worst-ligands",
        type=int,
        default=0,
        help="also list, per blend, the K ligands carrying the most squared log K1 error",
    )
    ap.add_argument(
        "--per-fold",
        action="store_true",
        help="also report every model's log K1 RMSE per fold (a setting picked on one fold "
        "is judged on the others)",
    )
    args = ap.parse_args()
    oof_dir = Path(args.oof_dir)

    files: dict[str, dict[str, np.ndarray]] = {}
    ref: dict[str, np.ndarray] | None = None
    pred: dict[str, np.ndarray] = {}
    std: dict[str, np.ndarray] = {}
    blends: list[tuple[str, list[str]]] = []
    origin: dict[str, str] = {}  # model name -> the run tag it was first read from
    for spec in args.members:
        parts = []
        for item in spec.split(","):
            tag, sep, model = item.partition(":")
            if not sep or not model:
                raise SystemExit(f"--members entry {item!r} must be <run tag>:<model>")
            if tag not in files:
                files[tag] = _load(oof_dir, args.split, tag)
                d = files[tag]
                if ref is None:
                    ref = d
                for key in ("fold", "metal", "ligand", "source"):
                    if not np.array_equal(d[key], ref[key]):
                        raise SystemExit(f"run {tag!r} has other rows or folds ({key} differs)")
                if not np.array_equal(d["y"], ref["y"], equal_nan=True):
                    raise SystemExit(f"run {tag!r} has other targets")
            d = files[tag]
            if f"pred_{model}" not in d:
                have = sorted(k[5:] for k in d if k.startswith("pred_"))
                raise SystemExit(f"run {tag!r} has no model {model!r}; it has {have}")
            # the same model name from two runs (gnn_rk with and without protons) are two
            # members: the second is reported as <model>@<tag>
            label = model if origin.setdefault(model, tag) == tag else f"{model}@{tag}"
            pred[label] = d[f"pred_{model}"]
            std[label] = d.get(f"std_{model}", np.full_like(d[f"pred_{model}"], np.nan))
            parts.append(label)
        blends.append(("+".join(parts), parts))
    assert ref is not None
    if args.names:
        labels = args.names.split(",")
        if len(labels) != len(blends):
            raise SystemExit(f"--names has {len(labels)} names for {len(blends)} blends")
        blends = [(label, parts) for label, (_, parts) in zip(labels, blends, strict=True)]
    members = list(dict.fromkeys(m for _, parts in blends for m in parts))
    for name, parts in blends:
        weights = (
            np.ones(len(parts))
            if not args.weights
            else np.asarray([float(w) for w in args.weights.split(",")])
        )
        if weights.shape != (len(parts),):
            raise SystemExit(f"--weights has {weights.size} entries for the {len(parts)} of {name}")
        weights = weights / weights.sum()
        only = set(args.interpolate_only.split(",")) - {""}
        models = [p.partition("@")[0] for p in parts]  # the model of a <model>@<tag> label
        if only & set(models) and not set(models) <= only:
            unseen_w = np.where([m in only for m in models], 0.0, weights)
            unseen = _unseen_rows(ref["fold"], ref["metal"])
            weights = np.where(
                unseen[None, :], (unseen_w / unseen_w.sum())[:, None], weights[:, None]
            )
        limits = {
            k: int(v) for k, _, v in (x.partition("=") for x in args.max_steps.split(",") if x)
        }
        mus = np.stack([pred[p] for p in parts])
        sds = np.stack([std[p] for p in parts])
        for i, m in enumerate(models):
            if m in limits:
                mus[i, :, limits[m] :] = np.nan
                sds[i, :, limits[m] :] = np.nan
        pred[name], std[name] = combine_predictions(mus, weights, sds)
        # members without any std make the mixture std meaningless: drop it
        if not any(np.isfinite(std[p]).any() for p in parts):
            std[name] = np.full_like(pred[name], np.nan)
    names = members + [n for n, _ in blends]
    fold_of = ref["fold"]
    result = summarise(
        args.split,
        int(fold_of.max()) + 1,
        fold_of,
        ref["y"],
        ref["metal"],
        ref["source"],
        names,
        pred,
        std,
    )
    result["command"] = " ".join(["python benchmarks/corpus_blend.py", *sys.argv[1:]])
    md = to_markdown(result, names)
    if args.stack_bound:
        result["stack_bound"] = {
            name: stack_bound(ref["y"][:, 0], [pred[p][:, 0] for p in parts], ref["metal"])
            for name, parts in blends
        }
        md += "\n" + stack_bound_markdown(result["stack_bound"])
    if args.per_fold:
        result["per_fold"] = {
            name: per_fold_rmse(ref["y"][:, 0], pred[name][:, 0], fold_of) for name in names
        }
        md += "\n" + per_fold_markdown(result["per_fold"])
    if args.worst_ligands:
        result["worst_ligands"] = {
            name: worst_ligands(
                ref["y"][:, 0], pred[name][:, 0], ref["ligand"], ref["source"], args.worst_ligands
            )
            for name, _ in blends
        }
        md += "\n" + worst_ligands_markdown(result["worst_ligands"])
    print(md)
    save(f"corpus_{args.split}{args.tag}", result, md)
    if args.write_oof:
        out = oof_dir / f"corpus_{args.split}{args.tag}_oof.npz"
        np.savez_compressed(
            out,
            **{k: ref[k] for k in ("fold", "y", "metal", "ligand", "source")},
            **{f"pred_{n}": pred[n] for n in names},
            **{f"std_{n}": std[n] for n in names},
        )
        print(f"wrote {out}")


if __name__ == "__main__":
    main()
