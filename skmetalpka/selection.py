"""Model selection: grouped cross-validation with shared folds, and evaluation of a fitted model.

:func:`grouped_cv` runs every model on **the same** :class:`~sklearn.model_selection.GroupKFold`
folds (grouped by metal, by ligand or by any labels), keeps the out-of-fold predictions and
scores them with :func:`skmetalpka.metrics.evaluate` (``missing_pred="ignore"``; the number of
measured entries without a prediction is reported as ``n_missing_pred``).

Ligand groups are canonical SMILES (:func:`skmetalpka.chem.canonical_smiles`), so that two
spellings of one ligand never end up on both sides of a split; metal groups are canonical ion
spellings (``Cu(II)`` and ``Cu2+`` are one group). A label that cannot be canonicalised is
used as written.
"""

from __future__ import annotations

import os
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
from sklearn.base import clone
from sklearn.model_selection import GroupKFold

from ._base import pad_steps, set_random_state
from ._threads import job_threads, limit_threads
from .conditions import check_input_frame
from .groups import GROUP_KINDS, make_groups
from .inference import predict_rows
from .metrics import evaluate, per_step_report
from .pipelines.registry import build_model

__all__ = [
    "GROUP_KINDS",
    "CVResult",
    "make_groups",
    "set_random_state",
    "build_model",
    "grouped_cv",
    "evaluate_model",
    "format_markdown_table",
]

_TABLE_COLUMNS = ["n", "n_missing_pred", "rmse", "mae", "r2"]


# --------------------------------------------------------------------------------------
# cross-validation
# --------------------------------------------------------------------------------------
def _as_2d_target(y: Any, n: int) -> np.ndarray:
    Y = np.asarray(y, dtype=np.float64)
    if Y.ndim == 1:
        Y = Y[:, None]
    if Y.ndim != 2 or Y.shape[0] != n:
        raise ValueError(f"y must have shape (n_samples={n}, N); got {Y.shape}")
    return Y


def _fit_predict(
    name: str,
    estimator: Any,
    X: pd.DataFrame,
    Y: np.ndarray,
    train: np.ndarray,
    test: np.ndarray,
    n_threads: int | None = None,
) -> tuple[np.ndarray, float]:
    n_threads = job_threads(n_threads)  # on a Dask worker: the worker's budget
    if n_threads is not None:  # a joblib worker: share the cores, do not oversubscribe them
        limit_threads(n_threads)
    t0 = time.perf_counter()
    est = clone(estimator).fit(X.iloc[train], Y[train])
    pred = np.asarray(est.predict(X.iloc[test]), dtype=np.float64)
    return pad_steps(pred, Y.shape[1]), time.perf_counter() - t0


def format_markdown_table(df: pd.DataFrame, *, floatfmt: str = ".3f") -> str:
    """A DataFrame as a GitHub markdown table (index as first column; NaN shown as ``-``)."""

    def cell(v: Any, integer: bool) -> str:
        if isinstance(v, float | np.floating) and np.isnan(v):
            return "-"
        if integer:
            return str(int(v))
        if isinstance(v, float | np.floating):
            return format(float(v), floatfmt)
        return str(v)

    ints = [pd.api.types.is_integer_dtype(df[c]) for c in df.columns]
    header = [str(df.index.name or ""), *map(str, df.columns)]
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    for idx, values in zip(df.index, df.itertuples(index=False), strict=True):
        cells = [cell(v, i) for v, i in zip(values, ints, strict=True)]
        lines.append("| " + " | ".join([str(idx), *cells]) + " |")
    return "\n".join(lines)


@dataclass
class CVResult:
    """Out-of-fold predictions and scores of :func:`grouped_cv`.

    Attributes
    ----------
    predictions : dict of str -> ndarray of shape (n_samples, N)
        Out-of-fold cumulative log beta per model (NaN where the model gave none).
    folds : ndarray of int, shape (n_samples,)
        Test fold (0-based) of each row; the same for every model.
    groups : ndarray of object, shape (n_samples,)
        Group label of each row.
    group_kind : str
        ``"metal"``, ``"ligand"`` or ``"custom"``.
    n_splits : int
    y_true : ndarray of shape (n_samples, N)
    metrics : dict of str -> dict
        :func:`skmetalpka.metrics.evaluate` of the out-of-fold predictions per model
        (``missing_pred="ignore"``).
    fit_time : dict of str -> list of float
        Seconds to fit and predict each fold, per model.
    """

    predictions: dict[str, np.ndarray]
    folds: np.ndarray
    groups: np.ndarray
    group_kind: str
    n_splits: int
    y_true: np.ndarray
    metrics: dict[str, dict[str, Any]] = field(default_factory=dict)
    fit_time: dict[str, list[float]] = field(default_factory=dict)

    @property
    def model_names(self) -> list[str]:
        """Names of the models, in the order given."""
        return list(self.predictions)

    @property
    def fold_sizes(self) -> list[int]:
        """Rows in each test fold."""
        return np.bincount(self.folds, minlength=self.n_splits).tolist()

    def per_step(self, name: str, *, kind: str = "beta") -> pd.DataFrame:
        """Per-step report of one model (:func:`skmetalpka.metrics.per_step_report`).

        The index is ``beta_1 .. beta_N, all`` (``logK_n`` for ``kind="logk"``); columns
        ``n, n_missing_pred, rmse, mae, r2``.
        """
        rep = per_step_report(self.y_true, self.predictions[name], kind=kind, missing_pred="ignore")
        prefix = "beta_" if kind == "beta" else "logK_"
        rep.index = pd.Index([s if s == "all" else f"{prefix}{s}" for s in rep.index], name="step")
        return rep[_TABLE_COLUMNS]

    def summary(self, *, kind: str = "beta") -> pd.DataFrame:
        """One row per model: metrics over all steps pooled (``n, n_missing_pred, rmse, mae, r2``)."""
        rows = {name: self.per_step(name, kind=kind).loc["all"] for name in self.model_names}
        df = pd.DataFrame(rows).T
        df.index.name = "model"
        return df.astype({"n": np.int64, "n_missing_pred": np.int64})

    def to_dict(self) -> dict[str, Any]:
        """JSON-serialisable summary (no per-row predictions)."""
        return {
            "n_samples": int(self.y_true.shape[0]),
            "n_steps": int(self.y_true.shape[1]),
            "n_splits": int(self.n_splits),
            "groups": self.group_kind,
            "n_groups": int(len(set(self.groups.tolist()))),
            "fold_sizes": self.fold_sizes,
            "models": {
                name: {
                    "metrics": self.metrics[name],
                    "fit_time_s": [round(float(t), 4) for t in self.fit_time.get(name, [])],
                }
                for name in self.model_names
            },
        }

    def to_markdown(self, *, title: str = "Cross-validation report", source: str = "") -> str:
        """Markdown report: setup, comparison table and one per-step table per model."""
        d = self.to_dict()
        lines = [f"# {title}", ""]
        if source:
            lines.append(f"* data: {source}")
        lines += [
            f"* {d['n_samples']} samples, N = {d['n_steps']} steps",
            f"* {self.n_splits}-fold GroupKFold by {self.group_kind} ({d['n_groups']} groups); "
            f"test fold sizes {d['fold_sizes']}; the same folds for every model",
            "* metrics on measured entries only; cumulative log beta; `n_missing_pred` counts "
            "measured entries the model gave no prediction for (left out of the metrics)",
            "* the R^2 of `all` pools every step (beta_n grows with n), which inflates it; "
            "compare models per step or by RMSE",
            "",
            "## All steps pooled",
            "",
            format_markdown_table(self.summary()),
            "",
        ]
        for name in self.model_names:
            lines += [f"## {name}", "", format_markdown_table(self.per_step(name)), ""]
        return "\n".join(lines)


def grouped_cv(
    models: Mapping[str, Any],
    X: pd.DataFrame,
    y: Any,
    *,
    groups: str | Any = "ligand",
    n_splits: int = 5,
    n_jobs: int | None = None,
    random_state: int | None = None,
    progress: bool = False,
) -> CVResult:
    """Cross-validate several models on the same group folds.

    Parameters
    ----------
    models : mapping of str -> estimator
        Unfitted estimators by name; each is cloned for every fold.
    X : pandas.DataFrame
        Columns ``metal``, ``smiles`` (and whatever the models use).
    y : array-like of shape (n_samples, N)
        Cumulative log beta, NaN where not measured.
    groups : {"metal", "ligand"} or array-like, default="ligand"
        See :func:`make_groups`.
    n_splits : int, default=5
        Number of folds (at least 2, at most the number of groups).
    n_jobs : int or None, default=None
        Parallel (model, fold) fits with joblib; ``None`` runs them one after the other. Each
        worker gets ``cpu_count // n_jobs`` torch and BLAS threads (at least 1), so parallel
        fits do not oversubscribe the cores. Under
        ``joblib.parallel_config(backend="dask")`` the fits run on the Dask workers, each
        with the worker's thread budget (:func:`skmetalpka._threads.dask_worker_threads`).
    random_state : int or None, default=None
        ``None``: the deterministic, size-balanced GroupKFold assignment; an int shuffles
        the groups before assigning them (``GroupKFold(shuffle=True)``).
    progress : bool, default=False
        Show a tqdm progress bar (on stderr) over the (model, fold) fits.

    Returns
    -------
    CVResult

    Raises
    ------
    ValueError
        No model, too few groups for ``n_splits``, or malformed ``X`` / ``y``.
    RuntimeError
        When a model fails in a fold (the message names the model and the fold).
    """
    from joblib import Parallel, delayed
    from tqdm.auto import tqdm

    if not isinstance(models, Mapping) or not models:
        raise ValueError("models must be a non-empty dict of name -> unfitted estimator")
    X = check_input_frame(X)
    Y = _as_2d_target(y, len(X))
    g = make_groups(X, groups)
    n_groups = len(set(g.tolist()))
    if isinstance(n_splits, bool) or not isinstance(n_splits, int | np.integer) or n_splits < 2:
        raise ValueError(f"n_splits must be an integer >= 2, got {n_splits!r}")
    if n_splits > n_groups:
        raise ValueError(
            f"cannot make {n_splits} folds from {n_groups} group(s); use n_splits <= {n_groups} "
            "or group by something finer"
        )
    kind = groups if isinstance(groups, str) else "custom"
    cv = GroupKFold(
        n_splits=int(n_splits), shuffle=random_state is not None, random_state=random_state
    )
    splits = list(cv.split(X, Y, g))
    folds = np.empty(len(X), dtype=np.int64)
    for k, (_, test) in enumerate(splits):
        folds[test] = k

    tasks = [(name, k) for name in models for k in range(len(splits))]
    predictions = {name: np.full(Y.shape, np.nan) for name in models}
    fit_time: dict[str, list[float]] = {name: [0.0] * len(splits) for name in models}
    parallel = n_jobs is not None and n_jobs != 1
    n_threads = _threads_per_job(n_jobs) if parallel else None
    jobs = (
        delayed(_fit_predict)(name, models[name], X, Y, splits[k][0], splits[k][1], n_threads)
        for name, k in tasks
    )
    bar = tqdm(total=len(tasks), desc="cv", unit="fit", disable=not progress, leave=False)
    try:
        if not parallel:
            results: Any = (_run_one(job) for job in jobs)
        else:
            results = Parallel(n_jobs=n_jobs, return_as="generator")(jobs)
        it = iter(results)
        for name, k in tasks:
            bar.set_postfix_str(f"{name} fold {k + 1}/{len(splits)}")
            try:
                pred, seconds = next(it)
            except Exception as exc:
                raise RuntimeError(
                    f"cross-validation of model {name!r} failed in fold {k + 1}/{len(splits)}: "
                    f"{type(exc).__name__}: {exc}"
                ) from exc
            predictions[name][splits[k][1]] = pred
            fit_time[name][k] = seconds
            bar.update(1)
    finally:
        bar.close()

    metrics = {name: evaluate(Y, predictions[name], missing_pred="ignore") for name in models}
    return CVResult(
        predictions=predictions,
        folds=folds,
        groups=g,
        group_kind=kind,
        n_splits=len(splits),
        y_true=Y,
        metrics=metrics,
        fit_time=fit_time,
    )


def _threads_per_job(n_jobs: int) -> int:
    """Torch/BLAS threads per joblib worker: the cores divided among the parallel fits."""
    from joblib import effective_n_jobs

    cores = os.cpu_count() or 1
    return max(1, cores // max(1, effective_n_jobs(n_jobs)))


def _run_one(job: Any) -> Any:
    func, args, kwargs = job
    return func(*args, **kwargs)


# --------------------------------------------------------------------------------------
# evaluation of a fitted model
# --------------------------------------------------------------------------------------
def evaluate_model(
    estimator: Any, X: pd.DataFrame, y: Any, *, n_steps: int | None = None
) -> dict[str, Any]:
    """Score a fitted model on a data set, counting the rows it could not predict.

    Rows the model cannot predict (invalid metal or SMILES, or refused by the model) are
    found with :func:`skmetalpka.inference.predict_rows`; their measured entries are left out of the
    metrics (``missing_pred="ignore"``) and counted.

    Parameters
    ----------
    estimator : fitted estimator
    X : pandas.DataFrame
    y : array-like of shape (n_samples, N)
    n_steps : int, optional
        Width of the model's predictions (default: read from the estimator).

    Returns
    -------
    dict
        ``{"metrics": evaluate(...), "n_rows": int, "n_rows_unpredicted": int,
        "unpredicted": [{"row", "metal", "smiles", "error"}, ...]}`` (``row`` is the 0-based
        position in ``X``).
    """

    X = check_input_frame(X)
    Y = _as_2d_target(y, len(X))
    pred, errors = predict_rows(estimator, X, n_steps=n_steps)
    pred = pad_steps(pred, Y.shape[1], truncate=False)
    bad = [i for i, e in enumerate(errors) if e]
    return {
        "metrics": evaluate(Y, pred, missing_pred="ignore"),
        "n_rows": len(X),
        "n_rows_unpredicted": len(bad),
        "unpredicted": [
            {
                "row": i,
                "metal": str(X["metal"].iloc[i]),
                "smiles": str(X["smiles"].iloc[i]),
                "error": errors[i],
            }
            for i in bad
        ],
    }
