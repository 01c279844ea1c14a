"""What a loader read, kept, dropped and changed: :class:`DataReport`.

Every loader in :mod:`skmetalpka.datasets` builds one report and calls :meth:`DataReport.check`
before returning, so that no raw row is lost without a reason.

Counting unit
-------------
``n_read``, ``n_kept`` and ``dropped`` count **raw records** of the source (rows of a CSV file,
reactions of a thermodynamic database). ``n_read == n_kept + sum(dropped.values())`` always holds.
``n_samples`` is the number of rows of the returned ``X``; it differs from ``n_kept`` when several
raw records make one sample (for example one protonation step per raw row, one sample per ligand
and condition). ``modified`` counts changes applied to kept data; the unit of each key is given
by its name or explained in ``notes``. ``flagged`` lists kept raw records that look suspicious
(for example an upstream binding site on a carbon atom): they are returned, not dropped.

Bookkeeping
-----------
A loader records as it goes and lets the report do the accounting::

    report = DataReport(source=str(file), n_read=len(raw))
    for i, rec in enumerate(records):
        if bad(rec):
            report.drop(i, "invalid_smiles", "why")  # counted + kept for report.excluded
            continue
        report.modify("salt_stripped")  # a change to kept data
        report.flag(i, "binding_site_not_donor", "why")  # kept, but worth a look
    report.finish(raw, n_kept=..., n_samples=...)  # builds excluded/flagged, then check()
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

__all__ = ["DataReport", "excluded_frame", "pad_ragged"]


def _empty_excluded() -> pd.DataFrame:
    return pd.DataFrame({"reason": pd.Series(dtype=str), "detail": pd.Series(dtype=str)})


def _empty_flagged() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "row": pd.Series(dtype="int64"),
            "reason": pd.Series(dtype=str),
            "detail": pd.Series(dtype=str),
        }
    )


@dataclass
class DataReport:
    """Accounting of one data load.

    Attributes
    ----------
    source : str
        Where the data came from (file path or database name).
    n_read : int
        Raw records read from the source.
    n_kept : int
        Raw records that contributed to the returned data.
    dropped : dict of str to int
        Raw records left out, by reason.
    modified : dict of str to int
        Changes made to kept data, by reason (for example ``salt_stripped``).
    excluded : pandas.DataFrame
        The dropped raw records, with their original columns plus ``reason`` and ``detail``
        (and, where the source has row numbers, ``row``: 0-based data row of the file), so they
        can be inspected or recovered.
    notes : list of str
        Free-text remarks (units of counts, conventions applied).
    n_samples : int or None
        Rows of the returned ``X`` (``None`` when not set).
    flagged : pandas.DataFrame
        Kept raw records that look suspicious, with ``row`` (0-based data row or record
        position), ``reason`` and ``detail``; one raw record may be flagged for several reasons.
    """

    source: str
    n_read: int = 0
    n_kept: int = 0
    dropped: dict[str, int] = field(default_factory=dict)
    modified: dict[str, int] = field(default_factory=dict)
    excluded: pd.DataFrame = field(default_factory=_empty_excluded)
    notes: list[str] = field(default_factory=list)
    n_samples: int | None = None
    flagged: pd.DataFrame = field(default_factory=_empty_flagged)
    _drops: list = field(default_factory=list, repr=False, compare=False)
    _flags: list = field(default_factory=list, repr=False, compare=False)

    # ------------------------------------------------------------------ recording
    def drop(self, row: int, reason: str, detail: str = "") -> None:
        """Record that raw record ``row`` (0-based position) is left out, and why."""
        self.dropped[reason] = self.dropped.get(reason, 0) + 1
        self._drops.append((int(row), str(reason), str(detail)))

    def modify(self, reason: str, n: int = 1) -> None:
        """Count ``n`` changes of kind ``reason`` to kept data (a no-op for ``n == 0``)."""
        if n:
            self.modified[reason] = self.modified.get(reason, 0) + int(n)

    def flag(self, row: int, reason: str, detail: str = "") -> None:
        """Record that kept raw record ``row`` looks suspicious (it stays in the data)."""
        self._flags.append((int(row), str(reason), str(detail)))

    def finish(
        self,
        raw: pd.DataFrame | None = None,
        *,
        n_kept: int,
        n_samples: int,
        excluded: pd.DataFrame | None = None,
    ) -> DataReport:
        """Close the books at the end of a load: set the counts, build ``excluded`` and
        ``flagged`` from what :meth:`drop` and :meth:`flag` recorded, then :meth:`check`.

        Parameters
        ----------
        raw : pandas.DataFrame, optional
            The raw table; the rows of the dropped records are copied into ``excluded``
            (sorted by position). Not needed when ``excluded`` is given.
        n_kept, n_samples : int
            Raw records kept and rows of the returned ``X``.
        excluded : pandas.DataFrame, optional
            A ready-made ``excluded`` table (for sources that are not a table, such as a
            database of reactions); its ``reason`` column must match what was recorded.

        Returns
        -------
        DataReport
            ``self``.
        """
        self.n_kept = int(n_kept)
        self.n_samples = int(n_samples)
        if excluded is not None:
            self.excluded = excluded.reset_index(drop=True)
        elif raw is not None:
            self.excluded = excluded_frame(raw, sorted(self._drops))
        elif self._drops:
            self.excluded = pd.DataFrame(sorted(self._drops), columns=["row", "reason", "detail"])
        if self._flags:
            self.flagged = pd.DataFrame(sorted(self._flags), columns=["row", "reason", "detail"])
        return self.check()

    @property
    def n_dropped(self) -> int:
        """Total number of dropped raw records."""
        return int(sum(self.dropped.values()))

    def settle(
        self,
        *,
        n_kept: int,
        n_samples: int,
        dropped: Any,
        modified: Any,
        raw: pd.DataFrame,
        excluded: list,
    ) -> DataReport:
        """Fill the counts and the excluded rows at the end of a load; return ``self``.

        ``excluded`` holds ``(row position, reason, detail)`` tuples (see
        :func:`excluded_frame`).
        """
        self.n_kept = int(n_kept)
        self.n_samples = int(n_samples)
        self.dropped = dict(dropped)
        self.modified = dict(modified)
        self.excluded = excluded_frame(raw, excluded)
        if self._flags:
            self.flagged = pd.DataFrame(sorted(self._flags), columns=["row", "reason", "detail"])
        return self

    def check(self) -> DataReport:
        """Verify the accounting; return ``self``.

        Raises
        ------
        ValueError
            If ``n_read != n_kept + sum(dropped.values())``, if a count is negative, or if
            ``excluded`` does not hold exactly one row per dropped record.
        """
        bad = {k: v for k, v in {**self.dropped, **self.modified}.items() if v < 0}
        if bad or self.n_read < 0 or self.n_kept < 0:
            raise ValueError(f"DataReport for {self.source!r} has negative counts: {bad}")
        if self.n_read != self.n_kept + self.n_dropped:
            raise ValueError(
                f"DataReport for {self.source!r} does not add up: read {self.n_read} records but "
                f"kept {self.n_kept} + dropped {self.n_dropped} ({self.dropped}); a record was "
                "lost or counted twice (this is a bug in the loader)"
            )
        if len(self.excluded) != self.n_dropped:
            raise ValueError(
                f"DataReport for {self.source!r}: excluded holds {len(self.excluded)} rows but "
                f"{self.n_dropped} records were dropped (this is a bug in the loader)"
            )
        return self

    def to_dict(self) -> dict[str, Any]:
        """JSON-serialisable summary (``excluded`` as a list of records, NaN as ``None``)."""
        excluded = json.loads(self.excluded.to_json(orient="records", force_ascii=False))
        return {
            "source": str(self.source),
            "n_read": int(self.n_read),
            "n_kept": int(self.n_kept),
            "n_dropped": self.n_dropped,
            "n_samples": None if self.n_samples is None else int(self.n_samples),
            "dropped": {str(k): int(v) for k, v in self.dropped.items()},
            "modified": {str(k): int(v) for k, v in self.modified.items()},
            "notes": [str(n) for n in self.notes],
            "excluded": excluded,
            "flagged": json.loads(self.flagged.to_json(orient="records", force_ascii=False)),
        }

    def __str__(self) -> str:
        lines = [f"Data report: {self.source}"]
        lines.append(f"  read {self.n_read}, kept {self.n_kept}, dropped {self.n_dropped}")
        if self.n_samples is not None:
            lines.append(f"  samples returned: {self.n_samples}")
        if self.dropped:
            lines.append("  dropped by reason:")
            lines += [f"    {k}: {v}" for k, v in sorted(self.dropped.items())]
        if self.modified:
            lines.append("  modified:")
            lines += [f"    {k}: {v}" for k, v in sorted(self.modified.items())]
        if self.notes:
            lines.append("  notes:")
            lines += [f"    - {n}" for n in self.notes]
        if len(self.flagged):
            lines.append("  flagged (kept):")
            counts = self.flagged["reason"].value_counts().sort_index()
            lines += [f"    {k}: {int(v)}" for k, v in counts.items()]
        if self.n_dropped:
            lines.append("  (the dropped records are in report.excluded)")
        return "\n".join(lines)


def pad_ragged(rows: list) -> np.ndarray:
    """Stack value lists of different lengths into a float64 array, NaN-padded on the right."""
    width = max((len(r) for r in rows), default=0)
    y = np.full((len(rows), width), np.nan, dtype=np.float64)
    for r, vals in enumerate(rows):
        y[r, : len(vals)] = vals
    return y


def excluded_frame(raw: pd.DataFrame, excluded: list) -> pd.DataFrame:
    """Raw rows that a loader dropped, with ``row`` (position), ``reason`` and ``detail``.

    ``excluded`` holds ``(row position, reason, detail)`` tuples.
    """
    rows = [e[0] for e in excluded]
    out = raw.iloc[rows].copy()
    out.insert(0, "row", rows)
    out["reason"] = [e[1] for e in excluded]
    out["detail"] = [e[2] for e in excluded]
    return out.reset_index(drop=True)
