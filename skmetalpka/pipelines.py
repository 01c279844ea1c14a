"""Ready-made models: the default GNN pipeline and the baselines, by name."""

from __future__ import annotations

from typing import Any

from sklearn.pipeline import Pipeline

__all__ = ["ComplexPipeline", "default_pipeline", "make_model", "MODEL_NAMES"]

MODEL_NAMES = ("gnn", "gpr", "rf", "mean")


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
    from .featurize import LigandCountExpander, SitePredictor, SmilesToGraph
    from .model import MetalComplexRegressor

    return ComplexPipeline(
        [
            ("graph", SmilesToGraph(on_error=on_error, ligand_descriptors=ligand_descriptors)),
            ("sites", SitePredictor(method=site_method, top_k=top_k)),
            ("expand", LigandCountExpander(max_ligands=max_ligands)),
            ("model", MetalComplexRegressor(on_error=on_error, **regressor_params)),
        ]
    )


def make_model(name: str, **params: Any):
    """Unfitted estimator by name: ``gnn`` (default pipeline), ``gpr``, ``rf`` or ``mean``.

    Every model takes the same ``X`` (DataFrame of metal, smiles, ...) and ``y`` (cumulative
    log beta with NaN) and predicts ``(n, N)``. For ``gnn``, ``n_members=K`` (> 1) returns a
    deep ensemble of K seeded pipelines (:class:`~skmetalpka.model.EnsembleRegressor`, members
    trained in parallel with ``n_jobs``); every other parameter goes to
    :func:`default_pipeline`.
    """
    if name == "gnn":
        n_members = int(params.pop("n_members", 1))
        n_jobs = params.pop("n_jobs", None)
        pipe = default_pipeline(**params)
        if n_members > 1:
            from .model import EnsembleRegressor

            seed = params.get("random_state", 0)
            return EnsembleRegressor(
                pipe, n_members=n_members, random_state=0 if seed is None else seed, n_jobs=n_jobs
            )
        return pipe
    from . import baselines

    if name == "gpr":
        return baselines.GPRBeta1Regressor(**params)
    if name == "rf":
        return baselines.FingerprintForestRegressor(**params)
    if name == "mean":
        return baselines.MetalMeanRegressor(**params)
    raise ValueError(f"unknown model {name!r}; choose one of {', '.join(MODEL_NAMES)}")
