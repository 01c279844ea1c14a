"""Metal families: the periodic-table groups in which results are reported and calibrated.

=======================  ==============================================================
family                   ions
=======================  ==============================================================
``proton``               H+
``alkali/alkaline``      groups 1 and 2 (Li+ ... Cs+, Be2+ ... Ba2+, Ra2+)
``3d transition``        Ti ... Zn (Z = 22-30)
``4d/5d/post``           4d and 5d transition metals (Zr ... Cd, Hf ... Hg) and the
                         post-transition / p-block metals (Al, Ga, In, Tl, Sn, Pb, Bi ...)
``rare earth``           the lanthanides La ... Lu with Y and Sc (the rare-earth elements)
``actinide``             Ac ... Lr, oxo-cations (uranyl, plutonyl ...) included
=======================  ==============================================================

Oxo-cations are classified by their metal (``UO2 2+`` is an actinide).
"""

from __future__ import annotations

import re
from collections.abc import Iterable

import numpy as np

from .ions import _tables, canonical_or_none

__all__ = ["METAL_FAMILIES", "metal_family", "metal_families"]

#: Family names in reporting order.
METAL_FAMILIES: tuple[str, ...] = (
    "alkali/alkaline",
    "3d transition",
    "4d/5d/post",
    "rare earth",
    "actinide",
    "proton",
)

_SYMBOL = re.compile(r"[A-Z][a-z]?")


def metal_family(ion: object) -> str | None:
    """Family of one ion (any spelling :func:`skmetalpka.ions.canonical_ion` accepts).

    Returns
    -------
    str or None
        One of :data:`METAL_FAMILIES`; ``None`` for a string that is not an accepted ion.

    Examples
    --------
    >>> metal_family("Cu2+"), metal_family("Gd3+"), metal_family("Y3+"), metal_family("Ca2+")
    ('3d transition', 'rare earth', 'rare earth', 'alkali/alkaline')
    """
    canon = canonical_or_none(ion)
    if canon is None:
        return None
    if canon == "H+":
        return "proton"
    sym = _SYMBOL.match(canon)
    z = _tables().z_of.get(sym.group(0)) if sym else None
    if z is None:  # pragma: no cover - every accepted ion starts with an element symbol
        return None
    group = _tables().group.get(z)
    if 57 <= z <= 71 or z in (21, 39):
        return "rare earth"
    if 89 <= z <= 103:
        return "actinide"
    if group in (1.0, 2.0):
        return "alkali/alkaline"
    if 22 <= z <= 30:
        return "3d transition"
    return "4d/5d/post"


def metal_families(ions: Iterable[object]) -> np.ndarray:
    """:func:`metal_family` of every ion, as an object array (``None`` for unparsable ions)."""
    return np.asarray([metal_family(i) for i in ions], dtype=object)
