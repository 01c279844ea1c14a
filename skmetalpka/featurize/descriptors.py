"""Whole-ligand descriptors: one fixed-length vector per ligand.

The one list of ligand-level descriptors, used as graph-level input of the GNN (``lig_x`` in
:class:`~skmetalpka.featurize.graph.ComplexGraph`, chemprop's "extra molecular features") and
as ligand features of the baselines. It is made of cheap RDKit descriptors, the donor-group
counts of :mod:`skmetalpka.featurize.donors` (denticity is the strongest single predictor of
log beta) and the chelate topology of :mod:`skmetalpka.featurize.chelation` (which donor groups
can close 5- and 6-membered rings on one metal).

Descriptors are only ever appended: a model fitted with the first
``len(LEGACY_LIGAND_DESCRIPTOR_NAMES)`` descriptors (files written before the chelate
descriptors existed) keeps using exactly those (see ``SmilesToGraph.n_ligand_features_`` and
the baselines' ``ligand_descriptor_names_``).
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any

import numpy as np
from rdkit import Chem
from rdkit.Chem import rdFingerprintGenerator, rdMolDescriptors

from ..chem import iter_atoms
from .chelation import CHELATE_DESCRIPTOR_NAMES, chelate_descriptors
from .donors import DONOR_GROUP_NAMES, donor_profile

__all__ = [
    "LEGACY_LIGAND_DESCRIPTOR_NAMES",
    "LIGAND_DESCRIPTOR_NAMES",
    "ligand_descriptors",
    "ligand_profile",
]


@lru_cache(maxsize=16)
def _morgan_generator(radius: int, n_bits: int) -> Any:
    """The RDKit Morgan fingerprint generator (shared by the baselines and residual kriging)."""
    return rdFingerprintGenerator.GetMorganGenerator(radius=radius, fpSize=n_bits)


_RDKIT_NAMES = (
    "heavy_atoms",
    "formal_charge",
    "n_nitrogen",
    "n_oxygen",
    "n_sulfur",
    "n_phosphorus",
    "n_halogen",
    "hbd",
    "hba",
    "tpsa",
    "rings",
    "aromatic_rings",
    "fraction_csp3",
)

#: The whole-ligand descriptors of models fitted before the chelate descriptors were added:
#: RDKit descriptors, then the donor-group counts (``donor_groups:<group>``).
LEGACY_LIGAND_DESCRIPTOR_NAMES: tuple[str, ...] = _RDKIT_NAMES + tuple(
    f"donor_groups:{g}" for g in DONOR_GROUP_NAMES
)

#: Names of the whole-ligand descriptors, in feature order: the legacy ones, then the chelate
#: topology (:data:`skmetalpka.featurize.chelation.CHELATE_DESCRIPTOR_NAMES`).
LIGAND_DESCRIPTOR_NAMES: tuple[str, ...] = LEGACY_LIGAND_DESCRIPTOR_NAMES + CHELATE_DESCRIPTOR_NAMES


def ligand_descriptors(mol: Chem.Mol) -> np.ndarray:
    """Descriptor vector of one ligand, float32 of length ``len(LIGAND_DESCRIPTOR_NAMES)``."""
    return ligand_profile(mol)[1]


def ligand_profile(mol: Chem.Mol) -> tuple[np.ndarray, np.ndarray]:
    """Per-atom donor scores and the descriptor vector, sharing one pass over the donor rules.

    Descriptors were chosen to be cheap (featurisation runs at thousands of ligands per
    second): no Crippen logP, no SMARTS-based rotatable-bond count.
    """
    scores, groups = donor_profile(mol)
    counts = {7: 0, 8: 0, 16: 0, 15: 0}
    halogen = 0
    charge = 0
    for atom in iter_atoms(mol):
        z = atom.GetAtomicNum()
        if z in counts:
            counts[z] += 1
        elif z in (9, 17, 35, 53):
            halogen += 1
        charge += atom.GetFormalCharge()
    block = [
        mol.GetNumHeavyAtoms(),
        charge,
        counts[7],
        counts[8],
        counts[16],
        counts[15],
        halogen,
        rdMolDescriptors.CalcNumHBD(mol),
        rdMolDescriptors.CalcNumHBA(mol),
        rdMolDescriptors.CalcTPSA(mol),
        rdMolDescriptors.CalcNumRings(mol),
        rdMolDescriptors.CalcNumAromaticRings(mol),
        rdMolDescriptors.CalcFractionCSP3(mol),
    ]
    return scores, np.concatenate(
        [
            np.asarray(block, dtype=np.float32),
            np.asarray(groups, np.float32),
            chelate_descriptors(mol, scores),
        ]
    )
