"""Baseline models with the same X / y interface as the graph network.

* :class:`GPRBeta1Regressor` -- Gaussian-process regression on metal and ligand descriptors,
  the classic descriptor + GPR approach of the stability-constant literature (e.g. Kanahashi
  et al., Sci. Rep. 2022); predicts log beta_1, optionally every step.
* :class:`FingerprintForestRegressor` -- random forests on Morgan count fingerprints plus
  metal descriptors, one forest per step.
* :class:`MetalMeanRegressor` -- the floor: per-metal mean of each step.

Data contract
-------------
``X`` is a pandas DataFrame with columns ``metal`` (ion string, :func:`skmetalpka.metals.parse_ion`)
and ``smiles`` (ligand SMILES, :func:`skmetalpka.chem.standardize_ligand`), optionally
``temperature`` (deg C) and ``ionic_strength`` (M); other columns (e.g. ``binding_sites``) are
ignored. A missing condition column, or a missing (None/NaN) value in it, means the standard
conditions 25 deg C / 0.1 M. ``y`` is float ``(n_samples, N)`` of **cumulative** log beta_1 ..
log beta_N with NaN where a step was not measured; ``predict`` returns ``(n_samples, N_fit)``
float64 cumulative log beta, ``N_fit`` being the number of columns of ``y`` seen in ``fit``
(``n_steps_``).

Invalid rows
------------
A row is invalid when its metal is refused (:class:`~skmetalpka.metals.UnknownMetalError`), its
SMILES is refused (:class:`~skmetalpka.chem.InvalidLigandError`) or a condition is not a
number (or a negative ionic strength). :func:`row_errors` gives the reason of every row (``''``
when valid); all three models and the CLI use it. With ``on_error="raise"`` (default) ``fit``
and ``predict`` raise a :class:`ValueError` naming the rows and reasons. With
``on_error="flag"``, ``predict`` returns NaN for those rows (call :func:`row_errors` for the
reasons) and ``fit`` leaves them out of training, counts them in ``n_invalid_fit_`` and warns.

Features
--------
The descriptor featuriser (:data:`DESCRIPTOR_FEATURE_NAMES`, used by the GPR) concatenates the
metal descriptors (:data:`skmetalpka.metals.METAL_DESCRIPTOR_NAMES`, prefix ``metal_``), the
project's one ligand descriptor list
(:data:`skmetalpka.featurize.descriptors.LIGAND_DESCRIPTOR_NAMES`: RDKit descriptors and the
donor group counts of :mod:`skmetalpka.featurize.donors`, prefix ``lig_``), the sum of the
per-atom donor scores and the number of donor atoms, and the two conditions. The fingerprint
featuriser (forest) uses the Morgan count fingerprint (counts clipped at 255) instead of the
ligand descriptors.
"""

from __future__ import annotations

import math
import warnings
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

import numpy as np
import pandas as pd
from rdkit.Chem import rdFingerprintGenerator
from sklearn.base import BaseEstimator, RegressorMixin
from sklearn.ensemble import RandomForestRegressor
from sklearn.exceptions import UndefinedMetricWarning
from sklearn.gaussian_process import GaussianProcessRegressor
from sklearn.gaussian_process.kernels import ConstantKernel, Matern, WhiteKernel
from sklearn.preprocessing import StandardScaler
from sklearn.utils.validation import check_is_fitted

from .chem import InvalidLigandError, Ligand, standardize_ligand
from .conditions import (
    DEFAULT_IONIC_STRENGTH,
    DEFAULT_TEMPERATURE,
    check_input_frame,
    condition_value,
)
from .featurize.descriptors import LIGAND_DESCRIPTOR_NAMES, ligand_descriptors
from .featurize.donors import donor_scores
from .metals import METAL_DESCRIPTOR_NAMES, UnknownMetalError, canonical_ion, metal_descriptors
from .metrics import masked_r2

__all__ = [
    "GPRBeta1Regressor",
    "FingerprintForestRegressor",
    "MetalMeanRegressor",
    "row_errors",
    "DESCRIPTOR_FEATURE_NAMES",
    "DEFAULT_TEMPERATURE",
    "DEFAULT_IONIC_STRENGTH",
]

#: Standard conditions used when ``temperature`` / ``ionic_strength`` is absent or missing.

_ON_ERROR = ("raise", "flag")
_MAX_LISTED = 5  # rows named in an error message


# --------------------------------------------------------------------------------------
# features
# --------------------------------------------------------------------------------------
_CONDITION_NAMES = ("temperature", "ionic_strength")

#: Feature names of the descriptor featuriser (GPR), in order.
DESCRIPTOR_FEATURE_NAMES: tuple[str, ...] = (
    *(f"metal_{n}" for n in METAL_DESCRIPTOR_NAMES),
    *(f"lig_{n}" for n in LIGAND_DESCRIPTOR_NAMES),
    "donor_score_sum",
    "donor_atoms",
    *_CONDITION_NAMES,
)


@lru_cache(maxsize=65536)
def _ligand_block(smiles: str) -> tuple[float, ...]:
    """Ligand descriptors + donor-score summary of a canonical ligand SMILES."""
    mol = standardize_ligand(smiles).mol
    scores = donor_scores(mol)
    return (
        *(float(v) for v in ligand_descriptors(mol)),
        float(scores.sum()),
        float(np.count_nonzero(scores)),
    )


@lru_cache(maxsize=16384)
def _fingerprint(smiles: str, radius: int, n_bits: int) -> np.ndarray:
    """Morgan count fingerprint (counts clipped at 255) of a canonical ligand SMILES."""
    gen = _morgan_generator(radius, n_bits)
    fp = gen.GetCountFingerprintAsNumPy(standardize_ligand(smiles).mol)
    out = np.minimum(fp, 255).astype(np.uint8)
    out.flags.writeable = False
    return out


@lru_cache(maxsize=16)
def _morgan_generator(radius: int, n_bits: int) -> Any:
    return rdFingerprintGenerator.GetMorganGenerator(radius=radius, fpSize=n_bits)


# --------------------------------------------------------------------------------------
# row parsing (shared by the featurisers and row_errors)
# --------------------------------------------------------------------------------------
@dataclass
class _Rows:
    index: list[Any]
    metals: list[Any]
    smiles: list[Any]
    metal_x: list[np.ndarray | None]
    ligands: list[Ligand | None]
    conditions: np.ndarray  # (n, 2)
    errors: list[str]

    @property
    def valid(self) -> np.ndarray:
        return np.array([e == "" for e in self.errors], dtype=bool)






def _parse_rows(X: Any) -> _Rows:
    X = check_input_frame(X)
    n = len(X)
    metals = X["metal"].tolist()
    smiles = X["smiles"].tolist()
    cond_cols = [
        X[c].tolist() if c in X.columns else [None] * n for c in _CONDITION_NAMES
    ]
    defaults = (DEFAULT_TEMPERATURE, DEFAULT_IONIC_STRENGTH)
    metal_x: list[np.ndarray | None] = []
    ligands: list[Ligand | None] = []
    conditions = np.empty((n, 2), dtype=np.float64)
    errors: list[str] = []
    for i in range(n):
        reasons = []
        try:
            metal_x.append(metal_descriptors(metals[i]))
        except UnknownMetalError as exc:
            metal_x.append(None)
            reasons.append(f"metal: {exc}")
        try:
            ligands.append(standardize_ligand(smiles[i]))
        except InvalidLigandError as exc:
            ligands.append(None)
            reasons.append(f"smiles: {exc}")
        for j, name in enumerate(_CONDITION_NAMES):
            conditions[i, j], err = condition_value(cond_cols[j][i], defaults[j], name)
            if err:
                reasons.append(err)
        errors.append("; ".join(reasons))
    return _Rows(list(X.index), metals, smiles, metal_x, ligands, conditions, errors)


def row_errors(X: pd.DataFrame) -> pd.Series:
    """Why each row of ``X`` cannot be used (``''`` for a valid row).

    Parameters
    ----------
    X : pandas.DataFrame
        Columns ``metal``, ``smiles`` and optionally ``temperature``, ``ionic_strength``.

    Returns
    -------
    pandas.Series of str
        Indexed like ``X``; each non-empty entry names the bad field(s) (``metal:``,
        ``smiles:``, ``temperature:``, ``ionic_strength:``) and the reason.
    """
    rows = _parse_rows(X)
    return pd.Series(rows.errors, index=X.index, dtype=object, name="error")


def _features(rows: _Rows, kind: str, radius: int = 2, n_bits: int = 2048) -> np.ndarray:
    """Feature matrix of the valid rows (NaN rows for invalid ones)."""
    n = len(rows.errors)
    n_metal = len(METAL_DESCRIPTOR_NAMES)
    if kind == "descriptors":
        width = len(DESCRIPTOR_FEATURE_NAMES)
    else:
        width = n_metal + n_bits + len(_CONDITION_NAMES)
    out = np.full((n, width), np.nan, dtype=np.float64 if kind == "descriptors" else np.float32)
    for i in range(n):
        if rows.errors[i]:
            continue
        lig = rows.ligands[i]
        assert lig is not None and rows.metal_x[i] is not None
        if kind == "descriptors":
            lig_part: Any = _ligand_block(lig.smiles)
        else:
            lig_part = _fingerprint(lig.smiles, radius, n_bits)
        out[i, :n_metal] = rows.metal_x[i]
        out[i, n_metal : width - 2] = lig_part
        out[i, width - 2 :] = rows.conditions[i]
    return out


def _fingerprint_feature_names(n_bits: int) -> list[str]:
    return [
        *(f"metal_{n}" for n in METAL_DESCRIPTOR_NAMES),
        *(f"morgan_{i}" for i in range(n_bits)),
        *_CONDITION_NAMES,
    ]


def _describe_bad_rows(rows: _Rows, bad: np.ndarray) -> str:
    where = np.flatnonzero(bad)
    lines = [
        f"row {rows.index[i]!r} (metal={rows.metals[i]!r}, smiles={rows.smiles[i]!r}): "
        f"{rows.errors[i]}"
        for i in where[:_MAX_LISTED]
    ]
    more = f" (and {where.size - _MAX_LISTED} more)" if where.size > _MAX_LISTED else ""
    return f"{where.size} invalid row(s){more}:\n  " + "\n  ".join(lines)


def _check_y(y: Any, n: int) -> np.ndarray:
    if y is None:
        raise ValueError(
            "y is required: pass the cumulative log beta targets, shape (n_samples, N), with "
            "NaN for unmeasured steps"
        )
    try:
        arr = np.asarray(y, dtype=np.float64)
    except (TypeError, ValueError) as exc:
        raise ValueError(
            "y must be a numeric array (n_samples, N) of cumulative log beta with NaN for "
            f"unmeasured steps (pad shorter rows with NaN); could not convert it: {exc}"
        ) from exc
    if arr.ndim == 1:
        arr = arr[:, None]
    if arr.ndim != 2:
        raise ValueError(f"y must be 1-D or 2-D (n_samples, N); got shape {arr.shape}")
    if arr.shape[0] != n:
        raise ValueError(f"X has {n} rows but y has {arr.shape[0]}; they must match")
    if arr.shape[1] == 0:
        raise ValueError("y has no column; it needs at least log beta_1")
    if np.isinf(arr).any():
        raise ValueError("y contains +/-inf; use NaN for unmeasured steps")
    return arr


class _BaselineMixin(RegressorMixin, BaseEstimator):
    """Shared validation, invalid-row handling, tags and masked scoring."""

    def _check_on_error(self) -> None:
        if self.on_error not in _ON_ERROR:
            raise ValueError(f"on_error must be 'raise' or 'flag', got {self.on_error!r}")

    def _start_fit(self, X: Any, y: Any) -> tuple[_Rows, np.ndarray, np.ndarray]:
        """Parse rows, validate y; return (rows, y (n, N), mask of rows used for training)."""
        self._check_on_error()
        rows = _parse_rows(X)
        Y = _check_y(y, len(rows.errors))
        valid = rows.valid
        bad = ~valid
        if bad.any():
            if self.on_error == "raise":
                raise ValueError(
                    "cannot fit on invalid rows; fix them, or use on_error='flag' to leave "
                    f"them out of training. {_describe_bad_rows(rows, bad)}"
                )
            warnings.warn(
                f"{int(bad.sum())} invalid row(s) left out of training (see "
                f"skmetalpka.baselines.row_errors): {_describe_bad_rows(rows, bad)}",
                UserWarning,
                stacklevel=3,
            )
        if not valid.any():
            raise ValueError("no valid row to fit on")
        if not np.isfinite(Y[valid]).any():
            raise ValueError("y has no measured (finite) value in the valid rows")
        self.n_invalid_fit_ = int(bad.sum())
        self.n_steps_ = int(Y.shape[1])
        self.n_features_in_ = int(X.shape[1])
        self.feature_names_in_ = np.asarray(X.columns, dtype=object)
        return rows, Y, valid

    def _start_predict(self, X: Any) -> _Rows:
        check_is_fitted(self, "n_steps_")
        self._check_on_error()
        rows = _parse_rows(X)
        bad = ~rows.valid
        if bad.any() and self.on_error == "raise":
            raise ValueError(
                "cannot predict invalid rows; fix them, or use on_error='flag' to get NaN for "
                f"them. {_describe_bad_rows(rows, bad)}"
            )
        return rows

    def _scored_steps(self) -> list[int]:
        return list(range(self.n_steps_))

    def score(self, X: pd.DataFrame, y: Any, sample_weight: Any = None) -> float:
        """Masked R^2: mean over the predicted steps of the R^2 of the measured entries.

        Each step ``k`` that the model predicts and that has measured entries with nonzero
        variance in ``y`` gets ``skmetalpka.metrics.masked_r2(y, y_pred, step=k)``; the score
        is their unweighted mean (the multi-output "uniform average" of scikit-learn). Steps
        beyond ``n_steps_`` cannot be predicted and are not scored. A NaN prediction for a
        measured entry (a flagged row) raises ``ValueError``.

        Parameters
        ----------
        X : pandas.DataFrame
        y : array-like of shape (n_samples, N)
        sample_weight : None
            Not supported (must be None).

        Returns
        -------
        float
        """
        if sample_weight is not None:
            raise ValueError("sample_weight is not supported by the masked score")
        pred = self.predict(X)
        Y = _check_y(y, len(pred))
        values = []
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", UndefinedMetricWarning)
            for k in self._scored_steps():
                if k >= Y.shape[1]:
                    break
                v = masked_r2(Y[:, : k + 1], pred[:, : k + 1], step=k + 1)
                if not np.isnan(v):
                    values.append(v)
        return float(np.mean(values)) if values else float("nan")

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.two_d_array = False  # X is a DataFrame of strings, not a numeric array
        tags.input_tags.string = True
        tags.input_tags.allow_nan = True  # missing conditions mean standard conditions
        tags.target_tags.required = True
        tags.target_tags.multi_output = True
        tags.target_tags.single_output = True
        return tags


def _step_seeds(random_state: Any, n: int) -> list[Any]:
    """Independent integer seeds per step (None stays None)."""
    if random_state is None:
        return [None] * n
    rng = (
        random_state
        if isinstance(random_state, np.random.RandomState)
        else np.random.RandomState(random_state)
    )
    return [int(s) for s in rng.randint(0, 2**31 - 1, size=n)]


def _warn_unfitted(steps: list[int], name: str) -> None:
    if steps:
        warnings.warn(
            f"{name}: no measured value for step(s) {[s + 1 for s in steps]} in the training "
            "rows; their predictions are NaN",
            UserWarning,
            stacklevel=3,
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

    def __init__(
        self,
        kernel: Any = None,
        alpha: float = 1e-6,
        n_restarts_optimizer: int = 0,
        all_steps: bool = False,
        random_state: Any = None,
        on_error: str = "raise",
    ) -> None:
        self.kernel = kernel
        self.alpha = alpha
        self.n_restarts_optimizer = n_restarts_optimizer
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
        rows, Y, valid = self._start_fit(X, y)
        F = _features(rows, "descriptors")[valid]
        Y = Y[valid]
        std = F.std(axis=0)
        self.feature_mask_ = std > 1e-12
        if not self.feature_mask_.any():
            self.feature_mask_ = np.ones_like(self.feature_mask_)
        self.feature_names_ = [
            n for n, keep in zip(DESCRIPTOR_FEATURE_NAMES, self.feature_mask_, strict=True) if keep
        ]
        self.scaler_ = StandardScaler().fit(F[:, self.feature_mask_])
        Z = self.scaler_.transform(F[:, self.feature_mask_])
        steps = range(self.n_steps_) if self.all_steps else range(1)
        seeds = _step_seeds(self.random_state, self.n_steps_)
        self.gps_: list[GaussianProcessRegressor | None] = [None] * self.n_steps_
        unfitted = []
        for k in steps:
            rows_k = np.isfinite(Y[:, k])
            if not rows_k.any():
                unfitted.append(k)
                continue
            self.gps_[k] = self._fit_one(Z[rows_k], Y[rows_k, k], seeds[k])
        _warn_unfitted(unfitted, type(self).__name__)
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
        kernel = _optimise_default_kernel(
            self._default_kernel(Z.shape[1]),
            Z,
            y,
            float(self.alpha),
            self.n_restarts_optimizer,
            np.random.RandomState(seed),
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
        y_pred : ndarray of shape (n_samples, n_steps_)
            NaN for unmodelled steps and flagged rows.
        y_std : ndarray of shape (n_samples, n_steps_), only if ``return_std``
        """
        rows = self._start_predict(X)
        n = len(rows.errors)
        mean = np.full((n, self.n_steps_), np.nan)
        std = np.full((n, self.n_steps_), np.nan)
        valid = rows.valid
        if valid.any():
            F = _features(rows, "descriptors")[valid]
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
            if isinstance(v, bool) or not isinstance(v, int | np.integer) or v < (
                0 if name == "radius" else 1
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
        F = _features(rows, "fingerprint", int(self.radius), int(self.n_bits))[valid]
        Y = Y[valid]
        self.feature_names_ = _fingerprint_feature_names(int(self.n_bits))
        seeds = _step_seeds(self.random_state, self.n_steps_)
        self.forests_: list[RandomForestRegressor | None] = []
        unfitted = []
        for k in range(self.n_steps_):
            rows_k = np.isfinite(Y[:, k])
            if not rows_k.any():
                self.forests_.append(None)
                unfitted.append(k)
                continue
            forest = RandomForestRegressor(
                n_estimators=self.n_estimators,
                min_samples_leaf=self.min_samples_leaf,
                max_features=self.max_features,
                n_jobs=self.n_jobs,
                random_state=seeds[k],
            )
            self.forests_.append(forest.fit(F[rows_k], Y[rows_k, k]))
        _warn_unfitted(unfitted, type(self).__name__)
        return self

    def predict(self, X: pd.DataFrame) -> np.ndarray:
        """Predict cumulative log beta, shape (n_samples, n_steps_); NaN for flagged rows."""
        rows = self._start_predict(X)
        n = len(rows.errors)
        out = np.full((n, self.n_steps_), np.nan)
        valid = rows.valid
        if valid.any():
            F = _features(rows, "fingerprint", int(self.radius), int(self.n_bits))[valid]
            for k, forest in enumerate(self.forests_):
                if forest is not None:
                    out[valid, k] = forest.predict(F)
        return out

    def _scored_steps(self) -> list[int]:
        return [k for k, f in enumerate(self.forests_) if f is not None]


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
            self.metal_means_ = {
                m: np.nanmean(Y[keys == m], axis=0) for m in sorted(set(metals))
            }
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
