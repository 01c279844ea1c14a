"""``skmetalpka speciate``: species fractions versus pH from predicted or given constants."""

from __future__ import annotations

import argparse
import json
import sys
import warnings
from typing import Any

from .._files import atomic_open, write_text
from ._common import (
    UsageError,
    add_model_arguments,
    floats,
    load_any_model,
    ph_grid,
)


def add_parser(sub: Any, parents: dict[str, argparse.ArgumentParser]) -> None:
    """Add the ``speciate`` sub-command to ``sub`` (an ``add_subparsers`` object)."""
    p = sub.add_parser(
        "speciate",
        parents=[parents["common"]],
        help="species fractions versus pH (PHREEQC) from predicted or given constants",
        description="Fraction of free metal, of each ML_n, of the metal's hydroxo complexes and "
        "of its precipitated hydroxide (and of the protonated ligand forms) versus pH, solved "
        "with PHREEQC. Constants are predicted by the model unless given with --log-beta / "
        "--protonation; the metal's hydrolysis constants and hydroxide phases come from a "
        "PHREEQC database (minteq.v4, then llnl, then Thermoddem; the one used is printed and "
        "written to constants.json). Writes speciation.csv, speciation.png and constants.json "
        "into --out.",
    )
    p.add_argument("--smiles", required=True, metavar="S", help="ligand SMILES")
    p.add_argument("--metal", required=True, metavar="M", help="metal ion such as Cu2+")
    add_model_arguments(p)
    p.add_argument(
        "--log-beta",
        metavar="B1,B2,..",
        help="cumulative log beta_1..n to use instead of predictions",
    )
    p.add_argument(
        "--protonation",
        metavar="H1,H2,..",
        help="cumulative protonation log beta^H_1..m to use instead of predictions",
    )
    p.add_argument("--steps", type=int, metavar="N", help="complexes ML_1..ML_N (default: rule)")
    p.add_argument(
        "--ligand-charge",
        type=int,
        default=0,
        help="charge of the fully deprotonated ligand (only used with --activity davies)",
    )
    p.add_argument("--ph", default="2:12", metavar="LO:HI[:STEP]", help="pH grid (2:12:0.1)")
    p.add_argument("--metal-conc", type=float, default=1e-3, help="total metal, mol/L (1e-3)")
    p.add_argument("--ligand-conc", type=float, default=3e-3, help="total ligand, mol/L (3e-3)")
    p.add_argument(
        "--activity", choices=("ideal", "davies"), default="ideal", help="activity model (ideal)"
    )
    p.add_argument(
        "--ionic-strength", type=float, help="background electrolyte, mol/kgw (davies only)"
    )
    p.add_argument(
        "--engine", choices=("phreeqc", "numpy"), default="phreeqc", help="solver (phreeqc)"
    )
    p.add_argument(
        "--hydrolysis",
        choices=("all", "mononuclear", "none"),
        default="all",
        help="metal hydroxo complexes: every one of the database, mononuclear only, or none "
        "(none: also no precipitation; the results of versions before 0.2) (all)",
    )
    p.add_argument(
        "--hydrolysis-database",
        metavar="DB1,DB2,..",
        help="PHREEQC database(s) searched in turn for the metal's hydrolysis: names shipped "
        "with phreeqc or files (minteq.v4.dat,llnl.dat,PHREEQC_ThermoddemV1.10_15Dec2020.dat)",
    )
    p.add_argument(
        "--precipitation",
        default="hydroxide",
        metavar="hydroxide|all|none|PHASE1,..",
        help="solids that may precipitate: the metal hydroxide that forms first (hydroxide), "
        "every hydroxide/oxide phase of the database (all), none, or these phase names",
    )
    p.add_argument("--out", required=True, metavar="DIR", help="output folder")


def run(args: argparse.Namespace) -> int:
    """Run ``skmetalpka speciate`` with parsed ``args``; returns the exit status."""
    from pathlib import Path

    from ..exceptions import InputError
    from ..plots import save_figure
    from ..screening import predict_constants
    from ..speciation import HydrolysisWarning, plot_speciation, speciate

    ph = ph_grid(args.ph)
    log_beta = floats(args.log_beta, "--log-beta")
    protonation = floats(args.protonation, "--protonation")
    source = "given"
    notes: list[str] = []
    beta_std: list[float] = []
    prot_std: list[float] = []
    if log_beta is None or protonation is None:
        est, meta, where = load_any_model(args.model, trust_pickle=args.trust_pickle)
        pc = predict_constants(
            est,
            args.smiles,
            args.metal,
            n_steps=args.steps,
            protonation=protonation,
            trained_metals=meta.get("trained_metals"),
        )
        notes = pc.notes
        source = f"model {where}"
        if log_beta is None:
            log_beta = pc.log_beta.tolist()
            beta_std = pc.log_beta_std.tolist()
        if protonation is None:
            protonation = pc.protonation.tolist()
            prot_std = pc.protonation_std.tolist()
    elif args.steps is not None:
        log_beta = log_beta[: args.steps]
    hydrolysis = {"all": True, "mononuclear": "mononuclear", "none": False}[args.hydrolysis]
    chain = None
    if args.hydrolysis_database:
        chain = [d.strip() for d in args.hydrolysis_database.split(",") if d.strip()]
    precipitation: Any = args.precipitation
    if precipitation not in ("hydroxide", "all", "none"):
        precipitation = [ph_.strip() for ph_ in precipitation.split(",") if ph_.strip()]
    try:
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always", HydrolysisWarning)
            frame = speciate(
                log_beta,
                args.metal,
                protonation=protonation or (),
                ligand_charge=args.ligand_charge,
                ph=ph,
                metal_conc=args.metal_conc,
                ligand_conc=args.ligand_conc,
                activity=args.activity,
                ionic_strength=args.ionic_strength,
                engine=args.engine,
                hydrolysis=hydrolysis,
                hydrolysis_database=chain,
                precipitation=precipitation,
            )
    except ValueError as exc:
        raise UsageError(str(exc)) from exc
    for w in caught:
        print(f"skmetalpka: warning: {w.message}", file=sys.stderr)
    folder = Path(args.out).expanduser()
    constants = {
        "smiles": args.smiles,
        "metal": args.metal,
        "log_beta": log_beta,
        "log_beta_std": beta_std,
        "protonation": protonation,
        "protonation_std": prot_std,
        "source": source,
        "notes": notes,
        "engine": args.engine,
        "activity": args.activity,
        "metal_conc": args.metal_conc,
        "ligand_conc": args.ligand_conc,
        "hydrolysis": args.hydrolysis,
        "hydrolysis_source": frame.attrs["hydrolysis_source"],
        "hydrolysis_species": frame.attrs["hydrolysis_species"],
        "precipitation": frame.attrs["precipitation"],
        "hydrolysis_note": frame.attrs["hydrolysis_note"],
    }
    try:
        with atomic_open(folder / "speciation.csv", "w", newline="") as fh:
            frame.to_csv(fh, index=False, lineterminator="\n")
        write_text(folder / "constants.json", json.dumps(constants, indent=2, default=float) + "\n")
        fig = plot_speciation(frame, title=f"{args.metal} + {args.smiles}")
        save_figure(fig, folder / "speciation.png")
    except OSError as exc:
        raise InputError(f"could not write into {str(folder)!r}: {exc}") from exc
    fmt = ", ".join(f"{v:.2f}" for v in log_beta)
    print(f"log beta ({source}): {fmt}")
    if protonation:
        print("protonation log beta^H: " + ", ".join(f"{v:.2f}" for v in protonation))
    for note in notes:
        print(f"  note: {note}")
    print(f"metal hydrolysis: {_hydrolysis_line(frame.attrs)}")
    metal_cols = [c for c in frame.columns if c.startswith("M:")]
    top = frame[metal_cols].to_numpy().argmax(axis=1)
    dominant = [metal_cols[i][2:] for i in top]
    changes = [
        f"pH {frame['pH'].iloc[i]:.1f}: {dominant[i]}"
        for i in range(len(dominant))
        if i == 0 or dominant[i] != dominant[i - 1]
    ]
    print("dominant metal species: " + "; ".join(changes))
    print(f"wrote {folder / 'speciation.csv'}, {folder / 'speciation.png'}, constants.json")
    return 0


def _hydrolysis_line(attrs: dict[str, Any]) -> str:
    """One line saying where the metal's hydrolysis came from (or that it is not modelled)."""
    source = attrs.get("hydrolysis_source")
    if not source:
        return attrs.get("hydrolysis_note", "not modelled")
    species = attrs.get("hydrolysis_species") or []
    phases = ", ".join(attrs.get("precipitation") or []) or "none"
    return (
        f"{len(species)} hydroxo complex(es) from {source} "
        f"({', '.join(species) or 'none'}); may precipitate: {phases}"
    )
