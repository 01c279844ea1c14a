"""Row-safe prediction: every input row comes back, in order, predicted or with its reason.

:func:`predict_rows` / :func:`predict_frame` predict a table row by row *without ever
aborting on a bad row*: the reason of every invalid row is computed first
(:func:`skmetalpka.featurize.rows.row_errors`), only the valid rows are predicted, and the result is
reassembled in input order with an ``error`` column (and a ``warning`` column for metals outside
the training set). :func:`predict_csv` streams a CSV file of any size through the same path.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import IO, Any

import numpy as np
import pandas as pd

from ._base import estimator_metals, pad_steps, supports_std
from ._files import atomic_open
from .conditions import CONDITION_COLUMNS
from .exceptions import InputError
from .tables import DEFAULT_CHUNKSIZE, _check_file, iter_prediction_input


def estimator_n_steps(estimator: Any) -> int | None:
    """Number of steps ``N`` a fitted estimator predicts (``n_steps_`` of it or its last step)."""
    n = getattr(estimator, "n_steps_", None)
    if n is None and hasattr(estimator, "steps"):
        n = getattr(estimator.steps[-1][1], "n_steps_", None)
    return None if n is None else int(n)


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()
    return f"{type(exc).__name__}: {text[0] if text else ''}".rstrip(": ")


def _to_width(pred: Any, n_rows: int, width: int) -> np.ndarray:
    arr = np.asarray(pred, dtype=np.float64)
    if arr.ndim == 1:
        arr = arr[:, None]
    if arr.shape[0] != n_rows:
        raise ValueError(f"the model returned {arr.shape[0]} rows of predictions for {n_rows} rows")
    return pad_steps(arr, width)


#: Start of the ``error`` of a row on which the estimator itself raised (see :func:`predict_rows`).
MODEL_FAILURE = "model could not predict this row"


def model_failure(errors: Sequence[str]) -> str | None:
    """The estimator's failure when it failed on *every* row that reached it, else ``None``.

    A model that raises on every valid row is broken as a whole (for example a model file
    pickled by another version of the code), not refusing individual rows.

    Parameters
    ----------
    errors : sequence of str
        The ``errors`` of :func:`predict_rows`.

    Returns
    -------
    str or None
        The first failure message, or ``None`` when at least one row was predicted or no row
        reached the model.
    """
    reached = [e for e in errors if not e or e.startswith(MODEL_FAILURE)]
    if reached and all(e.startswith(MODEL_FAILURE) for e in reached):
        return reached[0][len(MODEL_FAILURE) :].lstrip(": ")
    return None


def predict_rows(
    estimator: Any, X: pd.DataFrame, *, n_steps: int | None = None
) -> tuple[np.ndarray, list[str]]:
    """Predict every row of ``X`` that can be predicted; give the reason for the others.

    The reason of each invalid row (unknown metal, invalid or empty SMILES, condition that is
    not a number) is computed first with :func:`skmetalpka.baselines.row_errors`; only the
    valid rows are passed to ``estimator.predict``. If the estimator still refuses the batch,
    the rows are predicted one by one so that one bad row cannot take the others down.

    Parameters
    ----------
    estimator : fitted estimator
        Any skmetalpka model (``predict(X) -> (n, N)``).
    X : pandas.DataFrame
        Columns ``metal``, ``smiles`` and optionally ``temperature``, ``ionic_strength`` (and
        anything else the estimator uses).
    n_steps : int, optional
        Width of the result; default :func:`estimator_n_steps`. Narrower predictions are
        padded with NaN.

    Returns
    -------
    y_pred : numpy.ndarray of shape (n_samples, n_steps)
        Cumulative log beta; NaN rows where the row could not be predicted.
    errors : list of str
        ``''`` for predicted rows, else the reason, in row order. A valid row for which the
        model returned only NaN gets an error too.
    """
    from .conditions import check_input_frame
    from .featurize.rows import row_errors

    X = check_input_frame(X)
    n = len(X)
    width = n_steps if n_steps is not None else estimator_n_steps(estimator)
    errors = [str(e) for e in row_errors(X).tolist()]
    valid = np.array([e == "" for e in errors], dtype=bool)
    sub = X.iloc[np.flatnonzero(valid)].copy()
    for name in CONDITION_COLUMNS:
        if name in sub.columns:
            sub[name] = pd.to_numeric(sub[name], errors="coerce").astype("float64")
    pred_valid: np.ndarray | None = None
    if len(sub):
        try:
            pred_valid = np.asarray(estimator.predict(sub), dtype=np.float64)
        except Exception:  # the estimator refused the batch: isolate the culprit rows
            pred_valid = None
    if width is None:
        width = 1 if pred_valid is None else (pred_valid.shape[1] if pred_valid.ndim == 2 else 1)
    out = np.full((n, width), np.nan)
    positions = np.flatnonzero(valid)
    if pred_valid is not None:
        out[positions] = _to_width(pred_valid, len(positions), width)
    else:
        for j, pos in enumerate(positions):
            try:
                out[pos] = _to_width(estimator.predict(sub.iloc[j : j + 1]), 1, width)[0]
            except Exception as exc:  # report the failure of this row, keep going
                errors[pos] = f"{MODEL_FAILURE}: {_first_line(exc)}"
    for pos in positions:
        if not errors[pos] and np.all(np.isnan(out[pos])):
            errors[pos] = "the model returned no prediction for this row"
    return out, errors


def training_metals(estimator: Any) -> list[str] | None:
    """Metals a fitted estimator was trained on (``metals_`` of it, its last step, its first
    ensemble member or the model it wraps), or ``None`` when it does not record them."""
    return estimator_metals(estimator)


def row_warnings(
    metals: Sequence[Any],
    known_metals: Iterable[str] | None,
    interpolated: Sequence[bool] | None = None,
) -> list[str]:
    """Per-row warning for metals outside the training set (extrapolation from descriptors).

    Parameters
    ----------
    metals : sequence
        The ``metal`` cells of the rows (any accepted spelling).
    known_metals : iterable of str or None
        Canonical training metals; ``None`` gives no warnings.
    interpolated : sequence of bool, optional
        Rows whose log beta_1 a blend member interpolated along a metal series from the same
        ligand's values with other metals of the series or its anchor ions (the estimator's ``interpolates(X)``, e.g.
        :meth:`skmetalpka.model.BlendRegressor.interpolates`); their warning says so.

    Returns
    -------
    list of str
        ``''`` or ``"metal Xx3+ was not in the training data: predicted from its descriptors
        (extrapolation)"`` (for an interpolated row: ``"...: log beta_1 interpolated along its
        series from the same ligand's values with other metals of the series (or with the
        series' anchor ions such as Y3+/Sc3+), the other steps predicted from its descriptors
        (extrapolation)"``); rows whose metal cannot be parsed get ``''`` (their
        ``error`` says why).
    """
    from .ions import canonical_or_none

    if known_metals is None:
        return [""] * len(metals)
    known = set(known_metals)
    out: list[str] = []
    for i, m in enumerate(metals):
        ion = canonical_or_none(m)
        if ion is None or ion in known:
            out.append("")
        elif interpolated is not None and interpolated[i]:
            out.append(
                f"metal {ion} was not in the training data: log beta_1 interpolated along its "
                "series from the same ligand's values with other metals of the series (or with "
                "the series' anchor ions such as Y3+/Sc3+), the other steps predicted from its "
                "descriptors (extrapolation)"
            )
        else:
            out.append(
                f"metal {ion} was not in the training data: predicted from its descriptors "
                "(extrapolation)"
            )
    return out


class _MeanStd:
    """Adapter: ``predict`` gives ``[mean | std]`` side by side, so that the row-safe
    machinery of :func:`predict_rows` handles both at once."""

    def __init__(self, estimator: Any, width: int | None) -> None:
        self.estimator = estimator
        self.width = width

    def predict(self, X: pd.DataFrame) -> np.ndarray:
        mean, std = self.estimator.predict(X, return_std=True)
        mean, std = np.asarray(mean, dtype=float), np.asarray(std, dtype=float)
        if mean.ndim == 1:
            mean, std = mean[:, None], std[:, None]
        w = self.width or mean.shape[1]
        return np.hstack([_to_width(mean, len(mean), w), _to_width(std, len(std), w)])


def predict_frame(
    estimator: Any,
    X: pd.DataFrame,
    *,
    n_steps: int | None = None,
    known_metals: Iterable[str] | None = None,
    return_std: bool = False,
) -> pd.DataFrame:
    """Predictions as a table: one row per input row, in order, with ``error`` and ``warning``.

    Parameters
    ----------
    estimator, X, n_steps
        As in :func:`predict_rows`.
    known_metals : iterable of str, optional
        Training metals (canonical spelling); default :func:`training_metals` of the
        estimator. Rows with another metal get a ``warning``.
    return_std : bool, default=False
        Add ``log_beta_<n>_std`` columns (the ensemble's standard deviation); the estimator
        must accept ``predict(X, return_std=True)`` (``skmetalpka._base.supports_std``).

    Returns
    -------
    pandas.DataFrame
        Columns ``metal``, ``smiles`` (as given), ``log_beta_1`` .. ``log_beta_N`` (NaN where
        not predicted), with ``return_std`` ``log_beta_1_std`` .. ``log_beta_N_std``, then
        ``error`` (``''`` when the row was predicted) and ``warning`` (``''``, or why the
        prediction is an extrapolation). The index is that of ``X``.

    Raises
    ------
    ValueError
        ``return_std=True`` with an estimator that has no standard deviation.
    """
    std = None
    if return_std:
        if not supports_std(estimator):
            raise ValueError(
                f"{type(estimator).__name__} gives no standard deviation; use an ensemble "
                "(make_model('gnn', n_members=5)) or the packaged default model"
            )
        width = n_steps if n_steps is not None else estimator_n_steps(estimator)
        both, errors = predict_rows(
            _MeanStd(estimator, width), X, n_steps=None if width is None else 2 * width
        )
        half = both.shape[1] // 2
        pred, std = both[:, :half], both[:, half:]
    else:
        pred, errors = predict_rows(estimator, X, n_steps=n_steps)
    if known_metals is None:
        known_metals = training_metals(estimator)
    out = pd.DataFrame(
        {"metal": X["metal"].tolist(), "smiles": X["smiles"].tolist()}, index=X.index
    )
    for k in range(pred.shape[1]):
        out[f"log_beta_{k + 1}"] = pred[:, k]
    if std is not None:
        for k in range(std.shape[1]):
            out[f"log_beta_{k + 1}_std"] = std[:, k]
    out["error"] = errors
    warn = row_warnings(X["metal"].tolist(), known_metals)
    ask = getattr(estimator, "interpolates", None)  # a blend with a series member
    if callable(ask) and any(warn):
        flagged = np.array([bool(w) for w in warn])
        mask = np.zeros(len(warn), dtype=bool)
        mask[flagged] = ask(X.loc[flagged])
        if mask.any():
            warn = row_warnings(X["metal"].tolist(), known_metals, interpolated=mask)
    out["warning"] = [w if not e else "" for w, e in zip(warn, errors, strict=True)]
    return out


def predict_csv(
    estimator: Any,
    path: str | os.PathLike[str],
    dest: str | os.PathLike[str] | IO[str],
    *,
    n_steps: int | None = None,
    known_metals: Iterable[str] | None = None,
    chunksize: int = DEFAULT_CHUNKSIZE,
    progress: bool = False,
    check_first_chunk: Any = None,
    return_std: bool = False,
) -> dict[str, int]:
    """Predict a CSV file of any size chunk by chunk, writing the rows as they are predicted.

    Memory depends on ``chunksize``, not on the number of rows. A file destination is written
    to a temporary file and renamed at the end, so an error part-way (a malformed line deep in
    the input) leaves no partial output file; a stream gets the rows written so far.

    Parameters
    ----------
    estimator : fitted estimator
    path : str or path-like
        Input CSV (see :func:`read_prediction_input`).
    dest : str, path-like or text stream
    n_steps : int, optional
        Width of the output; default the estimator's (kept the same for every chunk).
    known_metals : iterable of str, optional
        See :func:`predict_frame`.
    chunksize : int, default=10000
    progress : bool, default=False
        tqdm bar over rows on stderr.
    check_first_chunk : callable, optional
        Called with the first chunk's ``error`` list before anything is written (the CLI uses
        it to refuse a model that fails on every row).
    return_std : bool, default=False
        Add the ``log_beta_<n>_std`` columns (see :func:`predict_frame`).

    Returns
    -------
    dict
        ``n_rows``, ``n_errors``, ``n_warnings``.
    """
    from tqdm.auto import tqdm

    if known_metals is None:
        known_metals = training_metals(estimator)
    known = None if known_metals is None else list(known_metals)
    total = None
    if progress:
        with open(_check_file(path, "prediction input"), "rb") as fh:
            total = max(0, sum(1 for _ in fh) - 1)  # lines; quoted line breaks overcount
    counts = {"n_rows": 0, "n_errors": 0, "n_warnings": 0}
    to_file = not hasattr(dest, "write")
    where = repr(str(Path(dest).expanduser())) if to_file else "the output stream"  # type: ignore[arg-type]
    try:
        with contextlib.ExitStack() as stack:
            fh_out: Any = dest
            if to_file:  # written next to its place, renamed when every row is in
                fh_out = stack.enter_context(
                    atomic_open(Path(dest).expanduser(), "w", newline="")  # type: ignore[arg-type]
                )
            bar = stack.enter_context(
                tqdm(total=total, desc="predict", unit="row", disable=not progress, leave=False)
            )
            width = n_steps
            for i, X in enumerate(iter_prediction_input(path, chunksize=chunksize)):
                out = predict_frame(
                    estimator, X, n_steps=width, known_metals=known, return_std=return_std
                )
                if i == 0 and check_first_chunk is not None:
                    check_first_chunk(out["error"].tolist())
                width = sum(
                    c.startswith("log_beta_") and not c.endswith("_std") for c in out.columns
                )
                out.to_csv(fh_out, index=False, header=(i == 0), na_rep="", lineterminator="\n")
                counts["n_rows"] += len(out)
                counts["n_errors"] += int((out["error"] != "").sum())
                counts["n_warnings"] += int((out["warning"] != "").sum())
                bar.update(len(out))
    except OSError as exc:
        raise InputError(
            f"could not write the predictions to {where}: {exc.strerror or exc}"
        ) from exc
    return counts
