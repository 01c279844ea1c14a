"""``skmetalpka cv``: grouped cross-validation of one or all models on the same folds."""

from __future__ import annotations

import argparse
import json
from typing import Any

from .._files import write_text
from ._common import (
    UsageError,
    build,
    fmt_table,
    model_list,
    model_params,
    note,
    report_dict,
)


def add_parser(sub: Any, parents: dict[str, argparse.ArgumentParser]) -> None:
    """Add the ``cv`` sub-command to ``sub`` (an ``add_subparsers`` object)."""
    p = sub.add_parser(
        "cv",
        parents=[parents["common"], parents["seeded"]],
        help="grouped cross-validation of one or all models",
        description="GroupKFold cross-validation with the same folds for every model. Without "
        "--data the corpus is used when found, else the embedded MINTEQ data.",
    )
    p.add_argument(
        "--data", metavar="PATH", help="data (as for `fit`: corpus, minteq, a folder or a CSV)"
    )
    p.add_argument(
        "--model",
        type=model_list,
        default="all",
        metavar="NAMES",
        help="model(s) to compare: one of gnn, gpr, rf, trees, mean, a comma-separated list such as "
        "mean,rf, or all (default all)",
    )
    p.add_argument(
        "--groups",
        choices=("metal", "ligand"),
        default="ligand",
        help="keep each metal or each ligand in one fold (default ligand)",
    )
    p.add_argument("--folds", type=int, default=5, metavar="K", help="number of folds (default 5)")
    p.add_argument(
        "--params",
        metavar="JSON",
        help="JSON file or text of model parameters; with several models, an object keyed by "
        'model name, e.g. {"rf": {"n_estimators": 100}}',
    )
    p.add_argument("--n-jobs", type=int, default=None, help="parallel fits (default 1)")
    p.add_argument("--json", action="store_true", help="print a JSON object")
    p.add_argument(
        "--report",
        metavar="DIR",
        help="write metrics.json, report.md and PNG figures (parity, residuals, per-step and "
        "per-metal RMSE) into DIR",
    )


def run(args: argparse.Namespace) -> int:
    """Run ``skmetalpka cv`` with parsed ``args``; returns the exit status."""
    from pathlib import Path

    from ..datasets.files import load_training_data
    from ..exceptions import InputError
    from ..selection import grouped_cv

    names = args.model if isinstance(args.model, list) else model_list(args.model)
    params = model_params(args.params, names)
    if args.folds < 2:
        raise UsageError(f"--folds must be at least 2, got {args.folds}")
    X, y, report = load_training_data(args.data)
    if not args.quiet and not args.json:
        print(report)
        print()
    models = {n: build(n, params[n], args.seed) for n in names}
    try:
        result = grouped_cv(
            models,
            X,
            y,
            groups=args.groups,
            n_splits=args.folds,
            n_jobs=args.n_jobs,
            progress=not args.quiet,
        )
    except ValueError as exc:  # too few groups for the folds: an argument problem
        raise UsageError(str(exc)) from exc
    payload = {"data": report_dict(report), "params": params, "seed": args.seed}
    payload.update(result.to_dict())
    if args.report:
        folder = Path(args.report).expanduser()
        try:
            write_text(folder / "metrics.json", json.dumps(payload, indent=2))
            write_text(folder / "report.md", result.to_markdown(source=report.source))
            from ..plots import cv_figures

            figures = cv_figures(result, X["metal"].to_numpy(), folder)
        except OSError as exc:
            raise InputError(f"could not write the report into {str(folder)!r}: {exc}") from exc
        note(
            args,
            f"wrote {folder / 'metrics.json'}, {folder / 'report.md'} and {len(figures)} figures",
        )
    if args.json:
        print(json.dumps(payload, indent=2))
        return 0
    print(
        f"{result.n_splits}-fold GroupKFold by {result.group_kind}: {len(X)} samples, "
        f"{payload['n_groups']} groups, test fold sizes {result.fold_sizes} (same folds for "
        "every model)"
    )
    for name in result.model_names:
        print(f"\n{name} (out-of-fold, cumulative log beta):")
        print(fmt_table(result.per_step(name)))
    if len(names) > 1:
        print("\nall steps pooled:")
        print(fmt_table(result.summary()))
    return 0
