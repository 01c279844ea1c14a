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
from corpus import summarise, to_markdown  # noqa: E402

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
