"""Physical descriptors of metal ions (the metal node's features).

Descriptors (:func:`metal_descriptors`)
---------------------------------------
All values come from the offline :mod:`mendeleev` database (Shannon 1976 ionic radii, NIST
ionisation energies, Pauling electronegativities), completed by the documented estimates
below; each estimated value is flagged by a ``*_estimated`` descriptor. ``METAL_DESCRIPTOR_NAMES``
lists them in order; the first 15 are those of skmetalpka 0.1.0
(:data:`LEGACY_METAL_DESCRIPTOR_NAMES`) and new descriptors are only ever appended, so a model
that stored the names (or the number) of the descriptors it was fitted with keeps getting
exactly those (see ``SmilesToGraph.metal_descriptor_names_``).

``charge``
    Ion charge z (2 for uranyl UO2 2+).
``ionic_radius``
    Shannon (1976) effective ionic radius in Angstrom, chosen by the fallback chain: (1) the
    radius at coordination number VI for that charge; (2) the radius for that charge at the
    tabulated coordination number c nearest to 6, moved by ``s * (6 - c)`` (ties averaged;
    ``s`` as for ``ionic_radius_cn8``, so Es3+, tabulated only at CN IX (1.116 A), gets
    0.945 A next to Cf3+ 0.95 A) with ``radius_estimated = 1``; (3) an estimate, with
    ``radius_estimated = 1``: linear inter-/extrapolation in the charge through the radii
    (rules 1-2) of the two nearest other charges of the same element, or
    ``r(z0) - 0.15 A * (z - z0)`` when only one other charge has a radius; for an element
    without any Shannon radius, the radius of the lighter group congener (for an actinide,
    the lanthanide 32 places before it) by the same chain; otherwise
    ``covalent radius (Pyykko) - 0.15 A * z``. Estimates are clipped to
    [0.3, 2.2] A. When Shannon gives several spin states, the high-spin radius is used (aqua
    ions are high spin), except for Co3+, whose aqua ion is low spin. Oxo-cations: see below.
``radius_estimated``
    1.0 when the radius came from step (2) or (3) (or for ``H+``), else 0.0.
``electronegativity``
    Pauling electronegativity of the element (mendeleev's values are those of the CRC
    Handbook for the most common oxidation state: U 1.7, Np and Pu 1.3, Lu 1.0). A missing
    value is linearly interpolated in atomic number between the nearest elements of the same
    period and block that have one (Pm, Eu, Tb, Yb); else taken from the nearest member of the
    same group (Rf -> Hf); else from the nearest element of the same period and block
    (Am-Lr -> Pu).
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
    ``q / r`` and ``q**2 / r`` (e / A and e^2 / A) with ``q = effective_charge`` (the charge z
    for every single-element ion): ionic potential and an electrostatic binding-energy proxy.
``d_electrons``, ``f_electrons``
    Electrons of the metal in the (n-1)d and (n-2)f subshells, n being the period (Cu2+: 9,
    Zn2+: 10, Ca2+: 0, Gd3+: f = 7, U(VI) of uranyl: 0), from mendeleev's ground-state
    configuration ionised to the metal's oxidation state, outermost electrons first. Filled
    core shells count (Hg2+: f = 14); ``f_block`` tells the f-elements apart.
``valence_sp_electrons``
    Electrons left in the ns/np shell of the ion: 2 for the "inert pair" ions Tl+, Pb2+,
    Sn2+, Bi3+, otherwise usually 0.
``period``, ``group``, ``atomic_number``
    Position in the periodic table of the metal; lanthanides and actinides (no group in
    mendeleev) get group 3.
``oxidation_state``
    Formal oxidation state of the metal: z for a single-element ion, ``z + 2 * oxo_count``
    for an oxo-cation (6 for uranyl, 4 for vanadyl).
``oxo_count``
    Number of oxo ligands: 0, 1 for vanadyl VO 2+, 2 for the linear O=M=O actinyls and the
    cis-dioxo pervanadyl VO2 +.
``effective_charge``
    Charge felt by the ligands in the equatorial plane: z for a single-element ion; for an
    oxo-cation ``oxidation_state - 1.375 * oxo_count``. Each oxo ligand takes 1.375 charge
    units off the metal: the mean of ``(6 - 3.3) / 2`` and ``(5 - 2.2) / 2`` from the
    effective charges 3.3 of UO2 2+ and 2.2 of NpO2 + that Choppin and Rao (Radiochim. Acta
    37, 143, 1984) derived from complexation constants, which explain the order
    An4+ > AnO2 2+ >= An3+ > AnO2 +. This gives 3.25 for An(VI)O2 2+, 2.25 for An(V)O2 +;
    the same rule for vanadium (2.625 for VO 2+, 2.25 for VO2 +) is an estimate carried over
    from the actinyls.
``ionic_radius_cn8``
    Shannon radius at coordination number VIII, the usual coordination of the large
    Ln3+/An3+/An4+/Ca2+/Sr2+ ions in complexes (their aqua ions have 8-9 waters); it follows
    the lanthanide contraction (La3+ 1.16 -> Lu3+ 0.977 A). When CN VIII is not tabulated for
    the charge, the radius at the nearest tabulated CN c is moved by ``s * (8 - c)`` (ties
    averaged), ``s`` being the median change of the Shannon radius per coordination step
    between CN VIII and another CN >= 4 of the same ion over the whole table
    (0.057 A with mendeleev 1.3.0, 207 pairs); without any radius for that charge,
    ``ionic_radius + 2 s``.
``radius_cn8_estimated``
    1.0 when ``ionic_radius_cn8`` is not a tabulated CN VIII radius (and for ``H+``).
``ionization_energy_estimated``
    1.0 when an ionisation energy used above is missing from mendeleev and was estimated:
    linear interpolation in atomic number between the nearest elements of the same period and
    block that have that ``IE_k``; else the value of the lighter congener (the lanthanide 32
    places before an actinide) shifted by the mean difference of the ionisation energies
    both elements have; else the nearest element of the same period and block. Only elements
    up to Lr (Z = 103) are estimated; heavier ions without data are refused. With mendeleev
    1.3.0 no ion up to Lr needs this (0 everywhere); older mendeleev releases lack some
    actinide values.
``softness``
    Pearson-Parr global softness ``1 / (2 * hardness)`` (1/eV): large for soft (Ag+, Hg2+,
    Pd2+), small for hard (Al3+, Be2+) acids.
``f_block``
    1.0 for the lanthanides La-Lu and the actinides Ac-Lr, else 0.0.

Oxo-cations (-yl ions)
----------------------
The oxo-cations of :data:`skmetalpka.ions.OXO_CATIONS` (UO2 2+, UO2 +, NpO2 2+, NpO2 +,
PuO2 2+, PuO2 +, AmO2 2+, AmO2 +, VO 2+, VO2 +) are species of their own: metal M in
oxidation state n = z + 2 * oxo_count, plus ``oxo_count`` oxo ligands.

* ``ionic_radius``: Shannon radius of M(n+) at the total coordination number of the aqua
  ion, oxo ligands included (7 for the actinyls: 2 oxo + 5 waters; 6 for [VO(H2O)5]2+ and
  cis-[VO2(H2O)4]+); ``ionic_radius_cn8``: M(n+) at CN VIII. A missing CN is moved by ``s``
  per step; without any radius for M(n+) (Am(V), Am(VI)): the preceding actinide's value
  minus the An4+ (CN VI) contraction between the two. Both are flagged as estimated.
* ``ionization_energy``, ``hardness``, ``mulliken_electronegativity``: those of a bare ion of
  charge ``effective_charge``, linear between the two neighbouring integer charges (uranyl:
  a quarter of the way from U3+ to U4+; a naked U6+, 182 eV, is never seen by the ligands).
* d/f electrons of M(n+) (U(VI) 5f0, V(IV) 3d1); electronegativity and position of M.

``H+`` (a bare proton) has no electron, so ``IE_(z+1)`` and the Shannon radius (negative,
-0.38 A) are meaningless. It gets a defined row that keeps it inside the range spanned by metal
cations: radius 0.31 A (covalent radius of H, Cordero 2008; ``radius_estimated = 1``, so
``z / r`` = ``z^2 / r`` = 3.2, like Be2+ rather than an extreme outlier), Pauling
electronegativity 2.20, ``ionization_energy`` = IE_1(H) = 13.598 eV, ``hardness`` = 2 IE_1 =
27.2 eV (1 hartree; hard, between Na+ 21.1 and Mg2+ 32.5 eV, as in Pearson's classification
where H+ is the prototypical hard acid), ``mulliken_electronegativity`` = IE_1 + hardness =
40.8 eV (as ``A + eta`` for the other ions), no d/f/sp electrons, period 1, group 1,
``ionic_radius_cn8`` = 0.31 A (estimated), oxidation state and effective charge 1.

Lookups are cached: the mendeleev tables are read once per process (about 1 s) and every
ion's row is computed once; a repeated call costs a few microseconds. The user guide page
``docs/guide/metals.md`` lists the supported ions and the estimated values.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from functools import lru_cache

import numpy as np

from ..ions import OxoCation, UnknownMetalError, parse_ion
from ..ions.elements import _Tables, _tables
from ..ions.oxo import _OXO_BY_FORMULA

__all__ = [
    "METAL_DESCRIPTOR_NAMES",
    "LEGACY_METAL_DESCRIPTOR_NAMES",
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
    # appended after 0.1.0 (append only: saved models select their own names)
    "oxidation_state",
    "oxo_count",
    "effective_charge",
    "ionic_radius_cn8",
    "radius_cn8_estimated",
    "ionization_energy_estimated",
    "softness",
    "f_block",
)

#: The descriptors of skmetalpka 0.1.0, used by models saved without
#: ``metal_descriptor_names_``.
LEGACY_METAL_DESCRIPTOR_NAMES: tuple[str, ...] = METAL_DESCRIPTOR_NAMES[:15]

_INDEX = {name: i for i, name in enumerate(METAL_DESCRIPTOR_NAMES)}

#: Ions whose aqua complex is low spin: their low-spin Shannon radius is used.
_LOW_SPIN_AQUA = frozenset({("Co", 3)})

_RADIUS_STEP = 0.15  # Angstrom per unit charge, for extrapolating radii
_RADIUS_CLIP = (0.3, 2.2)

# H+ row (see module docstring).
_H_RADIUS = 0.31
_H_EN = 2.20


def _radius_same_charge(sym: str, z: int, charge: int) -> float | None:
    """Shannon radius for (z, charge) at CN VI, else moved from the CN nearest to 6."""
    found = _radius_at_cn(sym, z, charge, 6)
    return None if found is None else found[0]


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


#: Charge units each oxo ligand takes off the metal (see ``effective_charge``).
_OXO_WITHDRAWAL = ((6 - 3.3) / 2 + (5 - 2.2) / 2) / 2
#: Total coordination number (oxo ligands included) of the aqua oxo-cations.
_OXO_AQUA_CN = {"UO2": 7, "NpO2": 7, "PuO2": 7, "AmO2": 7, "VO": 6, "VO2": 6}
_MAX_Z_ESTIMATED = 103  # Lr: ionisation energies are estimated up to here, not beyond


def _radii_by_cn(sym: str, z: int, charge: int) -> dict[int, float]:
    """Shannon radii of (z, charge) by coordination number (spin rule of ``ionic_radius``)."""
    entries = _tables().radii.get((z, charge))
    if not entries:
        return {}
    want = "LS" if (sym, charge) in _LOW_SPIN_AQUA else "HS"
    out = {}
    for cn in sorted({e[0] for e in entries}):
        at_cn = [e for e in entries if e[0] == cn]
        if want in {e[1] for e in at_cn}:
            at_cn = [e for e in at_cn if e[1] == want]
        out[cn] = float(np.mean([e[2] for e in at_cn]))
    return out


@lru_cache(maxsize=1)
def _cn_step() -> float:
    """Median Shannon-radius change per coordination step between CN VIII and another CN >= 4
    of the same ion (Angstrom)."""
    t = _tables()
    slopes = []
    for z, q in t.radii:
        by_cn = _radii_by_cn(t.symbol[z], z, q)
        if 8 in by_cn:
            slopes += [(by_cn[8] - r) / (8 - cn) for cn, r in by_cn.items() if cn != 8 and cn >= 4]
    return float(np.median(slopes))


def _radius_at_cn(sym: str, z: int, charge: int, cn: int) -> tuple[float, bool] | None:
    """(radius at ``cn``, estimated): tabulated, else moved from the nearest tabulated CN."""
    by_cn = _radii_by_cn(sym, z, charge)
    if not by_cn:
        return None
    if cn in by_cn:
        return by_cn[cn], False
    best = min(abs(c - cn) for c in by_cn)
    step = _cn_step()
    values = [r + step * (cn - c) for c, r in by_cn.items() if abs(c - cn) == best]
    return float(np.mean(values)), True


def _oxo_metal_radius(element: str, n: int, cn: int) -> tuple[float, bool]:
    """Radius of M(n+) at ``cn`` for an oxo-cation (see the module docstring)."""
    t = _tables()
    z = t.z_of[element]
    found = _radius_at_cn(element, z, n, cn)
    if found is not None:
        return found
    prev = z - 1  # preceding actinide in the same oxidation state, minus the contraction
    prev_r = _oxo_metal_radius(t.symbol[prev], n, cn)[0]
    contraction = _radii_by_cn(t.symbol[prev], prev, 4)[6] - _radii_by_cn(element, z, 4)[6]
    return prev_r - contraction, True


def _ionisation_energies(t: _Tables, z: int, n: int) -> tuple[tuple[float, ...], bool]:
    """``(IE_1 .. IE_n, estimated)`` of element ``z``, estimating missing values up to Lr."""
    have = t.ie.get(z, ())
    if len(have) >= n:
        return tuple(have[:n]), False
    if z > _MAX_Z_ESTIMATED:
        raise UnknownMetalError(
            f"mendeleev has no ionisation energy IE_{len(have) + 1} for {t.symbol[z]} and "
            f"none is estimated beyond Lr (Z = {_MAX_Z_ESTIMATED}), so its descriptors cannot "
            "be computed; use a metal with known ionisation energies"
        )
    out = list(have)
    for k in range(len(have), n):
        out.append(_estimate_ie(t, z, k))
    return tuple(out), True


def _estimate_ie(t: _Tables, z: int, k: int) -> float:
    """Estimate of ``IE_(k+1)`` of element ``z`` (see ``ionization_energy_estimated``)."""
    same = [
        zz
        for zz in t.symbol
        if zz != z
        and zz <= _MAX_Z_ESTIMATED
        and t.period[zz] == t.period[z]
        and t.block[zz] == t.block[z]
        and len(t.ie.get(zz, ())) > k
    ]
    lower = [zz for zz in same if zz < z]
    upper = [zz for zz in same if zz > z]
    if lower and upper:
        a, b = max(lower), min(upper)
        return t.ie[a][k] + (t.ie[b][k] - t.ie[a][k]) * (z - a) / (b - a)
    congener = _congener(z)
    if congener is not None and len(t.ie.get(congener, ())) > k:
        common = min(len(t.ie.get(z, ())), k)
        shift = (
            float(np.mean([t.ie[z][j] - t.ie[congener][j] for j in range(common)]))
            if common
            else 0.0
        )
        return t.ie[congener][k] + shift
    if same:
        return t.ie[min(same, key=lambda zz: abs(zz - z))][k]
    raise UnknownMetalError(  # pragma: no cover - every element up to Lr has a fallback
        f"no ionisation energy IE_{k + 1} can be estimated for {t.symbol[z]}"
    )


def _interpolated_ie_terms(ie: Sequence[float], q: float) -> tuple[float, float, float]:
    """(sum IE_1..IE_q, hardness, Mulliken electronegativity) at a (fractional) charge q,
    linear between the neighbouring integer charges."""

    def at(c: int) -> tuple[float, float, float]:
        return (
            float(sum(ie[:c])),
            (ie[c] - ie[c - 1]) / 2.0,
            (ie[c] + ie[c - 1]) / 2.0,
        )

    lo = math.floor(q)
    frac = q - lo
    a = at(lo)
    if frac == 0.0:
        return a
    b = at(lo + 1)
    return tuple(x + frac * (y - x) for x, y in zip(a, b, strict=True))  # type: ignore[return-value]


def _f_block(z: int) -> bool:
    return 57 <= z <= 71 or 89 <= z <= 103


@lru_cache(maxsize=1024)
def _descriptor_row(sym: str, charge: int) -> tuple[float, ...]:
    t = _tables()
    oxo: OxoCation | None = _OXO_BY_FORMULA.get((sym, charge))
    element = oxo.element if oxo is not None else sym
    z = t.z_of[element]
    if sym == "H":
        ie = t.ie[z]
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
            "oxidation_state": 1.0,
            "oxo_count": 0.0,
            "effective_charge": 1.0,
            "ionic_radius_cn8": _H_RADIUS,
            "radius_cn8_estimated": 1.0,
            "ionization_energy_estimated": 0.0,
        }
    elif oxo is None:
        ie, ie_estimated = _ionisation_energies(t, z, charge + 1)
        found = _radius_at_cn(sym, z, charge, 6)
        if found is None:
            radius, estimated = _estimate_radius(sym, z, charge), True
        else:
            radius, estimated = found
        cn8 = _radius_at_cn(sym, z, charge, 8)
        if cn8 is None:
            cn8 = (radius + 2.0 * _cn_step(), True)
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
            "oxidation_state": float(charge),
            "oxo_count": 0.0,
            "effective_charge": float(charge),
            "ionic_radius_cn8": cn8[0],
            "radius_cn8_estimated": float(cn8[1]),
            "ionization_energy_estimated": float(ie_estimated),
        }
    else:
        n = oxo.oxidation_state
        q_eff = n - _OXO_WITHDRAWAL * oxo.oxo_count
        ie, ie_estimated = _ionisation_energies(t, z, math.floor(q_eff) + 2)
        total_ie, hardness, mulliken = _interpolated_ie_terms(ie, q_eff)
        radius, estimated = _oxo_metal_radius(element, n, _OXO_AQUA_CN[sym])
        cn8, cn8_estimated = _oxo_metal_radius(element, n, 8)
        d, f, sp = _subshell_counts(z, n)
        values = {
            "charge": float(charge),
            "ionic_radius": radius,
            "radius_estimated": float(estimated),
            "electronegativity": _electronegativity(z),
            "ionization_energy": total_ie,
            "hardness": hardness,
            "mulliken_electronegativity": mulliken,
            "d_electrons": float(d),
            "f_electrons": float(f),
            "valence_sp_electrons": float(sp),
            "oxidation_state": float(n),
            "oxo_count": float(oxo.oxo_count),
            "effective_charge": q_eff,
            "ionic_radius_cn8": cn8,
            "radius_cn8_estimated": float(cn8_estimated),
            "ionization_energy_estimated": float(ie_estimated),
        }
    group = t.group[z]
    q = values["effective_charge"]
    values["charge_over_radius"] = q / values["ionic_radius"]
    values["charge2_over_radius"] = q**2 / values["ionic_radius"]
    values["period"] = float(t.period[z])
    values["group"] = 3.0 if math.isnan(group) else float(group)
    values["atomic_number"] = float(z)
    values["softness"] = 1.0 / (2.0 * values["hardness"])
    values["f_block"] = float(_f_block(z))
    row = tuple(float(values[name]) for name in METAL_DESCRIPTOR_NAMES)
    if not all(math.isfinite(v) for v in row):  # pragma: no cover - data guard
        raise UnknownMetalError(f"descriptors of {sym} (charge {charge}) are not finite: {row}")
    return row


@lru_cache(maxsize=64)
def _name_index(names: tuple[str, ...]) -> np.ndarray:
    unknown = [n for n in names if n not in _INDEX]
    if unknown:
        raise ValueError(
            f"unknown metal descriptor name(s) {unknown}; known: {list(METAL_DESCRIPTOR_NAMES)}"
        )
    idx = np.array([_INDEX[n] for n in names], dtype=np.intp)
    idx.flags.writeable = False
    return idx


def _check_names(names: Sequence[str] | None) -> np.ndarray | None:
    if names is None:
        return None
    if isinstance(names, str):
        raise TypeError("names must be a sequence of descriptor names, not one string")
    return _name_index(tuple(str(n) for n in names))


def metal_descriptors(ion: str, names: Sequence[str] | None = None) -> np.ndarray:
    """Physical descriptors of a metal ion (see the module docstring for each value).

    Parameters
    ----------
    ion : str
        Ion string accepted by :func:`~skmetalpka.ions.parse_ion`, e.g. ``"Cu2+"`` or
        ``"UO2 2+"``.
    names : sequence of str, optional
        Return only these descriptors, in this order (default: all of
        :data:`METAL_DESCRIPTOR_NAMES`). A fitted model passes the names it was fitted with.

    Returns
    -------
    numpy.ndarray of float64, shape (len(names),)
        A fresh array (safe to modify).

    Raises
    ------
    UnknownMetalError
        If the ion is refused by :func:`~skmetalpka.ions.parse_ion` or its ionisation
        energies are unknown (elements beyond Lr).
    ValueError
        For an unknown descriptor name.
    """
    idx = _check_names(names)
    sym, charge = parse_ion(ion)
    row = np.array(_descriptor_row(sym, charge), dtype=np.float64)
    return row if idx is None else row[idx]


def metal_descriptor_matrix(ions: Sequence[str], names: Sequence[str] | None = None) -> np.ndarray:
    """Stack :func:`metal_descriptors` for several ions.

    Parameters
    ----------
    ions : sequence of str
    names : sequence of str, optional
        As for :func:`metal_descriptors`.

    Returns
    -------
    numpy.ndarray of float64, shape (len(ions), len(names))

    Raises
    ------
    UnknownMetalError
        For the first refused ion; the message names its position.
    """
    if isinstance(ions, str):
        raise TypeError("metal_descriptor_matrix expects a sequence of ion strings, not one string")
    idx = _check_names(names)
    rows = []
    for i, ion in enumerate(ions):
        try:
            sym, charge = parse_ion(ion)
            rows.append(_descriptor_row(sym, charge))
        except UnknownMetalError as exc:
            raise UnknownMetalError(f"ion at position {i}: {exc}") from exc
    width = len(METAL_DESCRIPTOR_NAMES)
    out = np.array(rows, dtype=np.float64) if rows else np.empty((0, width), dtype=np.float64)
    return out if idx is None else out[:, idx]
