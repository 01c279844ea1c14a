"""What to screen: ligand tables (CSV or Parquet) and metal lists.

A ligand table has a ``smiles`` column (any case; ``SMILES`` of the NIST tables too) and
optionally an identifier column, the first of :data:`LIGAND_ID_COLUMNS` found (any case).
Other columns are ignored. Every data row is one ligand, kept even when its SMILES is empty
or invalid (the screen reports such rows with an ``error``) or repeats an earlier row: the
screen returns one output row per input row and metal, so that nothing is lost silently.
"""

from __future__ import annotations

import os
from collections.abc import Iterator, Sequence
from pathlib import Path

import pandas as pd

from ..exceptions import InputError
from ..tables import iter_csv

__all__ = [
    "LIGAND_ID_COLUMNS",
    "PARQUET_SUFFIXES",
    "iter_ligands",
    "parse_metals",
    "read_metals_file",
]

#: Names accepted for the ligand identifier column, in order of preference (any case).
LIGAND_ID_COLUMNS = ("id", "ligand_id", "name")
#: File name endings read as Parquet; anything else is read as CSV.
PARQUET_SUFFIXES = (".parquet", ".pq", ".parq")


def _is_parquet(path: Path) -> bool:
    return path.suffix.lower() in PARQUET_SUFFIXES


def _pick_columns(columns: Sequence[str], path: Path) -> tuple[str, str | None]:
    by_lower: dict[str, str] = {}
    for c in columns:
        by_lower.setdefault(str(c).strip().lower(), str(c))
    if "smiles" not in by_lower:
        raise InputError(
            f"ligand table {str(path)!r} has columns {list(columns)} but no 'smiles' column; "
            "name the column of ligand SMILES 'smiles'"
        )
    ident = next((by_lower[n] for n in LIGAND_ID_COLUMNS if n in by_lower), None)
    return by_lower["smiles"], ident


def _cells(values: pd.Series) -> list[str]:
    """Cells as stripped strings ('' for missing values)."""
    return [
        "" if v is None or (isinstance(v, float) and v != v) else str(v).strip() for v in values
    ]


def iter_ligands(
    path: str | os.PathLike[str], *, chunksize: int = 10_000
) -> Iterator[pd.DataFrame]:
    """Stream a ligand table in chunks of at most ``chunksize`` rows.

    Parameters
    ----------
    path : str or path-like
        CSV file, or Parquet file (name ending in one of :data:`PARQUET_SUFFIXES`).
    chunksize : int, default=10000
        Rows per chunk; memory use depends on it, not on the size of the file.

    Yields
    ------
    pandas.DataFrame
        Columns ``ligand_index`` (0-based data row of the file, int64), ``ligand_id`` (only
        when the file has an identifier column; strings) and ``smiles`` (strings, ``''`` when
        missing). An empty table yields nothing.

    Raises
    ------
    InputError
        Missing or unreadable file, no ``smiles`` column.
    """
    if isinstance(chunksize, bool) or not isinstance(chunksize, int) or chunksize < 1:
        raise ValueError(f"chunksize must be a positive integer, got {chunksize!r}")
    p = Path(path).expanduser()
    if not p.is_file():
        raise InputError(
            f"ligand table: no file at {str(p)!r}; give a CSV or Parquet file with a "
            "'smiles' column"
        )
    start = 0
    if _is_parquet(p):
        chunks = _iter_parquet(p, chunksize)
    else:
        chunks = iter_csv(p, chunksize=chunksize, what="ligand table")
    smiles_col: str | None = None
    id_col: str | None = None
    for raw in chunks:
        if smiles_col is None:
            smiles_col, id_col = _pick_columns(list(raw.columns), p)
        if not len(raw):
            continue
        out = pd.DataFrame({"ligand_index": pd.RangeIndex(start, start + len(raw), dtype="int64")})
        if id_col is not None:
            out["ligand_id"] = _cells(raw[id_col])
        out["smiles"] = _cells(raw[smiles_col])
        start += len(raw)
        yield out


def _iter_parquet(path: Path, chunksize: int) -> Iterator[pd.DataFrame]:
    import pyarrow as pa
    import pyarrow.parquet as pq

    try:
        pf = pq.ParquetFile(path)
        smiles_col, id_col = _pick_columns(pf.schema_arrow.names, path)
        columns = [smiles_col] + ([id_col] if id_col else [])
        yielded = False
        for batch in pf.iter_batches(batch_size=chunksize, columns=columns):
            yielded = True
            yield batch.to_pandas()
        if not yielded:
            yield pd.DataFrame(columns=columns)
    except (pa.ArrowException, OSError) as exc:
        raise InputError(
            f"ligand table {str(path)!r} is not a readable Parquet file: {exc}"
        ) from exc


def parse_metals(metals: str | Sequence[str]) -> list[str]:
    """Check a list of metal ions: every one parses and has descriptors, none is repeated.

    Parameters
    ----------
    metals : str or sequence of str
        ``"Cu2+,Ni2+"`` or ``["Cu2+", "Ni2+"]`` (any spelling of
        :func:`skmetalpka.ions.parse_ion`).

    Returns
    -------
    list of str
        The metals as given (stripped), in order.

    Raises
    ------
    InputError
        An empty list, an ion that cannot be parsed or described, or the same ion twice
        (``Cu2+`` and ``Cu(II)`` are the same ion).
    """
    from ..featurize.metals import metal_descriptors
    from ..ions import canonical_ion

    items = metals.split(",") if isinstance(metals, str) else list(metals)
    names = [str(m).strip() for m in items if str(m).strip()]
    if not names:
        raise InputError("no metal given; list metal ions such as Cu2+,Ni2+,Zn2+")
    seen: dict[str, str] = {}
    bad: list[str] = []
    for m in names:
        try:
            metal_descriptors(m)
            ion = canonical_ion(m)
        except ValueError as exc:  # UnknownMetalError says what is wrong with the spelling
            bad.append(str(exc))
            continue
        if ion in seen:
            raise InputError(
                f"metal {m!r} is given twice (as {seen[ion]!r} too); list each metal once"
            )
        seen[ion] = m
    if bad:
        raise InputError("unusable metal(s): " + "; ".join(bad))
    return names


def read_metals_file(path: str | os.PathLike[str]) -> list[str]:
    """Metals from a text file: one per line or comma-separated; ``#`` starts a comment.

    A first item ``metal`` (or ``metals``, ``metal_ion``) is taken as a header and skipped.

    Raises
    ------
    InputError
        Missing file, or :func:`parse_metals` refuses the list.
    """
    p = Path(path).expanduser()
    try:
        text = p.read_text(encoding="utf-8-sig")
    except OSError as exc:
        raise InputError(
            f"metals file {str(p)!r} could not be read: {exc.strerror or exc}"
        ) from exc
    items = [
        part.strip()
        for line in text.splitlines()
        for part in line.split("#", 1)[0].split(",")
        if part.strip()
    ]
    if items and items[0].lower() in ("metal", "metals", "metal_ion"):
        items = items[1:]  # a header line
    try:
        return parse_metals(items)
    except InputError as exc:
        raise InputError(f"metals file {str(p)!r}: {exc}") from exc
