"""Deprecated location: ion parsing moved to :mod:`skmetalpka.ions`, descriptors to
:mod:`skmetalpka.featurize.metals`. This module re-exports both and will be removed in 0.3."""

from __future__ import annotations

from .featurize.metals import (  # noqa: F401
    METAL_DESCRIPTOR_NAMES,
    metal_descriptor_matrix,
    metal_descriptors,
)
from .ions import (  # noqa: F401
    UnknownMetalError,
    _tables,
    canonical_ion,
    canonical_or_none,
    format_ion,
    parse_ion,
)

__all__ = [
    "UnknownMetalError",
    "parse_ion",
    "format_ion",
    "canonical_ion",
    "canonical_or_none",
    "METAL_DESCRIPTOR_NAMES",
    "metal_descriptors",
    "metal_descriptor_matrix",
]
