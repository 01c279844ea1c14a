"""Input layout and measurement conditions: the one definition (torch-free).

Every estimator takes a DataFrame with ``metal`` and ``smiles`` and, optionally,
``temperature`` (deg C) and ``ionic_strength`` (M). A missing column or a missing value means
the standard conditions of the NIST table, 25 deg C and 0.1 M.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

import pandas as pd

__all__ = [
    "davies_shift",
    "DEFAULT_TEMPERATURE",
    "DEFAULT_IONIC_STRENGTH",
    "CONDITION_COLUMNS",
    "condition_value",
    "check_input_frame",
]

#: Temperature (deg C) assumed when a row gives none.
DEFAULT_TEMPERATURE = 25.0
#: Ionic strength (mol/L) assumed when a row gives none.
DEFAULT_IONIC_STRENGTH = 0.1
#: Optional condition columns of ``X``, in the order the models use them.
CONDITION_COLUMNS = ("temperature", "ionic_strength")


def condition_value(value: Any, default: float, name: str) -> tuple[float, str]:
    """``(value, error)`` for one condition cell; None/NaN give ``default``, error '' when fine."""
    if value is None or value is pd.NA:
        return default, ""
    try:
        v = float(value)
    except (TypeError, ValueError):
        return math.nan, f"{name}: {value!r} is not a number"
    if math.isnan(v):
        return default, ""
    if not math.isfinite(v):
        return math.nan, f"{name}: {value!r} is not finite"
    if name == "ionic_strength" and v < 0:
        return math.nan, f"ionic_strength: {v} is negative"
    if name == "temperature" and v <= -273.15:
        return math.nan, f"temperature: {v} deg C is below absolute zero"
    return v, ""


def check_input_frame(X: Any, *, required: Sequence[str] = ("metal", "smiles")) -> pd.DataFrame:
    """Validate that ``X`` is a DataFrame with the required columns; return it.

    Raises
    ------
    TypeError, ValueError
        With a message naming what is missing and the expected layout.
    """
    if not isinstance(X, pd.DataFrame):
        raise TypeError(
            f"X must be a pandas DataFrame with columns {list(required)} (optional: "
            f"temperature, ionic_strength, binding_sites), got {type(X).__name__}"
        )
    missing = [c for c in required if c not in X.columns]
    if missing:
        raise ValueError(
            f"X is missing required column(s) {missing}; it has {list(X.columns)}. Expected "
            "columns 'metal' (ion such as 'Cu2+') and 'smiles' (ligand SMILES)"
        )
    return X


def davies_shift(
    delta_z2: float, ionic_strength: Any, *, reference: float = 0.0, a: float = 0.509
) -> Any:
    """Change of log K between two ionic strengths by the Davies equation.

    For a reaction with ``delta_z2 = sum z^2 (products) - sum z^2 (reactants)``,
    ``log K(I) = log K(0) + a * delta_z2 * f(I)`` with
    ``f(I) = sqrt(I) / (1 + sqrt(I)) - 0.3 I`` (``a`` = 0.509 at 25 deg C). Returns
    ``log K(I) - log K(reference)``.

    Parameters
    ----------
    delta_z2 : float
        E.g. -2 for H+ + L- = HL, -4 for Cu2+ + L- = CuL+.
    ionic_strength : float or array-like
        mol/L (the Davies equation is meant for I up to about 0.5 M).
    reference : float, default=0.0
    a : float, default=0.509

    Returns
    -------
    float or numpy.ndarray
    """
    import numpy as np

    def f(i: Any) -> Any:
        r = np.sqrt(np.asarray(i, dtype=float))
        return r / (1 + r) - 0.3 * np.asarray(i, dtype=float)

    return a * float(delta_z2) * (f(ionic_strength) - f(reference))
