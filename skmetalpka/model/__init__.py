"""The graph neural network: layers, torch module, loss and the skorch regressor."""

from .ensemble import EnsembleRegressor
from .losses import MaskedHuberLoss
from .module import MetalComplexModule
from .regressor import GraphDataset, LigandGroupSplit, MetalComplexRegressor
from .transfer import ProtonTransferRegressor, exclude_ligands

__all__ = [
    "EnsembleRegressor",
    "MaskedHuberLoss",
    "MetalComplexModule",
    "MetalComplexRegressor",
    "GraphDataset",
    "LigandGroupSplit",
    "ProtonTransferRegressor",
    "exclude_ligands",
]
