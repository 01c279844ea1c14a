"""Deprecated location: moved to :mod:`skmetalpka.sites.classifier`.

Kept so that old imports and model files pickled by skmetalpka 0.1 keep working; it will be
removed in 0.3.
"""

from __future__ import annotations

from ..sites.classifier import (  # noqa: F401
    BASIC_ATOM_TIERS,
    AtomSiteClassifier,
    _AtomSiteNet,
    evaluate_site_model,
    most_basic_heteroatom,
    share_acid_group_scores,
    top1_hits,
)

__all__ = [
    "AtomSiteClassifier",
    "most_basic_heteroatom",
    "evaluate_site_model",
    "top1_hits",
    "share_acid_group_scores",
    "BASIC_ATOM_TIERS",
]
