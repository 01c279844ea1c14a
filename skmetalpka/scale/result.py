"""What a screen produced: counts, timings, the CSV export and the summary files.

:class:`ScreenResult` is returned by :func:`skmetalpka.scale.screen`; :func:`finish_screen`
reads the committed partitions once more, one at a time, to count errors and warnings and to
write ``DIR/pairs.csv``, ``DIR/top_k.csv`` and ``DIR/selectivity_<A>_over_<B>.csv`` when asked.
"""

from __future__ import annotations

from collections.abc import Sequence
from contextlib import nullcontext
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from .._files import atomic_open
from .store import iter_pairs
from .summary import selectivity as selectivity_table
from .summary import top_ligands

__all__ = ["DEFAULT_SELECTIVITY_ROWS", "ScreenResult", "finish_screen"]

#: Rows of a selectivity summary when ``top_k`` is not given.
DEFAULT_SELECTIVITY_ROWS = 20


@dataclass
class ScreenResult:
    """What :func:`screen` did.

    Attributes
    ----------
    out_dir : pathlib.Path
    n_ligands, n_metals, n_pairs : int
        Input ligands (rows of the table), metals, and output rows (their product).
    n_partitions : int
    n_computed, n_skipped : int
        Partitions computed by this call, and found complete from an earlier run.
    n_errors, n_warnings : int
        Output rows with an ``error`` / a ``warning``.
    seconds : float
        Wall time of the call.
    compute_seconds : float
        Wall time of the Dask part (from registering the model to the last partition).
    tasks : list of dict
        Per computed partition, in partition order: the statistics returned by
        :func:`~skmetalpka.scale.score_partition` (``n_pairs``, ``seconds``, ``started``,
        ``finished``, ``worker``, ``pid``, ``max_rss_mib`` ...).
    files : dict of str -> pathlib.Path
        ``pairs`` (the Parquet folder) and, when written, ``csv``, ``top_k``,
        ``selectivity``.
    top_k, selectivity : pandas.DataFrame or None
        The summaries, when asked.
    model_warnings : list of str
        Warnings raised while loading the model (e.g. saved with other versions).
    """

    out_dir: Path
    n_ligands: int
    n_metals: int
    n_pairs: int
    n_partitions: int
    n_computed: int
    n_skipped: int
    n_errors: int
    n_warnings: int
    seconds: float
    compute_seconds: float
    tasks: list[dict[str, Any]] = field(default_factory=list)
    files: dict[str, Path] = field(default_factory=dict)
    top_k: pd.DataFrame | None = None
    selectivity: pd.DataFrame | None = None
    model_warnings: list[str] = field(default_factory=list)

    @property
    def pairs_computed(self) -> int:
        """Pairs scored by this call (the skipped partitions not counted)."""
        return int(sum(t["n_pairs"] for t in self.tasks))

    @property
    def pairs_per_second(self) -> float:
        """Pairs scored by this call per second of :attr:`compute_seconds` (NaN if none)."""
        if not self.tasks or self.compute_seconds <= 0:
            return float("nan")
        return self.pairs_computed / self.compute_seconds

    def read(self, columns: Sequence[str] | None = None) -> pd.DataFrame:
        """All pairs as one table (mind the memory for a large screen; see :func:`iter_pairs`)."""
        parts = list(iter_pairs(self.out_dir, columns=columns, n_partitions=self.n_partitions))
        return pd.concat(parts, ignore_index=True)

    def to_dict(self) -> dict[str, Any]:
        """JSON-serialisable summary (no tables)."""
        return {
            "out_dir": str(self.out_dir),
            "n_ligands": self.n_ligands,
            "n_metals": self.n_metals,
            "n_pairs": self.n_pairs,
            "n_partitions": self.n_partitions,
            "n_computed": self.n_computed,
            "n_skipped": self.n_skipped,
            "n_errors": self.n_errors,
            "n_warnings": self.n_warnings,
            "seconds": round(self.seconds, 3),
            "compute_seconds": round(self.compute_seconds, 3),
            "pairs_computed": self.pairs_computed,
            "pairs_per_second": round(self.pairs_per_second, 2) if self.tasks else None,
            "files": {k: str(v) for k, v in self.files.items()},
            "model_warnings": list(self.model_warnings),
        }


def finish_screen(
    result: ScreenResult, *, csv: bool, top_k: int | None, pair: list[str] | None
) -> None:
    """Count errors and warnings, write the CSV and the summaries (one partition at a time)."""
    out = result.out_dir
    n_err = n_warn = 0
    cols = None if csv else ["error", "warning"]
    parts = iter_pairs(out, columns=cols, n_partitions=result.n_partitions)
    with atomic_open(out / "pairs.csv", "w", newline="") if csv else nullcontext() as fh:
        for i, part in enumerate(parts):
            n_err += int((part["error"] != "").sum())
            n_warn += int((part["warning"] != "").sum())
            if fh is not None:
                part.to_csv(fh, index=False, header=(i == 0), na_rep="", lineterminator="\n")
    if csv:
        result.files["csv"] = out / "pairs.csv"
    result.n_errors, result.n_warnings = n_err, n_warn
    if top_k is not None:
        result.top_k = top_ligands(iter_pairs(out, n_partitions=result.n_partitions), top_k)
        result.files["top_k"] = out / "top_k.csv"
        _write_csv(result.top_k, result.files["top_k"])
    if pair is not None:
        k = top_k or DEFAULT_SELECTIVITY_ROWS
        result.selectivity = selectivity_table(
            iter_pairs(out, n_partitions=result.n_partitions), pair[0], pair[1], k
        )
        path = out / f"selectivity_{pair[0]}_over_{pair[1]}.csv"
        result.files["selectivity"] = path
        _write_csv(result.selectivity, path)


def _write_csv(table: pd.DataFrame, path: Path) -> None:
    with atomic_open(path, "w", newline="") as fh:
        table.to_csv(fh, index=False, na_rep="", lineterminator="\n")
