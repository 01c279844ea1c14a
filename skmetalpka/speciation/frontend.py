"""The public entry point :func:`speciate`: checks the inputs, runs an engine, builds the frame."""

from __future__ import annotations

import math
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from .conditional import speciation_columns
from .numpy_engine import _numpy_engine
from .phreeqc_engine import _phreeqc_engine
from .validation import (
    _TEMPERATURE_RANGE,
    ACTIVITY_MODELS,
    ENGINES,
    _check_charge,
    _check_constants,
    _check_metal,
    _check_ph,
    _check_positive,
)


def speciate(
    log_beta: Sequence[float],
    metal: str,
    *,
    protonation: Sequence[float] = (),
    ligand_charge: int = 0,
    ph: Any = None,
    metal_conc: float = 1e-3,
    ligand_conc: float = 3e-3,
    temperature: float = 25.0,
    ionic_strength: float | None = None,
    activity: str | None = None,
    engine: str = "phreeqc",
    database: str | Path | None = None,
) -> pd.DataFrame:
    """Fractions of the metal and of the ligand species versus pH.

    See the module docstring for the chemistry, the engines and the activity models.

    Parameters
    ----------
    log_beta : sequence of float
        Cumulative log10 beta_1..N of ``M + n L = ML_n``. Trailing NaN = no such complex; a NaN
        before a number raises.
    metal : str
        Metal ion such as ``"Cu2+"`` (any spelling accepted by
        :func:`skmetalpka.ions.parse_ion`).
    protonation : sequence of float, default=()
        Cumulative log10 beta^H_1..m of ``L + j H = H_jL`` (trailing NaN ignored).
    ligand_charge : int, default=0
        Charge of the fully deprotonated ligand L (ethylenediamine 0, glycinate -1, oxalate
        -2). Only matters with ``activity="davies"``.
    ph : float or array-like, optional
        pH values in [0, 14]; default :func:`default_ph_grid` (2 to 12, step 0.1).
    metal_conc, ligand_conc : float, default=1e-3, 3e-3
        Total metal and ligand concentrations (mol/L, > 0).
    temperature : float, default=25.0
        deg C in [0, 100]; passed to PHREEQC (water ion product and Davies A). The constants
        themselves are not temperature-corrected. Not used by the NumPy engine.
    ionic_strength : float, optional
        mol/kgw of inert 1:1 background electrolyte (``activity="davies"`` only).
    activity : {"ideal", "davies"}, optional
        Default ``"ideal"`` without a database and ``"davies"`` (the database's own model)
        with one. ``"ideal"`` with a database raises.
    engine : {"phreeqc", "numpy"}, default="phreeqc"
        Equilibrium solver. ``"numpy"`` supports only ``activity="ideal"`` without a
        database.
    database : str or Path, optional
        None: minimal self-written database (no metal hydrolysis). Otherwise the name of a
        database shipped with :mod:`phreeqc` (e.g. ``"phreeqc.dat"``, ``"minteq.v4.dat"``) or a
        database file; the metal hydrolyses and ``M:other`` is added.

    Returns
    -------
    pandas.DataFrame
        One row per pH: ``pH``, ``M:free``, ``M:ML``, ``M:ML2``, ... (``M:other``) as fractions
        of the total metal and ``L:free``, ``L:HL``, ``L:H2L``, ..., ``L:bound`` as fractions of
        the total ligand. ``attrs`` records the inputs.

    Raises
    ------
    ValueError
        For a NaN inside ``log_beta`` / ``protonation``, an unknown metal
        (:class:`~skmetalpka.ions.UnknownMetalError`), a non-positive concentration, a pH
        outside [0, 14], an unknown engine / activity, an inconsistent combination of options,
        or a metal the database does not define.
    RuntimeError
        When PHREEQC fails to converge (the message holds its error text).

    Examples
    --------
    >>> frame = speciate([10.5, 19.6], "Cu2+", protonation=[9.93, 17.01], ph=[2.0, 10.0])
    >>> frame["M:free"].round(3).tolist()
    [1.0, 0.0]
    """
    if engine not in ENGINES:
        raise ValueError(f"engine must be one of {ENGINES}, got {engine!r}")
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
    if ionic_strength is not None:
        if activity == "ideal":
            raise ValueError(
                "ionic_strength only sets the background electrolyte for activity corrections; "
                "with activity='ideal' the constants are concentration constants and it has no "
                "effect: drop it, or use activity='davies' with thermodynamic constants"
            )
        try:
            ionic_strength = float(ionic_strength)
        except (TypeError, ValueError) as exc:
            raise ValueError(
                f"ionic_strength must be a number (mol/kgw), got {ionic_strength!r}"
            ) from exc
        if not math.isfinite(ionic_strength) or not 0 <= ionic_strength <= 5:
            raise ValueError(f"ionic_strength must be in [0, 5] mol/kgw, got {ionic_strength!r}")
    beta = _check_constants(log_beta, "log_beta", allow_empty=False)
    prot = _check_constants(protonation, "protonation", allow_empty=True)
    symbol, z_m, ion = _check_metal(metal)
    z_l = _check_charge(ligand_charge)
    ph_arr = _check_ph(ph)
    m_t = _check_positive(metal_conc, "metal_conc")
    l_t = _check_positive(ligand_conc, "ligand_conc")
    try:
        temp = float(temperature)
    except (TypeError, ValueError) as exc:
        raise ValueError(f"temperature must be a number (deg C), got {temperature!r}") from exc
    if not _TEMPERATURE_RANGE[0] <= temp <= _TEMPERATURE_RANGE[1]:
        raise ValueError(
            f"temperature must be in [{_TEMPERATURE_RANGE[0]:g}, {_TEMPERATURE_RANGE[1]:g}] "
            f"deg C, got {temperature!r}"
        )

    if engine == "numpy":
        metal_frac, lig_frac = _numpy_engine(beta, prot, ph_arr, m_t, l_t)
    else:
        metal_frac, lig_frac = _phreeqc_engine(
            beta, prot, ph_arr, symbol, z_m, z_l, m_t, l_t, temp, ionic_strength, activity,
            database,
        )  # fmt: skip
    metal_cols, lig_cols = speciation_columns(beta.size, prot.size, other=database is not None)
    frame = pd.DataFrame(
        np.column_stack([ph_arr, metal_frac, lig_frac]), columns=["pH", *metal_cols, *lig_cols]
    )
    frame.attrs.update(
        metal=ion,
        log_beta=beta.tolist(),
        protonation=prot.tolist(),
        ligand_charge=z_l,
        metal_conc=m_t,
        ligand_conc=l_t,
        temperature=temp,
        ionic_strength=ionic_strength,
        activity=activity,
        engine=engine,
        database=None if database is None else str(database),
    )
    return frame
