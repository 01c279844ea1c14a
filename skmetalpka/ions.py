"""Metal ions: parsing and canonical spelling.

An ion is written as an element symbol followed by a positive charge. The accepted spellings
of copper(II) are ``Cu2+``, ``Cu+2``, ``Cu++``, ``Cu(2+)``, ``Cu(+2)``, ``Cu(II)``, ``Cu 2+``
and ``[Cu+2]`` (surrounding whitespace and whitespace between the symbol and the charge are
ignored); the canonical project spelling (:func:`format_ion`) is ``Cu2+`` / ``Ag+`` / ``H+``.

Parsing rules (:func:`parse_ion`)
---------------------------------
* Element symbols are **case-sensitive**: ``cu2+`` or ``CU2+`` are refused with a suggestion
  (``did you mean 'Cu2+'?``). Accepting them would silently reinterpret strings such as
  ``CO2+`` (carbon + oxygen) or ``NI2+`` (nitrogen + iodine) as cobalt or nickel.
* The charge must be positive and given explicitly (``Cu`` is refused). Anions, zero charges,
  polyatomic ions (``UO2 2+``, ``VO2+``, ``Hg(OH)2``, ``CH3Hg+``) and element names
  (``copper``) are refused.
* Only metal (and metalloid) cations and ``H+`` are accepted: the non-metals He, C, N, O, F,
  Ne, P, S, Cl, Ar, Se, Br, Kr, I, Xe, Rn are refused.
* The charge cannot exceed the number of electrons of the element nor the highest positive
  oxidation state that :mod:`mendeleev` lists for it (main and extended states).

Every refusal raises :class:`UnknownMetalError` (a :class:`ValueError`) whose message says what
was wrong and shows the accepted format.

Physical descriptors of the ions are in :mod:`skmetalpka.featurize.metals`.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

import numpy as np

__all__ = [
    "UnknownMetalError",
    "parse_ion",
    "format_ion",
    "canonical_ion",
    "canonical_or_none",
]

_FORMAT_HINT = (
    "expected an element symbol followed by a positive charge, such as 'Cu2+', 'Fe3+', "
    "'Ag+' (also accepted: 'Cu+2', 'Cu++', 'Cu(2+)', 'Cu(II)')"
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


@lru_cache(maxsize=4096)
def _parse_cached(ion: str) -> tuple[str, int]:
    text = ion.strip()
    if text.startswith("[") and text.endswith("]"):
        text = text[1:-1].strip()
    if not text:
        raise _refuse(ion, "the string is empty")
    tables = _tables()
    m = _ION_RE.match(text)
    if m is None or m.group("sym") not in tables.z_of:
        if _looks_polyatomic(text):
            hint = ""
            if m is not None and m.group("sym").capitalize() in tables.z_of:
                sym = m.group("sym").capitalize()
                charge_text = (m.group("charge") or m.group("pcharge")).strip()
                hint = f" (element symbols are case-sensitive: did you mean '{sym}{charge_text}'?)"
            raise _refuse(
                ion,
                "polyatomic ions are not supported: give a single-element cation such as "
                f"'U4+' or 'Hg2+'{hint}",
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
        return sym, 1
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
    return sym, charge


def parse_ion(ion: str) -> tuple[str, int]:
    """Parse an ion string into ``(element symbol, charge)``.

    Parameters
    ----------
    ion : str
        For example ``"Cu2+"``, ``"Cu+2"``, ``"Cu(2+)"``, ``"Cu 2+"``, ``"Cu++"``, ``"Cu(II)"``,
        ``"Ag+"``, ``"H+"``. See the module docstring for the rules.

    Returns
    -------
    (str, int)
        Element symbol (case as in the periodic table) and positive charge.

    Raises
    ------
    UnknownMetalError
        For anything that is not a supported single-element cation, with the reason and the
        accepted format in the message.

    Examples
    --------
    >>> parse_ion("Cu(2+)")
    ('Cu', 2)
    >>> parse_ion("Ag+")
    ('Ag', 1)
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


def format_ion(symbol: str, charge: int) -> str:
    """Canonical project spelling of an ion: ``"Cu2+"``, ``"Ag+"``, ``"H+"``.

    Parameters
    ----------
    symbol : str
        Element symbol (case-sensitive).
    charge : int
        Positive charge.

    Raises
    ------
    UnknownMetalError
        If ``(symbol, charge)`` is not an ion accepted by :func:`parse_ion`.
    """
    if isinstance(charge, bool) or not isinstance(charge, int | np.integer):
        raise UnknownMetalError(
            f"charge must be a positive integer, got {charge!r}; {_FORMAT_HINT}"
        )
    if not isinstance(symbol, str):
        raise UnknownMetalError(f"symbol must be a string, got {symbol!r}; {_FORMAT_HINT}")
    text = f"{symbol}+" if charge == 1 else f"{symbol}{int(charge)}+"
    if charge < 1:
        raise _refuse(f"{symbol} (charge {charge})", "the charge must be a positive integer")
    sym, q = parse_ion(text)
    return f"{sym}+" if q == 1 else f"{sym}{q}+"


def canonical_ion(ion: str) -> str:
    """Canonical spelling of any accepted ion string (``"Cu(II)"`` -> ``"Cu2+"``)."""
    return format_ion(*parse_ion(ion))


def canonical_or_none(ion: Any) -> str | None:
    """:func:`canonical_ion`, or ``None`` for anything that is not an accepted ion string."""
    if not isinstance(ion, str):
        return None
    try:
        return canonical_ion(ion)
    except UnknownMetalError:
        return None


# --------------------------------------------------------------------------------------
# descriptors
