"""Physical descriptors of metal ions (the metal node's features).

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
from collections.abc import Sequence
from functools import lru_cache

import numpy as np

from ..ions import UnknownMetalError, _tables, format_ion, parse_ion

__all__ = [
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


#: Ions whose aqua complex is low spin: their low-spin Shannon radius is used.
_LOW_SPIN_AQUA = frozenset({("Co", 3)})

_RADIUS_STEP = 0.15  # Angstrom per unit charge, for extrapolating radii
_RADIUS_CLIP = (0.3, 2.2)

# H+ row (see module docstring).
_H_RADIUS = 0.31
_H_EN = 2.20


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
        ((q0, r0),) = known.items()
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
    lighter = [zz for zz, g in t.group.items() if g == group and t.period[zz] == t.period[z] - 1]
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
