"""Interpolation along a series of chemically alike metals (the lanthanides).

Across the lanthanide series a ligand's log K1 changes smoothly with the atomic number (the
ionic radius shrinks by about 0.01 A per element), so a chemist who needs Ho3+ for a ligand
measured with Dy3+ and Er3+ interpolates. :class:`SeriesInterpolationRegressor` does exactly
that: it answers a row when the same ligand (:func:`skmetalpka.identity.ligand_id`) was measured
with enough other metals of the row's series, by a straight line in the atomic number through
the nearest of them. A ligand measured with only one or two metals of the series (or only with
Y3+/Sc3+, which follow the lanthanides without a place in their order) is answered by shifting
the series' typical profile through those values; every other row is NaN. It is meant as a member of
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

__all__ = ["SeriesInterpolationRegressor", "METAL_SERIES", "SERIES_ANCHORS"]

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

#: Ions outside a named series' order that still follow it closely enough to anchor a ligand's
#: level in the profile fallback (``profile=True``): their own offset from the series profile is
#: learned from the ligands measured with both. In a leave-one-lanthanide-out trial on the
#: corpus, the 15 held-out rows whose ligand was measured with Y3+ or Sc3+ but with no other
#: lanthanide were predicted with RMSE 0.84 this way.
SERIES_ANCHORS: dict[str, tuple[str, ...]] = {"lanthanides": ("Y3+", "Sc3+")}


class SeriesInterpolationRegressor(_BaselineMixin):
    """log beta_1 of a ligand interpolated from its values with neighbouring metals of a series.

    For a row whose metal belongs to a series (:data:`METAL_SERIES`, default the trivalent
    lanthanides and actinides), the training values of the same ligand with the series' other
    metals are taken (the median of repeated measurements of a pair), the ``n_neighbors``
    nearest in atomic number are kept, and a least-squares straight line in the atomic number
    through them is read at the row's metal. The row's own metal is left out of the line, so a
    training pair is predicted from its neighbours, as a new one would be.

    Where there is no line (the ligand has fewer than ``min_points`` other series metals, or the
    nearest is more than ``max_distance`` elements away) and ``profile=True``, the row is
    answered from the series' *profile*: a two-way model ``value = ligand level + metal offset``
    fitted by alternating medians to every ligand measured with two or more of the series'
    metals (and of its anchors, :data:`SERIES_ANCHORS`: Y3+ and Sc3+ for the lanthanides). The
    offset of a metal without training data is interpolated along the atomic number (outside
    the measured range, a straight line through the three nearest offsets), and the ligand's
    level is read from its (up to two) nearest measured series metals, weighted by
    ``1 / (1 + distance)``, or, without any, from its anchors. In a leave-one-lanthanide-out
    trial on the corpus (La, Nd, Gd, Dy, Lu held out in turn), this answered 58 of the 108 rows
    the line could not, with RMSE 0.95.

    A row gets NaN when its metal is in no series, its ligand has no measured series metal (nor
    anchor, with the profile), or the row is invalid and ``on_error="flag"``.

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
    profile : bool, default=True
        Answer the rows without a line from the series profile (see above); False leaves them
        NaN.
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
    anchors_ : list of list of str
        Anchor ions of every series (:data:`SERIES_ANCHORS` for named series, none for lists).
    values_ : dict of str -> ndarray of shape (n_series_ions + n_anchor_ions,)
        Per ligand identity, the median training log beta_1 with every series ion (the order of
        ``series_`` flattened) then every anchor ion (``anchors_`` flattened), NaN where not
        measured.
    profile_ : dict of str -> float
        Offset of every series and anchor ion in the series profile (mean 0 over each series'
        ions with an offset), learned from the ligands measured with two or more of them; ions
        without such ligands are left out. Empty when ``profile=False``.
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
        profile: bool = True,
        on_error: str = "raise",
    ) -> None:
        self.series = series
        self.n_neighbors = n_neighbors
        self.min_points = min_points
        self.max_distance = max_distance
        self.profile = profile
        self.on_error = on_error

    # ------------------------------------------------------------------------------------
    def _check_params(self) -> tuple[list[list[str]], list[list[str]]]:
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
        if not isinstance(self.profile, bool | np.bool_):
            raise ValueError(f"profile must be True or False, got {self.profile!r}")
        if isinstance(self.series, str) or not isinstance(self.series, Sequence) or not self.series:
            raise ValueError(
                "series must be a non-empty list of names in METAL_SERIES "
                f"({', '.join(METAL_SERIES)}) or of lists of ions, got {self.series!r}"
            )
        out: list[list[str]] = []
        anchors: list[list[str]] = []
        seen: set[str] = set()
        for s in self.series:
            if isinstance(s, str):
                if s not in METAL_SERIES:
                    raise ValueError(
                        f"unknown series {s!r}; choose from {', '.join(METAL_SERIES)} or give a "
                        "list of ions"
                    )
                ions = list(METAL_SERIES[s])
                extra = list(SERIES_ANCHORS.get(s, ()))
            else:
                ions = [canonical_ion(i) for i in s]
                extra = []
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
            anchors.append(extra)
        # an ion that is in a series cannot anchor one (and anchors no two series)
        taken = set(seen)
        kept: list[list[str]] = []
        for extra in anchors:
            kept.append([i for i in extra if i not in taken])
            taken |= set(extra)
        return out, kept

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
        series, anchors = self._check_params()
        rows, Y, valid = self._start_fit(X, y)
        ions = [i for s in series for i in s] + [i for a in anchors for i in a]
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
        self.anchors_ = anchors
        self.atomic_numbers_ = {ion: _atomic_number(ion) for ion in ions}
        self.values_ = values
        self.profile_ = _fit_profiles(series, anchors, values) if self.profile else {}
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
        anchors = getattr(self, "anchors_", [[] for _ in self.series_])  # older model files
        profile = getattr(self, "profile_", {})
        layout = _layout(self.series_, anchors)
        ions = [i for s in self.series_ for i in s]
        series_of = {ion: k for k, s in enumerate(self.series_) for ion in s}
        ion_at = {self.atomic_numbers_[i]: i for i in ions}  # series never share an element
        # the profile offset of every series ion, once per call (None: no profile there)
        target = {
            ion: _offset_at(self.atomic_numbers_[ion], s, profile, self.atomic_numbers_)
            for s in self.series_
            for ion in s
        }
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
            cols, anchor_cols = layout[s]
            z0 = self.atomic_numbers_[ion]
            pts = [
                (abs(self.atomic_numbers_[ions[c]] - z0), self.atomic_numbers_[ions[c]], values[c])
                for c in cols
                if ions[c] != ion and np.isfinite(values[c])
            ]
            pts.sort()  # nearest first; ties: the lighter element first
            if len(pts) < self.min_points or (
                self.max_distance is not None and pts[0][0] > self.max_distance
            ):
                if target[ion] is not None:
                    out[i, 0] = _profile_value(
                        target[ion],
                        [(d, ion_at[z], v) for d, z, v in pts],
                        [(anchors[s][k], values[c]) for k, c in enumerate(anchor_cols)],
                        profile,
                    )
                continue
            near = pts[: self.n_neighbors]
            z = np.array([p[1] for p in near], dtype=float) - z0
            v = np.array([p[2] for p in near], dtype=float)
            A = np.column_stack([np.ones_like(z), z])
            out[i, 0] = np.linalg.lstsq(A, v, rcond=None)[0][0]
        return out

    def _scored_steps(self) -> list[int]:
        return [0]


def _fit_profiles(
    series: list[list[str]], anchors: list[list[str]], values: dict[str, np.ndarray]
) -> dict[str, float]:
    """Offsets of every series and anchor ion: ``value = ligand level + ion offset``.

    Fitted by alternating medians over the ligands measured with two or more of a series' ions
    (anchors included), each series on its own; the offsets of each series' own ions average 0.
    """
    out: dict[str, float] = {}
    if not values:
        return out
    table = np.vstack(list(values.values()))
    for ions, extra, (cols, anchor_cols) in zip(
        series, anchors, _layout(series, anchors), strict=True
    ):
        T = table[:, [*cols, *anchor_cols]]
        T = T[np.isfinite(T).sum(axis=1) >= 2]
        if len(T) == 0:
            continue
        names = ions + extra
        own = np.zeros(len(names), dtype=bool)
        own[: len(ions)] = True
        seen = np.isfinite(T).any(axis=0)
        if not (own & seen).any():
            continue
        offset = np.zeros(len(names))
        for _ in range(50):
            level = np.nanmedian(T - offset, axis=1)
            new = np.nanmedian(T[:, seen] - level[:, None], axis=0)
            previous = offset.copy()
            offset[seen] = new - new[own[seen]].mean()
            if np.allclose(offset, previous, atol=1e-6):
                break
        out.update({names[j]: float(offset[j]) for j in np.flatnonzero(seen)})
    return out


def _layout(series: list[list[str]], anchors: list[list[str]]) -> list[tuple[range, range]]:
    """Columns of ``values_`` of every series: (its own ions, its anchor ions).

    The series' ions come first (``series_`` flattened), then the anchors (``anchors_``
    flattened).
    """
    out = []
    start, anchor_start = 0, sum(len(s) for s in series)
    for ions, extra in zip(series, anchors, strict=True):
        out.append(
            (range(start, start + len(ions)), range(anchor_start, anchor_start + len(extra)))
        )
        start += len(ions)
        anchor_start += len(extra)
    return out


def _profile_value(
    target: float,
    pts: list[tuple[int, str, float]],
    anchor_values: list[tuple[str, float]],
    profile: dict[str, float],
) -> float:
    """log beta_1 at profile offset ``target``, the profile shifted through the ligand's values.

    ``pts`` are the ligand's measured series ions as (distance, ion, value), nearest first;
    ``anchor_values`` its values with the series' anchor ions (NaN where not measured).
    """
    near = [(d, i, v) for d, i, v in pts if i in profile][:2]
    if near:
        levels = np.array([v - profile[i] for _, i, v in near])
        weights = 1.0 / (1.0 + np.array([d for d, _, _ in near], dtype=float))
        return float(np.average(levels, weights=weights) + target)
    levels = [v - profile[a] for a, v in anchor_values if np.isfinite(v) and a in profile]
    return float(np.mean(levels) + target) if levels else float("nan")


def _offset_at(
    z: int, series_ions: list[str], profile: dict[str, float], atomic_numbers: dict[str, int]
) -> float | None:
    """The profile offset at atomic number ``z``: learned, interpolated or extrapolated."""
    known = sorted((atomic_numbers[i], profile[i]) for i in series_ions if i in profile)
    if len(known) < 2:
        return None
    zs = np.array([k[0] for k in known], dtype=float)
    bs = np.array([k[1] for k in known])
    for zk, bk in known:
        if zk == z:
            return float(bk)
    if zs[0] < z < zs[-1]:
        return float(np.interp(z, zs, bs))
    nearest = np.argsort(np.abs(zs - z), kind="stable")[:3]
    slope, intercept = np.polyfit(zs[nearest], bs[nearest], 1)
    return float(slope * z + intercept)


def _atomic_number(ion: str) -> int:
    return _tables().z_of[parse_ion(ion).symbol]
