"""Featurisation: SMILES -> graphs (atoms, bonds, metal descriptors) -> star structures.

The binding-site step between the two (:class:`SitePredictor`, :class:`AtomSiteClassifier`)
lives in :mod:`skmetalpka.sites`; both names are still importable from here.
"""

from __future__ import annotations

from typing import Any

from .expand import LigandCountExpander
from .graph import ComplexGraph, SmilesToGraph

__all__ = [
    "ComplexGraph",
    "SmilesToGraph",
    "SitePredictor",
    "LigandCountExpander",
    "AtomSiteClassifier",
]

_MOVED = {"SitePredictor": "skmetalpka.sites", "AtomSiteClassifier": "skmetalpka.sites"}


def __getattr__(name: str) -> Any:  # names that moved up a layer (skmetalpka.sites)
    if name in _MOVED:
        import importlib

        return getattr(importlib.import_module(_MOVED[name]), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
