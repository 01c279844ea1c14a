"""Small pieces every estimator shares, defined once.

* :func:`pad_steps` - targets/predictions widened (NaN) or cut to ``N`` step columns.
* :func:`set_random_state` - seed every ``random_state`` of an estimator, nested steps included.
* :func:`supports_std` - whether ``predict`` takes ``return_std``.
* :class:`TagsMixin` - the scikit-learn tags of every skmetalpka estimator.

The one ``score`` of every regressor is :class:`skmetalpka.metrics.MaskedR2ScoreMixin`.
"""

from __future__ import annotations

import inspect
from typing import Any

import numpy as np

__all__ = [
    "pad_steps",
    "set_random_state",
    "supports_std",
    "estimator_metals",
    "TagsMixin",
]


def pad_steps(values: Any, width: int, *, truncate: bool = True) -> np.ndarray:
    """``values`` as a float64 2-D array of exactly ``width`` step columns.

    Parameters
    ----------
    values : array-like of shape (n,) or (n, k)
        A 1-D array is one step column.
    width : int
        Number of step columns wanted; missing ones are NaN (not measured / not predicted).
    truncate : bool, default=True
        Cut columns beyond ``width``; with ``False`` a wider array is returned as is.

    Returns
    -------
    numpy.ndarray of shape (n, width)
    """
    arr = np.asarray(values, dtype=np.float64)
    if arr.ndim == 1:
        arr = arr[:, None]
    if arr.shape[1] < width:
        arr = np.hstack([arr, np.full((arr.shape[0], width - arr.shape[1]), np.nan)])
    elif truncate and arr.shape[1] > width:
        arr = arr[:, :width]
    return arr


def set_random_state(estimator: Any, seed: int | None) -> Any:
    """Set every ``random_state`` parameter of an (unfitted) estimator, nested ones included.

    Parameters
    ----------
    estimator : estimator
    seed : int or None

    Returns
    -------
    estimator
        The same object (modified in place), for chaining.
    """
    keys = [
        k
        for k in estimator.get_params(deep=True)
        if k == "random_state" or k.endswith("__random_state")
    ]
    if keys:
        estimator.set_params(**{k: seed for k in keys})
    return estimator


def supports_std(estimator: Any) -> bool:
    """Whether ``estimator.predict`` takes ``return_std`` (ensembles, Gaussian processes).

    Decided from the signature, so that a ``TypeError`` raised *inside* ``predict`` is never
    mistaken for "no standard deviation". A wrapper whose ``predict`` takes ``return_std`` but
    can only pass it on (:class:`~skmetalpka.model.ResidualKriging`,
    :class:`~skmetalpka.model.BlendRegressor`) answers through its ``_supports_std()``; a
    :class:`sklearn.frozen.FrozenEstimator` is looked through.
    """
    from sklearn.frozen import FrozenEstimator

    if isinstance(estimator, FrozenEstimator):
        return supports_std(estimator.estimator)
    own = getattr(type(estimator), "_supports_std", None)
    if callable(own):
        return bool(estimator._supports_std())
    try:
        return "return_std" in inspect.signature(estimator.predict).parameters
    except (AttributeError, TypeError, ValueError):
        return False


def estimator_metals(estimator: Any) -> list[str] | None:
    """Metals a fitted estimator was trained on, or ``None`` when it does not record them.

    ``metals_`` of the estimator, of its last pipeline step or of its first ensemble member,
    else of the model it wraps (``estimator_``: residual kriging, a proton-transfer wrapper).
    The public name is :func:`skmetalpka.inference.training_metals`; the model layer, below
    inference, uses this one.
    """
    for _ in range(8):  # wrappers nest a few levels at most
        for obj in (
            estimator,
            getattr(estimator, "steps", [[None, None]])[-1][1],
            (getattr(estimator, "estimators_", None) or [None])[0],
        ):
            if obj is None:
                continue
            metals = getattr(obj, "metals_", None)
            if metals is None and hasattr(obj, "steps"):
                metals = getattr(obj.steps[-1][1], "metals_", None)
            if metals is not None:
                return [str(m) for m in metals]
        estimator = getattr(estimator, "estimator_", None)
        if estimator is None:
            return None
    return None


class TagsMixin:
    """The scikit-learn tags of every skmetalpka estimator, declared by two class attributes.

    ``_input_kind``
        ``"smiles"``: ``X`` is a DataFrame of metal and SMILES strings (``string`` input,
        ``allow_nan`` because a missing condition means the default condition);
        ``"graphs"``: ``X`` is the list of graphs made by
        :class:`~skmetalpka.featurize.SmilesToGraph`. Neither is a 2-D numeric array, so
        scikit-learn's numeric estimator checks are skipped.
    ``_target_kind``
        ``None`` (a transformer), ``"steps"`` (``y`` is ``(n, N)`` cumulative log beta with NaN
        for unmeasured steps) or ``"steps_or_1d"`` (also accepts a 1-D ``y``; ``y`` required).
    """

    _input_kind: str = "smiles"
    _target_kind: str | None = None

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()  # type: ignore[misc]
        tags.input_tags.two_d_array = False
        if self._input_kind == "smiles":
            tags.input_tags.string = True
            tags.input_tags.allow_nan = True
        tags.requires_fit = True
        if self._target_kind is not None:
            tags.target_tags.multi_output = True
            tags.target_tags.single_output = self._target_kind == "steps_or_1d"
            if self._target_kind == "steps_or_1d":
                tags.target_tags.required = True
        return tags
