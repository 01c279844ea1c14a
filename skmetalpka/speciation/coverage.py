"""Which metal ions the hydrolysis databases cover (for reports and the user guide)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import pandas as pd

from ..ions import OXO_CATIONS, format_ion, parse_ion
from .hydrolysis import _chain, hydrolysis_data, select_phases
from .reactions import load_database

__all__ = ["hydrolysis_coverage"]


def hydrolysis_coverage(database: Any = None, *, ions: Sequence[str] | None = None) -> pd.DataFrame:
    """Which metal ions have hydrolysis data, and from which database.

    Parameters
    ----------
    database : str, Path or sequence, optional
        As :func:`hydrolysis_data` (default chain).
    ions : sequence of str, optional
        Ions to report; default every single-element cation that some database of the chain
        defines, and the oxo-cations of :data:`skmetalpka.ions.OXO_CATIONS`.

    Returns
    -------
    pandas.DataFrame
        ``metal``, ``database``, ``mononuclear`` and ``polynuclear`` (species names),
        ``phases`` (all hydroxide / oxide phases) and ``default_phase``
        (:func:`select_phases` ``"hydroxide"``), one row per ion, sorted by element.
    """
    chain = _chain(database)
    if ions is None:
        found = set()
        for name in chain:
            db = load_database(name)
            for sp in db.species:
                parsed = db.compositions.get(sp)
                if parsed is None or len(parsed[0]) != 1 or parsed[1] <= 0:
                    continue
                (symbol, count), charge = next(iter(parsed[0].items())), parsed[1]
                if count == 1 and symbol != "H":
                    try:
                        found.add(format_ion(symbol, charge))
                    except ValueError:
                        continue
        found |= {oxo.canonical for oxo in OXO_CATIONS.values()}
        ions = sorted(found, key=lambda s: (parse_ion(s)[0], parse_ion(s)[1]))
    rows = []
    for ion in ions:
        data = hydrolysis_data(ion, database=chain)
        default = select_phases(data, "hydroxide")
        rows.append(
            {
                "metal": data.metal,
                "database": data.database,
                "mononuclear": [s.name for s in data.mononuclear],
                "polynuclear": [s.name for s in data.polynuclear],
                "phases": [ph.name for ph in data.phases],
                "default_phase": default[0].name if default else None,
            }
        )
    return pd.DataFrame(rows)
