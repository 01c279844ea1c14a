"""``skmetalpka fit``: train a model and save it."""

from __future__ import annotations

import argparse
from typing import Any

from ..persistence import DEFAULT_MODEL_FILE
from ._common import (
    MODEL_NAMES,
    UsageError,
    build,
    model_params,
    note,
)


def add_parser(sub: Any, parents: dict[str, argparse.ArgumentParser]) -> None:
    """Add the ``fit`` sub-command to ``sub`` (an ``add_subparsers`` object)."""
    p = sub.add_parser(
        "fit",
        parents=[parents["common"], parents["seeded"]],
        help="train a model and save it",
        description="Train a model and save it as a .skmodel file (no code inside). Without --data the "
        "multi-source corpus is used when SKMETALPKA_DATA_HOME holds it, else the embedded MINTEQ "
        "data.",
    )
    p.add_argument(
        "--data",
        metavar="PATH",
        help="training data: corpus (every public source: NIST-46, LOGKPREDICT NIST and IUPAC, "
        "MINTEQ; needs SKMETALPKA_DATA_HOME), minteq (embedded), a folder holding the NIST table, or "
        "a CSV in the NIST layout (metal_ion, SMILES, pKa_value, predicted_positions) or the simple "
        "layout (metal, smiles, log_beta_1..log_beta_N[, temperature, ionic_strength]); default: "
        "the corpus when its files are found, else minteq",
    )
    p.add_argument(
        "--model", choices=MODEL_NAMES, default="gnn", help="model to train (default gnn)"
    )
    p.add_argument("--params", metavar="JSON", help="JSON file (or JSON text) of model parameters")
    p.add_argument(
        "--pretrain-proton",
        metavar="PATH",
        help="also learn from protonation constants (gnn only): nist46_proton.csv, its folder, "
        "or a simple-layout table of H+ rows; the model then predicts H+ rows too",
    )
    p.add_argument(
        "--proton-mode",
        choices=("pretrain", "joint"),
        default="pretrain",
        help="pretrain on the protons then fine-tune on the metals, or train on both at once "
        "(default pretrain)",
    )
    p.add_argument(
        "--proton-weight",
        type=float,
        default=0.5,
        help="loss weight of a proton row with --proton-mode joint (default 0.5)",
    )
    p.add_argument(
        "--out",
        metavar="FILE",
        default=DEFAULT_MODEL_FILE,
        help=f"where to save the model (default {DEFAULT_MODEL_FILE}; a zip of JSON and "
        "safetensors that holds no code, docs/guide/model_files.md)",
    )


def run(args: argparse.Namespace) -> int:
    """Run ``skmetalpka fit`` with parsed ``args``; returns the exit status."""
    from ..datasets.files import load_training_data
    from ..inference import estimator_n_steps
    from ..persistence import fingerprint_data, save_model

    params = model_params(args.params, [args.model])[args.model]
    if args.model == "gnn" and not args.quiet:
        params = {"progress": True, **params}  # epoch bar on stderr
    est = build(args.model, params, args.seed)
    fit_params: dict[str, Any] = {}
    if args.pretrain_proton is not None:
        from ..datasets.files import load_proton_data
        from ..pipelines.registry import with_protons

        if args.model != "gnn":
            raise UsageError("--pretrain-proton needs --model gnn")
        Xp, yp, proton_report = load_proton_data(args.pretrain_proton)
        if not args.quiet:
            print(proton_report)
        est = with_protons(est, mode=args.proton_mode, proton_weight=args.proton_weight)
        fit_params = {"proton_X": Xp, "proton_y": yp}
    X, y, report = load_training_data(args.data)
    if not args.quiet:
        print(report)
    note(args, f"training {args.model} on {len(X)} samples (N = {y.shape[1]}) ...")
    est.fit(X, y, **fit_params)
    from ..inference import training_metals
    from ..ions import canonical_or_none

    metals = set(training_metals(est) or [])
    metals |= {c for c in map(canonical_or_none, X["metal"].tolist()) if c}  # invalid: left out
    meta = save_model(
        est,
        args.out,
        trained_metals=metals,
        model=args.model,
        trained_on=report.source,
        n_steps=estimator_n_steps(est) or int(y.shape[1]),
        n_samples=len(X),
        params=params,
        seed=args.seed,
        data_fingerprint=fingerprint_data(X, y),
    )
    print(
        f"saved {args.model} model (trained on {len(X)} samples, N = {meta['n_steps']}) "
        f"to {args.out}"
    )
    return 0
