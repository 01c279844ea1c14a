"""Closed forms: ligand protonation side reaction, conditional constants, column names."""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

import numpy as np

from .validation import _check_constants

_LN10 = math.log(10.0)


def _logsumexp(values: np.ndarray, axis: int = -1) -> np.ndarray:
    m = np.max(values, axis=axis, keepdims=True)
    out = m + np.log(np.sum(np.exp(values - m), axis=axis, keepdims=True))
    return np.squeeze(out, axis=axis)


def log_alpha_h(protonation: Sequence[float], ph: Any) -> np.ndarray:
    """log10 of the ligand side-reaction coefficient alpha_L(H) = 1 + sum_j beta^H_j [H]^j.

    Parameters
    ----------
    protonation : sequence of float
        Cumulative log10 beta^H_1..m of ``L + j H = H_jL`` (trailing NaN ignored).
    ph : float or array-like
        pH values (``[H] = 10**-pH``).

    Returns
    -------
    ndarray of float
        Same shape as ``ph`` (0-d for a scalar). Computed as a log-sum-exp, so that no
        overflow occurs for large constants at low pH.
    """
    prot = _check_constants(protonation, "protonation", allow_empty=True)
    ph_arr = np.asarray(ph, dtype=float)
    if not np.isfinite(ph_arr).all():
        raise ValueError(f"ph must be finite, got {ph!r}")
    j = np.arange(1, prot.size + 1, dtype=float)
    terms = np.concatenate(
        [np.zeros(ph_arr.shape + (1,)), (prot - j * ph_arr[..., None]) * _LN10], axis=-1
    )
    return _logsumexp(terms, axis=-1) / _LN10


def conditional_log_k(log_beta1: Any, protonation: Sequence[float], ph: Any) -> np.ndarray:
    """Conditional stability constant log beta_1' = log beta_1 - log alpha_L(H) at each pH.

    beta_1' = [ML] / ([M] [L']) where [L'] is the total ligand not bound to the metal (all
    protonation forms). Metal hydrolysis is not included (alpha_M = 1).

    Parameters
    ----------
    log_beta1 : float or array-like
        log10 beta_1 of ``M + L = ML`` (broadcast against ``ph``).
    protonation : sequence of float
        Cumulative log10 beta^H_j of the ligand (see :func:`log_alpha_h`).
    ph : float or array-like
        pH values.

    Returns
    -------
    ndarray of float
        log10 beta_1' with the broadcast shape of ``log_beta1`` and ``ph``.

    Examples
    --------
    Ethylenediamine (log beta^H = 9.93, 17.01) with Cu2+ (log beta_1 = 10.5) at pH 7:
    alpha_H = 1 + 10**2.93 + 10**3.01 = 1875.43, so log beta_1' = 10.5 - 3.2731 = 7.2269.

    >>> round(float(conditional_log_k(10.5, [9.93, 17.01], 7.0)), 4)
    7.2269
    """
    lb = np.asarray(log_beta1, dtype=float)
    if not np.isfinite(lb).all():
        raise ValueError(f"log_beta1 must be finite, got {log_beta1!r}")
    return lb - log_alpha_h(protonation, ph)


def speciation_columns(
    n_complexes: int, n_protonation: int, *, other: bool = False
) -> tuple[list[str], list[str]]:
    """Names of the metal-side and ligand-side fraction columns of :func:`speciate`.

    Parameters
    ----------
    n_complexes : int
        Number N of complexes ML_1..ML_N.
    n_protonation : int
        Number m of protonated forms H_1L..H_mL.
    other : bool, default=False
        Add ``"M:other"`` (metal in species of a full database, e.g. hydroxo complexes).

    Returns
    -------
    (list of str, list of str)
        ``["M:free", "M:ML", "M:ML2", ...(, "M:other")]`` and
        ``["L:free", "L:HL", "L:H2L", ..., "L:bound"]``.
    """
    metal = ["M:free"] + [f"M:ML{'' if n == 1 else n}" for n in range(1, n_complexes + 1)]
    if other:
        metal.append("M:other")
    ligand = ["L:free"] + [f"L:H{'' if j == 1 else j}L" for j in range(1, n_protonation + 1)]
    ligand.append("L:bound")
    return metal, ligand
