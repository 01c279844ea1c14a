"""Validation of the inputs of :func:`~skmetalpka.speciation.speciate` (one clear error each)."""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from ..ions import format_ion, parse_ion

ENGINES = ("phreeqc", "numpy")
ACTIVITY_MODELS = ("ideal", "davies")
#: Values of ``hydrolysis``: every hydroxo complex of the database, none, mononuclear only.
HYDROLYSIS_CHOICES = (True, False, "mononuclear")

_PH_RANGE = (0.0, 14.0)
_TEMPERATURE_RANGE = (0.0, 100.0)
_MAX_ABS_CHARGE = 10


def default_ph_grid() -> np.ndarray:
    """The default pH grid: 101 points from 2 to 12 (step 0.1)."""
    return np.linspace(2.0, 12.0, 101)


def _check_constants(values: Any, name: str, *, allow_empty: bool) -> np.ndarray:
    """1-D float array of cumulative log constants with trailing NaN removed."""
    if values is None:
        values = ()
    try:
        arr = np.asarray(values, dtype=float)
    except (TypeError, ValueError) as exc:
        raise ValueError(
            f"{name} must be a sequence of numbers (cumulative log10 constants), got {values!r}"
        ) from exc
    if arr.ndim == 0:
        arr = arr.reshape(1)
    if arr.ndim != 1:
        raise ValueError(f"{name} must be 1-D (one cumulative constant per step), got {arr.shape}")
    if np.isinf(arr).any():
        raise ValueError(
            f"{name} contains an infinite value: {arr.tolist()}; give finite log10 values"
        )
    finite = ~np.isnan(arr)
    n = int(np.flatnonzero(finite).max()) + 1 if finite.any() else 0
    if not finite[:n].all():
        bad = int(np.flatnonzero(~finite[:n])[0]) + 1
        raise ValueError(
            f"{name} has a NaN at step {bad} followed by a value at step {n}: {arr.tolist()}; "
            "steps must be contiguous from 1 (NaN only at the end means 'no such species')"
        )
    if n == 0 and not allow_empty:
        raise ValueError(f"{name} has no finite value ({arr.tolist()}); give at least log beta_1")
    return arr[:n].copy()


def _check_ph(ph: Any) -> np.ndarray:
    if ph is None:
        return default_ph_grid()
    try:
        arr = np.asarray(ph, dtype=float)
    except (TypeError, ValueError) as exc:
        raise ValueError(f"ph must be a number or a sequence of numbers, got {ph!r}") from exc
    if arr.ndim == 0:
        arr = arr.reshape(1)
    if arr.ndim != 1 or arr.size == 0:
        raise ValueError(f"ph must be a non-empty 1-D sequence of pH values, got shape {arr.shape}")
    lo, hi = _PH_RANGE
    bad = ~np.isfinite(arr) | (arr < lo) | (arr > hi)
    if bad.any():
        raise ValueError(
            f"{int(bad.sum())} pH value(s) are not finite numbers in [{lo:g}, {hi:g}] "
            f"(first: {arr[bad][0]!r}); give pH values between {lo:g} and {hi:g}"
        )
    return arr.copy()


def _check_positive(value: Any, name: str) -> float:
    try:
        v = float(value)
    except (TypeError, ValueError) as exc:
        raise ValueError(f"{name} must be a number (mol/L), got {value!r}") from exc
    if not math.isfinite(v) or v <= 0:
        raise ValueError(f"{name} must be a finite concentration > 0 (mol/L), got {value!r}")
    if v > 10:
        raise ValueError(f"{name} = {v:g} mol/L is not a realistic concentration; give mol/L <= 10")
    return v


def _check_metal(metal: str) -> tuple[str, int, str]:
    symbol, charge = parse_ion(metal)  # UnknownMetalError (a ValueError) with the reason
    if symbol == "H":
        raise ValueError(
            "metal 'H+' is the proton: give its constants as `protonation`, and a metal cation "
            "such as 'Cu2+' as `metal`"
        )
    return symbol, charge, format_ion(symbol, charge)


def _check_charge(ligand_charge: Any) -> int:
    if isinstance(ligand_charge, bool) or not isinstance(ligand_charge, int | np.integer):
        raise ValueError(
            f"ligand_charge must be an integer (charge of the fully deprotonated ligand L), "
            f"got {ligand_charge!r}"
        )
    if abs(int(ligand_charge)) > _MAX_ABS_CHARGE:
        raise ValueError(
            f"ligand_charge {ligand_charge} is outside [-{_MAX_ABS_CHARGE}, {_MAX_ABS_CHARGE}]"
        )
    return int(ligand_charge)


def _check_options(
    engine: str,
    activity: str | None,
    database: Any,
    ionic_strength: Any,
    hydrolysis: Any,
    hydrolysis_database: Any,
) -> tuple[str, float | None, bool | str]:
    """(activity, ionic_strength, hydrolysis) after checking that the options go together."""
    if engine not in ENGINES:
        raise ValueError(f"engine must be one of {ENGINES}, got {engine!r}")
    if isinstance(hydrolysis, np.bool_):
        hydrolysis = bool(hydrolysis)
    if not isinstance(hydrolysis, bool) and not (
        isinstance(hydrolysis, str) and hydrolysis in HYDROLYSIS_CHOICES
    ):
        raise ValueError(
            f"hydrolysis must be one of {HYDROLYSIS_CHOICES} (True: every hydroxo complex of "
            f"the database), got {hydrolysis!r}"
        )
    if database is not None and (hydrolysis is not True or hydrolysis_database is not None):
        raise ValueError(
            "with database=... the metal hydrolyses as that database defines it; "
            "hydrolysis=False / 'mononuclear' and hydrolysis_database are for the minimal "
            "database (database=None)"
        )
    if activity is None:
        activity = "ideal" if database is None else "davies"
    if activity not in ACTIVITY_MODELS:
        raise ValueError(f"activity must be one of {ACTIVITY_MODELS}, got {activity!r}")
    if activity == "ideal" and database is not None:
        raise ValueError(
            "activity='ideal' is only available with the minimal database (database=None); a "
            "PHREEQC database brings its own activity model: use activity='davies'"
        )
    if engine == "numpy" and (activity != "ideal" or database is not None):
        raise ValueError(
            "engine='numpy' solves the ideal mass balance without a database; use "
            "engine='phreeqc' for activity='davies' or a database"
        )
    if ionic_strength is None:
        return activity, None, hydrolysis
    if activity == "ideal":
        raise ValueError(
            "ionic_strength only sets the background electrolyte for activity corrections; "
            "with activity='ideal' the constants are concentration constants and it has no "
            "effect: drop it, or use activity='davies' with thermodynamic constants"
        )
    try:
        value = float(ionic_strength)
    except (TypeError, ValueError) as exc:
        raise ValueError(
            f"ionic_strength must be a number (mol/kgw), got {ionic_strength!r}"
        ) from exc
    if not math.isfinite(value) or not 0 <= value <= 5:
        raise ValueError(f"ionic_strength must be in [0, 5] mol/kgw, got {ionic_strength!r}")
    return activity, value, hydrolysis


def _check_temperature(temperature: Any) -> float:
    try:
        temp = float(temperature)
    except (TypeError, ValueError) as exc:
        raise ValueError(f"temperature must be a number (deg C), got {temperature!r}") from exc
    lo, hi = _TEMPERATURE_RANGE
    if not lo <= temp <= hi:
        raise ValueError(f"temperature must be in [{lo:g}, {hi:g}] deg C, got {temperature!r}")
    return temp
