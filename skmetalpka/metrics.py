"""Masked regression metrics for multi-step stability constants.

This module is the single definition of every error measure used in skmetalpka (CLI,
benchmarks, cross-validation scorers, plots). It works on the project's target layout:

* ``y_true`` is a float array ``(n_samples, N)`` of **cumulative** log beta_1 .. log beta_N,
  ``NaN`` where a step was not measured (rows have different lengths).
* ``y_pred`` is ``(n_samples, M)``. Prediction columns beyond ``N`` are ignored (a model may
  predict more steps than were measured). If ``M < N`` the measured entries of the
  unpredicted steps make the call fail with a ``ValueError``; unmeasured (all-NaN) extra
  columns of ``y_true`` are simply ignored.

Only *measured* entries (finite ``y_true``) are scored. ``kind="beta"`` compares the
cumulative values; ``kind="logk"`` first converts both arrays to stepwise constants
(``log K_n = log beta_n - log beta_(n-1)``, see :func:`to_stepwise`), so a stepwise entry is
measured only when both ``beta_n`` and ``beta_(n-1)`` are.

Missing predictions
-------------------
A ``NaN`` prediction for a measured entry means that the model flagged the row (e.g. a
SMILES it could not parse). Every function takes ``missing_pred``:

* ``"raise"`` (default everywhere, scorers included): raise a ``ValueError`` naming the
  number of such entries and the first rows, so that a flagged row never silently leaves the
  score. Inside ``GridSearchCV``/``cross_validate`` this surfaces as a failed score
  (``error_score``) with the message in the warning.
* ``"ignore"``: exclude those entries from the metric. The reports
  (:func:`per_step_report`, :func:`per_group_report`, :func:`evaluate`) give their count as
  ``n_missing_pred`` so that it can be printed (the CLI ``evaluate`` command does this).

Undefined metrics
-----------------
When no entry is measured (e.g. a fold without any beta_4), the scalar metrics return
``NaN`` and emit a :class:`sklearn.exceptions.UndefinedMetricWarning`. ``masked_r2`` is also
``NaN`` (with the same warning) when the measured values have zero variance (one entry, or
all equal). The report functions return ``NaN`` in those cells without warning; their ``n``
column shows why.

R^2 definition
--------------
``masked_r2`` is ``1 - SS_res / SS_tot`` over the *pooled* selected entries, with ``SS_tot``
taken around the pooled mean. For ``step=None, kind="beta"`` the pooled values span all steps
(beta_n grows with n), so the overall R^2 is inflated by the between-step spread; compare
models with the per-step values or with RMSE.
"""

from __future__ import annotations

import warnings
from collections.abc import Callable, Sequence
from typing import Any, Literal

import numpy as np
import pandas as pd
from sklearn.exceptions import UndefinedMetricWarning
from sklearn.metrics import make_scorer

__all__ = [
    "MaskedR2ScoreMixin",
    "to_stepwise",
    "to_cumulative",
    "masked_rmse",
    "masked_mae",
    "masked_r2",
    "masked_bias",
    "per_step_report",
    "per_group_report",
    "evaluate",
    "make_masked_scorer",
    "scoring_dict",
    "SCORERS",
    "METRIC_NAMES",
]

Kind = Literal["beta", "logk"]
MissingPred = Literal["raise", "ignore"]

#: metrics usable in :func:`make_masked_scorer` (``"bias"`` is not a score and is excluded).
METRIC_NAMES: tuple[str, ...] = ("rmse", "mae", "r2")
_KINDS = ("beta", "logk")
_MISSING = ("raise", "ignore")
#: default number of steps given their own entry in :data:`SCORERS` (NIST 46 has N <= 4).
_SCORER_STEPS = 4


# --------------------------------------------------------------------------------------
# conversions
# --------------------------------------------------------------------------------------
def _as_2d(y: Any, name: str) -> np.ndarray:
    """Return ``y`` as a float64 2-D array (1-D input becomes one column)."""
    try:
        arr = np.asarray(y, dtype=np.float64)
    except (TypeError, ValueError) as exc:
        raise ValueError(
            f"{name} must be a numeric array of cumulative log beta values "
            f"(NaN = not measured); could not convert it to float: {exc}"
        ) from exc
    if arr.ndim == 1:
        arr = arr[:, None]
    if arr.ndim != 2:
        raise ValueError(
            f"{name} must be 1-D or 2-D (n_samples, n_steps); got an array of shape {arr.shape}"
        )
    if np.isinf(arr).any():
        rows = np.unique(np.nonzero(np.isinf(arr))[0])
        raise ValueError(
            f"{name} contains +/-inf in {rows.size} row(s) (first rows: {rows[:5].tolist()}); "
            "use NaN for missing values and check the model or data for overflow"
        )
    return arr


def to_stepwise(beta: Any) -> np.ndarray:
    """Convert cumulative log beta to stepwise log K.

    ``log K_1 = log beta_1`` and ``log K_n = log beta_n - log beta_(n-1)`` for ``n >= 2``.

    Parameters
    ----------
    beta : array-like of shape (n_samples, N) or (n_samples,)
        Cumulative constants, ``NaN`` where not measured.

    Returns
    -------
    ndarray of shape (n_samples, N)
        Stepwise constants; ``NaN`` wherever ``beta_n`` or ``beta_(n-1)`` is ``NaN`` (a gap
        makes the step after it unknown too).

    Examples
    --------
    >>> to_stepwise([[10.5, 19.6]])  # Cu2+ + ethylenediamine
    array([[10.5,  9.1]])
    >>> to_stepwise([[10.5, float("nan"), 25.0]])
    array([[10.5,  nan,  nan]])
    """
    b = _as_2d(beta, "beta")
    out = b.copy()
    out[:, 1:] = b[:, 1:] - b[:, :-1]
    return out


def to_cumulative(logk: Any) -> np.ndarray:
    """Convert stepwise log K to cumulative log beta (running sum).

    Parameters
    ----------
    logk : array-like of shape (n_samples, N) or (n_samples,)
        Stepwise constants, ``NaN`` where unknown.

    Returns
    -------
    ndarray of shape (n_samples, N)
        ``log beta_n = sum_{i <= n} log K_i``; a ``NaN`` step makes every later
        cumulative value ``NaN``.

    Examples
    --------
    >>> to_cumulative([[10.5, 9.1]])
    array([[10.5, 19.6]])
    """
    k = _as_2d(logk, "logk")
    return np.cumsum(k, axis=1)


# --------------------------------------------------------------------------------------
# alignment and entry selection
# --------------------------------------------------------------------------------------
def _check_choice(value: str, allowed: Sequence[str], name: str) -> None:
    if value not in allowed:
        raise ValueError(f"{name} must be one of {list(allowed)}; got {value!r}")


def _align(y_true: Any, y_pred: Any) -> tuple[np.ndarray, np.ndarray]:
    """Validate shapes and return ``(t, p)`` with the same ``(n, N)`` shape."""
    t = _as_2d(y_true, "y_true")
    p = _as_2d(y_pred, "y_pred")
    if t.shape[0] != p.shape[0]:
        raise ValueError(
            f"y_true has {t.shape[0]} rows but y_pred has {p.shape[0]}; predict on the same "
            "samples as the targets"
        )
    n_steps, m = t.shape[1], p.shape[1]
    if m < n_steps:
        extra = t[:, m:]
        measured = ~np.isnan(extra)
        if measured.any():
            rows = np.unique(np.nonzero(measured)[0])
            steps = sorted({int(j) + m + 1 for j in np.nonzero(measured)[1]})
            raise ValueError(
                f"y_pred has {m} step column(s) but y_true has measured values for step(s) "
                f"{steps} in {rows.size} row(s) (first rows: {rows[:5].tolist()}); the model "
                f"must predict at least {max(steps)} steps (e.g. raise its max_steps/n_steps), "
                "or restrict y_true to the predicted steps"
            )
        pad = np.full((p.shape[0], n_steps - m), np.nan)
        p = np.concatenate([p, pad], axis=1)
    elif m > n_steps:
        p = p[:, :n_steps]
    return t, p


def _check_step(step: int | None, n_steps: int) -> None:
    if step is None:
        return
    if isinstance(step, bool) or not isinstance(step, (int, np.integer)):
        raise ValueError(f"step must be a 1-based integer or None; got {step!r}")
    if not 1 <= step <= n_steps:
        raise ValueError(
            f"step={step} is out of range: y_true has {n_steps} step column(s), so step must "
            f"be in 1..{n_steps} (1-based: step=1 is log beta_1), or None for all steps"
        )


def _prepare(y_true: Any, y_pred: Any, kind: str) -> tuple[np.ndarray, np.ndarray]:
    _check_choice(kind, _KINDS, "kind")
    t, p = _align(y_true, y_pred)
    if kind == "logk":
        t, p = to_stepwise(t), to_stepwise(p)
    return t, p


def _select(
    t: np.ndarray,
    p: np.ndarray,
    step: int | None,
    missing_pred: str,
    *,
    kind: str,
) -> tuple[np.ndarray, np.ndarray, int]:
    """Return measured ``(true, pred)`` vectors and the number of missing predictions."""
    tv, pv, _, n_missing = _select_entries(t, p, step, missing_pred, kind=kind)
    return tv, pv, n_missing


def _select_entries(
    t: np.ndarray,
    p: np.ndarray,
    step: int | None,
    missing_pred: str,
    *,
    kind: str,
) -> tuple[np.ndarray, np.ndarray, np.ndarray, int]:
    """Like :func:`_select`, also returning the row index of each kept entry (row-major)."""
    _check_choice(missing_pred, _MISSING, "missing_pred")
    if step is not None:
        t, p = t[:, step - 1 : step], p[:, step - 1 : step]
    measured = ~np.isnan(t)
    missing = measured & np.isnan(p)
    n_missing = int(missing.sum())
    if n_missing and missing_pred == "raise":
        rows = np.unique(np.nonzero(missing)[0])
        where = "all steps" if step is None else f"step {step}"
        raise ValueError(
            f"y_pred is NaN for {n_missing} measured {kind} entr{'y' if n_missing == 1 else 'ies'} "
            f"({where}) in {rows.size} row(s) (first rows: {rows[:5].tolist()}): the model "
            "flagged these samples. Fix the inputs, or pass missing_pred='ignore' to exclude "
            "them (the reports then count them as n_missing_pred)"
        )
    keep = measured & ~missing
    return t[keep], p[keep], np.nonzero(keep)[0], n_missing


def _masked_entries(
    y_true: Any,
    y_pred: Any,
    *,
    step: int | None = None,
    kind: str = "beta",
    missing_pred: str = "raise",
) -> tuple[np.ndarray, np.ndarray, np.ndarray, int]:
    """Scored entries as ``(true, pred, row_index, n_missing_pred)``; used by :mod:`.plots`."""
    t, p = _prepare(y_true, y_pred, kind)
    _check_step(step, t.shape[1])
    return _select_entries(t, p, step, missing_pred, kind=kind)


def _stats(tv: np.ndarray, pv: np.ndarray) -> dict[str, float]:
    """RMSE/MAE/R^2/bias of already selected vectors; NaN where undefined (no warning)."""
    n = tv.size
    if n == 0:
        return {"rmse": np.nan, "mae": np.nan, "r2": np.nan, "bias": np.nan}
    err = pv - tv
    ss_tot = float(np.sum((tv - tv.mean()) ** 2))
    r2 = 1.0 - float(np.sum(err**2)) / ss_tot if ss_tot > 0 else np.nan
    return {
        "rmse": float(np.sqrt(np.mean(err**2))),
        "mae": float(np.mean(np.abs(err))),
        "r2": r2,
        "bias": float(np.mean(err)),
    }


def _scalar(
    name: str,
    y_true: Any,
    y_pred: Any,
    step: int | None,
    kind: str,
    missing_pred: str,
) -> float:
    t, p = _prepare(y_true, y_pred, kind)
    _check_step(step, t.shape[1])
    tv, pv, _ = _select(t, p, step, missing_pred, kind=kind)
    where = "any step" if step is None else f"step {step}"
    if tv.size == 0:
        warnings.warn(
            f"masked_{name}: no measured {kind} entry for {where} (after excluding missing "
            "predictions); returning NaN",
            UndefinedMetricWarning,
            stacklevel=3,
        )
        return float("nan")
    value = _stats(tv, pv)[name]
    if name == "r2" and np.isnan(value):
        warnings.warn(
            f"masked_r2: the {tv.size} measured {kind} value(s) for {where} have zero "
            "variance, so R^2 is undefined; returning NaN",
            UndefinedMetricWarning,
            stacklevel=3,
        )
    return float(value)


# --------------------------------------------------------------------------------------
# scalar metrics
# --------------------------------------------------------------------------------------
_SCALAR_DOC = """{title}

    Parameters
    ----------
    y_true : array-like of shape (n_samples, N)
        Measured cumulative log beta, ``NaN`` where not measured.
    y_pred : array-like of shape (n_samples, M)
        Predicted cumulative log beta; columns beyond ``N`` are ignored, ``M < N`` is an
        error if a measured entry has no prediction column.
    step : int or None, default=None
        1-based step to score (``step=1`` is log beta_1 / log K_1); ``None`` pools all
        measured entries of all steps.
    kind : {{"beta", "logk"}}, default="beta"
        ``"beta"`` compares cumulative values; ``"logk"`` converts both arrays to stepwise
        log K first (:func:`to_stepwise`).
    missing_pred : {{"raise", "ignore"}}, default="raise"
        What to do with ``NaN`` predictions of measured entries: raise a ``ValueError`` or
        exclude them.

    Returns
    -------
    float
        {returns} ``NaN`` with an ``UndefinedMetricWarning`` when no entry is measured.
    """


def masked_rmse(
    y_true: Any,
    y_pred: Any,
    *,
    step: int | None = None,
    kind: Kind = "beta",
    missing_pred: MissingPred = "raise",
) -> float:
    return _scalar("rmse", y_true, y_pred, step, kind, missing_pred)


def masked_mae(
    y_true: Any,
    y_pred: Any,
    *,
    step: int | None = None,
    kind: Kind = "beta",
    missing_pred: MissingPred = "raise",
) -> float:
    return _scalar("mae", y_true, y_pred, step, kind, missing_pred)


def masked_r2(
    y_true: Any,
    y_pred: Any,
    *,
    step: int | None = None,
    kind: Kind = "beta",
    missing_pred: MissingPred = "raise",
) -> float:
    return _scalar("r2", y_true, y_pred, step, kind, missing_pred)


def masked_bias(
    y_true: Any,
    y_pred: Any,
    *,
    step: int | None = None,
    kind: Kind = "beta",
    missing_pred: MissingPred = "raise",
) -> float:
    return _scalar("bias", y_true, y_pred, step, kind, missing_pred)


masked_rmse.__doc__ = _SCALAR_DOC.format(
    title="Root-mean-square error over the measured entries.",
    returns="``sqrt(mean((pred - true)**2))`` in log units.",
)
masked_mae.__doc__ = _SCALAR_DOC.format(
    title="Mean absolute error over the measured entries.",
    returns="``mean(|pred - true|)`` in log units.",
)
masked_r2.__doc__ = _SCALAR_DOC.format(
    title="Coefficient of determination over the pooled measured entries.",
    returns=(
        "``1 - SS_res / SS_tot`` with ``SS_tot`` around the mean of the pooled entries "
        "(see the module docstring: pooling all beta steps inflates it); also ``NaN`` when "
        "the measured values have zero variance."
    ),
)
masked_bias.__doc__ = _SCALAR_DOC.format(
    title="Mean signed error (predicted minus measured) over the measured entries.",
    returns="``mean(pred - true)``; positive means the model over-predicts.",
)


# --------------------------------------------------------------------------------------
# reports
# --------------------------------------------------------------------------------------
_REPORT_COLUMNS = ["n", "n_missing_pred", "rmse", "mae", "r2", "bias"]


def _report_rows(
    t: np.ndarray, p: np.ndarray, missing_pred: str, kind: str
) -> list[tuple[int | str, dict[str, float]]]:
    rows: list[tuple[int | str, dict[str, float]]] = []
    steps: list[int | None] = [*range(1, t.shape[1] + 1), None]
    for s in steps:
        tv, pv, n_missing = _select(t, p, s, missing_pred, kind=kind)
        rows.append(
            (
                "all" if s is None else s,
                {"n": tv.size, "n_missing_pred": n_missing, **_stats(tv, pv)},
            )
        )
    return rows


def per_step_report(
    y_true: Any,
    y_pred: Any,
    *,
    kind: Kind = "beta",
    missing_pred: MissingPred = "raise",
) -> pd.DataFrame:
    """Metrics per step and over all steps.

    Parameters
    ----------
    y_true, y_pred, kind, missing_pred
        As in :func:`masked_rmse`.

    Returns
    -------
    pandas.DataFrame
        Index ``step`` = ``1, 2, ..., N, "all"``; columns ``n`` (entries scored),
        ``n_missing_pred`` (measured entries with a NaN prediction, excluded when
        ``missing_pred="ignore"``), ``rmse``, ``mae``, ``r2``, ``bias``. Cells are ``NaN``
        (without warning) where the metric is undefined.
    """
    t, p = _prepare(y_true, y_pred, kind)
    rows = _report_rows(t, p, missing_pred, kind)
    df = pd.DataFrame(
        [r for _, r in rows],
        index=pd.Index([k for k, _ in rows], name="step", dtype=object),
        columns=_REPORT_COLUMNS,
    )
    return df.astype({"n": np.int64, "n_missing_pred": np.int64})


def per_group_report(
    y_true: Any,
    y_pred: Any,
    groups: Any,
    *,
    step: int | None = None,
    kind: Kind = "beta",
    missing_pred: MissingPred = "raise",
) -> pd.DataFrame:
    """Metrics per group of rows (e.g. per metal ion).

    Parameters
    ----------
    y_true, y_pred, step, kind, missing_pred
        As in :func:`masked_rmse`.
    groups : array-like of shape (n_samples,)
        Group label of each row, e.g. ``X["metal"]``.

    Returns
    -------
    pandas.DataFrame
        Index = the sorted group labels (name ``group``); columns ``n``, ``n_missing_pred``,
        ``rmse``, ``mae``, ``bias``. Groups without a measured entry keep their row with
        ``n = 0`` and NaN metrics.
    """
    t, p = _prepare(y_true, y_pred, kind)
    _check_step(step, t.shape[1])
    g = np.asarray(groups, dtype=object)
    if g.ndim != 1 or g.shape[0] != t.shape[0]:
        raise ValueError(
            f"groups must be 1-D with one label per row of y_true ({t.shape[0]}); got shape "
            f"{g.shape}"
        )
    if pd.isna(g).any():
        bad = np.nonzero(pd.isna(g))[0]
        raise ValueError(
            f"groups has {bad.size} missing label(s) (first rows: {bad[:5].tolist()}); give "
            "every row a group (e.g. fill with 'unknown')"
        )
    labels = sorted(set(g.tolist()), key=str)
    records = []
    for lab in labels:
        sel = g == lab
        tv, pv, n_missing = _select(t[sel], p[sel], step, missing_pred, kind=kind)
        st = _stats(tv, pv)
        records.append(
            {
                "n": tv.size,
                "n_missing_pred": n_missing,
                "rmse": st["rmse"],
                "mae": st["mae"],
                "bias": st["bias"],
            }
        )
    df = pd.DataFrame(records, index=pd.Index(labels, name="group", dtype=object))
    return df.astype({"n": np.int64, "n_missing_pred": np.int64})


def _json_float(x: float) -> float | None:
    return None if np.isnan(x) else float(x)


def evaluate(
    y_true: Any,
    y_pred: Any,
    *,
    missing_pred: MissingPred = "raise",
) -> dict[str, Any]:
    """All metrics for the CLI and benchmarks, as a JSON-serialisable nested dict.

    Parameters
    ----------
    y_true, y_pred, missing_pred
        As in :func:`masked_rmse`.

    Returns
    -------
    dict
        ``{"n_samples": int, "n_steps": int, "n_missing_pred": int,
        "beta": {"all": {...}, "steps": {"1": {...}, ...}}, "logk": {...}}`` where each leaf
        dict has ``n, n_missing_pred, rmse, mae, r2, bias``. Undefined values are ``None``
        (strict JSON has no NaN). The top-level ``n_missing_pred`` is the beta count.
    """
    t_beta, _ = _align(y_true, y_pred)
    out: dict[str, Any] = {
        "n_samples": int(t_beta.shape[0]),
        "n_steps": int(t_beta.shape[1]),
        "n_missing_pred": 0,
    }
    for kind in _KINDS:
        t, p = _prepare(y_true, y_pred, kind)
        block: dict[str, Any] = {"all": None, "steps": {}}
        for key, rec in _report_rows(t, p, missing_pred, kind):
            leaf = {
                "n": int(rec["n"]),
                "n_missing_pred": int(rec["n_missing_pred"]),
                **{m: _json_float(rec[m]) for m in ("rmse", "mae", "r2", "bias")},
            }
            if key == "all":
                block["all"] = leaf
            else:
                block["steps"][str(key)] = leaf
        out[kind] = block
    out["n_missing_pred"] = out["beta"]["all"]["n_missing_pred"]
    return out


# --------------------------------------------------------------------------------------
# scorers
# --------------------------------------------------------------------------------------
_METRIC_FUNCS: dict[str, Callable[..., float]] = {
    "rmse": masked_rmse,
    "mae": masked_mae,
    "r2": masked_r2,
}


def make_masked_scorer(
    metric: str = "rmse",
    step: int | None = None,
    kind: Kind = "beta",
    *,
    missing_pred: MissingPred = "raise",
) -> Callable[..., float]:
    """Build a scikit-learn scorer from a masked metric.

    The scorer is made with :func:`sklearn.metrics.make_scorer` on the masked metric, so it
    never validates ``y`` with scikit-learn's regression checks (which reject NaN) and it
    shares the ``predict`` cache of a multi-metric ``scoring`` dict. It works in
    ``cross_validate``, ``GridSearchCV`` and ``OptunaSearchCV`` with NaN in ``y``.

    Parameters
    ----------
    metric : {"rmse", "mae", "r2"}, default="rmse"
        Errors (``rmse``, ``mae``) are negated (greater is better), ``r2`` is not.
    step : int or None, default=None
        1-based step, or ``None`` for all steps pooled.
    kind : {"beta", "logk"}, default="beta"
        Compare cumulative or stepwise constants.
    missing_pred : {"raise", "ignore"}, default="raise"
        See the module docstring. With ``"raise"`` a model that returns NaN for a measured
        test entry gets ``error_score`` in a search instead of a silently smaller test set.

    Returns
    -------
    callable
        ``scorer(estimator, X, y) -> float``.
    """
    _check_choice(metric, METRIC_NAMES, "metric")
    _check_choice(kind, _KINDS, "kind")
    _check_choice(missing_pred, _MISSING, "missing_pred")
    if step is not None:
        _check_step(step, step)  # type and >= 1; the upper bound is checked against y
    return make_scorer(
        _METRIC_FUNCS[metric],
        greater_is_better=metric == "r2",
        step=step,
        kind=kind,
        missing_pred=missing_pred,
    )


def _scorer_name(metric: str, kind: str, step: int | None) -> str:
    prefix = "" if metric == "r2" else "neg_"
    return f"{prefix}{metric}_{kind}{'' if step is None else step}"


def scoring_dict(
    n_steps: int,
    *,
    metrics: Sequence[str] = METRIC_NAMES,
    kinds: Sequence[str] = _KINDS,
    missing_pred: MissingPred = "raise",
) -> dict[str, Callable[..., float]]:
    """Scorers for ``cross_validate(..., scoring=scoring_dict(N))``: overall and per step.

    Parameters
    ----------
    n_steps : int
        Number of step columns of ``y`` (steps ``1..n_steps`` each get a scorer).
    metrics : sequence of {"rmse", "mae", "r2"}, default=("rmse", "mae", "r2")
    kinds : sequence of {"beta", "logk"}, default=("beta", "logk")
    missing_pred : {"raise", "ignore"}, default="raise"

    Returns
    -------
    dict
        Name -> scorer, names like ``neg_rmse_beta`` (all steps), ``neg_rmse_beta2``,
        ``neg_mae_logk1``, ``r2_beta``. A fold without any measured entry of a step gives
        NaN for that scorer (with an ``UndefinedMetricWarning``).
    """
    if isinstance(n_steps, bool) or not isinstance(n_steps, (int, np.integer)) or n_steps < 1:
        raise ValueError(f"n_steps must be a positive integer (y.shape[1]); got {n_steps!r}")
    out: dict[str, Callable[..., float]] = {}
    for metric in metrics:
        for kind in kinds:
            for step in [None, *range(1, int(n_steps) + 1)]:
                out[_scorer_name(metric, kind, step)] = make_masked_scorer(
                    metric, step, kind, missing_pred=missing_pred
                )
    return out


#: Ready-made scorers (``missing_pred="raise"``) for steps 1..4 and all steps pooled:
#: ``neg_rmse_beta``, ``neg_rmse_beta1`` .. ``neg_rmse_beta4``, ``neg_mae_beta*``,
#: ``r2_beta*`` and the same for ``logk``.
SCORERS: dict[str, Callable[..., float]] = scoring_dict(_SCORER_STEPS)


class MaskedR2ScoreMixin:
    """The one ``score`` of every skmetalpka regressor: per-step masked R^2, averaged.

    For each step ``k`` the model predicts (``_scored_steps()``, default every predicted
    column) that has measured entries with nonzero variance in ``y``, the R^2 of its measured
    entries is :func:`masked_r2` ``(y, y_pred, step=k)``; the score is the unweighted mean over
    those steps (scikit-learn's multi-output ``"uniform_average"``). NaN in ``y`` means "not
    measured" (scikit-learn's default ``score`` would choke on it). A model that predicts each
    step's mean scores 0; a NaN prediction for a measured entry (a flagged row) raises
    ``ValueError``. For other scores use :data:`SCORERS`.
    """

    def _scored_steps(self) -> list[int]:
        """0-based steps the model predicts (all of them unless a model says otherwise)."""
        n = getattr(self, "n_steps_", None)
        return list(range(int(n))) if n is not None else []

    def score(self, X: Any, y: Any, sample_weight: Any = None) -> float:
        """Mean over the predicted steps of the masked R^2 of cumulative log beta.

        Parameters
        ----------
        X : input of ``predict``
        y : array-like of shape (n_samples, N)
            Cumulative log beta, NaN where not measured.
        sample_weight : None
            Not supported (must be None).

        Returns
        -------
        float
            NaN when no step has measured entries with nonzero variance.
        """
        if sample_weight is not None:
            raise ValueError("sample_weight is not supported by the masked score")
        pred = _as_2d(self.predict(X), "y_pred")
        Y = _as_2d(y, "y")
        if Y.shape[0] != pred.shape[0]:
            raise ValueError(f"X has {pred.shape[0]} rows but y has {Y.shape[0]}; they must match")
        steps = self._scored_steps() or list(range(pred.shape[1]))
        values = []
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", UndefinedMetricWarning)
            for k in steps:
                if k >= Y.shape[1] or k >= pred.shape[1]:
                    break
                v = masked_r2(Y[:, : k + 1], pred[:, : k + 1], step=k + 1)
                if not np.isnan(v):
                    values.append(v)
        return float(np.mean(values)) if values else float("nan")
