"""Baseline models with the same X / y interface as the graph network.

* :class:`GPRBeta1Regressor` -- Gaussian-process regression on metal and ligand descriptors,
  the classic descriptor + GPR approach of the stability-constant literature (e.g. Kanahashi
  et al., Sci. Rep. 2022); predicts log beta_1, optionally every step.
* :class:`FingerprintForestRegressor` -- random forests on Morgan count fingerprints plus
  metal descriptors, one forest per step.
* :class:`DescriptorTreesRegressor` -- extremely randomised trees on the descriptors of the
  GPR, one ensemble per step; the most accurate classical model for new ligands of the corpus.
* :class:`MetalMeanRegressor` -- the floor: per-metal mean of each step.
* :class:`SeriesInterpolationRegressor` -- log beta_1 interpolated along the lanthanide (or
  actinide) series from the same ligand's values with neighbouring metals; a blend member that
  answers only the rows it can interpolate.

Data contract
-------------
``X`` is a pandas DataFrame with columns ``metal`` (ion string, :func:`skmetalpka.ions.parse_ion`)
and ``smiles`` (ligand SMILES, :func:`skmetalpka.chem.standardize_ligand`), optionally
``temperature`` (deg C) and ``ionic_strength`` (M); other columns (e.g. ``binding_sites``) are
ignored. A missing condition column, or a missing (None/NaN) value in it, means the standard
conditions 25 deg C / 0.1 M. ``y`` is float ``(n_samples, N)`` of **cumulative** log beta_1 ..
log beta_N with NaN where a step was not measured; ``predict`` returns ``(n_samples, N_fit)``
float64 cumulative log beta, ``N_fit`` being the number of columns of ``y`` seen in ``fit``
(``n_steps_``).

Invalid rows
------------
A row is invalid when its metal is refused (:class:`~skmetalpka.ions.UnknownMetalError`), its
SMILES is refused (:class:`~skmetalpka.chem.InvalidLigandError`) or a condition is not a
number (or a negative ionic strength). :func:`row_errors` gives the reason of every row (``''``
when valid); all three models and the CLI use it. With ``on_error="raise"`` (default) ``fit``
and ``predict`` raise a :class:`ValueError` naming the rows and reasons. With
``on_error="flag"``, ``predict`` returns NaN for those rows (call :func:`row_errors` for the
reasons) and ``fit`` leaves them out of training, counts them in ``n_invalid_fit_`` and warns.

Features
--------
The descriptor featuriser (:data:`DESCRIPTOR_FEATURE_NAMES`, used by the GPR and the
descriptor trees) concatenates the
metal descriptors (:data:`skmetalpka.featurize.metals.METAL_DESCRIPTOR_NAMES`, prefix ``metal_``), the
project's one ligand descriptor list
(:data:`skmetalpka.featurize.descriptors.LIGAND_DESCRIPTOR_NAMES`: RDKit descriptors, the
donor group counts of :mod:`skmetalpka.featurize.donors` and the chelate topology of
:mod:`skmetalpka.featurize.chelation`, prefix ``lig_``; a model keeps the descriptors of its
fit, ``ligand_descriptor_names_``), the sum of the
per-atom donor scores and the number of donor atoms, and the two conditions. The fingerprint
featuriser (forest) uses the Morgan count fingerprint (counts clipped at 255) instead of the
ligand descriptors.
"""

from __future__ import annotations

from ..conditions import DEFAULT_IONIC_STRENGTH, DEFAULT_TEMPERATURE
from ..featurize.rows import row_errors
from ._base import DESCRIPTOR_FEATURE_NAMES
from .forest import FingerprintForestRegressor
from .gpr import GPRBeta1Regressor, _matern52_ard_lml  # noqa: F401 (private, for tests)
from .mean import MetalMeanRegressor
from .series import METAL_SERIES, SERIES_ANCHORS, SeriesInterpolationRegressor
from .trees import DescriptorTreesRegressor

__all__ = [
    "GPRBeta1Regressor",
    "FingerprintForestRegressor",
    "DescriptorTreesRegressor",
    "MetalMeanRegressor",
    "SeriesInterpolationRegressor",
    "METAL_SERIES",
    "SERIES_ANCHORS",
    "row_errors",
    "DESCRIPTOR_FEATURE_NAMES",
    "DEFAULT_TEMPERATURE",
    "DEFAULT_IONIC_STRENGTH",
]
