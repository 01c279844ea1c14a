"""Ligand identity and atom-index mapping for the loaders (see :mod:`skmetalpka.identity`).

The chemistry lives in the core module :mod:`skmetalpka.identity` (also used by
:func:`skmetalpka.groups.make_groups`); this module re-exports it for the loaders and adds
:func:`non_donor_atoms`, which needs the donor rules.
"""

from __future__ import annotations

from collections.abc import Sequence

from rdkit import Chem

from ..featurize.donors import donor_scores
from ..identity import (
    SiteMapping,
    canonical_atom_order,
    is_inorganic,
    ligand_id,
    map_atom_indices,
    neutral_parent,
)

__all__ = [
    "canonical_atom_order",
    "map_atom_indices",
    "SiteMapping",
    "neutral_parent",
    "ligand_id",
    "is_inorganic",
    "non_donor_atoms",
]


def non_donor_atoms(mol: Chem.Mol, sites: Sequence[int]) -> list[int]:
    """The indices of ``sites`` that no donor rule marks (score 0), e.g. carbons.

    Uses :func:`skmetalpka.featurize.donors.donor_scores`, the project's one donor rule table.
    """
    if not len(sites):
        return []
    scores = donor_scores(mol)
    return [int(s) for s in sites if 0 <= int(s) < len(scores) and scores[int(s)] <= 0]
