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
        [--weights 1,1] [--tag _blend]

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
    ap.add_argument("--tag", default="_blend_oof")
    args = ap.parse_args()
    oof_dir = Path(args.oof_dir)

    files: dict[str, dict[str, np.ndarray]] = {}
    ref: dict[str, np.ndarray] | None = None
    pred: dict[str, np.ndarray] = {}
    std: dict[str, np.ndarray] = {}
    blends: list[tuple[str, list[str]]] = []
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
            pred[model] = d[f"pred_{model}"]
            std[model] = d.get(f"std_{model}", np.full_like(d[f"pred_{model}"], np.nan))
            parts.append(model)
        blends.append(("+".join(parts), parts))
    assert ref is not None
    members = list(dict.fromkeys(m for _, parts in blends for m in parts))
    for name, parts in blends:
        weights = (
            np.ones(len(parts))
            if not args.weights
            else np.asarray([float(w) for w in args.weights.split(",")])
        )
        if weights.shape != (len(parts),):
            raise SystemExit(f"--weights has {weights.size} entries for the {len(parts)} of {name}")
        mus = np.stack([pred[p] for p in parts])
        sds = np.stack([std[p] for p in parts])
        pred[name], std[name] = combine_predictions(mus, weights / weights.sum(), sds)
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


if __name__ == "__main__":
    main()
