"""Parsing and canonical spelling of ion strings (rules in :mod:`skmetalpka.ions`)."""

from __future__ import annotations

import math
import re
from functools import lru_cache
from typing import Any, NamedTuple

import numpy as np

from .elements import _tables
from .oxo import (
    _AMBIGUOUS_NAMES,
    _OXO_BY_FORMULA,
    _OXO_BY_KEY,
    _OXO_BY_NAME,
    _OXO_ELEMENTS,
    _OXO_FORMULAS,
    _OXO_LIST,
    OXO_CATIONS,
    OxoCation,
    _format_oxo,
)

__all__ = [
    "UnknownMetalError",
    "Ion",
    "parse_ion",
    "format_ion",
    "canonical_ion",
    "canonical_or_none",
]

_FORMAT_HINT = (
    "expected an element symbol followed by a positive charge, such as 'Cu2+', 'Fe3+', "
    "'Ag+' (also accepted: 'Cu+2', 'Cu++', 'Cu(2+)', 'Cu(II)'), or an oxo-cation such as "
    "'UO2 2+' (uranyl) or 'VO 2+' (vanadyl)"
)

#: Elements refused as cations (H is accepted only as H+).
_NON_METALS = frozenset("He C N O F Ne P S Cl Ar Se Br Kr I Xe Rn".split())


_ROMAN = {"I": 1, "II": 2, "III": 3, "IV": 4, "V": 5, "VI": 6, "VII": 7, "VIII": 8, "IX": 9}

_CHARGE = r"(?:\d+\s*[+-]|[+-]\s*\d+|[+-]+)"
_ION_RE = re.compile(
    rf"^(?P<sym>[A-Za-z]{{1,2}})\s*(?:(?P<charge>{_CHARGE})|\(\s*(?P<pcharge>{_CHARGE}|"
    r"[IVX]+)\s*\))$"
)
_FORMULA_TOKEN = re.compile(r"[A-Z][a-z]?|\d+|[()\[\]]")


class UnknownMetalError(ValueError):
    """The ion string is not a supported metal cation. The message says why and how to fix it."""


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
