"""Metal-ligand speciation versus pH (fractional-composition diagrams), with metal hydrolysis.

Given a metal ion M, a ligand L with cumulative protonation constants and cumulative stability
constants of the complexes ML_n, :func:`speciate` computes at every pH of a grid the fraction of
the total metal present as free M, as each ML_n, as each hydroxo complex M_p(OH)_n and as
precipitated hydroxide, and the fraction of the total ligand present as free L, as each
protonated form H_jL and bound to the metal. User guide: ``docs/guide/speciation.md``.

Modules: :mod:`.validation` (inputs), :mod:`.conditional` (alpha_L(H), alpha_M(OH), conditional
constants, column names), :mod:`.reactions` (reading PHREEQC databases), :mod:`.hydrolysis`
(the metal's hydroxo complexes and hydroxide phases), :mod:`.coverage`, :mod:`.numpy_engine`, :mod:`.databases`
(the minimal PHREEQC database), :mod:`.phreeqc_engine`, :mod:`.frontend` (:func:`speciate`),
:mod:`.plot`.

Equilibria and constants
------------------------
``log_beta[n-1]`` is the cumulative log beta_n of ``M + n L = ML_n`` and ``protonation[j-1]``
the cumulative log beta^H_j of ``L + j H = H_jL`` (for a ligand with stepwise protonation
constants log K1^H >= log K2^H ..., ``beta^H_1 = K1^H`` and ``beta^H_2 = K1^H K2^H``; e.g.
ethylenediamine 9.93 and 9.93 + 7.08 = 17.01). Trailing NaN entries mean "no such species"
(the output of a model that predicts fewer steps); a NaN followed by a number is an error.
The ligand constants are used as given at every temperature (no van 't Hoff correction).
Mixed complexes (MHL, ML(OH)) are not modelled.

Metal hydrolysis (``hydrolysis=True``, the default; :mod:`.hydrolysis`): the hydroxo complexes
``p M + a H2O = M_p(OH)_n + n H+`` (log *beta_pn) and the hydroxide / oxide phases of the metal
are read from a PHREEQC database shipped with the :mod:`phreeqc` package, the first of
:data:`DEFAULT_HYDROLYSIS_DATABASES` (minteq.v4, llnl, Thermoddem) that has the ion, at the
requested temperature (the database's delta_h or analytical expression). The database used is
``attrs["hydrolysis_source"]``; for an ion none has, hydrolysis is not modelled and a
:class:`HydrolysisWarning` says so. ``hydrolysis="mononuclear"`` keeps the M(OH)_n complexes
only, ``hydrolysis=False`` none (and no precipitation): the results of the versions before
hydrolysis. ``precipitation`` chooses the solids (:func:`select_phases`; default the metal
hydroxide that forms first, e.g. Ferrihydrite for Fe3+). These constants are thermodynamic
(I = 0) values; with ``activity="ideal"`` they are used as concentration constants.

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
    (H+, OH-, H2O and the H2 / O2 redox pair PHREEQC requires), the metal ion with its
    hydroxo complexes and hydroxide phases (rewritten relative to the aqua ion), the ligand
    (under the made-up element name ``Lgd`` so that it never collides with a real element or
    with the ligands of a database), its protonated forms, the complexes ML_n, and an inert 1:1
    background electrolyte (made-up elements ``Bgc+`` / ``Bga-``) used with
    ``activity="davies"``. The whole pH sweep is one PHREEQC run: one ``SOLUTION`` per pH (pH
    fixed, totals in mol/kgw), read back through ``SELECTED_OUTPUT``. Where a phase is
    supersaturated the solution is solved again with its dissolved metal set by equilibrium
    with that phase (SI = 0 at the fixed pH); the rest of the metal is the solid.

    With ``database="phreeqc.dat"`` (any file shipped with the :mod:`phreeqc` package, or a path
    to a PHREEQC database file) the ligand is added to that database instead, so that the
    metal forms every species the database defines (hydroxo and other complexes), reported
    together as ``M:other``; its hydroxide phases may precipitate as above.
``engine="numpy"``
    Independent reference solver (ideal only, minimal database): at each pH the free
    ligand concentration l solves the closed mass balance

        L_T = l * alpha_H(pH) + M_T * nbar(l),
        alpha_H = 1 + sum_j beta^H_j [H]^j,
        nbar(l) = sum_n n beta_n l^n / (1 + alpha_OH + sum_n beta_n l^n),
        alpha_OH = sum_k *beta_1k [H]^-k,

    whose left side is increasing in l, found by :func:`scipy.optimize.brentq` on ``ln l``
    with every term evaluated as a log-sum-exp, which stays finite at extreme pH and with very
    large constants. ``[H] = 10**-pH``. A supersaturated hydroxide caps the free metal at its
    solubility (:mod:`.numpy_engine`). Polynuclear hydroxo complexes are left out (with a
    :class:`HydrolysisWarning`), and water activity is 1.

Activity
--------
``activity="ideal"`` (default without a database)
    All activity coefficients are 1: the constants are concentration constants (as tabulated
    by NIST at the ionic strength of the measurement, usually 0.1 M), ``pH`` means
    ``-log10 [H+]`` and the result does not depend on the charges. In PHREEQC this is done by
    giving every species of the minimal database the extended Debye-Hueckel parameters
    ``-gamma 1e14 0`` (ion size 1e14 Angstrom), for which ``|log10 gamma| < 1e-13 z^2``.
    PHREEQC still computes the activity of water (a_w = 1 - 0.017 sum m, about 0.9999 at
    millimolar totals), which enters the hydrolysis and dissolution reactions.
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
``M:free``, ``M:ML``, ``M:ML2``, ..., ``M:MOH``, ``M:M(OH)2``, ..., ``M:solid``, ``M:other``
    Fraction of the **total metal** present as the free (aqua) ion, as each complex, in each
    hydroxo complex M_p(OH)_n (one column per p, n: ``p [M_p(OH)_n] / M_T``, whatever the
    database calls the species, e.g. llnl's LaO+ is ``M:M(OH)2``), precipitated (when a phase
    may precipitate) and, with ``database``, in the database's other species; they sum to 1.
``L:free``, ``L:HL``, ``L:H2L``, ..., ``L:H<m>L``, ``L:bound``
    Fraction of the **total ligand** present as L, as each H_jL, and bound to the metal
    (``sum_n n [ML_n] / L_T``); they sum to 1.

``DataFrame.attrs`` records the inputs (``metal``, ``log_beta``, ``protonation``,
``ligand_charge``, ``metal_conc``, ``ligand_conc``, ``temperature``, ``ionic_strength``,
``activity``, ``engine``, ``database``, ``hydrolysis``) and the hydrolysis used
(``hydrolysis_source``, ``hydrolysis_species``, ``precipitation``, ``hydrolysis_note``).

Agreement of the engines (ideal activities; PHREEQC run with ``-convergence_tolerance 1e-12``):
without hydrolysis the largest absolute difference of any fraction is 1.3e-12 for
Cu2+-ethylenediamine (101 points from pH 2 to 12, see ``tests/test_speciation.py``) and below
1e-9 over 200 random systems (pH 0 to 14, up to 4 complexes and 4 protonation steps, log beta_n
up to 80, totals from 1e-7 to 0.3 M). With mononuclear hydrolysis the water activity of
PHREEQC makes the difference 3.4e-8 for Cu2+-ethylenediamine and up to 1e-4 where Cu(OH)2
precipitates (``tests/test_speciation_hydrolysis.py``).
"""

from __future__ import annotations

from .conditional import conditional_log_k, log_alpha_h, log_alpha_oh, speciation_columns
from .coverage import hydrolysis_coverage
from .databases import LIGAND_ELEMENT
from .frontend import speciate
from .hydrolysis import (
    DEFAULT_HYDROLYSIS_DATABASES,
    PRECIPITATION_CHOICES,
    HydrolysisData,
    HydrolysisPhase,
    HydrolysisSpecies,
    HydrolysisWarning,
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
