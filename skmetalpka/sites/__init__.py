"""Where the binding atoms come from: donor scores and candidate sites for every ligand.

* :class:`SitePredictor` (:mod:`.predictor`) - the pipeline step: per-atom donor scores and
  the top-k candidate binding atoms, from SMARTS donor rules (``"rules"``), the data's
  ``binding_sites`` column (``"column"``) or a learned atom classifier (``"learned"``).
* :class:`AtomSiteClassifier` (:mod:`.classifier`) - that classifier (a small GNN trained on
  ionisable-atom labels), its baselines and its evaluation.

This layer sits above :mod:`skmetalpka.model` (the classifier is a network built from its
layers) and below :mod:`skmetalpka.pipelines`.
"""

from __future__ import annotations

from .classifier import (
    BASIC_ATOM_TIERS,
    AtomSiteClassifier,
    evaluate_site_model,
    most_basic_heteroatom,
    share_acid_group_scores,
    top1_hits,
)
from .predictor import SITE_METHODS, SitePredictor

__all__ = [
    "SitePredictor",
    "SITE_METHODS",
    "AtomSiteClassifier",
    "most_basic_heteroatom",
    "evaluate_site_model",
    "top1_hits",
    "share_acid_group_scores",
    "BASIC_ATOM_TIERS",
]
