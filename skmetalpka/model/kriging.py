"""Residual kriging: carry a ligand's measured constants over to neighbouring metals.

A network that generalises across ligands does not look up what was measured: asked for the
Nd3+ constant of a ligand measured with Pr3+ and Sm3+, it predicts from its learned function of
the metal descriptors and misses the ligand's own level (leave-one-lanthanide-out RMSE of a
single GNN on the corpus: about 1.8 log units, of which most is per-ligand scatter, not bias).
:class:`ResidualKriging` wraps any skmetalpka regressor and adds a Gaussian-process posterior
mean of the wrapped model's residuals on the training data:

``prediction(L, M) = f(L, M) + mu_k + k_*^T (K + s_n^2 I)^-1 (r - mu_k)``

for every step ``k`` (column of ``y``), with ``r = y - f`` on the training rows and the kernel

``k((L, M), (L', M')) = s_f^2 * exp(g * (T(L, L') - 1)) * exp(-|d(M) - d(M')|^2 / (2 l^2))``

* ``T``: Tanimoto (min-max) similarity of Morgan count fingerprints of the standardised ligand
  identities (:func:`skmetalpka.identity.ligand_id`), so every spelling of a ligand is one
  ligand; ``g`` (``similarity_sharpness``) decides how fast the correction fades for analogues.
  The exponential of a positive-definite kernel is positive definite, so any ``g > 0`` is valid.
  With ``chelate_similarity=True``, ``T`` is multiplied by the min-max similarity of the
  ligands' chelate topology (effective denticity and the numbers of 5- and 6-membered chelate
  rings, :mod:`skmetalpka.featurize.chelation`), so that analogues which cannot wrap a metal
  the same way (trans-1,2- against trans-1,4-CDTA: log K1 16 against 7 with La3+; glycinate
  against acetate) no longer share their residuals. Both factors are positive-definite kernels
  (min-max of non-negative vectors), so their product is one.
* ``d``: standardised physical metal descriptors (:mod:`skmetalpka.featurize.metals`), so a
  metal the training data lacks borrows from its neighbours in charge, radius, electronegativity
  and hardness, exactly as the network does.

The four hyperparameters (``s_f``, ``g``, ``l``, ``s_n``) of every step are fitted by maximising
the marginal likelihood of the residuals (on a random subset of ``max_optimizer_rows`` rows),
unless given. A ligand far from every training ligand gets no correction: the wrapped model's
prediction stands. Rows with ``metal="H+"`` (protonation constants, which a proton-aware model
predicts too) are neither used nor corrected.

The fitted state is small and plain data (training ligand identities, metal descriptors, per
step the kernel weights summed per measured pair): prediction costs one similarity matrix
between the query ligands and the training ligands.

Standard deviation (``predict(X, return_std=True)``, when the wrapped model gives one): the
wrapped model's variance minus the variance that kriging explains,
``sigma^2 = max(sigma_model^2 - v, min(sigma_model^2, s_n^2))`` with
``v = k_max^2 / (s_f^2 + s_n^2) * min(1, r^2 / s_f^2)``, where ``k_max`` is the kernel value of
the single most similar training pair (the variance its residual explains; conditioning on more
pairs would explain more, so this is conservative) and ``r^2`` the variance of the model's
*training* residuals. The subtraction is in absolute units: kriging can remove at most
``min(s_f^2, r^2)``, which is far smaller than the model's error on new ligands or metals, so a
calibrated sigma stays honest (a multiplicative shrink would not). The ``r^2`` cap matters when
the marginal likelihood prefers a nearly flat ligand kernel with an amplitude far above the
residuals' variance (``s_f^2`` 17 against ``r^2`` 1.3 on one fold of the corpus): uncapped,
such a fit removed nearly all of a calibrated sigma. Far from the training data ``sigma`` is
unchanged.
"""

from __future__ import annotations

import numbers
from collections.abc import Sequence
from functools import lru_cache
from typing import Any

import numpy as np
import pandas as pd
from sklearn.base import BaseEstimator, RegressorMixin, clone
from sklearn.utils.validation import check_is_fitted

from .._base import TagsMixin, supports_std
from ..chem import InvalidLigandError
from ..featurize.chelation import chelate_descriptors
from ..featurize.descriptors import _morgan_generator
from ..featurize.metals import METAL_DESCRIPTOR_NAMES, metal_descriptors
from ..identity import ligand_id
from ..ions import UnknownMetalError, canonical_or_none
from ..metrics import MaskedR2ScoreMixin

__all__ = ["ResidualKriging", "DEFAULT_KRIGING_DESCRIPTORS"]

#: Metal descriptors of the metal kernel (names of
#: :data:`skmetalpka.featurize.metals.METAL_DESCRIPTOR_NAMES`).
DEFAULT_KRIGING_DESCRIPTORS: tuple[str, ...] = (
    "charge",
    "ionic_radius",
    "electronegativity",
    "hardness",
    "f_electrons",
    "d_electrons",
)

# bounds of the log hyperparameters [log s_f^2, log g, log l, log s_n^2]
_BOUNDS = ((-6.0, 5.0), (np.log(0.1), np.log(200.0)), (np.log(0.05), np.log(50.0)), (-8.0, 4.0))
_SHARPNESS_STARTS = (0.3, 10.0, 100.0)
_LIGAND_BLOCK = 512  # query ligands per similarity block in predict
_HYPER = ("amplitude", "similarity_sharpness", "metal_length_scale", "noise")


# ---- ligands and metals --------------------------------------------------------------------
def _identity_or_none(smiles: Any) -> str | None:
    try:
        return ligand_id(smiles)
    except InvalidLigandError:  # no correction; the wrapped model flags the row
        return None


def _ligand_keys(smiles: pd.Series) -> np.ndarray:
    values = smiles.tolist()
    keys = {s: _identity_or_none(s) for s in dict.fromkeys(values)}  # each spelling once
    return np.asarray([keys[s] for s in values], dtype=object)


@lru_cache(maxsize=16384)
def _count_fingerprint(identity: str, radius: int, size: int) -> Any:
    """RDKit Morgan count fingerprint of an identity SMILES (for BulkTanimotoSimilarity)."""
    from rdkit import Chem

    return _morgan_generator(radius, size).GetCountFingerprint(Chem.MolFromSmiles(identity))


def _tanimoto(query: Sequence[str], train: Sequence[str], radius: int, size: int) -> np.ndarray:
    """Tanimoto similarity (count fingerprints) of every query ligand to every training one."""
    from rdkit import DataStructs

    ft = [_count_fingerprint(s, radius, size) for s in train]
    return np.asarray(
        [
            DataStructs.BulkTanimotoSimilarity(_count_fingerprint(q, radius, size), ft)
            for q in query
        ],
        dtype=float,
    ).reshape(len(query), len(train))


@lru_cache(maxsize=16384)
def _chelate_counts(identity: str) -> np.ndarray:
    """Effective denticity and 5-/6-membered chelate ring counts of an identity SMILES."""
    from rdkit import Chem

    values = chelate_descriptors(Chem.MolFromSmiles(identity))
    return values[[0, 2, 3]].astype(float)


def kriged_std(var: np.ndarray, explained: np.ndarray, noise_var: np.ndarray) -> np.ndarray:
    """σ under kriging: the base variance minus the explained one, floored at the noise."""
    return np.sqrt(np.maximum(var - explained, np.minimum(var, noise_var)))


def _similarity(
    query: Sequence[str], train: Sequence[str], radius: int, size: int, chelate: bool
) -> np.ndarray:
    """Ligand similarity of the kernel: Tanimoto of the count fingerprints, times the min-max
    similarity of the chelate counts when ``chelate`` (module notes)."""
    T = _tanimoto(query, train, radius, size)
    if not chelate:
        return T
    cq = np.array([_chelate_counts(s) for s in query]).reshape(len(query), 3)
    ct = np.array([_chelate_counts(s) for s in train]).reshape(len(train), 3)
    c_min = np.zeros_like(T)
    c_max = np.zeros_like(T)
    for k in range(3):
        c_min += np.minimum(cq[:, k, None], ct[None, :, k])
        c_max += np.maximum(cq[:, k, None], ct[None, :, k])
    # two ligands without any donor atom have the same (empty) topology
    C = np.divide(c_min, c_max, out=np.ones_like(T), where=c_max > 0)
    return T * C


def _is_proton(metals: pd.Series) -> np.ndarray:
    return np.array([canonical_or_none(m) == "H+" for m in metals.tolist()], dtype=bool)


def _metal_matrix(metals: Sequence[str], names: Sequence[str]) -> np.ndarray:
    """Descriptor rows of the metals; NaN rows for metals without descriptors."""
    out = np.full((len(metals), len(names)), np.nan)
    for i, m in enumerate(metals):
        try:
            out[i] = metal_descriptors(m, list(names))
        except UnknownMetalError:  # no correction; the wrapped model flags the row
            pass
    return out


def _metal_kernel(a: np.ndarray, b: np.ndarray, length: float) -> np.ndarray:
    d2 = ((a[:, None, :] - b[None, :, :]) ** 2).sum(-1)
    return np.exp(-d2 / (2.0 * length**2))


# ---- Gaussian process on residuals ---------------------------------------------------------------
def _row_kernel(
    theta: np.ndarray, T: np.ndarray, M: np.ndarray, li: np.ndarray, mi: np.ndarray
) -> np.ndarray:
    amp, sharp, length = np.exp(theta[:3])
    Kl = np.exp(sharp * (T - 1.0))
    Km = _metal_kernel(M, M, length)
    return amp * Kl[np.ix_(li, li)] * Km[np.ix_(mi, mi)]


def _neg_lml(
    theta: np.ndarray, T: np.ndarray, M: np.ndarray, li: np.ndarray, mi: np.ndarray, r: np.ndarray
) -> float:
    from scipy.linalg import cho_factor, cho_solve

    K = _row_kernel(theta, T, M, li, mi)
    K[np.diag_indices_from(K)] += np.exp(theta[3])
    try:
        c = cho_factor(K, lower=True, check_finite=False)
    except np.linalg.LinAlgError:
        return 1e12
    a = cho_solve(c, r, check_finite=False)
    return float(0.5 * r @ a + np.log(np.diag(c[0])).sum())


def _fit_theta(
    fixed: list[float | None],
    T: np.ndarray,
    M: np.ndarray,
    li: np.ndarray,
    mi: np.ndarray,
    r: np.ndarray,
) -> np.ndarray:
    """Log hyperparameters maximising the marginal likelihood of ``r`` (fixed ones kept)."""
    from scipy.optimize import minimize

    var = max(float(np.var(r)), 1e-6)
    free = [i for i in range(4) if fixed[i] is None]
    best, best_value = None, np.inf
    # The likelihood has a broad-ligand optimum (the residual is shared by many ligands: a
    # per-metal offset of the model) and a sharp one (it belongs to each ligand); start from
    # both and keep the better.
    for sharpness in _SHARPNESS_STARTS:
        start = np.log([0.5 * var, sharpness, 1.0, 0.5 * var])
        theta = np.array(
            [np.log(v) if v is not None else s for v, s in zip(fixed, start, strict=True)]
        )
        if not free:
            return theta
        if fixed[1] is not None and best is not None:
            break  # the sharpness is fixed: one start is enough

        def objective(free_theta: np.ndarray, theta: np.ndarray = theta) -> float:
            full = theta.copy()
            full[free] = free_theta
            return _neg_lml(full, T, M, li, mi, r)

        res = minimize(objective, theta[free], method="L-BFGS-B", bounds=[_BOUNDS[i] for i in free])
        if res.fun < best_value:
            best_value = float(res.fun)
            best = theta.copy()
            best[free] = res.x
    return best


def _check_hyper(name: str, value: Any) -> float | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, numbers.Real) or not value > 0:
        raise ValueError(f"{name} must be a positive number or None (learned), got {value!r}")
    return float(value)


class ResidualKriging(TagsMixin, MaskedR2ScoreMixin, RegressorMixin, BaseEstimator):
    """A regressor plus a Gaussian process on its training residuals (module docstring).

    Parameters
    ----------
    estimator : estimator
        Any skmetalpka regressor taking ``X`` (DataFrame with ``metal`` and ``smiles``) and
        ``y`` (cumulative log beta with NaN): a GNN pipeline, an
        :class:`~skmetalpka.model.EnsembleRegressor`, a baseline. It is cloned and fitted in
        ``fit``; wrap an already fitted model in :class:`sklearn.frozen.FrozenEstimator` to
        reuse it.
    metal_descriptors : sequence of str, default=DEFAULT_KRIGING_DESCRIPTORS
        Descriptors of the metal kernel.
    amplitude, similarity_sharpness, metal_length_scale, noise : float or None, default=None
        ``s_f^2``, ``g``, ``l`` and ``s_n^2`` of every step; ``None`` fits them by marginal
        likelihood.
    fingerprint_radius, fingerprint_size : int, default=2, 2048
        Morgan count fingerprint of the ligand kernel.
    chelate_similarity : bool, default=False
        Multiply the fingerprint similarity by the chelate-topology similarity (module notes):
        on for the kriged per-metal mean of the recipes, off for the network's kriging
        (:data:`skmetalpka.pipelines.CHELATE_KRIGING_MODELS`, docs/guide/kriging.md).
    max_optimizer_rows : int, default=1500
        Random subset of training rows on which the hyperparameters are fitted.
    max_rows : int, default=12000
        At most this many training rows per step enter the posterior (a random subset beyond:
        the solve is cubic in it and its memory quadratic).
    min_rows : int, default=30
        A step with fewer measured training rows gets no correction.
    random_state : int, default=0
        Seed of the subsets.

    Attributes
    ----------
    estimator_ : estimator
        The fitted wrapped model.
    ligands_ : list of str
        Identity SMILES of the training ligands.
    kriging_metals_ : list of str
        The training metals (as written), whose descriptors are ``metal_features_``.
    metal_features_ : ndarray of shape (n_metals, n_descriptors)
        Standardised descriptors of ``kriging_metals_``.
    descriptor_mean_, descriptor_scale_ : ndarray of shape (n_descriptors,)
        The standardisation.
    theta_ : ndarray of shape (n_steps, 4)
        Per step ``[s_f^2, g, l, s_n^2]``; NaN for a step without correction.
    offset_ : ndarray of shape (n_steps,)
        Mean residual of every step.
    pairs_ : list of ndarray
        Per step, the ``(ligand, metal)`` index pairs of the training rows, shape ``(m, 2)``.
    weights_ : list of ndarray
        Per step, ``(K + s_n^2 I)^-1 (r - mu)`` summed per pair, shape ``(m,)``.
    residual_rmse_ : ndarray of shape (n_steps,)
        RMSE of the wrapped model on the training rows, per step (in-sample).
    n_steps_ : int
    metals_ : list of str
        The wrapped model's training metals (for the uncertainty calibration), when it has them.
    """

    _target_kind = "steps"

    def __init__(
        self,
        estimator: Any = None,
        *,
        metal_descriptors: Sequence[str] = DEFAULT_KRIGING_DESCRIPTORS,
        amplitude: float | None = None,
        similarity_sharpness: float | None = None,
        metal_length_scale: float | None = None,
        noise: float | None = None,
        fingerprint_radius: int = 2,
        fingerprint_size: int = 2048,
        chelate_similarity: bool = False,
        max_optimizer_rows: int = 1500,
        max_rows: int = 12000,
        min_rows: int = 30,
        random_state: int | None = 0,
    ) -> None:
        self.estimator = estimator
        self.metal_descriptors = metal_descriptors
        self.amplitude = amplitude
        self.similarity_sharpness = similarity_sharpness
        self.metal_length_scale = metal_length_scale
        self.noise = noise
        self.fingerprint_radius = fingerprint_radius
        self.fingerprint_size = fingerprint_size
        self.chelate_similarity = chelate_similarity
        self.max_optimizer_rows = max_optimizer_rows
        self.max_rows = max_rows
        self.min_rows = min_rows
        self.random_state = random_state

    # ----------------------------------------------------------------------------------------
    def _validate(self) -> list[float | None]:
        if self.estimator is None:
            raise ValueError(
                "estimator is required, e.g. ResidualKriging(skmetalpka.default_pipeline())"
            )
        names = list(self.metal_descriptors)
        unknown = sorted(set(names) - set(METAL_DESCRIPTOR_NAMES))
        if not names or unknown:
            raise ValueError(
                f"metal_descriptors must be a non-empty list of {METAL_DESCRIPTOR_NAMES}; "
                f"unknown: {unknown}"
            )
        for name in ("max_optimizer_rows", "max_rows", "min_rows", "fingerprint_size"):
            v = getattr(self, name)
            if isinstance(v, bool) or not isinstance(v, numbers.Integral) or v < 1:
                raise ValueError(f"{name} must be a positive integer, got {v!r}")
        r = self.fingerprint_radius
        if isinstance(r, bool) or not isinstance(r, numbers.Integral) or r < 0:
            raise ValueError(f"fingerprint_radius must be a non-negative integer, got {r!r}")
        if not isinstance(self.chelate_similarity, bool | np.bool_):
            raise ValueError(
                f"chelate_similarity must be True or False, got {self.chelate_similarity!r}"
            )
        return [_check_hyper(n, getattr(self, n)) for n in _HYPER]

    def fit(self, X: pd.DataFrame, y: Any, **fit_params: Any) -> ResidualKriging:
        """Fit the wrapped model, then the Gaussian process of its residuals on ``X``.

        Parameters
        ----------
        X : DataFrame
            Columns ``metal`` and ``smiles`` (and whatever the wrapped model reads).
        y : array-like of shape (n_samples, N)
            Cumulative log beta, NaN where not measured.
        **fit_params
            Passed to the wrapped model's ``fit`` (e.g. ``proton_X``/``proton_y``).

        Returns
        -------
        self
        """
        from scipy.linalg import cho_factor, cho_solve

        fixed = self._validate()
        if not isinstance(X, pd.DataFrame) or not {"metal", "smiles"} <= set(X.columns):
            raise ValueError("X must be a DataFrame with 'metal' and 'smiles' columns")
        Y = np.asarray(y, dtype=float)
        if Y.ndim == 1:
            Y = Y[:, None]
        if Y.ndim != 2 or len(Y) != len(X):
            raise ValueError(f"y must have shape (n_samples, N) with n_samples={len(X)}")
        self.estimator_ = clone(self.estimator).fit(X, y, **fit_params)
        P = np.asarray(self.estimator_.predict(X), dtype=float)
        P = P.reshape(len(X), -1)
        n_steps = P.shape[1]
        self.n_steps_ = int(n_steps)
        if hasattr(self.estimator_, "metals_"):
            self.metals_ = list(self.estimator_.metals_)

        keys = _ligand_keys(X["smiles"])
        names = list(self.metal_descriptors)
        metals = X["metal"].astype(str).to_numpy()
        # protonation rows are not kriged: their metal gets no index below
        uniq_m = sorted(set(metals[~_is_proton(X["metal"])].tolist()))
        D = _metal_matrix(uniq_m, names)
        ok_m = np.isfinite(D).all(axis=1)
        good_metals = [m for m, ok in zip(uniq_m, ok_m, strict=True) if ok]
        D = D[ok_m]
        mean = D.mean(axis=0) if len(D) else np.zeros(len(names))
        scale = D.std(axis=0) if len(D) > 1 else np.ones(len(names))
        scale = np.where(scale > 1e-12, scale, 1.0)
        self.kriging_metals_ = good_metals
        self.descriptor_mean_ = mean
        self.descriptor_scale_ = scale
        self.metal_features_ = (D - mean) / scale
        self.ligands_ = sorted({k for k in keys.tolist() if k is not None})
        lig_index = {k: i for i, k in enumerate(self.ligands_)}
        met_index = {m: i for i, m in enumerate(good_metals)}
        li = np.array([lig_index.get(k, -1) for k in keys], dtype=int)
        mi = np.array([met_index.get(m, -1) for m in metals], dtype=int)
        T = _similarity(
            self.ligands_,
            self.ligands_,
            int(self.fingerprint_radius),
            int(self.fingerprint_size),
            bool(self.chelate_similarity),
        )
        M = self.metal_features_
        rng = np.random.default_rng(self.random_state)

        self.theta_ = np.full((n_steps, 4), np.nan)
        self.offset_ = np.zeros(n_steps)
        self.residual_rmse_ = np.full(n_steps, np.nan)
        self.pairs_, self.weights_ = [], []
        for k in range(n_steps):
            yk = Y[:, k] if k < Y.shape[1] else np.full(len(X), np.nan)
            rows = np.flatnonzero(np.isfinite(yk) & np.isfinite(P[:, k]) & (li >= 0) & (mi >= 0))
            if len(rows) > int(self.max_rows):
                rows = np.sort(rng.choice(rows, int(self.max_rows), replace=False))
            if len(rows) < int(self.min_rows):
                self.pairs_.append(np.zeros((0, 2), dtype=np.int32))
                self.weights_.append(np.zeros(0))
                continue
            r = yk[rows] - P[rows, k]
            self.residual_rmse_[k] = float(np.sqrt(np.mean(r**2)))
            mu = float(r.mean())
            r = r - mu
            n_opt = min(len(rows), int(self.max_optimizer_rows))
            sub = rng.choice(len(rows), n_opt, replace=False)
            base = _fit_theta(fixed, T, M, li[rows[sub]], mi[rows[sub]], r[sub])
            K = _row_kernel(base, T, M, li[rows], mi[rows])
            K[np.diag_indices_from(K)] += np.exp(base[3])
            alpha = cho_solve(cho_factor(K, lower=True, check_finite=False), r)
            pair_codes = li[rows] * len(good_metals) + mi[rows]
            codes, inverse = np.unique(pair_codes, return_inverse=True)
            w = np.bincount(inverse, weights=alpha, minlength=len(codes))
            self.pairs_.append(
                np.stack([codes // len(good_metals), codes % len(good_metals)], 1).astype(np.int32)
            )
            self.weights_.append(w)
            self.theta_[k] = [
                v if v is not None else np.exp(b) for v, b in zip(fixed, base, strict=True)
            ]
            self.offset_[k] = mu
        return self

    # ----------------------------------------------------------------------------------------
    def _correction(self, X: pd.DataFrame) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Additive correction, explained variance and the noise variance, all ``(n, N)``."""
        n, N = len(X), int(self.n_steps_)
        corr = np.zeros((n, N))
        explained = np.zeros((n, N))
        noise_var = np.zeros((n, N))
        keys = _ligand_keys(X["smiles"])
        ok_l = np.array([k is not None for k in keys])
        ok_l &= ~_is_proton(X["metal"])  # protonation constants are passed through
        uniq_l = sorted({k for k in keys[ok_l].tolist()})
        metals = X["metal"].astype(str).to_numpy()
        uniq_m = sorted(set(metals.tolist()))
        Dq = (_metal_matrix(uniq_m, self.metal_descriptors) - self.descriptor_mean_) / (
            self.descriptor_scale_
        )
        ok_mu = np.isfinite(Dq).all(axis=1)
        mpos = {m: i for i, m in enumerate(uniq_m)}
        lpos = {k: i for i, k in enumerate(uniq_l)}
        qm = np.array([mpos[m] for m in metals], dtype=int)
        ql = np.array([lpos.get(k, -1) for k in keys], dtype=int)
        valid = ok_l & ok_mu[qm]
        if not valid.any() or not uniq_l or not self.ligands_:
            return corr, explained, noise_var
        Dq = np.where(np.isfinite(Dq), Dq, 0.0)
        rows = np.flatnonzero(valid)
        steps = [
            k for k in range(N) if np.isfinite(self.theta_[k]).all() and len(self.weights_[k]) > 0
        ]
        train = self.ligands_
        caps = self._explained_caps()
        # Blocks of query ligands bound the memory of a large screen: the similarity block is
        # (ligands, training ligands) and the kernel block (ligands, training pairs).
        for lstart in range(0, len(uniq_l), _LIGAND_BLOCK):
            block = uniq_l[lstart : lstart + _LIGAND_BLOCK]
            in_block = rows[(ql[rows] >= lstart) & (ql[rows] < lstart + len(block))]
            T = _similarity(
                block,
                train,
                int(self.fingerprint_radius),
                int(self.fingerprint_size),
                bool(self.chelate_similarity),
            )
            for k in steps:
                amp, sharp, length, noise = self.theta_[k]
                pl, pm = self.pairs_[k][:, 0], self.pairs_[k][:, 1]
                Kl = np.exp(sharp * (T[:, pl] - 1.0))  # (block ligands, pairs)
                Km = _metal_kernel(Dq, self.metal_features_[pm], length)  # (query metals, pairs)
                for start in range(0, len(in_block), 2048):
                    chunk = in_block[start : start + 2048]
                    kq = amp * Kl[ql[chunk] - lstart] * Km[qm[chunk]]
                    corr[chunk, k] = kq @ self.weights_[k] + self.offset_[k]
                    kmax = kq.max(axis=1)
                    explained[chunk, k] = kmax**2 / (amp + noise) * caps[k]
                    noise_var[chunk, k] = noise
        return corr, explained, noise_var

    def _explained_caps(self) -> np.ndarray:
        """Per step ``min(1, r^2 / s_f^2)``, which keeps the explained variance within the
        variance ``r^2`` of the training residuals (module docstring)."""
        amp = self.theta_[:, 0]
        r2 = np.asarray(getattr(self, "residual_rmse_", np.full(len(amp), np.nan))) ** 2
        with np.errstate(divide="ignore", invalid="ignore"):
            caps = np.minimum(1.0, r2 / amp)
        return np.where(np.isfinite(caps), caps, 1.0)

    def explained_variance(self, X: pd.DataFrame) -> np.ndarray:
        """Variance of the wrapped model's error that kriging explains, ``(n_samples, N)``.

        ``k_max^2 / (s_f^2 + s_n^2) * min(1, r^2 / s_f^2)`` per row and step (module
        docstring): 0 far from the training data, at most ``min(s_f^2, r^2)``, ``r^2`` the
        variance of the wrapped model's training residuals. ``predict(X, return_std=True)`` subtracts it from the
        wrapped model's variance; a calibration fitted on the wrapped model's spread can use it
        the same way.
        """
        check_is_fitted(self, "estimator_")
        return self._correction(X)[1]

    def _supports_std(self) -> bool:
        """Whether ``predict(return_std=True)`` works: the wrapped model gives a std."""
        return supports_std(getattr(self, "estimator_", self.estimator))

    def predict(self, X: pd.DataFrame, return_std: bool = False) -> Any:
        """Wrapped prediction plus the kriged residual, ``(n_samples, N)``.

        Parameters
        ----------
        X : DataFrame
        return_std : bool, default=False
            Also return the standard deviation (module docstring); needs a wrapped model whose
            ``predict`` takes ``return_std``.

        Returns
        -------
        ndarray of shape (n_samples, N), or a tuple ``(mean, std)``
            Rows the wrapped model flags (NaN) stay NaN.
        """
        check_is_fitted(self, "estimator_")
        if return_std:
            if not supports_std(self.estimator_):
                raise ValueError(
                    f"{type(self.estimator_).__name__} gives no standard deviation; wrap an "
                    "EnsembleRegressor or a Gaussian process to use return_std=True"
                )
            base, std = self.estimator_.predict(X, return_std=True)
        else:
            base, std = self.estimator_.predict(X), None
        base2 = np.asarray(base, dtype=float).reshape(len(X), -1)
        corr, explained, noise_var = self._correction(X)
        width = base2.shape[1]
        out = (base2 + corr[:, :width]).reshape(np.shape(base))
        if std is None:
            return out
        var = np.asarray(std, dtype=float).reshape(len(X), -1) ** 2
        sd = kriged_std(var, explained[:, :width], noise_var[:, :width])
        return out, sd.reshape(np.shape(std))

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        if self.estimator is not None and hasattr(self.estimator, "__sklearn_tags__"):
            inner = self.estimator.__sklearn_tags__()
            tags.input_tags = inner.input_tags
        return tags
