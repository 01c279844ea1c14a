"""Random forests on Morgan count fingerprints plus metal descriptors, one per step."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
from sklearn.ensemble import RandomForestRegressor

from ._base import (
    _BaselineMixin,
    _features,
    _fingerprint_feature_names,
    _fit_per_step,
    _predict_per_step,
)


# --------------------------------------------------------------------------------------
# random forest
# --------------------------------------------------------------------------------------
class FingerprintForestRegressor(_BaselineMixin):
    """Random forests on Morgan count fingerprints + metal descriptors, one per step.

    The forest of step ``n`` is trained only on the rows where log beta_n is measured, so a
    missing step never leaks another step's target.

    Parameters
    ----------
    n_estimators : int, default=300
    radius : int, default=2
        Morgan radius.
    n_bits : int, default=2048
        Fingerprint length.
    min_samples_leaf : int, default=1
    max_features : {"sqrt", "log2"}, int, float or None, default="sqrt"
    n_jobs : int or None, default=None
    random_state : int, RandomState or None, default=None
        An int gives reproducible forests (each step gets its own derived seed).
    on_error : {"raise", "flag"}, default="raise"

    Attributes
    ----------
    n_steps_ : int
    forests_ : list of RandomForestRegressor or None
        One per step (``None`` when the step had no measured training value).
    feature_names_ : list of str
        ``metal_*``, ``morgan_0..n_bits-1``, ``temperature``, ``ionic_strength``.
    n_invalid_fit_ : int
    """

    def __init__(
        self,
        n_estimators: int = 300,
        radius: int = 2,
        n_bits: int = 2048,
        min_samples_leaf: int = 1,
        max_features: Any = "sqrt",
        n_jobs: int | None = None,
        random_state: Any = None,
        on_error: str = "raise",
    ) -> None:
        self.n_estimators = n_estimators
        self.radius = radius
        self.n_bits = n_bits
        self.min_samples_leaf = min_samples_leaf
        self.max_features = max_features
        self.n_jobs = n_jobs
        self.random_state = random_state
        self.on_error = on_error

    def _check_params(self) -> None:
        for name in ("radius", "n_bits"):
            v = getattr(self, name)
            if (
                isinstance(v, bool)
                or not isinstance(v, int | np.integer)
                or v < (0 if name == "radius" else 1)
            ):
                raise ValueError(f"{name} must be a non-negative integer, got {v!r}")

    def fit(self, X: pd.DataFrame, y: Any) -> FingerprintForestRegressor:
        """Fit one forest per step on the rows where that step is measured.

        Returns
        -------
        self
        """
        self._check_params()
        rows, Y, valid = self._start_fit(X, y)
        F = self._fingerprint_features(rows)[valid]
        self.feature_names_ = _fingerprint_feature_names(int(self.n_bits), self._metal_names())
        self.forests_: list[RandomForestRegressor | None] = _fit_per_step(
            F, Y[valid], self._fit_forest, self.random_state, type(self).__name__
        )
        return self

    def _fit_forest(self, F: np.ndarray, y: np.ndarray, seed: Any) -> RandomForestRegressor:
        return RandomForestRegressor(
            n_estimators=self.n_estimators,
            min_samples_leaf=self.min_samples_leaf,
            max_features=self.max_features,
            n_jobs=self.n_jobs,
            random_state=seed,
        ).fit(F, y)

    def _fingerprint_features(self, rows: Any) -> np.ndarray:
        return _features(
            rows, "fingerprint", int(self.radius), int(self.n_bits), self._metal_names()
        )

    def predict(self, X: pd.DataFrame) -> np.ndarray:
        """Predict cumulative log beta, shape ``(n_samples, n_steps_)``; NaN for flagged rows."""
        rows = self._start_predict(X)  # checks that the model is fitted first
        return _predict_per_step(self.forests_, rows, self._fingerprint_features)

    def _scored_steps(self) -> list[int]:
        return [k for k, f in enumerate(self.forests_) if f is not None]
