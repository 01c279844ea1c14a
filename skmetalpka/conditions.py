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
    "davies_a",
    "complexation_delta_z2",
    "ionic_strength_shift",
    "IONIC_STRENGTH_MODELS",
    "DEFAULT_TEMPERATURE",
    "DEFAULT_IONIC_STRENGTH",
    "CONDITION_COLUMNS",
    "condition_value",
    "check_input_frame",
]

DEFAULT_TEMPERATURE = 25.0
DEFAULT_IONIC_STRENGTH = 0.1
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


#: How a model treats ionic strength: ``"davies"`` learns constants at I = 0 and applies the
#: Davies equation from the reaction's charges; ``"learned"`` feeds I to the network as is.
IONIC_STRENGTH_MODELS = ("davies", "learned")


def davies_a(temperature: Any) -> Any:
    """Debye-Hückel ``A`` of water (kg^1/2 mol^-1/2) at ``temperature`` (deg C).

    A quadratic through the tabulated values 0.4913 (0 deg C), 0.5092 (25 deg C) and 0.5336
    (50 deg C) (Helgeson's tables): ``A = 0.4913 + 5.86e-4 T + 5.2e-6 T^2``; it also gives
    0.602 at 100 deg C (table 0.6006).
    """
    import numpy as np

    t = np.asarray(temperature, dtype=float)
    return 0.4913 + 5.86e-4 * t + 5.2e-6 * t * t


def complexation_delta_z2(z_metal: Any, z_ligand: Any, n_steps: int, proton: Any = False) -> Any:
    """``sum z^2 (products) - sum z^2 (reactants)`` of the cumulative reactions, n = 1..N.

    For a metal, ``M^zM + n L^zL = ML_n``: ``(zM + n zL)^2 - zM^2 - n zL^2``. For a proton row
    (the cumulative protonation constants of the ligand, ``L^zL + n H+ = H_nL``):
    ``(zL + n)^2 - zL^2 - n``.

    Parameters
    ----------
    z_metal, z_ligand : array-like of shape (n_rows,)
    n_steps : int
    proton : array-like of bool, shape (n_rows,)

    Returns
    -------
    numpy.ndarray of shape (n_rows, n_steps)
    """
    import numpy as np

    zm = np.asarray(z_metal, dtype=float).reshape(-1, 1)
    zl = np.asarray(z_ligand, dtype=float).reshape(-1, 1)
    h = np.broadcast_to(np.asarray(proton, dtype=bool).reshape(-1, 1), zm.shape)
    n = np.arange(1, n_steps + 1, dtype=float).reshape(1, -1)
    metal = (zm + n * zl) ** 2 - zm**2 - n * zl**2
    protons = (zl + n) ** 2 - zl**2 - n
    return np.where(h, protons, metal)


def ionic_strength_shift(
    z_metal: Any,
    z_ligand: Any,
    ionic_strength: Any,
    n_steps: int,
    *,
    temperature: Any = DEFAULT_TEMPERATURE,
    proton: Any = False,
) -> Any:
    """``log beta_n(I) - log beta_n(I = 0)`` of every row and step by the Davies equation.

    ``log beta_n(I) = log beta_n(0) + A(T) * delta_z2_n * f(I)`` with
    ``f(I) = sqrt(I) / (1 + sqrt(I)) - 0.3 I`` (:func:`davies_a`,
    :func:`complexation_delta_z2`). The Davies equation is meant for I up to about 0.5 M.

    Returns
    -------
    numpy.ndarray of shape (n_rows, n_steps)
    """
    import numpy as np

    i = np.clip(np.asarray(ionic_strength, dtype=float).reshape(-1, 1), 0.0, None)
    r = np.sqrt(i)
    f = r / (1.0 + r) - 0.3 * i
    a = (
        davies_a(np.asarray(temperature, dtype=float)).reshape(-1, 1)
        if np.ndim(temperature)
        else davies_a(temperature)
    )
    return a * complexation_delta_z2(z_metal, z_ligand, n_steps, proton) * f
