"""Independent NumPy reference engine: the closed mass balance solved for the free ligand."""

from __future__ import annotations

import math

import numpy as np

from .conditional import _LN10, _logsumexp, log_alpha_h


def _numpy_engine(
    log_beta: np.ndarray,
    protonation: np.ndarray,
    ph: np.ndarray,
    metal_conc: float,
    ligand_conc: float,
) -> tuple[np.ndarray, np.ndarray]:
    from scipy.optimize import brentq

    n = np.arange(1, log_beta.size + 1, dtype=float)
    ln_beta = log_beta * _LN10
    ln_n = np.log(n)
    ln_mt = math.log(metal_conc)
    ln_lt = math.log(ligand_conc)
    log_alpha = log_alpha_h(protonation, ph)
    j = np.arange(1, protonation.size + 1, dtype=float)

    metal_frac = np.empty((ph.size, log_beta.size + 1))
    lig_frac = np.empty((ph.size, protonation.size + 2))
    for i, (p, la) in enumerate(zip(ph, log_alpha, strict=True)):
        ln_alpha = float(la) * _LN10

        def residual(u: float, ln_alpha: float = ln_alpha) -> float:
            # ln(l alpha + M_T nbar(l)) - ln L_T, increasing in u = ln l
            ln_terms = ln_beta + n * u
            ln_den = np.logaddexp(0.0, _logsumexp(ln_terms))
            ln_nbar = _logsumexp(ln_n + ln_terms) - ln_den
            return float(np.logaddexp(u + ln_alpha, ln_mt + ln_nbar) - ln_lt)

        u_hi = ln_lt - ln_alpha  # free L alone would hold all the ligand: residual >= 0
        if residual(u_hi) <= 0.0:  # >= 0 exactly; <= 0 only when M_T nbar / L_T < 1e-16
            u = u_hi
        else:
            step = 10.0
            u_lo = u_hi - step
            while residual(u_lo) >= 0.0:  # residual -> -inf as u -> -inf
                step *= 2.0
                u_lo = u_hi - step
                if step > 1e5:  # pragma: no cover - cannot happen for finite inputs
                    raise RuntimeError("numpy speciation: could not bracket the free ligand")
            u = brentq(residual, u_lo, u_hi, xtol=1e-14, rtol=4 * np.finfo(float).eps, maxiter=500)
        ln_terms = np.concatenate([[0.0], ln_beta + n * u])
        w = np.exp(ln_terms - _logsumexp(ln_terms))
        metal_frac[i] = w / w.sum()
        ln_hl = np.concatenate([[u], u + (protonation - j * p) * _LN10])
        lig_frac[i, :-1] = np.exp(ln_hl - ln_lt)
        nbar = float(np.dot(n, metal_frac[i, 1:]))
        lig_frac[i, -1] = metal_conc * nbar / ligand_conc
    return metal_frac, lig_frac
