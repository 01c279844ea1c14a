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


def conditional_log_k(
    log_beta1: Any,
    protonation: Sequence[float],
    ph: Any,
    *,
    metal: str | None = None,
    hydrolysis_database: Any = None,
) -> np.ndarray:
    """Conditional stability constant at each pH.

    ``log beta_1' = log beta_1 - log alpha_L(H) - log alpha_M(OH)``, i.e.
    ``beta_1' = [ML] / ([M'] [L'])`` where [L'] is the ligand not bound to the metal (all
    protonation forms) and [M'] the metal not bound to the ligand (free and as mononuclear
    hydroxo complexes, :func:`log_alpha_oh`). Without ``metal`` the metal term is left out
    (alpha_M(OH) = 1).

    Parameters
    ----------
    log_beta1 : float or array-like
        log10 beta_1 of ``M + L = ML`` (broadcast against ``ph``).
    protonation : sequence of float
        Cumulative log10 beta^H_j of the ligand (see :func:`log_alpha_h`).
    ph : float or array-like
        pH values.
    metal : str, optional
        The metal ion: subtract its log alpha_M(OH) (0 for an ion the databases lack).
    hydrolysis_database : str, Path or sequence, optional
        Database chain of the hydrolysis constants (see :func:`log_alpha_oh`).

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

    With copper hydrolysis (log alpha_Cu(OH) = 0.1222 at pH 7, minteq.v4):

    >>> round(float(conditional_log_k(10.5, [9.93, 17.01], 7.0, metal="Cu2+")), 4)
    7.1047
    """
    lb = np.asarray(log_beta1, dtype=float)
    if not np.isfinite(lb).all():
        raise ValueError(f"log_beta1 must be finite, got {log_beta1!r}")
    out = lb - log_alpha_h(protonation, ph)
    if metal is not None:
        out = out - log_alpha_oh(metal, ph, database=hydrolysis_database)
    return out


def log_alpha_oh(
    metal: str, ph: Any, *, database: Any = None, temperature: float = 25.0
) -> np.ndarray:
    """log10 alpha_M(OH) = log10(1 + sum_n *beta_1n [H]^-n), mononuclear hydroxo complexes.

    The metal side-reaction coefficient of hydrolysis: [M'] / [M] where [M'] is the metal not
    bound to the ligand in solution (free and as M(OH)_n). Polynuclear complexes (which depend
    on the metal concentration) and precipitation are left out, as in the usual definition.

    Parameters
    ----------
    metal : str
    ph : float or array-like
    database, temperature
        As :func:`~skmetalpka.speciation.hydrolysis_data` (default database chain, 25 deg C).

    Returns
    -------
    ndarray of float
        Same shape as ``ph``; 0 where the database chain has no hydrolysis for the metal.

    Examples
    --------
    Cu2+ at pH 7 (minteq.v4: log *beta_11 = -7.497, so CuOH+ is 10**-0.497 = 0.32 of Cu2+;
    Cu(OH)2 adds 10**-2.2): log10(1 + 0.318 + 0.006 + ...) = 0.122.

    >>> round(float(log_alpha_oh("Cu2+", 7.0)), 3)
    0.122
    """
    from .hydrolysis import hydrolysis_data

    data = hydrolysis_data(metal, database=database, temperature=temperature)
    ph_arr = np.asarray(ph, dtype=float)
    if not np.isfinite(ph_arr).all():
        raise ValueError(f"ph must be finite, got {ph!r}")
    terms = [np.zeros(ph_arr.shape)] + [s.log_k + s.n * ph_arr for s in data.mononuclear]
    return _logsumexp(np.stack(terms, axis=-1) * _LN10, axis=-1) / _LN10


def speciation_columns(
    n_complexes: int,
    n_protonation: int,
    *,
    other: bool = False,
    hydroxo: Sequence[str] = (),
    solid: bool = False,
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
    hydroxo : sequence of str, default=()
        Hydroxo-complex columns (``"M:MOH"``, ``"M:M(OH)2"``, ``"M:M2(OH)2"``, ...), placed after
        the complexes.
    solid : bool, default=False
        Add ``"M:solid"`` (precipitated hydroxide) after them.

    Returns
    -------
    (list of str, list of str)
        ``["M:free", "M:ML", "M:ML2", ...(, hydroxo...)(, "M:solid")(, "M:other")]`` and
        ``["L:free", "L:HL", "L:H2L", ..., "L:bound"]``.
    """
    metal = ["M:free"] + [f"M:ML{'' if n == 1 else n}" for n in range(1, n_complexes + 1)]
    metal += list(hydroxo)
    if solid:
        metal.append("M:solid")
    if other:
        metal.append("M:other")
    ligand = ["L:free"] + [f"L:H{'' if j == 1 else j}L" for j in range(1, n_protonation + 1)]
    ligand.append("L:bound")
    return metal, ligand
