"""Calibrate the ensemble's standard deviation per metal family and metal novelty.

Reads the out-of-fold predictions that ``benchmarks/corpus.py --oof-dir DIR`` saved for the
ligand-grouped split (every test metal was seen in training: the "seen" cells) and the
metal-grouped split (every test metal was unseen: the "unseen" cells), fits
:func:`skmetalpka.model.calibration.fit_std_calibration` on the log K1 residuals, and reports
the share of held-out values inside +-1 and +-2 sigma per cell, before (raw ensemble spread)
and after calibration. The "after" figures are **cross-fitted**: the calibration used for the
rows of fold k was fitted on the other folds of both splits only.

The calibration fitted on all folds is written to
``benchmarks/results/corpus_std_calibration.json``; ``benchmarks/train_default.py`` ships it
in the packaged model (``EnsembleRegressor(std_calibration=...)``).

With ``--kriged`` (default ``<model>_rk`` when corpus.py ran with ``--kriging``), the same
cross-fitted calibration is also applied under :class:`skmetalpka.model.ResidualKriging`, which
shifts the prediction and subtracts the variance it explains (``explained_<model>_rk`` in the
out-of-fold file) from the calibrated variance: the second table is the coverage of that model,
the one ``train_default.py`` ships. The kriged sigma is floored at each fold's kriging noise
(``theta_<model>_rk`` in the out-of-fold file). Files written before corpus.py saved the
hyperparameters need ``--kriging-theta AMPLITUDE,NOISE`` (the step-1 kriging amplitude and
noise, e.g. of the packaged model) for that floor and, before it saved the explained variance,
to reconstruct it from the spreads.

Usage::

    python benchmarks/corpus.py --split ligand --models gnn --members 3 --oof-dir OOF --tag _gnn
    python benchmarks/corpus.py --split metal --models gnn --members 3 --oof-dir OOF --tag _gnn
    python benchmarks/corpus_calibration.py --oof-dir OOF --tag _gnn
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _common import save  # noqa: E402
from corpus import _coverage as corpus_coverage  # noqa: E402
from corpus import _stats as corpus_stats  # noqa: E402

from skmetalpka.model.blend import combine_predictions  # noqa: E402
from skmetalpka.model.calibration import (  # noqa: E402
    apply_std_calibration,
    calibration_cells,
    fit_std_calibration,
)
from skmetalpka.model.kriging import kriged_std  # noqa: E402


def _load(
    path: Path, model: str, kriged: str, theta: tuple[float, float] | None
) -> dict[str, np.ndarray]:
    if not path.is_file():
        sys.exit(f"{path} not found: run benchmarks/corpus.py with --oof-dir first")
    z = np.load(path, allow_pickle=False)
    std = z[f"std_{model}"][:, 0]
    if not np.isfinite(std).any():
        sys.exit(f"{path} holds no spread for {model!r}: run corpus.py with --members > 1")
    out = {
        "fold": z["fold"],
        "y": z["y"][:, 0],
        "pred": z[f"pred_{model}"][:, 0],
        "std": std,
        "metal": z["metal"],
    }
    if kriged and f"pred_{kriged}" in z.files:
        out["pred_rk"] = z[f"pred_{kriged}"][:, 0]
        if f"theta_{kriged}" in z.files:  # per fold: the kriging noise s_n^2 of log K1
            noise = z[f"theta_{kriged}"][:, 0, 3]
            fold = z["fold"]
            out["noise_rk"] = np.where(fold >= 0, noise[np.maximum(fold, 0)], np.nan)
        elif theta is not None:
            out["noise_rk"] = np.full(len(z["fold"]), theta[1])
        else:
            sys.exit(
                f"{path} has no theta_{kriged} (written by corpus.py since it saves the "
                "kriging's hyperparameters): give --kriging-theta AMPLITUDE,NOISE for the "
                "noise floor of the kriged sigma"
            )
        # files with the kriging's residual RMSE were written by the capped ResidualKriging
        out["capped_rk"] = np.full(len(z["fold"]), f"residual_rmse_{kriged}" in z.files)
        if f"explained_{kriged}" in z.files:
            out["explained_rk"] = z[f"explained_{kriged}"][:, 0]
        elif theta is None:
            sys.exit(
                f"{path} has no explained_{kriged} (written by corpus.py since the kriging "
                "subtracts variance): give --kriging-theta AMPLITUDE,NOISE to reconstruct it"
            )
        else:
            # files of the first kriging runs hold std_rk = std * sqrt(1 - k^2 / (a (a + n)))
            with np.errstate(divide="ignore", invalid="ignore"):
                ratio2 = (z[f"std_{kriged}"][:, 0] / std) ** 2
            out["explained_rk"] = theta[0] * np.clip(1.0 - ratio2, 0.0, 1.0)
    return out


def _cells(d: dict[str, np.ndarray]) -> np.ndarray:
    """Cell of every tested row, with the metals of that row's training folds as known."""
    cells = np.full(len(d["fold"]), "", dtype=object)
    for k in sorted(set(d["fold"].tolist()) - {-1}):
        test = d["fold"] == k
        known = sorted(set(d["metal"][(d["fold"] != k)].tolist()))
        cells[test] = calibration_cells(d["metal"][test], known)
    return cells


def _coverage(true: np.ndarray, pred: np.ndarray, std: np.ndarray) -> dict[str, float]:
    """corpus.py's coverage figures plus the count and RMSE of the rows."""
    stats = corpus_stats(true, pred)
    return {"n": stats["n"], "rmse": stats["rmse"], **corpus_coverage(true, pred, std)}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--oof-dir", required=True)
    ap.add_argument("--tag", default="", help="the --tag of the corpus.py runs")
    ap.add_argument(
        "--metal-tag",
        default=None,
        metavar="TAG[:KRIGED]",
        help="the --tag of the metal-grouped run when it differs from the ligand-grouped one "
        "(and its kriged model's name, when that differs from --kriged)",
    )
    ap.add_argument("--model", default="gnn")
    ap.add_argument("--min-count", type=int, default=30)
    ap.add_argument(
        "--kriged", default=None, help="the residual-kriging variant (default <model>_rk)"
    )
    ap.add_argument(
        "--kriging-theta",
        default=None,
        help="AMPLITUDE,NOISE of the kriging (step 1), for out-of-fold files written before "
        "corpus.py saved the explained variance",
    )
    ap.add_argument(
        "--residual-var",
        type=float,
        default=None,
        help="for out-of-fold files written before ResidualKriging capped the explained "
        "variance at the variance of the training residuals (skmetalpka.model.kriging): cap it "
        "at this value (e.g. a network's residual variance on a fold's training rows, 1.31), an "
        "upper bound of the capped one",
    )
    ap.add_argument(
        "--lomo",
        default="",
        metavar="TAG[:BLEND_TAG:MODEL]",
        help="also report the coverage of a leave-one-metal-out run of corpus.py (--split lomo "
        "--tag TAG) with the calibration fitted on all ligand- and metal-grouped folds (the "
        "shipped one; every held-out metal is an unseen metal), for the calibrated ensemble, the "
        "kriged one and, with :BLEND_TAG:MODEL (e.g. :_ln5_series:series), the kriged one "
        "averaged with MODEL where it answers (the packaged blend for a held-out lanthanide)",
    )
    ap.add_argument(
        "--blend",
        default="",
        metavar="TAG:MODEL",
        help="also report the packaged blend: the kriged model averaged, for log K1 of metals "
        "seen in training, with MODEL of the corpus.py run --tag TAG (e.g. _meanrk:mean_rk); "
        "sigma = sqrt(kriged sigma^2 + disagreement), as skmetalpka.model.BlendRegressor",
    )
    args = ap.parse_args()
    kriged = f"{args.model}_rk" if args.kriged is None else args.kriged
    theta = tuple(float(v) for v in args.kriging_theta.split(",")) if args.kriging_theta else None
    oof = Path(args.oof_dir)
    metal_tag, _, metal_kriged = (args.metal_tag or args.tag).partition(":")
    parts = {
        "seen": _load(oof / f"corpus_ligand{args.tag}_oof.npz", args.model, kriged, theta),
        "unseen": _load(
            oof / f"corpus_metal{metal_tag}_oof.npz", args.model, metal_kriged or kriged, theta
        ),
    }
    has_rk = all("pred_rk" in d for d in parts.values())
    if args.blend:
        if not has_rk:
            sys.exit("--blend needs the kriged model (run corpus.py with --kriging)")
        tag, _, other = args.blend.partition(":")
        for split, d in (("ligand", parts["seen"]), ("metal", parts["unseen"])):
            path = oof / f"corpus_{split}{tag}_oof.npz"
            if not path.is_file():
                sys.exit(f"{path} not found (--blend {args.blend})")
            z = np.load(path, allow_pickle=False)
            if not np.array_equal(z["fold"], d["fold"]):
                sys.exit(f"{path}: other folds than the kriged model's run")
            d["pred_other"] = z[f"pred_{other}"][:, 0]
    cols: dict[str, list[np.ndarray]] = {k: [] for k in ("novelty", "fold", "cell", "metal")}
    cols.update(y=[], pred=[], spread=[], pred_rk=[], explained_rk=[], noise_rk=[], capped_rk=[])
    cols.update(pred_other=[])
    for nov, d in parts.items():
        ok = np.isfinite(d["y"]) & np.isfinite(d["pred"]) & np.isfinite(d["std"])
        cols["novelty"].append(np.full(ok.sum(), nov))
        cols["fold"].append(d["fold"][ok])
        cols["cell"].append(_cells(d)[ok])
        cols["metal"].append(d["metal"][ok])
        cols["y"].append(d["y"][ok])
        cols["pred"].append(d["pred"][ok])
        cols["spread"].append(d["std"][ok])
        if has_rk:
            cols["pred_rk"].append(d["pred_rk"][ok])
            cols["explained_rk"].append(d["explained_rk"][ok])
            cols["noise_rk"].append(d["noise_rk"][ok])
            cols["capped_rk"].append(d["capped_rk"][ok])
        if "pred_other" in d:
            cols["pred_other"].append(d["pred_other"][ok])
    novelty, fold, cell, metal, y, pred, spread = (
        np.concatenate(cols[k]) for k in ("novelty", "fold", "cell", "metal", "y", "pred", "spread")
    )

    # Cross-fitted calibrated sigma: rows of fold k (of either split) use a calibration fitted
    # on the other folds of both splits.
    calibrated = np.full(y.size, np.nan)
    for k in sorted(set(fold.tolist())):
        train, test = fold != k, fold == k
        cal = fit_std_calibration(
            y[train], pred[train], spread[train], cell[train], min_count=args.min_count
        )
        for nov in ("seen", "unseen"):
            sel = test & (novelty == nov)
            if not sel.any():
                continue
            # Within one fold of one split a metal is either seen or unseen for all its rows,
            # so the seen metals of the selection are exactly its "known" metals.
            known = sorted(
                {m for m, c in zip(metal[sel], cell[sel], strict=True) if c.endswith("|seen")}
            )
            calibrated[sel] = apply_std_calibration(spread[sel], metal[sel].tolist(), known, cal)
    final = fit_std_calibration(y, pred, spread, cell, min_count=args.min_count)

    # the rows of every reported cell: family x novelty, then the pooled ones
    selections = {c: cell == c for c in sorted(set(cell.tolist()))}
    selections.update(
        {"*|seen": novelty == "seen", "*|unseen": novelty == "unseen", "*|all": novelty != ""}
    )

    def cell_table(title: str, mean: np.ndarray, sigma: np.ndarray) -> dict:
        """Coverage of ``mean +- sigma`` per cell, as a dict and as markdown lines."""
        lines.extend(
            [
                "",
                title,
                "",
                "| cell | n | RMSE | 1sd | 2sd | median sd |",
                "|---|---|---|---|---|---|",
            ]
        )
        out = {}
        for c, sel in selections.items():
            t = out[c] = _coverage(y[sel], mean[sel], sigma[sel])
            lines.append(
                f"| {c} | {t['n']} | {t['rmse']:.2f} | {t['cover_1sd']:.0%} | "
                f"{t['cover_2sd']:.0%} | {t['median_sd']:.2f} |"
            )
        return out

    table = {}
    for c, sel in selections.items():
        table[c] = {
            "raw": _coverage(y[sel], pred[sel], spread[sel]),
            "calibrated": _coverage(y[sel], pred[sel], calibrated[sel]),
        }
    lines = [
        f"log K1, out-of-fold, {args.model}: share of held-out values inside +-1 sigma / "
        "+-2 sigma (targets 68 % / 95 %), raw ensemble spread vs calibrated (cross-fitted)",
        "",
        "| cell | n | RMSE | raw 1sd | raw 2sd | raw median sd | cal 1sd | cal 2sd | "
        "cal median sd |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    for c, t in table.items():
        a, b = t["raw"], t["calibrated"]
        lines.append(
            f"| {c} | {a['n']} | {a['rmse']:.2f} | {a['cover_1sd']:.0%} | {a['cover_2sd']:.0%} "
            f"| {a['median_sd']:.2f} | {b['cover_1sd']:.0%} | {b['cover_2sd']:.0%} "
            f"| {b['median_sd']:.2f} |"
        )
    kriged_table = {}
    if has_rk:
        pred_rk = np.concatenate(cols["pred_rk"])
        # the kriged sigma: calibrated variance minus the variance kriging explains, floored
        # at the kriging noise (skmetalpka.model.kriging): each fold's own when the file has
        # it, else the one of --kriging-theta
        var = calibrated**2
        noise = np.concatenate(cols["noise_rk"])
        explained_rk = np.concatenate(cols["explained_rk"])
        if args.residual_var is not None:  # only where the file predates the cap
            capped = np.concatenate(cols["capped_rk"])
            explained_rk = np.where(
                capped, explained_rk, np.minimum(explained_rk, args.residual_var)
            )
        sigma_rk = kriged_std(var, explained_rk, noise)
        kriged_table = cell_table(
            f"{kriged} (the same ensemble under ResidualKriging, which shifts the prediction and "
            "narrows the calibrated sigma where the ligand was measured nearby): share inside "
            "+-1 / +-2 sigma, cross-fitted",
            pred_rk,
            sigma_rk,
        )
    blend_table = {}
    if args.blend:
        # BlendRegressor's arithmetic: equal weights for seen metals; for unseen metals the
        # kriged model alone (the other member only interpolates: unseen_metal_weights); the
        # other member gives no sigma, so sigma = the kriged one plus the disagreement
        other = np.concatenate(cols["pred_other"])
        seen = novelty == "seen"
        weights = np.where(seen, 0.5, [[1.0], [0.0]])
        pred_b, sigma_b = combine_predictions(
            np.stack([pred_rk, other]), weights, np.stack([sigma_rk, np.full_like(other, np.nan)])
        )
        blend_table = cell_table(
            f"the packaged blend ({kriged} averaged with {args.blend} for seen metals; sigma "
            "of the kriged model plus the members' disagreement): share inside +-1 / +-2 "
            "sigma, cross-fitted",
            pred_b,
            sigma_b,
        )
    lomo_table = _lomo_coverage(args, oof, kriged, theta, final, lines) if args.lomo else {}
    md = "\n".join(lines) + "\n"
    print(md)
    command = " ".join(["python benchmarks/corpus_calibration.py", *sys.argv[1:]])
    save(
        "corpus_std_calibration",
        {
            "command": command,
            "model": args.model,
            "calibration": final,
            "coverage": table,
            **({"kriged": kriged, "kriged_coverage": kriged_table} if has_rk else {}),
            **({"blend": args.blend, "blend_coverage": blend_table} if args.blend else {}),
            **({"lomo": args.lomo, "lomo_coverage": lomo_table} if args.lomo else {}),
        },
        md,
    )


def _lomo_coverage(
    args: argparse.Namespace,
    oof: Path,
    kriged: str,
    theta: tuple[float, float] | None,
    calibration: dict,
    lines: list[str],
) -> dict:
    """Coverage of a leave-one-metal-out run under ``calibration`` (appended to ``lines``).

    Not cross-fitted with respect to the calibration: its two parameters per cell were fitted on
    the ligand- and metal-grouped folds, whose residuals include the held-out metals' rows (as
    predicted by other networks, in other folds).
    """
    tag, _, rest = args.lomo.partition(":")
    d = _load(oof / f"corpus_lomo{tag}_oof.npz", args.model, kriged, theta)
    fold, metal = d["fold"], d["metal"]
    ok = (fold >= 0) & np.isfinite(d["y"]) & np.isfinite(d["pred"]) & np.isfinite(d["std"])
    sigma = np.full(len(fold), np.nan)
    for k in sorted(set(fold[ok].tolist())):
        sel = ok & (fold == k)
        known = sorted(set(metal[fold != k].tolist()))
        sigma[sel] = apply_std_calibration(d["std"][sel], metal[sel].tolist(), known, calibration)
    models = {"calibrated ensemble": (d["pred"], sigma)}
    if "pred_rk" in d:
        var = sigma**2
        noise = d.get("noise_rk", np.zeros(len(fold)))
        sigma_rk = kriged_std(var, d["explained_rk"], noise)
        models[f"{kriged}"] = (d["pred_rk"], sigma_rk)
        if rest:
            btag, _, other = rest.partition(":")
            z = np.load(oof / f"corpus_lomo{btag}_oof.npz", allow_pickle=False)
            if not np.array_equal(z["fold"], fold):
                sys.exit(f"corpus_lomo{btag}_oof.npz: other folds than the lomo run {tag}")
            pred_b, sigma_b = combine_predictions(
                np.stack([d["pred_rk"], z[f"pred_{other}"][:, 0]]),
                np.ones(2),
                np.stack([sigma_rk, np.full(len(fold), np.nan)]),
            )
            models[f"{kriged} + {other} (packaged)"] = (pred_b, sigma_b)
    held = sorted(set(metal[ok].tolist()), key=lambda m: (fold[metal == m][0], m))
    lines += [
        "",
        f"leave-one-metal-out run {tag} (held-out metals are unseen; calibration fitted on the "
        "ligand- and metal-grouped folds, not cross-fitted): share inside +-1 / +-2 sigma",
        "",
        "| model | " + " | ".join(held) + " | all |",
        "|---|" + "---|" * (len(held) + 1),
    ]
    out: dict = {}
    for name, (mean, sd) in models.items():
        cells = []
        out[name] = {}
        for m in [*held, "all"]:
            sel = ok & ((metal == m) if m != "all" else True)
            t = out[name][m] = _coverage(d["y"][sel], mean[sel], sd[sel])
            cells.append(f"{t['rmse']:.2f}: {t['cover_1sd']:.0%} / {t['cover_2sd']:.0%}")
        lines.append(f"| {name} | " + " | ".join(cells) + " |")
    lines.append("")
    lines.append("(each cell: RMSE: share inside +-1 sigma / +-2 sigma)")
    return out


if __name__ == "__main__":
    main()
