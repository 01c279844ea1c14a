"""Input rows: parse and validate ``metal``, ``smiles`` and conditions of every row.

:func:`row_errors` gives the reason each row cannot be used (``''`` when valid); every
estimator, the row-safe prediction (:mod:`skmetalpka.inference`) and the CLI use it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from ..chem import InvalidLigandError, Ligand, standardize_ligand
from ..conditions import (
    CONDITION_COLUMNS,
    DEFAULT_IONIC_STRENGTH,
    DEFAULT_TEMPERATURE,
    check_input_frame,
    condition_value,
)
from ..ions import UnknownMetalError
from .metals import metal_descriptors

__all__ = ["row_errors"]

_MAX_LISTED = 5  # rows named in an error message


# --------------------------------------------------------------------------------------
# row parsing (shared by the featurisers and row_errors)
# --------------------------------------------------------------------------------------
@dataclass
class _Rows:
    index: list[Any]
    metals: list[Any]
    smiles: list[Any]
    metal_x: list[np.ndarray | None]
    ligands: list[Ligand | None]
    conditions: np.ndarray  # (n, 2)
    errors: list[str]

    @property
    def valid(self) -> np.ndarray:
        return np.array([e == "" for e in self.errors], dtype=bool)


def _parse_rows(X: Any) -> _Rows:
    X = check_input_frame(X)
    n = len(X)
    metals = X["metal"].tolist()
    smiles = X["smiles"].tolist()
    cond_cols = [X[c].tolist() if c in X.columns else [None] * n for c in CONDITION_COLUMNS]
    defaults = (DEFAULT_TEMPERATURE, DEFAULT_IONIC_STRENGTH)
    metal_x: list[np.ndarray | None] = []
    ligands: list[Ligand | None] = []
    conditions = np.empty((n, 2), dtype=np.float64)
    errors: list[str] = []
    for i in range(n):
        reasons = []
        try:
            metal_x.append(metal_descriptors(metals[i]))
        except UnknownMetalError as exc:
            metal_x.append(None)
            reasons.append(f"metal: {exc}")
        try:
            ligands.append(standardize_ligand(smiles[i]))
        except InvalidLigandError as exc:
            ligands.append(None)
            reasons.append(f"smiles: {exc}")
        for j, name in enumerate(CONDITION_COLUMNS):
            conditions[i, j], err = condition_value(cond_cols[j][i], defaults[j], name)
            if err:
                reasons.append(err)
        errors.append("; ".join(reasons))
    return _Rows(list(X.index), metals, smiles, metal_x, ligands, conditions, errors)


def row_errors(X: pd.DataFrame) -> pd.Series:
    """Why each row of ``X`` cannot be used (``''`` for a valid row).

    Parameters
    ----------
    X : pandas.DataFrame
        Columns ``metal``, ``smiles`` and optionally ``temperature``, ``ionic_strength``.

    Returns
    -------
    pandas.Series of str
        Indexed like ``X``; each non-empty entry names the bad field(s) (``metal:``,
        ``smiles:``, ``temperature:``, ``ionic_strength:``) and the reason.
    """
    rows = _parse_rows(X)
    return pd.Series(rows.errors, index=X.index, dtype=object, name="error")


def _describe_bad_rows(rows: _Rows, bad: np.ndarray) -> str:
    where = np.flatnonzero(bad)
    lines = [
        f"row {rows.index[i]!r} (metal={rows.metals[i]!r}, smiles={rows.smiles[i]!r}): "
        f"{rows.errors[i]}"
        for i in where[:_MAX_LISTED]
    ]
    more = f" (and {where.size - _MAX_LISTED} more)" if where.size > _MAX_LISTED else ""
    return f"{where.size} invalid row(s){more}:\n  " + "\n  ".join(lines)


def _check_y(y: Any, n: int) -> np.ndarray:
    if y is None:
        raise ValueError(
            "y is required: pass the cumulative log beta targets, shape (n_samples, N), with "
            "NaN for unmeasured steps"
        )
    try:
        arr = np.asarray(y, dtype=np.float64)
    except (TypeError, ValueError) as exc:
        raise ValueError(
            "y must be a numeric array (n_samples, N) of cumulative log beta with NaN for "
            f"unmeasured steps (pad shorter rows with NaN); could not convert it: {exc}"
        ) from exc
    if arr.ndim == 1:
        arr = arr[:, None]
    if arr.ndim != 2:
        raise ValueError(f"y must be 1-D or 2-D (n_samples, N); got shape {arr.shape}")
    if arr.shape[0] != n:
        raise ValueError(f"X has {n} rows but y has {arr.shape[0]}; they must match")
    if arr.shape[1] == 0:
        raise ValueError("y has no column; it needs at least log beta_1")
    if np.isinf(arr).any():
        raise ValueError("y contains +/-inf; use NaN for unmeasured steps")
    return arr
