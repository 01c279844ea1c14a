"""Featurisation: SMILES -> graphs -> binding-site candidates -> star structures."""

from .expand import LigandCountExpander
from .graph import ComplexGraph, SmilesToGraph
from .site_model import AtomSiteClassifier
from .sites import SitePredictor

__all__ = [
    "ComplexGraph",
    "SmilesToGraph",
    "SitePredictor",
    "LigandCountExpander",
    "AtomSiteClassifier",
]
