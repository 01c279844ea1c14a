"""Featurisation: SMILES -> graphs -> binding-site candidates -> star structures."""

from .expand import LigandCountExpander
from .graph import ComplexGraph, SmilesToGraph
from .sites import SitePredictor

__all__ = ["ComplexGraph", "SmilesToGraph", "SitePredictor", "LigandCountExpander"]
