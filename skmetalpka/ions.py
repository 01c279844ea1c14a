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

Physical descriptors of the ions are in :mod:`skmetalpka.featurize.metals`; the user guide page
``docs/guide/metals.md`` explains both modules.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from dataclasses import dataclass
from functools import lru_cache
from types import MappingProxyType
from typing import Any, NamedTuple

import numpy as np

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

_FORMAT_HINT = (
    "expected an element symbol followed by a positive charge, such as 'Cu2+', 'Fe3+', "
    "'Ag+' (also accepted: 'Cu+2', 'Cu++', 'Cu(2+)', 'Cu(II)'), or an oxo-cation such as "
    "'UO2 2+' (uranyl) or 'VO 2+' (vanadyl)"
)

#: Elements refused as cations (H is accepted only as H+).
_NON_METALS = frozenset("He C N O F Ne P S Cl Ar Se Br Kr I Xe Rn".split())


_ROMAN = {"I": 1, "II": 2, "III": 3, "IV": 4, "V": 5, "VI": 6, "VII": 7, "VIII": 8, "IX": 9}
_ROMAN_CN = {
    "I": 1, "II": 2, "III": 3, "IV": 4, "V": 5, "VI": 6, "VII": 7, "VIII": 8, "IX": 9,
    "X": 10, "XI": 11, "XII": 12, "XIII": 13, "XIV": 14,
}  # fmt: skip

_CHARGE = r"(?:\d+\s*[+-]|[+-]\s*\d+|[+-]+)"
_ION_RE = re.compile(
    rf"^(?P<sym>[A-Za-z]{{1,2}})\s*(?:(?P<charge>{_CHARGE})|\(\s*(?P<pcharge>{_CHARGE}|"
    r"[IVX]+)\s*\))$"
)
_FORMULA_TOKEN = re.compile(r"[A-Z][a-z]?|\d+|[()\[\]]")


class UnknownMetalError(ValueError):
    """The ion string is not a supported metal cation. The message says why and how to fix it."""


# --------------------------------------------------------------------------------------
# oxo-cations
# --------------------------------------------------------------------------------------
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


class Ion(NamedTuple):
    """A parsed ion: ``(symbol, charge)``, as returned by :func:`parse_ion`.

    It is a plain 2-tuple (``symbol, charge = parse_ion("Cu2+")`` works) with a few derived
    properties. ``symbol`` is the element symbol of a single-element cation, or the formula
    of an oxo-cation (``"UO2"``, ``"VO"``).
    """

    symbol: str
    charge: int

    @property
    def oxo(self) -> OxoCation | None:
        """The :class:`OxoCation` entry, or None for a single-element ion."""
        return _OXO_BY_FORMULA.get((self.symbol, self.charge))

    @property
    def is_oxo(self) -> bool:
        """True for an oxo-cation (-yl ion)."""
        return self.oxo is not None

    @property
    def element(self) -> str:
        """The metal's element symbol (``"U"`` for uranyl)."""
        oxo = self.oxo
        return oxo.element if oxo is not None else self.symbol

    @property
    def oxo_count(self) -> int:
        """Number of oxo ligands (0 for a single-element ion)."""
        oxo = self.oxo
        return oxo.oxo_count if oxo is not None else 0

    @property
    def oxidation_state(self) -> int:
        """Formal oxidation state of the metal (the charge for a single-element ion)."""
        return self.charge + 2 * self.oxo_count

    @property
    def canonical(self) -> str:
        """Canonical spelling (:func:`format_ion`)."""
        return _format(self)


# --------------------------------------------------------------------------------------
# mendeleev tables (read once)
# --------------------------------------------------------------------------------------
@dataclass(frozen=True)
class _Tables:
    z_of: dict[str, int]
    symbol: dict[int, str]
    name_to_symbol: dict[str, str]
    period: dict[int, int]
    group: dict[int, float]
    block: dict[int, str]
    en_pauling: dict[int, float]
    cov_radius: dict[int, float]
    econf: dict[int, str]
    ie: dict[int, tuple[float, ...]]
    max_ox: dict[int, int]
    radii: dict[tuple[int, int], tuple[tuple[int, str, float], ...]]


def _cn_number(coordination: str) -> int:
    roman = re.match(r"[IVX]+", str(coordination))
    if roman is None or roman.group(0) not in _ROMAN_CN:  # pragma: no cover - data guard
        raise RuntimeError(f"unexpected coordination {coordination!r} in mendeleev data")
    return _ROMAN_CN[roman.group(0)]


@lru_cache(maxsize=1)
def _tables() -> _Tables:
    from mendeleev.fetch import fetch_table

    el = fetch_table("elements")
    zs = [int(z) for z in el["atomic_number"]]
    symbols = [str(s) for s in el["symbol"]]

    def col(name: str) -> dict[int, float]:
        out = {}
        for z, v in zip(zs, el[name], strict=True):
            out[z] = float(v) if v is not None and not _isnan(v) else math.nan
        return out

    ie_tab = fetch_table("ionizationenergies")
    ie: dict[int, dict[int, float]] = {}
    for z, q, e in zip(
        ie_tab["atomic_number"], ie_tab["ion_charge"], ie_tab["ionization_energy"], strict=True
    ):
        if e is not None and not _isnan(e):
            ie.setdefault(int(z), {})[int(q)] = float(e)
    ie_seq: dict[int, tuple[float, ...]] = {}
    for z, d in ie.items():
        seq = []
        for k in range(len(d)):
            if k not in d:
                break
            seq.append(d[k])
        ie_seq[z] = tuple(seq)

    ox = fetch_table("oxidationstates")
    max_ox: dict[int, int] = {}
    for z, s in zip(ox["atomic_number"], ox["oxidation_state"], strict=True):
        if int(s) > 0:
            max_ox[int(z)] = max(max_ox.get(int(z), 0), int(s))

    ir = fetch_table("ionicradii")
    radii: dict[tuple[int, int], list[tuple[int, str, float]]] = {}
    for z, q, cn, spin, r in zip(
        ir["atomic_number"],
        ir["charge"],
        ir["coordination"],
        ir["spin"],
        ir["ionic_radius"],
        strict=True,
    ):
        if r is None or _isnan(r) or int(q) <= 0 or float(r) <= 0:
            continue
        spin_s = spin if isinstance(spin, str) else ""
        radii.setdefault((int(z), int(q)), []).append(
            (_cn_number(cn), spin_s, float(r) / 100.0)  # pm -> Angstrom
        )

    return _Tables(
        z_of=dict(zip(symbols, zs, strict=True)),
        symbol=dict(zip(zs, symbols, strict=True)),
        name_to_symbol={str(n).lower(): s for n, s in zip(el["name"], symbols, strict=True) if n},
        period={z: int(p) for z, p in zip(zs, el["period"], strict=True)},
        group=col("group_id"),
        block={z: str(b) for z, b in zip(zs, el["block"], strict=True)},
        en_pauling=col("en_pauling"),
        cov_radius={z: v / 100.0 for z, v in col("covalent_radius_pyykko").items()},
        econf={z: str(c) for z, c in zip(zs, el["electronic_configuration"], strict=True)},
        ie=ie_seq,
        max_ox=max_ox,
        radii={k: tuple(v) for k, v in radii.items()},
    )


def _isnan(value: Any) -> bool:
    try:
        return math.isnan(float(value))
    except (TypeError, ValueError):
        return False


# --------------------------------------------------------------------------------------
# parsing
# --------------------------------------------------------------------------------------
def _refuse(ion: object, reason: str) -> UnknownMetalError:
    return UnknownMetalError(f"invalid metal ion {ion!r}: {reason}; {_FORMAT_HINT}")


def _charge_value(text: str) -> int:
    """Signed charge of a charge token such as '2+', '+2', '++', '3-', 'II'."""
    t = re.sub(r"\s+", "", text)
    if t in _ROMAN:
        return _ROMAN[t]
    sign = -1 if "-" in t else 1
    digits = re.sub(r"[+-]", "", t)
    if digits:
        return sign * int(digits)
    return sign * len(t)


_SUPERSCRIPTS = "⁰¹²³⁴⁵⁶⁷⁸⁹⁺⁻"
_SUP_TO_ASCII = str.maketrans(_SUPERSCRIPTS, "0123456789+-")
_SUB_TO_ASCII = str.maketrans("₀₁₂₃₄₅₆₇₈₉", "0123456789")
_SUP_RUN = re.compile(f"[{_SUPERSCRIPTS}]+")


def _normalise(text: str) -> str:
    """Plain-ASCII form of an ion string: ``UO₂²⁺`` / ``UO2^{2+}`` / ``[UO2]2+`` -> ``UO2 2+``."""
    t = text.strip().replace("\u2212", "-")  # Unicode minus sign
    t = _SUP_RUN.sub(lambda m: " " + m.group(0).translate(_SUP_TO_ASCII), t)
    t = t.translate(_SUB_TO_ASCII)
    t = re.sub(r"\^\s*\{([^{}]*)\}", r" \1", t).replace("^", " ").strip()
    if t.startswith("[") and t.endswith("]"):
        return t[1:-1].strip()
    m = re.fullmatch(r"\[([^\[\]]+)\]\s*(\S.*)", t)  # [UO2]2+
    if m is not None:
        return f"{m.group(1).strip()} {m.group(2).strip()}"
    return t


def _looks_polyatomic(text: str) -> bool:
    """True when ``text`` reads as a chemical formula of more than one atom.

    ``UO2 2+``, ``UO2(2+)``, ``VO2+``, ``Hg(OH)2``, ``CH3Hg+``, ``Hg2 2+`` are polyatomic;
    ``Cu2+`` is not.
    """
    core = re.sub(r"\s+", "", text)
    core = re.sub(rf"(\({_CHARGE}\)|{_CHARGE})$", "", core)  # drop a trailing charge
    if not core or re.fullmatch(r"(?:[A-Z][a-z]?|\d+|[()\[\]])+", core) is None:
        return False
    tables = _tables()
    tokens = _FORMULA_TOKEN.findall(core)
    elements = [t for t in tokens if t[0].isalpha()]
    if not elements or any(t not in tables.z_of for t in elements):
        return False
    if len(elements) > 1 or "(" in core:
        return True
    # one element with a count, written apart from the charge: 'Hg2 2+', 'Hg2(2+)'
    return re.search(r"[A-Za-z]\d+(\s|\()", text) is not None


_OXO_RE = re.compile(r"^(?P<el>[A-Za-z][a-z]?)(?P<o>[Oo])(?P<digits>\d*)(?P<rest>.*)$")


def _oxo_readings(digits: str, rest: str) -> list[tuple[int, int]] | None:
    """Possible ``(oxo_count, charge)`` readings of ``O<digits><rest>``; None if not a charge.

    An empty list means that the charge is missing.
    """
    n_written = int(digits) if digits else 1
    r = rest.strip()
    if rest[:1].isspace() or r.startswith("("):  # separated: 'UO2 2+', 'UO2(2+)', 'UO2(VI)'
        if r.startswith("(") and r.endswith(")"):
            r = r[1:-1].strip()
        if re.fullmatch(r"[IVX]+", r):  # Roman numeral = oxidation state of the metal
            if r not in _ROMAN:
                return None
            return [(n_written, _ROMAN[r] - 2 * n_written)]
        if re.fullmatch(_CHARGE, r) is None:
            return None
        return [(n_written, _charge_value(r))]
    if not r:
        return []
    if re.fullmatch(r"[+-]\s*\d+|[+-]{2,}", r):  # 'UO2+2', 'UO2++'
        return [(n_written, _charge_value(r))]
    if r not in ("+", "-"):
        return None
    # 'VO2+', 'UO22+': the digits may belong to the formula, to the charge, or be split
    sign = 1 if r == "+" else -1
    readings = [(n_written, sign)]
    for k in range(len(digits)):
        n_part, q_part = digits[:k], digits[k:]
        if q_part.startswith("0") or n_part.startswith("0"):
            continue
        readings.append((int(n_part) if n_part else 1, sign * int(q_part)))
    return readings


def _parse_oxo(ion: str, text: str) -> Ion | None:
    """The oxo-cation written in ``text``; None when ``text`` is not about one."""
    m = _OXO_RE.match(text)
    if m is None:
        return None
    el = m.group("el").capitalize()
    if el not in _OXO_ELEMENTS:
        return None
    readings = _oxo_readings(m.group("digits"), m.group("rest"))
    if readings is None:
        return None
    exact = m.group("el") == el and m.group("o") == "O"
    found = [_OXO_BY_KEY[(el, n, q)] for n, q in readings if (el, n, q) in _OXO_BY_KEY]
    if not exact:
        if len(found) == 1:
            raise _refuse(
                ion, f"element symbols are case-sensitive (did you mean {found[0].canonical!r}?)"
            )
        return None
    supported = ", ".join(repr(o.canonical) for o in _OXO_LIST if o.element == el)
    if not readings:
        raise _refuse(ion, f"the charge is missing (oxo-cations of {el}: {supported})")
    if len(found) == 1:
        return Ion(found[0].formula, found[0].charge)
    if len(found) > 1:
        options = " or ".join(
            f"{o.canonical!r} ({o.names[0]}, {el}({_to_roman(o.oxidation_state)}))" for o in found
        )
        raise _refuse(
            ion,
            f"the charge is ambiguous: it can be read as {options}; write the charge apart "
            "from the formula",
        )
    if all(q <= 0 for _, q in readings):
        raise _refuse(ion, "the charge must be positive (anions and neutral species are refused)")
    raise _refuse(ion, f"not a supported oxo-cation of {el} (supported: {supported})")


def _to_roman(n: int) -> str:
    return next(k for k, v in _ROMAN.items() if v == n)


def _parse_oxo_name(ion: str, text: str) -> Ion | None:
    key = re.sub(r"\s+", "", text.lower())
    if key.endswith("ion"):
        key = key[: -len("ion")]
    oxo = _OXO_BY_NAME.get(key)
    if oxo is not None:
        return Ion(oxo.formula, oxo.charge)
    if key in _AMBIGUOUS_NAMES:
        v5, v6, n5, n6 = _AMBIGUOUS_NAMES[key]
        raise _refuse(
            ion,
            f"{text!r} names two ions: {v5!r} ({n5}) and {v6!r} ({n6}); write one of them",
        )
    return None


@lru_cache(maxsize=4096)
def _parse_cached(ion: str) -> Ion:
    text = _normalise(ion)
    if not text:
        raise _refuse(ion, "the string is empty")
    named = _parse_oxo_name(ion, text)
    if named is not None:
        return named
    tables = _tables()
    m = _ION_RE.match(text)
    if m is None or m.group("sym") not in tables.z_of:
        oxo = _parse_oxo(ion, text)
        if oxo is not None:
            return oxo
        if _looks_polyatomic(text):
            hint = ""
            if m is not None and m.group("sym").capitalize() in tables.z_of:
                sym = m.group("sym").capitalize()
                charge_text = (m.group("charge") or m.group("pcharge")).strip()
                hint = f" (element symbols are case-sensitive: did you mean '{sym}{charge_text}'?)"
            raise _refuse(
                ion,
                "polyatomic ions are not supported, except the oxo-cations "
                f"{', '.join(OXO_CATIONS)}: give a single-element cation such as 'U4+' or "
                f"'Hg2+', or one of those oxo-cations{hint}",
            )
    if m is None:
        if re.fullmatch(r"[A-Za-z]+", text):
            word = text.lower()
            if text in tables.z_of:
                raise _refuse(ion, f"the charge is missing (for example '{text}2+')")
            if word in tables.name_to_symbol:
                sym = tables.name_to_symbol[word]
                raise _refuse(
                    ion, f"{text!r} is an element name, not a symbol; write '{sym}' with its charge"
                )
            if text.capitalize() in tables.z_of:
                raise _refuse(
                    ion,
                    f"the charge is missing and element symbols are case-sensitive "
                    f"(for example '{text.capitalize()}2+')",
                )
            raise _refuse(ion, f"{text!r} is not an element symbol with a charge")
        raise _refuse(ion, "the string does not have the form <symbol><charge>")
    sym = m.group("sym")
    charge_text = m.group("charge") or m.group("pcharge")
    if sym not in tables.z_of:
        if sym.capitalize() in tables.z_of:
            suggestion = f"{sym.capitalize()}{charge_text.strip('()')}"
            raise _refuse(ion, f"element symbols are case-sensitive (did you mean {suggestion!r}?)")
        raise _refuse(ion, f"{sym!r} is not an element symbol")
    roman = charge_text.strip()
    if re.fullmatch(r"[IVX]+", roman) and roman not in _ROMAN:
        raise _refuse(ion, f"({roman}) is not a Roman-numeral charge from I to IX")
    charge = _charge_value(charge_text)
    if charge < 0:
        raise _refuse(ion, "anions (negative charges) are not supported; only metal cations")
    if charge == 0:
        raise _refuse(ion, "the charge must be positive (a neutral atom is not an ion)")
    z = tables.z_of[sym]
    if sym == "H":
        if charge != 1:
            raise _refuse(ion, f"hydrogen has one electron, so only H+ exists (got +{charge})")
        return Ion(sym, 1)
    if sym in _NON_METALS:
        raise _refuse(ion, f"{sym} is a non-metal; only metal cations (and H+) are supported")
    if charge > z:
        raise _refuse(ion, f"{sym} has only {z} electrons, so +{charge} is impossible")
    max_ox = tables.max_ox.get(z)
    if max_ox is None:
        raise _refuse(ion, f"{sym} has no known positive oxidation state")
    if charge > max_ox:
        raise _refuse(
            ion, f"+{charge} is above the highest known oxidation state of {sym} (+{max_ox})"
        )
    return Ion(sym, charge)


def parse_ion(ion: str) -> Ion:
    """Parse an ion string into ``(symbol, charge)``.

    Parameters
    ----------
    ion : str
        For example ``"Cu2+"``, ``"Cu+2"``, ``"Cu(2+)"``, ``"Cu 2+"``, ``"Cu++"``, ``"Cu(II)"``,
        ``"Ag+"``, ``"H+"``, or an oxo-cation: ``"UO2 2+"``, ``"UO22+"``, ``"uranyl"``,
        ``"VO 2+"``. See the module docstring for the rules.

    Returns
    -------
    Ion
        A ``(symbol, charge)`` named tuple: the element symbol (case as in the periodic table)
        or, for an oxo-cation, its formula (``"UO2"``), and the positive charge of the ion.
        ``Ion.element``, ``Ion.oxo_count`` and ``Ion.oxidation_state`` give the metal.

    Raises
    ------
    UnknownMetalError
        For anything that is not a supported cation, with the reason and the accepted format
        in the message.

    Examples
    --------
    >>> parse_ion("Cu(2+)")
    Ion(symbol='Cu', charge=2)
    >>> parse_ion("Ag+") == ("Ag", 1)
    True
    >>> parse_ion("UO22+")
    Ion(symbol='UO2', charge=2)
    >>> parse_ion("uranyl").oxidation_state
    6
    """
    if (
        ion is None
        or (isinstance(ion, float) and math.isnan(ion))
        or type(ion).__name__ == "NAType"
    ):
        raise UnknownMetalError(f"the metal ion is missing (None/NaN); {_FORMAT_HINT}")
    if not isinstance(ion, str):
        raise UnknownMetalError(
            f"the metal ion must be a string, got {type(ion).__name__} ({ion!r}); {_FORMAT_HINT}"
        )
    return _parse_cached(str(ion))


def _format(ion: Ion) -> str:
    if ion.oxo is not None:
        return _format_oxo(ion.symbol, ion.charge)
    return f"{ion.symbol}+" if ion.charge == 1 else f"{ion.symbol}{ion.charge}+"


def format_ion(symbol: str, charge: int) -> str:
    """Canonical project spelling of an ion: ``"Cu2+"``, ``"Ag+"``, ``"H+"``, ``"UO2 2+"``.

    Parameters
    ----------
    symbol : str
        Element symbol (case-sensitive), or the formula of an oxo-cation (``"UO2"``, ``"VO"``).
    charge : int
        Positive charge of the ion.

    Raises
    ------
    UnknownMetalError
        If ``(symbol, charge)`` is not an ion accepted by :func:`parse_ion`.

    Examples
    --------
    >>> format_ion("Cu", 2), format_ion("UO2", 2), format_ion("NpO2", 1)
    ('Cu2+', 'UO2 2+', 'NpO2 +')
    """
    if isinstance(charge, bool) or not isinstance(charge, int | np.integer):
        raise UnknownMetalError(
            f"charge must be a positive integer, got {charge!r}; {_FORMAT_HINT}"
        )
    if not isinstance(symbol, str):
        raise UnknownMetalError(f"symbol must be a string, got {symbol!r}; {_FORMAT_HINT}")
    if charge < 1:
        raise _refuse(f"{symbol} (charge {charge})", "the charge must be a positive integer")
    q = int(charge)
    if symbol in _OXO_FORMULAS:
        text = f"{symbol} {q}+"
    else:
        text = f"{symbol}+" if q == 1 else f"{symbol}{q}+"
    return _format(parse_ion(text))


def canonical_ion(ion: str) -> str:
    """Canonical spelling of any accepted ion string (``"Cu(II)"`` -> ``"Cu2+"``,
    ``"UO22+"`` / ``"uranyl"`` -> ``"UO2 2+"``)."""
    return _format(parse_ion(ion))


def canonical_or_none(ion: Any) -> str | None:
    """:func:`canonical_ion`, or ``None`` for anything that is not an accepted ion string."""
    if not isinstance(ion, str):
        return None
    try:
        return canonical_ion(ion)
    except UnknownMetalError:
        return None


# --------------------------------------------------------------------------------------
# ion labels of public data sources
# --------------------------------------------------------------------------------------
class _Reading(NamedTuple):
    meant: str | None  # canonical ion meant by the label; None: refused
    reason: str


#: ``source -> {label as written (canonical bare-ion spelling): (meant ion or None, reason)}``.
_READINGS: dict[str, dict[str, _Reading]] = {
    "logkpredict": {
        "U2+": _Reading(
            "UO2 2+",
            "uranyl: U(II) has no aqueous chemistry; NIST SRD 46 lists uranyl as UO2 2+, and the "
            "table's [U+2] + OH- constant (log K 8.20) is the uranyl hydrolysis constant",
        ),
        "Pu2+": _Reading(
            "PuO2 2+",
            "plutonyl(VI): Pu(II) has no aqueous chemistry; the table's [Pu+2] + OH- constant "
            "(log K 8.40) is that of PuO2 2+",
        ),
        "V2+": _Reading(
            "VO 2+",
            "vanadyl: the table's [V+2] + OH- constant (log K 8.30) is the VO2+ hydrolysis "
            "constant (V2+ aq: about 7.5), and its catecholate constants (log K 18.1-18.7) are "
            "those of vanadyl",
        ),
        "U+": _Reading("UO2 +", "uranyl(V): U(I) does not exist in water"),
        "Np+": _Reading("NpO2 +", "neptunyl(V): Np(I) does not exist in water"),
        "Pu+": _Reading("PuO2 +", "plutonyl(V): Pu(I) does not exist in water"),
        "Am+": _Reading("AmO2 +", "americyl(V): Am(I) does not exist in water"),
        "Np2+": _Reading("NpO2 2+", "neptunyl(VI): Np(II) does not exist in water"),
        "Am2+": _Reading("AmO2 2+", "americyl(VI): Am(II) does not exist in water"),
        "V+": _Reading("VO2 +", "pervanadyl VO2+ (V(V)): V(I) does not exist in water"),
        "Hg+": _Reading(
            None,
            "mercury(I) in water is the dimer Hg2 2+, which is not supported (a bare [Hg+] "
            "atom cannot stand for it)",
        ),
    },
    "literal": {},
}
_SOURCE_ALIASES = {
    "logkpredict": "logkpredict",
    "logkpredict_nist": "logkpredict",
    "logkpredict_iupac": "logkpredict",
    "logkpredict_iupac_lanthanides": "logkpredict",
    "literal": "literal",
    "nist46": "literal",
}

#: ``source -> {label: meant ion}`` for every label that :func:`interpret_source_ion` does not
#: take literally (``None``: refused). Read-only.
SOURCE_ION_READINGS: Mapping[str, Mapping[str, str | None]] = MappingProxyType(
    {
        src: MappingProxyType({label: r.meant for label, r in table.items()})
        for src, table in _READINGS.items()
    }
)


def interpret_source_ion(ion: str | tuple[str, int], source: str) -> str:
    """Canonical ion meant by a metal label of a public data source.

    The LOGKPREDICT tables (``logkpredict_nist_k1.csv`` and
    ``logkpredict_iupac_lanthanides_k1.csv``, from NIST SRD 46 and the IUPAC database) draw
    every complex as a SMILES with one bare metal atom, so oxo-cations lose their oxygens:
    uranyl UO₂²⁺ is written ``[U+2]``. This function turns such a label into the species the
    source means. The decision for each label and its evidence are in
    :data:`SOURCE_ION_READINGS` and in ``docs/guide/metals.md``; labels not listed there are
    taken literally.

    Parameters
    ----------
    ion : str or (str, int)
        The label: an ion string accepted by :func:`parse_ion` (``"[U+2]"``, ``"U+2"``,
        ``"U2+"``) or ``(element symbol, charge)`` as read from the SMILES atom.
    source : str
        ``"logkpredict"`` (aliases ``"logkpredict_nist"``, ``"logkpredict_iupac"``,
        ``"logkpredict_iupac_lanthanides"``) or ``"literal"`` (alias ``"nist46"``: the
        qteddie NIST-46 tables spell ions explicitly, nothing to translate).

    Returns
    -------
    str
        Canonical ion spelling (:func:`format_ion`), e.g. ``"UO2 2+"``.

    Raises
    ------
    UnknownMetalError
        If the label is not an ion, or the source's label stands for a species that is not
        supported (``[Hg+]`` in a LOGKPREDICT table). The message gives the reason.
    ValueError
        For an unknown ``source``.

    Examples
    --------
    >>> interpret_source_ion("[U+2]", "logkpredict")
    'UO2 2+'
    >>> interpret_source_ion(("V", 2), "logkpredict_nist")
    'VO 2+'
    >>> interpret_source_ion("[U+4]", "logkpredict")
    'U4+'
    """
    key = _SOURCE_ALIASES.get(source) if isinstance(source, str) else None
    if key is None:
        raise ValueError(
            f"unknown ion source {source!r}; known sources: {', '.join(sorted(_SOURCE_ALIASES))}"
        )
    if isinstance(ion, tuple):
        if len(ion) != 2:
            raise UnknownMetalError(
                f"expected (element symbol, charge), got {ion!r}; {_FORMAT_HINT}"
            )
        label = format_ion(*ion)
    else:
        label = canonical_ion(ion)
    reading = _READINGS[key].get(label)
    if reading is None:
        return label
    if reading.meant is None:
        raise _refuse(ion, f"in {source} tables {label} is refused: {reading.reason}")
    return reading.meant


def source_ion_reason(label: str, source: str) -> str | None:
    """Why :func:`interpret_source_ion` reads ``label`` of ``source`` as it does (None when
    the label is taken literally)."""
    key = _SOURCE_ALIASES.get(source)
    if key is None:
        raise ValueError(
            f"unknown ion source {source!r}; known sources: {', '.join(sorted(_SOURCE_ALIASES))}"
        )
    reading = _READINGS[key].get(canonical_ion(label))
    return None if reading is None else reading.reason
