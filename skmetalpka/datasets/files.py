"""Training tables from files: the simple ``log_beta_<n>`` layout, layout detection, any file
the command line accepts (:func:`load_training_data`) and protonation tables for transfer.
"""

from __future__ import annotations

import math
import os
import re
from collections import Counter
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from ..conditions import CONDITION_COLUMNS
from ..exceptions import InputError
from ..tables import _column_map, iter_csv, read_csv
from .report import DataReport

NIST_COLUMNS = ("metal_ion", "SMILES", "pKa_value", "predicted_positions")
_BETA_RE = re.compile(r"log_beta_(\d+)")
_SIMPLE_LAYOUT = "metal, smiles, log_beta_1 .. log_beta_N (optional: temperature, ionic_strength)"
_NIST_LAYOUT = "metal_ion, SMILES, pKa_value, predicted_positions"


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
    from ..chem import InvalidLigandError, standardize_ligand

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
    cond_cols = {name: cols.get(name) for name in CONDITION_COLUMNS}
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
            *(None if math.isnan(conditions[c]) else conditions[c] for c in CONDITION_COLUMNS),
        )
        if drop_duplicates and key in seen:
            dropped["duplicate"] += 1
            excluded.append(
                (i, "duplicate", f"same metal, ligand and conditions as row {seen[key]}")
            )
            continue
        seen.setdefault(key, i)
        if lig.was_stripped:
            modified["salt_stripped"] += 1
        records.append(
            {"metal": metal, "smiles": lig.smiles, "smiles_input": smiles_in, **conditions}
        )
        values.append(row_values)

    X = pd.DataFrame(records, columns=["metal", "smiles", "smiles_input", *CONDITION_COLUMNS])
    for name in CONDITION_COLUMNS:
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
            f"no {' / '.join(absent)} column: the models use the standard conditions (25 C, 0.1 M)"
        )
    if ignored:
        report.notes.append(f"columns ignored: {ignored}")
    report.check()
    if return_report:
        return X, y, report
    return X, y


#: Names ``load_training_data`` (and ``--data``) accepts besides a path.
DATA_NAMES = ("corpus", "minteq")


def corpus_available(data_home: str | os.PathLike[str] | None = None) -> bool:
    """Whether the data home holds every file :func:`~skmetalpka.datasets.load_corpus` reads."""
    from ._home import get_data_home
    from .logkpredict import LOGKPREDICT_IUPAC_FILENAME, LOGKPREDICT_NIST_FILENAME
    from .nist46 import NIST46_FILENAME

    home = get_data_home(data_home)
    return all(
        (home / name).is_file()
        for name in (NIST46_FILENAME, LOGKPREDICT_NIST_FILENAME, LOGKPREDICT_IUPAC_FILENAME)
    )


def load_training_data(
    path: str | os.PathLike[str] | None = None,
) -> tuple[pd.DataFrame, np.ndarray, DataReport]:
    """Load training or test data in any layout the CLI accepts.

    Parameters
    ----------
    path : str, path-like or None
        ``None``: the multi-source corpus (:func:`skmetalpka.datasets.load_corpus`) when the
        data home (``$SKMETALPKA_DATA_HOME``) holds its files, else the embedded MINTEQ data
        (:func:`skmetalpka.datasets.load_minteq`). ``"corpus"``: the corpus (an error when
        its files are missing). ``"minteq"``: the embedded MINTEQ data. A folder: the NIST
        table in it (:func:`skmetalpka.datasets.load_nist46`). A CSV file: the NIST layout or
        the simple layout, detected from the header (:func:`detect_layout`). An existing file
        or folder of that name wins over the names.

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
    from .corpus import load_corpus
    from .minteq import load_minteq
    from .nist46 import load_nist46

    name = None if path is None else str(path).strip().lower()
    if name in DATA_NAMES and not Path(str(path)).expanduser().exists():
        path = None
    if path is None:
        if name == "minteq" or (name is None and not corpus_available()):
            return load_minteq(return_report=True)  # type: ignore[return-value]
        if not corpus_available():
            raise InputError(
                "--data corpus needs nist46_metal_binding.csv, logkpredict_nist_k1.csv and "
                "logkpredict_iupac_lanthanides_k1.csv in the data home; set "
                "SKMETALPKA_DATA_HOME to the folder holding them"
            )
        try:
            return load_corpus(return_report=True)  # type: ignore[return-value]
        except (FileNotFoundError, ValueError) as exc:
            raise InputError(f"could not load the corpus: {exc}") from exc
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
    from ..ions import canonical_or_none
    from .proton import load_nist46_proton

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
