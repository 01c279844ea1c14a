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
        "conditional constant at a pH, log beta_1' = log beta_1 - log alpha_L(H) - "
        "log alpha_M(OH), from the predicted protonation constants and the metal's "
        "mononuclear hydrolysis constants (PHREEQC databases minteq.v4, then llnl, then "
        "Thermoddem; column hydrolysis_source); best first.",
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
    p.add_argument(
        "--no-hydrolysis",
        action="store_true",
        help="leave metal hydrolysis out of the conditional constant (log alpha_M(OH) = 0)",
    )
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
    hydrolysis = not args.no_hydrolysis
    if by_metals:
        metals = [m.strip() for m in args.metals.split(",") if m.strip()]
        if not metals:
            raise UsageError("--metals is empty")
        table = rank_metals(
            est, args.smiles, metals, ph=args.ph, trained_metals=known, hydrolysis=hydrolysis
        )
    else:
        table = rank_ligands(
            est, read_smiles_list(args.smiles_file), args.metal, ph=args.ph,
            trained_metals=known, hydrolysis=hydrolysis,
        )  # fmt: skip
    if args.output:
        write_predictions(table, args.output)
    show = table.copy()
    show.index = range(1, len(show) + 1)
    print(fmt_table(show))
    if known is not None and "H+" not in known:
        note(args, "the model knows no protonation constants: no conditional constants")
    if hydrolysis:
        valid = table[table["error"] == ""]
        sources = sorted({str(s) for s in valid["hydrolysis_source"] if s})
        lacking = sorted(set(valid.loc[valid["hydrolysis_source"].isna(), "metal"]))
        line = f"metal hydrolysis (log alpha_M(OH)) from {', '.join(sources) or 'no database'}"
        if lacking:
            line += f"; no hydrolysis data for {', '.join(lacking)} (alpha_M(OH) = 1)"
        note(args, line)
    return 0
