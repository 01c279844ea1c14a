"""Reading and writing tables and saved models for the command-line interface.

Everything the ``skmetalpka`` command does with files goes through this module, so that it is
equally usable from Python:

* :func:`read_csv` reads a CSV as strings (UTF-8 with or without BOM, CRLF or LF line ends,
  quoted cells with commas) and turns every way of failing into an :class:`InputError` with a
  clear message.
* :func:`read_prediction_input` reads the ligands to predict: columns ``metal`` and ``smiles``
  (or the NIST layout ``metal_ion``, ``SMILES``), optionally ``temperature`` and
  ``ionic_strength``; other columns are ignored.
* :func:`load_training_data` loads a training / test set in either accepted layout (see
  :func:`detect_layout`), or the embedded MINTEQ data, with its :class:`DataReport`;
  :func:`load_beta_table` reads the simple layout.
* :func:`predict_rows` / :func:`predict_frame` predict a table row by row *without ever
  aborting on a bad row*: the reason of every invalid row is computed first
  (:func:`skmetalpka.baselines.row_errors`), only the valid rows are predicted, and the
  result is reassembled in input order with an ``error`` column.
* :func:`save_model` / :func:`load_model` store a fitted estimator with a small metadata dict.

Header names are matched case-insensitively after stripping surrounding whitespace. Blank
lines of a CSV file are not records (pandas skips them); every other line is one row.
"""

from __future__ import annotations

import json
import math
import os
import re
import tempfile
import warnings
from collections import Counter
from collections.abc import Iterable, Iterator, Mapping, Sequence
from datetime import datetime, timezone
from importlib import metadata
from pathlib import Path
from typing import IO, Any

import numpy as np
import pandas as pd

from .datasets.report import DataReport

__all__ = [
    "InputError",
    "ModelFileError",
    "MODEL_FORMAT",
    "DEFAULT_MODEL_FILE",
    "NIST_COLUMNS",
    "read_csv",
    "detect_layout",
    "read_prediction_input",
    "load_beta_table",
    "load_training_data",
    "load_params",
    "load_proton_data",
    "predict_rows",
    "predict_frame",
    "predict_csv",
    "supports_std",
    "training_metals",
    "row_warnings",
    "iter_csv",
    "iter_prediction_input",
    "DEFAULT_CHUNKSIZE",
    "MODEL_FAILURE",
    "model_failure",
    "write_predictions",
    "save_model",
    "load_model",
    "ModelVersionWarning",
    "estimator_n_steps",
]

#: Marker stored in every model file written by :func:`save_model`.
MODEL_FORMAT = "skmetalpka-model"
_FORMAT_VERSION = 1
#: Default output of ``skmetalpka fit``.
DEFAULT_MODEL_FILE = "skmetalpka_model.joblib"
#: Required columns of the NIST SRD 46 metal-table layout (:func:`skmetalpka.datasets.load_nist46`).
NIST_COLUMNS = ("metal_ion", "SMILES", "pKa_value", "predicted_positions")
_CONDITIONS = ("temperature", "ionic_strength")
_BETA_RE = re.compile(r"log_beta_(\d+)")
_SIMPLE_LAYOUT = (
    "metal, smiles, log_beta_1 .. log_beta_N (optional: temperature, ionic_strength)"
)
_NIST_LAYOUT = "metal_ion, SMILES, pKa_value, predicted_positions"


class InputError(ValueError):
    """A file or argument that cannot be used at all (missing, unreadable, wrong layout).

    The command-line interface exits with status 2 and prints the message for these errors.
    """


class ModelFileError(InputError):
    """A model file that is missing, truncated or not written by :func:`save_model`."""


# --------------------------------------------------------------------------------------
# CSV reading
# --------------------------------------------------------------------------------------
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
            p, chunksize=chunksize, header=0, names=[*names, *extra], index_col=False, **_CSV_OPTIONS
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
    for name in _CONDITIONS:
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


# --------------------------------------------------------------------------------------
# training data
# --------------------------------------------------------------------------------------
def _beta_columns(columns: Iterable[str]) -> dict[int, str]:
    """Step number -> actual column name for ``log_beta_<n>`` columns (case-insensitive)."""
    out: dict[int, str] = {}
    for c in columns:
        m = _BETA_RE.fullmatch(str(c).strip().lower())
        if m:
            out.setdefault(int(m.group(1)), str(c))
    return out


def detect_layout(columns: Iterable[str]) -> str:
    """Which training-data layout a header describes.

    Parameters
    ----------
    columns : iterable of str
        The header names.

    Returns
    -------
    {"nist", "simple"}
        ``"nist"``: the NIST SRD 46 metal table (``metal_ion, SMILES, pKa_value,
        predicted_positions``), read by :func:`skmetalpka.datasets.load_nist46`.
        ``"simple"``: ``metal, smiles, log_beta_1 .. log_beta_N`` (optional ``temperature``,
        ``ionic_strength``), read by :func:`load_beta_table`.

    Raises
    ------
    InputError
        When neither layout fits; the message lists what each layout lacks.
    """
    columns = [str(c).strip() for c in columns]
    if all(c in columns for c in NIST_COLUMNS):
        return "nist"
    cols = _column_map(columns)
    betas = _beta_columns(columns)
    simple_missing = [c for c in ("metal", "smiles") if c not in cols]
    if 1 not in betas:
        simple_missing.append("log_beta_1")
    if not simple_missing:
        return "simple"
    nist_missing = [c for c in NIST_COLUMNS if c not in columns]
    raise InputError(
        f"unrecognised data layout (columns {columns}). The simple layout ({_SIMPLE_LAYOUT}) "
        f"lacks {simple_missing}; the NIST layout ({_NIST_LAYOUT}) lacks {nist_missing}"
    )


def _parse_number(text: str) -> float:
    """Float of a cell; blank -> NaN; raises ValueError for text or +/-inf."""
    t = text.strip()
    if not t:
        return math.nan
    v = float(t)
    if math.isinf(v):
        raise ValueError(f"{text!r} is infinite")
    if math.isnan(v):  # an explicit 'nan' is a blank cell
        return math.nan
    return v


def load_beta_table(
    path: str | os.PathLike[str],
    *,
    strip_salts: bool = True,
    drop_duplicates: bool = True,
    return_report: bool = False,
) -> tuple[pd.DataFrame, np.ndarray] | tuple[pd.DataFrame, np.ndarray, DataReport]:
    """Load a training table in the simple layout.

    The file has one row per (metal, ligand, conditions) with columns ``metal``, ``smiles``,
    ``log_beta_1`` .. ``log_beta_N`` (cumulative constants; blank cell = not measured) and
    optionally ``temperature`` (deg C) and ``ionic_strength`` (M); blank conditions mean the
    standard 25 deg C / 0.1 M used by the models. Other columns are ignored (listed in the
    report notes).

    Parameters
    ----------
    path : str or path-like
    strip_salts : bool, default=True
        Remove counter-ions from the SMILES (counted as ``salt_stripped``); when False such
        rows are dropped as ``invalid_smiles``.
    drop_duplicates : bool, default=True
        Keep only the first row per (metal, standardised SMILES, temperature, ionic strength);
        later ones are dropped as ``duplicate``.
    return_report : bool, default=False
        Also return the :class:`~skmetalpka.datasets.DataReport`.

    Returns
    -------
    X : pandas.DataFrame
        Columns ``metal``, ``smiles`` (standardised), ``smiles_input`` (as in the file),
        ``temperature``, ``ionic_strength`` (float, NaN = standard conditions).
    y : numpy.ndarray of shape (n_samples, N)
        Cumulative log beta, NaN where not measured.
    report : DataReport
        Only with ``return_report=True``. Drop reasons: ``malformed_row`` (blank metal, a
        value or condition that is not a number), ``no_value`` (no log beta given),
        ``invalid_smiles`` and ``duplicate``.

    Raises
    ------
    InputError
        Unreadable file, missing required column, or ``log_beta_*`` columns that are not
        numbered 1..N without gaps.
    """
    from .chem import InvalidLigandError, standardize_ligand

    raw = read_csv(path, what="data table")
    cols = _column_map(raw.columns)
    betas = _beta_columns(raw.columns)
    missing = [c for c in ("metal", "smiles") if c not in cols]
    if 1 not in betas:
        missing.append("log_beta_1")
    if missing:
        raise InputError(
            f"data table {str(path)!r} lacks the required column(s) {missing}; it has "
            f"{list(raw.columns)}. Expected {_SIMPLE_LAYOUT}"
        )
    n_steps = max(betas)
    gaps = [f"log_beta_{k}" for k in range(1, n_steps + 1) if k not in betas]
    if gaps:
        raise InputError(
            f"data table {str(path)!r} has log_beta columns up to log_beta_{n_steps} but lacks "
            f"{gaps}; number them 1..N without gaps (leave cells blank where not measured)"
        )
    beta_cols = [betas[k] for k in range(1, n_steps + 1)]
    cond_cols = {name: cols.get(name) for name in _CONDITIONS}
    used = {cols["metal"], cols["smiles"], *beta_cols, *(c for c in cond_cols.values() if c)}
    ignored = [c for c in raw.columns if c not in used]

    report = DataReport(source=str(path), n_read=len(raw))
    dropped: Counter[str] = Counter()
    modified: Counter[str] = Counter()
    excluded: list[tuple[int, str, str]] = []
    seen: dict[tuple[Any, ...], int] = {}
    records: list[dict[str, Any]] = []
    values: list[list[float]] = []

    for i, rec in enumerate(raw.to_dict("records")):
        metal = str(rec[cols["metal"]]).strip()
        smiles_in = str(rec[cols["smiles"]])
        if not metal:
            dropped["malformed_row"] += 1
            excluded.append((i, "malformed_row", "metal is blank"))
            continue
        problem = ""
        row_values: list[float] = []
        for col in beta_cols:
            try:
                row_values.append(_parse_number(str(rec[col])))
            except ValueError:
                problem = f"{col} {rec[col]!r} is not a number"
                break
        conditions: dict[str, float] = {}
        for name, col in cond_cols.items():
            if problem:
                break
            if col is None:
                conditions[name] = math.nan
                continue
            try:
                conditions[name] = _parse_number(str(rec[col]))
            except ValueError:
                problem = f"{col} {rec[col]!r} is not a number"
        if problem:
            dropped["malformed_row"] += 1
            excluded.append((i, "malformed_row", problem))
            continue
        if all(math.isnan(v) for v in row_values):
            dropped["no_value"] += 1
            excluded.append((i, "no_value", "no log_beta value given"))
            continue
        try:
            lig = standardize_ligand(smiles_in, strip_salts=strip_salts)
        except InvalidLigandError as exc:
            dropped["invalid_smiles"] += 1
            excluded.append((i, "invalid_smiles", str(exc)))
            continue
        key = (
            metal,
            lig.smiles,
            *(None if math.isnan(conditions[c]) else conditions[c] for c in _CONDITIONS),
        )
        if drop_duplicates and key in seen:
            dropped["duplicate"] += 1
            excluded.append((i, "duplicate", f"same metal, ligand and conditions as row {seen[key]}"))
            continue
        seen.setdefault(key, i)
        if lig.was_stripped:
            modified["salt_stripped"] += 1
        records.append(
            {"metal": metal, "smiles": lig.smiles, "smiles_input": smiles_in, **conditions}
        )
        values.append(row_values)

    X = pd.DataFrame(
        records, columns=["metal", "smiles", "smiles_input", "temperature", "ionic_strength"]
    )
    for name in _CONDITIONS:
        X[name] = X[name].astype("float64")
    y = np.array(values, dtype=np.float64).reshape(len(values), n_steps)

    report.settle(
        n_kept=len(records),
        n_samples=len(records),
        dropped=dropped,
        modified=modified,
        raw=raw,
        excluded=excluded,
    )
    absent = [name for name, col in cond_cols.items() if col is None]
    if absent:
        report.notes.append(
            f"no {' / '.join(absent)} column: the models use the standard conditions "
            "(25 C, 0.1 M)"
        )
    if ignored:
        report.notes.append(f"columns ignored: {ignored}")
    report.check()
    if return_report:
        return X, y, report
    return X, y


def load_training_data(
    path: str | os.PathLike[str] | None = None,
) -> tuple[pd.DataFrame, np.ndarray, DataReport]:
    """Load training or test data in any layout the CLI accepts.

    Parameters
    ----------
    path : str, path-like or None
        ``None``: the embedded MINTEQ data (:func:`skmetalpka.datasets.load_minteq`). A folder:
        the NIST table in it (:func:`skmetalpka.datasets.load_nist46`). A CSV file: the NIST
        layout or the simple layout, detected from the header (:func:`detect_layout`).

    Returns
    -------
    X : pandas.DataFrame
    y : numpy.ndarray of shape (n_samples, N)
    report : DataReport

    Raises
    ------
    InputError
        Missing or unreadable file, or an unrecognised layout.
    """
    from .datasets import load_minteq, load_nist46

    if path is None:
        return load_minteq(return_report=True)  # type: ignore[return-value]
    p = Path(path).expanduser()
    if p.is_dir():
        layout = "nist"
    else:
        header = read_csv(p, what="data table").columns
        layout = detect_layout(header)
    if layout == "simple":
        return load_beta_table(p, return_report=True)  # type: ignore[return-value]
    try:
        return load_nist46(p, return_report=True)  # type: ignore[return-value]
    except (FileNotFoundError, ValueError) as exc:
        raise InputError(f"could not load the NIST table from {str(p)!r}: {exc}") from exc


def load_proton_data(path: str | os.PathLike[str]) -> tuple[pd.DataFrame, np.ndarray, DataReport]:
    """Load a protonation table for transfer learning (``skmetalpka fit --pretrain-proton``).

    Parameters
    ----------
    path : str or path-like
        The NIST ``nist46_proton.csv`` (or its folder), read with
        :func:`skmetalpka.datasets.load_nist46_proton`; or a simple-layout table
        (``metal, smiles, log_beta_1..``) whose metal is ``H+`` on every row.

    Returns
    -------
    X, y, report

    Raises
    ------
    InputError
        Missing or unreadable file, or a simple table with another metal than H+.
    """
    from .datasets import load_nist46_proton
    from .metals import canonical_or_none

    p = Path(path).expanduser()
    if not p.is_dir():
        header = [str(c).strip().lower() for c in next(iter_csv(p, chunksize=1)).columns]
        if "metal" in header and any(c.startswith("log_beta_") for c in header):
            X, y, report = load_beta_table(p, return_report=True)  # type: ignore[misc]
            bad = []
            for i, m in enumerate(X["metal"].tolist()):
                if canonical_or_none(m) != "H+":
                    bad.append(f"row {i}: {m!r}")
            if bad:
                raise InputError(
                    f"proton table {str(p)!r} must hold H+ rows only; found {len(bad)} other "
                    f"({', '.join(bad[:3])})"
                )
            return X, y, report
    try:
        return load_nist46_proton(p, return_report=True)  # type: ignore[return-value]
    except (FileNotFoundError, ValueError, KeyError) as exc:
        raise InputError(
            f"could not load the protonation table from {str(p)!r}: {exc}. Give nist46_proton.csv "
            "(or its folder) or a table with columns metal (H+), smiles, log_beta_1.."
        ) from exc


def load_params(spec: str | os.PathLike[str] | Mapping[str, Any] | None) -> dict[str, Any]:
    """Model parameters from a JSON file, a JSON text or a mapping.

    Parameters
    ----------
    spec : str, path-like, mapping or None
        ``None`` gives ``{}``; a string starting with ``{`` is parsed as JSON; any other
        string or path is a JSON file holding one object.

    Returns
    -------
    dict
        Keys starting with ``_`` (annotations such as the ``_study`` record written by
        ``skmetalpka tune --export``) are left out.

    Raises
    ------
    InputError
        Unreadable file, invalid JSON, or JSON that is not an object.
    """
    if spec is None:
        return {}
    if isinstance(spec, Mapping):
        return dict(spec)
    text = str(spec)
    if text.lstrip().startswith("{"):
        where = "the --params JSON text"
    else:
        p = _check_file(text, "parameter file")
        where = f"parameter file {str(p)!r}"
        try:
            text = p.read_text(encoding="utf-8-sig")
        except (OSError, UnicodeDecodeError) as exc:
            raise InputError(f"{where} could not be read: {exc}") from exc
    try:
        obj = json.loads(text)
    except json.JSONDecodeError as exc:
        raise InputError(f"{where} is not valid JSON: {exc}") from exc
    if not isinstance(obj, dict):
        raise InputError(
            f"{where} must hold a JSON object of parameter names and values, such as "
            f'{{"max_epochs": 50}}; got {type(obj).__name__}'
        )
    return {k: v for k, v in obj.items() if not str(k).startswith("_")}


# --------------------------------------------------------------------------------------
# prediction
# --------------------------------------------------------------------------------------
def estimator_n_steps(estimator: Any) -> int | None:
    """Number of steps ``N`` a fitted estimator predicts (``n_steps_`` of it or its last step)."""
    n = getattr(estimator, "n_steps_", None)
    if n is None and hasattr(estimator, "steps"):
        n = getattr(estimator.steps[-1][1], "n_steps_", None)
    return None if n is None else int(n)


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()
    return f"{type(exc).__name__}: {text[0] if text else ''}".rstrip(": ")


def _to_width(pred: Any, n_rows: int, width: int) -> np.ndarray:
    arr = np.asarray(pred, dtype=np.float64)
    if arr.ndim == 1:
        arr = arr[:, None]
    if arr.shape[0] != n_rows:
        raise ValueError(f"the model returned {arr.shape[0]} rows of predictions for {n_rows} rows")
    if arr.shape[1] < width:
        arr = np.hstack([arr, np.full((n_rows, width - arr.shape[1]), np.nan)])
    return arr[:, :width]


#: Start of the ``error`` of a row on which the estimator itself raised (see :func:`predict_rows`).
MODEL_FAILURE = "model could not predict this row"


def model_failure(errors: Sequence[str]) -> str | None:
    """The estimator's failure when it failed on *every* row that reached it, else ``None``.

    A model that raises on every valid row is broken as a whole (for example a model file
    pickled by another version of the code), not refusing individual rows.

    Parameters
    ----------
    errors : sequence of str
        The ``errors`` of :func:`predict_rows`.

    Returns
    -------
    str or None
        The first failure message, or ``None`` when at least one row was predicted or no row
        reached the model.
    """
    reached = [e for e in errors if not e or e.startswith(MODEL_FAILURE)]
    if reached and all(e.startswith(MODEL_FAILURE) for e in reached):
        return reached[0][len(MODEL_FAILURE) :].lstrip(": ")
    return None


def predict_rows(
    estimator: Any, X: pd.DataFrame, *, n_steps: int | None = None
) -> tuple[np.ndarray, list[str]]:
    """Predict every row of ``X`` that can be predicted; give the reason for the others.

    The reason of each invalid row (unknown metal, invalid or empty SMILES, condition that is
    not a number) is computed first with :func:`skmetalpka.baselines.row_errors`; only the
    valid rows are passed to ``estimator.predict``. If the estimator still refuses the batch,
    the rows are predicted one by one so that one bad row cannot take the others down.

    Parameters
    ----------
    estimator : fitted estimator
        Any skmetalpka model (``predict(X) -> (n, N)``).
    X : pandas.DataFrame
        Columns ``metal``, ``smiles`` and optionally ``temperature``, ``ionic_strength`` (and
        anything else the estimator uses).
    n_steps : int, optional
        Width of the result; default :func:`estimator_n_steps`. Narrower predictions are
        padded with NaN.

    Returns
    -------
    y_pred : numpy.ndarray of shape (n_samples, n_steps)
        Cumulative log beta; NaN rows where the row could not be predicted.
    errors : list of str
        ``''`` for predicted rows, else the reason, in row order. A valid row for which the
        model returned only NaN gets an error too.
    """
    from .baselines import row_errors
    from .conditions import check_input_frame

    X = check_input_frame(X)
    n = len(X)
    width = n_steps if n_steps is not None else estimator_n_steps(estimator)
    errors = [str(e) for e in row_errors(X).tolist()]
    valid = np.array([e == "" for e in errors], dtype=bool)
    sub = X.iloc[np.flatnonzero(valid)].copy()
    for name in _CONDITIONS:
        if name in sub.columns:
            sub[name] = pd.to_numeric(sub[name], errors="coerce").astype("float64")
    pred_valid: np.ndarray | None = None
    if len(sub):
        try:
            pred_valid = np.asarray(estimator.predict(sub), dtype=np.float64)
        except Exception:  # the estimator refused the batch: isolate the culprit rows
            pred_valid = None
    if width is None:
        width = 1 if pred_valid is None else (pred_valid.shape[1] if pred_valid.ndim == 2 else 1)
    out = np.full((n, width), np.nan)
    positions = np.flatnonzero(valid)
    if pred_valid is not None:
        out[positions] = _to_width(pred_valid, len(positions), width)
    else:
        for j, pos in enumerate(positions):
            try:
                out[pos] = _to_width(estimator.predict(sub.iloc[j : j + 1]), 1, width)[0]
            except Exception as exc:  # report the failure of this row, keep going
                errors[pos] = f"{MODEL_FAILURE}: {_first_line(exc)}"
    for pos in positions:
        if not errors[pos] and np.all(np.isnan(out[pos])):
            errors[pos] = "the model returned no prediction for this row"
    return out, errors


def training_metals(estimator: Any) -> list[str] | None:
    """Metals a fitted estimator was trained on (``metals_`` of it, its last step or its first
    ensemble member), or ``None`` when it does not record them."""
    for obj in (
        estimator,
        getattr(estimator, "steps", [[None, None]])[-1][1],
        (getattr(estimator, "estimators_", None) or [None])[0],
    ):
        if obj is None:
            continue
        metals = getattr(obj, "metals_", None)
        if metals is None and hasattr(obj, "steps"):
            metals = getattr(obj.steps[-1][1], "metals_", None)
        if metals is not None:
            return [str(m) for m in metals]
    return None


def row_warnings(metals: Sequence[Any], known_metals: Iterable[str] | None) -> list[str]:
    """Per-row warning for metals outside the training set (extrapolation from descriptors).

    Parameters
    ----------
    metals : sequence
        The ``metal`` cells of the rows (any accepted spelling).
    known_metals : iterable of str or None
        Canonical training metals; ``None`` gives no warnings.

    Returns
    -------
    list of str
        ``''`` or ``"metal Xx3+ was not in the training data: predicted from its descriptors
        (extrapolation)"``; rows whose metal cannot be parsed get ``''`` (their ``error`` says
        why).
    """
    from .metals import canonical_or_none

    if known_metals is None:
        return [""] * len(metals)
    known = set(known_metals)
    out: list[str] = []
    for m in metals:
        ion = canonical_or_none(m)
        out.append(
            f"metal {ion} was not in the training data: predicted from its descriptors "
            "(extrapolation)"
            if ion is not None and ion not in known
            else ""
        )
    return out


class _MeanStd:
    """Adapter: ``predict`` gives ``[mean | std]`` side by side, so that the row-safe
    machinery of :func:`predict_rows` handles both at once."""

    def __init__(self, estimator: Any, width: int | None) -> None:
        self.estimator = estimator
        self.width = width

    def predict(self, X: pd.DataFrame) -> np.ndarray:
        mean, std = self.estimator.predict(X, return_std=True)
        mean, std = np.asarray(mean, dtype=float), np.asarray(std, dtype=float)
        if mean.ndim == 1:
            mean, std = mean[:, None], std[:, None]
        w = self.width or mean.shape[1]
        return np.hstack([_to_width(mean, len(mean), w), _to_width(std, len(std), w)])


def supports_std(estimator: Any) -> bool:
    """Whether ``estimator.predict`` takes ``return_std`` (ensembles, Gaussian processes)."""
    import inspect

    try:
        return "return_std" in inspect.signature(estimator.predict).parameters
    except (TypeError, ValueError):
        return False


def predict_frame(
    estimator: Any,
    X: pd.DataFrame,
    *,
    n_steps: int | None = None,
    known_metals: Iterable[str] | None = None,
    return_std: bool = False,
) -> pd.DataFrame:
    """Predictions as a table: one row per input row, in order, with ``error`` and ``warning``.

    Parameters
    ----------
    estimator, X, n_steps
        As in :func:`predict_rows`.
    known_metals : iterable of str, optional
        Training metals (canonical spelling); default :func:`training_metals` of the
        estimator. Rows with another metal get a ``warning``.
    return_std : bool, default=False
        Add ``log_beta_<n>_std`` columns (the ensemble's standard deviation); the estimator
        must accept ``predict(X, return_std=True)`` (:func:`supports_std`).

    Returns
    -------
    pandas.DataFrame
        Columns ``metal``, ``smiles`` (as given), ``log_beta_1`` .. ``log_beta_N`` (NaN where
        not predicted), with ``return_std`` ``log_beta_1_std`` .. ``log_beta_N_std``, then
        ``error`` (``''`` when the row was predicted) and ``warning`` (``''``, or why the
        prediction is an extrapolation). The index is that of ``X``.

    Raises
    ------
    ValueError
        ``return_std=True`` with an estimator that has no standard deviation.
    """
    std = None
    if return_std:
        if not supports_std(estimator):
            raise ValueError(
                f"{type(estimator).__name__} gives no standard deviation; use an ensemble "
                "(make_model('gnn', n_members=5)) or the packaged default model"
            )
        width = n_steps if n_steps is not None else estimator_n_steps(estimator)
        both, errors = predict_rows(
            _MeanStd(estimator, width), X, n_steps=None if width is None else 2 * width
        )
        half = both.shape[1] // 2
        pred, std = both[:, :half], both[:, half:]
    else:
        pred, errors = predict_rows(estimator, X, n_steps=n_steps)
    if known_metals is None:
        known_metals = training_metals(estimator)
    out = pd.DataFrame({"metal": X["metal"].tolist(), "smiles": X["smiles"].tolist()}, index=X.index)
    for k in range(pred.shape[1]):
        out[f"log_beta_{k + 1}"] = pred[:, k]
    if std is not None:
        for k in range(std.shape[1]):
            out[f"log_beta_{k + 1}_std"] = std[:, k]
    out["error"] = errors
    warn = row_warnings(X["metal"].tolist(), known_metals)
    out["warning"] = [w if not e else "" for w, e in zip(warn, errors, strict=True)]
    return out


def predict_csv(
    estimator: Any,
    path: str | os.PathLike[str],
    dest: str | os.PathLike[str] | IO[str],
    *,
    n_steps: int | None = None,
    known_metals: Iterable[str] | None = None,
    chunksize: int = DEFAULT_CHUNKSIZE,
    progress: bool = False,
    check_first_chunk: Any = None,
    return_std: bool = False,
) -> dict[str, int]:
    """Predict a CSV file of any size chunk by chunk, writing the rows as they are predicted.

    Memory depends on ``chunksize``, not on the number of rows. A file destination is written
    to a temporary file and renamed at the end, so an error part-way (a malformed line deep in
    the input) leaves no partial output file; a stream gets the rows written so far.

    Parameters
    ----------
    estimator : fitted estimator
    path : str or path-like
        Input CSV (see :func:`read_prediction_input`).
    dest : str, path-like or text stream
    n_steps : int, optional
        Width of the output; default the estimator's (kept the same for every chunk).
    known_metals : iterable of str, optional
        See :func:`predict_frame`.
    chunksize : int, default=10000
    progress : bool, default=False
        tqdm bar over rows on stderr.
    check_first_chunk : callable, optional
        Called with the first chunk's ``error`` list before anything is written (the CLI uses
        it to refuse a model that fails on every row).
    return_std : bool, default=False
        Add the ``log_beta_<n>_std`` columns (see :func:`predict_frame`).

    Returns
    -------
    dict
        ``n_rows``, ``n_errors``, ``n_warnings``.
    """
    from tqdm.auto import tqdm

    if known_metals is None:
        known_metals = training_metals(estimator)
    known = None if known_metals is None else list(known_metals)
    total = None
    if progress:
        with open(_check_file(path, "prediction input"), "rb") as fh:
            total = max(0, sum(1 for _ in fh) - 1)  # lines; quoted line breaks overcount
    counts = {"n_rows": 0, "n_errors": 0, "n_warnings": 0}
    to_stream = hasattr(dest, "write")
    tmp: str | None = None
    final: Path | None = None
    if to_stream:
        fh_out: Any = dest
    else:
        final = Path(dest).expanduser()  # type: ignore[arg-type]
        try:
            final.parent.mkdir(parents=True, exist_ok=True)
            fd, tmp = tempfile.mkstemp(prefix=f".{final.name}.", suffix=".tmp", dir=final.parent)
            fh_out = os.fdopen(fd, "w", encoding="utf-8", newline="")
        except OSError as exc:
            raise InputError(f"could not write {str(final)!r}: {exc.strerror or exc}") from exc
    bar = tqdm(total=total, desc="predict", unit="row", disable=not progress, leave=False)
    try:
        width = n_steps
        for i, X in enumerate(iter_prediction_input(path, chunksize=chunksize)):
            out = predict_frame(
                estimator, X, n_steps=width, known_metals=known, return_std=return_std
            )
            if i == 0 and check_first_chunk is not None:
                check_first_chunk(out["error"].tolist())
            width = sum(c.startswith("log_beta_") and not c.endswith("_std") for c in out.columns)
            out.to_csv(fh_out, index=False, header=(i == 0), na_rep="", lineterminator="\n")
            counts["n_rows"] += len(out)
            counts["n_errors"] += int((out["error"] != "").sum())
            counts["n_warnings"] += int((out["warning"] != "").sum())
            bar.update(len(out))
        if not to_stream:
            fh_out.close()
            os.replace(tmp, final)  # type: ignore[arg-type]
            tmp = None
    except OSError as exc:
        raise InputError(f"could not write the predictions: {exc.strerror or exc}") from exc
    finally:
        bar.close()
        if tmp is not None:
            fh_out.close()
            if os.path.exists(tmp):
                os.unlink(tmp)
    return counts


def write_predictions(frame: pd.DataFrame, dest: str | os.PathLike[str] | IO[str]) -> None:
    """Write a :func:`predict_frame` table as CSV (UTF-8, LF line ends, NaN as empty cell).

    Parameters
    ----------
    frame : pandas.DataFrame
    dest : str, path-like or text stream
        A file path (its folder is created) or an open text stream such as ``sys.stdout``.

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
        p.parent.mkdir(parents=True, exist_ok=True)
        frame.to_csv(p, encoding="utf-8", **kwargs)
    except OSError as exc:
        raise InputError(f"could not write {str(p)!r}: {exc.strerror or exc}") from exc


# --------------------------------------------------------------------------------------
# model files
# --------------------------------------------------------------------------------------
def _version(dist: str) -> str | None:
    try:
        return metadata.version(dist)
    except metadata.PackageNotFoundError:
        return None


def save_model(
    estimator: Any,
    path: str | os.PathLike[str],
    *,
    model: str,
    trained_on: str,
    n_steps: int | None = None,
    n_samples: int | None = None,
    params: Mapping[str, Any] | None = None,
    seed: int | None = None,
    trained_metals: Iterable[str] | None = None,
    compact: bool = False,
    half_precision: bool = False,
    compress: Any = 0,
) -> dict[str, Any]:
    """Save a fitted estimator with its metadata (joblib).

    The file holds ``{"meta": meta, "estimator": estimator}``. It is written to a temporary
    file first and renamed, so that an interrupted save never leaves a truncated model.

    Parameters
    ----------
    estimator : fitted estimator
    path : str or path-like
        Output file (its folder is created).
    model : str
        Model name (``gnn``, ``gpr``, ``rf``, ``mean``).
    trained_on : str
        Description of the training data (e.g. ``DataReport.source``).
    n_steps : int, optional
        Steps predicted; default :func:`estimator_n_steps`.
    n_samples : int, optional
        Training rows.
    params : mapping, optional
        Parameters the model was built with (must be JSON-serialisable).
    seed : int, optional
    trained_metals : iterable of str, optional
        Metals of the training data (canonical spelling); default :func:`training_metals`.
        Predictions for other metals get a ``warning`` (extrapolation).
    compact : bool, default=False
        Save a copy without training state (:meth:`MetalComplexRegressor.drop_training_state`
        on every network inside): smaller, predicts the same, cannot ``partial_fit``.
    half_precision : bool, default=False
        With ``compact``: store the networks' weights as float16
        (:meth:`MetalComplexRegressor.drop_training_state`); half the size, predictions
        rounded once.
    compress : int or (str, int), default=0
        joblib compression (level 0-9, or e.g. ``("xz", 9)``).

    Returns
    -------
    dict
        The metadata: ``format``, ``format_version``, ``model``, ``skmetalpka_version``,
        ``sklearn_version``, ``torch_version``, ``trained_on``, ``n_steps``, ``n_samples``,
        ``params``, ``seed``, ``trained_metals``, ``created`` (UTC, ISO 8601).
    """
    import joblib

    meta: dict[str, Any] = {
        "format": MODEL_FORMAT,
        "format_version": _FORMAT_VERSION,
        "model": str(model),
        "skmetalpka_version": _version("skmetalpka"),
        "sklearn_version": _version("scikit-learn"),
        "torch_version": _version("torch"),
        "trained_on": str(trained_on),
        "n_steps": n_steps if n_steps is not None else estimator_n_steps(estimator),
        "n_samples": None if n_samples is None else int(n_samples),
        "params": dict(params or {}),
        "seed": seed,
        "trained_metals": (
            sorted(trained_metals) if trained_metals is not None else training_metals(estimator)
        ),
        "created": datetime.now(timezone.utc).isoformat(timespec="seconds"),
    }
    p = Path(path).expanduser()
    try:
        p.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=f".{p.name}.", suffix=".tmp", dir=p.parent)
        os.close(fd)
        try:
            obj = _compact_copy(estimator, half_precision) if compact else estimator
            joblib.dump({"meta": meta, "estimator": obj}, tmp, compress=compress)
            umask = os.umask(0)
            os.umask(umask)
            os.chmod(tmp, 0o666 & ~umask)  # mkstemp makes 0600; give the usual permissions
            os.replace(tmp, p)
        finally:
            if os.path.exists(tmp):
                os.unlink(tmp)
    except OSError as exc:
        raise InputError(f"could not write the model file {str(p)!r}: {exc.strerror or exc}") from exc
    return meta


def _compact_copy(estimator: Any, half_precision: bool = False) -> Any:
    """A deep copy of ``estimator`` whose networks dropped their training state."""
    import copy

    from .model import MetalComplexRegressor

    out = copy.deepcopy(estimator)
    seen: set[int] = set()

    def walk(obj: Any) -> None:
        if id(obj) in seen:
            return
        seen.add(id(obj))
        if isinstance(obj, MetalComplexRegressor):
            obj.drop_training_state(half_precision=half_precision)
            return
        for _name, step in getattr(obj, "steps", []) or []:
            walk(step)
        for member in getattr(obj, "estimators_", []) or []:
            walk(member)
        inner = getattr(obj, "estimator_", None)
        if inner is not None:
            walk(inner)

    walk(out)
    return out


def load_model(
    path: str | os.PathLike[str], *, return_meta: bool = False
) -> Any | tuple[Any, dict[str, Any]]:
    """Load a model saved by :func:`save_model` (or ``skmetalpka fit``).

    Loading unpickles the file: only load model files from sources you trust.

    Parameters
    ----------
    path : str or path-like
    return_meta : bool, default=False
        Also return the metadata dict.

    Returns
    -------
    estimator : fitted estimator
    meta : dict
        Only with ``return_meta=True``.

    Raises
    ------
    ModelFileError
        When the file is missing, truncated or damaged, or was not written by
        :func:`save_model`.
    """
    import joblib

    p = Path(path).expanduser()
    if not p.exists():
        raise ModelFileError(
            f"model file {str(p)!r} does not exist; train one with `skmetalpka fit --out {p}`"
        )
    if p.is_dir():
        raise ModelFileError(f"model file {str(p)!r} is a folder; give the .joblib file")
    try:
        payload = joblib.load(p)
    except Exception as exc:  # any unpickling failure means: not a usable model file
        raise ModelFileError(
            f"could not read model file {str(p)!r} ({_first_line(exc)}); the file is truncated, "
            "damaged or not a skmetalpka model. Train it again with `skmetalpka fit`"
        ) from exc
    meta = payload.get("meta") if isinstance(payload, dict) else None
    if not isinstance(meta, dict) or meta.get("format") != MODEL_FORMAT or "estimator" not in payload:
        raise ModelFileError(
            f"{str(p)!r} is not a skmetalpka model file (it holds a {type(payload).__name__} "
            "without skmetalpka metadata); write model files with `skmetalpka fit` or "
            "skmetalpka.io.save_model"
        )
    estimator = payload["estimator"]
    if not hasattr(estimator, "predict"):
        raise ModelFileError(f"model file {str(p)!r} holds no estimator with a predict method")
    if meta.get("format_version", 0) > _FORMAT_VERSION:
        raise ModelFileError(
            f"model file {str(p)!r} has format version {meta.get('format_version')}, newer than "
            f"this skmetalpka understands ({_FORMAT_VERSION}); upgrade skmetalpka"
        )
    _warn_versions(p, meta)
    return (estimator, meta) if return_meta else estimator


class ModelVersionWarning(UserWarning):
    """A model file written by other versions of skmetalpka, scikit-learn or torch."""


def _warn_versions(path: Path, meta: Mapping[str, Any]) -> None:
    """Warn when the file was written with other versions than the installed ones."""
    changed = []
    for key, dist in (
        ("skmetalpka_version", "skmetalpka"),
        ("sklearn_version", "scikit-learn"),
        ("torch_version", "torch"),
    ):
        saved, now = meta.get(key), _version(dist)
        if saved is not None and now is not None and saved != now:
            changed.append(f"{dist} {saved} (installed: {now})")
    if changed:
        warnings.warn(
            f"model file {str(path)!r} was saved with {', '.join(changed)}; predictions may "
            "differ or fail. Check them, or train the model again with `skmetalpka fit`",
            ModelVersionWarning,
            stacklevel=3,
        )
