"""Chelate-topology descriptors (skmetalpka.featurize.chelation), hand-checked on known ligands."""

from __future__ import annotations

import numpy as np
import pytest
from rdkit import Chem

from skmetalpka.featurize.chelation import (
    CHELATE_DESCRIPTOR_NAMES,
    MIN_DONOR_SCORE,
    chelate_descriptors,
)
from skmetalpka.featurize.donors import donor_scores

CDTA_12 = "O=C(O)CN(CC(=O)O)[C@@H]1CCCC[C@H]1N(CC(=O)O)CC(=O)O"
CDTA_14 = "O=C(O)CN(CC(=O)O)C1CCC(N(CC(=O)O)CC(=O)O)CC1"
EDTA = "O=C(O)CN(CCN(CC(=O)O)CC(=O)O)CC(=O)O"


def _d(smiles: str) -> dict[str, float]:
    values = chelate_descriptors(Chem.MolFromSmiles(smiles))
    assert values.dtype == np.float32 and values.shape == (len(CHELATE_DESCRIPTOR_NAMES),)
    return dict(zip(CHELATE_DESCRIPTOR_NAMES, values.tolist(), strict=True))


@pytest.mark.parametrize(
    ("smiles", "denticity", "rings_5", "rings_6"),
    [
        ("NCC(=O)O", 2, 1, 0),  # glycinate: N and O close a 5-ring
        ("NCCN", 2, 1, 0),  # ethylenediamine
        ("NCCCN", 2, 0, 1),  # 1,3-diaminopropane: a 6-ring
        ("NCCCCN", 1, 0, 0),  # 1,4-diaminobutane: a 7-ring does not count
        ("c1ccc(-c2ccccn2)nc1", 2, 1, 0),  # 2,2'-bipyridine
        ("c1ccc(-c2ccncc2)nc1", 1, 0, 0),  # 2,4'-bipyridine cannot chelate
        ("O=C(O)C(=O)O", 2, 1, 0),  # oxalate
        ("O=C(O)CC(=O)O", 2, 0, 1),  # malonate
        ("Oc1ccccc1O", 2, 1, 0),  # catecholate
        ("Oc1cccc(O)c1", 1, 0, 0),  # resorcinol: no chelate ring
        ("O=C(O)c1ccccc1O", 2, 0, 1),  # salicylate: a 6-ring
        ("CC(=O)C=C(C)O", 2, 0, 1),  # acetylacetonate (enol form)
        ("CC(=O)O", 1, 0, 0),  # acetate: its two O are one site
        ("N", 1, 0, 0),
        (EDTA, 6, 5, 0),  # N-N + four N-carboxylate 5-rings: hexadentate
    ],
)
def test_hand_checked_ligands(smiles: str, denticity: int, rings_5: int, rings_6: int) -> None:
    d = _d(smiles)
    assert (d["chelate_denticity"], d["chelate_rings_5"], d["chelate_rings_6"]) == (
        denticity,
        rings_5,
        rings_6,
    )


def test_strength_is_the_summed_best_score_of_the_strongest_set() -> None:
    mol = Chem.MolFromSmiles("NCC(=O)O")
    scores = donor_scores(mol)
    n, o = scores[0], max(scores[3], scores[4])
    assert _d("NCC(=O)O")["chelate_strength"] == pytest.approx(n + o)


def test_cdta_isomers_differ_although_their_atoms_and_groups_agree() -> None:
    """1,2-CDTA wraps one metal with six donors; the 1,4-isomer holds two separate
    iminodiacetate halves (the activity cliff these descriptors exist for)."""
    a, b = _d(CDTA_12), _d(CDTA_14)
    assert a["chelate_denticity"] == 6 and a["chelate_rings_5"] == 5
    assert b["chelate_denticity"] == 3 and b["chelate_rings_5"] == 4
    assert a["chelate_strength"] > b["chelate_strength"]
    assert _d(EDTA) == a


def test_the_strongest_of_several_sets_is_reported() -> None:
    # an ethylenediamine end and a lone ether O far away: the diamine set wins
    d = _d("NCCNCCCCCCCCOC")
    assert d["chelate_denticity"] == 2 and d["chelate_rings_5"] == 1


def test_no_donor_atoms_gives_zeros() -> None:
    assert chelate_descriptors(Chem.MolFromSmiles("CCCC")).tolist() == [0.0] * len(
        CHELATE_DESCRIPTOR_NAMES
    )
    # sulfonate O is below the donor threshold
    assert chelate_descriptors(Chem.MolFromSmiles("CS(=O)(=O)O")).tolist() == [0.0] * len(
        CHELATE_DESCRIPTOR_NAMES
    )


def test_threshold_and_precomputed_scores() -> None:
    crown = "C1COCCOCCOCCOCCOCCO1"  # 18-crown-6: ether O donors (score 0.25)
    mol = Chem.MolFromSmiles(crown)
    assert _d(crown)["chelate_denticity"] == 6
    assert chelate_descriptors(mol, min_score=MIN_DONOR_SCORE + 0.01).tolist() == [0.0] * len(
        CHELATE_DESCRIPTOR_NAMES
    )
    scores = donor_scores(mol)
    np.testing.assert_array_equal(chelate_descriptors(mol, scores), chelate_descriptors(mol))


def test_atom_order_does_not_matter() -> None:
    mol = Chem.MolFromSmiles(CDTA_12)
    rng = np.random.default_rng(0)
    for _ in range(5):
        order = [int(i) for i in rng.permutation(mol.GetNumAtoms())]
        shuffled = Chem.RenumberAtoms(mol, order)
        np.testing.assert_array_equal(chelate_descriptors(shuffled), chelate_descriptors(mol))


def test_descriptors_are_appended_to_the_ligand_descriptors() -> None:
    from skmetalpka.featurize.descriptors import (
        LEGACY_LIGAND_DESCRIPTOR_NAMES,
        LIGAND_DESCRIPTOR_NAMES,
        ligand_descriptors,
    )

    n = len(LEGACY_LIGAND_DESCRIPTOR_NAMES)
    assert LIGAND_DESCRIPTOR_NAMES[:n] == LEGACY_LIGAND_DESCRIPTOR_NAMES
    assert LIGAND_DESCRIPTOR_NAMES[n:] == CHELATE_DESCRIPTOR_NAMES
    mol = Chem.MolFromSmiles(CDTA_14)
    np.testing.assert_array_equal(ligand_descriptors(mol)[n:], chelate_descriptors(mol))


TREN_MALTOL = "O=C(NCCN(CCNC(=O)c1occc(=O)c1O)CCNC(=O)c1occc(=O)c1O)c1occc(=O)c1O"


def test_units_count_the_arms_of_a_podand() -> None:
    """A tripodal tris(maltol) chelator: each arm is its own chelating set (their spacers are
    too long for a 5- or 6-ring), so the denticity stays that of one arm, but the three units
    show that one metal can hold all of them."""
    arm = _d("CNC(=O)c1occc(=O)c1O")  # one arm, as its N-methyl amide
    tripod = _d(TREN_MALTOL)
    assert tripod["chelate_denticity"] == arm["chelate_denticity"] == 3
    assert arm["chelate_units"] == 1 and tripod["chelate_units"] == 3
    assert tripod["chelate_units_strength"] == pytest.approx(3 * arm["chelate_units_strength"])
    # maltol itself: ring carbonyl O and hydroxyl O close a 5-ring
    maltol = _d("Cc1occc(=O)c1O")
    assert (maltol["chelate_denticity"], maltol["chelate_rings_5"], maltol["chelate_units"]) == (
        2,
        1,
        1,
    )


@pytest.mark.parametrize(
    ("smiles", "units"),
    [
        (EDTA, 1),  # one hexadentate set
        (CDTA_14, 2),  # two iminodiacetate halves
        ("CC(=O)O", 0),  # a lone site is not a unit
        ("CCCC", 0),
    ],
)
def test_units(smiles: str, units: int) -> None:
    d = _d(smiles)
    assert d["chelate_units"] == units
    if units == 1:
        assert d["chelate_units_strength"] == pytest.approx(d["chelate_strength"])
