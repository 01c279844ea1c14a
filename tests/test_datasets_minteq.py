"""Tests for load_minteq and the ligand SMILES table (no shared data needed)."""

from __future__ import annotations

import numpy as np
import pytest
from rdkit.Chem import Descriptors

from skmetalpka.chem import standardize_ligand
from skmetalpka.datasets import load_minteq
from skmetalpka.datasets.ligands import LIGAND_SMILES, SKIPPED_MASTER_SPECIES
from skmetalpka.datasets.minteq import minteq_database_path, normalize_ion, read_master_species

H_MASS = 1.008


def _accounting_holds(rep) -> None:
    assert rep.n_read == rep.n_kept + sum(rep.dropped.values())
    assert len(rep.excluded) == sum(rep.dropped.values())


def _row(X, y, metal, ligand):
    m = ((X.metal == metal) & (X.ligand == ligand)).to_numpy()
    assert m.sum() == 1, (metal, ligand)
    return y[m][0]


# --------------------------------------------------------------------------- ligand table
def test_every_ligand_smiles_parses_as_one_fragment():
    assert len(LIGAND_SMILES) == 30
    for name, smi in LIGAND_SMILES.items():
        lig = standardize_ligand(smi)
        assert not lig.was_stripped, name
        assert all(a.GetFormalCharge() == 0 for a in lig.mol.GetAtoms()), name


def test_ligand_masses_match_the_database():
    """Mass of the master species = mass of the neutral SMILES - |charge| protons."""
    master = read_master_species()
    for name, smi in LIGAND_SMILES.items():
        m = master[name]
        assert m.charge <= 0, name
        expected = Descriptors.MolWt(standardize_ligand(smi).mol) + m.charge * H_MASS
        assert m.mass == pytest.approx(expected, abs=0.05), (name, m.species, m.mass, expected)
    # spot checks of the adjustment: Nta-3 = C6H6NO6, Ethylenediamine neutral
    assert master["Nta"].species == "Nta-3" and master["Nta"].mass == 188.117
    assert master["Ethylenediamine"].charge == 0


def test_every_organic_master_species_is_mapped_or_skipped():
    master = read_master_species()
    organic = {
        n for n, m in master.items() if m.formula.replace(".", "").isdigit() and float(m.formula)
    }
    assert organic == set(LIGAND_SMILES)
    assert set(SKIPPED_MASTER_SPECIES) <= set(master)


@pytest.mark.parametrize(
    ("species", "ion"),
    [("Cu+2", "Cu2+"), ("Ag+", "Ag+"), ("Fe+3", "Fe3+"), ("Na+", "Na+"), ("Tl+1", "Tl+")],
)
def test_normalize_ion(species, ion):
    assert normalize_ion(species) == ion


@pytest.mark.parametrize("species", ["Hg(OH)2", "Cr(OH)2+", "UO2+2", "Cl-", "Cu"])
def test_normalize_ion_refuses_non_simple_species(species):
    with pytest.raises(ValueError, match="not a simple metal cation"):
        normalize_ion(species)


# --------------------------------------------------------------------------- the data set
def test_metal_counts_and_values():
    X, y, rep = load_minteq(return_report=True)
    _accounting_holds(rep)
    assert rep.n_read == 645 and rep.n_kept == 433
    assert rep.dropped == {
        "protonation": 47,
        "protonated": 83,
        "hydroxo": 18,
        "non_simple_metal": 59,
        "polynuclear": 5,
    }
    assert rep.n_samples == len(X) == 257
    assert y.shape == (257, 5) and y.dtype == np.float64
    assert np.isfinite(y).sum() == 433
    assert X.ligand.nunique() == 30 and X.smiles.nunique() == 30
    assert sorted(X.metal.unique()) == sorted(
        "Ag+ Al3+ Ba2+ Be2+ Ca2+ Cd2+ Co2+ Co3+ Cr2+ Cu+ Cu2+ Fe2+ Fe3+ K+ Mg2+ Mn2+ Na+ "
        "Ni2+ Pb2+ Sr2+ Tl+ Zn2+".split()
    )
    assert (X.temperature == 25.0).all() and (X.ionic_strength == 0.0).all()
    assert list(X.columns) == [
        "metal",
        "smiles",
        "smiles_input",
        "temperature",
        "ionic_strength",
        "ligand",
    ]
    assert list(X.index) == list(range(len(X)))
    assert not X.duplicated(["metal", "smiles"]).any()
    # values as in minteq.v4.dat
    np.testing.assert_array_equal(_row(X, y, "Cu2+", "Ethylenediamine")[:3], [10.5, 19.6, np.nan])
    np.testing.assert_array_equal(_row(X, y, "Cu2+", "Acetate")[:4], [2.21, 3.4, 3.9434, np.nan])
    np.testing.assert_array_equal(_row(X, y, "Ni2+", "Glycine")[:3], [6.15, 11.12, 14.63])
    assert _row(X, y, "Ca2+", "Edta")[0] == 12.42
    # beta_2 without beta_1 (Cu+ + 2 en); 5 such samples in all
    cu1 = _row(X, y, "Cu+", "Ethylenediamine")
    assert np.isnan(cu1[0]) and cu1[1] == 11.2
    assert int(np.isnan(y[:, 0]).sum()) == 5
    assert X.loc[X.ligand == "Ethylenediamine", "smiles"].iloc[0] == "NCCN"


def test_excluded_reactions_have_the_right_reasons():
    _, _, rep = load_minteq(return_report=True)
    by_eq = dict(zip(rep.excluded.equation, rep.excluded.reason, strict=True))
    assert by_eq["Hg(OH)2 + Ethylenediamine + 2 H+ = Hg(Ethylenediamine)+2 + 2 H2O"] == (
        "non_simple_metal"
    )
    assert by_eq["Ag+ + Ethylenediamine + H+ = AgH(Ethylenediamine)+2"] == "protonated"
    assert by_eq["2 Ag+ + Ethylenediamine = Ag2(Ethylenediamine)+2"] == "polynuclear"
    assert by_eq["Cu+2 + Edta-4 + H2O = CuOH(Edta)-3 + H+"] == "hydroxo"
    assert by_eq["H+ + Ethylenediamine = H(Ethylenediamine)+"] == "protonation"
    assert set(rep.excluded.columns) >= {"line", "equation", "log_k", "ligand", "reason"}


def test_proton_kind():
    X, y, rep = load_minteq(kind="proton", return_report=True)
    _accounting_holds(rep)
    assert rep.n_read == 645 and rep.n_kept == 47
    assert rep.dropped["metal_complex"] == 433
    assert len(X) == 30 and (X.metal == "H+").all()
    np.testing.assert_array_equal(_row(X, y, "H+", "Edta"), [10.948, 17.221, 20.34, 22.5, 24.0])
    np.testing.assert_array_equal(_row(X, y, "H+", "Glycine")[:3], [9.778, 12.128, np.nan])


def test_bad_kind():
    with pytest.raises(ValueError, match="kind must be"):
        load_minteq(kind="metals")


_MINI_DB = """\
SOLUTION_MASTER_SPECIES
Cu Cu+2 0 Cu 63.546
Zn Zn+2 0 Zn 65.39
Cl Cl- 0 Cl 35.453
Hg Hg(OH)2 0 Hg 200.59
Acetate Acetate- 1 59.045 59.045
Glycine Glycine- 1 74.059 74.059
Mystery Mystery- 1 99.9 99.9
SOLUTION_SPECIES
Acetate- = Acetate-
\tlog_k 0
Cu+2 + Acetate- = Cu(Acetate)+   # a comment
\tlog_k 2.21
Cu+2 + 2 Acetate- = Cu(Acetate)2
\tlog_k 3.4
Cu+2 + 2 Acetate- = Cu(Acetate)2
\tlog_k 3.5
Zn+2 + 2 Acetate- = Zn(Acetate)2
Cu+2 + Acetate- + Glycine- = Cu(Acetate)(Glycine)
\tlog_k 9.0
Cu+2 + Cl- + Acetate- = CuCl(Acetate)
\tlog_k 1.0
Cu+2 + NH4+ + Acetate- = CuNH4(Acetate)+2
\tlog_k 1.0
Hg(OH)2 + 2 H+ + Acetate- = Hg(Acetate)+ + 2 H2O
\tlog_k 9.9
H+ + Acetate- = H(Acetate)
\tlog_k 4.757
#Zn+2 + Acetate- = Zn(Acetate)+
#\tlog_k 1.5
Zn+2 + Glycine- = Zn(Glycine)+
\tlog_k 5.0
PHASES
Foo
Zn+2 + Acetate- = Zn(Acetate)+
\tlog_k 1.0
END
"""


def test_synthetic_database_all_reasons(tmp_path):
    path = tmp_path / "mini.dat"
    path.write_text(_MINI_DB, encoding="utf-8")
    X, y, rep = load_minteq(path=path, return_report=True)
    _accounting_holds(rep)
    # identity reaction, commented-out reaction and PHASES are not records
    assert rep.n_read == 10 and rep.n_kept == 3
    assert rep.dropped == {
        "duplicate": 1,
        "missing_log_k": 1,
        "mixed_ligand": 2,
        "other_reactant": 1,
        "non_simple_metal": 1,
        "protonation": 1,
    }
    assert X.metal.tolist() == ["Cu2+", "Zn2+"]
    np.testing.assert_array_equal(y, [[2.21, 3.4], [5.0, np.nan]])
    assert any("Mystery" in n for n in rep.notes)


def test_corrupted_copy_of_real_database(tmp_path):
    text = minteq_database_path().read_text(encoding="utf-8")
    target = "Cu+2 + 2 Ethylenediamine = Cu(Ethylenediamine)2+2\n\tlog_k 19.6\n"
    assert target in text
    path = tmp_path / "minteq_bad.dat"
    path.write_text(
        text.replace(target, "Cu+2 + 2 Ethylenediamine = Cu(Ethylenediamine)2+2\n"),
        encoding="utf-8",
    )
    X, y, rep = load_minteq(path=path, return_report=True)
    _accounting_holds(rep)
    assert rep.n_read == 645 and rep.n_kept == 432
    assert rep.dropped["missing_log_k"] == 1
    np.testing.assert_array_equal(_row(X, y, "Cu2+", "Ethylenediamine")[:2], [10.5, np.nan])
