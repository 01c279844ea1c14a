"""PHREEQC database text written here: the minimal database, ligand blocks, master names."""

from __future__ import annotations

import re
from collections.abc import Sequence
from fractions import Fraction
from typing import TYPE_CHECKING

import numpy as np

from ..ions import format_ion

if TYPE_CHECKING:  # pragma: no cover
    from .hydrolysis import HydrolysisPhase, HydrolysisSpecies

#: Element name under which the ligand is defined in PHREEQC.
LIGAND_ELEMENT = "Lgd"
#: Made-up inert background electrolyte (cation, anion).
_BG_CATION = "Bgc"
_BG_ANION = "Bga"
#: Extended Debye-Hueckel ion size (Angstrom) that makes every activity coefficient 1.
_IDEAL_GAMMA = "-gamma 1e14 0"


def _charge_suffix(z: int) -> str:
    if z == 0:
        return ""
    sign = "+" if z > 0 else "-"
    return sign if abs(z) == 1 else f"{sign}{abs(z)}"


def _species_names(
    symbol: str, z_m: int, z_l: int, n_complexes: int, n_prot: int
) -> tuple[str, str, list[str], list[str]]:
    """PHREEQC names: (metal ion, free ligand, [H_jL], [ML_n])."""
    lig = LIGAND_ELEMENT
    metal = f"{symbol}{_charge_suffix(z_m)}"
    free = f"{lig}{_charge_suffix(z_l)}"
    prot = [
        f"{'H' if j == 1 else f'H{j}'}{lig}{_charge_suffix(z_l + j)}" for j in range(1, n_prot + 1)
    ]
    cplx = [
        f"{symbol}{lig if n == 1 else f'({lig}){n}'}{_charge_suffix(z_m + n * z_l)}"
        for n in range(1, n_complexes + 1)
    ]
    return metal, free, prot, cplx


def _ligand_blocks(
    metal_species: str,
    free: str,
    prot: list[str],
    cplx: list[str],
    log_beta: np.ndarray,
    protonation: np.ndarray,
    gamma: str,
) -> tuple[str, str]:
    """(SOLUTION_MASTER_SPECIES lines, SOLUTION_SPECIES lines) of the ligand and background."""
    master = (
        f"{LIGAND_ELEMENT} {free} 0 100 100\n"
        f"{_BG_CATION} {_BG_CATION}+ 0 23 23\n"
        f"{_BG_ANION} {_BG_ANION}- 0 35.45 35.45\n"
    )
    g = f"    {gamma}\n" if gamma else ""
    lines = [
        f"{free} = {free}\n    log_k 0\n{g}",
        f"{_BG_CATION}+ = {_BG_CATION}+\n    log_k 0\n{g}",
        f"{_BG_ANION}- = {_BG_ANION}-\n    log_k 0\n{g}",
    ]
    for j, (name, lk) in enumerate(zip(prot, protonation, strict=True), start=1):
        h = "H+" if j == 1 else f"{j}H+"
        lines.append(f"{free} + {h} = {name}\n    log_k {float(lk)!r}\n{g}")
    for n, (name, lk) in enumerate(zip(cplx, log_beta, strict=True), start=1):
        lig = free if n == 1 else f"{n}{free}"
        lines.append(f"{metal_species} + {lig} = {name}\n    log_k {float(lk)!r}\n{g}")
    return master, "".join(lines)


def _num(value: Fraction | int) -> str:
    f = Fraction(value)
    return str(f.numerator) if f.denominator == 1 else repr(float(f))


def _hydrolysis_blocks(
    metal_species: str,
    species: Sequence[HydrolysisSpecies],
    phases: Sequence[HydrolysisPhase],
    gamma: str,
) -> tuple[str, str]:
    """(SOLUTION_SPECIES lines, PHASES block) of the metal's hydroxo complexes and solids."""
    g = f"    {gamma}\n" if gamma else ""
    lines = []
    for sp in species:
        metal = metal_species if sp.p == 1 else f"{sp.p} {metal_species}"
        water = f" + {_num(sp.water)} H2O" if sp.water else ""
        lines.append(f"{metal}{water} = {sp.name} + {sp.n} H+\n    log_k {sp.log_k!r}\n{g}")
    block = ""
    for ph in phases:
        acid = f" + {_num(ph.n)} H+" if ph.n else ""
        metal = metal_species if ph.p == 1 else f"{_num(ph.p)} {metal_species}"
        water = f" + {_num(ph.water)} H2O" if ph.water else ""
        block += f"{ph.name}\n    {ph.formula}{acid} = {metal}{water}\n    log_k {ph.log_k!r}\n"
    return "".join(lines), (f"PHASES\n{block}" if block else "")


def _minimal_database(
    symbol: str,
    metal_species: str,
    ligand: tuple[str, str],
    ideal: bool,
    hydrolysis: tuple[str, str] = ("", ""),
) -> str:
    """Water, the metal (with its hydroxo complexes and solids), the ligand, the background."""
    g = f"    {_IDEAL_GAMMA}\n" if ideal else ""
    master_lig, species_lig = ligand
    return (
        "SOLUTION_MASTER_SPECIES\n"
        "H H+ -1 H 1.008\n"
        "H(0) H2 0 H\n"
        "H(1) H+ -1 0\n"
        "E e- 0 0 0\n"
        "O H2O 0 O 16.0\n"
        "O(0) O2 0 O\n"
        "O(-2) H2O 0 0\n"
        f"{symbol} {metal_species} 0 100 100\n"
        f"{master_lig}"
        "SOLUTION_SPECIES\n"
        f"H+ = H+\n    log_k 0\n{g}"
        "e- = e-\n    log_k 0\n"
        "H2O = H2O\n    log_k 0\n"
        f"{metal_species} = {metal_species}\n    log_k 0\n{g}"
        # water ion product and the H2 / O2 couple (standard values, 25 deg C)
        f"H2O = OH- + H+\n    log_k -14.0\n    delta_h 13.362 kcal\n{g}"
        f"2 H+ + 2 e- = H2\n    log_k -3.15\n    delta_h -1.759 kcal\n{g}"
        f"2 H2O = O2 + 4 H+ + 4 e-\n    log_k -86.08\n    delta_h 134.79 kcal\n{g}"
        f"{species_lig}"
        f"{hydrolysis[0]}"
        f"{hydrolysis[1]}"
    )


_KEYWORD = re.compile(r"^[A-Z_]{4,}\b")
_SPECIES = re.compile(r"^([A-Z][a-z]*(?:O\d*)?)(\+*|\+\d+)$")  # Cu+2, UO2+2 (uranyl)
_ELEMENT = re.compile(r"[A-Z][a-z]?")


def _species_charge(species: str) -> tuple[str, int] | None:
    m = _SPECIES.match(species)
    if m is None:
        return None
    q = m.group(2)
    if not q:
        return m.group(1), 0
    return m.group(1), (int(q[1:]) if q[1:].isdigit() else len(q))


def _database_master(text: str, symbol: str, charge: int, label: str) -> str:
    """Name to use in SOLUTION input for the free ion ``symbol``^charge+ of a database."""
    found: list[str] = []
    in_block = False
    for raw in text.splitlines():
        line = raw.split("#", 1)[0].strip()
        if not line:
            continue
        if _KEYWORD.match(line):
            in_block = line.split()[0] == "SOLUTION_MASTER_SPECIES"
            continue
        if in_block:
            parts = line.split()
            if len(parts) >= 2 and _species_charge(parts[1]) == (symbol, charge):
                found.append(parts[0])
    if not found:
        raise ValueError(
            f"the PHREEQC database {label} has no master species for "
            f"{format_ion(symbol, charge)} ({symbol}{_charge_suffix(charge)}); choose another "
            "database or use database=None (minimal database without metal hydrolysis)"
        )
    # prefer the redox-state name 'Cu(2)' / 'Cu(+2)' so that pe does not redistribute valences
    redox = [f for f in found if "(" in f]
    return redox[0] if redox else found[0]


def _check_names_free(text: str, label: str) -> None:
    for name in (LIGAND_ELEMENT, _BG_CATION, _BG_ANION):
        if re.search(rf"\b{name}\b", text):
            raise ValueError(
                f"the PHREEQC database {label} already defines {name!r}, the element name used "
                "internally for the ligand / background electrolyte; use another database"
            )
