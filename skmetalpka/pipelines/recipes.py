"""The recipe of the packaged model (``skmetalpka/pretrained``), also used to cross-validate it."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from ..model.blend import BlendRegressor
from ..model.ensemble import EnsembleRegressor
from ..model.kriging import ResidualKriging
from .default import default_pipeline
from .registry import build_model, with_protons

__all__ = ["RECIPE_PARAMS", "BLEND_DEFAULT", "BLEND_WEIGHTS", "default_recipe"]

#: Network of the packaged model: the default pipeline, narrower (hidden 96) so that three
#: members fit the package budget, with light dropout (0.05): on the corpus's new-ligand folds a
#: 3-member ensemble gave log K1 RMSE 2.31 with it against 2.43 with the default 0.2
#: (docs/benchmarks.md).
RECIPE_PARAMS: dict[str, Any] = {"hidden_dim": 96, "heads": 4, "dropout": 0.05}


#: Blend members of :func:`default_recipe`: registered model name and its parameters
#: (:func:`~skmetalpka.pipelines.build_model`).
_BLEND_MEMBERS: dict[str, tuple[str, dict[str, Any]]] = {
    "gpr": ("gpr", {}),
    "kriged_mean": ("mean", {"kriging": True}),
    "rf": ("rf", {"kriging": True}),
    "trees": ("trees", {}),
    "series": ("series", {}),
}
#: Blend members that only interpolate between measured metals (weight 0 for a new metal).
_INTERPOLATE_ONLY = frozenset({"kriged_mean"})
#: Blend members that answer their first steps only (member name -> number of steps): the kriged
#: per-metal mean of the higher steps (few measured values per metal) made NIST-46 log beta_3 of
#: new ligands worse (2.60 -> 3.02).
#: The descriptor trees answer log beta_1 and log beta_2: they average training values and cannot
#: follow the sparse higher steps (NIST-46 log beta_3 of new ligands 3.65 -> 3.95 when they
#: answer every step; log beta_2 2.48 -> 2.20 with them, docs/benchmarks.md).
_MAX_STEPS: dict[str, int] = {"kriged_mean": 1, "trees": 2}
#: The models ``default_recipe(blend=True)`` averages the network with.
BLEND_DEFAULT: tuple[str, ...] = ("gpr", "kriged_mean", "series")
#: Weight of every blend member of :func:`default_recipe` by name, ``"gnn"`` the network
#: (:class:`~skmetalpka.model.BlendRegressor` renormalises them over the members that answer a
#: cell, so a weight only matters where its member answers). Equal: on the rows the series
#: interpolation answers for a held-out lanthanide, the kriged network is nearly as accurate
#: (log K1 RMSE 0.54 against 0.49, docs/guide/blending.md), so inverse-variance weights on the
#: same rows are close to equal; weighting the series by the network's error over *all*
#: rare-earth rows (1.01, most of it on ligands measured with no other rare earth, which the
#: series never answers) would overweight it.
BLEND_WEIGHTS: dict[str, float] = {
    "gnn": 1.0,
    "gpr": 1.0,
    "kriged_mean": 1.0,
    "rf": 1.0,
    "trees": 1.0,
    "series": 1.0,
}


def default_recipe(
    *,
    mode: str = "joint",
    n_members: int = 3,
    n_jobs: int | None = None,
    std_scale: float = 1.0,
    random_state: int = 0,
    kriging: bool = True,
    blend: bool | Sequence[str] = False,
    blend_weights: Mapping[str, float] | None = None,
    **params: Any,
) -> Any:
    """The unfitted estimator of the packaged model.

    A deep ensemble (:class:`~skmetalpka.model.EnsembleRegressor`) of ``n_members``
    :class:`~skmetalpka.pipelines.ProtonTransferRegressor` members around
    :func:`skmetalpka.default_pipeline` with :data:`RECIPE_PARAMS`, wrapped (``kriging=True``)
    in :class:`~skmetalpka.model.ResidualKriging`, which adds a Gaussian process on the
    ensemble's training residuals; fit it with ``fit(X, y, proton_X=..., proton_y=...)``.

    Parameters
    ----------
    mode : {"joint", "pretrain", "none"}, default="joint"
    n_members : int, default=3
    n_jobs : int, optional
    std_scale : float, default=1.0
        See :class:`~skmetalpka.model.EnsembleRegressor`.
    random_state : int, default=0
    kriging : bool, default=True
        Wrap the ensemble in :class:`~skmetalpka.model.ResidualKriging` (its parameters are
        then ``estimator__std_calibration`` and so on), with the fingerprint similarity alone
        (``chelate_similarity=False``): on the corpus the chelate-aware similarity made new
        metals worse (log K1 RMSE 1.71 against 1.67, metal-grouped) and new ligands no better
        (2.035 against 2.036), docs/guide/kriging.md.
    blend : bool or sequence of {"gpr", "kriged_mean", "rf", "trees", "series"}, default=False
        Average the model with other models fitted on the same data
        (:class:`~skmetalpka.model.BlendRegressor`, equal weights, the network first as
        ``"gnn"``). ``True`` is ``("gpr", "kriged_mean", "series")``:

        * ``"gpr"``: the Gaussian process on ligand and metal descriptors
          (:class:`~skmetalpka.baselines.GPRBeta1Regressor`, log beta_1 only);
        * ``"kriged_mean"``: the per-metal mean under residual kriging, i.e. a Gaussian process
          on ligand fingerprints (Tanimoto) and metal descriptors around each metal's mean;
          it only interpolates between measured metals, so it gets weight 0 for a metal the
          training data lacks (``unseen_metal_weights``), and it answers log beta_1 only
          (``max_steps``): its higher steps made the NIST-46 log beta_3 of new ligands worse;
        * ``"rf"``: the fingerprint forest under residual kriging;
        * ``"trees"``: :class:`~skmetalpka.baselines.DescriptorTreesRegressor`, extremely
          randomised trees on the Gaussian process's descriptors, not kriged (fully grown trees
          leave no training residual to krige), log beta_1 and log beta_2 only. Added to
          ``True``'s members, new ligands of the corpus went from log K1 RMSE 1.883 to 1.863
          (NIST-46 log beta_1 2.15 -> 2.08, log beta_2 2.48 -> 2.20); not in ``True``'s
          members because new metals and held-out lanthanides are not measured with it yet
          (docs/benchmarks.md);
        * ``"series"``: :class:`~skmetalpka.baselines.SeriesInterpolationRegressor`, log beta_1
          of a lanthanide (actinide) interpolated from the same ligand's values with the
          neighbouring metals of the series; it answers only those rows, and most helps a
          lanthanide the training data lacks.

        More accurate on new ligands (docs/guide/blending.md). The Gaussian process keeps its
        training rows and a Cholesky factor (hundreds of MB on the corpus), so the packaged
        model uses ``("kriged_mean", "series")``. ``proton_X``/``proton_y`` of ``fit`` reach the
        network only.
    blend_weights : mapping of str to float, optional
        Weights of the blend's members by name (``"gnn"`` for the network), overriding
        :data:`BLEND_WEIGHTS`.
    **params
        Override :data:`RECIPE_PARAMS` / other :func:`skmetalpka.default_pipeline` arguments.
    """
    ensemble = EnsembleRegressor(
        default_pipeline(**{**RECIPE_PARAMS, **params}),
        n_members=n_members,
        n_jobs=n_jobs,
        std_scale=std_scale,
        random_state=random_state,
    )
    model = with_protons(ensemble, mode=mode)
    if kriging:
        # fingerprint similarity alone: the chelate-aware one costs accuracy on new metals
        # (log K1 RMSE 1.71 against 1.67, metal-grouped) and gains nothing on new ligands
        model = ResidualKriging(model, chelate_similarity=False, random_state=random_state)
    if blend is False:
        return model
    others = BLEND_DEFAULT if blend is True else tuple(blend)
    bad = sorted(set(others) - set(_BLEND_MEMBERS)) or sorted(
        {o for o in others if others.count(o) > 1}
    )
    if bad or not others:
        raise ValueError(
            f"blend must be True or names among {tuple(_BLEND_MEMBERS)}, once each; got {blend!r}"
        )
    names = ["gnn", *others]
    given = dict(blend_weights or {})
    unknown = sorted(set(given) - set(names))
    if unknown:
        raise ValueError(
            f"blend_weights names {unknown}, which are not members of this blend "
            f"({names}); give weights of those members only"
        )
    chosen = {**BLEND_WEIGHTS, **given}
    weights = [float(chosen[name]) for name in names]
    unseen = [0.0 if name in _INTERPOLATE_ONLY else float(chosen[name]) for name in names]
    members: list[tuple[str, Any]] = [("gnn", model)]
    members += [
        (name, build_model(*_BLEND_MEMBERS[name], random_state=random_state)) for name in others
    ]
    steps = {name: _MAX_STEPS[name] for name in others if name in _MAX_STEPS}
    return BlendRegressor(
        members,
        weights=None if len(set(weights)) == 1 else weights,
        unseen_metal_weights=None if unseen == weights else unseen,
        max_steps=steps or None,
    )
