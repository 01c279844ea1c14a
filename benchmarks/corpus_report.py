"""Merge the per-model runs of ``benchmarks/corpus.py`` into one table per split.

``corpus.py`` can run its models in separate processes (``--models gnn --tag _gnn``,
``--models gpr --tag _gpr`` ...) on the same folds (same ``--folds`` and ``--seed``). This
script reads ``benchmarks/results/corpus_<split><tag>.json`` for every given tag, checks that
the runs used the same folds, and writes one combined ``corpus_<split>_card.md`` (read by
``benchmarks/train_default.py`` for the model card) and ``corpus_<split>_all.json``.

Usage::

    python benchmarks/corpus_report.py --split ligand,metal,lomo --tags _gnn,_gpr,_rf_mean
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _common import RESULTS, save  # noqa: E402
from corpus import to_markdown  # noqa: E402

_RUN_KEYS = ("split", "n_folds", "n_rows_tested", "machine", "wall_s", "command")


def merge(
    split: str, tags: list[str], rename: dict[str, str] | None = None
) -> tuple[dict, list[str]]:
    """One result dict with the models of every tagged run of ``split``.

    A model name found in several runs is taken from the first tag that has it; ``rename``
    maps a run's model name to the name reported (e.g. ``corpus_blend.py --names packaged``
    reported as ``blend_km``).
    """
    rename = rename or {}
    merged: dict = {"split": split, "runs": {}}
    names: list[str] = []
    for tag in tags:
        path = RESULTS / f"corpus_{split}{tag}.json"
        if not path.is_file():
            print(f"skipping {path.name}: not found", file=sys.stderr)
            continue
        run = json.loads(path.read_text())
        for key in ("n_folds", "n_rows_tested"):
            if key in merged and merged[key] != run[key]:
                sys.exit(
                    f"{path.name}: {key} {run[key]} differs from {merged[key]}: not the same folds"
                )
            merged[key] = run[key]
        merged["runs"][tag] = {k: run[k] for k in _RUN_KEYS if k in run}
        for name, res in run.items():
            name = rename.get(name, name)
            if isinstance(res, dict) and "overall" in res and name not in names:
                merged[name] = res
                names.append(name)
    return merged, names


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--split", default="ligand,metal,lomo")
    ap.add_argument("--tags", default="_gnn,_gpr,_rf_mean")
    ap.add_argument(
        "--models",
        default="",
        help="comma-separated models to report, in this order (default: every model of the runs)",
    )
    ap.add_argument(
        "--rename",
        default="",
        help="comma-separated old=new model names (e.g. packaged=blend_km), applied to every run",
    )
    args = ap.parse_args()
    pairs = [pair for pair in args.rename.split(",") if pair]
    if any("=" not in pair for pair in pairs):
        ap.error(f"--rename takes old=new pairs separated by commas, got {args.rename!r}")
    rename = dict(pair.split("=", 1) for pair in pairs)
    order = ["gnn", "gnn_rk", "gpr", "rf", "mean"]
    for split in args.split.split(","):
        merged, names = merge(split, args.tags.split(","), rename)
        if not names:
            continue
        if args.models:
            wanted = args.models.split(",")
            missing = sorted(set(wanted) - set(names))
            if missing:
                sys.exit(f"--models {missing} are in none of the {split} runs")
            names = wanted
        else:
            names.sort(key=lambda n: order.index(n) if n in order else len(order))
        md = to_markdown(merged, names)
        # the out-of-fold folder is this machine's: write it as OOF, as docs/benchmarks.md does
        commands = [
            re.sub(r"--oof-dir \S+", "--oof-dir OOF", r["command"])
            for r in merged["runs"].values()
            if "command" in r
        ]
        md += "\n\nReproduce: " + "; ".join(f"`{c}`" for c in commands) + "\n"
        print(md)
        save(f"corpus_{split}_all", merged)
        (RESULTS / f"corpus_{split}_card.md").write_text(md)


if __name__ == "__main__":
    main()
