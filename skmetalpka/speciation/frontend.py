"""The public entry point :func:`speciate`: checks the inputs, runs an engine, builds the frame."""

from __future__ import annotations

import warnings
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from .conditional import speciation_columns
from .hydrolysis import (
    HydrolysisPhase,
    HydrolysisSpecies,
    HydrolysisWarning,
    hydrolysis_data,
    hydroxo_columns,
    select_phases,
)
from .numpy_engine import _numpy_engine
from .phreeqc_engine import _phreeqc_engine
from .validation import (
    _check_charge,
    _check_constants,
    _check_metal,
    _check_options,
    _check_ph,
    _check_positive,
    _check_temperature,
)


def _hydrolysis(
    metal: str,
    hydrolysis: bool | str,
    hydrolysis_database: Any,
    database: Any,
    precipitation: Any,
    temperature: float,
    engine: str,
) -> tuple[tuple[HydrolysisSpecies, ...], list[HydrolysisPhase], dict[str, Any]]:
    """(hydroxo complexes, phases, attrs) of the chosen hydrolysis; warns where data lack."""
    if hydrolysis is False:
        info = dict(hydrolysis_source=None, hydrolysis_species=[], precipitation=[])
        return (), [], {**info, "hydrolysis_note": "hydrolysis=False: not modelled"}
    chain = database if database is not None else hydrolysis_database
    data = hydrolysis_data(metal, database=chain, temperature=temperature)
    phases = select_phases(data, precipitation)
    species = data.species if hydrolysis is True else data.mononuclear
    note = data.note
    if database is None and not data.species:
        warnings.warn(note, HydrolysisWarning, stacklevel=3)
    if engine == "numpy" and any(sp.p > 1 for sp in species):
        left = ", ".join(sp.name for sp in species if sp.p > 1)
        note += (
            f"; engine='numpy' models mononuclear complexes only: {left} left out (use "
            "engine='phreeqc', or hydrolysis='mononuclear' to compare the engines)"
        )
        warnings.warn(note, HydrolysisWarning, stacklevel=3)
        species = tuple(sp for sp in species if sp.p == 1)
    names = [sp.name for sp in species]
    if database is not None:
        species = ()  # the database's own species, reported together as M:other
    info = dict(
        hydrolysis_source=data.database if data.species or phases else None,
        hydrolysis_species=names,
        precipitation=[ph.name for ph in phases],
        hydrolysis_note=note,
    )
    return species, phases, info


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
    hydrolysis: bool | str = True,
    hydrolysis_database: Any = None,
    precipitation: Any = "hydroxide",
) -> pd.DataFrame:
    """Fractions of the metal and of the ligand species versus pH.

    See the package docstring (:mod:`skmetalpka.speciation`) for the chemistry, the engines,
    the hydrolysis data and the activity models.

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
        deg C in [0, 100]; passed to PHREEQC (water ion product and Davies A) and used for the
        hydrolysis constants (the database's delta_h / analytical expressions). The ligand
        constants themselves are not temperature-corrected.
    ionic_strength : float, optional
        mol/kgw of inert 1:1 background electrolyte (``activity="davies"`` only).
    activity : {"ideal", "davies"}, optional
        Default ``"ideal"`` without a database and ``"davies"`` (the database's own model)
        with one. ``"ideal"`` with a database raises.
    engine : {"phreeqc", "numpy"}, default="phreeqc"
        Equilibrium solver. ``"numpy"`` supports only ``activity="ideal"`` without a
        database, and mononuclear hydroxo complexes only (polynuclear ones are left out with
        a :class:`HydrolysisWarning`).
    database : str or Path, optional
        None: the minimal self-written database (water, the metal, its hydrolysis, the
        ligand). Otherwise the name of a database shipped with :mod:`phreeqc` (e.g.
        ``"phreeqc.dat"``, ``"minteq.v4.dat"``) or a database file to which the ligand is
        added: the metal then forms every species of that database (column ``M:other``).
    hydrolysis : {True, False, "mononuclear"}, default=True
        Metal hydrolysis with the minimal database: every hydroxo complex of the hydrolysis
        database (True), the mononuclear ones only, or none (False: the results of the
        versions before hydrolysis, and no precipitation).
    hydrolysis_database : str, Path or sequence, optional
        Database, or chain searched in turn, for the hydrolysis constants and phases (default
        :data:`DEFAULT_HYDROLYSIS_DATABASES`: minteq.v4, llnl, Thermoddem). A metal none of
        them has is speciated without hydrolysis, with a :class:`HydrolysisWarning`.
    precipitation : {"hydroxide", "all", "none"} or sequence of str, default="hydroxide"
        Which hydroxide / oxide phases may precipitate (:func:`select_phases`): by default
        the metal hydroxide that forms first (e.g. Ferrihydrite, Al(OH)3(am), Cu(OH)2).

    Returns
    -------
    pandas.DataFrame
        One row per pH: ``pH``; ``M:free``, ``M:ML``, ``M:ML2``, ..., the hydroxo complexes
        ``M:MOH``, ``M:M(OH)2``, ..., ``M:M2(OH)2``, ... (one per p, n of M_p(OH)_n), ``M:solid``
        (when a phase may precipitate) and ``M:other`` (with ``database``) as fractions of the
        total metal (they sum to 1); ``L:free``, ``L:HL``, ..., ``L:bound`` as fractions of the
        total ligand. ``attrs`` records the inputs and the hydrolysis used:
        ``hydrolysis_source`` (the database that supplied it, None when none did),
        ``hydrolysis_species``, ``precipitation`` (phases allowed) and ``hydrolysis_note``.

    Raises
    ------
    ValueError
        For a NaN inside ``log_beta`` / ``protonation``, an unknown metal
        (:class:`~skmetalpka.ions.UnknownMetalError`), a non-positive concentration, a pH
        outside [0, 14], an unknown engine / activity / hydrolysis / phase, an inconsistent
        combination of options, or a metal the database does not define.
    RuntimeError
        When PHREEQC fails to converge (the message holds its error text).

    Warns
    -----
    HydrolysisWarning
        When no hydrolysis database has the metal (hydrolysis not modelled), or when the NumPy
        engine leaves polynuclear complexes out.

    Examples
    --------
    >>> frame = speciate([10.5, 19.6], "Cu2+", protonation=[9.93, 17.01], ph=[2.0, 10.0])
    >>> frame["M:free"].round(3).tolist()
    [1.0, 0.0]
    >>> frame.attrs["hydrolysis_source"]
    'minteq.v4.dat'
    """
    activity, ionic_strength, hydrolysis = _check_options(
        engine, activity, database, ionic_strength, hydrolysis, hydrolysis_database
    )
    beta = _check_constants(log_beta, "log_beta", allow_empty=False)
    prot = _check_constants(protonation, "protonation", allow_empty=True)
    symbol, z_m, ion = _check_metal(metal)
    z_l = _check_charge(ligand_charge)
    ph_arr = _check_ph(ph)
    m_t = _check_positive(metal_conc, "metal_conc")
    l_t = _check_positive(ligand_conc, "ligand_conc")
    temp = _check_temperature(temperature)
    species, phases, info = _hydrolysis(
        ion, hydrolysis, hydrolysis_database, database, precipitation, temp, engine
    )

    if engine == "numpy":
        columns = hydroxo_columns(species)
        hydroxo = [
            (int(col_sp[0].n), float(np.log10(sum(10.0**sp.log_k for sp in col_sp))))
            for col_sp in ([sp for sp in species if sp.column == col] for col in columns)
        ]
        solid = min(ph_.log_k_per_metal for ph_ in phases) if phases else None
        metal_frac, lig_frac = _numpy_engine(beta, prot, ph_arr, m_t, l_t, hydroxo, solid, z_m)
    else:
        metal_frac, lig_frac = _phreeqc_engine(
            beta, prot, ph_arr, symbol, z_m, z_l, m_t, l_t, temp, ionic_strength, activity,
            database, species, phases,
        )  # fmt: skip
    metal_cols, lig_cols = speciation_columns(
        beta.size,
        prot.size,
        other=database is not None,
        hydroxo=hydroxo_columns(species),
        solid=bool(phases),
    )
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
        hydrolysis=hydrolysis,
        **info,
    )
    return frame
