"""Ligand standardisation (skmetalpka.chem): the 1,3-dicarbonyl enol -> diketone rule."""

from __future__ import annotations

import pytest
from rdkit import Chem

from skmetalpka.chem import ketonize_enols, standardize_ligand


@pytest.mark.parametrize(
    ("smiles", "expected"),
    [
        ("CC(=O)C=C(C)O", "CC(=O)CC(C)=O"),  # acetylacetone, enol
        ("OC(C)=CC(C)=O", "CC(=O)CC(C)=O"),  # same enol, other atom order
        ("O=C(C=C(O)c1ccccc1)c1ccccc1", "O=C(CC(=O)c1ccccc1)c1ccccc1"),  # dibenzoylmethane
        ("CC(=O)C(C)=C(C)O", "CC(=O)C(C)C(C)=O"),  # 3-substituted
        ("CC(=O)C=C(O)C=C(O)C", "CC(=O)CC(=O)CC(C)=O"),  # two enols
    ],
)
def test_open_chain_enols_become_diketones(smiles, expected):
    assert Chem.MolToSmiles(ketonize_enols(Chem.MolFromSmiles(smiles))) == expected
    assert standardize_ligand(smiles).smiles == expected


@pytest.mark.parametrize(
    "smiles",
    [
        "CC(=O)CC(C)=O",  # already the diketone
        "CC(=O)C=C(C)[O-]",  # the enolate (a binding form) is kept as drawn
        "Oc1ccccc1C=O",  # salicylaldehyde: aromatic, not an enol
        "O=C1C=C(O)CCC1",  # ring enol (dimedone-like) kept
        "CC1=CC(=O)C(O)=CO1",  # maltol-like hydroxypyranone kept
        "OC(=O)C=CC(=O)O",  # no enol OH
    ],
)
def test_other_forms_are_kept(smiles):
    mol = Chem.MolFromSmiles(smiles)
    assert ketonize_enols(mol) is mol
    assert standardize_ligand(smiles).smiles == Chem.MolToSmiles(mol)


def test_atom_order_and_explicit_hydrogens_survive():
    params = Chem.SmilesParserParams()
    params.removeHs = False
    # enol written with explicit hydrogens, in a non-canonical order: OH oxygen first
    mol = Chem.MolFromSmiles("[H]OC(C)=C([H])C(C)=O", params)
    out = ketonize_enols(mol)
    assert out.GetNumAtoms() == mol.GetNumAtoms()
    assert [a.GetSymbol() for a in out.GetAtoms()] == [a.GetSymbol() for a in mol.GetAtoms()]
    assert Chem.MolToSmiles(Chem.RemoveHs(out)) == "CC(=O)CC(C)=O"
    central = out.GetAtomWithIdx(4)  # the C=C carbon that carried one hydrogen
    assert central.GetSymbol() == "C" and central.GetTotalNumHs(includeNeighbors=True) == 2
    # the former OH oxygen (atom 1) is now a carbonyl oxygen, same index
    assert out.GetAtomWithIdx(1).GetTotalNumHs(includeNeighbors=True) == 0
    assert out.GetBondBetweenAtoms(1, 2).GetBondType() == Chem.BondType.DOUBLE
    # standardize_ligand keeps the input's atom order too
    lig = standardize_ligand("OC(C)=CC(C)=O")
    assert lig.atom_map == tuple(range(7))
    assert lig.mol.GetAtomWithIdx(0).GetSymbol() == "O"
    assert lig.mol.GetAtomWithIdx(0).GetTotalNumHs() == 0
