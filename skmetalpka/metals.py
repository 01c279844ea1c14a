"""Metal ions: parsing, canonical spelling and physical descriptors.

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

Descriptors (:func:`metal_descriptors`)
---------------------------------------
All values come from the offline :mod:`mendeleev` database. ``METAL_DESCRIPTOR_NAMES`` lists
them in order:

``charge``
    Ion charge z.
``ionic_radius``
    Shannon (1976) effective ionic radius in Angstrom, chosen by the fallback chain: (1) the
    radius at coordination number VI for that charge; (2) the radius for that charge at the
    other coordination number nearest to 6 (ties are averaged); (3) an estimate, with
    ``radius_estimated = 1``: linear inter-/extrapolation in the charge through the radii
    (rules 1-2) of the two nearest other charges of the same element, or
    ``r(z0) - 0.15 A * (z - z0)`` when only one other charge has a radius; for an element
    without any Shannon radius, the radius of the lighter group congener (for an actinide,
    the lanthanide 32 places before it) by the same chain; otherwise
    ``covalent radius (Pyykko) - 0.15 A * z``. Estimates are clipped to
    [0.3, 2.2] A. When Shannon gives several spin states, the high-spin radius is used (aqua
    ions are high spin), except for Co3+, whose aqua ion is low spin.
``radius_estimated``
    1.0 when the radius came from step (3) (or for ``H+``), else 0.0.
``electronegativity``
    Pauling electronegativity of the element. A missing value is linearly interpolated in
    atomic number between the nearest elements of the same period and block that have one
    (Pm, Eu, Tb, Yb); else taken from the nearest member of the same group (Rf -> Hf); else
    from the nearest element of the same period and block (Am-Lr -> Pu).
``ionization_energy``
    Energy to form the ion from the atom, ``IE_1 + ... + IE_z`` (eV).
``hardness``
    Pearson absolute hardness of the ion, ``eta = (I - A) / 2`` with ``I = IE_(z+1)`` (to
    ionise M^z+) and ``A = IE_z`` (electron affinity of M^z+), i.e.
    ``(IE_(z+1) - IE_z) / 2`` in eV.
``mulliken_electronegativity``
    Mulliken electronegativity of the ion, ``(IE_(z+1) + IE_z) / 2`` (eV), a measure of its
    Lewis acidity.
``charge_over_radius``, ``charge2_over_radius``
    ``z / r`` and ``z**2 / r`` (e / A and e^2 / A): ionic potential and an electrostatic
    binding-energy proxy.
``d_electrons``, ``f_electrons``
    Electrons of the ion in the (n-1)d and (n-2)f subshells, n being the period (Cu2+: 9,
    Zn2+: 10, Ca2+: 0, Gd3+: f = 7), from mendeleev's ground-state configuration with the
    outermost electrons removed first.
``valence_sp_electrons``
    Electrons left in the ns/np shell of the ion: 2 for the "inert pair" ions Tl+, Pb2+,
    Sn2+, Bi3+, otherwise usually 0.
``period``, ``group``, ``atomic_number``
    Position in the periodic table; lanthanides and actinides (no group in mendeleev) get
    group 3.

``H+`` (a bare proton) has no electron, so ``IE_(z+1)`` and the Shannon radius (negative,
-0.38 A) are meaningless. It gets a defined row that keeps it inside the range spanned by metal
cations: radius 0.31 A (covalent radius of H, Cordero 2008; ``radius_estimated = 1``, so
``z / r`` = ``z^2 / r`` = 3.2, like Be2+ rather than an extreme outlier), Pauling
electronegativity 2.20, ``ionization_energy`` = IE_1(H) = 13.598 eV, ``hardness`` = 2 IE_1 =
27.2 eV (1 hartree; hard, between Na+ 21.1 and Mg2+ 32.5 eV, as in Pearson's classification
where H+ is the prototypical hard acid), ``mulliken_electronegativity`` = IE_1 + hardness =
40.8 eV (as ``A + eta`` for the other ions), no d/f/sp electrons, period 1, group 1.

Lookups are cached: the mendeleev tables are read once per process (about 1 s) and every
``(symbol, charge)`` row is computed once; a repeated call costs a few microseconds.
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
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
    "METAL_DESCRIPTOR_NAMES",
    "metal_descriptors",
    "metal_descriptor_matrix",
]

METAL_DESCRIPTOR_NAMES: tuple[str, ...] = (
    "charge",
    "ionic_radius",
    "radius_estimated",
    "electronegativity",
    "ionization_energy",
    "hardness",
    "mulliken_electronegativity",
    "charge_over_radius",
    "charge2_over_radius",
    "d_electrons",
    "f_electrons",
    "valence_sp_electrons",
    "period",
    "group",
    "atomic_number",
)

_FORMAT_HINT = (
    "expected an element symbol followed by a positive charge, such as 'Cu2+', 'Fe3+', "
    "'Ag+' (also accepted: 'Cu+2', 'Cu++', 'Cu(2+)', 'Cu(II)')"
)

#: Elements refused as cations (H is accepted only as H+).
_NON_METALS = frozenset("He C N O F Ne P S Cl Ar Se Br Kr I Xe Rn".split())

#: Ions whose aqua complex is low spin: their low-spin Shannon radius is used.
_LOW_SPIN_AQUA = frozenset({("Co", 3)})

_RADIUS_STEP = 0.15  # Angstrom per unit charge, for extrapolating radii
_RADIUS_CLIP = (0.3, 2.2)

# H+ row (see module docstring).
_H_RADIUS = 0.31
_H_EN = 2.20

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
        name_to_symbol={
            str(n).lower(): s for n, s in zip(el["name"], symbols, strict=True) if n
        },
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
            raise _refuse(
                ion, f"element symbols are case-sensitive (did you mean {suggestion!r}?)"
            )
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
# --------------------------------------------------------------------------------------
def _radius_same_charge(sym: str, z: int, charge: int) -> float | None:
    """Shannon radius for (z, charge): CN VI, else the CN nearest to 6 (ties averaged)."""
    entries = _tables().radii.get((z, charge))
    if not entries:
        return None
    want = "LS" if (sym, charge) in _LOW_SPIN_AQUA else "HS"
    by_cn: dict[int, list[float]] = {}
    for cn in sorted({e[0] for e in entries}):
        at_cn = [e for e in entries if e[0] == cn]
        spins = {e[1] for e in at_cn}
        if want in spins:
            at_cn = [e for e in at_cn if e[1] == want]
        by_cn[cn] = [e[2] for e in at_cn]
    best = min(abs(cn - 6) for cn in by_cn)
    values = [r for cn, rs in by_cn.items() if abs(cn - 6) == best for r in rs]
    return float(np.mean(values))


def _estimate_radius(sym: str, z: int, charge: int) -> float:
    t = _tables()
    known = {}
    for q in range(1, 10):
        if q == charge:
            continue
        r = _radius_same_charge(sym, z, q)
        if r is not None:
            known[q] = r
    if len(known) >= 2:
        q1, q2 = sorted(known, key=lambda q: (abs(q - charge), q))[:2]
        slope = (known[q2] - known[q1]) / (q2 - q1)
        r = known[q1] + slope * (charge - q1)
    elif len(known) == 1:
        (q0, r0), = known.items()
        r = r0 - _RADIUS_STEP * (charge - q0)
    else:
        congener = _congener(z)
        t_has = congener is not None and any(k[0] == congener for k in t.radii)
        if t_has:
            csym = t.symbol[congener]
            r_c = _radius_same_charge(csym, congener, charge)
            r = r_c if r_c is not None else _estimate_radius(csym, congener, charge)
        else:
            r = t.cov_radius[z] - _RADIUS_STEP * charge
    return float(np.clip(r, *_RADIUS_CLIP))


def _congener(z: int) -> int | None:
    """The lighter element of the same group (lanthanide for an actinide), if any."""
    t = _tables()
    if t.block[z] == "f" or 89 <= z <= 103:
        return z - 32 if 89 <= z <= 103 else None
    group = t.group[z]
    if math.isnan(group):
        return None
    lighter = [
        zz for zz, g in t.group.items() if g == group and t.period[zz] == t.period[z] - 1
    ]
    return lighter[0] if lighter else None


def _electronegativity(z: int) -> float:
    t = _tables()
    en = t.en_pauling[z]
    if not math.isnan(en):
        return en
    same = [
        zz
        for zz in t.symbol
        if t.period[zz] == t.period[z]
        and t.block[zz] == t.block[z]
        and not math.isnan(t.en_pauling[zz])
    ]
    lower = [zz for zz in same if zz < z]
    upper = [zz for zz in same if zz > z]
    if lower and upper:
        a, b = max(lower), min(upper)
        return t.en_pauling[a] + (t.en_pauling[b] - t.en_pauling[a]) * (z - a) / (b - a)
    group = t.group[z]
    members = [
        zz
        for zz, g in t.group.items()
        if not math.isnan(group) and g == group and not math.isnan(t.en_pauling[zz])
    ]
    if members:
        return t.en_pauling[min(members, key=lambda zz: abs(t.period[zz] - t.period[z]))]
    if lower or upper:
        nearest = min(lower + upper, key=lambda zz: abs(zz - z))
        return t.en_pauling[nearest]
    raise UnknownMetalError(  # pragma: no cover - every metal has a fallback
        f"no electronegativity is known for {t.symbol[z]}"
    )


def _subshell_counts(z: int, charge: int) -> tuple[int, int, int]:
    from mendeleev.econf import ElectronicConfiguration

    t = _tables()
    conf = ElectronicConfiguration(t.econf[z]).ionize(charge).conf
    n = t.period[z]
    d = conf.get((n - 1, "d"), 0)
    f = conf.get((n - 2, "f"), 0)
    sp = conf.get((n, "s"), 0) + conf.get((n, "p"), 0)
    return int(d), int(f), int(sp)


@lru_cache(maxsize=1024)
def _descriptor_row(sym: str, charge: int) -> tuple[float, ...]:
    t = _tables()
    z = t.z_of[sym]
    ie = t.ie.get(z, ())
    if sym == "H":
        hardness = 2.0 * ie[0]
        values = {
            "charge": 1.0,
            "ionic_radius": _H_RADIUS,
            "radius_estimated": 1.0,
            "electronegativity": _H_EN,
            "ionization_energy": ie[0],
            "hardness": hardness,
            "mulliken_electronegativity": ie[0] + hardness,
            "d_electrons": 0.0,
            "f_electrons": 0.0,
            "valence_sp_electrons": 0.0,
        }
    else:
        if len(ie) < charge + 1:
            raise UnknownMetalError(
                f"mendeleev has no ionisation energy IE_{charge + 1} for {sym}, so the "
                f"descriptors of {format_ion(sym, charge)} cannot be computed; use a metal "
                "with known ionisation energies"
            )
        radius = _radius_same_charge(sym, z, charge)
        estimated = radius is None
        if radius is None:
            radius = _estimate_radius(sym, z, charge)
        d, f, sp = _subshell_counts(z, charge)
        values = {
            "charge": float(charge),
            "ionic_radius": radius,
            "radius_estimated": float(estimated),
            "electronegativity": _electronegativity(z),
            "ionization_energy": float(sum(ie[:charge])),
            "hardness": (ie[charge] - ie[charge - 1]) / 2.0,
            "mulliken_electronegativity": (ie[charge] + ie[charge - 1]) / 2.0,
            "d_electrons": float(d),
            "f_electrons": float(f),
            "valence_sp_electrons": float(sp),
        }
    group = t.group[z]
    values["charge_over_radius"] = values["charge"] / values["ionic_radius"]
    values["charge2_over_radius"] = values["charge"] ** 2 / values["ionic_radius"]
    values["period"] = float(t.period[z])
    values["group"] = 3.0 if math.isnan(group) else float(group)
    values["atomic_number"] = float(z)
    row = tuple(float(values[name]) for name in METAL_DESCRIPTOR_NAMES)
    if not all(math.isfinite(v) for v in row):  # pragma: no cover - data guard
        raise UnknownMetalError(f"descriptors of {sym}{charge}+ are not finite: {row}")
    return row


def metal_descriptors(ion: str) -> np.ndarray:
    """Physical descriptors of a metal ion (see the module docstring for each value).

    Parameters
    ----------
    ion : str
        Ion string accepted by :func:`parse_ion`, e.g. ``"Cu2+"``.

    Returns
    -------
    numpy.ndarray of float64, shape (len(METAL_DESCRIPTOR_NAMES),)
        A fresh array (safe to modify) in the order of :data:`METAL_DESCRIPTOR_NAMES`.

    Raises
    ------
    UnknownMetalError
        If the ion is refused by :func:`parse_ion` or mendeleev lacks its ionisation energies.
    """
    sym, charge = parse_ion(ion)
    return np.array(_descriptor_row(sym, charge), dtype=np.float64)


def metal_descriptor_matrix(ions: Sequence[str]) -> np.ndarray:
    """Stack :func:`metal_descriptors` for several ions.

    Parameters
    ----------
    ions : sequence of str

    Returns
    -------
    numpy.ndarray of float64, shape (len(ions), len(METAL_DESCRIPTOR_NAMES))

    Raises
    ------
    UnknownMetalError
        For the first refused ion; the message names its position.
    """
    if isinstance(ions, str):
        raise TypeError("metal_descriptor_matrix expects a sequence of ion strings, not one string")
    rows = []
    for i, ion in enumerate(ions):
        try:
            sym, charge = parse_ion(ion)
            rows.append(_descriptor_row(sym, charge))
        except UnknownMetalError as exc:
            raise UnknownMetalError(f"ion at position {i}: {exc}") from exc
    if not rows:
        return np.empty((0, len(METAL_DESCRIPTOR_NAMES)), dtype=np.float64)
    return np.array(rows, dtype=np.float64)
