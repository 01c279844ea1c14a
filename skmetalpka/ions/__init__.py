"""Metal ions: parsing and canonical spelling.

An ion is written as an element symbol followed by a positive charge. The accepted spellings
of copper(II) are ``Cu2+``, ``Cu+2``, ``Cu++``, ``Cu(2+)``, ``Cu(+2)``, ``Cu(II)``, ``Cu 2+``,
``Cu^2+``, ``Cu²⁺`` and ``[Cu+2]`` (surrounding whitespace and whitespace between the symbol
and the charge are ignored); the canonical project spelling (:func:`format_ion`) is ``Cu2+`` /
``Ag+`` / ``H+``.

Oxo-cations (-yl ions)
----------------------
A few metals exist in water only as oxo-cations, which are species of their own (their own
charge, geometry and binding strength), never the bare ion of the same charge. The supported
ones are listed in :data:`OXO_CATIONS`:

===========  =====================  ====================================================
canonical    metal oxidation state  names also accepted (case-insensitive)
===========  =====================  ====================================================
``UO2 2+``   U(VI)                  ``uranyl``, ``uranyl(VI)``, ``dioxouranium(VI)``
``UO2 +``    U(V)                   ``uranyl(V)``, ``dioxouranium(V)``
``NpO2 2+``  Np(VI)                 ``neptunyl(VI)``, ``dioxoneptunium(VI)``
``NpO2 +``   Np(V)                  ``neptunyl(V)``, ``dioxoneptunium(V)``
``PuO2 2+``  Pu(VI)                 ``plutonyl(VI)``, ``dioxoplutonium(VI)``
``PuO2 +``   Pu(V)                  ``plutonyl(V)``, ``dioxoplutonium(V)``
``AmO2 2+``  Am(VI)                 ``americyl(VI)``, ``dioxoamericium(VI)``
``AmO2 +``   Am(V)                  ``americyl(V)``, ``dioxoamericium(V)``
``VO 2+``    V(IV)                  ``vanadyl``, ``vanadyl(IV)``, ``oxovanadium(IV)``
``VO2 +``    V(V)                   ``pervanadyl``, ``dioxovanadium(V)``
===========  =====================  ====================================================

The canonical spelling puts one space between the formula and the charge (``UO2 2+``,
``NpO2 +``) so that it can never be misread. Uranyl is also accepted as ``UO2(2+)``,
``UO2+2``, ``UO2++``, ``UO22+``, ``[UO2+2]``, ``[UO2]2+``, ``UO2^2+``, ``UO₂²⁺``,
``UO2(VI)`` (a Roman numeral after an oxo formula is the *metal's* oxidation state) and
``uranyl``. Written without a separator, the digits between the ``O`` and a final single
``+`` can belong to the formula or to the charge; the reading is accepted only when exactly
one of them is a supported oxo-cation: ``UO22+`` is uranyl and ``NpO2+`` is NpO₂⁺, but
``VO2+`` is refused as ambiguous (vanadyl VO²⁺ is written ``VO 2+``, pervanadyl VO₂⁺
``VO2 +``). The bare names ``neptunyl``, ``plutonyl`` and ``americyl`` are refused for the
same reason (give ``(V)`` or ``(VI)``).

A bare ion of the same element stays what it says: ``U2+`` is U(II), not uranyl. Data
sources that write uranyl as a bare ``[U+2]`` atom are translated explicitly with
:func:`interpret_source_ion` (see :data:`SOURCE_ION_READINGS`).

Parsing rules (:func:`parse_ion`)
---------------------------------
* Element symbols are **case-sensitive**: ``cu2+`` or ``CU2+`` are refused with a suggestion
  (``did you mean 'Cu2+'?``). Accepting them would silently reinterpret strings such as
  ``CO2+`` (carbon + oxygen) or ``NI2+`` (nitrogen + iodine) as cobalt or nickel.
* The charge must be positive and given explicitly (``Cu`` is refused). Anions, zero charges,
  polyatomic ions other than the oxo-cations above (``Hg(OH)2``, ``CH3Hg+``, ``Hg2 2+``,
  ``TiO 2+``) and element names (``copper``) are refused.
* Only metal (and metalloid) cations and ``H+`` are accepted: the non-metals He, C, N, O, F,
  Ne, P, S, Cl, Ar, Se, Br, Kr, I, Xe, Rn are refused.
* The charge cannot exceed the number of electrons of the element nor the highest positive
  oxidation state that :mod:`mendeleev` lists for it (main and extended states).

Every refusal raises :class:`UnknownMetalError` (a :class:`ValueError`) whose message says what
was wrong and shows the accepted format.

Modules: :mod:`~skmetalpka.ions.parse` (parsing, spelling), :mod:`~skmetalpka.ions.oxo` (the
oxo-cation table), :mod:`~skmetalpka.ions.sources` (labels of data sources),
:mod:`~skmetalpka.ions.elements` (mendeleev data). Physical descriptors of the ions are in
:mod:`skmetalpka.featurize.metals`; the user guide page ``docs/guide/metals.md`` explains both.
"""

from __future__ import annotations

from .elements import _Tables, _tables  # noqa: F401 - used by featurize.metals and the shim
from .oxo import OXO_CATIONS, OxoCation
from .parse import (
    Ion,
    UnknownMetalError,
    canonical_ion,
    canonical_or_none,
    format_ion,
    parse_ion,
)
from .sources import SOURCE_ION_READINGS, interpret_source_ion, source_ion_reason

__all__ = [
    "UnknownMetalError",
    "Ion",
    "OxoCation",
    "OXO_CATIONS",
    "SOURCE_ION_READINGS",
    "parse_ion",
    "format_ion",
    "canonical_ion",
    "canonical_or_none",
    "interpret_source_ion",
    "source_ion_reason",
]
