"""``skmetalpka evaluate``: masked metrics of a saved model on a data set."""

from __future__ import annotations

import argparse
import json
from typing import Any

from ._common import (
    add_model_arguments,
    check_model_worked,
    fmt_table,
    report_dict,
)


def add_parser(sub: Any, parents: dict[str, argparse.ArgumentParser]) -> None:
    """Add the ``evaluate`` sub-command to ``sub`` (an ``add_subparsers`` object)."""
    p = sub.add_parser(
        "evaluate",
        parents=[parents["common"]],
        help="score a saved model on a data set",
        description="Masked metrics (measured entries only) overall and per step.",
    )
    add_model_arguments(p, required=True, help="model file from `fit`")
    p.add_argument("--data", required=True, metavar="PATH", help="data CSV (as for `fit`)")
    p.add_argument("--json", action="store_true", help="print a JSON object")


def run(args: argparse.Namespace) -> int:
    """Run ``skmetalpka evaluate`` with parsed ``args``; returns the exit status."""
    import pandas as pd

    from ..datasets.files import load_training_data
    from ..persistence import load_model
    from ..selection import evaluate_model

    est, meta = load_model(args.model, return_meta=True, trusted=args.trust_pickle)
    X, y, report = load_training_data(args.data)
    res = evaluate_model(est, X, y, n_steps=meta.get("n_steps"))
    errors = [""] * res["n_rows"]
    for row in res["unpredicted"]:
        errors[row["row"]] = row["error"]
    check_model_worked(args.model, meta, errors)
    if args.json:
        out = {
            "model": {k: meta.get(k) for k in ("model", "trained_on", "n_steps", "created")},
            "data": report_dict(report),
            **res,
        }
        print(json.dumps(out, indent=2))
        return 0
    if not args.quiet:
        print(report)
        print()
    print(f"model: {meta.get('model')} (trained on {meta.get('trained_on')})")
    print(f"rows: {res['n_rows']}; could not be predicted: {res['n_rows_unpredicted']}")
    for row in res["unpredicted"][:5]:
        print(f"  row {row['row']} ({row['metal']}, {row['smiles']}): {row['error']}")
    if res["n_rows_unpredicted"] > 5:
        print(f"  ... and {res['n_rows_unpredicted'] - 5} more (see --json)")
    for kind, label in (("beta", "cumulative log beta"), ("logk", "stepwise log K")):
        block = res["metrics"][kind]
        prefix = "beta_" if kind == "beta" else "logK_"
        rows = {f"{prefix}{s}": leaf for s, leaf in block["steps"].items()}
        rows["all"] = block["all"]
        df = pd.DataFrame(rows).T[["n", "n_missing_pred", "rmse", "mae", "r2"]]
        df = df.astype({"n": int, "n_missing_pred": int, "rmse": float, "mae": float, "r2": float})
        print(f"\n{label} (measured entries only):")
        print(fmt_table(df))
    return 0
