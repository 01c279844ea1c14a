"""The floor: the per-metal mean of each step."""

from __future__ import annotations

import warnings
from typing import Any

import numpy as np
import pandas as pd

from ..ions import canonical_ion
from ._base import (
    _BaselineMixin,
    _warn_unfitted,
)


# --------------------------------------------------------------------------------------
# per-metal mean
# --------------------------------------------------------------------------------------
class MetalMeanRegressor(_BaselineMixin):
    """Per-metal mean of each step: the floor every model must beat.

    The ligand is ignored, but rows are validated exactly as for the other baselines (an
    invalid SMILES is an invalid row), so that all models are scored on the same rows.
    Metals are compared in canonical spelling (``Cu(II)`` and ``Cu2+`` are the same metal).
    A metal without a training value for a step (or unseen) gets the global mean of the step.

    Parameters
    ----------
    on_error : {"raise", "flag"}, default="raise"

    Attributes
    ----------
    n_steps_ : int
    metal_means_ : dict of str -> ndarray of shape (n_steps_,)
        Mean of each step per canonical metal (NaN where the metal has no value).
    global_mean_ : ndarray of shape (n_steps_,)
    n_invalid_fit_ : int
    """

    def __init__(self, on_error: str = "raise") -> None:
        self.on_error = on_error

    def fit(self, X: pd.DataFrame, y: Any) -> MetalMeanRegressor:
        """Compute the means.

        Returns
        -------
        self
        """
        rows, Y, valid = self._start_fit(X, y)
        metals = [canonical_ion(m) for m, ok in zip(rows.metals, valid, strict=True) if ok]
        Y = Y[valid]
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)  # all-NaN columns -> NaN
            self.global_mean_ = np.nanmean(Y, axis=0)
            keys = np.array(metals, dtype=object)
            self.metal_means_ = {m: np.nanmean(Y[keys == m], axis=0) for m in sorted(set(metals))}
        _warn_unfitted(
            [k for k in range(self.n_steps_) if np.isnan(self.global_mean_[k])],
            type(self).__name__,
        )
        return self

    def predict(self, X: pd.DataFrame) -> np.ndarray:
        """Predict the per-metal means, shape (n_samples, n_steps_); NaN for flagged rows."""
        rows = self._start_predict(X)
        out = np.full((len(rows.errors), self.n_steps_), np.nan)
        for i, ok in enumerate(rows.valid):
            if not ok:
                continue
            means = self.metal_means_.get(canonical_ion(rows.metals[i]))
            row = self.global_mean_.copy()
            if means is not None:
                row = np.where(np.isnan(means), row, means)
            out[i] = row
        return out

    def _scored_steps(self) -> list[int]:
        return [k for k in range(self.n_steps_) if not np.isnan(self.global_mean_[k])]
