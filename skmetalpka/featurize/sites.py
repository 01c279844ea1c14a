"""Deprecated location: moved to :mod:`skmetalpka.sites.predictor`.

Kept so that old imports and model files pickled by skmetalpka 0.1 keep working; it will be
removed in 0.3.
"""

from __future__ import annotations

from ..sites.predictor import SITE_METHODS, SitePredictor  # noqa: F401

__all__ = ["SitePredictor", "SITE_METHODS"]
