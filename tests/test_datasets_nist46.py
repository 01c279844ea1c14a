"""Tests for load_nist46 / fetch_nist46 (no network: file:// URLs and mock openers)."""

from __future__ import annotations

import hashlib
import io
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from rdkit import Chem

from skmetalpka.chem import standardize_ligand
from skmetalpka.datasets import fetch_nist46, load_nist46
from skmetalpka.datasets.nist46 import NIST46_FULL_FILENAME, NIST46_SHA256, NIST46_URL

HEADER = "metal_ion,SMILES,pKa_num,pKa_value,predicted_positions\n"


def _write(path: Path, body: str, header: str = HEADER) -> Path:
    path.write_text(header + body, encoding="utf-8")
    return path


def _accounting_holds(rep) -> None:
    assert rep.n_read == rep.n_kept + sum(rep.dropped.values())
    assert len(rep.excluded) == sum(rep.dropped.values())


# --------------------------------------------------------------------------- real shared file
def test_real_file_report_numbers(nist_csv):
    X, y, rep = load_nist46(nist_csv, return_report=True)
    _accounting_holds(rep)
    assert rep.n_read == 1948
    assert rep.n_kept == 1846 == len(X) == rep.n_samples
    assert rep.dropped == {"implausible_value": 102}
    assert rep.modified == {
        "salt_stripped": 50,
        # sites are renumbered into the canonical atom order of the returned SMILES
        "binding_sites_remapped": 1046,
        "binding_site_indices_on_removed_fragment": 22,
        # upstream picks on atoms that no donor rule marks (mostly C=C for Ag+): kept, flagged
        "binding_site_indices_not_donor": 275,  # 280 before the ring-carbonyl rules
    }
    assert len(rep.flagged) == 224 and set(rep.flagged.reason) == {"binding_site_not_donor"}
    assert list(X.columns) == [
        "metal",
        "smiles",
        "smiles_input",
        "temperature",
        "ionic_strength",
        "binding_sites",
    ]
    assert list(X.index) == list(range(len(X)))
    assert y.dtype == np.float64 and y.shape == (1846, 4)
    assert (X.temperature == 25.0).all() and (X.ionic_strength == 0.1).all()
    assert X.metal.nunique() == 10
    # values are cumulative, >= -1, left-aligned: once NaN, NaN for the rest of the row
    assert np.nanmin(y) >= -1.0
    assert np.isfinite(y[:, 0]).all()
    assert (np.isfinite(y).sum(axis=0) == [1846, 537, 122, 18]).all()
    nan = np.isnan(y)
    assert not (nan[:, :-1] & ~nan[:, 1:]).any()
    # binding sites are valid atom indices of the standardised ligand
    for smi, sites in zip(X.smiles.head(300), X.binding_sites.head(300), strict=True):
        n = standardize_ligand(smi).mol.GetNumAtoms()
        assert all(0 <= s < n for s in sites)


def test_real_file_salt_row_binding_sites_remapped(nist_csv):
    X, y = load_nist46(nist_csv)
    row = X[(X.metal == "Co2+") & X.smiles_input.str.startswith("[Na+].OC([O-])=O.Oc1c(I)")].iloc[0]
    # input [5, 1, 18]: atom 5 is the phenol O (first ligand atom); atom 1 lies on the removed
    # carbonate -> dropped; atom 18 is the sulfonic acid OH. Both must land on the same atoms of the
    # returned (canonical) SMILES.
    assert row.smiles == standardize_ligand("Oc1c(I)cc(c2cccnc12)[S](O)(=O)=O").smiles
    mol = Chem.MolFromSmiles(row.smiles)
    o, so = (mol.GetAtomWithIdx(a) for a in row.binding_sites)
    assert o.GetSymbol() == "O" and o.GetTotalNumHs() == 1 and o.GetDegree() == 1
    assert o.GetNeighbors()[0].GetIsAromatic()  # the phenol OH, not a sulfonic OH
    assert so.GetSymbol() == "O" and so.GetTotalNumHs() == 1
    assert so.GetNeighbors()[0].GetSymbol() == "S"


def test_real_file_threshold_none_keeps_everything(nist_csv):
    X, y, rep = load_nist46(nist_csv, min_value=None, return_report=True)
    assert rep.n_kept == 1948 and rep.dropped == {}
    assert np.nanmin(y) == pytest.approx(-26.56)
    assert rep.modified["salt_stripped"] == 57


def test_real_file_folder_path_and_env(nist_dir, monkeypatch):
    X1, y1 = load_nist46(nist_dir)
    monkeypatch.setenv("SKMETALPKA_DATA_HOME", str(nist_dir))
    X2, y2 = load_nist46()
    pd.testing.assert_frame_equal(X1, X2)
    np.testing.assert_array_equal(y1, y2)


def test_corrupted_copy_of_real_file(nist_csv, tmp_path):
    raw = pd.read_csv(nist_csv, dtype=str, keep_default_na=False)
    _, _, base = load_nist46(nist_csv, return_report=True)
    bad_rows = set(base.excluded.row)
    good = [i for i in range(len(raw)) if i not in bad_rows]
    garbage, invalid, mismatch = good[:3], good[3:5], good[5:6]
    raw.loc[garbage[0], "pKa_value"] = "[1.2, oops]"
    raw.loc[garbage[1], "pKa_value"] = "not a list"
    raw.loc[garbage[2], "predicted_positions"] = "[1, 2"
    raw.loc[invalid, "SMILES"] = ["C1CC(", "NC[Cu]CN"]
    raw.loc[mismatch, "pKa_num"] = "7"
    path = tmp_path / "corrupt.csv"
    raw.to_csv(path, index=False)
    X, y, rep = load_nist46(path, return_report=True)
    _accounting_holds(rep)
    assert rep.n_read == 1948
    assert rep.dropped == {
        "implausible_value": 102,
        "malformed_row": 3,
        "invalid_smiles": 2,
        "value_count_mismatch": 1,
    }
    assert rep.n_kept == 1846 - 6
    exc = rep.excluded.set_index("row")
    assert exc.loc[invalid[0], "reason"] == "invalid_smiles"
    assert "could not parse" in exc.loc[invalid[0], "detail"]
    assert "metal atom Cu" in exc.loc[invalid[1], "detail"]
    assert exc.loc[garbage[1], "pKa_value"] == "not a list"  # raw row kept for the user


def test_missing_columns_error_names_them(nist_csv, tmp_path):
    raw = pd.read_csv(nist_csv, dtype=str).drop(columns=["SMILES", "predicted_positions"])
    path = tmp_path / "nocols.csv"
    raw.to_csv(path, index=False)
    with pytest.raises(ValueError, match=r"\['SMILES', 'predicted_positions'\]"):
        load_nist46(path)


def test_bom_and_crlf_file_loads_like_the_original(nist_csv, tmp_path):
    data = nist_csv.read_bytes().replace(b"\r\n", b"\n").replace(b"\n", b"\r\n")
    path = tmp_path / "bom.csv"
    path.write_bytes(b"\xef\xbb\xbf" + data)
    X1, y1 = load_nist46(nist_csv)
    X2, y2 = load_nist46(path)
    pd.testing.assert_frame_equal(X1, X2)
    np.testing.assert_array_equal(y1, y2)


# --------------------------------------------------------------------------- hand-made tables
def test_salt_stripping_remaps_binding_sites(tmp_path):
    # [Na+].OC(=O)CN: Na is atom 0; glycine atoms 1..5 (O C O C N) become 0..4
    path = _write(
        tmp_path / "t.csv",
        'Cu2+,[Na+].OC(=O)CN,2,"[8.1, 15.0]","[5, 0, 1]"\n'
        "Ni2+,NCCN.NCCN,1,[7.3],[5]\n"
        "Zn2+,OC(=O)CN,1,[5.0],[]\n",
    )
    X, y, rep = load_nist46(path, return_report=True)
    _accounting_holds(rep)
    # canonical glycine NCC(=O)O: N 0, C 1, C 2, =O 3, OH 4; input N (5) -> 0, OH (1) -> 4
    assert X.binding_sites.tolist() == [[0, 4], [], []]
    assert X.smiles.tolist()[0] == X.smiles.tolist()[2] == standardize_ligand("NCC(=O)O").smiles
    assert X.smiles_input.tolist()[0] == "[Na+].OC(=O)CN"
    assert rep.modified == {
        "salt_stripped": 2,
        "binding_sites_remapped": 1,
        "binding_site_indices_on_removed_fragment": 2,  # Na (0) and the 2nd NCCN copy (5)
    }
    # strip_salts=False refuses the multi-fragment rows
    X, y, rep = load_nist46(path, strip_salts=False, return_report=True)
    assert rep.dropped == {"invalid_smiles": 2} and len(X) == 1


def test_out_of_range_binding_site_is_counted(tmp_path):
    path = _write(tmp_path / "t.csv", 'Cu2+,NCCN,1,[10.5],"[0, 9, -1]"\n')
    X, _, rep = load_nist46(path, return_report=True)
    assert X.binding_sites[0] == [0]
    assert rep.modified == {"binding_site_indices_out_of_range": 2}


def test_duplicates_keep_the_first_row(tmp_path):
    path = _write(
        tmp_path / "t.csv",
        "Cu2+,NCCN,1,[10.5],[0]\n"
        "Cu2+,C(N)CN,1,[10.7],[0]\n"  # same canonical ligand, same metal -> duplicate
        "Ni2+,C(N)CN,1,[7.3],[0]\n",
    )
    X, y, rep = load_nist46(path, return_report=True)
    _accounting_holds(rep)
    assert rep.dropped == {"duplicate": 1}
    assert X.metal.tolist() == ["Cu2+", "Ni2+"]
    assert y[:, 0].tolist() == [10.5, 7.3]
    assert rep.excluded.row.tolist() == [1]
    assert "data row 0" in rep.excluded.detail[0]
    X, y = load_nist46(path, drop_duplicates=False)
    assert len(X) == 3


def test_min_value_threshold(tmp_path):
    path = _write(
        tmp_path / "t.csv",
        'Cu2+,NCCN,2,"[-1.0, 3.0]","[0, 3]"\n'
        'Cu2+,CCN,2,"[-1.01, 2.0]","[0, 2]"\n'
        'Cu2+,CN,2,"[-26.0, 2.0]","[0, 1]"\n',
    )
    X, y, rep = load_nist46(path, return_report=True)
    assert rep.dropped == {"implausible_value": 2}
    assert y.tolist() == [[-1.0, 3.0]]
    X, y, rep = load_nist46(path, min_value=-5.0, return_report=True)
    assert len(X) == 2 and rep.dropped == {"implausible_value": 1}
    X, y = load_nist46(path, min_value=None)
    assert len(X) == 3


def test_y_nan_layout_for_rows_of_different_length(tmp_path):
    path = _write(
        tmp_path / "t.csv",
        "Cu2+,NCCN,1,[10.5],[0]\n"
        'Ni2+,NCCN,3,"[7.3, 13.5, 17.6]","[0, 3, 0]"\n'
        'Zn2+,NCCN,2,"[5.7, 10.6]","[0, 3]"\n',
    )
    X, y = load_nist46(path)
    assert y.shape == (3, 3)
    np.testing.assert_array_equal(
        y, [[10.5, np.nan, np.nan], [7.3, 13.5, 17.6], [5.7, 10.6, np.nan]]
    )


def test_malformed_rows_never_crash(tmp_path):
    path = _write(
        tmp_path / "t.csv",
        "Cu2+,NCCN,1,[10.5],[0]\n"
        "Cu2+,CCN,1,[],[]\n"
        "Cu2+,CN,1,[nan],[0]\n"
        "Cu2+,CCCN,1,[True],[0]\n"
        'Cu2+,CCCCN,1,"[1.0]","[0.5]"\n'
        "Cu2+,CCCCCN,x,[1.0],[0]\n"
        ",CCCCCCN,1,[1.0],[0]\n"
        "Cu2+,NCCO,1,\"__import__('os')\",[0]\n"
        "Cu2+,OCCO,2,[1.0],[0]\n"
        "Cu2+,C1CC(,1,[1.0],[0]\n",
    )
    X, y, rep = load_nist46(path, return_report=True)
    _accounting_holds(rep)
    assert rep.n_read == 10 and rep.n_kept == 1
    assert rep.dropped == {"malformed_row": 7, "value_count_mismatch": 1, "invalid_smiles": 1}
    assert rep.excluded.reason.tolist()[-2:] == ["value_count_mismatch", "invalid_smiles"]


def test_blank_positions_cell_is_counted(tmp_path):
    path = _write(tmp_path / "t.csv", "Cu2+,NCCN,1,[10.5],\n")
    X, _, rep = load_nist46(path, return_report=True)
    assert X.binding_sites[0] == [] and rep.modified == {"binding_sites_missing": 1}


def test_table_without_pka_num_and_with_extra_columns(tmp_path):
    path = _write(
        tmp_path / "t.csv",
        'Cu2+,NCCN,"[10.5, 19.6]","[0, 3]",foo\n',
        header="metal_ion,SMILES,pKa_value,predicted_positions,extra\n",
    )
    X, y, rep = load_nist46(path, return_report=True)
    assert y.tolist() == [[10.5, 19.6]]
    assert any("pKa_num" in n for n in rep.notes)


def test_not_found_names_the_three_ways(tmp_path, monkeypatch):
    monkeypatch.setenv("SKMETALPKA_DATA_HOME", str(tmp_path / "empty"))
    with pytest.raises(FileNotFoundError) as info:
        load_nist46()
    msg = str(info.value)
    assert "path=" in msg and "SKMETALPKA_DATA_HOME" in msg and "fetch_nist46" in msg
    with pytest.raises(FileNotFoundError, match="no file or folder"):
        load_nist46(tmp_path / "nope.csv")
    (tmp_path / "dir").mkdir()
    with pytest.raises(FileNotFoundError, match="holds none of"):
        load_nist46(tmp_path / "dir")


# --------------------------------------------------------------------------- fetch
_TABLE = (HEADER + 'Cu2+,NCCN,2,"[10.5, 19.6]","[0, 3]"\nNi2+,NCCN,1,[7.3],[0]\n').encode()


def _source(tmp_path: Path) -> tuple[str, str]:
    src = tmp_path / "remote" / "table.csv"
    src.parent.mkdir()
    src.write_bytes(_TABLE)
    return src.as_uri(), hashlib.sha256(_TABLE).hexdigest()


def test_default_url_is_pinned():
    assert NIST46_URL == (
        "https://raw.githubusercontent.com/qteddie/GNN-MetalChelators/"
        "0938c775d284ae35cca735dc9ded53cc5eaa20ed/MetalGCN/model/"
        "pre_metal_t15_T25_I0.1_E3_m10_clean_merged_clean.csv"
    )
    assert len(NIST46_SHA256) == 64


def test_fetch_file_url_then_load_finds_it(tmp_path, monkeypatch):
    url, digest = _source(tmp_path)
    home = tmp_path / "home" / "sub"
    path = fetch_nist46(home, url=url, sha256=digest)
    assert path == home / NIST46_FULL_FILENAME
    assert path.read_bytes() == _TABLE
    assert sorted(p.name for p in home.iterdir()) == [NIST46_FULL_FILENAME]
    monkeypatch.setenv("SKMETALPKA_DATA_HOME", str(home))
    X, y = load_nist46()  # third fallback: the fetched file
    assert X.metal.tolist() == ["Cu2+", "Ni2+"]
    assert y.shape == (2, 2)


def test_fetch_checksum_mismatch_leaves_no_file(tmp_path):
    url, _ = _source(tmp_path)
    home = tmp_path / "home"
    with pytest.raises(ValueError, match="checksum mismatch"):
        fetch_nist46(home, url=url, sha256="0" * 64)
    assert list(home.iterdir()) == []


def test_fetch_downloads_once(tmp_path):
    calls = []

    def opener(url):
        calls.append(url)
        return io.BytesIO(_TABLE)

    digest = hashlib.sha256(_TABLE).hexdigest()
    p1 = fetch_nist46(tmp_path, sha256=digest, opener=opener)
    p2 = fetch_nist46(tmp_path, sha256=digest, opener=opener)
    assert p1 == p2 and calls == [NIST46_URL]
    fetch_nist46(tmp_path, sha256=digest, opener=opener, force=True)
    assert len(calls) == 2


def test_fetch_existing_corrupt_file_is_reported(tmp_path):
    (tmp_path / NIST46_FULL_FILENAME).write_bytes(b"corrupt")
    with pytest.raises(ValueError, match="force=True"):
        fetch_nist46(tmp_path, sha256=hashlib.sha256(_TABLE).hexdigest(), opener=io.BytesIO)


def test_fetch_network_error_leaves_no_file(tmp_path):
    def opener(url):
        raise OSError("no route to host")

    with pytest.raises(OSError, match="could not download"):
        fetch_nist46(tmp_path, opener=opener)
    assert list(tmp_path.iterdir()) == []


# --------------------------------------------------------------------------- atom order
def _site_atoms(smiles: str, sites: list[int]) -> list[tuple[str, int, int]]:
    """(element, number of H, heavy degree) of each site atom of the returned SMILES."""
    mol = Chem.MolFromSmiles(smiles)
    return [
        (mol.GetAtomWithIdx(a).GetSymbol(), mol.GetAtomWithIdx(a).GetTotalNumHs(),
         mol.GetAtomWithIdx(a).GetDegree())
        for a in sites
    ]  # fmt: skip


@pytest.mark.parametrize(
    ("smiles", "positions", "expected"),
    [
        # glycine written O-first: atom 0 is the hydroxyl O, atom 4 the N
        ("OC(=O)CN", "[4, 0]", [("N", 2, 1), ("O", 1, 1)]),
        # same with the carbonyl O picked (atom 2)
        ("OC(=O)CN", "[2]", [("O", 0, 1)]),
        # ethanolamine written OCCN: atom 0 is O, atom 3 is N
        ("OCCN", "[3, 0]", [("N", 2, 1), ("O", 1, 1)]),
        # 2-picolinic acid written acid-first: atom 8 is the ring N
        ("OC(=O)c1ccccn1", "[8, 0]", [("N", 0, 2), ("O", 1, 1)]),
        # EDTA written from a carboxyl; atoms 4 and 7 are the two amine N (degree 3)
        ("OC(=O)CN(CCN(CC(O)=O)CC(O)=O)CC(O)=O", "[4, 7]", [("N", 0, 3), ("N", 0, 3)]),
    ],
)
def test_binding_sites_follow_the_atoms_of_the_returned_smiles(
    tmp_path, smiles, positions, expected
):
    """The returned sites index Chem.MolFromSmiles(X.smiles), whatever the input atom order."""
    path = _write(tmp_path / "t.csv", f'Cu2+,{smiles},1,[8.0],"{positions}"\n')
    X, _, rep = load_nist46(path, return_report=True)
    assert X.smiles[0] == standardize_ligand(smiles).smiles != smiles
    assert _site_atoms(X.smiles[0], X.binding_sites[0]) == expected
    assert len(rep.flagged) == 0


def test_site_on_a_carbon_is_kept_counted_and_flagged(tmp_path):
    # glycine OC(=O)CN: atom 3 is the CH2 carbon; atom 4 the N
    path = _write(tmp_path / "t.csv", 'Cu2+,OC(=O)CN,1,[8.0],"[3, 4]"\n')
    X, _, rep = load_nist46(path, return_report=True)
    assert _site_atoms(X.smiles[0], X.binding_sites[0]) == [("C", 2, 2), ("N", 2, 1)]
    assert rep.modified["binding_site_indices_not_donor"] == 1
    assert rep.flagged.row.tolist() == [0]
    assert rep.flagged.reason.tolist() == ["binding_site_not_donor"]
    assert "1:C" in rep.flagged.detail[0]
