"""``skmetalpka screen``: a ligand library x metals on a Dask cluster (local or remote)."""

from __future__ import annotations

import argparse
import os
import sys
from typing import Any

from ._common import UsageError, add_model_arguments, fmt_table, note


def add_parser(sub: Any, parents: dict[str, argparse.ArgumentParser]) -> None:
    """Add the ``screen`` sub-command to ``sub`` (an ``add_subparsers`` object)."""
    p = sub.add_parser(
        "screen",
        parents=[parents["common"]],
        help="score every ligand of a library with every metal, on a Dask cluster",
        description="Predict log beta for the cross product ligand x metal of a ligand table "
        "(CSV or Parquet with a smiles column, optionally id or name) on a local Dask cluster "
        "or a running one. Results go to DIR/pairs/ as Parquet partitions, each committed "
        "atomically; running the same command again resumes an interrupted screen.",
    )
    p.add_argument(
        "--ligands", required=True, metavar="FILE", help="CSV or Parquet table of ligands"
    )
    metals = p.add_mutually_exclusive_group(required=True)
    metals.add_argument("--metals", metavar="M1,M2,..", help="comma-separated metal ions")
    metals.add_argument(
        "--metals-file", metavar="FILE", help="metal ions, one per line or comma-separated"
    )
    p.add_argument("--out", required=True, metavar="DIR", help="output folder")
    where = p.add_mutually_exclusive_group()
    where.add_argument(
        "--scheduler",
        metavar="ADDRESS",
        help="address of a running Dask scheduler, e.g. tcp://host:8786 (DIR must be on a file "
        "system every worker sees)",
    )
    where.add_argument(
        "--workers",
        type=int,
        metavar="N",
        help="local worker processes, one thread each (default: the CPU cores)",
    )
    add_model_arguments(p)
    p.add_argument(
        "--ph",
        type=float,
        metavar="PH",
        help="add log alpha_L(H), log alpha_M(OH) and the conditional constants at this pH "
        "(the model must know H+)",
    )
    p.add_argument(
        "--no-hydrolysis",
        action="store_true",
        help="leave metal hydrolysis out of the conditional constants (log alpha_M(OH) = 0)",
    )
    p.add_argument("--csv", action="store_true", help="also write DIR/pairs.csv")
    p.add_argument(
        "--top-k",
        type=int,
        metavar="K",
        help="write DIR/top_k.csv: the K best ligands per metal (by the conditional log "
        "beta_1 with --ph, else log beta_1)",
    )
    p.add_argument(
        "--selectivity",
        metavar="A,B",
        help="write DIR/selectivity_A_over_B.csv: the ligands with the largest log beta_1(A) "
        "- log beta_1(B) (--top-k of them, default 20)",
    )
    p.add_argument(
        "--partition-size",
        type=int,
        default=None,
        metavar="N",
        help="ligands per task and result file (default 500; a started screen keeps its own)",
    )


def run(args: argparse.Namespace) -> int:
    """Run ``skmetalpka screen`` with parsed ``args``; returns the exit status."""
    from ..scale import read_metals_file, screen

    if args.workers is not None and args.workers < 1:
        raise UsageError(f"--workers must be at least 1, got {args.workers}")
    if args.partition_size is not None and args.partition_size < 1:
        raise UsageError(f"--partition-size must be at least 1, got {args.partition_size}")
    if args.top_k is not None and args.top_k < 1:
        raise UsageError(f"--top-k must be at least 1, got {args.top_k}")
    if args.ph is not None and not 0 <= args.ph <= 14:
        raise UsageError(f"--ph must be between 0 and 14, got {args.ph}")
    pair = None
    if args.selectivity is not None:
        pair = tuple(m.strip() for m in args.selectivity.split(",") if m.strip())
        if len(pair) != 2:
            raise UsageError(f"--selectivity needs two metals A,B, got {args.selectivity!r}")
    metals = read_metals_file(args.metals_file) if args.metals_file else args.metals
    show_bar = not args.quiet and sys.stdout.isatty()
    where = args.scheduler or (
        f"a local cluster of {args.workers or os.cpu_count() or 1} worker processes"
    )
    note(args, f"screening {args.ligands} on {where}; results in {args.out}")
    result = screen(
        args.ligands,
        metals,
        args.out,
        model=args.model,
        trust_pickle=args.trust_pickle,
        ph=args.ph,
        hydrolysis=not args.no_hydrolysis,
        scheduler=args.scheduler,
        n_workers=args.workers,
        partition_size=args.partition_size,
        csv=args.csv,
        top_k=args.top_k,
        selectivity=pair,  # type: ignore[arg-type]
        progress=show_bar,
    )
    for w in result.model_warnings:
        print(f"skmetalpka: warning: {w}", file=sys.stderr)
    d = result.to_dict()
    rate = f", {d['pairs_per_second']:.1f} pairs/s" if d["pairs_per_second"] else ""
    print(
        f"{result.n_pairs} pairs ({result.n_ligands} ligands x {result.n_metals} metals) in "
        f"{result.n_partitions} partitions: {result.n_computed} computed, {result.n_skipped} "
        f"already done{rate}; {result.n_errors} rows with an error, {result.n_warnings} with "
        "a warning"
    )
    for name, path in result.files.items():
        print(f"{name}: {path}")
    if result.top_k is not None:
        print(f"\nbest {args.top_k} ligands per metal:")
        print(fmt_table(result.top_k.set_index("metal")))
    if result.selectivity is not None:
        print(f"\nselectivity {pair[0]} over {pair[1]}:")  # type: ignore[index]
        print(fmt_table(result.selectivity.set_index("rank")))
    return 0
