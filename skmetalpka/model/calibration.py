"""Honest standard deviations out of domain: calibration per metal family and metal novelty.

An ensemble's spread measures how much its members disagree, not how far a query is from the
training data: for a metal it never saw (an unseen lanthanide, an actinide) the members agree
and are all wrong. The calibrated standard deviation of a prediction is

``sigma = sqrt((a_c * sigma_ensemble) ** 2 + b_c ** 2)``

with one pair ``(a_c, b_c)`` per cell ``c = (metal family, seen | unseen metal)``
(:mod:`skmetalpka.families`): ``a`` rescales the ensemble spread, ``b`` is a floor for the
error the spread does not see. :func:`fit_std_calibration` fits every pair by maximising the
Gaussian likelihood of out-of-fold residuals (ligand-grouped folds give the "seen" cells,
metal-grouped folds the "unseen" ones); a cell with fewer than ``min_count`` residuals uses the
pooled fit of its novelty level. The result is a plain dict (JSON-serialisable) that
:class:`~skmetalpka.model.EnsembleRegressor` takes as ``std_calibration``.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

import numpy as np

from ..families import metal_families

__all__ = ["fit_std_calibration", "apply_std_calibration", "calibration_cells"]


def calibration_cells(metals: Iterable[Any], known_metals: Iterable[str] | None) -> np.ndarray:
    """Cell key ``"<family>|seen"`` or ``"<family>|unseen"`` of every metal."""
    from ..ions import canonical_or_none

    known = {canonical_or_none(m) for m in (known_metals or [])}
    metals = list(metals)
    fam = metal_families(metals)
    out = []
    for m, f in zip(metals, fam, strict=True):
        novelty = "seen" if canonical_or_none(m) in known else "unseen"
        out.append(f"{f}|{novelty}")
    return np.asarray(out, dtype=object)


def _fit_pair(r: np.ndarray, s: np.ndarray) -> tuple[float, float]:
    """Maximum-likelihood (a, b) of N(0, (a s)^2 + b^2) for residuals r, spreads s."""
    from scipy.optimize import minimize

    s = np.maximum(s, 1e-6)

    def nll(theta: np.ndarray) -> float:
        a, b = np.exp(theta)
        var = (a * s) ** 2 + b**2
        return float(0.5 * np.sum(np.log(var) + r**2 / var))

    start = np.log([max(np.sqrt(np.mean(r**2)) / np.mean(s), 1e-3), 0.1])
    res = minimize(nll, start, method="Nelder-Mead", options={"xatol": 1e-4, "fatol": 1e-6})
    a, b = np.exp(res.x)
    return float(a), float(b)


def fit_std_calibration(
    y_true: Any,
    mean: Any,
    std: Any,
    cells: Any,
    *,
    min_count: int = 30,
) -> dict[str, Any]:
    """Fit ``(a, b)`` per cell from out-of-fold predictions.

    Parameters
    ----------
    y_true, mean, std : array-like of shape (n,)
        Measured values, out-of-fold predictions and the ensemble's raw spread (NaN entries
        are ignored).
    cells : array-like of str, shape (n,)
        :func:`calibration_cells` of the rows (with the metals each fold trained on).
    min_count : int, default=30
        Cells with fewer residuals fall back to the pooled fit of their novelty level
        (``"*|seen"`` / ``"*|unseen"``), and those to the overall fit.

    Returns
    -------
    dict
        ``{"cells": {cell: [a, b, n]}, "pooled": {"seen": [a, b, n], "unseen": [...]},
        "overall": [a, b, n]}``.
    """
    t, m, s = (np.asarray(v, dtype=float).ravel() for v in (y_true, mean, std))
    c = np.asarray(cells, dtype=object).ravel()
    ok = np.isfinite(t) & np.isfinite(m) & np.isfinite(s)
    t, m, s, c = t[ok], m[ok], s[ok], c[ok]
    if t.size < 2:
        raise ValueError("need at least two finite (y, mean, std) triples to calibrate")
    r = t - m
    out: dict[str, Any] = {"cells": {}, "pooled": {}}
    out["overall"] = [*_fit_pair(r, s), int(t.size)]
    for novelty in ("seen", "unseen"):
        sel = np.array([str(x).endswith("|" + novelty) for x in c])
        if sel.sum() >= min_count:
            out["pooled"][novelty] = [*_fit_pair(r[sel], s[sel]), int(sel.sum())]
    for cell in sorted(set(c.tolist())):
        sel = c == cell
        if sel.sum() >= min_count:
            out["cells"][cell] = [*_fit_pair(r[sel], s[sel]), int(sel.sum())]
    return out


def _pair(calibration: Mapping[str, Any], cell: str) -> tuple[float, float]:
    if cell in calibration.get("cells", {}):
        a, b = calibration["cells"][cell][:2]
        return float(a), float(b)
    novelty = cell.rsplit("|", 1)[-1]
    if novelty in calibration.get("pooled", {}):
        a, b = calibration["pooled"][novelty][:2]
        return float(a), float(b)
    a, b = calibration["overall"][:2]
    return float(a), float(b)


def apply_std_calibration(
    std: Any, metals: Iterable[Any], known_metals: Iterable[str] | None, calibration: Mapping
) -> np.ndarray:
    """Calibrated standard deviation of every row (and step) of ``std``.

    Parameters
    ----------
    std : array-like of shape (n,) or (n, N)
        Raw ensemble spread.
    metals : iterable, length n
    known_metals : iterable of str or None
        The metals the model was trained on.
    calibration : mapping
        The output of :func:`fit_std_calibration`.

    Returns
    -------
    numpy.ndarray, the shape of ``std``
    """
    sd = np.asarray(std, dtype=float)
    cells = calibration_cells(metals, known_metals)
    pairs = {c: _pair(calibration, c) for c in set(cells.tolist())}
    a = np.array([pairs[c][0] for c in cells])
    b = np.array([pairs[c][1] for c in cells])
    if sd.ndim == 2:
        a, b = a[:, None], b[:, None]
    return np.sqrt((a * sd) ** 2 + b**2)
