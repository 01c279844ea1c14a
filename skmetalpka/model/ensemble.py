"""Deep ensembles: K independently seeded copies of an estimator, averaged.

A single network trained on ~2,000 complexes varies a lot from seed to seed; the mean of K
members is more accurate, and their spread is an uncertainty estimate
(``predict(X, return_std=True)``, as :class:`sklearn.gaussian_process.GaussianProcessRegressor`).
"""

from __future__ import annotations

from typing import Any

import numpy as np
from sklearn.base import BaseEstimator, RegressorMixin, clone
from sklearn.utils.validation import check_is_fitted

from .._base import set_random_state
from .._threads import job_threads, limit_threads
from ..metrics import MaskedR2ScoreMixin
from .calibration import apply_std_calibration

__all__ = ["EnsembleRegressor", "seed_estimator"]


#: Alias of :func:`skmetalpka._base.set_random_state` (the one seed helper).
seed_estimator = set_random_state


def _shared_featurisation(members: list) -> bool:
    """True when all members are pipelines whose steps before the last are configured alike."""
    from sklearn.pipeline import Pipeline

    if not all(isinstance(m, Pipeline) and len(m.steps) > 1 for m in members):
        return False

    def signature(m: Any) -> list:
        return [(name, repr(step.get_params(deep=False))) for name, step in m.steps[:-1]]

    first = signature(members[0])
    return all(signature(m) == first for m in members[1:])


def _fit_member(
    estimator: Any, X: Any, y: Any, seed: int, threads: int | None, fit_params: dict
) -> Any:
    threads = job_threads(threads)  # on a Dask worker: the worker's budget
    if threads:
        limit_threads(threads)
    return seed_estimator(clone(estimator), seed).fit(X, y, **fit_params)


class EnsembleRegressor(MaskedR2ScoreMixin, RegressorMixin, BaseEstimator):
    """Average of ``n_members`` clones of ``estimator`` fitted with seeds ``random_state + i``.

    Parameters
    ----------
    estimator : estimator
        Any regressor or pipeline (e.g. :func:`skmetalpka.default_pipeline`); every parameter
        named ``random_state`` in it is set per member.
    n_members : int, default=5
    random_state : int, default=0
        Seed of the first member.
    n_jobs : int or None, default=None
        Members trained in parallel with joblib (each with ``torch`` threads set to 1 so the
        cores are not oversubscribed). Under ``joblib.parallel_config(backend="dask")`` the
        members are trained on the Dask workers, each with the worker's thread budget
        (:func:`skmetalpka._threads.dask_worker_threads`; 1 by default).
    std_scale : float, default=1.0
        Factor applied to the members' standard deviation in ``predict(return_std=True)``.
        A handful of members underestimates the error; ``benchmarks/calibration.py`` measures
        the factor that makes out-of-fold ±1 sigma intervals cover 68 % (cross-fitted, on
        ligand-grouped folds) and the packaged model is saved with it.
    std_calibration : dict or None, default=None
        Per metal family and metal novelty (seen in training or not) calibration of the
        standard deviation, ``sigma = sqrt((a * std_scale * spread) ** 2 + b ** 2)``, from
        :func:`skmetalpka.model.calibration.fit_std_calibration` (a plain JSON-able dict). It
        keeps the reported sigma honest for metals far from the training data, where the
        members agree and are wrong together.

    Attributes
    ----------
    estimators_ : list
        The fitted members.
    n_steps_ : int
        Number of predicted steps, when the members expose it.
    """

    #: For ensembles pickled by skmetalpka 0.1 (no such parameter).
    std_calibration = None

    def __init__(
        self,
        estimator: Any = None,
        n_members: int = 5,
        random_state: int = 0,
        n_jobs: int | None = None,
        std_scale: float = 1.0,
        std_calibration: dict | None = None,
    ) -> None:
        self.estimator = estimator
        self.n_members = n_members
        self.random_state = random_state
        self.n_jobs = n_jobs
        self.std_scale = std_scale
        self.std_calibration = std_calibration

    def fit(self, X: Any, y: Any, **fit_params: Any) -> EnsembleRegressor:
        """Fit every member on the same data with its own seed.

        ``fit_params`` go to every member's ``fit`` (e.g. ``proton_X``/``proton_y`` of a
        :class:`~skmetalpka.model.ProtonTransferRegressor`).
        """
        from joblib import Parallel, delayed

        if self.estimator is None:
            raise ValueError("estimator is required, e.g. EnsembleRegressor(default_pipeline())")
        if int(self.n_members) < 1:
            raise ValueError(f"n_members must be >= 1, got {self.n_members!r}")
        seeds = [int(self.random_state) + i for i in range(int(self.n_members))]
        parallel = self.n_jobs not in (None, 1)
        self.estimators_ = Parallel(n_jobs=self.n_jobs if parallel else None)(
            delayed(_fit_member)(self.estimator, X, y, s, 1 if parallel else None, fit_params)
            for s in seeds
        )
        first = self.estimators_[0]
        last = first.steps[-1][1] if hasattr(first, "steps") else first
        for holder in (first, last):  # a transfer model or the pipeline's regressor
            if hasattr(holder, "metals_"):
                self.metals_ = list(holder.metals_)
                break
        if hasattr(last, "n_steps_"):
            self.n_steps_ = int(last.n_steps_)
        return self

    def predict(self, X: Any, return_std: bool = False):
        """Mean prediction of the members (and their standard deviation if ``return_std``)."""
        check_is_fitted(self, "estimators_")
        members = [getattr(m, "estimator_", m) for m in self.estimators_]  # unwrap transfer
        if _shared_featurisation(members):
            # Identical featurisation steps: featurise once, run only the final models.
            Xt = members[0][:-1].transform(X)
            preds = np.stack([np.asarray(m[-1].predict(Xt), float) for m in members])
        else:
            preds = np.stack([np.asarray(m.predict(X), dtype=float) for m in self.estimators_])
        mean = preds.mean(axis=0)
        if not return_std:
            return mean
        std = preds.std(axis=0) * float(self.std_scale)
        calibration = self.std_calibration  # the class default stands in for 0.1 model files
        if calibration:
            std = apply_std_calibration(
                std, X["metal"].tolist(), getattr(self, "metals_", None), calibration
            )
        return mean, std

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        if self.estimator is not None:
            inner = self.estimator.__sklearn_tags__()
            tags.input_tags = inner.input_tags
            tags.target_tags = inner.target_tags
        return tags
