"""Blends: a weighted average of different kinds of models, step by step.

Models that see a ligand differently make different mistakes. On the multi-source corpus the
out-of-fold errors of the kriged GNN ensemble and of the Gaussian process on ligand descriptors
correlate at only about 0.76 for new ligands, so their average is more accurate than either
(``benchmarks/corpus.py --blend``). :class:`BlendRegressor` fits every member on the same data
and averages their predictions with fixed weights, like
:class:`sklearn.ensemble.VotingRegressor`, with what stability constants need on top:

* ``y`` has one column per step and missing steps are NaN. A member may predict fewer steps
  than another (:class:`~skmetalpka.baselines.GPRBeta1Regressor` predicts log beta_1 only, NaN
  after it) or NaN for a row it flags as invalid: every cell is the weighted mean of the members
  that predict it, with the weights renormalised over them. A cell no member predicts stays NaN.
* ``predict(X, return_std=True)`` gives the standard deviation of the weighted mixture of the
  members' predictive distributions, ``sigma^2 = v + sum_i w_i (mu_i - mu)^2``: the members'
  own variance plus their disagreement. ``v`` is the weighted mean of ``sigma_i^2`` over the
  members that give a standard deviation; a member without one (a forest, a kriged mean) is
  taken to be as uncertain as they are, so that blending a calibrated ensemble with such a
  model does not dilute its calibrated variance. ``std_calibration`` (per metal family and
  metal novelty, :mod:`skmetalpka.model.calibration`) can then rescale it, as for an
  ensemble.

The weights are parameters, not learned: stacking weights fitted on in-sample predictions would
favour whichever member overfits most, and honest out-of-fold weights cost a cross-validation of
every member. Equal weights are the default.
"""

from __future__ import annotations

import numbers
from collections.abc import Sequence
from typing import Any

import numpy as np
from sklearn.base import RegressorMixin, clone
from sklearn.utils import Bunch
from sklearn.utils.metaestimators import _BaseComposition
from sklearn.utils.validation import check_is_fitted

from .._base import estimator_metals, pad_steps, supports_std
from ..metrics import MaskedR2ScoreMixin
from .calibration import apply_std_calibration

__all__ = ["BlendRegressor", "combine_predictions"]


def combine_predictions(
    means: Any, weights: Any, stds: Any = None
) -> np.ndarray | tuple[np.ndarray, np.ndarray]:
    """The blend of members' predictions: cell-wise weighted mean over the finite ones.

    Parameters
    ----------
    means : array-like of shape (n_members, n_samples, n_steps)
        The members' predictions (NaN where a member does not predict a cell).
    weights : array-like of shape (n_members,) or (n_members, n_samples)
        Non-negative weights, one set for all rows or one per row (renormalised per cell over
        the members that predict it).
    stds : array-like of shape (n_members, n_samples, n_steps), optional
        The members' standard deviations (NaN: the member has none).

    Returns
    -------
    mean : ndarray of shape (n_samples, n_steps)
        NaN where no member predicts the cell.
    std : ndarray of shape (n_samples, n_steps), only if ``stds`` is given
        ``sqrt(v + sum_i w_i (mu_i - mu)^2)``: ``v`` is the weighted mean of ``sigma_i^2`` over
        the members that give one (a member without a std is taken to be as uncertain as
        them; 0 if none gives one), the sum is the members' disagreement.
    """
    mus = np.asarray(means, dtype=float)
    w = np.asarray(weights, dtype=float)
    w = w.reshape(*w.shape, *([1] * (mus.ndim - w.ndim))) * np.isfinite(mus)
    total = w.sum(axis=0)
    has = total > 0
    wn = w / np.where(has, total, 1.0)
    mean = np.where(has, np.sum(wn * np.nan_to_num(mus), axis=0), np.nan)
    if stds is None:
        return mean
    sds = np.asarray(stds, dtype=float)
    # own variance: weighted mean over the members that predict the cell and give a std
    # (a member without one is taken to be as uncertain as those that have one)
    ws = w * np.isfinite(sds)
    ws_total = ws.sum(axis=0)
    own = np.where(
        ws_total > 0,
        np.sum(ws * np.nan_to_num(sds) ** 2, axis=0) / np.where(ws_total > 0, ws_total, 1.0),
        0.0,
    )
    spread = np.sum(wn * (np.nan_to_num(mus) - np.nan_to_num(mean)[None]) ** 2, axis=0)
    return mean, np.where(has, np.sqrt(own + spread), np.nan)


class BlendRegressor(MaskedR2ScoreMixin, RegressorMixin, _BaseComposition):
    """Weighted average of heterogeneous regressors, cell by cell over the finite predictions.

    Parameters
    ----------
    estimators : list of (str, estimator)
        The members, with unique names (as :class:`sklearn.ensemble.VotingRegressor`). Each is
        cloned and fitted on the same ``X, y``; wrap one in
        :class:`sklearn.frozen.FrozenEstimator` to reuse an already fitted model.
    weights : sequence of float or None, default=None
        One non-negative weight per member (normalised to sum 1); ``None``: equal weights.
    unseen_metal_weights : sequence of float or None, default=None
        Weights for rows whose metal is not among the training rows' metals (``None``: the
        same ``weights``). A member that only interpolates between measured metals, such as
        the kriged per-metal mean, knows nothing of a new metal; give it weight 0 here so
        that the models that extrapolate from metal descriptors answer alone.
    max_steps : dict of {str: int} or None, default=None
        Per member name, the number of leading steps it contributes to (``{"kriged_mean": 1}``:
        log beta_1 only); the other members answer the later steps. Members not named
        contribute to every step they predict.
    n_jobs : int or None, default=None
        Members fitted in parallel with joblib.
    std_calibration : dict or None, default=None
        Per metal family and novelty calibration of the mixture's standard deviation
        (:func:`skmetalpka.model.calibration.fit_std_calibration`), applied with ``metals_`` as
        the "seen" metals.

    Attributes
    ----------
    estimators_ : list
        The fitted members, in the order of ``estimators``.
    named_estimators_ : sklearn.utils.Bunch
        The fitted members by name.
    weights_ : ndarray of shape (n_members,)
        The normalised weights.
    unseen_metal_weights_ : ndarray of shape (n_members,) or None
        The normalised weights for metals not seen in fit.
    n_steps_ : int
        Number of columns of ``y`` seen in fit. ``predict`` gives at least as many, more when
        a member predicts more (those cells come from the members that predict them).
    n_features_in_ : int
        Number of columns of ``X`` in fit (DataFrame input).
    feature_names_in_ : ndarray of str
        Column names of ``X`` in fit.
    fit_metals_ : list of str
        The distinct metals (canonical) of the training rows; a row whose metal is not among
        them uses ``unseen_metal_weights``.
    metals_ : list of str
        ``fit_metals_`` and the metals the members were trained on (a proton-aware network
        adds ``H+``): the "seen" metals of ``std_calibration`` and of the extrapolation
        warnings.

    Examples
    --------
    >>> from skmetalpka import make_model
    >>> from skmetalpka.model import BlendRegressor
    >>> blend = BlendRegressor([("forest", make_model("rf", n_estimators=20)),
    ...                         ("mean", make_model("mean"))], weights=[3, 1])
    >>> blend.get_params()["weights"]
    [3, 1]
    """

    def __init__(
        self,
        estimators: Sequence[tuple[str, Any]] | None = None,
        weights: Sequence[float] | None = None,
        unseen_metal_weights: Sequence[float] | None = None,
        max_steps: dict[str, int] | None = None,
        n_jobs: int | None = None,
        std_calibration: dict | None = None,
    ) -> None:
        self.estimators = estimators
        self.weights = weights
        self.unseen_metal_weights = unseen_metal_weights
        self.max_steps = max_steps
        self.n_jobs = n_jobs
        self.std_calibration = std_calibration

    # ------------------------------------------------------------------------------ params
    def get_params(self, deep: bool = True) -> dict[str, Any]:
        """Parameters, with every member's as ``<name>__<parameter>`` when ``deep``
        (as :class:`sklearn.ensemble.VotingRegressor`)."""
        return self._get_params("estimators", deep=deep)

    def set_params(self, **params: Any) -> BlendRegressor:
        """Set parameters; ``<name>=estimator`` replaces a member, ``<name>__<p>`` sets its own."""
        self._set_params("estimators", **params)
        return self

    # ----------------------------------------------------------------------------- validation
    def _validate(self) -> tuple[list[str], list[Any], np.ndarray, np.ndarray | None]:
        if not self.estimators:
            raise ValueError(
                "estimators is required: a list of (name, estimator) pairs, e.g. "
                "BlendRegressor([('gnn', default_recipe()), ('gpr', make_model('gpr'))])"
            )
        names, members = [], []
        for item in self.estimators:
            if not (isinstance(item, tuple | list) and len(item) == 2 and isinstance(item[0], str)):
                raise ValueError(
                    f"every entry of estimators must be a (name, estimator) pair, got {item!r}"
                )
            names.append(item[0])
            members.append(item[1])
        dup = sorted({n for n in names if names.count(n) > 1})
        if dup:
            raise ValueError(f"estimator names must be unique; repeated: {dup}")
        for name, est in zip(names, members, strict=True):
            if not hasattr(est, "fit") or not hasattr(est, "predict"):
                raise TypeError(f"estimator {name!r} ({type(est).__name__}) has no fit/predict")
        w = _check_weights("weights", self.weights, len(members))
        if self.max_steps is not None:
            if not isinstance(self.max_steps, dict):
                raise ValueError(
                    f"max_steps must be a dict of member name -> int, got {self.max_steps!r}"
                )
            unknown = sorted(set(self.max_steps) - set(names))
            if unknown:
                raise ValueError(f"max_steps names {unknown} are not members; members: {names}")
            for name, k in self.max_steps.items():
                if not isinstance(k, numbers.Integral) or isinstance(k, bool) or k < 1:
                    raise ValueError(f"max_steps[{name!r}] must be an int >= 1, got {k!r}")
        unseen = (
            None
            if self.unseen_metal_weights is None
            else _check_weights("unseen_metal_weights", self.unseen_metal_weights, len(members))
        )
        if self.n_jobs is not None and not isinstance(self.n_jobs, numbers.Integral):
            raise ValueError(f"n_jobs must be an int or None, got {self.n_jobs!r}")
        return names, members, w, unseen

    # ------------------------------------------------------------------------------------ fit
    def fit(self, X: Any, y: Any, **fit_params: Any) -> BlendRegressor:
        """Fit a clone of every member on ``X, y``.

        ``fit_params`` named ``<member>__<parameter>`` go to that member only (as in a
        pipeline: ``gnn__proton_X=...``); any other name goes to every member whose ``fit``
        takes it (by name or through ``**kwargs``), so ``fit(X, y, proton_X=..., proton_y=...)``
        reaches a proton-aware GNN and skips a Gaussian process.
        """
        from joblib import Parallel, delayed

        names, members, w, unseen = self._validate()
        routed: dict[str, dict[str, Any]] = {n: {} for n in names}
        for key, value in fit_params.items():
            name, sep, param = key.partition("__")
            if sep and name in routed:
                routed[name][param] = value
                continue
            takers = [n for n, est in zip(names, members, strict=True) if _takes(est, key)]
            if not takers:
                raise ValueError(
                    f"no member's fit takes {key!r}; name it '<member>__{key}' with a member "
                    f"among {names}, or drop it"
                )
            for n in takers:
                routed[n][key] = value
        parallel = self.n_jobs not in (None, 1)
        self.estimators_ = Parallel(n_jobs=self.n_jobs if parallel else None)(
            delayed(_fit_one)(est, X, y, routed[name])
            for name, est in zip(names, members, strict=True)
        )
        self.weights_ = w
        self.unseen_metal_weights_ = unseen
        y_arr = np.asarray(y, dtype=float)
        self.n_steps_ = 1 if y_arr.ndim == 1 else int(y_arr.shape[1])
        if hasattr(X, "columns"):
            self.n_features_in_ = int(X.shape[1])
            self.feature_names_in_ = np.asarray([str(c) for c in X.columns], dtype=object)
        self.fit_metals_ = _training_metals(X)
        metals = set(self.fit_metals_)
        for est in self.estimators_:
            metals.update(_training_metals_of(est))
        if metals:
            self.metals_ = sorted(metals)
        return self

    @property
    def named_estimators_(self) -> Bunch:
        """The fitted members by name."""
        check_is_fitted(self, "estimators_")
        names = [name for name, _ in self.estimators]
        return Bunch(**dict(zip(names, self.estimators_, strict=True)))

    # -------------------------------------------------------------------------------- predict
    def _member_predictions(self, X: Any, return_std: bool) -> tuple[np.ndarray, np.ndarray | None]:
        n = len(X)
        limits = self.max_steps or {}
        names = [name for name, _ in self.estimators]
        mus, sds = [], []
        for name, est in zip(names, self.estimators_, strict=True):
            if return_std and supports_std(est):
                mu, sd = est.predict(X, return_std=True)
                sd = np.array(pad_steps(sd, self.n_steps_, truncate=False))
            else:
                mu, sd = est.predict(X), None
            mu = np.array(pad_steps(mu, self.n_steps_, truncate=False))
            if name in limits:  # the member answers its first max_steps steps only
                mu[:, int(limits[name]) :] = np.nan
                if sd is not None:
                    sd[:, int(limits[name]) :] = np.nan
            mus.append(mu)
            sds.append(sd)
        # at least n_steps_ columns; more when a member predicts more (a proton-aware network
        # predicts every protonation step of its proton table)
        width = max([self.n_steps_, *(m.shape[1] for m in mus)])
        mu_arr = np.stack([pad_steps(m, width) for m in mus])
        if not return_std:
            return mu_arr, None
        sd_arr = np.stack(
            [np.full((n, width), np.nan) if sd is None else pad_steps(sd, width) for sd in sds]
        )
        return mu_arr, sd_arr

    def _row_weights(self, X: Any) -> np.ndarray:
        """``weights_``, or per row with ``unseen_metal_weights_`` for metals not in fit."""
        unseen_w = getattr(self, "unseen_metal_weights_", None)
        if unseen_w is None or not hasattr(X, "columns") or "metal" not in X.columns:
            return self.weights_
        from ..ions import canonical_or_none

        seen = set(getattr(self, "fit_metals_", []))
        unseen = np.array(
            [canonical_or_none(m) not in seen for m in X["metal"].tolist()], dtype=bool
        )
        return np.where(unseen[None, :], unseen_w[:, None], self.weights_[:, None])

    def interpolates(self, X: Any) -> np.ndarray:
        """Rows where a member that interpolates along a metal series contributes.

        A member says which rows it answers through its own ``interpolates(X)``
        (:class:`~skmetalpka.baselines.SeriesInterpolationRegressor`); a row counts when such
        a member answers it with a non-zero weight for that row (``unseen_metal_weights`` for
        a metal absent from fit). Never raises on invalid rows (they give False).

        Returns
        -------
        ndarray of bool, shape (n_samples,)
        """
        check_is_fitted(self, "estimators_")
        out = np.zeros(len(X), dtype=bool)
        weights = np.broadcast_to(
            np.asarray(self._row_weights(X)).reshape(len(self.estimators_), -1),
            (len(self.estimators_), len(X)),
        )
        for est, w in zip(self.estimators_, weights, strict=True):
            ask = getattr(est, "interpolates", None)  # a FrozenEstimator passes it on
            if callable(ask):
                out |= np.asarray(ask(X), dtype=bool) & (w > 0)
        return out

    def _supports_std(self) -> bool:
        """Whether ``predict(return_std=True)`` works: some member gives a std."""
        members = getattr(self, "estimators_", None)
        if members is None:
            members = [est for _, est in (self.estimators or [])]
        return any(supports_std(est) for est in members)

    def predict(self, X: Any, return_std: bool = False) -> Any:
        """Weighted mean of the members' predictions (and the mixture's standard deviation).

        Parameters
        ----------
        X : pandas.DataFrame
            The members' input (``smiles`` and ``metal`` columns for skmetalpka models).
        return_std : bool, default=False
            Also return the standard deviation of the weighted mixture (see the module
            docstring). Needs at least one member whose ``predict`` takes ``return_std``.

        Returns
        -------
        y_pred : ndarray of shape (n_samples, n_out)
            ``n_out`` is ``n_steps_`` or the widest member's output if wider. NaN where no
            member predicts the cell (e.g. a row every member flags).
        y_std : ndarray of shape (n_samples, n_out), only if ``return_std``
        """
        check_is_fitted(self, "estimators_")
        if return_std and not self._supports_std():
            raise ValueError(
                "no member gives a standard deviation; include an EnsembleRegressor, a "
                "ResidualKriging over one, or a Gaussian process to use return_std=True"
            )
        mus, sds = self._member_predictions(X, return_std)
        weights = self._row_weights(X)
        if not return_std:
            return combine_predictions(mus, weights)
        mean, std = combine_predictions(mus, weights, sds)
        if self.std_calibration:
            std = apply_std_calibration(
                std, X["metal"].tolist(), getattr(self, "metals_", None), self.std_calibration
            )
        return mean, std

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        if self.estimators:
            try:
                inner = self.estimators[0][1].__sklearn_tags__()
            except (AttributeError, IndexError, TypeError):
                return tags
            tags.input_tags = inner.input_tags
            tags.target_tags = inner.target_tags
        return tags


def _takes(estimator: Any, key: str) -> bool:
    """Whether ``estimator.fit`` accepts the keyword ``key``."""
    import inspect

    try:
        params = inspect.signature(estimator.fit).parameters
    except (TypeError, ValueError):
        return False
    return key in params or any(p.kind is p.VAR_KEYWORD for p in params.values())


def _check_weights(name: str, weights: Any, n: int) -> np.ndarray:
    """Normalised weights (equal for None); a clear error for a wrong length or sign."""
    if weights is None:
        return np.full(n, 1.0 / n)
    w = np.asarray(list(weights), dtype=float)
    if w.shape != (n,):
        raise ValueError(f"{name} has {w.size} entries for {n} estimators; give one each")
    if not np.all(np.isfinite(w)) or np.any(w < 0) or w.sum() <= 0:
        raise ValueError(f"{name} must be finite, >= 0 and not all 0, got {weights}")
    return w / w.sum()


def _fit_one(estimator: Any, X: Any, y: Any, fit_params: dict[str, Any]) -> Any:
    return clone(estimator).fit(X, y, **fit_params)


def _training_metals_of(est: Any) -> list[str]:
    """Canonical training metals of a fitted member (none if it does not record them)."""
    from ..ions import canonical_or_none

    metals = estimator_metals(est) or []
    return [c for c in (canonical_or_none(m) for m in metals) if c is not None]


def _training_metals(X: Any) -> list[str]:
    """The distinct canonical metals of the training rows (the "seen" metals of calibration)."""
    from ..ions import canonical_or_none

    if not hasattr(X, "columns") or "metal" not in X.columns:
        return []
    out = {canonical_or_none(m) for m in X["metal"].tolist()}
    return sorted(m for m in out if m is not None)
