"""Tests for load_corpus, ligand_groups, the ligand identity and the repeat-spread helper."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from rdkit import Chem
from sklearn.model_selection import GroupKFold

from skmetalpka.datasets import ligand_groups, ligand_id, load_corpus
from skmetalpka.datasets.corpus import CORPUS_COLUMNS, repeat_spread, source_overlap
from skmetalpka.datasets.identity import neutral_parent
from skmetalpka.groups import make_groups


@pytest.fixture()
def small_home(tmp_path: Path) -> Path:
    """A data folder with tiny NIST-46 and LOGKPREDICT tables (glycine spelled four ways)."""
    (tmp_path / "nist46_metal_binding.csv").write_text(
        "metal_ion,SMILES,pKa_num,pKa_value,predicted_positions\n"
        'Cu2+,OC(=O)CN,2,"[8.1, 15.0]","[4, 0]"\n'  # glycine, O first
        "Ni2+,[Na+].[O-]C(=O)CN,1,[5.8],[5]\n"  # glycinate salt
        "Cu2+,NCCN,1,[10.5],[0]\n"
        "Ag+,C#N,1,[20.5],[1]\n",  # cyanide: inorganic, dropped by the corpus
        encoding="utf-8",
    )
    (tmp_path / "logkpredict_nist_k1.csv").write_text(
        "smiles, logK\n"
        "[H]OC(=O)C([H])([H])N([H])([H])->[Cu+2], 8.2\n"
        "O=C1[O-]->[Zn+2]<-N([H])([H])C1([H])[H], 5.0\n",
        encoding="utf-8",
    )
    (tmp_path / "logkpredict_iupac_lanthanides_k1.csv").write_text(
        "Cmplx_smiles_neutral_std,Lg K1\n"
        "NCC(=O)O.[La+3], 3.0\n"
        "NCC(=O)O.[La+3], 3.4\n"
        "NCC(=O)O.[La+3], 5.0\n"
        "C[C@H](N)C(=O)O.[La+3], 3.1\n",
        encoding="utf-8",
    )
    return tmp_path


SOURCES = ("nist46", "logkpredict_nist", "logkpredict_iupac")


def test_ligand_id_matches_every_spelling():
    glycine = "NCC(=O)O"
    for s in ["OC(=O)CN", "[O-]C(=O)CN", "[Na+].[O-]C(=O)CN", "[NH3+]CC([O-])=O", "NCC(O)=O"]:
        assert ligand_id(s) == glycine
    # stereo dropped: L- and D-alanine share one identity
    assert ligand_id("C[C@H](N)C(=O)O") == ligand_id("C[C@@H](N)C(=O)O") == ligand_id("CC(N)C(=O)O")
    # a charge that cannot be removed stays (nitro group)
    assert "[N+](=O)[O-]" in ligand_id("O=C(O)c1ccc([N+](=O)[O-])cc1")
    # different ligands stay different
    assert ligand_id("NCCN") != ligand_id("NCCO")


def test_neutral_parent_maps_atoms():
    mol = Chem.MolFromSmiles("[O-]C(=O)CN")  # atom 0: the charged O, atom 4: N
    smiles, position = neutral_parent(mol)
    out = Chem.MolFromSmiles(smiles)
    assert out.GetAtomWithIdx(position[4]).GetSymbol() == "N"
    o = out.GetAtomWithIdx(position[0])
    assert o.GetSymbol() == "O" and o.GetTotalNumHs() == 1 and o.GetFormalCharge() == 0


def test_corpus_columns_values_and_sites(small_home):
    X, y, rep = load_corpus(small_home, sources=SOURCES, return_report=True)
    assert list(X.columns) == CORPUS_COLUMNS
    assert y.shape == (len(X), 2)
    assert rep.dropped == {"inorganic_ligand": 1}  # the cyanide row
    assert rep.n_read == 4 + 2 + 4 and rep.n_kept == 9
    # every glycine row has the same smiles/ligand_id, whatever the source's spelling
    gly = X[X.ligand_id == "NCC(=O)O"]
    assert set(gly.smiles) == {"NCC(=O)O"}
    assert sorted(gly.source) == ["logkpredict_iupac", "logkpredict_nist", "logkpredict_nist",
                                  "nist46", "nist46"]  # fmt: skip
    # sites index the identity SMILES: N and OH oxygen for the nist46 Cu row
    row = X[(X.source == "nist46") & (X.metal == "Cu2+") & (X.ligand_id == "NCC(=O)O")].iloc[0]
    mol = Chem.MolFromSmiles(row.smiles)
    assert sorted(mol.GetAtomWithIdx(a).GetSymbol() for a in row.binding_sites) == ["N", "O"]
    # conditions per source; LOGKPREDICT beta_2 missing
    nist = X.source == "nist46"
    assert (X.temperature[nist] == 25.0).all() and (X.ionic_strength[nist] == 0.1).all()
    assert X.ionic_strength[~nist].isna().all()
    assert np.isnan(y[~nist.to_numpy(), 1]).all()


def test_repeats_are_combined_by_median_and_counted(small_home):
    X, y, rep = load_corpus(small_home, sources=("logkpredict_iupac",), return_report=True)
    la = X[X.ligand_id == "NCC(=O)O"]
    assert len(la) == 1 and la.n_measurements.iloc[0] == 3
    assert y[la.index[0], 0] == pytest.approx(3.4)  # median of 3.0, 3.4, 5.0
    assert rep.modified == {"repeats_combined": 2}
    assert rep.spread["within logkpredict_iupac"]["n_groups"] == 1
    X, y = load_corpus(small_home, sources=("logkpredict_iupac",), combine="mean")
    assert y[X.ligand_id == "NCC(=O)O", 0][0] == pytest.approx(3.8)
    X, y = load_corpus(small_home, sources=("logkpredict_iupac",), combine=None)
    assert len(X) == 4 and (X.n_measurements == 1).all()


def test_groups_keep_one_ligand_on_one_side_across_spellings(small_home):
    X, y = load_corpus(small_home, sources=SOURCES)
    groups = ligand_groups(X)
    # glycine spelled OC(=O)CN (nist46) and [O-]C(=O)CN->[Zn+2] (LOGKPREDICT): one group
    nist_gly = X.index[(X.source == "nist46") & (X.metal == "Cu2+")][0]
    logk_gly = X.index[(X.source == "logkpredict_nist") & (X.metal == "Zn2+")][0]
    assert X.smiles_input[nist_gly] != X.smiles_input[logk_gly]
    assert groups[nist_gly] == groups[logk_gly]
    for train, test in GroupKFold(n_splits=3).split(X, y, groups):
        assert not set(X.ligand_id.iloc[train]) & set(X.ligand_id.iloc[test])
    # without a ligand_id column the identity is computed from smiles
    raw = pd.DataFrame({"smiles": ["OC(=O)CN", "[O-]C(=O)CN", "NCCN"]})
    g = ligand_groups(raw)
    assert g[0] == g[1] != g[2]
    with pytest.raises(ValueError, match="'ligand_id' or 'smiles'"):
        ligand_groups(pd.DataFrame({"x": [1]}))


def test_overlap_counts_before_and_after(small_home):
    _, _, rep = load_corpus(small_home, sources=SOURCES, return_report=True)
    # glycine: nist46 draws it neutral, LOGKPREDICT NIST in the dative form partly as the anion
    assert rep.overlap_after["nist46 & logkpredict_nist"] == 1
    assert rep.overlap_after["nist46 & logkpredict_iupac"] == 1
    assert rep.overlap_before["nist46 & logkpredict_iupac"] == 1
    assert source_overlap({"a": ["x", "y"], "b": ["y"], "c": []}) == {
        "a & b": 1,
        "a & c": 0,
        "b & c": 0,
    }


def test_repeat_spread_numbers():
    out = repeat_spread([1.0, 2.0, 3.0, 5.0, np.nan, 7.0], ["a", "a", "a", "b", "b", "c"])
    assert out["n_groups"] == 1 and out["n_values"] == 3
    assert out["median_abs_dev"] == pytest.approx(1.0)
    assert out["median_range"] == pytest.approx(2.0)
    assert out["rmsd"] == pytest.approx(1.0)  # sqrt((1 + 0 + 1) / (3 - 1))
    assert repeat_spread([1.0], ["a"])["n_groups"] == 0


def test_bad_arguments_are_refused(small_home):
    with pytest.raises(ValueError, match="unknown source"):
        load_corpus(small_home, sources=("nist46", "pubchem"))
    with pytest.raises(ValueError, match="combine"):
        load_corpus(small_home, sources=("nist46",), combine="max")


def test_real_corpus(nist_dir):
    X, y, rep = load_corpus(nist_dir, return_report=True)
    assert rep.n_read == sum(r.n_samples for r in rep.sources.values())
    assert rep.n_read == rep.n_kept + rep.n_dropped
    assert set(X.source) == {"nist46", "logkpredict_nist", "logkpredict_iupac", "minteq"}
    assert (X.ionic_strength[X.source == "minteq"] == 0.0).all()
    assert y.shape[1] == 5 and np.isfinite(y[X.source != "minteq", 0]).all()
    # the identity finds more shared ligands than the sources' own spellings
    assert (
        rep.overlap_after["nist46 & logkpredict_nist"]
        > rep.overlap_before["nist46 & logkpredict_nist"]
    )
    # sites are valid atom indices of the identity SMILES
    for smi, sites in zip(X.smiles, X.binding_sites, strict=True):
        n = Chem.MolFromSmiles(smi).GetNumAtoms()
        assert all(0 <= s < n for s in sites)


def test_training_data_names_pick_corpus_or_minteq(tmp_path, monkeypatch, nist_dir):
    """``--data`` names: the default is the corpus when the data home holds it, else MINTEQ."""
    from skmetalpka.datasets import corpus_available, load_training_data
    from skmetalpka.exceptions import InputError

    monkeypatch.setenv("SKMETALPKA_DATA_HOME", str(tmp_path))  # an empty data home
    assert not corpus_available()
    X, _, report = load_training_data(None)
    assert "MINTEQ" in report.source.upper()
    with pytest.raises(InputError, match="SKMETALPKA_DATA_HOME"):
        load_training_data("corpus")
    monkeypatch.setenv("SKMETALPKA_DATA_HOME", str(nist_dir))
    assert corpus_available()
    X, y, report = load_training_data(None)
    assert set(X["source"]) >= {"nist46", "logkpredict_nist", "logkpredict_iupac", "minteq"}
    assert len(X) == len(y) and report.source.startswith("corpus")
    Xm, _, _ = load_training_data("MINTEQ")
    assert "source" not in Xm.columns or set(Xm["source"]) <= {"minteq"}


def test_tautomers_share_a_group_and_acac_one_identity(tmp_path):
    """Acetylacetone drawn as the enol (dative form) and as the diketone; a pyridone pair."""
    (tmp_path / "logkpredict_nist_k1.csv").write_text(
        "smiles, logK\n"
        # the enol written as in the source: CH first, enolate O bound to the metal
        "[H]C1=C(C([H])([H])[H])[O-]->[Cu+2]<-O=C1C([H])([H])[H], 8.4\n",
        encoding="utf-8",
    )
    (tmp_path / "logkpredict_iupac_lanthanides_k1.csv").write_text(
        "Cmplx_smiles_neutral_std,Lg K1\n"
        "CC(=O)CC(C)=O.[La+3], 5.1\n"
        "Oc1ccccn1.[La+3], 1.0\n"
        "O=c1cccc[nH]1.[Nd+3], 1.2\n",
        encoding="utf-8",
    )
    X, y = load_corpus(tmp_path, sources=("logkpredict_nist", "logkpredict_iupac"))
    acac = X[X.ligand_id == "CC(=O)CC(C)=O"]
    assert sorted(acac.source) == ["logkpredict_iupac", "logkpredict_nist"]
    assert set(acac.smiles) == {"CC(=O)CC(C)=O"}
    # the curated donors (enolate O and carbonyl O) are the two O atoms of the diketone
    row = acac[acac.source == "logkpredict_nist"].iloc[0]
    mol = Chem.MolFromSmiles(row.smiles)
    assert sorted(mol.GetAtomWithIdx(a).GetSymbol() for a in row.binding_sites) == ["O", "O"]
    assert len(set(row.binding_sites)) == 2
    # 2-hydroxypyridine and 2-pyridone: two identities (not pooled), one group (never split)
    pyr = X[X.metal.isin(["La3+", "Nd3+"]) & ~X.ligand_id.eq("CC(=O)CC(C)=O")]
    assert pyr.ligand_id.nunique() == 2
    groups = ligand_groups(X)
    assert len(set(groups[pyr.index])) == 1
    assert len(set(make_groups(X, "ligand")[pyr.index])) == 1
    assert len(set(groups)) == 2
