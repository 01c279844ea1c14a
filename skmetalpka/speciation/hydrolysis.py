"""Metal hydrolysis from a PHREEQC database: hydroxo complexes, hydroxide phases, alpha_M(OH).

For a metal ion M^z+ :func:`hydrolysis_data` reads, from the first database of a chain that
defines the aqua ion and at least one of its hydroxo complexes (default
:data:`DEFAULT_HYDROLYSIS_DATABASES`: ``minteq.v4.dat``, then ``llnl.dat`` for the ions
minteq.v4 lacks, such as the lanthanides and Th4+, then Thermoddem for Ga3+, In3+ and Sc3+):

* every aqueous species made of M, O and H only with M in oxidation state +z (mononuclear
  M(OH)_n and polynuclear M_p(OH)_n, oxo forms such as CrO2- included), rewritten as
  ``p M^z+ + a H2O = species + n H+`` with log10 *beta_pn at the requested temperature,
  whatever master species the database uses (Cr(OH)2+ for Cr(III) and Hg(OH)2 for Hg(II) in
  minteq.v4);
* every phase made of M, O and H only with M in oxidation state +z (hydroxides,
  oxyhydroxides, oxides), rewritten as ``solid + n H+ = p M^z+ + a H2O``.

The constants are the database's thermodynamic (I = 0) values. Which phases may precipitate is
chosen by :func:`select_phases`: by default the most soluble hydroxide M(OH)z (the freshly
precipitated, amorphous solid that forms first; Ostwald's step rule), for example Ferrihydrite
for Fe3+, not the far less soluble hematite or goethite.

:func:`~skmetalpka.speciation.log_alpha_oh` turns the mononuclear constants into the metal
side-reaction coefficient alpha_M(OH) used for conditional constants.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from fractions import Fraction
from functools import lru_cache
from pathlib import Path
from typing import Any

from ..ions import format_ion, parse_ion
from .reactions import Database, Reaction, composition, formation_log_k, load_database

__all__ = [
    "DEFAULT_HYDROLYSIS_DATABASES",
    "HydrolysisWarning",
    "PRECIPITATION_CHOICES",
    "HydrolysisSpecies",
    "HydrolysisPhase",
    "HydrolysisData",
    "hydrolysis_data",
    "select_phases",
]

#: Databases searched in turn for the hydrolysis of a metal (shipped with :mod:`phreeqc`).
DEFAULT_HYDROLYSIS_DATABASES = (
    "minteq.v4.dat",
    "llnl.dat",
    "PHREEQC_ThermoddemV1.10_15Dec2020.dat",
)
#: Named choices of ``precipitation`` (besides a list of phase names).
PRECIPITATION_CHOICES = ("hydroxide", "all", "none")


class HydrolysisWarning(UserWarning):
    """Metal hydrolysis is not (fully) modelled: no data for the ion, or an engine's limit."""


@dataclass(frozen=True)
class HydrolysisSpecies:
    """``p M^z+ + water H2O = name + n H+`` with ``log_k`` (log10 *beta_pn)."""

    name: str
    p: int
    n: int
    water: Fraction
    log_k: float

    @property
    def column(self) -> str:
        """Fraction column of :func:`~skmetalpka.speciation.speciate`: ``"M:M2(OH)2"``."""
        oh = "OH" if self.n == 1 else f"(OH){self.n}"
        return f"M:M{'' if self.p == 1 else self.p}{oh}"


@dataclass(frozen=True)
class HydrolysisPhase:
    """``formula + n H+ = p M^z+ + water H2O`` with ``log_k`` (dissolution)."""

    name: str
    formula: str
    p: Fraction
    n: Fraction
    water: Fraction
    log_k: float

    @property
    def log_k_per_metal(self) -> float:
        """log K / p: the solubility of the phases of one metal ranks by this number."""
        return self.log_k / float(self.p)


@dataclass(frozen=True)
class HydrolysisData:
    """Hydrolysis of one metal ion from one database.

    Attributes
    ----------
    metal : str
        Canonical ion (``"Fe3+"``).
    database : str or None
        The database that supplied the data (None: no database of the chain has the ion).
    ion_name : str
        Name of the aqua ion in that database (``"Fe+3"``).
    species : tuple of HydrolysisSpecies
        Hydroxo complexes, mononuclear first, by (p, n).
    phases : tuple of HydrolysisPhase
        Every hydroxide / oxide phase of the metal in the database.
    temperature : float
        deg C at which the log K were evaluated.
    note : str
        What was found, or why nothing was (for warnings and reports).
    """

    metal: str
    database: str | None
    ion_name: str
    species: tuple[HydrolysisSpecies, ...]
    phases: tuple[HydrolysisPhase, ...]
    temperature: float
    note: str

    @property
    def mononuclear(self) -> tuple[HydrolysisSpecies, ...]:
        return tuple(s for s in self.species if s.p == 1)

    @property
    def polynuclear(self) -> tuple[HydrolysisSpecies, ...]:
        return tuple(s for s in self.species if s.p > 1)


@dataclass(frozen=True)
class _Ion:
    """The aqua ion: its metal element, composition (``{"U": 1, "O": 2}`` for uranyl), charge."""

    element: str
    comp: dict[str, Fraction]
    charge: int

    @property
    def oxidation_state(self) -> Fraction:
        return self.charge + 2 * self.comp.get("O", Fraction(0)) - self.comp.get("H", Fraction(0))

    def family(self, comp: dict[str, Fraction], charge: int) -> bool:
        """Made of the metal, O and H only, with the metal in the ion's oxidation state."""
        p = comp.get(self.element, Fraction(0))
        if p <= 0 or set(comp) - {self.element, "O", "H"}:
            return False
        ox = (charge + 2 * comp.get("O", Fraction(0)) - comp.get("H", Fraction(0))) / p
        return ox == self.oxidation_state

    def stoichiometry(self, comp: dict[str, Fraction]) -> tuple[Fraction, Fraction, Fraction]:
        """(p, a, n) of ``p ion + a H2O = comp + n H+`` (comp a species or a solid)."""
        p = comp[self.element]
        a = comp.get("O", Fraction(0)) - p * self.comp.get("O", Fraction(0))
        n = p * self.comp.get("H", Fraction(0)) + 2 * a - comp.get("H", Fraction(0))
        return p, a, n


def _ion(symbol: str, charge: int) -> _Ion | None:
    comp = composition(symbol)
    if comp is None:
        return None
    metals = [el for el in comp if el not in ("O", "H")]
    if len(metals) != 1 or comp[metals[0]] != 1:
        return None
    return _Ion(metals[0], comp, charge)


def _ion_name(db: Database, ion: _Ion) -> str | None:
    for name in db.species:
        if db.compositions.get(name) == (ion.comp, ion.charge):
            return name
    return None


def _extract(db: Database, symbol: str, z: int, temperature: float) -> HydrolysisData | None:
    ion = _ion(symbol, z)
    name_ion = None if ion is None else _ion_name(db, ion)
    if ion is None or name_ion is None:
        return None
    memo: dict = {}
    lk_ion = formation_log_k(db, name_ion, temperature, memo)
    lk_h = formation_log_k(db, "H+", temperature, memo) or 0.0
    lk_w = formation_log_k(db, "H2O", temperature, memo) or 0.0
    if lk_ion is None:
        return None
    species = []
    for name in db.species:
        parsed = db.compositions.get(name)
        if name == name_ion or parsed is None or not ion.family(*parsed):
            continue
        p, a, n = ion.stoichiometry(parsed[0])
        lk = formation_log_k(db, name, temperature, memo)
        if lk is None or p.denominator != 1 or n.denominator != 1 or n <= 0 or a < 0:
            continue
        log_k = lk + float(n) * lk_h - float(p) * lk_ion - float(a) * lk_w
        species.append(HydrolysisSpecies(name, int(p), int(n), a, log_k))
    species.sort(key=lambda s: (s.p, s.n))
    phases = []
    for name, rx in db.phases.items():
        phase = _phase(db, name, rx, ion, temperature, memo, (lk_ion, lk_h, lk_w))
        if phase is not None:
            phases.append(phase)
    mono = sum(s.p == 1 for s in species)
    metal = format_ion(symbol, z)
    note = (
        f"{metal} hydrolysis from {db.label}: {mono} mononuclear and "
        f"{len(species) - mono} polynuclear species, {len(phases)} hydroxide/oxide phase(s)"
    )
    return HydrolysisData(
        metal, db.label, name_ion, tuple(species), tuple(phases), temperature, note
    )


def _phase(
    db: Database,
    name: str,
    rx: Reaction,
    ion: _Ion,
    temperature: float,
    memo: dict,
    refs: tuple[float, float, float],
) -> HydrolysisPhase | None:
    if not rx.usable or not rx.lhs:
        return None
    formula = rx.lhs[0][1]
    comp: dict[str, Fraction] = {}
    charge = 0
    lk_phase = -rx.log_k_at(temperature)  # formation log K of the solid from the masters
    for sign, terms in ((1, rx.rhs), (-1, rx.lhs[1:])):
        for coef, other in terms:
            parsed = db.compositions.get(other)
            lk = formation_log_k(db, other, temperature, memo)
            if parsed is None or lk is None:
                return None
            for el, k in parsed[0].items():
                comp[el] = comp.get(el, Fraction(0)) + sign * coef * k
            charge += sign * coef * parsed[1]
            lk_phase += sign * float(coef) * lk
    comp = {el: k for el, k in comp.items() if k != 0}
    if charge != 0 or not ion.family(comp, 0):
        return None
    p, a, n = ion.stoichiometry(comp)
    if a < 0:
        return None
    lk_ion, lk_h, lk_w = refs
    log_k = float(p) * lk_ion + float(a) * lk_w - float(n) * lk_h - lk_phase
    return HydrolysisPhase(name, formula, p, n, a, log_k)


def hydroxo_columns(species: Sequence[HydrolysisSpecies]) -> list[str]:
    """The fraction columns of ``species`` (one per (p, n), mononuclear first)."""
    return list(dict.fromkeys(sp.column for sp in sorted(species, key=lambda sp: (sp.p, sp.n))))


def _chain(database: Any) -> tuple[str, ...]:
    if database is None:
        return DEFAULT_HYDROLYSIS_DATABASES
    if isinstance(database, str | Path):
        return (str(database),)
    chain = tuple(str(d) for d in database)
    if not chain:
        raise ValueError("hydrolysis_database is empty; give a database name, a path or None")
    return chain


def hydrolysis_data(
    metal: str, *, database: Any = None, temperature: float = 25.0
) -> HydrolysisData:
    """Hydroxo complexes and hydroxide phases of a metal ion, from a database chain.

    Parameters
    ----------
    metal : str
        Metal ion (:func:`skmetalpka.ions.parse_ion` spelling).
    database : str, Path or sequence of them, optional
        Database (shipped name or file) or chain of databases searched in turn; default
        :data:`DEFAULT_HYDROLYSIS_DATABASES`. The first one with the aqua ion and at least one
        hydroxo complex wins; else the first one with the ion (no hydrolysis species).
    temperature : float, default=25.0
        deg C at which the log K are evaluated.

    Returns
    -------
    HydrolysisData
        ``database`` is None (and ``note`` says so) when no database of the chain has the ion.

    Examples
    --------
    >>> data = hydrolysis_data("Fe3+")
    >>> data.database, [s.name for s in data.mononuclear]
    ('minteq.v4.dat', ['FeOH+2', 'Fe(OH)2+', 'Fe(OH)3', 'Fe(OH)4-'])
    """
    symbol, z = parse_ion(metal)
    return _hydrolysis_cached(symbol, z, _chain(database), float(temperature))


@lru_cache(maxsize=256)
def _hydrolysis_cached(
    symbol: str, z: int, chain: tuple[str, ...], temperature: float
) -> HydrolysisData:
    ion = format_ion(symbol, z)
    fallback: HydrolysisData | None = None
    for name in chain:
        data = _extract(load_database(name), symbol, z, temperature)
        if data is not None and data.species:
            if fallback is not None or name != chain[0]:
                skipped = ", ".join(chain[: chain.index(name)])
                data = _with_note(data, f"{data.note} (not in {skipped})")
            return data
        if data is not None and fallback is None:
            fallback = data
    if fallback is not None:
        return _with_note(
            fallback,
            f"{fallback.database} defines {ion} but no hydroxo complex of it (searched: "
            f"{', '.join(chain)}): no hydrolysis modelled",
        )
    return HydrolysisData(
        ion, None, "", (), (), temperature,
        f"no hydrolysis data for {ion} in {', '.join(chain)}: metal hydrolysis and hydroxide "
        "precipitation are NOT modelled for it",
    )  # fmt: skip


def _with_note(data: HydrolysisData, note: str) -> HydrolysisData:
    return HydrolysisData(
        data.metal, data.database, data.ion_name, data.species, data.phases, data.temperature,
        note,
    )  # fmt: skip


def select_phases(data: HydrolysisData, precipitation: Any = "hydroxide") -> list[HydrolysisPhase]:
    """The phases allowed to precipitate.

    Parameters
    ----------
    data : HydrolysisData
    precipitation : {"hydroxide", "all", "none"} or sequence of str, default="hydroxide"
        ``"hydroxide"``: the most soluble (largest log K) of the metal hydroxides M(OH)z, hydrated
        or not (no oxide or oxyhydroxide; among all phases, per metal atom, if the database has
        no hydroxide) -- the amorphous solid that forms first from a supersaturated solution,
        e.g. Ferrihydrite for Fe3+, Al(OH)3(am) for Al3+, Cu(OH)2 for Cu2+. ``"all"``: every
        hydroxide / oxide phase (full equilibrium: the least soluble one, often a crystalline
        oxide such as hematite, controls). ``"none"`` (or None / False): no precipitation. A
        sequence: these phase names of ``data.database``.

    Raises
    ------
    ValueError
        For an unknown choice or a phase name that is not a hydroxide / oxide phase of the metal.
    """
    if precipitation is None or precipitation is False or precipitation == "none":
        return []
    if isinstance(precipitation, str):
        if precipitation == "all":
            return list(data.phases)
        if precipitation != "hydroxide":
            raise ValueError(
                f"precipitation must be one of {PRECIPITATION_CHOICES} or a list of phase names, "
                f"got {precipitation!r}"
            )
        pool = [ph for ph in data.phases if _is_hydroxide(ph)] or list(data.phases)
        return [max(pool, key=lambda ph: ph.log_k_per_metal)] if pool else []
    by_name = {ph.name: ph for ph in data.phases}
    chosen = []
    for name in precipitation:
        if name not in by_name:
            known = ", ".join(by_name) or "none"
            raise ValueError(
                f"phase {name!r} is not a hydroxide/oxide phase of {data.metal} in "
                f"{data.database} (known: {known})"
            )
        chosen.append(by_name[name])
    return chosen


def _is_hydroxide(phase: HydrolysisPhase) -> bool:
    """M(OH)z, possibly hydrated: no oxide oxygen (water >= n), one metal per formula."""
    return phase.p == 1 and phase.water >= phase.n
