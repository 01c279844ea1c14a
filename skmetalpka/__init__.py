"""skmetalpka: scikit-learn compatible prediction of metal-ligand stability constants.

Predicts cumulative log beta_1..log beta_N (stepwise log K_n) of ML_n complexes from the
ligand SMILES and the metal ion. Public names::

    from skmetalpka import default_pipeline, load_minteq
    X, y = load_minteq()
    model = default_pipeline().fit(X, y)
"""

from __future__ import annotations

from ._version import __version__
from .datasets import fetch_nist46, load_corpus, load_minteq, load_nist46, load_nist46_proton
from .featurize import LigandCountExpander, SmilesToGraph
from .model import MetalComplexRegressor
from .pipelines import default_pipeline, make_model
from .sites import SitePredictor

__all__ = [
    "__version__",
    "default_pipeline",
    "make_model",
    "SmilesToGraph",
    "SitePredictor",
    "LigandCountExpander",
    "MetalComplexRegressor",
    "load_nist46",
    "fetch_nist46",
    "load_nist46_proton",
    "load_minteq",
    "load_corpus",
]
