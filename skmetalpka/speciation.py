"""Metal-ligand speciation versus pH (fractional-composition diagrams).

Given a metal ion M, a ligand L with cumulative protonation constants and cumulative stability
constants of the complexes ML_n, :func:`speciate` computes at every pH of a grid the fraction of
the total metal present as free M and as each ML_n, and the fraction of the total ligand
present as free L, as each protonated form H_jL and bound to the metal.

Equilibria and constants
------------------------
``log_beta[n-1]`` is the cumulative log beta_n of ``M + n L = ML_n`` and ``protonation[j-1]``
the cumulative log beta^H_j of ``L + j H = H_jL`` (for a ligand with stepwise protonation
constants log K1^H >= log K2^H ..., ``beta^H_1 = K1^H`` and ``beta^H_2 = K1^H K2^H``; e.g.
ethylenediamine 9.93 and 9.93 + 7.08 = 17.01). Trailing NaN entries mean "no such species"
(the output of a model that predicts fewer steps); a NaN followed by a number is an error.
Constants are used as given at every temperature (no van 't Hoff correction). Mixed complexes
(MHL, ML(OH)), polynuclear complexes and precipitation are not modelled.

Charges: the metal charge comes from the ion string; the fully deprotonated ligand L has charge
``ligand_charge`` (default 0, e.g. ethylenediamine or ammonia; glycinate is -1, oxalate -2,
EDTA -4). H_jL has charge ``ligand_charge + j`` and ML_n ``z_M + n * ligand_charge``. The charge
never changes the fractions with ``activity="ideal"``; it sets the activity coefficients with
``activity="davies"``.

Engines
-------
``engine="phreeqc"`` (default)
    The equilibrium solver PHREEQC (through the :mod:`phreeqc` package, IPhreeqc). By default
    (``database=None``) a minimal database is written for each call that holds only water
    (H+, OH-, H2O and the H2 / O2 redox pair PHREEQC requires), the metal ion, the ligand
    (under the made-up element name ``Lgd`` so that it never collides with a real element or
    with the ligands of a database), its protonated forms, the complexes ML_n, and an inert 1:1
    background electrolyte (made-up elements ``Bgc+`` / ``Bga-``) used with
    ``activity="davies"``. No metal hydrolysis, so the result is hand-checkable: it is the same
    mathematical problem as the NumPy engine. The whole pH sweep is one PHREEQC run: one
    ``SOLUTION`` per pH (pH fixed, totals in mol/kgw), read back through ``SELECTED_OUTPUT``.

    With ``database="phreeqc.dat"`` (any file shipped with the :mod:`phreeqc` package, or a path
    to a PHREEQC database file) the ligand is added to that database instead, so that the
    metal also hydrolyses (CuOH+, Cu(OH)2, ...) and forms the other complexes the database
    defines; the part of the metal in those species is the column ``M:other``. Minerals are
    never precipitated (supersaturation with, e.g., Cu(OH)2 at high pH is not checked).
``engine="numpy"``
    Independent reference solver (ideal only, minimal chemistry as above): at each pH the free
    ligand concentration l solves the closed mass balance

        L_T = l * alpha_H(pH) + M_T * nbar(l),
        alpha_H = 1 + sum_j beta^H_j [H]^j,
        nbar(l) = sum_n n beta_n l^n / (1 + sum_n beta_n l^n),

    whose left side is increasing in l, found by :func:`scipy.optimize.brentq` on ``ln l``
    with every term evaluated as a log-sum-exp, which stays finite at extreme pH and with very
    large constants. ``[H] = 10**-pH``.

Activity
--------
``activity="ideal"`` (default without a database)
    All activity coefficients are 1: the constants are concentration constants (as tabulated
    by NIST at the ionic strength of the measurement, usually 0.1 M), ``pH`` means
    ``-log10 [H+]`` and the result does not depend on the charges. In PHREEQC this is done by
    giving every species of the minimal database the extended Debye-Hueckel parameters
    ``-gamma 1e14 0`` (ion size 1e14 Angstrom), for which ``|log10 gamma| < 1e-13 z^2``.
``activity="davies"``
    The constants are thermodynamic (I = 0) constants; PHREEQC applies the Davies equation
    (``log10 gamma = -A z^2 (sqrt(I) / (1 + sqrt(I)) - 0.3 I)``, A = 0.51 at 25 deg C) to the
    ions and its default ``log10 gamma = 0.1 I`` to neutral species, with the ionic strength
    I of each solution, and ``pH = -log10 a(H+)``. ``ionic_strength``
    (mol/kgw) of inert 1:1 background electrolyte is added, and each solution is made
    electrically neutral with more background cation or anion (PHREEQC is run again with the
    imbalance of the previous run added as background ions, at most 8 runs, until the
    imbalance is below 1e-10 eq/kgw), so that the ionic strength is not underestimated at low
    or high pH. With a database the activity model of the database is used for its
    own species (Davies for the ligand species). Only the PHREEQC engine supports it.

Concentrations are totals in mol/kgw (PHREEQC) / mol/L (NumPy): the two are treated as the
same number (dilute solutions), so the engines solve identical problems.

Output columns
--------------
``pH``
    The requested pH values, in the order given.
``M:free``, ``M:ML``, ``M:ML2``, ..., ``M:ML<N>`` (, ``M:other`` with a database)
    Fraction of the **total metal** present as the free (aqua) ion and as each complex; they
    sum to 1.
``L:free``, ``L:HL``, ``L:H2L``, ..., ``L:H<m>L``, ``L:bound``
    Fraction of the **total ligand** present as L, as each H_jL, and bound to the metal
    (``sum_n n [ML_n] / L_T``); they sum to 1.

``DataFrame.attrs`` records the inputs (``metal``, ``log_beta``, ``protonation``,
``ligand_charge``, ``metal_conc``, ``ligand_conc``, ``temperature``, ``ionic_strength``,
``activity``, ``engine``, ``database``).

Agreement of the engines (ideal activities; PHREEQC run with ``-convergence_tolerance 1e-12``):
the largest absolute difference of any fraction is 1.3e-12 for Cu2+-ethylenediamine (101
points from pH 2 to 12, see ``tests/test_speciation.py``) and below 1e-9 over 200 random
systems (pH 0 to 14, up to 4 complexes and 4 protonation steps, log beta_n up to 80, totals
from 1e-7 to 0.3 M). Time of a 101-point sweep (after the first call, which pays about
0.5 s of imports): PHREEQC 4 ms (minimal database, ideal), 20 ms with ``activity="davies"``
(repeated runs for electroneutrality), 60 ms with ``phreeqc.dat``, 110 ms with
``minteq.v4.dat``; NumPy engine 33 ms.
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from .ions import format_ion, parse_ion

if TYPE_CHECKING:  # pragma: no cover
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

__all__ = [
    "LIGAND_ELEMENT",
    "ENGINES",
    "ACTIVITY_MODELS",
    "default_ph_grid",
    "log_alpha_h",
    "conditional_log_k",
    "speciate",
    "speciation_columns",
    "plot_speciation",
]

#: Element name under which the ligand is defined in PHREEQC.
LIGAND_ELEMENT = "Lgd"
#: Made-up inert background electrolyte (cation, anion).
_BG_CATION = "Bgc"
_BG_ANION = "Bga"
ENGINES = ("phreeqc", "numpy")
ACTIVITY_MODELS = ("ideal", "davies")

_LN10 = math.log(10.0)
#: Extended Debye-Hueckel ion size (Angstrom) that makes every activity coefficient 1.
_IDEAL_GAMMA = "-gamma 1e14 0"
_PH_RANGE = (0.0, 14.0)
_TEMPERATURE_RANGE = (0.0, 100.0)
_MAX_ABS_CHARGE = 10


def default_ph_grid() -> np.ndarray:
    """The default pH grid: 101 points from 2 to 12 (step 0.1)."""
    return np.linspace(2.0, 12.0, 101)


# --------------------------------------------------------------------------------------
# validation
# --------------------------------------------------------------------------------------
def _check_constants(values: Any, name: str, *, allow_empty: bool) -> np.ndarray:
    """1-D float array of cumulative log constants with trailing NaN removed."""
    if values is None:
        values = ()
    try:
        arr = np.asarray(values, dtype=float)
    except (TypeError, ValueError) as exc:
        raise ValueError(
            f"{name} must be a sequence of numbers (cumulative log10 constants), got {values!r}"
        ) from exc
    if arr.ndim == 0:
        arr = arr.reshape(1)
    if arr.ndim != 1:
        raise ValueError(f"{name} must be 1-D (one cumulative constant per step), got {arr.shape}")
    if np.isinf(arr).any():
        raise ValueError(
            f"{name} contains an infinite value: {arr.tolist()}; give finite log10 values"
        )
    finite = ~np.isnan(arr)
    n = int(np.flatnonzero(finite).max()) + 1 if finite.any() else 0
    if not finite[:n].all():
        bad = int(np.flatnonzero(~finite[:n])[0]) + 1
        raise ValueError(
            f"{name} has a NaN at step {bad} followed by a value at step {n}: {arr.tolist()}; "
            "steps must be contiguous from 1 (NaN only at the end means 'no such species')"
        )
    if n == 0 and not allow_empty:
        raise ValueError(f"{name} has no finite value ({arr.tolist()}); give at least log beta_1")
    return arr[:n].copy()


def _check_ph(ph: Any) -> np.ndarray:
    if ph is None:
        return default_ph_grid()
    try:
        arr = np.asarray(ph, dtype=float)
    except (TypeError, ValueError) as exc:
        raise ValueError(f"ph must be a number or a sequence of numbers, got {ph!r}") from exc
    if arr.ndim == 0:
        arr = arr.reshape(1)
    if arr.ndim != 1 or arr.size == 0:
        raise ValueError(f"ph must be a non-empty 1-D sequence of pH values, got shape {arr.shape}")
    lo, hi = _PH_RANGE
    bad = ~np.isfinite(arr) | (arr < lo) | (arr > hi)
    if bad.any():
        raise ValueError(
            f"{int(bad.sum())} pH value(s) are not finite numbers in [{lo:g}, {hi:g}] "
            f"(first: {arr[bad][0]!r}); give pH values between {lo:g} and {hi:g}"
        )
    return arr.copy()


def _check_positive(value: Any, name: str) -> float:
    try:
        v = float(value)
    except (TypeError, ValueError) as exc:
        raise ValueError(f"{name} must be a number (mol/L), got {value!r}") from exc
    if not math.isfinite(v) or v <= 0:
        raise ValueError(f"{name} must be a finite concentration > 0 (mol/L), got {value!r}")
    if v > 10:
        raise ValueError(f"{name} = {v:g} mol/L is not a realistic concentration; give mol/L <= 10")
    return v


def _check_metal(metal: str) -> tuple[str, int, str]:
    symbol, charge = parse_ion(metal)  # UnknownMetalError (a ValueError) with the reason
    if symbol == "H":
        raise ValueError(
            "metal 'H+' is the proton: give its constants as `protonation`, and a metal cation "
            "such as 'Cu2+' as `metal`"
        )
    return symbol, charge, format_ion(symbol, charge)


def _check_charge(ligand_charge: Any) -> int:
    if isinstance(ligand_charge, bool) or not isinstance(ligand_charge, int | np.integer):
        raise ValueError(
            f"ligand_charge must be an integer (charge of the fully deprotonated ligand L), "
            f"got {ligand_charge!r}"
        )
    if abs(int(ligand_charge)) > _MAX_ABS_CHARGE:
        raise ValueError(
            f"ligand_charge {ligand_charge} is outside [-{_MAX_ABS_CHARGE}, {_MAX_ABS_CHARGE}]"
        )
    return int(ligand_charge)


# --------------------------------------------------------------------------------------
# closed-form helpers
# --------------------------------------------------------------------------------------
def _logsumexp(values: np.ndarray, axis: int = -1) -> np.ndarray:
    m = np.max(values, axis=axis, keepdims=True)
    out = m + np.log(np.sum(np.exp(values - m), axis=axis, keepdims=True))
    return np.squeeze(out, axis=axis)


def log_alpha_h(protonation: Sequence[float], ph: Any) -> np.ndarray:
    """log10 of the ligand side-reaction coefficient alpha_L(H) = 1 + sum_j beta^H_j [H]^j.

    Parameters
    ----------
    protonation : sequence of float
        Cumulative log10 beta^H_1..m of ``L + j H = H_jL`` (trailing NaN ignored).
    ph : float or array-like
        pH values (``[H] = 10**-pH``).

    Returns
    -------
    ndarray of float
        Same shape as ``ph`` (0-d for a scalar). Computed as a log-sum-exp, so that no
        overflow occurs for large constants at low pH.
    """
    prot = _check_constants(protonation, "protonation", allow_empty=True)
    ph_arr = np.asarray(ph, dtype=float)
    if not np.isfinite(ph_arr).all():
        raise ValueError(f"ph must be finite, got {ph!r}")
    j = np.arange(1, prot.size + 1, dtype=float)
    terms = np.concatenate(
        [np.zeros(ph_arr.shape + (1,)), (prot - j * ph_arr[..., None]) * _LN10], axis=-1
    )
    return _logsumexp(terms, axis=-1) / _LN10


def conditional_log_k(log_beta1: Any, protonation: Sequence[float], ph: Any) -> np.ndarray:
    """Conditional stability constant log beta_1' = log beta_1 - log alpha_L(H) at each pH.

    beta_1' = [ML] / ([M] [L']) where [L'] is the total ligand not bound to the metal (all
    protonation forms). Metal hydrolysis is not included (alpha_M = 1).

    Parameters
    ----------
    log_beta1 : float or array-like
        log10 beta_1 of ``M + L = ML`` (broadcast against ``ph``).
    protonation : sequence of float
        Cumulative log10 beta^H_j of the ligand (see :func:`log_alpha_h`).
    ph : float or array-like
        pH values.

    Returns
    -------
    ndarray of float
        log10 beta_1' with the broadcast shape of ``log_beta1`` and ``ph``.

    Examples
    --------
    Ethylenediamine (log beta^H = 9.93, 17.01) with Cu2+ (log beta_1 = 10.5) at pH 7:
    alpha_H = 1 + 10**2.93 + 10**3.01 = 1875.43, so log beta_1' = 10.5 - 3.2731 = 7.2269.

    >>> round(float(conditional_log_k(10.5, [9.93, 17.01], 7.0)), 4)
    7.2269
    """
    lb = np.asarray(log_beta1, dtype=float)
    if not np.isfinite(lb).all():
        raise ValueError(f"log_beta1 must be finite, got {log_beta1!r}")
    return lb - log_alpha_h(protonation, ph)


def speciation_columns(
    n_complexes: int, n_protonation: int, *, other: bool = False
) -> tuple[list[str], list[str]]:
    """Names of the metal-side and ligand-side fraction columns of :func:`speciate`.

    Parameters
    ----------
    n_complexes : int
        Number N of complexes ML_1..ML_N.
    n_protonation : int
        Number m of protonated forms H_1L..H_mL.
    other : bool, default=False
        Add ``"M:other"`` (metal in species of a full database, e.g. hydroxo complexes).

    Returns
    -------
    (list of str, list of str)
        ``["M:free", "M:ML", "M:ML2", ...(, "M:other")]`` and
        ``["L:free", "L:HL", "L:H2L", ..., "L:bound"]``.
    """
    metal = ["M:free"] + [f"M:ML{'' if n == 1 else n}" for n in range(1, n_complexes + 1)]
    if other:
        metal.append("M:other")
    ligand = ["L:free"] + [f"L:H{'' if j == 1 else j}L" for j in range(1, n_protonation + 1)]
    ligand.append("L:bound")
    return metal, ligand


# --------------------------------------------------------------------------------------
# NumPy reference engine
# --------------------------------------------------------------------------------------
def _numpy_engine(
    log_beta: np.ndarray,
    protonation: np.ndarray,
    ph: np.ndarray,
    metal_conc: float,
    ligand_conc: float,
) -> tuple[np.ndarray, np.ndarray]:
    from scipy.optimize import brentq

    n = np.arange(1, log_beta.size + 1, dtype=float)
    ln_beta = log_beta * _LN10
    ln_n = np.log(n)
    ln_mt = math.log(metal_conc)
    ln_lt = math.log(ligand_conc)
    log_alpha = log_alpha_h(protonation, ph)
    j = np.arange(1, protonation.size + 1, dtype=float)

    metal_frac = np.empty((ph.size, log_beta.size + 1))
    lig_frac = np.empty((ph.size, protonation.size + 2))
    for i, (p, la) in enumerate(zip(ph, log_alpha, strict=True)):
        ln_alpha = float(la) * _LN10

        def residual(u: float, ln_alpha: float = ln_alpha) -> float:
            # ln(l alpha + M_T nbar(l)) - ln L_T, increasing in u = ln l
            ln_terms = ln_beta + n * u
            ln_den = np.logaddexp(0.0, _logsumexp(ln_terms))
            ln_nbar = _logsumexp(ln_n + ln_terms) - ln_den
            return float(np.logaddexp(u + ln_alpha, ln_mt + ln_nbar) - ln_lt)

        u_hi = ln_lt - ln_alpha  # free L alone would hold all the ligand: residual >= 0
        if residual(u_hi) <= 0.0:  # >= 0 exactly; <= 0 only when M_T nbar / L_T < 1e-16
            u = u_hi
        else:
            step = 10.0
            u_lo = u_hi - step
            while residual(u_lo) >= 0.0:  # residual -> -inf as u -> -inf
                step *= 2.0
                u_lo = u_hi - step
                if step > 1e5:  # pragma: no cover - cannot happen for finite inputs
                    raise RuntimeError("numpy speciation: could not bracket the free ligand")
            u = brentq(residual, u_lo, u_hi, xtol=1e-14, rtol=4 * np.finfo(float).eps, maxiter=500)
        ln_terms = np.concatenate([[0.0], ln_beta + n * u])
        w = np.exp(ln_terms - _logsumexp(ln_terms))
        metal_frac[i] = w / w.sum()
        ln_hl = np.concatenate([[u], u + (protonation - j * p) * _LN10])
        lig_frac[i, :-1] = np.exp(ln_hl - ln_lt)
        nbar = float(np.dot(n, metal_frac[i, 1:]))
        lig_frac[i, -1] = metal_conc * nbar / ligand_conc
    return metal_frac, lig_frac


# --------------------------------------------------------------------------------------
# PHREEQC engine
# --------------------------------------------------------------------------------------
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


def _minimal_database(symbol: str, metal_species: str, ligand: tuple[str, str], ideal: bool) -> str:
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
    )


def _builtin_databases() -> list[str]:
    from phreeqc import Phreeqc

    return list(Phreeqc.ListBuiltInDatabases())


def _read_database(database: str | Path) -> tuple[str, str]:
    """(text, label) of a built-in database name or a database file path."""
    name = str(database)
    builtin = _builtin_databases()
    if name in builtin:
        import importlib.resources

        ref = importlib.resources.files("phreeqc") / "databases" / name
        return ref.read_text(encoding="utf-8", errors="replace"), name
    path = Path(name)
    if path.is_file():
        return path.read_text(encoding="utf-8", errors="replace"), str(path)
    raise ValueError(
        f"database {name!r} is neither a database shipped with the phreeqc package "
        f"({', '.join(builtin)}) nor an existing file"
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


_CHARGE_PASSES = 8  # Davies: at most this many runs to neutralise each solution
_CHARGE_TOL = 1e-10  # eq/kgw of charge imbalance left after which no further run is made
#: KNOBS tried in turn when PHREEQC fails to converge (all values explicit, because KNOBS
#: persist between runs): PHREEQC's defaults, then smaller Newton steps, then numerical
#: derivatives with diagonal scaling (needed e.g. for Fe3+ with phreeqc.dat near pH 2.5).
_KNOB_SETS = (
    "-step_size 100\n    -numerical_derivatives false\n    -diagonal_scale false\n",
    "-step_size 10\n    -numerical_derivatives false\n    -diagonal_scale false\n",
    "-step_size 10\n    -numerical_derivatives true\n    -diagonal_scale true\n",
)


class _Phreeqc:
    """One IPhreeqc instance with a loaded database (runs share it)."""

    def __init__(self, db_text: str, extra: str, columns: list[str]) -> None:
        from phreeqc import Phreeqc

        self.engine = Phreeqc()
        if self.engine.LoadDatabaseString(db_text):
            raise RuntimeError(
                f"PHREEQC could not load the database:\n{self.engine.GetErrorString().strip()}"
            )
        self.extra = extra
        self.select = (
            "SELECTED_OUTPUT 1\n    -reset false\n    -pH true\n    -charge_balance true\n"
            f"    -molalities {' '.join(columns)}\n"
        )

    def run(self, solutions: str) -> dict[str, list]:
        errors = ""
        for knobs in _KNOB_SETS:
            head = (
                f"{self.extra}KNOBS\n    -convergence_tolerance 1e-12\n    -iterations 400\n"
                f"    {knobs}{self.select}"
            )
            if not self.engine.RunString(head + solutions):
                return self.engine.GetSelectedOutput()
            errors = "\n".join(self.engine.GetErrorString().strip().splitlines()[:10])
        raise RuntimeError(
            "PHREEQC failed to solve the speciation with every convergence setting tried "
            f"(check that the constants are realistic); last errors:\n{errors}"
        )


def _solutions(
    ph: np.ndarray,
    metal_name: str,
    metal_conc: float,
    ligand_conc: float,
    temperature: float,
    background: float,
    net_anion: np.ndarray,
) -> str:
    """One SOLUTION per pH; ``net_anion`` = extra background anion (< 0: extra cation), eq."""
    blocks = []
    for i, (p, extra) in enumerate(zip(ph, net_anion, strict=True), start=1):
        lines = [
            f"SOLUTION {i}",
            "    -units mol/kgw",
            f"    -temp {float(temperature)!r}",
            f"    pH {float(p)!r}",
            f"    {metal_name} {metal_conc!r}",
            f"    {LIGAND_ELEMENT} {ligand_conc!r}",
        ]
        cat = background + max(-float(extra), 0.0)
        ani = background + max(float(extra), 0.0)
        if cat > 0:
            lines.append(f"    {_BG_CATION} {cat!r}")
        if ani > 0:
            lines.append(f"    {_BG_ANION} {ani!r}")
        blocks.append("\n".join(lines) + "\n")
    return "".join(blocks) + "END\n"


def _phreeqc_engine(
    log_beta: np.ndarray,
    protonation: np.ndarray,
    ph: np.ndarray,
    symbol: str,
    z_m: int,
    z_l: int,
    metal_conc: float,
    ligand_conc: float,
    temperature: float,
    ionic_strength: float | None,
    activity: str,
    database: str | Path | None,
) -> tuple[np.ndarray, np.ndarray]:
    metal_sp, free, prot, cplx = _species_names(symbol, z_m, z_l, log_beta.size, protonation.size)
    ideal = activity == "ideal"
    blocks = _ligand_blocks(
        metal_sp, free, prot, cplx, log_beta, protonation, _IDEAL_GAMMA if ideal else ""
    )
    if database is None:
        element = _ELEMENT.match(symbol).group(0)  # 'UO2' (uranyl) -> element 'U'
        db_text = _minimal_database(element, metal_sp, blocks, ideal)
        extra = ""
        metal_name = element
    else:
        raw, label = _read_database(database)
        _check_names_free(raw, label)
        metal_name = _database_master(raw, symbol, z_m, label)
        db_text = raw
        extra = f"SOLUTION_MASTER_SPECIES\n{blocks[0]}SOLUTION_SPECIES\n{blocks[1]}"
    columns = [metal_sp, *cplx, free, *prot]
    runner = _Phreeqc(db_text, extra, columns)
    background = float(ionic_strength) if ionic_strength is not None else 0.0
    net_anion = np.zeros(ph.size)
    # With activity corrections the ionic strength must include the counter-ions of H+ / OH-
    # and of the charged species: add background anion (cation) equal to the excess positive
    # (negative) charge, re-solve, repeat. Fixed amounts rather than PHREEQC's 'charge'
    # keyword, which fails to converge for hydrolysed metals at pH > 11.
    for _ in range(1 if ideal else _CHARGE_PASSES):
        out = runner.run(
            _solutions(ph, metal_name, metal_conc, ligand_conc, temperature, background, net_anion)
        )
        imbalance = _column(out, "charge(eq)", ph.size)  # eq in 1 kg water
        if np.abs(imbalance).max() <= _CHARGE_TOL:
            break
        net_anion = net_anion + imbalance
    got_ph = _column(out, "pH", ph.size)
    if not np.allclose(got_ph, ph, rtol=0, atol=1e-8):  # pragma: no cover - PHREEQC fixes pH
        raise RuntimeError(f"PHREEQC returned pH {got_ph} instead of the requested {ph}")
    mol = {c: _column(out, f"m_{c}(mol/kgw)", ph.size) for c in columns}
    metal_frac = np.column_stack([mol[metal_sp], *(mol[c] for c in cplx)]) / metal_conc
    n = np.arange(1, log_beta.size + 1, dtype=float)
    bound = metal_frac[:, 1:] @ n * metal_conc / ligand_conc
    lig_frac = np.column_stack([mol[free], *(mol[c] for c in prot), bound])
    lig_frac[:, :-1] /= ligand_conc
    if database is not None:
        other = np.clip(1.0 - metal_frac.sum(axis=1), 0.0, None)
        metal_frac = np.column_stack([metal_frac, other])
    return metal_frac, lig_frac


def _column(out: dict[str, list], name: str, n_rows: int) -> np.ndarray:
    if name not in out:  # pragma: no cover - guards against a PHREEQC output change
        raise RuntimeError(f"PHREEQC selected output has no column {name!r} ({list(out)})")
    values = np.asarray(out[name], dtype=float)
    if values.shape != (n_rows,):  # pragma: no cover
        raise RuntimeError(f"PHREEQC returned {values.shape[0]} rows for {n_rows} pH values")
    return values


# --------------------------------------------------------------------------------------
# public entry point
# --------------------------------------------------------------------------------------
def speciate(
    log_beta: Sequence[float],
    metal: str,
    *,
    protonation: Sequence[float] = (),
    ligand_charge: int = 0,
    ph: Any = None,
    metal_conc: float = 1e-3,
    ligand_conc: float = 3e-3,
    temperature: float = 25.0,
    ionic_strength: float | None = None,
    activity: str | None = None,
    engine: str = "phreeqc",
    database: str | Path | None = None,
) -> pd.DataFrame:
    """Fractions of the metal and of the ligand species versus pH.

    See the module docstring for the chemistry, the engines and the activity models.

    Parameters
    ----------
    log_beta : sequence of float
        Cumulative log10 beta_1..N of ``M + n L = ML_n``. Trailing NaN = no such complex; a NaN
        before a number raises.
    metal : str
        Metal ion such as ``"Cu2+"`` (any spelling accepted by
        :func:`skmetalpka.ions.parse_ion`).
    protonation : sequence of float, default=()
        Cumulative log10 beta^H_1..m of ``L + j H = H_jL`` (trailing NaN ignored).
    ligand_charge : int, default=0
        Charge of the fully deprotonated ligand L (ethylenediamine 0, glycinate -1, oxalate
        -2). Only matters with ``activity="davies"``.
    ph : float or array-like, optional
        pH values in [0, 14]; default :func:`default_ph_grid` (2 to 12, step 0.1).
    metal_conc, ligand_conc : float, default=1e-3, 3e-3
        Total metal and ligand concentrations (mol/L, > 0).
    temperature : float, default=25.0
        deg C in [0, 100]; passed to PHREEQC (water ion product and Davies A). The constants
        themselves are not temperature-corrected. Not used by the NumPy engine.
    ionic_strength : float, optional
        mol/kgw of inert 1:1 background electrolyte (``activity="davies"`` only).
    activity : {"ideal", "davies"}, optional
        Default ``"ideal"`` without a database and ``"davies"`` (the database's own model)
        with one. ``"ideal"`` with a database raises.
    engine : {"phreeqc", "numpy"}, default="phreeqc"
        Equilibrium solver. ``"numpy"`` supports only ``activity="ideal"`` without a
        database.
    database : str or Path, optional
        None: minimal self-written database (no metal hydrolysis). Otherwise the name of a
        database shipped with :mod:`phreeqc` (e.g. ``"phreeqc.dat"``, ``"minteq.v4.dat"``) or a
        database file; the metal hydrolyses and ``M:other`` is added.

    Returns
    -------
    pandas.DataFrame
        One row per pH: ``pH``, ``M:free``, ``M:ML``, ``M:ML2``, ... (``M:other``) as fractions
        of the total metal and ``L:free``, ``L:HL``, ``L:H2L``, ..., ``L:bound`` as fractions of
        the total ligand. ``attrs`` records the inputs.

    Raises
    ------
    ValueError
        For a NaN inside ``log_beta`` / ``protonation``, an unknown metal
        (:class:`~skmetalpka.ions.UnknownMetalError`), a non-positive concentration, a pH
        outside [0, 14], an unknown engine / activity, an inconsistent combination of options,
        or a metal the database does not define.
    RuntimeError
        When PHREEQC fails to converge (the message holds its error text).

    Examples
    --------
    >>> frame = speciate([10.5, 19.6], "Cu2+", protonation=[9.93, 17.01], ph=[2.0, 10.0])
    >>> frame["M:free"].round(3).tolist()
    [1.0, 0.0]
    """
    if engine not in ENGINES:
        raise ValueError(f"engine must be one of {ENGINES}, got {engine!r}")
    if activity is None:
        activity = "ideal" if database is None else "davies"
    if activity not in ACTIVITY_MODELS:
        raise ValueError(f"activity must be one of {ACTIVITY_MODELS}, got {activity!r}")
    if activity == "ideal" and database is not None:
        raise ValueError(
            "activity='ideal' is only available with the minimal database (database=None); a "
            "PHREEQC database brings its own activity model: use activity='davies'"
        )
    if engine == "numpy" and (activity != "ideal" or database is not None):
        raise ValueError(
            "engine='numpy' solves the ideal mass balance without a database; use "
            "engine='phreeqc' for activity='davies' or a database"
        )
    if ionic_strength is not None:
        if activity == "ideal":
            raise ValueError(
                "ionic_strength only sets the background electrolyte for activity corrections; "
                "with activity='ideal' the constants are concentration constants and it has no "
                "effect: drop it, or use activity='davies' with thermodynamic constants"
            )
        try:
            ionic_strength = float(ionic_strength)
        except (TypeError, ValueError) as exc:
            raise ValueError(
                f"ionic_strength must be a number (mol/kgw), got {ionic_strength!r}"
            ) from exc
        if not math.isfinite(ionic_strength) or not 0 <= ionic_strength <= 5:
            raise ValueError(f"ionic_strength must be in [0, 5] mol/kgw, got {ionic_strength!r}")
    beta = _check_constants(log_beta, "log_beta", allow_empty=False)
    prot = _check_constants(protonation, "protonation", allow_empty=True)
    symbol, z_m, ion = _check_metal(metal)
    z_l = _check_charge(ligand_charge)
    ph_arr = _check_ph(ph)
    m_t = _check_positive(metal_conc, "metal_conc")
    l_t = _check_positive(ligand_conc, "ligand_conc")
    try:
        temp = float(temperature)
    except (TypeError, ValueError) as exc:
        raise ValueError(f"temperature must be a number (deg C), got {temperature!r}") from exc
    if not _TEMPERATURE_RANGE[0] <= temp <= _TEMPERATURE_RANGE[1]:
        raise ValueError(
            f"temperature must be in [{_TEMPERATURE_RANGE[0]:g}, {_TEMPERATURE_RANGE[1]:g}] "
            f"deg C, got {temperature!r}"
        )

    if engine == "numpy":
        metal_frac, lig_frac = _numpy_engine(beta, prot, ph_arr, m_t, l_t)
    else:
        metal_frac, lig_frac = _phreeqc_engine(
            beta, prot, ph_arr, symbol, z_m, z_l, m_t, l_t, temp, ionic_strength, activity,
            database,
        )  # fmt: skip
    metal_cols, lig_cols = speciation_columns(beta.size, prot.size, other=database is not None)
    frame = pd.DataFrame(
        np.column_stack([ph_arr, metal_frac, lig_frac]), columns=["pH", *metal_cols, *lig_cols]
    )
    frame.attrs.update(
        metal=ion,
        log_beta=beta.tolist(),
        protonation=prot.tolist(),
        ligand_charge=z_l,
        metal_conc=m_t,
        ligand_conc=l_t,
        temperature=temp,
        ionic_strength=ionic_strength,
        activity=activity,
        engine=engine,
        database=None if database is None else str(database),
    )
    return frame


# --------------------------------------------------------------------------------------
# plot
# --------------------------------------------------------------------------------------
def _label(column: str, metal_symbol: str) -> str:
    kind, name = column.split(":", 1)
    if kind == "M":
        if name == "free":
            return f"{metal_symbol} (free)"
        if name == "other":
            return f"other {metal_symbol} species"
        return name.replace("M", metal_symbol, 1)
    if name == "free":
        return "L (free)"
    if name == "bound":
        return f"L bound to {metal_symbol}"
    return name


def plot_speciation(
    frame: pd.DataFrame,
    *,
    ax: Axes | None = None,
    title: str | None = None,
    side: str = "metal",
) -> Figure:
    """Fractional-composition diagram of a :func:`speciate` result.

    Parameters
    ----------
    frame : pandas.DataFrame
        Output of :func:`speciate` (column ``pH`` and the ``M:`` / ``L:`` fraction columns).
    ax : matplotlib Axes, optional
        Draw into this Axes instead of a new figure (Agg canvas, nothing registered with
        pyplot).
    title : str, optional
        Axes title; default names the metal and the engine when ``frame.attrs`` has them.
    side : {"metal", "ligand"}, default="metal"
        Plot the fractions of the total metal (``M:`` columns) or of the total ligand
        (``L:`` columns).

    Returns
    -------
    matplotlib.figure.Figure
        One line per species (x: pH, y: fraction), with a legend.
    """
    if side not in ("metal", "ligand"):
        raise ValueError(f"side must be 'metal' or 'ligand', got {side!r}")
    if not isinstance(frame, pd.DataFrame) or "pH" not in frame.columns:
        raise ValueError("frame must be the DataFrame returned by speciate() (with a 'pH' column)")
    prefix = "M:" if side == "metal" else "L:"
    cols = [c for c in frame.columns if str(c).startswith(prefix)]
    if not cols:
        raise ValueError(
            f"frame has no {prefix!r} columns ({list(frame.columns)}); pass the output of speciate()"
        )
    from .plots import _colors, _new_figure

    if ax is None:
        fig, ax = _new_figure((6.0, 4.2))
    else:
        fig = ax.figure
    metal = str(frame.attrs.get("metal", "M"))
    symbol = re.sub(r"[\d+]+$", "", metal) or "M"
    order = np.argsort(frame["pH"].to_numpy(), kind="stable")
    x = frame["pH"].to_numpy()[order]
    for col, color in zip(cols, _colors(len(cols)), strict=True):
        ax.plot(x, frame[col].to_numpy()[order], color=color, lw=1.8, label=_label(col, symbol))
    ax.set_xlabel("pH")
    ax.set_ylabel(f"fraction of total {'metal' if side == 'metal' else 'ligand'}")
    ax.set_ylim(-0.02, 1.02)
    if x.size > 1 and x[-1] > x[0]:
        ax.set_xlim(x[0], x[-1])
    ax.grid(True, alpha=0.3)
    ax.legend(fontsize="small", loc="best")
    if title is None and "engine" in frame.attrs:
        title = f"{metal} speciation ({frame.attrs['engine']})"
    if title is not None:
        ax.set_title(title)
    return fig
