"""The oxo-cations (-yl ions) that skmetalpka treats as species of their own.

:data:`OXO_CATIONS` maps the canonical spelling (``"UO2 2+"``) to an :class:`OxoCation`;
spellings and parsing are in :mod:`skmetalpka.ions.parse`, physical descriptors in
:mod:`skmetalpka.featurize.metals`.
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType
from typing import NamedTuple

__all__ = ["OxoCation", "OXO_CATIONS"]


class OxoCation(NamedTuple):
    """An oxo-cation (-yl ion) ``M O_n ^z+`` treated as a species of its own.

    Attributes
    ----------
    formula : str
        ``"UO2"``, ``"VO"``: the symbol part of :class:`Ion` for this species.
    element : str
        The metal, ``"U"``.
    oxo_count : int
        Number of oxo (O²⁻) ligands, 2 for the actinyls.
    charge : int
        Charge of the whole ion.
    names : tuple of str
        Lower-case names accepted by :func:`parse_ion` (``"uranyl"``, ``"uranyl(vi)"``).
    """

    formula: str
    element: str
    oxo_count: int
    charge: int
    names: tuple[str, ...]

    @property
    def oxidation_state(self) -> int:
        """Formal oxidation state of the metal, ``charge + 2 * oxo_count``."""
        return self.charge + 2 * self.oxo_count

    @property
    def canonical(self) -> str:
        """Canonical spelling, ``"UO2 2+"`` / ``"NpO2 +"``."""
        return _format_oxo(self.formula, self.charge)


def _format_oxo(formula: str, charge: int) -> str:
    return f"{formula} +" if charge == 1 else f"{formula} {charge}+"


def _actinyls(element: str, element_name: str) -> tuple[OxoCation, ...]:
    stem = element_name[: -len("ium")]  # uranium -> uran(yl)
    return (
        OxoCation(
            f"{element}O2",
            element,
            2,
            2,
            (f"{stem}yl(vi)", f"{stem}yl(2+)", f"dioxo{element_name}(vi)")
            + (("uranyl",) if element == "U" else ()),
        ),
        OxoCation(
            f"{element}O2",
            element,
            2,
            1,
            (f"{stem}yl(v)", f"{stem}yl(+)", f"{stem}yl(1+)", f"dioxo{element_name}(v)"),
        ),
    )


_OXO_LIST: tuple[OxoCation, ...] = (
    *_actinyls("U", "uranium"),
    *_actinyls("Np", "neptunium"),
    *_actinyls("Pu", "plutonium"),
    *_actinyls("Am", "americium"),
    OxoCation("VO", "V", 1, 2, ("vanadyl", "vanadyl(iv)", "vanadyl(2+)", "oxovanadium(iv)")),
    OxoCation("VO2", "V", 2, 1, ("pervanadyl", "dioxovanadium(v)", "dioxovanadium(+)")),
)

#: Supported oxo-cations by canonical spelling (see the module docstring).
OXO_CATIONS: Mapping[str, OxoCation] = MappingProxyType({o.canonical: o for o in _OXO_LIST})

_OXO_BY_KEY = {(o.element, o.oxo_count, o.charge): o for o in _OXO_LIST}
_OXO_BY_FORMULA = {(o.formula, o.charge): o for o in _OXO_LIST}
_OXO_FORMULAS = frozenset(o.formula for o in _OXO_LIST)
_OXO_ELEMENTS = frozenset(o.element for o in _OXO_LIST)
_OXO_BY_NAME = {n: o for o in _OXO_LIST for n in o.names}
#: Names used for more than one oxidation state: refused with both readings.
_AMBIGUOUS_NAMES = {
    f"{stem}yl": (f"{el}O2 +", f"{el}O2 2+", f"{stem}yl(V)", f"{stem}yl(VI)")
    for el, stem in (("Np", "neptun"), ("Pu", "pluton"), ("Am", "americ"))
}
