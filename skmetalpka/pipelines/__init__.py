"""Every composition of the building blocks, written once.

* :func:`default_pipeline` (:mod:`.default`) - the GNN pipeline SMILES -> graph -> sites ->
  stars -> regressor, and :class:`ComplexPipeline`.
* :func:`make_model` / :func:`build_model` / :data:`MODEL_NAMES` (:mod:`.registry`) - models by
  name (GNN, GPR, forest, mean); :func:`with_protons` - proton transfer around any GNN model;
  :func:`load_params` - parameters from JSON.
* :class:`ProtonTransferRegressor` / :func:`exclude_ligands` (:mod:`.transfer`) - learning from
  protonation constants.
* :func:`default_recipe` (:mod:`.recipes`) - the estimator of the packaged model.
"""

from __future__ import annotations

from .default import ComplexPipeline, default_pipeline
from .recipes import RECIPE_PARAMS, default_recipe
from .registry import (
    BLEND_ONLY_NAMES,
    CHELATE_KRIGING_MODELS,
    MODEL_NAMES,
    build_model,
    load_params,
    make_model,
    with_protons,
)
from .transfer import TRANSFER_MODES, ProtonTransferRegressor, exclude_ligands

__all__ = [
    "ComplexPipeline",
    "default_pipeline",
    "make_model",
    "build_model",
    "MODEL_NAMES",
    "BLEND_ONLY_NAMES",
    "CHELATE_KRIGING_MODELS",
    "with_protons",
    "load_params",
    "ProtonTransferRegressor",
    "exclude_ligands",
    "TRANSFER_MODES",
    "default_recipe",
    "RECIPE_PARAMS",
]
