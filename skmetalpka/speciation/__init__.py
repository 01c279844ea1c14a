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

from .conditional import conditional_log_k, log_alpha_h, log_alpha_oh, speciation_columns
from .databases import LIGAND_ELEMENT
from .frontend import speciate
from .hydrolysis import (
    DEFAULT_HYDROLYSIS_DATABASES,
    PRECIPITATION_CHOICES,
    HydrolysisData,
    HydrolysisPhase,
    HydrolysisSpecies,
    HydrolysisWarning,
    hydrolysis_coverage,
    hydrolysis_data,
    select_phases,
)
from .plot import plot_speciation
from .validation import ACTIVITY_MODELS, ENGINES, HYDROLYSIS_CHOICES, default_ph_grid

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
    # metal hydrolysis
    "HYDROLYSIS_CHOICES",
    "DEFAULT_HYDROLYSIS_DATABASES",
    "PRECIPITATION_CHOICES",
    "HydrolysisWarning",
    "HydrolysisSpecies",
    "HydrolysisPhase",
    "HydrolysisData",
    "hydrolysis_data",
    "select_phases",
    "log_alpha_oh",
    "hydrolysis_coverage",
]
