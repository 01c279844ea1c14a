"""Models by name, their parameters, and the compositions built on them - each written once.

* :data:`MODEL_NAMES`, :func:`make_model`, :func:`build_model` - the model registry that the
  command line, cross-validation and tuning read.
* :func:`with_protons` - wrap a GNN model (single or ensemble) so that it learns from
  protonation constants too.
* :func:`load_params` - model parameters from JSON (``--params``).
"""

from __future__ import annotations

import json
import os
from collections.abc import Mapping
from typing import Any

from .._base import set_random_state
from ..baselines import (
    DescriptorTreesRegressor,
    FingerprintForestRegressor,
    GPRBeta1Regressor,
    MetalMeanRegressor,
    SeriesInterpolationRegressor,
)
from ..exceptions import InputError
from ..model.blend import BlendRegressor
from ..model.ensemble import EnsembleRegressor
from ..model.kriging import ResidualKriging
from ..tables import _check_file
from .default import default_pipeline
from .transfer import ProtonTransferRegressor

__all__ = [
    "MODEL_NAMES",
    "BLEND_ONLY_NAMES",
    "CHELATE_KRIGING_MODELS",
    "make_model",
    "build_model",
    "with_protons",
    "load_params",
]

#: Names accepted by :func:`make_model` (and ``skmetalpka fit/cv --model``).
MODEL_NAMES = ("gnn", "gpr", "rf", "trees", "mean")
#: Models whose ``kriging=True`` multiplies the kriging's fingerprint similarity by the chelate
#: topology (``ResidualKriging(chelate_similarity=True)``), measured per model on the corpus
#: (docs/guide/kriging.md): it helps the kriged per-metal mean (log K1 RMSE, ligand-grouped
#: 2.34 -> 2.29, metal-grouped 2.32 -> 2.31) but not the network, whose descriptors carry the
#: chelate topology already (metal-grouped 1.67 fingerprint-only against 1.71, ligand-grouped
#: 2.036 against 2.035), so ``gnn`` is kriged on fingerprints alone. ``rf`` and ``gpr`` keep
#: the chelate-aware kriging they had (not measured both ways). ``trees`` is not kriged by
#: default in any recipe: fully grown trees reproduce their training values, so their training
#: residuals, which the kriging learns from, are close to zero.
CHELATE_KRIGING_MODELS = frozenset({"mean", "rf", "gpr"})
#: Models that only make sense inside a blend (``make_model(..., blend="series")``): they
#: answer some rows and leave the others NaN for the blend's other members.
#: ``series`` is :class:`~skmetalpka.baselines.SeriesInterpolationRegressor`.
BLEND_ONLY_NAMES = ("series",)


def make_model(name: str, **params: Any):
    """Unfitted estimator by name: ``gnn`` (default pipeline), ``gpr``, ``rf``, ``trees``
    (:class:`~skmetalpka.baselines.DescriptorTreesRegressor`), ``mean``, or ``series``
    (:class:`~skmetalpka.baselines.SeriesInterpolationRegressor`, a blend member).

    Every model takes the same ``X`` (DataFrame of metal, smiles, ...) and ``y`` (cumulative
    log beta with NaN) and predicts ``(n, N)``. For ``gnn``, ``n_members=K`` (> 1) returns a
    deep ensemble of K seeded pipelines (:class:`~skmetalpka.model.EnsembleRegressor`, members
    trained in parallel with ``n_jobs``); every other parameter goes to
    :func:`default_pipeline`. ``kriging=True`` (any model) wraps the model in
    :class:`~skmetalpka.model.ResidualKriging`: a Gaussian process on its training residuals
    that carries a ligand's measured constants over to neighbouring metals; a mapping instead
    of ``True`` gives its parameters (``{"kriging": {"max_rows": 8000}}``). Its
    ``chelate_similarity`` is on for the models of :data:`CHELATE_KRIGING_MODELS` and off for
    ``gnn`` unless the mapping says otherwise.

    ``blend`` averages the model with other registered models
    (:class:`~skmetalpka.model.BlendRegressor`, equal weights unless ``blend_weights``, the
    named model first; ``blend_unseen_metal_weights`` for metals the training data lacks): a
    name (``"gpr"``), a list of names, or a mapping of names to their parameters
    (``{"gpr": {"max_optimizer_samples": 2000}, "mean": {"kriging": true}}``). ``make_model("gnn",
    n_members=3, kriging=True, blend="gpr")`` is the kriged ensemble averaged with the Gaussian
    process, each fitted on the same data.
    """
    blend = params.pop("blend", None)
    blend_weights = params.pop("blend_weights", None)
    unseen_weights = params.pop("blend_unseen_metal_weights", None)
    if (blend_weights is not None or unseen_weights is not None) and blend in (None, False):
        raise ValueError(
            "blend_weights / blend_unseen_metal_weights need blend (the models to average with)"
        )
    if blend not in (None, False):
        members = [(name, make_model(name, **params))]
        for other, other_params in _blend_members(blend).items():
            members.append((other, make_model(other, **other_params)))
        return BlendRegressor(members, weights=blend_weights, unseen_metal_weights=unseen_weights)
    kriging = params.pop("kriging", False)
    if not isinstance(kriging, bool | Mapping):
        raise ValueError(
            f"kriging must be true, false or a mapping of ResidualKriging parameters, "
            f"got {kriging!r}"
        )
    if kriging is not False:
        options: dict[str, Any] = {"chelate_similarity": name in CHELATE_KRIGING_MODELS}
        options.update(kriging if isinstance(kriging, Mapping) else {})
        return ResidualKriging(make_model(name, **params), **options)
    if name == "gnn":
        n_members = int(params.pop("n_members", 1))
        n_jobs = params.pop("n_jobs", None)
        pipe = default_pipeline(**params)
        if n_members > 1:
            seed = params.get("random_state", 0)
            return EnsembleRegressor(
                pipe, n_members=n_members, random_state=0 if seed is None else seed, n_jobs=n_jobs
            )
        return pipe
    if name == "gpr":
        return GPRBeta1Regressor(**params)
    if name == "rf":
        return FingerprintForestRegressor(**params)
    if name == "trees":
        return DescriptorTreesRegressor(**params)
    if name == "mean":
        return MetalMeanRegressor(**params)
    if name == "series":
        return SeriesInterpolationRegressor(**params)
    raise ValueError(
        f"unknown model {name!r}; choose one of {', '.join(MODEL_NAMES)} (or, as a blend member, "
        f"{', '.join(BLEND_ONLY_NAMES)})"
    )


def _blend_members(blend: Any) -> dict[str, dict[str, Any]]:
    """``blend`` of :func:`make_model` as ``{model name: parameters}``."""
    if isinstance(blend, str):
        blend = [blend]
    if isinstance(blend, Mapping):
        out = {}
        for name, p in blend.items():
            if p is not None and not isinstance(p, Mapping):
                raise ValueError(f"blend[{name!r}] must be a mapping of parameters, got {p!r}")
            out[str(name)] = dict(p or {})
    elif isinstance(blend, list | tuple) and all(isinstance(b, str) for b in blend):
        out = {b: {} for b in blend}
    else:
        raise ValueError(
            f"blend must be a model name, a list of names or a mapping of names to parameters, "
            f"got {blend!r}"
        )
    unknown = sorted(set(out) - set(MODEL_NAMES) - set(BLEND_ONLY_NAMES))
    if unknown or not out:
        raise ValueError(
            f"blend names {unknown or '(none)'} are not models; choose from "
            f"{', '.join(MODEL_NAMES + BLEND_ONLY_NAMES)}"
        )
    return out


def build_model(
    name: str, params: Mapping[str, Any] | None = None, *, random_state: int | None = None
) -> Any:
    """Unfitted model by name with parameters and a seed.

    Parameters
    ----------
    name : {"gnn", "gpr", "rf", "trees", "mean", "series"}
        See :func:`skmetalpka.pipelines.make_model` (``series`` only makes sense as a blend
        member).
    params : mapping, optional
        Keyword arguments of :func:`~skmetalpka.pipelines.make_model`.
    random_state : int, optional
        Seed given to every ``random_state`` parameter of the model, unless ``params`` sets
        ``random_state`` itself.

    Returns
    -------
    estimator

    Raises
    ------
    ValueError
        Unknown model name or parameter (the message lists the valid parameters).
    """
    params = dict(params or {})
    if name not in MODEL_NAMES + BLEND_ONLY_NAMES:
        raise ValueError(
            f"unknown model {name!r}; choose one of {', '.join(MODEL_NAMES + BLEND_ONLY_NAMES)}"
        )
    try:
        est = make_model(name, **params)
    except (TypeError, ValueError) as exc:
        if name == "gnn":
            hint = (
                "see skmetalpka.pipelines.default_pipeline and "
                "skmetalpka.model.MetalComplexRegressor for the valid parameters"
            )
        else:
            hint = f"valid parameters: {sorted(make_model(name).get_params(deep=False))}"
        raise ValueError(f"invalid parameters for model {name!r} ({exc}); {hint}") from exc
    if random_state is not None and not any(
        k == "random_state" or k.endswith("__random_state") for k in params
    ):
        set_random_state(est, random_state)
    return est


def with_protons(
    estimator: Any, *, mode: str = "joint", proton_weight: float = 0.5, **params: Any
) -> Any:
    """Make a GNN model learn from protonation constants as well.

    Parameters
    ----------
    estimator : Pipeline or EnsembleRegressor
        An unfitted GNN pipeline (:func:`default_pipeline`) or a deep ensemble of them.
    mode : {"joint", "pretrain", "none"}, default="joint"
        See :class:`~skmetalpka.pipelines.transfer.ProtonTransferRegressor`.
    proton_weight : float, default=0.5
    **params
        Other :class:`ProtonTransferRegressor` parameters.

    Returns
    -------
    estimator
        A :class:`ProtonTransferRegressor`, or for an ensemble the same ensemble whose every
        member is one (fit it with ``fit(X, y, proton_X=..., proton_y=...)``).
    """
    if isinstance(estimator, EnsembleRegressor):
        return estimator.set_params(
            estimator=with_protons(
                estimator.estimator, mode=mode, proton_weight=proton_weight, **params
            )
        )
    return ProtonTransferRegressor(estimator, mode=mode, proton_weight=proton_weight, **params)


def load_params(spec: str | os.PathLike[str] | Mapping[str, Any] | None) -> dict[str, Any]:
    """Model parameters from a JSON file, a JSON text or a mapping.

    Parameters
    ----------
    spec : str, path-like, mapping or None
        ``None`` gives ``{}``; a string starting with ``{`` is parsed as JSON; any other
        string or path is a JSON file holding one object.

    Returns
    -------
    dict
        Keys starting with ``_`` (annotations such as the ``_study`` record written by
        ``skmetalpka tune --export``) are left out.

    Raises
    ------
    InputError
        Unreadable file, invalid JSON, or JSON that is not an object.
    """
    if spec is None:
        return {}
    if isinstance(spec, Mapping):
        return dict(spec)
    text = str(spec)
    if text.lstrip().startswith("{"):
        where = "the --params JSON text"
    else:
        p = _check_file(text, "parameter file")
        where = f"parameter file {str(p)!r}"
        try:
            text = p.read_text(encoding="utf-8-sig")
        except (OSError, UnicodeDecodeError) as exc:
            raise InputError(f"{where} could not be read: {exc}") from exc
    try:
        obj = json.loads(text)
    except json.JSONDecodeError as exc:
        raise InputError(f"{where} is not valid JSON: {exc}") from exc
    if not isinstance(obj, dict):
        raise InputError(
            f"{where} must hold a JSON object of parameter names and values, such as "
            f'{{"max_epochs": 50}}; got {type(obj).__name__}'
        )
    return {k: v for k, v in obj.items() if not str(k).startswith("_")}
