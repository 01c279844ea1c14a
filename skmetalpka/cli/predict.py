"""``skmetalpka predict``: predict log beta for a CSV or one ligand, every row back in order."""

from __future__ import annotations

import argparse
import sys
from typing import Any

from ._common import (
    UsageError,
    add_model_arguments,
    check_model_worked,
    load_any_model,
    note,
)


def add_parser(sub: Any, parents: dict[str, argparse.ArgumentParser]) -> None:
    """Add the ``predict`` sub-command to ``sub`` (an ``add_subparsers`` object)."""
    p = sub.add_parser(
        "predict",
        parents=[parents["common"]],
        help="predict log beta with a saved model",
        description="Predict cumulative log beta. Output: one row per input row, in order, "
        "with columns metal, smiles, log_beta_1..log_beta_N, error (empty when fine) and "
        "warning (e.g. a metal the model never saw: an extrapolation). The input is read and "
        "predicted in chunks, so files of any size run in bounded memory.",
    )
    add_model_arguments(p)
    p.add_argument(
        "--std",
        action="store_true",
        help="add log_beta_<n>_std columns (ensemble standard deviation)",
    )
    p.add_argument(
        "--input",
        metavar="CSV",
        help="CSV with columns metal, smiles (or metal_ion, SMILES); optional temperature, "
        "ionic_strength; other columns are ignored",
    )
    p.add_argument("--smiles", metavar="S", help="one ligand SMILES (with --metal)")
    p.add_argument("--metal", metavar="M", help="one metal ion such as Cu2+ (with --smiles)")
    p.add_argument("--output", metavar="CSV", help="output file (default: standard output)")
    p.add_argument(
        "--steps",
        type=int,
        metavar="K",
        help="write log_beta_1..log_beta_K (default: all steps the model was trained for)",
    )
    p.add_argument(
        "--chunksize",
        type=int,
        default=10_000,
        metavar="ROWS",
        help="rows read and predicted at a time; memory depends on this, not on the file size "
        "(default 10000)",
    )


def run(args: argparse.Namespace) -> int:
    """Run ``skmetalpka predict`` with parsed ``args``; returns the exit status."""

    import pandas as pd

    from ..inference import predict_csv, predict_frame, supports_std, training_metals
    from ..tables import write_predictions

    single = args.smiles is not None or args.metal is not None
    if args.input is not None and single:
        raise UsageError("give either --input or --smiles with --metal, not both")
    if args.input is None and not single:
        raise UsageError("give --input CSV, or --smiles S with --metal M")
    if single and (args.smiles is None or args.metal is None):
        raise UsageError("--smiles and --metal go together; give both")
    if args.chunksize < 1:
        raise UsageError(f"--chunksize must be at least 1, got {args.chunksize}")
    est, meta, model_path = load_any_model(args.model, trust_pickle=args.trust_pickle)
    if args.std and not supports_std(est):
        raise UsageError(
            f"--std needs a model with a standard deviation (an ensemble, e.g. --params "
            f"'{{\"n_members\": 5}}' at fit); {model_path} holds a {type(est).__name__}"
        )
    trained_n = meta.get("n_steps")
    if args.steps is not None:
        if args.steps < 1:
            raise UsageError(f"--steps must be at least 1, got {args.steps}")
        if trained_n is not None and args.steps > trained_n:
            raise UsageError(
                f"--steps {args.steps} asks for more steps than the model predicts: it was "
                f"trained for log beta_1..log beta_{trained_n}; use --steps {trained_n} or less"
            )
    n_steps = args.steps if args.steps is not None else trained_n
    known = meta.get("trained_metals")
    if known is None:
        known = training_metals(est)

    def check(errors: list[str]) -> None:
        check_model_worked(model_path, meta, errors)

    if args.input is not None:
        counts = predict_csv(
            est,
            args.input,
            args.output if args.output else sys.stdout,
            n_steps=n_steps,
            known_metals=known,
            chunksize=args.chunksize,
            progress=not args.quiet and sys.stderr.isatty(),
            check_first_chunk=check,
            return_std=args.std,
        )
    else:
        X = pd.DataFrame({"metal": [args.metal], "smiles": [args.smiles]})
        out = predict_frame(est, X, n_steps=n_steps, known_metals=known, return_std=args.std)
        check(out["error"].tolist())
        write_predictions(out, args.output if args.output else sys.stdout)
        counts = {
            "n_rows": 1,
            "n_errors": int(out["error"].iloc[0] != ""),
            "n_warnings": int(out["warning"].iloc[0] != ""),
        }
    n, n_bad, n_warn = counts["n_rows"], counts["n_errors"], counts["n_warnings"]
    where = f" to {args.output}" if args.output else ""
    note(
        args,
        f"predicted {n - n_bad} of {n} rows{where}; {n_bad} with errors, {n_warn} with warnings",
    )
    return 0
