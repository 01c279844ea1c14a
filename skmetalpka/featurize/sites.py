"""Binding-site candidates: which ligand atoms may coordinate the metal.

:class:`SitePredictor` adds to every :class:`~skmetalpka.featurize.graph.ComplexGraph`

==============  ============  ==========================================================
attribute       shape         meaning
==============  ============  ==========================================================
``site_score``  (A,) float    prior donor score in [0, 1] for every atom
``site_cand``   (A,) bool     the ``top_k`` candidate binding atoms (soft attention set)
``site_order``  list[int]     ranked picks; slot k of a hard-site star binds through
                              ``site_order[k]`` (the upstream per-step list for ``column``)
``site_note``   str           '' or why a fallback was used
==============  ============  ==========================================================

Methods: ``"rules"`` uses the graded SMARTS donor scores that
:class:`~skmetalpka.featurize.graph.SmilesToGraph` already stored per atom (``donor_score``, from
:data:`skmetalpka.featurize.donors.DONOR_RULES`); ``"column"`` takes the upstream picks in the
data's ``binding_sites`` column (one per step in the NIST table, from a pKa-site model: not ground
truth). New methods plug in through :meth:`SitePredictor._scores`.
"""

from __future__ import annotations

import copy
from typing import Any

import numpy as np
import torch
from sklearn.base import BaseEstimator, TransformerMixin
from sklearn.utils.validation import check_is_fitted

from .graph import ComplexGraph

__all__ = ["SitePredictor", "SITE_METHODS"]

SITE_METHODS = ("rules", "column")


class SitePredictor(TransformerMixin, BaseEstimator):
    """Score atoms as metal donors and pick candidate binding sites.

    Parameters
    ----------
    method : {"rules", "column"}, default="rules"
        ``"rules"``: graded SMARTS donor rules. ``"column"``: upstream picks from the input's
        ``binding_sites`` column (falls back to the rules for a row without picks, noted in
        ``site_note``); the rule scores still rank the other candidates.
    top_k : int, default=6
        Number of candidate atoms offered to soft site attention.
    column_score : float, default=1.0
        Prior score given to an upstream-picked atom with ``method="column"``.

    Notes
    -----
    A ligand without any donor atom (e.g. methane) gets every heavy atom as an equally weak
    candidate and ``site_note="no donor atom"``; its prediction is still made but is an
    extrapolation.
    """

    def __init__(self, method: str = "rules", top_k: int = 6, column_score: float = 1.0) -> None:
        self.method = method
        self.top_k = top_k
        self.column_score = column_score

    def fit(self, X: list[ComplexGraph], y: Any = None) -> SitePredictor:
        """Validate parameters (the rule and column methods learn nothing)."""
        if self.method not in SITE_METHODS:
            raise ValueError(f"method must be one of {SITE_METHODS}, got {self.method!r}")
        if not isinstance(self.top_k, int | np.integer) or self.top_k < 1:
            raise ValueError(f"top_k must be a positive integer, got {self.top_k!r}")
        _check_graphs(X)
        self.method_ = self.method
        return self

    def transform(self, X: list[ComplexGraph]) -> list[ComplexGraph]:
        """Return shallow copies of the graphs with site attributes added."""
        check_is_fitted(self, "method_")
        _check_graphs(X)
        return [self._one(g) for g in X]

    # --------------------------------------------------------------------------------------
    def _scores(self, g: ComplexGraph) -> tuple[np.ndarray, list[int], str]:
        """Per-atom prior scores, the ranked pick list and a note for one valid graph."""
        rule = g.donor_score.numpy().astype(np.float32, copy=True)  # from SmilesToGraph
        note = ""
        if self.method == "column":
            picks = [int(i) for i in g.binding_sites if 0 <= int(i) < g.num_nodes]
            if picks:
                score = rule * 0.5
                score[picks] = self.column_score
                return score, picks, ""
            note = "no upstream binding_sites: rules used"
        return rule, [], note

    def _one(self, g: ComplexGraph) -> ComplexGraph:
        out = copy.copy(g)
        n = int(g.num_nodes)
        if not bool(g.valid.item()):
            out.site_score = torch.zeros(n)
            out.site_cand = torch.ones(n, dtype=torch.bool)
            out.site_order = [0]
            out.site_note = "invalid row"
            return out
        score, picks, note = self._scores(g)
        if not np.any(score > 0):
            score = np.full(n, 1e-3, dtype=np.float32)
            note = "no donor atom"
        # Rank by score (stable: ties keep atom order).
        ranked = np.argsort(-score, kind="stable")
        ranked = ranked[score[ranked] > 0]
        cand = np.zeros(n, dtype=bool)
        cand[ranked[: self.top_k]] = True
        if picks:
            cand[picks] = True
        order = picks if picks else [int(i) for i in ranked[: max(self.top_k, 1)]]
        out.site_score = torch.from_numpy(score.astype(np.float32))
        out.site_cand = torch.from_numpy(cand)
        out.site_order = order
        out.site_note = note
        return out

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.two_d_array = False
        tags.requires_fit = True
        return tags


def _check_graphs(X: Any) -> None:
    if not isinstance(X, list | tuple) or (len(X) and not isinstance(X[0], ComplexGraph)):
        raise TypeError(
            "expected the list of ComplexGraph objects produced by SmilesToGraph; put "
            "SmilesToGraph before this step in the Pipeline"
        )
