"""Matplotlib figures for model evaluation.

All figures are built with the object API (:class:`matplotlib.figure.Figure` on an Agg
canvas): nothing is registered with ``pyplot``, nothing is ever shown, and the current
backend of an interactive session is left alone. Matplotlib is imported inside the
functions so that ``import skmetalpka`` does not pay for it. Numbers shown on the figures
come from :mod:`skmetalpka.metrics`, the single definition of the metrics.

Every function that scores predictions takes ``missing_pred`` (``"raise"`` by default) with
the meaning of :mod:`skmetalpka.metrics`: with ``"ignore"`` the count of excluded entries is
written on the figure.
"""

from __future__ import annotations

import io
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from ._files import write_bytes
from .metrics import _as_2d, _masked_entries, masked_r2, masked_rmse, per_group_report

if TYPE_CHECKING:  # pragma: no cover
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

__all__ = [
    "parity_plot",
    "per_step_bar",
    "per_group_bar",
    "residual_hist",
    "save_figure",
    "cv_figures",
]


def _new_figure(figsize: tuple[float, float]) -> tuple[Figure, Axes]:
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    fig = Figure(figsize=figsize, layout="constrained")
    FigureCanvasAgg(fig)
    return fig, fig.add_subplot()


def _colors(n: int) -> list[Any]:
    from matplotlib import colormaps

    cmap = colormaps["tab10" if n <= 10 else "tab20"]
    return [cmap(i % cmap.N) for i in range(n)]


def _quantity(kind: str, step: int | None) -> str:
    sym = "β" if kind == "beta" else "K"
    return f"log {sym}_{'n' if step is None else step}"


def parity_plot(
    y_true: Any,
    y_pred: Any,
    *,
    groups: Any = None,
    step: int | None = None,
    kind: str = "beta",
    ax: Axes | None = None,
    title: str | None = None,
    missing_pred: str = "raise",
) -> Figure:
    """Measured against predicted constants, with the y = x line.

    Parameters
    ----------
    y_true : array-like of shape (n_samples, N)
        Measured cumulative log beta, NaN where not measured.
    y_pred : array-like of shape (n_samples, M)
        Predicted cumulative log beta (see :func:`skmetalpka.metrics.masked_rmse`).
    groups : array-like of shape (n_samples,), optional
        Row labels (e.g. ``X["metal"]``); points are coloured by group with a legend giving
        each group's number of points. Missing labels are shown as the group "unknown".
    step : int or None, default=None
        1-based step to plot, or ``None`` for all measured steps.
    kind : {"beta", "logk"}, default="beta"
        Plot cumulative log beta or stepwise log K.
    ax : matplotlib Axes, optional
        Draw into this Axes instead of a new figure.
    title : str, optional
        Axes title.
    missing_pred : {"raise", "ignore"}, default="raise"
        Handling of NaN predictions for measured entries.

    Returns
    -------
    matplotlib.figure.Figure
        The figure holding the plot; the annotation gives RMSE, R^2 and n computed by
        :func:`skmetalpka.metrics.masked_rmse` / :func:`~skmetalpka.metrics.masked_r2`.
    """
    tv, pv, rows, n_missing = _masked_entries(
        y_true, y_pred, step=step, kind=kind, missing_pred=missing_pred
    )
    if ax is None:
        fig, ax = _new_figure((5.5, 5.0))
    else:
        fig = ax.figure
    if groups is not None:
        g = np.asarray(groups, dtype=object)
        n_rows = _as_2d(y_true, "y_true").shape[0]
        if g.ndim != 1 or g.shape[0] != n_rows:
            raise ValueError(
                f"groups must be 1-D with one label per row of y_true ({n_rows}); "
                f"got shape {g.shape}"
            )
        g_entries = pd.Series(g[rows]).fillna("unknown").astype(str).to_numpy()
        labels = sorted(set(g_entries.tolist()))
        for lab, color in zip(labels, _colors(len(labels)), strict=True):
            sel = g_entries == lab
            ax.scatter(
                tv[sel], pv[sel], s=14, alpha=0.7, color=color, label=f"{lab} ({int(sel.sum())})"
            )
        if labels:
            ax.legend(title="group (n)", fontsize="small", loc="lower right")
    else:
        ax.scatter(tv, pv, s=14, alpha=0.7, color=_colors(1)[0])
    if tv.size:
        lo = float(min(tv.min(), pv.min()))
        hi = float(max(tv.max(), pv.max()))
        pad = 0.05 * (hi - lo) if hi > lo else 1.0
        lo, hi = lo - pad, hi + pad
    else:
        lo, hi = 0.0, 1.0
    ax.plot([lo, hi], [lo, hi], color="0.3", lw=1, ls="--", zorder=0)
    ax.set_xlim(lo, hi)
    ax.set_ylim(lo, hi)
    ax.set_aspect("equal", adjustable="box")
    q = _quantity(kind, step)
    ax.set_xlabel(f"measured {q}")
    ax.set_ylabel(f"predicted {q}")
    lines = [f"n = {tv.size}"]
    if tv.size:
        ign = {"missing_pred": "ignore"}
        rmse = masked_rmse(y_true, y_pred, step=step, kind=kind, **ign)
        lines = [f"RMSE = {rmse:.2f}"]
        if tv.size > 1 and np.ptp(tv) > 0:
            r2 = masked_r2(y_true, y_pred, step=step, kind=kind, **ign)
            lines.append(f"R² = {r2:.3f}")
        lines.append(f"n = {tv.size}")
    if n_missing:
        lines.append(f"{n_missing} missing prediction(s) excluded")
    ax.text(
        0.03,
        0.97,
        "\n".join(lines),
        transform=ax.transAxes,
        va="top",
        ha="left",
        fontsize="small",
        bbox={"boxstyle": "round", "facecolor": "white", "alpha": 0.8},
    )
    if title is not None:
        ax.set_title(title)
    return fig


def per_step_bar(
    reports: Mapping[str, pd.DataFrame],
    *,
    metric: str = "rmse",
    title: str | None = None,
) -> Figure:
    """Grouped bars of a metric per step for several models.

    Parameters
    ----------
    reports : mapping of model name -> DataFrame
        Outputs of :func:`skmetalpka.metrics.per_step_report` (index ``1..N, "all"``; the
        ``"all"`` row is not drawn).
    metric : str, default="rmse"
        Column of the reports to plot.
    title : str, optional
        Axes title.

    Returns
    -------
    matplotlib.figure.Figure
        One bar per (model, step); x = "step n (log β_n)", y = "RMSE (log units)".
    """
    if not reports:
        raise ValueError("reports is empty: pass {model name: per_step_report(...)}")
    for name, rep in reports.items():
        if metric not in rep.columns:
            raise ValueError(
                f"report {name!r} has no column {metric!r} (columns: {list(rep.columns)}); "
                "pass the output of skmetalpka.metrics.per_step_report"
            )
    steps = sorted({int(s) for rep in reports.values() for s in rep.index if s != "all"})
    fig, ax = _new_figure((max(4.5, 1.2 * len(steps) + 2.5), 4.0))
    width = 0.8 / len(reports)
    x = np.arange(len(steps), dtype=float)
    for i, ((name, rep), color) in enumerate(
        zip(reports.items(), _colors(len(reports)), strict=True)
    ):
        vals = [float(rep[metric].get(s, np.nan)) for s in steps]
        ax.bar(x + (i - (len(reports) - 1) / 2) * width, vals, width, label=name, color=color)
    ax.set_xticks(x, [str(s) for s in steps])
    ax.set_xlabel("step n (log β_n)")
    ax.set_ylabel(f"{metric.upper()} (log units)" if metric in ("rmse", "mae") else metric)
    ax.legend(title="model", fontsize="small")
    if title is not None:
        ax.set_title(title)
    return fig


def per_group_bar(
    y_true: Any,
    preds: Mapping[str, Any],
    groups: Any,
    *,
    step: int | None = None,
    kind: str = "beta",
    missing_pred: str = "raise",
    xlabel: str = "metal ion",
    title: str | None = None,
) -> Figure:
    """Grouped bars of RMSE per group (e.g. metal) for several models.

    Parameters
    ----------
    y_true : array-like of shape (n_samples, N)
        Measured cumulative log beta.
    preds : mapping of model name -> array-like (n_samples, M)
        Predictions of each model for the same rows.
    groups : array-like of shape (n_samples,)
        Group label of each row, e.g. ``X["metal"]``.
    step, kind, missing_pred
        As in :func:`skmetalpka.metrics.per_group_report`.
    xlabel : str, default="metal ion"
    title : str, optional

    Returns
    -------
    matplotlib.figure.Figure
        One bar per (model, group); tick labels give the group and its number of entries.
    """
    if not preds:
        raise ValueError("preds is empty: pass {model name: predictions}")
    reps = {
        name: per_group_report(y_true, p, groups, step=step, kind=kind, missing_pred=missing_pred)
        for name, p in preds.items()
    }
    labels = list(next(iter(reps.values())).index)
    n_entries = next(iter(reps.values()))["n"] + next(iter(reps.values()))["n_missing_pred"]
    fig, ax = _new_figure((min(12.0, max(5.0, 0.3 * len(labels) * len(preds) + 2.5)), 4.0))
    width = 0.8 / len(reps)
    x = np.arange(len(labels), dtype=float)
    for i, ((name, rep), color) in enumerate(zip(reps.items(), _colors(len(reps)), strict=True)):
        ax.bar(
            x + (i - (len(reps) - 1) / 2) * width,
            rep["rmse"].to_numpy(dtype=float),
            width,
            label=name,
            color=color,
        )
    ax.set_xticks(x, [f"{lab}\n({int(n_entries[lab])})" for lab in labels], fontsize="small")
    ax.set_xlabel(xlabel)
    ax.set_ylabel("RMSE (log units)")
    ax.legend(title="model", fontsize="small")
    if title is None:
        title = f"RMSE of {_quantity(kind, step)} per group"
    ax.set_title(title)
    return fig


def residual_hist(
    y_true: Any,
    y_pred: Any,
    *,
    step: int | None = None,
    kind: str = "beta",
    bins: int = 30,
    missing_pred: str = "raise",
    title: str | None = None,
) -> Figure:
    """Histogram of residuals (predicted minus measured).

    Parameters
    ----------
    y_true, y_pred, step, kind, missing_pred
        As in :func:`skmetalpka.metrics.masked_rmse`.
    bins : int, default=30
    title : str, optional

    Returns
    -------
    matplotlib.figure.Figure
        Histogram with a line at 0 and the mean (bias), RMSE and n written on it.
    """
    tv, pv, _, n_missing = _masked_entries(
        y_true, y_pred, step=step, kind=kind, missing_pred=missing_pred
    )
    res = pv - tv
    fig, ax = _new_figure((5.5, 4.0))
    ax.hist(res, bins=bins, color=_colors(1)[0], alpha=0.85)
    ax.axvline(0.0, color="0.2", lw=1, ls="--")
    ax.set_xlabel(f"residual of {_quantity(kind, step)} (predicted − measured, log units)")
    ax.set_ylabel("count")
    lines = [f"n = {res.size}"]
    if res.size:
        lines = [
            f"bias = {res.mean():+.2f}",
            f"RMSE = {np.sqrt(np.mean(res**2)):.2f}",
            f"n = {res.size}",
        ]
    if n_missing:
        lines.append(f"{n_missing} missing prediction(s) excluded")
    ax.text(
        0.97,
        0.97,
        "\n".join(lines),
        transform=ax.transAxes,
        va="top",
        ha="right",
        fontsize="small",
        bbox={"boxstyle": "round", "facecolor": "white", "alpha": 0.8},
    )
    if title is not None:
        ax.set_title(title)
    return fig


def save_figure(fig: Figure, path: str | Path, *, dpi: int = 150) -> Path:
    """Save ``fig`` to ``path`` (format from the suffix, parent folders created).

    Parameters
    ----------
    fig : matplotlib.figure.Figure
    path : str or Path
        Destination such as ``"out/parity.png"`` or ``"out/parity.pdf"``.
    dpi : int, default=150

    Returns
    -------
    Path
        The path written.
    """
    p = Path(path)
    if not p.suffix:
        raise ValueError(f"{p} has no suffix; add one such as .png, .pdf or .svg")
    buffer = io.BytesIO()
    fig.savefig(buffer, dpi=dpi, format=p.suffix[1:].lower())
    return write_bytes(p, buffer.getvalue())


def cv_figures(result: Any, metals: Any, folder: str | Path) -> list[Path]:
    """Write the standard figures of a grouped cross-validation into ``folder``.

    Parameters
    ----------
    result : skmetalpka.selection.CVResult
        Out-of-fold predictions of one or more models on the same folds.
    metals : array-like of shape (n_samples,)
        Metal ion of every sample (colours and per-metal bars).
    folder : path
        Created if needed.

    Returns
    -------
    list of Path
        ``parity_<model>.png`` and ``residuals_<model>.png`` per model, ``per_step_rmse.png``
        and ``per_metal_rmse.png``. Entries a model does not predict (e.g. beta_2 of a beta_1
        model) are left out of its figures, not counted as errors.
    """
    from .metrics import per_step_report

    folder = Path(folder)
    metals = np.asarray(metals, dtype=object)
    paths = []
    for name, pred in result.predictions.items():
        fig = parity_plot(
            result.y_true,
            pred,
            groups=metals,
            missing_pred="ignore",
            title=f"{name}: out-of-fold predictions",
        )
        paths.append(save_figure(fig, folder / f"parity_{name}.png"))
        fig = residual_hist(
            result.y_true, pred, missing_pred="ignore", title=f"{name}: out-of-fold residuals"
        )
        paths.append(save_figure(fig, folder / f"residuals_{name}.png"))
    reports = {
        name: per_step_report(result.y_true, pred, missing_pred="ignore")
        for name, pred in result.predictions.items()
    }
    paths.append(save_figure(per_step_bar(reports), folder / "per_step_rmse.png"))
    fig = per_group_bar(result.y_true, result.predictions, metals, missing_pred="ignore")
    paths.append(save_figure(fig, folder / "per_metal_rmse.png"))
    return paths
