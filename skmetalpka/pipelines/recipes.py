"""The recipe of the packaged model (``skmetalpka/pretrained``), also used to cross-validate it."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from ..baselines import FingerprintForestRegressor, GPRBeta1Regressor
from ..model.blend import BlendRegressor
from ..model.ensemble import EnsembleRegressor
from ..model.kriging import ResidualKriging
from .default import default_pipeline
from .registry import with_protons

__all__ = ["RECIPE_PARAMS", "default_recipe"]

#: Network of the packaged model: the default pipeline, narrower (hidden 96) so that three
#: members fit the package budget, with light dropout (0.05): on the corpus's new-ligand folds a
#: 3-member ensemble gave log K1 RMSE 2.31 with it against 2.43 with the default 0.2
#: (docs/benchmarks.md).
RECIPE_PARAMS: dict[str, Any] = {"hidden_dim": 96, "heads": 4, "dropout": 0.05}


def default_recipe(
    *,
    mode: str = "joint",
    n_members: int = 3,
    n_jobs: int | None = None,
    std_scale: float = 1.0,
    random_state: int = 0,
    kriging: bool = True,
    blend: bool | Sequence[str] = False,
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
        then ``estimator__std_calibration`` and so on).
    blend : bool or sequence of {"gpr", "rf"}, default=False
        Average the model, with equal weights, with other models fitted on the same data
        (:class:`~skmetalpka.model.BlendRegressor` of ``("gnn", ...)`` and the others):
        ``True`` is ``("gpr",)``, the Gaussian process on ligand and metal descriptors;
        ``("gpr", "rf")`` adds the fingerprint forest under residual kriging. More accurate on
        new ligands (docs/guide/blending.md), but the Gaussian process keeps its training data
        and a Cholesky factor (hundreds of MB on the corpus), so the packaged model does not use
        it. ``proton_X``/``proton_y`` of ``fit`` still reach the network only.
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
        model = ResidualKriging(model, random_state=random_state)
    if blend is False:
        return model
    others = ("gpr",) if blend is True else tuple(blend)
    bad = sorted(set(others) - {"gpr", "rf"}) or [o for o in set(others) if others.count(o) > 1]
    if bad or not others:
        raise ValueError(
            f"blend must be True or names among ('gpr', 'rf'), once each; got {blend!r}"
        )
    members: list[tuple[str, Any]] = [("gnn", model)]
    for name in others:
        if name == "gpr":
            members.append(("gpr", GPRBeta1Regressor(random_state=random_state)))
        else:
            forest = FingerprintForestRegressor(random_state=random_state)
            members.append(("rf", ResidualKriging(forest, random_state=random_state)))
    return BlendRegressor(members)
