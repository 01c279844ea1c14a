"""Fractional-composition diagram of a :func:`~skmetalpka.speciation.speciate` result."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from ..ions import UnknownMetalError, parse_ion

if TYPE_CHECKING:  # pragma: no cover
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure


_HYDROXO = re.compile(r"^M(\d*)(?:OH|\(OH\)(\d+))$")
#: Hydroxo-complex and solid columns that never reach this fraction are not drawn.
_MIN_SHOWN = 0.005


def _charge_text(z: int) -> str:
    """Mathtext superscript of a charge: ``$^{2+}$``, ``$^{-}$``; empty for 0."""
    if z == 0:
        return ""
    sign = "+" if z > 0 else "-"
    return f"$^{{{sign if abs(z) == 1 else f'{abs(z)}{sign}'}}}$"


def _label(column: str, metal_symbol: str, charge: int | None = None, solid: str = "") -> str:
    kind, name = column.split(":", 1)
    if kind == "M":
        if name == "free":
            return f"{metal_symbol} (free)"
        if name == "other":
            return f"other {metal_symbol} species"
        if name == "solid":
            return f"{metal_symbol} solid{f' ({solid})' if solid else ''}"
        hydroxo = _HYDROXO.match(name)
        if hydroxo is not None and charge is not None:
            p = int(hydroxo.group(1) or 1)
            n = int(hydroxo.group(2) or 1)
            group = (
                f"({metal_symbol})"
                if p > 1 and len(re.findall("[A-Z]", metal_symbol)) > 1
                else metal_symbol
            )
            formula = group + (f"$_{{{p}}}$" if p > 1 else "")
            formula += "OH" if n == 1 else f"(OH)$_{{{n}}}$"
            return formula + _charge_text(p * charge - n)
        return name.replace("M", metal_symbol, 1)
    if name == "free":
        return "L (free)"
    if name == "bound":
        return f"L bound to {metal_symbol}"
    return name


def plot_speciation(
    frame: pd.DataFrame,
    *,
    ax: Axes | None = None,
    title: str | None = None,
    side: str = "metal",
) -> Figure:
    """Fractional-composition diagram of a :func:`speciate` result.

    Hydroxo complexes (``M:MOH``, ...) and the solid are labelled with the metal (``Fe(OH)2+``,
    ``Fe solid (Ferrihydrite)``) and left out of the drawing when their fraction never reaches
    0.5 % (they stay in the frame).

    Parameters
    ----------
    frame : pandas.DataFrame
        Output of :func:`speciate` (column ``pH`` and the ``M:`` / ``L:`` fraction columns).
    ax : matplotlib Axes, optional
        Draw into this Axes instead of a new figure (Agg canvas, nothing registered with
        pyplot).
    title : str, optional
        Axes title; default names the metal and the engine when ``frame.attrs`` has them.
    side : {"metal", "ligand"}, default="metal"
        Plot the fractions of the total metal (``M:`` columns) or of the total ligand
        (``L:`` columns).

    Returns
    -------
    matplotlib.figure.Figure
        One line per species (x: pH, y: fraction), with a legend.
    """
    if side not in ("metal", "ligand"):
        raise ValueError(f"side must be 'metal' or 'ligand', got {side!r}")
    if not isinstance(frame, pd.DataFrame) or "pH" not in frame.columns:
        raise ValueError("frame must be the DataFrame returned by speciate() (with a 'pH' column)")
    prefix = "M:" if side == "metal" else "L:"
    cols = [c for c in frame.columns if str(c).startswith(prefix)]
    if not cols:
        raise ValueError(
            f"frame has no {prefix!r} columns ({list(frame.columns)}); pass the output of speciate()"
        )
    from ..plots import _colors, _new_figure

    if ax is None:
        fig, ax = _new_figure((6.0, 4.2))
    else:
        fig = ax.figure
    metal = str(frame.attrs.get("metal", "M"))
    try:
        symbol, charge = parse_ion(metal)
    except UnknownMetalError:
        symbol, charge = re.sub(r"[\d+]+$", "", metal).strip() or "M", None
    solid = ", ".join(frame.attrs.get("precipitation") or [])
    minor = [
        c
        for c in cols
        if (c == "M:solid" or _HYDROXO.match(c[2:])) and not frame[c].max() >= _MIN_SHOWN
    ]
    cols = [c for c in cols if c not in minor]
    order = np.argsort(frame["pH"].to_numpy(), kind="stable")
    x = frame["pH"].to_numpy()[order]
    for col, color in zip(cols, _colors(len(cols)), strict=True):
        label = _label(col, symbol, charge, solid)
        ax.plot(x, frame[col].to_numpy()[order], color=color, lw=1.8, label=label)
    ax.set_xlabel("pH")
    ax.set_ylabel(f"fraction of total {'metal' if side == 'metal' else 'ligand'}")
    ax.set_ylim(-0.02, 1.02)
    if x.size > 1 and x[-1] > x[0]:
        ax.set_xlim(x[0], x[-1])
    ax.grid(True, alpha=0.3)
    ax.legend(fontsize="small", loc="best")
    if title is None and "engine" in frame.attrs:
        title = f"{metal} speciation ({frame.attrs['engine']})"
    if title is not None:
        ax.set_title(title)
    return fig
