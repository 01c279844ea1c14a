"""Interpolation along a series of chemically alike metals (the lanthanides).

Across the lanthanide series a ligand's log K1 changes smoothly with the atomic number (the
ionic radius shrinks by about 0.01 A per element), so a chemist who needs Ho3+ for a ligand
measured with Dy3+ and Er3+ interpolates. :class:`SeriesInterpolationRegressor` does exactly
that, and only that: it answers a row when the same ligand (:func:`skmetalpka.identity.ligand_id`)
was measured with enough other metals of the row's series, by a straight line in the atomic
number through the nearest of them, and leaves every other row NaN. It is meant as a member of
:class:`skmetalpka.model.BlendRegressor`, which averages each cell over the members that answer
it, so the network answers alone wherever there is nothing to interpolate.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd
from sklearn.utils.validation import check_is_fitted

from ..featurize.rows import _parse_rows
from ..identity import ligand_id
from ..ions import canonical_ion, parse_ion
from ..ions.elements import _tables
from ._base import _BaselineMixin

__all__ = ["SeriesInterpolationRegressor", "METAL_SERIES"]

_LANTHANIDES = ("La", "Ce", "Pr", "Nd", "Pm", "Sm", "Eu", "Gd", "Tb", "Dy", "Ho", "Er", "Tm", "Yb")
_ACTINIDES = ("Ac", "Th", "Pa", "U", "Np", "Pu", "Am", "Cm", "Bk", "Cf", "Es", "Fm", "Md", "No")

#: Named metal series: canonical ions of one charge whose constants change smoothly with the
#: atomic number. Y3+ and Sc3+ are not in the lanthanide series: Y3+ has the ionic radius of
#: Ho3+ but no place in the series' atomic numbers, and it departs from the series for many
#: ligands; placed at Ho3+ as an extra neighbour, it made the leave-one-lanthanide-out
#: interpolation slightly worse in a trial on the corpus (RMSE 0.51 against 0.50).
METAL_SERIES: dict[str, tuple[str, ...]] = {
    "lanthanides": tuple(f"{s}3+" for s in (*_LANTHANIDES, "Lu")),
    "actinides": tuple(f"{s}3+" for s in (*_ACTINIDES, "Lr")),
}


class SeriesInterpolationRegressor(_BaselineMixin):
    """log beta_1 of a ligand interpolated from its values with neighbouring metals of a series.

    For a row whose metal belongs to a series (:data:`METAL_SERIES`, default the trivalent
    lanthanides and actinides), the training values of the same ligand with the series' other
    metals are taken (the median of repeated measurements of a pair), the ``n_neighbors``
    nearest in atomic number are kept, and a least-squares straight line in the atomic number
    through them is read at the row's metal. The row's own metal is left out of the line, so a
    training pair is predicted from its neighbours, as a new one would be. A row gets NaN when
    its metal is in no series, its ligand has fewer than ``min_points`` other series metals, the
    nearest of them is more than ``max_distance`` elements away, or the row is invalid and
    ``on_error="flag"``.

    Only log beta_1 is answered (the other columns of ``predict`` are NaN): the higher steps are
    measured too rarely across a series. Use it as a member of
    :class:`skmetalpka.model.BlendRegressor` (``make_model("gnn", blend="series")``); alone it
    answers only the rows it can interpolate.

    Parameters
    ----------
    series : sequence of str or of sequences of str, default=("lanthanides", "actinides")
        Names in :data:`METAL_SERIES`, or explicit lists of ions (any spelling that
        :func:`skmetalpka.ions.parse_ion` accepts; one charge per list).
    n_neighbors : int, default=6
        How many of the nearest measured metals the line goes through.
    min_points : int, default=3
        Fewest measured metals (other than the row's own) needed to answer.
    max_distance : int or None, default=3
        Largest distance in atomic number from the row's metal to its nearest measured metal;
        None for no limit.
    on_error : {"raise", "flag"}, default="raise"
        Invalid rows (see :mod:`skmetalpka.baselines`).

    Attributes
    ----------
    n_steps_ : int
        Number of columns of ``y`` seen in ``fit`` (``predict`` returns that many).
    series_ : list of list of str
        Canonical ions of every series, in order of atomic number.
    atomic_numbers_ : dict of str -> int
        Atomic number of every series ion.
    values_ : dict of str -> ndarray of shape (n_series_ions,)
        Per ligand identity, the median training log beta_1 with every series ion (the order of
        ``series_`` flattened), NaN where not measured.
    n_invalid_fit_ : int

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> X = pd.DataFrame({"metal": ["La3+", "Ce3+", "Nd3+", "Sm3+"], "smiles": ["OC(=O)CO"] * 4})
    >>> m = SeriesInterpolationRegressor().fit(X, np.array([[2.2], [2.3], [2.5], [2.7]]))
    >>> pred = m.predict(pd.DataFrame({"metal": ["Pr3+", "Cu2+"], "smiles": ["OC(=O)CO"] * 2}))
    >>> round(float(pred[0, 0]), 2), bool(np.isnan(pred[1, 0]))
    (2.4, True)
    """

    def __init__(
        self,
        series: Sequence[Any] = ("lanthanides", "actinides"),
        n_neighbors: int = 6,
        min_points: int = 3,
        max_distance: int | None = 3,
        on_error: str = "raise",
    ) -> None:
        self.series = series
        self.n_neighbors = n_neighbors
        self.min_points = min_points
        self.max_distance = max_distance
        self.on_error = on_error

    # ------------------------------------------------------------------------------------
    def _check_params(self) -> list[list[str]]:
        for name, low in (("n_neighbors", 2), ("min_points", 2)):
            v = getattr(self, name)
            if isinstance(v, bool) or not isinstance(v, int | np.integer) or v < low:
                raise ValueError(f"{name} must be an integer >= {low}, got {v!r}")
        if self.min_points > self.n_neighbors:
            raise ValueError(
                f"min_points ({self.min_points}) cannot exceed n_neighbors ({self.n_neighbors})"
            )
        md = self.max_distance
        if md is not None and (
            isinstance(md, bool) or not isinstance(md, int | np.integer) or md < 1
        ):
            raise ValueError(f"max_distance must be a positive integer or None, got {md!r}")
        if isinstance(self.series, str) or not isinstance(self.series, Sequence) or not self.series:
            raise ValueError(
                "series must be a non-empty list of names in METAL_SERIES "
                f"({', '.join(METAL_SERIES)}) or of lists of ions, got {self.series!r}"
            )
        out: list[list[str]] = []
        seen: set[str] = set()
        for s in self.series:
            if isinstance(s, str):
                if s not in METAL_SERIES:
                    raise ValueError(
                        f"unknown series {s!r}; choose from {', '.join(METAL_SERIES)} or give a "
                        "list of ions"
                    )
                ions = list(METAL_SERIES[s])
            else:
                ions = [canonical_ion(i) for i in s]
            charges = {parse_ion(i).charge for i in ions}
            if len(ions) < 2 or len(charges) != 1:
                raise ValueError(
                    f"a series needs two or more ions of one charge, got {list(ions)!r}"
                )
            overlap = seen & set(ions)
            if overlap:
                raise ValueError(f"ions {sorted(overlap)} are in more than one series")
            seen |= set(ions)
            out.append(sorted(ions, key=lambda i: _atomic_number(i)))
        return out

    def fit(self, X: pd.DataFrame, y: Any) -> SeriesInterpolationRegressor:
        """Store the median log beta_1 of every (ligand, series metal) pair.

        Parameters
        ----------
        X : pandas.DataFrame
            Columns ``metal`` and ``smiles`` (see :mod:`skmetalpka.baselines`).
        y : array-like of shape (n_samples,) or (n_samples, N)
            Cumulative log beta, NaN where not measured; only log beta_1 is used.

        Returns
        -------
        self
        """
        series = self._check_params()
        rows, Y, valid = self._start_fit(X, y)
        ions = [i for s in series for i in s]
        column = {ion: k for k, ion in enumerate(ions)}
        collected: dict[str, dict[int, list[float]]] = {}
        for i in np.flatnonzero(valid):
            k = column.get(canonical_ion(rows.metals[i]))
            if k is None or not np.isfinite(Y[i, 0]):
                continue
            key = ligand_id(rows.smiles[i])
            collected.setdefault(key, {}).setdefault(k, []).append(float(Y[i, 0]))
        values: dict[str, np.ndarray] = {}
        for key, by_ion in collected.items():
            row = np.full(len(ions), np.nan)
            for k, v in by_ion.items():
                row[k] = float(np.median(v))
            values[key] = row
        self.series_ = series
        self.atomic_numbers_ = {ion: _atomic_number(ion) for ion in ions}
        self.values_ = values
        return self

    def predict(self, X: pd.DataFrame) -> np.ndarray:
        """Interpolated log beta_1, shape ``(n_samples, n_steps_)``.

        Column 0 holds the interpolation where there is one (see the class notes), NaN
        elsewhere; the other columns are NaN.
        """
        return self._interpolate(self._start_predict(X))

    def interpolates(self, X: pd.DataFrame) -> np.ndarray:
        """Which rows ``predict`` answers (an interpolation along a series), never raising.

        Parameters
        ----------
        X : pandas.DataFrame
            Columns ``metal`` and ``smiles``; invalid rows give False whatever ``on_error``.

        Returns
        -------
        numpy.ndarray of bool, shape (n_samples,)
        """
        check_is_fitted(self, "values_")
        return np.isfinite(self._interpolate(_parse_rows(X))[:, 0])

    def _interpolate(self, rows: Any) -> np.ndarray:
        out = np.full((len(rows.errors), self.n_steps_), np.nan)
        ions = [i for s in self.series_ for i in s]
        series_of = {ion: k for k, s in enumerate(self.series_) for ion in s}
        offsets = np.cumsum([0] + [len(s) for s in self.series_])
        identity: dict[str, str] = {}  # a screen repeats each ligand for many metals
        for i, ok in enumerate(rows.valid):
            if not ok:
                continue
            ion = canonical_ion(rows.metals[i])
            s = series_of.get(ion)
            if s is None:
                continue
            smiles = rows.smiles[i]
            if smiles not in identity:
                identity[smiles] = ligand_id(smiles)
            values = self.values_.get(identity[smiles])
            if values is None:
                continue
            cols = range(offsets[s], offsets[s + 1])
            z0 = self.atomic_numbers_[ion]
            pts = [
                (abs(self.atomic_numbers_[ions[c]] - z0), self.atomic_numbers_[ions[c]], values[c])
                for c in cols
                if ions[c] != ion and np.isfinite(values[c])
            ]
            if len(pts) < self.min_points:
                continue
            pts.sort()  # nearest first; ties: the lighter element first
            if self.max_distance is not None and pts[0][0] > self.max_distance:
                continue
            near = pts[: self.n_neighbors]
            z = np.array([p[1] for p in near], dtype=float) - z0
            v = np.array([p[2] for p in near], dtype=float)
            A = np.column_stack([np.ones_like(z), z])
            out[i, 0] = np.linalg.lstsq(A, v, rcond=None)[0][0]
        return out

    def _scored_steps(self) -> list[int]:
        return [0]


def _atomic_number(ion: str) -> int:
    return _tables().z_of[parse_ion(ion).symbol]
