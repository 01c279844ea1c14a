"""Independent NumPy reference engine: the closed mass balance solved for the free ligand.

At each pH the free ligand concentration l solves

    L_T = l alpha_H + M_T nbar(l),
    nbar(l) = sum_n n beta_n l^n / (1 + alpha_OH + sum_n beta_n l^n),
    alpha_OH = sum_k *beta_1k [H]^-k          (mononuclear hydroxo complexes M(OH)_k),

(increasing in l) by :func:`scipy.optimize.brentq` on ``ln l``, every term a log-sum-exp.
Precipitation of a hydroxide phase ``solid + n H+ = p M + a H2O`` (log K) caps the free metal
at ``m_sat = (K [H]^n)^(1/p)``; all phases of one metal have ``n / p = z``, so the one with the
smallest ``log K / p`` caps it at every pH. Where the solution without solid has ``m > m_sat``
the free metal is fixed at ``m_sat``, the free ligand solves ``L_T = l alpha_H + m_sat sum_n n
beta_n l^n`` and the solid is what the dissolved species do not hold. Polynuclear hydroxo
complexes are not modelled here (the PHREEQC engine has them); water activity is 1.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence

import numpy as np

from .conditional import _LN10, _logsumexp, log_alpha_h


def _root(residual: Callable[[float], float], u_hi: float) -> float:
    """Root of an increasing ``residual`` with ``residual(u_hi) >= 0`` (bracketed downwards)."""
    from scipy.optimize import brentq

    if residual(u_hi) <= 0.0:  # >= 0 exactly; <= 0 only when the rest is < 1e-16 of the total
        return u_hi
    step = 10.0
    u_lo = u_hi - step
    while residual(u_lo) >= 0.0:  # residual -> -inf as u -> -inf
        step *= 2.0
        u_lo = u_hi - step
        if step > 1e5:  # pragma: no cover - cannot happen for finite inputs
            raise RuntimeError("numpy speciation: could not bracket the free ligand")
    return brentq(residual, u_lo, u_hi, xtol=1e-14, rtol=4 * np.finfo(float).eps, maxiter=500)


def _numpy_engine(
    log_beta: np.ndarray,
    protonation: np.ndarray,
    ph: np.ndarray,
    metal_conc: float,
    ligand_conc: float,
    hydroxo: Sequence[tuple[int, float]] = (),
    solid_log_k: float | None = None,
    charge: int = 0,
) -> tuple[np.ndarray, np.ndarray]:
    """Fractions (metal: free, ML_n, hydroxo complexes(, solid); ligand: L, H_jL, bound).

    ``hydroxo`` holds ``(k, log *beta_1k)`` of the mononuclear complexes M(OH)_k, one per
    output column; ``solid_log_k`` is log K / p of the phase that caps the free metal
    (``m_sat = 10**(solid_log_k - charge * pH)``), None for no precipitation.
    """
    n = np.arange(1, log_beta.size + 1, dtype=float)
    ln_beta = log_beta * _LN10
    ln_n = np.log(n)
    ln_mt = math.log(metal_conc)
    ln_lt = math.log(ligand_conc)
    log_alpha = log_alpha_h(protonation, ph)
    j = np.arange(1, protonation.size + 1, dtype=float)
    k_oh = np.array([k for k, _ in hydroxo], dtype=float)
    lk_oh = np.array([lk for _, lk in hydroxo], dtype=float)

    n_metal = 1 + log_beta.size + len(hydroxo) + (solid_log_k is not None)
    metal_frac = np.zeros((ph.size, n_metal))
    lig_frac = np.empty((ph.size, protonation.size + 2))
    for i, (p, la) in enumerate(zip(ph, log_alpha, strict=True)):
        ln_alpha = float(la) * _LN10
        ln_oh = (lk_oh + k_oh * p) * _LN10  # ln(*beta_1k [H]^-k)

        def ln_den(u: float, ln_oh: np.ndarray = ln_oh) -> float:
            return float(_logsumexp(np.concatenate([[0.0], ln_oh, ln_beta + n * u])))

        def residual(u: float, ln_alpha: float = ln_alpha, ln_den=ln_den) -> float:
            # ln(l alpha + M_T nbar(l)) - ln L_T, increasing in u = ln l
            ln_nbar = _logsumexp(ln_n + ln_beta + n * u) - ln_den(u)
            return float(np.logaddexp(u + ln_alpha, ln_mt + ln_nbar) - ln_lt)

        u_hi = ln_lt - ln_alpha  # free L alone would hold all the ligand: residual >= 0
        u = _root(residual, u_hi)
        ln_m = ln_mt - ln_den(u)
        if solid_log_k is not None and ln_m > (solid_log_k - charge * p) * _LN10:
            ln_m = (solid_log_k - charge * p) * _LN10

            def capped(u: float, ln_alpha: float = ln_alpha, ln_m: float = ln_m) -> float:
                bound = ln_m + _logsumexp(ln_n + ln_beta + n * u)
                return float(np.logaddexp(u + ln_alpha, bound) - ln_lt)

            u = _root(capped, u_hi)
        ln_species = np.concatenate([[0.0], ln_beta + n * u, ln_oh]) + ln_m
        dissolved = np.exp(ln_species - ln_mt)
        metal_frac[i, : dissolved.size] = dissolved
        if solid_log_k is not None:
            metal_frac[i, -1] = max(1.0 - dissolved.sum(), 0.0)
        ln_hl = np.concatenate([[u], u + (protonation - j * p) * _LN10])
        lig_frac[i, :-1] = np.exp(ln_hl - ln_lt)
        nbar = float(np.dot(n, metal_frac[i, 1 : 1 + log_beta.size]))
        lig_frac[i, -1] = metal_conc * nbar / ligand_conc
    return metal_frac, lig_frac
