"""The graph neural network: layers, torch module, loss, the skorch regressor and ensembles.

:class:`ProtonTransferRegressor` and :func:`exclude_ligands` compose a whole pipeline and live
in :mod:`skmetalpka.pipelines`; both names are still importable from here.
"""

from __future__ import annotations

from typing import Any

from .blend import BlendRegressor
from .ensemble import EnsembleRegressor
from .kriging import ResidualKriging
from .losses import MaskedHuberLoss
from .module import MetalComplexModule
from .regressor import GraphDataset, LigandGroupSplit, MetalComplexRegressor

__all__ = [
    "BlendRegressor",
    "EnsembleRegressor",
    "ResidualKriging",
    "MaskedHuberLoss",
    "MetalComplexModule",
    "MetalComplexRegressor",
    "GraphDataset",
    "LigandGroupSplit",
    "ProtonTransferRegressor",
    "exclude_ligands",
]

_MOVED = {
    "ProtonTransferRegressor": "skmetalpka.pipelines",
    "exclude_ligands": "skmetalpka.pipelines",
}


def __getattr__(name: str) -> Any:  # names that moved up a layer (skmetalpka.pipelines)
    if name in _MOVED:
        import importlib

        return getattr(importlib.import_module(_MOVED[name]), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
