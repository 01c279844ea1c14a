"""CSV tables: reading (whole or streamed in chunks), prediction input, writing predictions.

* :func:`read_csv` / :func:`iter_csv` read a CSV as strings (UTF-8 with or without BOM, CRLF or
  LF line ends, quoted cells with commas) and turn every way of failing into an
  :class:`~skmetalpka.exceptions.InputError` with a clear message.
* :func:`read_prediction_input` / :func:`iter_prediction_input` read the ligands to predict:
  columns ``metal`` and ``smiles`` (or the NIST layout ``metal_ion``, ``SMILES``), optionally
  ``temperature`` and ``ionic_strength``; other columns are ignored.
* :func:`write_predictions` writes a prediction table.

Header names are matched case-insensitively after stripping surrounding whitespace. Blank
lines of a CSV file are not records (pandas skips them); every other line is one row.
"""

from __future__ import annotations

import math
import os
from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path
from typing import IO, Any

import pandas as pd

from ._files import atomic_open
from .conditions import CONDITION_COLUMNS
from .exceptions import InputError


def _check_file(path: str | os.PathLike[str], what: str) -> Path:
    p = Path(path).expanduser()
    if not p.exists():
        raise InputError(f"{what}: no file at {str(p)!r}; check the path")
    if p.is_dir():
        raise InputError(f"{what}: {str(p)!r} is a folder; give the path of a CSV file")
    return p


_CSV_OPTIONS: dict[str, Any] = {"dtype": str, "keep_default_na": False, "encoding": "utf-8-sig"}
#: Rows per chunk when a CSV is streamed (:func:`iter_csv`, :func:`predict_csv`).
DEFAULT_CHUNKSIZE = 10_000


def iter_csv(
    path: str | os.PathLike[str], *, chunksize: int = DEFAULT_CHUNKSIZE, what: str = "input table"
) -> Iterator[pd.DataFrame]:
    """Stream a CSV file as chunks of rows, every cell a string (see :func:`read_csv`).

    Parameters
    ----------
    path : str or path-like
    chunksize : int, default=10000
        Rows per chunk; memory use depends on it, not on the size of the file.
    what : str, default="input table"
        How to name the file in error messages.

    Yields
    ------
    pandas.DataFrame
        Consecutive chunks; the index numbers the data rows from 0 across chunks. A file with
        a header and no data line gives one empty chunk that still has the columns.

    Raises
    ------
    InputError
        As :func:`read_csv`; an error in a later part of the file is raised when that chunk
        is reached (after the earlier chunks were yielded).
    """
    if isinstance(chunksize, bool) or not isinstance(chunksize, int) or chunksize < 1:
        raise ValueError(f"chunksize must be a positive integer, got {chunksize!r}")
    p = _check_file(path, what)
    try:
        reader = pd.read_csv(p, chunksize=chunksize, **_CSV_OPTIONS)
        with reader:
            it = iter(reader)
            first = next(it)
            if isinstance(first.index, pd.RangeIndex):
                yield _strip_names(first)
                for chunk in it:
                    yield _strip_names(chunk)
                return
        # More fields on the data lines than names in the header: pandas took the first
        # field(s) as an index, which would shift every cell to the left.
        names = [str(c) for c in first.columns]
        extra = [f"__extra_{i}" for i in range(first.index.nlevels)]
        reader = pd.read_csv(
            p,
            chunksize=chunksize,
            header=0,
            names=[*names, *extra],
            index_col=False,
            **_CSV_OPTIONS,
        )
        with reader:
            for chunk in reader:
                cells = chunk[extra].to_numpy(dtype=object).ravel()
                if not all(not str(v).strip() for v in cells):
                    raise InputError(
                        f"{what} {str(p)!r}: every data line has {len(names) + len(extra)} "
                        f"fields but the header names only {len(names)} column(s); give every "
                        "column a name in the header line"
                    )
                yield _strip_names(chunk.drop(columns=extra))
    except UnicodeDecodeError as exc:
        raise InputError(
            f"{what} {str(p)!r} is not UTF-8 text ({exc.reason} at byte {exc.start}); save it "
            "as UTF-8 CSV"
        ) from exc
    except pd.errors.EmptyDataError as exc:
        raise InputError(f"{what} {str(p)!r} is empty; it needs a header line") from exc
    except pd.errors.ParserError as exc:
        raise InputError(f"{what} {str(p)!r} is not a valid CSV file: {exc}") from exc
    except OSError as exc:
        raise InputError(f"{what} {str(p)!r} could not be read: {exc.strerror or exc}") from exc


def _strip_names(df: pd.DataFrame) -> pd.DataFrame:
    df.columns = [str(c).strip() for c in df.columns]
    return df


def read_csv(path: str | os.PathLike[str], *, what: str = "input table") -> pd.DataFrame:
    """Read a CSV file with every cell as a string.

    A UTF-8 byte-order mark, CRLF line ends, quoted cells (holding commas, quotes or line
    breaks) and a trailing separator on every line are handled. Empty cells are empty
    strings (nothing is turned into NaN). Header names are stripped of surrounding
    whitespace. :func:`iter_csv` reads the same way in chunks.

    Parameters
    ----------
    path : str or path-like
    what : str, default="input table"
        How to name the file in error messages.

    Returns
    -------
    pandas.DataFrame
        With a fresh ``RangeIndex`` (row ``i`` is the ``i``-th data line).

    Raises
    ------
    InputError
        When the file is missing, a folder, unreadable, not UTF-8 text, empty or not valid CSV.
    """
    chunks = list(iter_csv(path, chunksize=100_000, what=what))
    df = chunks[0] if len(chunks) == 1 else pd.concat(chunks)
    return df.reset_index(drop=True)


def _column_map(columns: Iterable[str]) -> dict[str, str]:
    """Lower-case name -> actual name (first occurrence wins)."""
    out: dict[str, str] = {}
    for c in columns:
        out.setdefault(str(c).strip().lower(), str(c))
    return out


def _condition_cells(values: Sequence[Any]) -> list[Any]:
    """Condition cells as floats; blank -> NaN (standard conditions); other text kept as is.

    Text that is not a number is kept so that :func:`skmetalpka.baselines.row_errors` flags
    the row instead of it being replaced silently.
    """
    out: list[Any] = []
    for v in values:
        if v is None or (isinstance(v, float) and math.isnan(v)):
            out.append(math.nan)
            continue
        text = str(v).strip()
        if not text:
            out.append(math.nan)
            continue
        try:
            out.append(float(text))
        except ValueError:
            out.append(v)
    return out


def _prediction_frame(raw: pd.DataFrame, path: str | os.PathLike[str]) -> pd.DataFrame:
    cols = _column_map(raw.columns)
    metal_col = cols.get("metal") or cols.get("metal_ion")
    smiles_col = cols.get("smiles")
    missing = [
        name
        for name, col in (("metal (or metal_ion)", metal_col), ("smiles", smiles_col))
        if col is None
    ]
    if missing:
        raise InputError(
            f"prediction input {str(path)!r} lacks the required column(s) {missing}; it has "
            f"{list(raw.columns)}. Expected a header with 'metal' (ion such as Cu2+) and "
            "'smiles' (ligand SMILES)"
        )
    X = pd.DataFrame(
        {"metal": raw[metal_col].tolist(), "smiles": raw[smiles_col].tolist()}, index=raw.index
    )
    for name in CONDITION_COLUMNS:
        if name in cols:
            X[name] = pd.Series(
                _condition_cells(raw[cols[name]].tolist()), dtype=object, index=raw.index
            )
    return X


def iter_prediction_input(
    path: str | os.PathLike[str], *, chunksize: int = DEFAULT_CHUNKSIZE
) -> Iterator[pd.DataFrame]:
    """Stream the ligands to predict in chunks (as :func:`read_prediction_input`).

    The index of each chunk numbers the data rows of the file from 0.
    """
    for raw in iter_csv(path, chunksize=chunksize, what="prediction input"):
        yield _prediction_frame(raw, path)


def read_prediction_input(path: str | os.PathLike[str]) -> pd.DataFrame:
    """Read the ligands to predict from a CSV file.

    Parameters
    ----------
    path : str or path-like
        CSV with columns ``metal`` and ``smiles`` (or, as in the NIST table, ``metal_ion`` and
        ``SMILES``); optional ``temperature`` (deg C) and ``ionic_strength`` (M). Header names
        are matched case-insensitively; other columns are ignored.

    Returns
    -------
    pandas.DataFrame
        One row per data line, in file order, with columns ``metal`` and ``smiles`` (the cells
        as written; empty cells are empty strings) and the condition columns when present
        (floats, NaN for blank cells, non-numeric text kept so that the row is flagged).

    Raises
    ------
    InputError
        Unreadable file, or a required column missing (the message names it).
    """
    return _prediction_frame(read_csv(path, what="prediction input"), path)


def write_predictions(frame: pd.DataFrame, dest: str | os.PathLike[str] | IO[str]) -> None:
    """Write a :func:`predict_frame` table as CSV (UTF-8, LF line ends, NaN as empty cell).

    Parameters
    ----------
    frame : pandas.DataFrame
    dest : str, path-like or text stream
        A file path (its folder is created; written atomically,
        :func:`skmetalpka._files.atomic_open`) or an open text stream such as ``sys.stdout``.

    Raises
    ------
    InputError
        When the file cannot be written.
    """
    kwargs: dict[str, Any] = {"index": False, "na_rep": "", "lineterminator": "\n"}
    if hasattr(dest, "write"):
        frame.to_csv(dest, **kwargs)  # type: ignore[arg-type]
        return
    p = Path(dest).expanduser()  # type: ignore[arg-type]
    try:
        with atomic_open(p, "w", newline="") as fh:
            frame.to_csv(fh, **kwargs)
    except OSError as exc:
        raise InputError(f"could not write {str(p)!r}: {exc.strerror or exc}") from exc


def read_smiles_list(path: str | os.PathLike[str]) -> list[str]:
    """Ligand SMILES from a file: a CSV with a ``smiles`` column, or one SMILES per line.

    Raises
    ------
    InputError
        Unreadable file, several columns but none named ``smiles``, or no SMILES at all.
    """
    table = read_csv(path, what="SMILES file")
    cols = {c.lower(): c for c in table.columns}
    if "smiles" in cols:
        values = table[cols["smiles"]].tolist()
    elif len(table.columns) == 1:  # one SMILES per line, the first line is a SMILES too
        values = [table.columns[0], *table.iloc[:, 0].tolist()]
    else:
        raise InputError(
            f"SMILES file {path!r} has columns {list(table.columns)} but no 'smiles' column"
        )
    values = [str(v).strip() for v in values if str(v).strip()]
    if not values:
        raise InputError(f"SMILES file {path!r} holds no SMILES")
    return values
