"""Extremely randomised trees on metal and ligand descriptors, one ensemble per step."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
from sklearn.ensemble import ExtraTreesRegressor

from ._base import (
    _BaselineMixin,
    _descriptor_feature_names,
    _fit_per_step,
    _predict_per_step,
)


class DescriptorTreesRegressor(_BaselineMixin):
    """Extremely randomised trees on the Gaussian process's descriptors, one ensemble per step.

    The features are those of :class:`~skmetalpka.baselines.GPRBeta1Regressor`
    (:data:`~skmetalpka.baselines.DESCRIPTOR_FEATURE_NAMES`: metal descriptors, RDKit ligand
    descriptors, donor-group counts, chelate topology, donor-score summary, conditions), without
    scaling (trees do not need it). Unlike the Gaussian process it fits every measured step
    (the ensemble of step ``n`` only on the rows where log beta_n is measured) and takes seconds
    to a minute instead of minutes, and unlike the
    :class:`~skmetalpka.baselines.FingerprintForestRegressor` it sees the donor groups and the
    chelate topology rather than hashed substructures: on the corpus's new-ligand folds it is
    the most accurate single classical model for log K1 (docs/benchmarks.md, "Descriptor
    trees").

    Trees do not extrapolate: a prediction is an average of training values, so a ligand
    more strongly binding than any training ligand of its kind is predicted too weak, and a
    metal outside the training metals gets the values of the nearest metal descriptors.

    Parameters
    ----------
    n_estimators : int, default=300
    max_features : {"sqrt", "log2"}, int, float or None, default=1.0
        Features drawn at each split; 1.0 (all, the extra-trees default for regression)
        measured best on the corpus (log K1 RMSE 2.04 against 2.05 with 0.7, new ligands).
    min_samples_leaf : int, default=1
        Larger leaves make smaller model files (a fitted ensemble on the 5,800 corpus rows
        with leaves of 1 holds about 2 million nodes).
    n_jobs : int or None, default=None
    random_state : int, RandomState or None, default=None
        An int gives reproducible trees (each step gets its own derived seed).
    on_error : {"raise", "flag"}, default="raise"

    Attributes
    ----------
    n_steps_ : int
    forests_ : list of ExtraTreesRegressor or None
        One per step (``None`` when the step had no measured training value).
    feature_names_ : list of str
        ``metal_*``, ``lig_*``, ``donor_score_sum``, ``donor_atoms``, ``temperature``,
        ``ionic_strength``.
    n_invalid_fit_ : int

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> from skmetalpka.baselines import DescriptorTreesRegressor
    >>> X = pd.DataFrame({"metal": ["Cu2+", "Ni2+", "Cu2+", "Zn2+"],
    ...                   "smiles": ["NCC(=O)O", "NCC(=O)O", "NCCN", "NCCN"]})
    >>> y = np.array([[8.2, 15.0], [5.8, 10.6], [10.5, 19.6], [5.7, 10.6]])
    >>> model = DescriptorTreesRegressor(n_estimators=20, random_state=0).fit(X, y)
    >>> model.predict(X).shape
    (4, 2)
    """

    def __init__(
        self,
        n_estimators: int = 300,
        max_features: Any = 1.0,
        min_samples_leaf: int = 1,
        n_jobs: int | None = None,
        random_state: Any = None,
        on_error: str = "raise",
    ) -> None:
        self.n_estimators = n_estimators
        self.max_features = max_features
        self.min_samples_leaf = min_samples_leaf
        self.n_jobs = n_jobs
        self.random_state = random_state
        self.on_error = on_error

    def fit(self, X: pd.DataFrame, y: Any) -> DescriptorTreesRegressor:
        """Fit one tree ensemble per step on the rows where that step is measured.

        Parameters
        ----------
        X : pandas.DataFrame
        y : array-like of shape (n_samples, N) or (n_samples,)
            Cumulative log beta, NaN where not measured.

        Returns
        -------
        self
        """
        rows, Y, valid = self._start_fit(X, y)
        F = self._descriptor_features(rows)[valid]
        self.feature_names_ = list(
            _descriptor_feature_names(self._metal_names(), self._ligand_names())
        )
        self.forests_: list[ExtraTreesRegressor | None] = _fit_per_step(
            F, Y[valid], self._fit_trees, self.random_state, type(self).__name__
        )
        return self

    def _fit_trees(self, F: np.ndarray, y: np.ndarray, seed: Any) -> ExtraTreesRegressor:
        return ExtraTreesRegressor(
            n_estimators=self.n_estimators,
            max_features=self.max_features,
            min_samples_leaf=self.min_samples_leaf,
            n_jobs=self.n_jobs,
            random_state=seed,
        ).fit(F, y)

    def predict(self, X: pd.DataFrame) -> np.ndarray:
        """Predict cumulative log beta.

        Parameters
        ----------
        X : pandas.DataFrame

        Returns
        -------
        ndarray of shape (n_samples, ``n_steps_``)
            NaN for steps without training values and for flagged rows.
        """
        rows = self._start_predict(X)  # checks that the model is fitted first
        return _predict_per_step(self.forests_, rows, self._descriptor_features)

    def _scored_steps(self) -> list[int]:
        return [k for k, f in enumerate(self.forests_) if f is not None]
