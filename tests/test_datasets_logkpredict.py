"""Tests for the LOGKPREDICT loaders and the complex-SMILES splitter."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from rdkit import Chem

from skmetalpka.datasets import load_logkpredict_iupac, load_logkpredict_nist
from skmetalpka.datasets.complexes import ComplexParseError, split_complex

NIST_HEADER = "smiles, logK\n"
IUPAC_HEADER = "Cmplx_smiles_neutral_std,Lg K1\n"

# Hand-written complexes, atom order deliberately not canonical (each starts at an O or an H).
GLYCINATE_CU = "O=C1[O-]->[Cu+2]<-N([H])([H])C1([H])[H]"  # O,N-chelate
EDTA_CA = (  # hexadentate: 4 carboxylate O + 2 amine N
    "O=C([O-]->1)C([H])([H])N->2(C([H])([H])C(=O)[O-]->3)C([H])([H])C([H])([H])"
    "N->4(C([H])([H])C(=O)[O-]->5)C([H])([H])C(=O)[O-]->[Ca+2]12345"
)
BIPY_NI = "[H]c1c([H])c([H])c(-c2c([H])c([H])c([H])c([H])n2->[Ni+2]<-3)n3c1[H]"


def _write(path: Path, header: str, rows: list[str]) -> Path:
    path.write_text(header + "".join(r + "\n" for r in rows), encoding="utf-8")
    return path


def _atoms(smiles: str, sites: list[int]) -> list[tuple[str, int, int]]:
    """(element, H count, heavy degree) of each site atom of ``smiles``."""
    mol = Chem.MolFromSmiles(smiles)
    out = []
    for a in sites:
        atom = mol.GetAtomWithIdx(a)
        out.append((atom.GetSymbol(), atom.GetTotalNumHs(), atom.GetDegree()))
    return sorted(out)


def _accounting_holds(rep) -> None:
    assert rep.n_read == rep.n_kept + sum(rep.dropped.values())
    assert len(rep.excluded) == sum(rep.dropped.values())


# --------------------------------------------------------------------------- split_complex
def test_split_complex_dative_forms_give_the_donor_atoms():
    cx = split_complex(GLYCINATE_CU)
    assert (cx.metal_symbol, cx.metal_charge, cx.n_fragments) == ("Cu", 2, 1)
    mol = Chem.MolFromSmiles(cx.ligand_smiles)
    assert sorted(mol.GetAtomWithIdx(d).GetSymbol() for d in cx.donors) == ["N", "O"]
    cx = split_complex(EDTA_CA)
    mol = Chem.MolFromSmiles(cx.ligand_smiles)
    assert sorted(mol.GetAtomWithIdx(d).GetSymbol() for d in cx.donors) == ["N"] * 2 + ["O"] * 4
    # Be2+ / Al3+ with two dative bonds fail RDKit's valence check on the whole complex
    cx = split_complex("[H]O1->[Be+2]<-[O-]C(=O)C1([H])C([H])([H])[H]")
    assert cx.metal_symbol == "Be" and len(cx.donors) == 2


@pytest.mark.parametrize(
    ("smiles", "reason"),
    [
        ("OC(=O)CN", "no_metal"),
        ("[Cu+2].[Ni+2].NCCN", "several_metals"),
        ("[La+3]", "no_ligand"),
        ("C1CC(", "invalid_smiles"),
        ("", "invalid_smiles"),
    ],
)
def test_split_complex_refusals_carry_a_reason(smiles, reason):
    with pytest.raises(ComplexParseError) as info:
        split_complex(smiles)
    assert info.value.reason == reason


# --------------------------------------------------------------------------- hand-made tables
def test_dative_donors_land_on_the_right_atoms_of_the_returned_smiles(tmp_path):
    path = _write(
        tmp_path / "t.csv",
        NIST_HEADER,
        [f"{GLYCINATE_CU}, 8.1", f"{EDTA_CA}, 10.6", f"{BIPY_NI}, 7.0"],
    )
    X, y, rep = load_logkpredict_nist(path, return_report=True)
    _accounting_holds(rep)
    assert rep.n_kept == 3 and rep.dropped == {}
    assert X.metal.tolist() == ["Cu2+", "Ca2+", "Ni2+"]
    assert y.shape == (3, 1) and y[:, 0].tolist() == [8.1, 10.6, 7.0]
    # ligands returned as their uncharged parents
    assert X.smiles.tolist() == [
        "NCC(=O)O",
        "O=C(O)CN(CCN(CC(=O)O)CC(=O)O)CC(=O)O",
        "c1ccc(-c2ccccn2)nc1",
    ]
    # glycinate: the amine N and the carboxylate O that carried the charge (now OH)
    assert _atoms(X.smiles[0], X.binding_sites[0]) == [("N", 2, 1), ("O", 1, 1)]
    # EDTA: both tertiary amine N and one OH oxygen of each of the four carboxyl groups
    assert _atoms(X.smiles[1], X.binding_sites[1]) == [("N", 0, 3)] * 2 + [("O", 1, 1)] * 4
    mol = Chem.MolFromSmiles(X.smiles[1])
    o_sites = [a for a in X.binding_sites[1] if mol.GetAtomWithIdx(a).GetSymbol() == "O"]
    carbons = {mol.GetAtomWithIdx(a).GetNeighbors()[0].GetIdx() for a in o_sites}
    assert len(carbons) == 4  # one O per carboxyl group, not both O of one group
    # bipyridine: the two aromatic N
    assert _atoms(X.smiles[2], X.binding_sites[2]) == [("N", 0, 2)] * 2
    assert len(rep.flagged) == 0
    assert rep.modified == {"neutralised": 2}
    assert np.isnan(X.temperature).all() and np.isnan(X.ionic_strength).all()


def test_rows_that_cannot_be_used_are_dropped_with_a_reason(tmp_path):
    path = _write(
        tmp_path / "t.csv",
        NIST_HEADER,
        [
            "[H]OC(=O)C([H])([H])N([H])([H])->[Cu+2], 8.2",  # kept
            "[H]C([H])([H])C(=O)[O-]->[U+2], 2.9",  # [U+2] is uranyl: kept as UO2 2+
            "[H][O-]->[Fe+3], 11.8",  # hydroxide: inorganic
            "[H]N([H])([H])->[Ag+], 3.3",  # ammonia: inorganic
            "[H]C(=O)[O-]->[Al+3], 1.4",  # Al3+: kept (RDKit alone would refuse it)
            "OC(=O)CN, 5.0",  # no metal
            "NCCN->[Cu+2]<-NCCN, 10.0",  # two ligand fragments
            "[H]C(=O)[O-]->[Cu+2], n/a",  # value
            "C1CC(->[Cu+2], 3.0",  # unreadable
            "[H]C(=O)[O-]->[Fe+9], 3.0",  # impossible charge
        ],
    )
    X, y, rep = load_logkpredict_nist(path, return_report=True)
    _accounting_holds(rep)
    assert X.metal.tolist() == ["Cu2+", "UO2 2+", "Al3+"]
    assert rep.dropped == {
        "unsupported_metal": 1,
        "inorganic_ligand": 2,
        "no_metal": 1,
        "several_ligands": 1,
        "invalid_value": 1,
        "invalid_smiles": 1,
    }
    exc = rep.excluded.set_index("row")
    assert exc.loc[9, "reason"] == "unsupported_metal" and "Fe" in exc.loc[9, "detail"]
    assert exc.loc[2, "reason"] == "inorganic_ligand"
    assert exc.loc[9, "smiles"].startswith("[H]C(=O)")  # the raw row is kept for the user


def test_iupac_dotted_form_keeps_repeats_and_drops_anions(tmp_path):
    path = tmp_path / "t.csv"
    rows = [
        "NC(Cc1cnc[nH]1)C(=O)O.[La+3], 4.1",
        "NC(Cc1cnc[nH]1)C(=O)O.[La+3], 4.3",  # a repeat: kept
        "[F-].[La+3], 3.6",
        "O=C([O-])[O-].[Eu+3], 6.5",  # carbonate: inorganic
        "CC(=O)O.[Gd+3], 1.9",
    ]
    # byte-order mark on the first line, as in the shared file
    path.write_bytes(("\ufeff" + IUPAC_HEADER + "".join(r + "\n" for r in rows)).encode())
    X, y, rep = load_logkpredict_iupac(path, return_report=True)
    _accounting_holds(rep)
    assert rep.dropped == {"inorganic_ligand": 2}
    assert X.metal.tolist() == ["La3+", "La3+", "Gd3+"]
    assert y[:, 0].tolist() == [4.1, 4.3, 1.9]
    assert X.binding_sites.map(len).sum() == 0
    assert X.ligand_id[0] == X.ligand_id[1] == "NC(Cc1cnc[nH]1)C(=O)O"


# --------------------------------------------------------------------------- real shared files
def test_real_logkpredict_nist_report(nist_dir):
    X, y, rep = load_logkpredict_nist(nist_dir, return_report=True)
    _accounting_holds(rep)
    assert rep.n_read == 1384
    # 54 = NH3, OH-, F- ...; the [U+2], [V+2], [Pu+2] rows are uranyl, vanadyl and plutonyl
    assert rep.dropped == {"inorganic_ligand": 54}
    assert rep.n_kept == len(X) == 1330
    assert X.metal.nunique() == 50
    assert X.metal.value_counts()[["UO2 2+", "VO 2+", "PuO2 2+"]].tolist() == [42, 31, 9]
    assert {"Be2+", "Al3+"} <= set(X.metal)
    assert X.binding_sites.map(len).min() >= 1  # every dative complex names its donors
    for smi, sites in zip(X.smiles, X.binding_sites, strict=True):
        mol = Chem.MolFromSmiles(smi)
        assert all(mol.GetAtomWithIdx(a).GetSymbol() in "NOSP" for a in sites)


def test_real_logkpredict_iupac_report(nist_dir):
    X, y, rep = load_logkpredict_iupac(nist_dir, return_report=True)
    _accounting_holds(rep)
    assert rep.n_read == 3862
    assert rep.dropped == {"inorganic_ligand": 248}
    assert rep.n_kept == len(X) == 3614
    assert set(X.metal) >= {"La3+", "Lu3+", "Eu2+", "Ce4+", "Sc3+", "Y3+"}
