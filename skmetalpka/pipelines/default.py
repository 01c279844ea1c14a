"""The default GNN pipeline: SMILES -> graph -> sites -> stars -> regressor."""

from __future__ import annotations

from typing import Any

from sklearn.pipeline import Pipeline

from ..featurize.expand import LigandCountExpander
from ..featurize.graph import SmilesToGraph
from ..model.regressor import MetalComplexRegressor
from ..sites.predictor import SitePredictor

__all__ = ["ComplexPipeline", "default_pipeline"]


class ComplexPipeline(Pipeline):
    """A :class:`~sklearn.pipeline.Pipeline` whose input tags are those of its first step.

    scikit-learn's ``Pipeline`` reports the default ``two_d_array=True`` input tag whatever
    its first step takes; this one says what :func:`default_pipeline` really takes (a
    DataFrame of metal and SMILES strings), so that tools reading the tags (``check_estimator``,
    ``parametrize_with_checks``) treat it correctly. Everything else is ``Pipeline``.
    """

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        first = self.steps[0][1] if self.steps else None
        if first is not None and first != "passthrough" and hasattr(first, "__sklearn_tags__"):
            tags.input_tags = first.__sklearn_tags__().input_tags
        return tags


def default_pipeline(
    *,
    site_method: str = "rules",
    site_labels: str = "protons",
    top_k: int = 6,
    max_ligands: int | None = None,
    ligand_descriptors: bool = True,
    on_error: str = "raise",
    **regressor_params: Any,
) -> ComplexPipeline:
    """The full unfitted GNN pipeline: SMILES -> graph -> sites -> stars -> regressor.

    Parameters
    ----------
    site_method : {"rules", "column", "learned"}, default="rules"
        Where candidate binding atoms come from (:class:`~skmetalpka.featurize.SitePredictor`):
        SMARTS donor rules, the data's ``binding_sites`` column, or an atom classifier trained
        on the protonation-site labels (``sites__site_model=`` passes a fitted one; wrap it in
        ``sklearn.frozen.FrozenEstimator`` so that cloning keeps it fitted).
    site_labels : {"protons", "donors", "both"}, default="protons"
        What the learned site model trains on (``site_method="learned"`` only): protonation
        sites, the curated donor atoms of the training rows, or both
        (:class:`~skmetalpka.sites.SitePredictor`).
    top_k : int, default=6
        Candidate atoms per ligand for soft site attention.
    max_ligands : int or None
        N; None takes the widest target seen in ``fit``.
    ligand_descriptors : bool, default=True
        Give the network whole-ligand descriptors (:mod:`skmetalpka.featurize.descriptors`)
        besides the graph.
    on_error : {"raise", "flag"}, default="raise"
        ``"flag"`` keeps bad rows (invalid SMILES, unknown metal) as flagged rows: left out of
        training, NaN in predictions.
    **regressor_params
        Passed to :class:`~skmetalpka.model.MetalComplexRegressor` (``hidden_dim``,
        ``encoder_depth``, ``site_mode``, ``backbone``, ``max_epochs`` ...).

    Returns
    -------
    ComplexPipeline
        A :class:`sklearn.pipeline.Pipeline` with steps ``graph``, ``sites``, ``expand``,
        ``model``; tune them with the usual ``model__hidden_dim`` style names.
    """
    return ComplexPipeline(
        [
            ("graph", SmilesToGraph(on_error=on_error, ligand_descriptors=ligand_descriptors)),
            ("sites", SitePredictor(method=site_method, top_k=top_k, site_labels=site_labels)),
            ("expand", LigandCountExpander(max_ligands=max_ligands)),
            ("model", MetalComplexRegressor(on_error=on_error, **regressor_params)),
        ]
    )
