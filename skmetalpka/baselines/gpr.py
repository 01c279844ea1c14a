"""Gaussian-process regression of log beta_1 on metal and ligand descriptors."""

from __future__ import annotations

import math
import numbers
from typing import Any

import numpy as np
import pandas as pd
from sklearn.gaussian_process import GaussianProcessRegressor
from sklearn.gaussian_process.kernels import ConstantKernel, Matern, WhiteKernel
from sklearn.preprocessing import StandardScaler

from ._base import (
    _BaselineMixin,
    _descriptor_feature_names,
    _fit_per_step,
)

# --------------------------------------------------------------------------------------
# GPR
# --------------------------------------------------------------------------------------
_SQRT5 = math.sqrt(5.0)


def _matern52_ard_lml(
    theta: np.ndarray, Z: np.ndarray, y: np.ndarray, alpha: float
) -> tuple[float, np.ndarray]:
    """Log marginal likelihood and gradient of ``C * Matern52_ARD + White`` (+ alpha).

    ``theta = [log C, log l_1 .. log l_d, log noise]`` is the ``theta`` of the default kernel
    (the order scikit-learn uses), ``y`` is already normalised. The length-scale gradient
    ``0.5 tr(W dK/dlog l_d)`` with ``W = a a^T - K^-1`` and
    ``dK/dlog l_d = C (5/3)(1 + sqrt5 r) exp(-sqrt5 r) (z_id - z_jd)^2 / l_d^2`` is computed as
    ``2 (sum_i z_id^2 (M 1)_i - z_d^T M z_d) / l_d^2`` with ``M = W * A``: two matrix
    products instead of the (n, n, d) gradient tensor of scikit-learn, which makes the
    optimisation about ten times faster and uses O(n^2) memory.
    """
    from scipy.linalg import cho_solve, cholesky

    n, d = Z.shape
    c = math.exp(theta[0])
    ls = np.exp(theta[1 : 1 + d])
    noise = math.exp(theta[1 + d])
    U = Z / ls
    sq = np.sum(U**2, axis=1)
    r2 = np.maximum(sq[:, None] + sq[None, :] - 2.0 * (U @ U.T), 0.0)
    np.fill_diagonal(r2, 0.0)
    r = np.sqrt(r2)
    e = np.exp(-_SQRT5 * r)
    K_m = (1.0 + _SQRT5 * r + (5.0 / 3.0) * r2) * e
    K = c * K_m
    K[np.diag_indices_from(K)] += noise + alpha
    try:
        L = cholesky(K, lower=True, check_finite=False)
    except np.linalg.LinAlgError:
        return -np.inf, np.zeros_like(theta)
    a = cho_solve((L, True), y, check_finite=False)
    lml = -0.5 * float(y @ a) - float(np.log(np.diag(L)).sum()) - 0.5 * n * math.log(2 * math.pi)
    W = np.outer(a, a) - cho_solve((L, True), np.eye(n), check_finite=False)
    grad = np.empty_like(theta)
    grad[0] = 0.5 * float(np.sum(W * K_m)) * c
    M = W * (c * (5.0 / 3.0) * (1.0 + _SQRT5 * r) * e)
    s = M.sum(axis=1)
    MZ = M @ Z
    grad[1 : 1 + d] = (np.sum(Z**2 * s[:, None], axis=0) - np.sum(Z * MZ, axis=0)) / ls**2
    grad[1 + d] = 0.5 * noise * float(np.trace(W))
    return lml, grad


def _optimise_default_kernel(
    kernel: Any, Z: np.ndarray, y: np.ndarray, alpha: float, n_restarts: int, rng: Any
) -> Any:
    """Maximise the marginal likelihood of the default kernel with the fast gradient."""
    from scipy.optimize import minimize

    std = y.std()
    yn = (y - y.mean()) / (std if std > 0 else 1.0)  # as normalize_y=True

    def objective(theta: np.ndarray) -> tuple[float, np.ndarray]:
        lml, grad = _matern52_ard_lml(theta, Z, yn, alpha)
        if not np.isfinite(lml):
            return 1e25, np.zeros_like(theta)
        return -lml, -grad

    bounds = kernel.bounds
    starts = [kernel.theta]
    for _ in range(int(n_restarts)):
        starts.append(rng.uniform(bounds[:, 0], bounds[:, 1]))
    best = None
    for start in starts:
        res = minimize(objective, start, jac=True, method="L-BFGS-B", bounds=bounds)
        if best is None or res.fun < best.fun:
            best = res
    assert best is not None
    return kernel.clone_with_theta(best.x)


class GPRBeta1Regressor(_BaselineMixin):
    """Gaussian-process regression of log beta_1 on metal + ligand descriptors.

    Features are the descriptor featuriser of this module (see the module docstring); columns
    that are constant in the training rows are dropped and the rest standardised. The default
    kernel is ``C * Matern(nu=2.5, one length scale per feature) + WhiteKernel`` with
    ``normalize_y=True``; its hyperparameters are fitted by maximising the marginal likelihood
    (L-BFGS-B, like scikit-learn) with an analytic O(n^2)-memory gradient, then a
    :class:`~sklearn.gaussian_process.GaussianProcessRegressor` with that fixed kernel makes
    the predictions. A user ``kernel`` goes through scikit-learn's own optimiser.

    Parameters
    ----------
    kernel : sklearn kernel or None, default=None
        ``None`` builds the default ARD Matern kernel for the number of used features.
    alpha : float, default=1e-6
        Value added to the kernel diagonal (jitter).
    n_restarts_optimizer : int, default=0
        Restarts of the marginal-likelihood optimiser.
    max_optimizer_samples : int or None, default=1000
        The default kernel's hyperparameters are fitted on at most this many training rows
        (a seeded random subset; ``None``: all rows); the GP that predicts is then fitted on
        every row with those hyperparameters. Each likelihood evaluation costs O(n^3): on the
        multi-source corpus (about 4,600 training rows, ~100 ARD length scales) one evaluation
        takes about 20 s on one core and the optimiser needs hundreds, against 0.7 s with
        1,000 rows. Ignored for a user ``kernel`` (scikit-learn's optimiser uses every row).
    all_steps : bool, default=False
        ``False``: one GP for log beta_1 (rows with NaN beta_1 are skipped); predicted
        columns 2..N are NaN. ``True``: one GP per step, each trained on the rows where that
        step is measured.
    random_state : int, RandomState or None, default=None
        Seeds the optimiser restarts.
    on_error : {"raise", "flag"}, default="raise"
        Invalid rows: see the module docstring.

    Attributes
    ----------
    n_steps_ : int
        Number of columns of ``y`` seen in fit.
    gps_ : list of GaussianProcessRegressor or None
        One per step (``None`` for steps that are not modelled).
    scaler_ : StandardScaler
    feature_mask_ : ndarray of bool
        Columns of :data:`DESCRIPTOR_FEATURE_NAMES` that are used.
    feature_names_ : list of str
        Names of the used (non-constant) features, in the order of the length scales.
    n_invalid_fit_ : int
        Invalid rows left out of training (``on_error="flag"``).
    """

    # Models saved by skmetalpka 0.1 lack this parameter; they optimised on every row.
    max_optimizer_samples = None

    def __init__(
        self,
        kernel: Any = None,
        alpha: float = 1e-6,
        n_restarts_optimizer: int = 0,
        max_optimizer_samples: int | None = 1000,
        all_steps: bool = False,
        random_state: Any = None,
        on_error: str = "raise",
    ) -> None:
        self.kernel = kernel
        self.alpha = alpha
        self.n_restarts_optimizer = n_restarts_optimizer
        self.max_optimizer_samples = max_optimizer_samples
        self.all_steps = all_steps
        self.random_state = random_state
        self.on_error = on_error

    def _default_kernel(self, n_features: int) -> Any:
        return ConstantKernel(1.0, (1e-3, 1e3)) * Matern(
            length_scale=np.ones(n_features), length_scale_bounds=(1e-2, 1e3), nu=2.5
        ) + WhiteKernel(noise_level=0.1, noise_level_bounds=(1e-6, 1e1))

    def fit(self, X: pd.DataFrame, y: Any) -> GPRBeta1Regressor:
        """Fit the GP(s).

        Parameters
        ----------
        X : pandas.DataFrame
        y : array-like of shape (n_samples, N) or (n_samples,)
            Cumulative log beta, NaN where not measured.

        Returns
        -------
        self
        """
        limit = self.max_optimizer_samples
        if limit is not None and (
            isinstance(limit, bool) or not isinstance(limit, numbers.Integral) or limit < 2
        ):
            raise ValueError(
                f"max_optimizer_samples must be an integer >= 2 or None, got {limit!r}"
            )
        rows, Y, valid = self._start_fit(X, y)
        F = self._descriptor_features(rows)[valid]
        Y = Y[valid]
        std = F.std(axis=0)
        self.feature_mask_ = std > 1e-12
        if not self.feature_mask_.any():
            self.feature_mask_ = np.ones_like(self.feature_mask_)
        self.feature_names_ = [
            n
            for n, keep in zip(
                _descriptor_feature_names(self._metal_names(), self._ligand_names()),
                self.feature_mask_,
                strict=True,
            )
            if keep
        ]
        self.scaler_ = StandardScaler().fit(F[:, self.feature_mask_])
        Z = self.scaler_.transform(F[:, self.feature_mask_])
        self.gps_: list[GaussianProcessRegressor | None] = _fit_per_step(
            Z,
            Y,
            self._fit_one,
            self.random_state,
            type(self).__name__,
            n_fit=None if self.all_steps else 1,
        )
        return self

    def _fit_one(self, Z: np.ndarray, y: np.ndarray, seed: Any) -> GaussianProcessRegressor:
        if self.kernel is not None:
            gp = GaussianProcessRegressor(
                kernel=self.kernel,
                alpha=self.alpha,
                normalize_y=True,
                n_restarts_optimizer=self.n_restarts_optimizer,
                random_state=seed,
            )
            return gp.fit(Z, y)
        rng = np.random.RandomState(seed)
        limit = self.max_optimizer_samples
        opt = np.arange(len(y))
        if limit is not None and len(y) > limit:
            opt = np.sort(rng.choice(len(y), int(limit), replace=False))
        kernel = _optimise_default_kernel(
            self._default_kernel(Z.shape[1]),
            Z[opt],
            y[opt],
            float(self.alpha),
            self.n_restarts_optimizer,
            rng,
        )
        gp = GaussianProcessRegressor(
            kernel=kernel, alpha=self.alpha, normalize_y=True, optimizer=None
        )
        return gp.fit(Z, y)

    def _scored_steps(self) -> list[int]:
        return [k for k, gp in enumerate(self.gps_) if gp is not None]

    def predict(self, X: pd.DataFrame, return_std: bool = False) -> Any:
        """Predict cumulative log beta.

        Parameters
        ----------
        X : pandas.DataFrame
        return_std : bool, default=False
            Also return the predictive standard deviation (same shape).

        Returns
        -------
        y_pred : ndarray of shape (n_samples, ``n_steps_``)
            NaN for unmodelled steps and flagged rows.
        y_std : ndarray of shape (n_samples, ``n_steps_``), only if ``return_std``
        """
        rows = self._start_predict(X)
        n = len(rows.errors)
        mean = np.full((n, self.n_steps_), np.nan)
        std = np.full((n, self.n_steps_), np.nan)
        valid = rows.valid
        if valid.any():
            F = self._descriptor_features(rows)[valid]
            Z = self.scaler_.transform(F[:, self.feature_mask_])
            for k, gp in enumerate(self.gps_):
                if gp is None:
                    continue
                if return_std:
                    m, s = gp.predict(Z, return_std=True)
                    std[valid, k] = s
                else:
                    m = gp.predict(Z)
                mean[valid, k] = m
        return (mean, std) if return_std else mean
