"""The ``skmetalpka`` command: a thin shell over the library.

Subcommands (``skmetalpka <command> --help`` for details):

``fit``
    Train a model (:func:`skmetalpka.selection.build_model`) on the multi-source corpus, the embedded MINTEQ data or a
    CSV file (:func:`skmetalpka.datasets.load_training_data`) and save it
    (:func:`skmetalpka.persistence.save_model`).
``predict``
    Predict log beta for a CSV of (metal, smiles) or one ligand; one output row per input row,
    in order, with an ``error`` column (:func:`skmetalpka.inference.predict_frame`).
``evaluate``
    Masked metrics of a saved model on a data set (:func:`skmetalpka.selection.evaluate_model`).
``cv``
    Grouped cross-validation of one or all models on the same folds
    (:func:`skmetalpka.selection.grouped_cv`).
``rank``
    Rank metals for one ligand or ligands for one metal (:mod:`skmetalpka.screening`).
``speciate``
    Species fractions versus pH (:mod:`skmetalpka.speciation`).
``screen``
    Every ligand of a library with every metal on a Dask cluster, resumable
    (:func:`skmetalpka.scale.screen`).
``tune``
    Optuna search of the GNN pipeline with a grouped-CV objective and pruning, on a local
    SQLite file or a shared database (:func:`skmetalpka.tuning.tune`).

Exit status: 0 on success; 2 for unusable arguments or files (message on stderr, no
traceback); 1 when the library refuses the data or a model fails (message on stderr).
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from . import cv, evaluate, fit, predict, rank, screen, speciate, tune
from ._common import UsageError, parent_parsers

__all__ = ["main", "build_parser", "COMMANDS"]

#: Command name -> module with ``add_parser(sub, parents)`` and ``run(args)``.
COMMANDS = {
    "fit": fit,
    "predict": predict,
    "evaluate": evaluate,
    "cv": cv,
    "rank": rank,
    "speciate": speciate,
    "screen": screen,
    "tune": tune,
}


class _VersionAction(argparse.Action):
    """``--version``: skmetalpka and the libraries that decide a model's behaviour."""

    def __init__(self, option_strings: Sequence[str], dest: str = argparse.SUPPRESS, **kwargs):
        super().__init__(option_strings, dest, nargs=0, default=argparse.SUPPRESS, **kwargs)

    def __call__(self, parser, namespace, values, option_string=None):
        print(version_text())
        parser.exit()


def version_text() -> str:
    """One line: ``skmetalpka X (torch A, scikit-learn B, RDKit C, ..., Python D)``."""
    import platform

    from .._version import versions

    found = versions()
    own = found.pop("skmetalpka")
    parts = [f"{name} {v if v is not None else 'not installed'}" for name, v in found.items()]
    return f"skmetalpka {own} ({', '.join(parts)}, Python {platform.python_version()})"


def build_parser() -> argparse.ArgumentParser:
    """The argument parser of the ``skmetalpka`` command."""
    parents = parent_parsers()
    parser = argparse.ArgumentParser(
        prog="skmetalpka",
        description="Predict metal-ligand stability constants (cumulative log beta_1..N) from "
        "a ligand SMILES and a metal ion.",
    )
    parser.add_argument(
        "--version",
        action=_VersionAction,
        help="print the versions of skmetalpka, torch, scikit-learn and RDKit, and exit",
    )
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    sub.required = True
    for module in COMMANDS.values():
        module.add_parser(sub, parents)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the ``skmetalpka`` command.

    Parameters
    ----------
    argv : sequence of str, optional
        Arguments without the program name (default ``sys.argv[1:]``).

    Returns
    -------
    int
        Exit status: 0 success, 1 refused data or failed model, 2 unusable arguments or files.
    """
    parser = build_parser()
    try:
        args = parser.parse_args(list(argv) if argv is not None else None)
    except SystemExit as exc:  # --help (0) or a usage error (2, message already printed)
        return exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 2)

    from ..exceptions import InputError

    prog = f"skmetalpka {args.command}"
    try:
        return COMMANDS[args.command].run(args)
    except (UsageError, InputError) as exc:
        print(f"{prog}: error: {exc}", file=sys.stderr)
        return 2
    except (ValueError, RuntimeError) as exc:
        print(f"{prog}: error: {exc}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print(f"{prog}: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:  # output piped into e.g. `head`, which closed early
        import os

        try:
            devnull = os.open(os.devnull, os.O_WRONLY)
            os.dup2(devnull, sys.stdout.fileno())
        except (OSError, ValueError):  # stdout without a file descriptor (captured)
            pass
        return 141


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
