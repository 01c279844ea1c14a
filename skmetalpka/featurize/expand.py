"""Star graphs for n = 1..N ligands: the structure the GNN consumes.

For every sample, :class:`LigandCountExpander` attaches one star per ligand count n = 1..N:
a metal node joined to ``n`` ligand-copy nodes. Star nodes of a sample are laid out star by star:
``[M(n=1), L1 | M(n=2), L1, L2 | M(n=3), L1, L2, L3 | ...]``.

================== ============== =========================================================
attribute          shape          meaning
================== ============== =========================================================
``star_n``         (S,) long      ligand count n of the star each node belongs to
``star_slot``      (S,) long      0 for the metal node, k = 1..n for ligand copy k
``star_id``        (S,) long      star index (n - 1), offset by N per sample when batched
``star_edge_index`` (2, E) long   metal <-> ligand edges of each star (both directions; no
                                  ligand-ligand edges), offset by S per sample when batched
``slot_sites``     (A, N) bool    hard binding atom(s) of ligand copy k (column k-1)
``num_stars``      int            N
================== ============== =========================================================

with S = N + N(N+1)/2. Ligand copy k has the same atoms in every star; what belongs to a copy
(its binding atoms, its backbone) is defined per copy, so a star of n ligands only ever sees the
n copies that are present.
"""

from __future__ import annotations

import copy
from functools import lru_cache
from typing import Any

import numpy as np
import torch
from sklearn.base import BaseEstimator, TransformerMixin
from sklearn.utils.validation import check_is_fitted

from .._base import TagsMixin
from .graph import ComplexGraph, check_graph_list

__all__ = ["LigandCountExpander", "star_template"]


@lru_cache(maxsize=16)
def star_template(n_max: int) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor, torch.Tensor]:
    """``(star_n, star_slot, star_id, star_edge_index)`` for one sample with N = ``n_max``."""
    star_n, star_slot, star_id, src, dst = [], [], [], [], []
    offset = 0
    for n in range(1, n_max + 1):
        nodes = list(range(offset, offset + n + 1))
        star_n += [n] * (n + 1)
        star_slot += list(range(n + 1))
        star_id += [n - 1] * (n + 1)
        for leaf in nodes[1:]:  # a true star: metal <-> each ligand, no ligand-ligand edges
            src += [nodes[0], leaf]
            dst += [leaf, nodes[0]]
        offset += n + 1
    return (
        torch.tensor(star_n, dtype=torch.long),
        torch.tensor(star_slot, dtype=torch.long),
        torch.tensor(star_id, dtype=torch.long),
        torch.tensor([src, dst], dtype=torch.long).view(2, -1),
    )


class LigandCountExpander(TagsMixin, TransformerMixin, BaseEstimator):
    """Attach the star structure for n = 1..N ligands to each graph.

    Parameters
    ----------
    max_ligands : int or None, default=None
        N, the largest ligand count modelled. None takes the widest target seen in ``fit``
        (``y.shape[1]``).
    """

    _input_kind = "graphs"

    def __init__(self, max_ligands: int | None = None) -> None:
        self.max_ligands = max_ligands

    def fit(self, X: list[ComplexGraph], y: Any = None) -> LigandCountExpander:
        """Set N from ``max_ligands`` or from the width of ``y``."""
        check_graph_list(X)
        if self.max_ligands is not None:
            if int(self.max_ligands) < 1:
                raise ValueError(f"max_ligands must be >= 1, got {self.max_ligands!r}")
            n = int(self.max_ligands)
        elif y is not None:
            y = np.asarray(y, dtype=float)
            n = 1 if y.ndim == 1 else int(y.shape[1])
        else:
            raise ValueError(
                "LigandCountExpander needs y (to take N from its width) or max_ligands"
            )
        self.n_steps_ = n
        return self

    def transform(self, X: list[ComplexGraph]) -> list[ComplexGraph]:
        """Return shallow copies with the star structure attached."""
        check_is_fitted(self, "n_steps_")
        check_graph_list(X)
        n_max = self.n_steps_
        star_n, star_slot, star_id, star_edges = star_template(n_max)
        out = []
        for g in X:
            if not hasattr(g, "site_cand"):
                raise ValueError(
                    "graphs carry no binding-site candidates; put SitePredictor before "
                    "LigandCountExpander in the Pipeline"
                )
            h = copy.copy(g)
            n_atoms = int(g.num_nodes)
            slots = torch.zeros(n_atoms, n_max, dtype=torch.bool)
            order = list(g.site_order) or [int(torch.argmax(g.site_score))]
            for k in range(n_max):
                slots[order[min(k, len(order) - 1)], k] = True
            h.slot_sites = slots
            h.star_n = star_n
            h.star_slot = star_slot
            h.star_id = star_id
            h.star_edge_index = star_edges
            h.num_stars = n_max
            out.append(h)
        return out
