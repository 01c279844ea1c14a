"""``skmetalpka rank``: rank metals for one ligand, or ligands for one metal."""

from __future__ import annotations

import argparse
from typing import Any

from ._common import (
    UsageError,
    add_model_arguments,
    fmt_table,
    load_any_model,
    note,
)


def add_parser(sub: Any, parents: dict[str, argparse.ArgumentParser]) -> None:
    """Add the ``rank`` sub-command to ``sub`` (an ``add_subparsers`` object)."""
    p = sub.add_parser(
        "rank",
        parents=[parents["common"]],
        help="rank metals for one ligand, or ligands for one metal",
        description="Predicted log beta_1 (with the ensemble's standard deviation) and the "
        "conditional constant at a pH, log beta_1' = log beta_1 - log alpha_L(H), from the "
        "predicted protonation constants; best first.",
    )
    add_model_arguments(p)
    p.add_argument("--smiles", metavar="S", help="one ligand (with --metals)")
    p.add_argument(
        "--metals", metavar="M1,M2,..", help="comma-separated metal ions (with --smiles)"
    )
    p.add_argument(
        "--smiles-file",
        metavar="FILE",
        help="ligands to rank for one --metal: a CSV with a smiles column, or one SMILES per line",
    )
    p.add_argument("--metal", metavar="M", help="the metal (with --smiles-file)")
    p.add_argument("--ph", type=float, default=7.0, help="pH of the conditional constant (7)")
    p.add_argument("--output", metavar="CSV", help="also write the table as CSV")


def run(args: argparse.Namespace) -> int:
    """Run ``skmetalpka rank`` with parsed ``args``; returns the exit status."""
    from ..screening import rank_ligands, rank_metals
    from ..tables import read_smiles_list, write_predictions

    by_metals = args.smiles is not None or args.metals is not None
    by_ligands = args.smiles_file is not None or args.metal is not None
    if by_metals == by_ligands:
        raise UsageError(
            "give --smiles S --metals M1,M2,.. (rank metals) or --smiles-file F --metal M "
            "(rank ligands)"
        )
    if by_metals and (args.smiles is None or args.metals is None):
        raise UsageError("--smiles and --metals go together")
    if by_ligands and (args.smiles_file is None or args.metal is None):
        raise UsageError("--smiles-file and --metal go together")
    if not 0 <= args.ph <= 14:
        raise UsageError(f"--ph must be between 0 and 14, got {args.ph}")
    est, meta, _ = load_any_model(args.model, trust_pickle=args.trust_pickle)
    known = meta.get("trained_metals")
    if by_metals:
        metals = [m.strip() for m in args.metals.split(",") if m.strip()]
        if not metals:
            raise UsageError("--metals is empty")
        table = rank_metals(est, args.smiles, metals, ph=args.ph, trained_metals=known)
    else:
        table = rank_ligands(
            est, read_smiles_list(args.smiles_file), args.metal, ph=args.ph, trained_metals=known
        )
    if args.output:
        write_predictions(table, args.output)
    show = table.copy()
    show.index = range(1, len(show) + 1)
    print(fmt_table(show))
    if known is not None and "H+" not in known:
        note(args, "the model knows no protonation constants: no conditional constants")
    return 0
